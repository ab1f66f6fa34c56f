// Fuzzes strata::sql::SplitSqlite and SqliteStatementAt (statement boundaries via
// sqlite3_complete), IsTransactionControl / FirstKeyword on each statement, and the SQLite lexer
// (sqlite_lexer.h) on the whole text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "sql/sqlite_lexer.h"
#include "sql/sqlite_split.h"
#include "sql/statement.h"

namespace {

// Tokens are non-empty, in order, within the text, with only whitespace and comments around them;
// an unterminated one is a quoted kind and the last token.
void CheckTokens(const std::string& text) {
  using strata::sql::SqliteTokenKind;
  const auto tokens = strata::sql::TokenizeSqlite(text);
  std::size_t prev_end = 0;
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const strata::sql::SqliteToken& t = tokens[k];
    FUZZ_CHECK(t.begin < t.end && t.end <= text.size());
    FUZZ_CHECK(strata::sql::SkipSpaceAndComments(text, prev_end) == t.begin);
    if (t.unterminated) {
      FUZZ_CHECK(t.kind == SqliteTokenKind::kString || t.kind == SqliteTokenKind::kQuotedName ||
                 t.kind == SqliteTokenKind::kBlob);
      FUZZ_CHECK(k + 1 == tokens.size() && t.end == text.size());
    }
    prev_end = t.end;
  }
  FUZZ_CHECK(strata::sql::SkipSpaceAndComments(text, prev_end) == text.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::sql;
  // The splitter re-checks each growing prefix with sqlite3_complete: O(n^2) by design.
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);

  CheckTokens(text);
  const std::size_t first = SkipSpaceAndComments(text);
  FUZZ_CHECK(first <= text.size());

  auto spans = SplitSqlite(text);
  std::size_t prev_end = 0;
  for (std::size_t k = 0; k < spans.size(); ++k) {
    const StatementSpan& s = spans[k];
    // Increasing, non-overlapping, non-empty, within bounds.
    FUZZ_CHECK(s.begin < s.end);
    FUZZ_CHECK(s.end <= text.size());
    FUZZ_CHECK(s.begin >= prev_end);
    if (k == 0) FUZZ_CHECK(s.begin == first);
    // Only whitespace and comments between two statements.
    FUZZ_CHECK(SkipSpaceAndComments(text, prev_end) == s.begin);
    const StatementSpan at = SqliteStatementAt(text, prev_end);
    FUZZ_CHECK(at.begin == s.begin && at.end == s.end);
    // A span ends at its ';' unless it is the unterminated last one.
    FUZZ_CHECK(text[s.end - 1] == ';' || (k + 1 == spans.size() && s.end == text.size()));
    prev_end = s.end;

    std::string_view stmt = std::string_view(text).substr(s.begin, s.end - s.begin);
    // A copy of exactly the statement, so that reads past its end are caught by ASan.
    const std::string copy(stmt);
    bool tc = IsTransactionControl(copy);
    char buf[16];
    std::string_view kw = FirstKeyword(copy, buf);
    FUZZ_CHECK(kw.size() <= sizeof buf);
    for (char c : kw) FUZZ_CHECK(c >= 'A' && c <= 'Z');
    // Transaction control starts with a keyword (BEGIN, COMMIT, ROLLBACK, ...); DDL/DML never is.
    if (tc) FUZZ_CHECK(!kw.empty());
    if (kw == "CREATE" || kw == "INSERT" || kw == "SELECT" || kw == "DROP") FUZZ_CHECK(!tc);
  }
  // Nothing but comments and whitespace after the last statement.
  if (spans.empty()) {
    FUZZ_CHECK(first == text.size());
  } else {
    FUZZ_CHECK(SkipSpaceAndComments(text, prev_end) == text.size());
  }
  return 0;
}
