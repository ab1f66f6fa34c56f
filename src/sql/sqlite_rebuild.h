// The ALTER TABLE forms that SQLite lacks, written the PostgreSQL way (ADD/DROP CONSTRAINT, ALTER
// COLUMN, a DROP COLUMN that SQLite refuses), found in a SQLite migration and turned into the
// statements of SQLite's table rebuild (sqlite.org/lang_altertable.html, "Making Other Kinds Of
// Table Schema Changes"). Pure text, no database: the engine reads the live table and gives it here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::sql::rebuild {

enum class AlterKind {
  kAddColumn,       // only inside a statement with several commands (SQLite adds a lone one itself)
  kAddConstraint,   // FOREIGN KEY, UNIQUE or CHECK
  kDropConstraint,  // a table constraint, or a named column constraint
  kSetType,         // ALTER COLUMN c [SET DATA] TYPE t [USING expr]
  kSetNotNull,
  kDropNotNull,
  kSetDefault,
  kDropDefault,
  kDropColumn,  // also drops the indexes and table constraints that use the column, as PostgreSQL does
};

enum class ConstraintKind { kForeignKey, kUnique, kCheck };

struct AlterCommand {
  AlterKind kind = AlterKind::kAddConstraint;
  std::string column;      // the column named by ALTER COLUMN / DROP COLUMN
  std::string name;        // ADD / DROP CONSTRAINT's name; empty for an unnamed ADD
  bool if_exists = false;  // DROP CONSTRAINT IF EXISTS, DROP COLUMN IF EXISTS
  // As written in the migration: kAddColumn the column definition, kAddConstraint the table
  // constraint (with its CONSTRAINT name), kSetType the type, kSetDefault the expression.
  std::string text;
  std::string using_expr;  // kSetType ... USING expr; empty when none
  ConstraintKind constraint = ConstraintKind::kCheck;  // kAddConstraint only
  std::vector<std::string> columns;                    // UNIQUE / FOREIGN KEY columns
  std::string check;                                   // CHECK's expression, as written
};

struct AlterStatement {
  std::size_t begin = 0;  // the statement's span in the analyzed text (no trailing ';')
  std::size_t end = 0;
  std::string table;  // dequoted
  std::vector<AlterCommand> commands;
  // A lone `DROP [COLUMN] c`, which SQLite runs itself unless the column is indexed or in a
  // constraint; the engine decides against the live table (NeedsRebuildToDrop).
  bool maybe_native = false;
};

// The statements of SQLite migration text that strata rewrites into a rebuild: `ALTER TABLE t`
// followed by ADD CONSTRAINT / ADD FOREIGN KEY / ADD UNIQUE / ADD CHECK, DROP CONSTRAINT, ALTER
// [COLUMN], DROP [COLUMN], or several commands separated by commas. Other statements (RENAME, a
// lone ADD COLUMN) are left to SQLite. Each one found is parsed with libpg_query; a form strata
// cannot rewrite gives kInvalidArgument with sql_offset at it. Cheap for text without ALTER.
Result<std::vector<AlterStatement>> FindAlters(std::string_view sql);

// What the engine reads of the live table before a rebuild.
struct LiveTable {
  std::string name;
  std::string create_sql;  // its CREATE TABLE text from sqlite_schema
  struct Column {
    std::string name;
    bool generated = false;  // pragma table_xinfo hidden 2 or 3: cannot be inserted into
    bool primary_key = false;
    std::string type;
  };
  std::vector<Column> columns;  // declaration order
  // Every index, trigger and view of the schema with stored text (auto-indexes have none), in
  // sqlite_schema order; the rebuild picks the ones that depend on the table.
  struct Object {
    std::string type, name, table, sql;
  };
  std::vector<Object> objects;
  std::optional<std::int64_t> sequence;  // its sqlite_sequence row (AUTOINCREMENT), if any
};

// A query that lists the rows that break a constraint the rebuild adds, for an error message.
// It returns one row: the count and up to five row ids (rowid, or the primary key of a WITHOUT
// ROWID table) joined with ", ".
struct Diagnostic {
  std::string constraint;  // its name, or a description when it has none
  std::string what;        // "duplicate", "fail the CHECK", "NULL", ...
  std::string query;
};

struct Plan {
  std::string table;
  std::string new_table;                // the temporary name of the new table
  std::vector<std::string> statements;  // in order, each without ';'
  std::size_t copy_index = 0;           // statements[copy_index] copies the rows
  std::vector<Diagnostic> diagnostics;  // run when the copy fails
  std::string create_sql;               // the new table's CREATE text (under new_table)
};

// The rebuild of `table` with `commands` applied in order: CREATE TABLE new, INSERT INTO new
// SELECT ... FROM table (keeping rowids), DROP of the views and triggers of other tables that
// mention the table, DROP TABLE, ALTER TABLE new RENAME TO table, then the indexes, triggers and
// views again, and sqlite_sequence. kInvalidArgument when a command does not apply (no such
// column or constraint, a column dropped twice...), naming it.
Result<Plan> PlanRebuild(const LiveTable& table, const std::vector<AlterCommand>& commands);

// True when SQLite's own ALTER TABLE DROP COLUMN would refuse to drop `column` from `table` (it
// is in the primary key, a UNIQUE, CHECK or FOREIGN KEY constraint, an index or a partial
// index's WHERE), so a rebuild must do it.
bool NeedsRebuildToDrop(const LiveTable& table, std::string_view column);

// The name of foreign key `fkid` (as PRAGMA foreign_key_list and foreign_key_check number them:
// 0 is the last one declared) in CREATE TABLE text; empty when it has none or the text does not
// parse.
std::string ForeignKeyName(std::string_view create_sql, std::int64_t fkid);

}  // namespace strata::sql::rebuild
