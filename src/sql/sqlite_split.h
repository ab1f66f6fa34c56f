// Finds statement boundaries in SQLite SQL without a database, using SQLite's own
// sqlite3_complete(), so comments, strings, quoted names and trigger bodies are handled the way
// the engine handles them. Used for dry runs, plans and error display; execution itself uses
// sqlite3_prepare_v2 with its tail.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "sql/statement.h"

namespace strata::sql {

// Splits `text` into statements. Leading comments and whitespace are not part of a span;
// a comment-only remainder produces no span. An unterminated last statement (no ';') becomes a
// span of its own. Never fails.
std::vector<StatementSpan> SplitSqlite(std::string_view text);

// The statement that starts at the first token at or after `from`, exactly as SplitSqlite would
// give it, found without splitting the rest of the text (for the statement a failing prepare
// points into). An empty span at text.size() when only whitespace and comments remain. Never fails.
StatementSpan SqliteStatementAt(std::string_view text, std::size_t from);

}  // namespace strata::sql
