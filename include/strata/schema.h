// A database schema as strata sees it: filled from the engine's catalog by each driver, rendered as
// a normalized DDL dump, compared object by object, and drawn as an entity-relationship diagram.
// Standard types only. Every list is kept sorted (see Normalize) so that two databases with the
// same schema produce equal models whatever order their objects were created in; the one exception
// is a table's columns, whose order is part of the schema (SELECT *, INSERT without a column list).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::schema {

struct Column {
  std::string name;
  std::string type;                          // as the engine reports it: "INTEGER", "character varying(40)"
  bool not_null = false;
  // The expression text; nullopt when there is none. SQLite: as PRAGMA table_info gives it (a
  // parenthesized default without its parentheses: Dump adds them back unless it is a literal).
  // Left empty for a generated column, whose expression is `generated`.
  std::optional<std::string> default_value;
  // Empty: the engine's default for the type. PostgreSQL: as pg_dump writes it (quote_ident, and
  // schema-qualified when not on the search_path); SQLite: the bare name ("NOCASE").
  std::string collation;
  std::string generated;                     // generation expression; empty for an ordinary column
  bool generated_stored = false;             // STORED (true) or VIRTUAL (false)
  std::string identity;                      // PostgreSQL: "ALWAYS" / "BY DEFAULT"; MariaDB: "AUTO_INCREMENT"; empty otherwise
};

struct PrimaryKey {
  std::string name;  // constraint name; empty when the engine gives none (SQLite) or it is the default
  std::vector<std::string> columns;
  bool autoincrement = false;  // SQLite AUTOINCREMENT
};

struct UniqueConstraint {
  std::string name;
  std::vector<std::string> columns;
};

struct CheckConstraint {
  std::string name;        // empty when unnamed
  std::string expression;  // without the CHECK keyword and outer parentheses
};

struct ForeignKey {
  std::string name;  // empty when unnamed (SQLite)
  std::vector<std::string> columns;
  std::string ref_schema;  // empty on SQLite
  std::string ref_table;
  std::vector<std::string> ref_columns;  // empty: the referenced table's primary key (SQLite)
  std::string on_delete = "NO ACTION";   // NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT
  std::string on_update = "NO ACTION";
  bool deferrable = false;
  bool initially_deferred = false;
};

struct Table {
  std::string schema;  // empty on SQLite ("main")
  std::string name;
  std::vector<Column> columns;  // in the table's column order
  std::optional<PrimaryKey> primary_key;
  std::vector<UniqueConstraint> uniques;
  std::vector<CheckConstraint> checks;
  std::vector<ForeignKey> foreign_keys;
  bool without_rowid = false;  // SQLite
  bool strict = false;         // SQLite
};

struct Index {
  std::string schema;
  std::string name;
  std::string table;
  bool unique = false;
  // Each key part: a quoted column name or an expression, with any COLLATE / DESC suffix (SQL,
  // emitted verbatim).
  std::vector<std::string> keys;
  std::string where;   // partial index predicate; empty when none
  std::string method;  // PostgreSQL access method ("btree", "gin", ...); empty on SQLite
  std::vector<std::string> include;  // PostgreSQL INCLUDE columns: bare names (Dump quotes them)
};

// SQLite virtual tables (FTS5, R*Tree, ...): described by their CREATE VIRTUAL TABLE statement;
// the shadow tables that hold their data are left out.
struct VirtualTable {
  std::string schema;
  std::string name;
  std::string definition;  // the whole statement, whitespace-normalized
};

struct View {
  std::string schema;
  std::string name;
  std::string definition;  // the SELECT, whitespace-normalized (a final ';' is ignored)
  bool materialized = false;
};

struct Trigger {
  std::string schema;
  std::string name;
  std::string table;
  std::string definition;  // the whole CREATE TRIGGER statement, whitespace-normalized
};

struct Sequence {  // PostgreSQL; sequences owned by identity columns are not listed
  std::string schema;
  std::string name;
  std::string type = "bigint";
  // All as pg_sequence holds them; Dump writes each as is (a max_value of 0 means 0, not "none").
  std::int64_t start = 1, increment = 1, min_value = 1, max_value = 0, cache = 1;
  bool cycle = false;
  // "table.column" for SERIAL sequences (the table is in the sequence's schema, as PostgreSQL
  // requires; the column is what follows the last '.'); empty otherwise.
  std::string owned_by;
};

struct EnumType {  // PostgreSQL
  std::string schema;
  std::string name;
  std::vector<std::string> labels;  // in the type's sort order (not alphabetical)
};

struct Extension {  // PostgreSQL (plpgsql, always there, is left out)
  std::string name;
  std::string schema;  // where its objects live
};

struct Domain {  // PostgreSQL
  std::string schema;
  std::string name;
  std::string type;  // the base type, format_type
  bool not_null = false;
  std::optional<std::string> default_value;
  std::vector<CheckConstraint> checks;
};

struct Function {  // PostgreSQL functions and procedures
  std::string schema;
  std::string name;
  std::string arguments;   // pg_get_function_identity_arguments, e.g. "a integer, b text"
  std::string definition;  // pg_get_functiondef (a final ';' and trailing whitespace are ignored)
};

struct Schema {
  std::string dialect;               // "sqlite", "postgres" or "mariadb" (rendered like "sqlite")
  std::vector<std::string> schemas;  // PostgreSQL: the schemas described (besides "public")
  std::vector<Table> tables;
  std::vector<VirtualTable> virtual_tables;  // SQLite
  std::vector<Index> indexes;        // not those that back a primary key or unique constraint
  std::vector<View> views;
  std::vector<Trigger> triggers;
  std::vector<Sequence> sequences;
  std::vector<EnumType> enums;
  std::vector<Function> functions;
  std::vector<Extension> extensions;
  std::vector<Domain> domains;
};

// Sorts every list (objects by schema then name; a table's constraints and foreign keys by a
// stable key; never a table's columns or an enum's labels) so that equal schemas compare equal.
void Normalize(Schema& schema);

// The normalized DDL text of `schema` in its own dialect: a header comment, then schemas,
// extensions, enum types, domains, sequences, functions, tables, indexes, views and triggers, each kind sorted by name
// (views after the views they mention). On PostgreSQL foreign keys and OWNED BY follow all the
// tables, and "SET check_function_bodies = false;" precedes functions, as in pg_dump.
// Loading it into an empty database of the same engine and dumping again gives the same text.
std::string Dump(const Schema& schema);

// Dump's statements, without their ';', split where loading rows belongs: `before_data` creates
// what rows go into (types, sequences, functions, tables; SQLite's foreign keys inline), and
// `after_data` the rest (PostgreSQL's foreign keys, indexes, views, triggers), so that rows loaded
// in between fire no trigger and fill materialized views and indexes once.
// `session_begin` and `session_end` set the session up for the rest and put it back as it was:
// MariaDB reads the dump's "names" as names only under ANSI_QUOTES, and takes a table whose foreign
// key names a table created later only with foreign_key_checks off (empty on the other engines).
struct DumpParts {
  std::vector<std::string> session_begin, before_data, after_data, session_end;
};
DumpParts DumpStatements(const Schema& schema);
// One statement of DumpStatements in a script of `schema`'s dialect, from a new line to the end of
// its line: "statement;", or on MariaDB, for a statement that holds ';' (a trigger's BEGIN ... END),
// between DELIMITER lines, which the mariadb client and strata both read.
std::string ScriptStatement(const Schema& schema, const std::string& statement);

// What `schema` means on every engine, to compare a SQLite database with a PostgreSQL one: tables
// (without their schema) and their columns (name, and NOT NULL, which a primary key implies; no type,
// default or collation), primary keys, unique constraints and foreign keys (columns, referenced table
// and columns, ON DELETE / ON UPDATE; no constraint names, which SQLite mostly lacks), and indexes
// (name, table, unique, keys without quotes; no predicate or method). Checks, views, triggers,
// functions, sequences and types are left out: their text is each engine's own.
Schema Structure(const Schema& schema);

// One difference between two schemas, object by object.
struct Change {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  std::string object;  // e.g. `table "users"`, `column "users"."email"`, `index "idx_users_email"`
  std::string before;  // the object's DDL in A (empty when added)
  std::string after;   // the object's DDL in B (empty when removed)
};

// What changes turn `a` into `b`: kinds in dump order, each sorted by name, a table's columns and
// constraints right after it. An added or removed table is one change (its parts are not listed);
// the before/after texts are the dump's fragments. Empty when the schemas are equal.
std::vector<Change> Diff(const Schema& a, const Schema& b);

// Lines like `+ column "users"."email": "email" TEXT NOT NULL` and `- index "i": CREATE INDEX ...`;
// a change is `~ <object>:` then `    - <before>` and `    + <after>`. Continuation lines of
// multi-line DDL are indented to match.
std::string FormatDiff(const std::vector<Change>& changes);

// Objects of `expected` that `actual` lacks or defines differently (Diff restricted to removed
// and changed objects: extra objects in `actual` are fine).
std::vector<Change> Missing(const Schema& expected, const Schema& actual);

// A hand-written list of objects a database must have, one per line (`#` starts a comment):
//   table users            column users.email         index idx_users_email
//   view active_users      trigger trg_audit          foreign key posts.user_id -> users
//   schema billing         sequence order_seq         enum mood           function touch
// Names may be schema-qualified (public.users); "-" and "->" are literal.
struct Expected {
  std::string kind;    // table, column, index, view, trigger, foreign key, schema, sequence, enum, function
  std::string schema;  // empty: any schema
  std::string table;   // column / foreign key: the table; otherwise empty
  std::string name;    // the object (column name; foreign key: the referencing column)
  std::string target_schema;  // foreign key: the referenced table's schema; empty: any
  std::string target;         // foreign key: the referenced table
  std::uint32_t line = 0;
};

// Parses the list format above. kInvalidArgument located at `label`:line:col (with the line and
// a caret) on the first bad line. A text that starts with "--" or "CREATE" (a schema dump or DDL)
// is not a list: callers load those into a scratch database instead (LooksLikeDdl).
Result<std::vector<Expected>> ParseExpected(std::string_view text, std::string_view label);
bool LooksLikeDdl(std::string_view text);

// One line per expected object that `actual` lacks, e.g. `missing: column users.email`.
std::vector<std::string> CheckExpected(const std::vector<Expected>& expected, const Schema& actual);

enum class GraphFormat { kMermaid, kDot };

// An entity-relationship diagram: every table with its key columns (primary and foreign key
// columns), and one edge per foreign key labelled with its columns.
std::string Graph(const Schema& schema, GraphFormat format);

}  // namespace strata::schema
