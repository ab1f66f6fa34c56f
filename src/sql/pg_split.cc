#include "sql/pg_split.h"

#include <string>

#include "sql/pg_query_api.h"

namespace strata::sql {

// Like SkipSpaceAndComments (sqlite_lexer.h), but PostgreSQL block comments nest.
std::size_t SkipPgSpaceAndComments(std::string_view text, std::size_t i, std::size_t end) {
  while (i < end) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '-' && i + 1 < end && text[i + 1] == '-') {
      // PostgreSQL's scanner ends a line comment at a carriage return too (scan.l: newline [\n\r]).
      std::size_t nl = text.find_first_of("\n\r", i);
      i = nl == std::string_view::npos || nl > end ? end : nl + 1;
    } else if (c == '/' && i + 1 < end && text[i + 1] == '*') {
      int depth = 1;
      i += 2;
      while (i < end && depth > 0) {
        if (text[i] == '/' && i + 1 < end && text[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (text[i] == '*' && i + 1 < end && text[i + 1] == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
    } else {
      break;
    }
  }
  return i;
}

namespace {


}  // namespace

std::size_t CharPositionToOffset(std::string_view text, int pos) {
  std::size_t offset = 0;
  for (int chars = 1; chars < pos && offset < text.size(); ++chars) {
    ++offset;
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) ++offset;
  }
  return offset;
}

Result<std::vector<StatementSpan>> SplitPostgres(std::string_view text) {
  STRATA_RETURN_IF_ERROR(RejectNul(text));
  STRATA_ASSIGN_OR_RETURN(const PgQueryApi* api, LoadPgQuery());
  std::string input(text);  // libpg_query needs a NUL-terminated string
  PgQuerySplitResult r = api->split_with_parser(input.c_str());
  std::vector<StatementSpan> spans;
  Status error;
  if (r.error) {
    std::size_t offset = r.error->cursorpos > 0 ? CharPositionToOffset(text, r.error->cursorpos) : 0;
    error = Status(ErrorCode::kInvalidArgument,
                   std::string(r.error->message ? r.error->message : "syntax error") +
                       " (strata splits PostgreSQL migrations with the PostgreSQL 15 grammar; if this is valid "
                       "newer syntax, add `-- strata:no-split` to the migration's header to send it to the "
                       "server in one piece)")
                .WithSqlOffset(offset);
  } else {
    for (int i = 0; i < r.n_stmts; ++i) {
      std::size_t begin = static_cast<std::size_t>(r.stmts[i]->stmt_location);
      std::size_t len = static_cast<std::size_t>(r.stmts[i]->stmt_len);
      std::size_t end = len == 0 ? text.size() : begin + len;  // 0: to the end of the input
      if (begin > text.size() || end > text.size()) continue;
      begin = SkipPgSpaceAndComments(text, begin, end);
      while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' ||
                             text[end - 1] == '\r')) {
        --end;
      }
      if (begin < end) spans.push_back({begin, end});
    }
  }
  api->free_split_result(r);
  if (!error.ok()) return error;
  return spans;
}

}  // namespace strata::sql
