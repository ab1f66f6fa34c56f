// Reads what SQLite's pragmas do not report out of the CREATE text stored in sqlite_schema: CHECK
// constraints, generation expressions, constraint names, DEFERRABLE clauses, index key text and view
// bodies, for the SQLite driver's introspection. Pure functions, no database; tokens come from
// sqlite_lexer.h. Nothing recurses: nested parentheses are skipped through the index of their
// partner, so deep nesting costs no stack.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sql/sqlite_lexer.h"
#include "strata/status.h"

namespace strata::sql::sqlite_ddl {

using TokenKind = SqliteTokenKind;

// A token of text that Tokenize accepted (never unterminated, never kIllegal).
struct Token : SqliteToken {
  std::size_t match = 0;  // for '(' the index of its ')', for ')' the index of its '('; else 0
};

// The tokens of `sql` (NextSqliteToken's), with parentheses paired. kInvalidArgument, with
// sql_offset set, for an unterminated string, quoted name or blob, an unbalanced parenthesis, or
// a control byte outside strings: text SQLite would not have stored. Never reads outside `sql`.
Result<std::vector<Token>> Tokenize(std::string_view sql);

// `sql` with comments removed, every run of whitespace outside string literals and quoted names
// collapsed to one space, and no leading or trailing whitespace. A comment counts as whitespace.
// Never fails: an unterminated literal is copied as it is.
std::string NormalizeWhitespace(std::string_view sql);

// The canonical text of SQL that SQLite keeps as written (views, triggers, CHECK and generated
// expressions, index expressions and WHERE clauses), so that the same definition written in
// another style compares equal: comments dropped, keywords upper-case (sqlite3_keyword_check),
// function names lower-case and glued to their '(', one space between other tokens except after
// '(' and before ')' ',' ';', none around '.', multi-character operators kept whole. Other names
// and literals are kept as written. Text that does not tokenize falls back to NormalizeWhitespace.
std::string CanonicalSql(std::string_view sql);

// `expr` trimmed, without one pair of parentheses that encloses all of it: "(a + b)" -> "a + b",
// "((1))" -> "(1)", but "(a) + (b)" stays. Text that does not tokenize is only trimmed.
std::string StripEnclosingParens(std::string_view expr);

// ---- CREATE TABLE --------------------------------------------------------------------------------

struct ColumnDef {
  std::string name;       // dequoted
  std::string generated;  // the generation expression, whitespace-normalized; empty if none
  bool generated_stored = false;
};

struct CheckDef {
  std::string name;        // from CONSTRAINT name; empty when unnamed
  std::string expression;  // without CHECK and its parentheses, whitespace-normalized
};

struct UniqueDef {
  std::string name;
  std::vector<std::string> columns;  // dequoted; COLLATE / ASC / DESC dropped
};

struct ForeignKeyDef {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;
  std::vector<std::string> ref_columns;  // empty: REFERENCES t without a column list
  bool deferrable = false;               // DEFERRABLE (not NOT DEFERRABLE)
  bool initially_deferred = false;       // DEFERRABLE INITIALLY DEFERRED
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;           // in declaration order
  std::string primary_key_name;             // CONSTRAINT name PRIMARY KEY; empty otherwise
  std::vector<CheckDef> checks;             // column-level then table-level, in text order
  std::vector<UniqueDef> uniques;           // in text order, column-level included
  std::vector<ForeignKeyDef> foreign_keys;  // in text order, column-level included
  bool without_rowid = false;
  bool strict = false;
};

// Parses `CREATE [TEMP] TABLE [IF NOT EXISTS] [schema.]name (columns and constraints) [options]`
// (an optional final ';' is accepted). kInvalidArgument with sql_offset for anything else,
// including CREATE TABLE ... AS SELECT and CREATE VIRTUAL TABLE.
Result<TableDef> ParseCreateTable(std::string_view sql);

// ---- CREATE INDEX --------------------------------------------------------------------------------

struct IndexKeyDef {
  std::string expression;  // the key without COLLATE / ASC / DESC, whitespace-normalized
  bool is_name = false;    // the key is one identifier (`expression` is then its raw token text)
  std::string name;        // dequoted, when is_name
  std::string collation;   // the name after COLLATE, as written; empty when none
  bool desc = false;
};

struct IndexDef {
  bool unique = false;
  std::string name;
  std::string table;
  std::vector<IndexKeyDef> keys;
  std::string where;  // partial-index predicate, whitespace-normalized; empty when none
};

// Parses `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [schema.]name ON table (keys) [WHERE expr]`.
Result<IndexDef> ParseCreateIndex(std::string_view sql);

// ---- CREATE VIEW ---------------------------------------------------------------------------------

// The text after AS of `CREATE [TEMP] VIEW [IF NOT EXISTS] [schema.]name [(columns)] AS select`,
// whitespace-normalized.
Result<std::string> ParseViewDefinition(std::string_view sql);

}  // namespace strata::sql::sqlite_ddl
