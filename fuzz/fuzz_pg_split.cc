// Fuzzes strata::sql::SplitPostgres (statement boundaries from libpg_query's parser, then trimmed
// of comments and whitespace by strata) and CharPositionToOffset.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "sql/pg_split.h"
#include "sql/statement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::sql;
  if (size > 32 * 1024) return 0;
  // A copy of exactly the input's size, so that ASan catches any read past its end.
  const std::string text(reinterpret_cast<const char*>(data), size);

  // Character positions map to offsets within the text, monotonically.
  FUZZ_CHECK(CharPositionToOffset(text, -1) == 0 && CharPositionToOffset(text, 0) == 0);
  std::size_t prev = 0;
  for (int pos = 1; pos <= 64 && static_cast<std::size_t>(pos) <= size + 1; ++pos) {
    std::size_t off = CharPositionToOffset(text, pos);
    FUZZ_CHECK(off <= text.size() && off >= prev);
    prev = off;
  }

  auto result = SplitPostgres(text);
  // A NUL byte is refused where it is: libpg_query would stop reading there.
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos) {
    FUZZ_CHECK(!result.ok() && result.status().sql_offset() == nul);
    FUZZ_CHECK(RejectNul(text).sql_offset() == nul);
    return 0;
  }
  FUZZ_CHECK(RejectNul(text).ok());
  if (!result.ok()) {
    FUZZ_CHECK(result.status().code() == strata::ErrorCode::kInvalidArgument);
    auto offset = result.status().sql_offset();
    FUZZ_CHECK(offset.has_value() && *offset <= text.size());
    return 0;
  }
  std::size_t prev_end = 0;
  for (const StatementSpan& s : *result) {
    // Non-empty, increasing, non-overlapping, within bounds.
    FUZZ_CHECK(s.begin < s.end);
    FUZZ_CHECK(s.end <= text.size());
    FUZZ_CHECK(s.begin >= prev_end);
    prev_end = s.end;
    // Trimmed: no trailing whitespace.
    char last = text[s.end - 1];
    FUZZ_CHECK(last != ' ' && last != '\n' && last != '\t' && last != '\r');
    const std::string stmt = text.substr(s.begin, s.end - s.begin);
    (void)IsTransactionControl(stmt);
  }
  return 0;
}
