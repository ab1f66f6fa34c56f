// What strata needs to know about one SQL statement whatever the dialect: where it is in its file,
// whether its text can reach an engine at all, and whether it starts or ends a transaction.
// Splitting into statements is per dialect (sqlite_split.h, pg_split.h).
#pragma once

#include <cstddef>
#include <string_view>

#include "strata/status.h"

namespace strata::sql {

struct StatementSpan {
  std::size_t begin = 0;  // first byte of the statement's first token
  std::size_t end = 0;    // one past its last byte: SQLite, its ';' (or the end of the text);
                          // PostgreSQL, before the ';', trailing whitespace trimmed
};

// kInvalidArgument with Status::sql_offset at the first NUL byte of `text`, if it has one. The
// engines read SQL as C strings and silently stop at a NUL, so text containing one can never be
// executed in full: every path that hands SQL to an engine or analyzes it calls this first.
Status RejectNul(std::string_view text);

// The statement's first keyword, upper-cased ("BEGIN", "CREATE", ...) in `buffer`: the ASCII
// letters at its start, after whitespace and comments, at most sizeof buffer of them. Empty if
// the statement does not start with a letter.
std::string_view FirstKeyword(std::string_view statement, char (&buffer)[16]);

// True for statements that start, end or abandon a transaction (BEGIN, START TRANSACTION, COMMIT,
// END, ABORT, ROLLBACK without TO), in SQLite's and PostgreSQL's dialects. These cannot run inside
// the transaction strata wraps around a migration. Comments between the words are skipped by
// SQLite's rules (a PostgreSQL comment nested in another is not followed).
bool IsTransactionControl(std::string_view statement);

}  // namespace strata::sql
