// DDL fragment renderers shared by Dump and Diff, so that a diff shows exactly the text a dump
// holds for the object. Private to src/schema/; defined in dump.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strata/schema.h"

namespace strata::schema::internal {

// Anything but "postgres" renders as SQLite: the dump of an unknown dialect is at least loadable
// somewhere. "mariadb" renders as SQLite too, with "double-quoted" names, which MariaDB reads under
// ANSI_QUOTES (Dump sets it); its types, defaults and expressions are the server's own text.
enum class Dialect { kSqlite, kPostgres };
Dialect DialectOf(const Schema& schema);

// PostgreSQL: "schema"."name" ("name" alone when schema is empty); SQLite: "name".
std::string QualifiedName(Dialect dialect, std::string_view schema, std::string_view name);
// "a", "b": a column list without the parentheses.
std::string QuoteList(const std::vector<std::string>& names);
// Definitions the drivers give verbatim (views, functions, triggers) may end in ';' or a newline;
// the dump adds exactly one ';' itself.
std::string_view StripStatementEnd(std::string_view text);

// Fragments, without a trailing ';'.
std::string ColumnDdl(Dialect dialect, const Table& table, const Column& column);
std::string PrimaryKeyDdl(const PrimaryKey& key);
std::string UniqueDdl(const UniqueConstraint& unique);
std::string CheckDdl(const CheckConstraint& check);
std::string ForeignKeyDdl(Dialect dialect, const ForeignKey& key);
std::string TableOptionsDdl(const Table& table);  // "WITHOUT ROWID, STRICT"; empty when none

// kSeparate leaves foreign keys out for AddForeignKeyDdl (the PostgreSQL dump, where a table may
// reference one created later); kInline is the whole table in one statement.
enum class ForeignKeys { kInline, kSeparate };
std::string TableDdl(Dialect dialect, const Table& table, ForeignKeys foreign_keys);
std::string AddForeignKeyDdl(Dialect dialect, const Table& table, const ForeignKey& key);

std::string IndexDdl(Dialect dialect, const Index& index);
std::string ViewDdl(Dialect dialect, const View& view);
std::string VirtualTableDdl(const VirtualTable& table);
std::string TriggerDdl(const Trigger& trigger);
std::string SchemaDdl(std::string_view name);
std::string EnumDdl(const EnumType& type);
std::string ExtensionDdl(const Extension& extension);
std::string DomainDdl(const Domain& domain);
std::string SequenceDdl(const Sequence& sequence);
std::string SequenceOwnerDdl(const Sequence& sequence);  // empty when the sequence has no owner
std::string FunctionDdl(const Function& function);

}  // namespace strata::schema::internal
