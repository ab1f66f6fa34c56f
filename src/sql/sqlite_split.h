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

}  // namespace strata::sql
