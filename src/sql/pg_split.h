// Statement boundaries in PostgreSQL SQL, found by PostgreSQL's own parser (libpg_query's
// pg_query_split_with_parser, PostgreSQL 15 grammar): dollar-quoted bodies, DO blocks, BEGIN ATOMIC,
// nested comments and E'' strings are handled by the real grammar, never by a hand-written scan.
#pragma once

#include <string_view>
#include <vector>

#include "sql/statement.h"
#include "strata/status.h"

namespace strata::sql {

// Splits `text` into statements (spans exclude leading comments/whitespace and the ';').
// kInvalidArgument with Status::sql_offset at the parser's error position when the text does not
// parse; the message says how to send such a file unsplit (-- strata:no-split).
Result<std::vector<StatementSpan>> SplitPostgres(std::string_view text);

// The first byte at or after `i` (before `end`) that is not whitespace or a comment; PostgreSQL's
// block comments nest.
std::size_t SkipPgSpaceAndComments(std::string_view text, std::size_t i, std::size_t end);

// Byte offset of the 1-based character position `pos` (as PostgreSQL reports error positions)
// within `text`, which is UTF-8.
std::size_t CharPositionToOffset(std::string_view text, int pos);

}  // namespace strata::sql
