#include "sql/sqlite_split.h"

#include <sqlite3.h>

#include <cctype>
#include <string>

#include "sql/sqlite_lexer.h"

namespace strata::sql {

std::vector<StatementSpan> SplitSqlite(std::string_view text) {
  std::vector<StatementSpan> spans;
  std::string buffer;  // sqlite3_complete needs a NUL-terminated prefix
  std::size_t start = SkipSpaceAndComments(text, 0);
  std::size_t pos = start;
  while (start < text.size()) {
    std::size_t semi = text.find(';', pos);
    if (semi == std::string_view::npos) {
      spans.push_back({start, text.size()});
      break;
    }
    buffer.assign(text.substr(start, semi + 1 - start));
    if (sqlite3_complete(buffer.c_str())) {
      spans.push_back({start, semi + 1});
      start = SkipSpaceAndComments(text, semi + 1);
      pos = start;
    } else {
      pos = semi + 1;
    }
  }
  return spans;
}

std::string_view FirstKeyword(std::string_view statement, char (&buffer)[16]) {
  std::size_t i = SkipSpaceAndComments(statement, 0);
  std::size_t n = 0;
  while (i < statement.size() && n < sizeof buffer &&
         std::isalpha(static_cast<unsigned char>(statement[i]))) {
    buffer[n++] = static_cast<char>(std::toupper(static_cast<unsigned char>(statement[i++])));
  }
  return std::string_view(buffer, n);
}

Status RejectNul(std::string_view text) {
  std::size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument,
                "NUL byte in the SQL text: the database engine would silently ignore everything after it")
      .WithSqlOffset(nul);
}

bool IsTransactionControl(std::string_view statement) {
  char buf[16];
  std::string_view kw = FirstKeyword(statement, buf);
  if (kw == "BEGIN" || kw == "START" || kw == "COMMIT" || kw == "END" || kw == "ABORT") return true;
  if (kw != "ROLLBACK") return false;
  // ROLLBACK [TRANSACTION] TO [SAVEPOINT] name only undoes to a savepoint: that is fine.
  std::size_t i = SkipSpaceAndComments(statement, 0) + 8;
  char next[16];
  std::string_view w = FirstKeyword(statement.substr(i), next);
  if (w == "TRANSACTION") {
    i = SkipSpaceAndComments(statement, i) + 11;
    w = FirstKeyword(statement.substr(i), next);
  }
  return w != "TO";
}

}  // namespace strata::sql
