// Finds statement boundaries in SQLite SQL without a database, using SQLite's own
// sqlite3_complete(), so comments, strings, quoted names and trigger bodies are handled the way
// the engine handles them. Used for dry runs, plans and error display; execution itself uses
// sqlite3_prepare_v2 with its tail.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::sql {

struct StatementSpan {
  std::size_t begin = 0;  // first byte of the statement's first token
  std::size_t end = 0;    // one past the terminating ';' (or the end of the text)
};

// Splits `text` into statements. Leading comments and whitespace are not part of a span;
// a comment-only remainder produces no span. An unterminated last statement (no ';') becomes a
// span of its own. Never fails.
std::vector<StatementSpan> SplitSqlite(std::string_view text);

// The statement's first keyword, upper-cased ("BEGIN", "CREATE", ...), empty if none.
std::string_view FirstKeyword(std::string_view statement, char (&buffer)[16]);

// kInvalidArgument with Status::sql_offset at the first NUL byte of `text`, if it has one. The
// engines read SQL as C strings and silently stop at a NUL, so text containing one can never be
// executed in full: every path that hands SQL to an engine or analyzes it calls this first.
Status RejectNul(std::string_view text);

// True for statements that start, end or abandon a transaction (BEGIN, START TRANSACTION, COMMIT,
// END, ABORT, ROLLBACK without TO), in SQLite's and PostgreSQL's dialects. These cannot run inside the transaction strata wraps around a migration.
bool IsTransactionControl(std::string_view statement);

}  // namespace strata::sql
