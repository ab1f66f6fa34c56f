#include "sql/statement.h"

#include <cctype>

#include "sql/sqlite_lexer.h"

namespace strata::sql {

Status RejectNul(std::string_view text) {
  std::size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument,
                "NUL byte in the SQL text: the database engine would silently ignore everything after it")
      .WithSqlOffset(nul);
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
