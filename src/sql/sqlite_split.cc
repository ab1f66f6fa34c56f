#include "sql/sqlite_split.h"

#include <sqlite3.h>

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

}  // namespace strata::sql
