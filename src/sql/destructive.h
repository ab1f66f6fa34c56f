// Finds the statements of a migration that destroy data (DROP TABLE, DROP COLUMN, TRUNCATE, DELETE
// without WHERE, DROP SCHEMA ... CASCADE) and the tables it names, without a database. The data
// guard counts the rows these statements would hit; `up --verify-data` hashes the tables not named.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sql/mysql_split.h"
#include "strata/status.h"

namespace strata::sql {

// kRenameTable destroys nothing; it is listed in the same statement order so that the data guard
// can follow a table to its new name (`ALTER TABLE t RENAME TO old_t; DROP TABLE old_t;`).
enum class DestructiveKind { kDropTable, kDropColumn, kTruncate, kDeleteAll, kDropSchemaCascade, kRenameTable };

// "DROP TABLE", "DROP COLUMN", "TRUNCATE", "DELETE without WHERE", "DROP SCHEMA ... CASCADE",
// "RENAME".
const char* DestructiveKindName(DestructiveKind kind);

// One table (or, for kDropSchemaCascade, one schema) that a statement destroys data in.
struct Destructive {
  DestructiveKind kind = DestructiveKind::kDropTable;
  // As written, without quotes (PostgreSQL: unquoted names folded to lower case, as the server
  // does; SQLite: case kept); empty when the name is not qualified.
  std::string schema;
  std::string table;       // the table hit; empty for kDropSchemaCascade (and SQLite's table "")
  std::string column;      // kDropColumn only
  std::size_t offset = 0;  // byte offset of the statement's first token in the analyzed text
  std::string statement;   // the statement's text, without leading comments, trailing space or ';'
  // kDropTable only: when an earlier statement of the same text copied this table's rows into
  // another table (`INSERT INTO x ... SELECT ... FROM t`, also `CREATE TABLE x AS SELECT ... FROM
  // t` and PostgreSQL's `SELECT ... INTO x FROM t`), that table's name, as written; else empty.
  // This is the table-rebuild pattern, which moves data rather than destroying it. The latest
  // such copy wins.
  std::string copied_into;
  std::string renamed_to;  // kRenameTable only: the new name, as written
  bool cascade = false;    // kTruncate only: TRUNCATE ... CASCADE (PostgreSQL), which empties
                           // every table that references it, too
};

struct Analysis {
  // In statement order; one entry per table hit (`DROP TABLE a, b` gives two).
  std::vector<Destructive> destructive;
  // Every table or view name the SQL mentions (FROM, JOIN, INSERT INTO, UPDATE, ALTER TABLE, CREATE
  // TABLE, REFERENCES, DROP, RENAME TO, ...), deduplicated and sorted. Errs on the side of
  // including too much, never too little: a name here is only not hashed by --verify-data.
  // SQLite: every name in a table's place (after FROM, JOIN, INTO, UPDATE, TABLE, REFERENCES,
  //   VIEW, ON, EXISTS, TO, and in FROM lists), lower-cased since SQLite compares names that way;
  //   `ON` also catches some join aliases, which only means a table less is watched.
  // PostgreSQL: every relation in the parse tree, unquoted names lower-cased, quoted ones as
  //   written; `s.t` contributes both "s.t" and "t". Bodies of DO blocks and CREATE FUNCTION
  //   contribute every word in them, since they are not parsed.
  std::vector<std::string> referenced;
};

// Analyzes SQLite SQL: statements are found by sqlite3_complete (see sqlite_split.h) and each is
// classified by its tokens (sqlite_lexer.h). Statements inside CREATE TRIGGER bodies and EXPLAIN
// are not destructive (they do not run now). Never fails; an empty or comment-only text gives an empty
// Analysis. Thread-safe.
Result<Analysis> AnalyzeSqlite(std::string_view sql);

// Analyzes PostgreSQL SQL with libpg_query's parser (PostgreSQL 15 grammar). DELETEs in
// data-modifying CTEs and EXPLAIN ANALYZE count; those in rules, PREPARE, plain EXPLAIN and
// function bodies do not. Statements that run inside DO blocks, functions, procedures or EXECUTE
// are not seen.
// kInvalidArgument with Status::sql_offset at the parser's error position when the text does not
// parse, or (at the bad byte) when a name is not valid UTF-8. The text ends at its first NUL byte,
// as for the server. An empty or comment-only text gives an empty Analysis. Thread-safe.
Result<Analysis> AnalyzePostgres(std::string_view sql);

// Analyzes MariaDB/MySQL SQL: statements are found by SplitMysql (with `quoting`, the session's),
// and each is classified by its tokens, like SQLite's, with MariaDB's own forms: `DROP TABLE a, b`,
// `TRUNCATE [TABLE] t`, `ALTER TABLE t DROP [COLUMN] c` (DROP INDEX, KEY, PRIMARY KEY, FOREIGN KEY,
// CHECK, CONSTRAINT and PARTITION drop no column), `ALTER TABLE t RENAME [TO|AS] u`, `RENAME TABLE
// a TO b, ...` and `DELETE [LOW_PRIORITY] [QUICK] [IGNORE] FROM t` without WHERE. Names as
// written, unquoted, case kept. Not seen: DROP TEMPORARY TABLE (no table of the schema), DROP
// DATABASE, ALTER TABLE ... DROP PARTITION, multi-table DELETE, and statements inside routines,
// triggers and events. kInvalidArgument with Status::sql_offset where SplitMysql fails.
Result<Analysis> AnalyzeMysql(std::string_view sql, MysqlQuoting quoting = {});

}  // namespace strata::sql
