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
  auto parsed = ParseExpected(text, "list.txt");
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == strata::ErrorCode::kInvalidArgument);
    const auto& loc = parsed.status().location();
    FUZZ_CHECK(loc.has_value() && loc->file == "list.txt" && loc->line >= 1 && loc->column >= 1);
    FUZZ_CHECK(!parsed.status().ToString().empty());
    return 0;
  }
  Schema s;
  s.dialect = "postgres";
  Table users;
  users.schema = "public";
  users.name = "users";
  users.columns.push_back({.name = "id", .type = "integer"});
  s.tables.push_back(users);
  std::vector<std::string> missing = CheckExpected(*parsed, s);
  FUZZ_CHECK(missing.size() <= parsed->size());
  for (const Expected& e : *parsed) {
    FUZZ_CHECK(!e.kind.empty() && !e.name.empty());
    FUZZ_CHECK(e.line >= 1);
  }
  for (const std::string& m : missing) FUZZ_CHECK(m.rfind("missing: ", 0) == 0);
  return 0;
}
