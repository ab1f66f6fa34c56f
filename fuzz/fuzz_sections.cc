// Fuzzes strata::source::SplitSections. The first byte chooses `sectioned`; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.h"
#include "fuzz_common.h"
#include "source/sections.h"

namespace {

// True when some comment line spells a marker or directive in another way than exactly: the
// same word in another case, '_' for '-', or blanks around the ':' ("-- Migrate : Down"). Such a
// file must be refused. Written independently of sections.cc, from the documented rule.
bool HasNearMiss(std::string_view text) {
  static const std::string_view kMarkers[] = {"up", "down"};
  static const std::string_view kDirectives[] = {"no-transaction", "no-split", "allow-data-loss"};
  constexpr std::string_view kBlanks = " \t\r\f\v";
  auto lower = [](std::string_view s, bool dashes) {
    std::string out;
    for (char c : s) out += dashes && c == '_' ? '-' : (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    return out;
  };
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    std::string_view t = strata::base::Trim(line);
    if (!t.starts_with("--")) continue;
    std::string_view body = strata::base::Trim(t.substr(2));
    std::size_t colon = body.find(':');
    if (colon == std::string_view::npos) continue;
    std::string head = lower(strata::base::Trim(body.substr(0, colon)), false);
    std::string_view word = strata::base::Trim(body.substr(colon + 1));
    if (word.empty() || word.find_first_of(kBlanks) != std::string_view::npos) continue;
    std::string folded = lower(word, true);
    auto near = [&](std::string_view prefix, const auto& known) {
      for (std::string_view k : known) {
        if (head == prefix && folded == k && body != std::string(prefix) + ":" + std::string(k)) return true;
      }
      return false;
    };
    if (near("migrate", kMarkers) || near("strata", kDirectives)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::source;
  if (size == 0) return 0;
  const bool sectioned = (data[0] & 1) != 0;
  // A copy with exactly the text's size, so that ASan catches any read past its end.
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

  auto result = SplitSections(text, sectioned);
  // The engines read SQL as C strings: a NUL anywhere is refused, located at the first one.
  if (std::size_t nul = text.find('\0'); nul != std::string::npos) {
    FUZZ_CHECK(!result.ok());
    FUZZ_CHECK(result.status().sql_offset() == nul);
  }
  // Markers and directives are case-sensitive; a near-miss is never read as a comment.
  if (HasNearMiss(text)) FUZZ_CHECK(!result.ok());
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
