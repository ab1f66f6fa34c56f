// Fuzzes the stat cache parser (source::ParseStatCache): any text is either refused with
// kInvalidArgument or is exactly what SerializeStatCache writes for what it parsed to.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "source/stat_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::source;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseStatCache(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == strata::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(!parsed.status().message().empty());
    return 0;
  }
  for (std::size_t i = 1; i < parsed->entries.size(); ++i) {
    FUZZ_CHECK(parsed->entries[i - 1].name < parsed->entries[i].name);
  }
  auto again = SerializeStatCache(*parsed);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == text);
  return 0;
}
