#include "sql/sqlite_split.h"

#include <sqlite3.h>

#include <string>

#include "sql/sqlite_lexer.h"

namespace strata::sql {

StatementSpan SqliteStatementAt(std::string_view text, std::size_t from) {
  const std::size_t start = SkipSpaceAndComments(text, from);
  if (start >= text.size()) return {text.size(), text.size()};
  std::string buffer;  // sqlite3_complete needs a NUL-terminated prefix
  for (std::size_t pos = start;;) {
    std::size_t semi = text.find(';', pos);
    if (semi == std::string_view::npos) return {start, text.size()};
    buffer.assign(text.substr(start, semi + 1 - start));
    if (sqlite3_complete(buffer.c_str())) return {start, semi + 1};
    pos = semi + 1;
  }
}

std::vector<StatementSpan> SplitSqlite(std::string_view text) {
  std::vector<StatementSpan> spans;
  for (StatementSpan s = SqliteStatementAt(text, 0); s.begin < s.end; s = SqliteStatementAt(text, s.end)) {
    spans.push_back(s);
  }
  return spans;
}

}  // namespace strata::sql
