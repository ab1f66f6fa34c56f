// Fuzzes strata::source::SplitSections. The first byte chooses `sectioned`; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.h"
#include "fuzz_common.h"
#include "source/sections.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::source;
  if (size == 0) return 0;
  const bool sectioned = (data[0] & 1) != 0;
  // A copy with exactly the text's size, so that ASan catches any read past its end.
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

  auto result = SplitSections(text, sectioned);
  if (!result.ok()) {
    FUZZ_CHECK(result.status().code() == strata::ErrorCode::kInvalidArgument);
    // Every error points into the text; format it the way the loader does.
    auto offset = result.status().sql_offset();
    FUZZ_CHECK(offset.has_value());
    FUZZ_CHECK(*offset <= text.size());
    auto loc = strata::base::MakeLocation("fuzz.sql", text, *offset);
    FUZZ_CHECK(loc.line >= 1 && loc.column >= 1);
    std::string shown = strata::base::FormatLocated(loc, result.status().message());
    FUZZ_CHECK(!shown.empty());
    return 0;
  }
  const FileSections& s = *result;
  FUZZ_CHECK(s.up.has_value());
  FUZZ_CHECK(s.up->begin <= s.up->end && s.up->end <= text.size());
  if (!sectioned) {
    FUZZ_CHECK(!s.down.has_value());
    FUZZ_CHECK(s.up->begin == 0 && s.up->end == text.size());
  }
  if (s.down) {
    FUZZ_CHECK(s.down->begin <= s.down->end && s.down->end <= text.size());
    // The two sections do not overlap.
    FUZZ_CHECK(s.up->end <= s.down->begin || s.down->end <= s.up->begin);
  }
  // A no-transaction part must say so somewhere in the file.
  if (s.up->no_transaction || (s.down && s.down->no_transaction)) {
    FUZZ_CHECK(text.find("strata:") != std::string::npos || text.find("transaction:false") != std::string::npos);
  }
  return 0;
}
