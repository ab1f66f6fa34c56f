// Fuzzes strata::schema::ParseExpected (the `verify --schema` object list) and CheckExpected
// against a small fixed schema.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "strata/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::schema;
  // A copy with exactly the text's size, so that ASan catches any read past its end.
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)LooksLikeDdl(text);
  ParsedExpected parsed = ParseExpected(text, "list.txt");
  if (!parsed.error.empty()) {
    FUZZ_CHECK(parsed.objects.empty());
    FUZZ_CHECK(parsed.error.rfind("list.txt:", 0) == 0);
    return 0;
  }
  Schema s;
  s.dialect = "postgres";
  Table users;
  users.schema = "public";
  users.name = "users";
  users.columns.push_back({.name = "id", .type = "integer"});
  s.tables.push_back(users);
  std::vector<std::string> missing = CheckExpected(parsed.objects, s);
  FUZZ_CHECK(missing.size() <= parsed.objects.size());
  for (const Expected& e : parsed.objects) {
    FUZZ_CHECK(!e.kind.empty() && !e.name.empty());
    FUZZ_CHECK(e.line >= 1);
  }
  for (const std::string& m : missing) FUZZ_CHECK(m.rfind("missing: ", 0) == 0);
  return 0;
}
