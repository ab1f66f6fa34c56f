#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "schema/render.h"
#include "strata/schema.h"

namespace strata::schema {
namespace internal {

using base::QuoteIdentifier;

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsPlainIdentifier(std::string_view s) {
  if (s.empty() || IsDigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsDigit(c) || std::isalpha(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// A whole 'string' literal: every quote inside comes doubled.
bool IsStringLiteral(std::string_view s) {
  if (s.size() < 2 || s.front() != '\'' || s.back() != '\'') return false;
  std::string_view inner = s.substr(1, s.size() - 2);
  for (std::size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] != '\'') continue;
    if (i + 1 == inner.size() || inner[i + 1] != '\'') return false;
    ++i;
  }
  return true;
}

// [+-] digits [. digits] [e [+-] digits], or a hexadecimal integer.
bool IsNumericLiteral(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    return std::all_of(s.begin() + 2, s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  }
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i - start;
  };
  std::size_t mantissa = digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// SQLite's grammar takes only these bare after DEFAULT; anything else needs parentheses. SQLite
// reports a parenthesized default without its parentheses, so this keeps dump -> load -> dump stable.
bool IsSqliteDefaultLiteral(std::string_view s) {
  for (std::string_view keyword : {"NULL", "TRUE", "FALSE", "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"}) {
    if (EqualsIgnoreCase(s, keyword)) return true;
  }
  return IsStringLiteral(s) || IsNumericLiteral(s);
}

std::string ConstraintName(const std::string& name) {
  return name.empty() ? std::string() : "CONSTRAINT " + QuoteIdentifier(name) + " ";
}

bool IsNoAction(std::string_view action) { return action.empty() || EqualsIgnoreCase(action, "NO ACTION"); }

// SQLite: the single AUTOINCREMENT column carries the key inline (the only place SQLite accepts
// AUTOINCREMENT), and the table then has no table-level PRIMARY KEY.
bool InlinesPrimaryKey(Dialect dialect, const Table& table, const Column* column = nullptr) {
  if (dialect != Dialect::kSqlite || !table.primary_key) return false;
  const PrimaryKey& key = *table.primary_key;
  if (!key.autoincrement || key.columns.size() != 1) return false;
  return column == nullptr || key.columns[0] == column->name;
}

// The PostgreSQL driver reports a collation as pg_dump writes it (quote_ident, qualified when not
// on the search_path), so a quoted or qualified name is already SQL; a bare one (SQLite's NOCASE,
// a hand-built model) is quoted unless SQLite takes it bare.
std::string CollationName(Dialect dialect, const std::string& name) {
  if (name.front() == '"' || name.find('.') != std::string::npos) return name;
  return dialect == Dialect::kSqlite && IsPlainIdentifier(name) ? name : QuoteIdentifier(name);
}

std::string GeneratedClause(const Column& column) {
  return " GENERATED ALWAYS AS (" + column.generated + (column.generated_stored ? ") STORED" : ") VIRTUAL");
}

std::string SqliteColumnDdl(const Table& table, const Column& column) {
  std::string out = QuoteIdentifier(column.name);
  if (!column.type.empty()) out += " " + column.type;
  if (!column.identity.empty()) out += " " + column.identity;  // MariaDB's AUTO_INCREMENT; never on SQLite
  if (InlinesPrimaryKey(Dialect::kSqlite, table, &column)) {
    out += " " + ConstraintName(table.primary_key->name) + "PRIMARY KEY AUTOINCREMENT";
  }
  if (column.not_null) out += " NOT NULL";
  if (column.default_value) {
    const std::string& value = *column.default_value;
    out += IsSqliteDefaultLiteral(value) ? " DEFAULT " + value : " DEFAULT (" + value + ")";
  }
  if (!column.collation.empty()) out += " COLLATE " + CollationName(Dialect::kSqlite, column.collation);
  if (!column.generated.empty()) out += GeneratedClause(column);
  return out;
}

std::string PostgresColumnDdl(const Column& column) {
  std::string out = QuoteIdentifier(column.name);
  if (!column.type.empty()) out += " " + column.type;
  if (!column.collation.empty()) out += " COLLATE " + CollationName(Dialect::kPostgres, column.collation);
  if (!column.generated.empty()) {
    out += GeneratedClause(column);
  } else if (!column.identity.empty()) {
    out += " GENERATED " + column.identity + " AS IDENTITY";
  }
  if (column.not_null) out += " NOT NULL";
  if (column.default_value) out += " DEFAULT " + *column.default_value;
  return out;
}

// Whether `definition` names `name`, bare (as a whole word, any case) or quoted. It may see a
// column or string that happens to share the name: that only adds an ordering constraint.
bool Mentions(std::string_view definition, std::string_view name) {
  if (name.empty()) return false;
  if (definition.find(QuoteIdentifier(name)) != std::string_view::npos) return true;
  auto is_word = [](char c) {
    return IsDigit(c) || std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  for (std::size_t i = 0; i + name.size() <= definition.size(); ++i) {
    if (!EqualsIgnoreCase(definition.substr(i, name.size()), name)) continue;
    bool starts = i == 0 || !is_word(definition[i - 1]);
    bool ends = i + name.size() == definition.size() || !is_word(definition[i + name.size()]);
    if (starts && ends) return true;
  }
  return false;
}

// Views in an order that loads: each after the views it mentions, ties (and cycles, which only a
// false mention can create) broken by the normalized order, so the result is still deterministic.
std::vector<const View*> ViewsInDependencyOrder(const std::vector<View>& views) {
  std::size_t n = views.size();
  std::vector<std::vector<std::size_t>> needs(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i != j && Mentions(views[i].definition, views[j].name)) needs[i].push_back(j);
    }
  }
  std::vector<bool> done(n, false);
  std::vector<const View*> out;
  while (out.size() < n) {
    std::size_t pick = n, first_left = n;
    for (std::size_t i = 0; i < n && pick == n; ++i) {
      if (done[i]) continue;
      if (first_left == n) first_left = i;
      if (std::all_of(needs[i].begin(), needs[i].end(), [&](std::size_t j) { return done[j]; })) pick = i;
    }
    if (pick == n) pick = first_left;
    done[pick] = true;
    out.push_back(&views[pick]);
  }
  return out;
}

}  // namespace

Dialect DialectOf(const Schema& schema) { return schema.dialect == "postgres" ? Dialect::kPostgres : Dialect::kSqlite; }

std::string QualifiedName(Dialect dialect, std::string_view schema, std::string_view name) {
  if (dialect == Dialect::kPostgres && !schema.empty()) return QuoteIdentifier(schema) + "." + QuoteIdentifier(name);
  return QuoteIdentifier(name);
}

std::string QuoteList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + QuoteIdentifier(name);
  return out;
}

std::string_view StripStatementEnd(std::string_view text) {
  text = base::Trim(text);
  if (!text.empty() && text.back() == ';') text = base::Trim(text.substr(0, text.size() - 1));
  return text;
}

std::string ColumnDdl(Dialect dialect, const Table& table, const Column& column) {
  return dialect == Dialect::kPostgres ? PostgresColumnDdl(column) : SqliteColumnDdl(table, column);
}

std::string PrimaryKeyDdl(const PrimaryKey& key) {
  return ConstraintName(key.name) + "PRIMARY KEY (" + QuoteList(key.columns) + ")";
}

std::string UniqueDdl(const UniqueConstraint& unique) {
  return ConstraintName(unique.name) + "UNIQUE (" + QuoteList(unique.columns) + ")";
}

std::string CheckDdl(const CheckConstraint& check) {
  return ConstraintName(check.name) + "CHECK (" + check.expression + ")";
}

std::string ForeignKeyDdl(Dialect dialect, const ForeignKey& key) {
  std::string out = ConstraintName(key.name) + "FOREIGN KEY (" + QuoteList(key.columns) + ") REFERENCES " +
                    QualifiedName(dialect, key.ref_schema, key.ref_table);
  if (!key.ref_columns.empty()) out += " (" + QuoteList(key.ref_columns) + ")";
  if (!IsNoAction(key.on_delete)) out += " ON DELETE " + key.on_delete;
  if (!IsNoAction(key.on_update)) out += " ON UPDATE " + key.on_update;
  if (key.deferrable) out += key.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  return out;
}

std::string TableOptionsDdl(const Table& table) {
  std::vector<std::string> options;
  if (table.without_rowid) options.emplace_back("WITHOUT ROWID");
  if (table.strict) options.emplace_back("STRICT");
  return fmt::format("{}", fmt::join(options, ", "));
}

std::string TableDdl(Dialect dialect, const Table& table, ForeignKeys foreign_keys) {
  std::vector<std::string> lines;
  for (const Column& column : table.columns) lines.push_back(ColumnDdl(dialect, table, column));
  if (table.primary_key && !InlinesPrimaryKey(dialect, table)) lines.push_back(PrimaryKeyDdl(*table.primary_key));
  for (const UniqueConstraint& unique : table.uniques) lines.push_back(UniqueDdl(unique));
  for (const CheckConstraint& check : table.checks) lines.push_back(CheckDdl(check));
  if (foreign_keys == ForeignKeys::kInline) {
    for (const ForeignKey& key : table.foreign_keys) lines.push_back(ForeignKeyDdl(dialect, key));
  }
  std::string out = "CREATE TABLE " + QualifiedName(dialect, table.schema, table.name) + " (";
  out += lines.empty() ? ")" : fmt::format("\n  {}\n)", fmt::join(lines, ",\n  "));
  std::string options = TableOptionsDdl(table);
  return options.empty() ? out : out + " " + options;
}

std::string AddForeignKeyDdl(Dialect dialect, const Table& table, const ForeignKey& key) {
  return "ALTER TABLE " + QualifiedName(dialect, table.schema, table.name) + " ADD " + ForeignKeyDdl(dialect, key);
}

std::string IndexDdl(Dialect dialect, const Index& index) {
  // An index lives in its table's schema, so only the table is qualified.
  // Outside PostgreSQL only MariaDB gives a method: FULLTEXT and SPATIAL are kinds of index there
  // (CREATE FULLTEXT INDEX), any other (HASH) follows the key list.
  const bool kind = dialect != Dialect::kPostgres && (index.method == "FULLTEXT" || index.method == "SPATIAL");
  std::string out = "CREATE " + std::string(index.unique ? "UNIQUE " : "") + (kind ? index.method + " " : "") +
                    "INDEX " + QuoteIdentifier(index.name) + " ON " + QualifiedName(dialect, index.schema, index.table);
  if (dialect == Dialect::kPostgres && !index.method.empty()) out += " USING " + index.method;
  out += fmt::format(" ({})", fmt::join(index.keys, ", "));
  if (dialect != Dialect::kPostgres && !kind && !index.method.empty()) out += " USING " + index.method;
  if (dialect == Dialect::kPostgres && !index.include.empty()) out += " INCLUDE (" + QuoteList(index.include) + ")";
  if (!index.where.empty()) out += " WHERE " + index.where;
  return out;
}

std::string ViewDdl(Dialect dialect, const View& view) {
  bool materialized = dialect == Dialect::kPostgres && view.materialized;
  return std::string(materialized ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ") +
         QualifiedName(dialect, view.schema, view.name) + " AS " + std::string(StripStatementEnd(view.definition));
}

std::string TriggerDdl(const Trigger& trigger) { return std::string(StripStatementEnd(trigger.definition)); }

std::string VirtualTableDdl(const VirtualTable& table) { return std::string(StripStatementEnd(table.definition)); }

std::string SchemaDdl(std::string_view name) { return "CREATE SCHEMA " + QuoteIdentifier(name); }

std::string EnumDdl(const EnumType& type) {
  std::vector<std::string> labels;
  for (const std::string& label : type.labels) labels.push_back(QuoteLiteral(label));
  return fmt::format("CREATE TYPE {} AS ENUM ({})", QualifiedName(Dialect::kPostgres, type.schema, type.name),
                     fmt::join(labels, ", "));
}

std::string ExtensionDdl(const Extension& e) {
  return fmt::format("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}", QuoteIdentifier(e.name),
                     QuoteIdentifier(e.schema));
}

std::string DomainDdl(const Domain& d) {
  std::string out = fmt::format("CREATE DOMAIN {} AS {}", QualifiedName(Dialect::kPostgres, d.schema, d.name), d.type);
  if (d.default_value) out += " DEFAULT " + *d.default_value;
  if (d.not_null) out += " NOT NULL";
  for (const CheckConstraint& c : d.checks) out += " " + CheckDdl(c);
  return out;
}

std::string SequenceDdl(const Sequence& s) {
  return fmt::format("CREATE SEQUENCE {} AS {} START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {}",
                     QualifiedName(Dialect::kPostgres, s.schema, s.name), s.type, s.start, s.increment, s.min_value,
                     s.max_value, s.cache, s.cycle ? "CYCLE" : "NO CYCLE");
}

std::string SequenceOwnerDdl(const Sequence& s) {
  // PostgreSQL keeps an owned sequence in its table's schema; owned_by is "table.column", and a
  // column name is the part after the last '.'.
  std::size_t dot = s.owned_by.rfind('.');
  if (dot == std::string::npos) return "";
  return "ALTER SEQUENCE " + QualifiedName(Dialect::kPostgres, s.schema, s.name) + " OWNED BY " +
         QualifiedName(Dialect::kPostgres, s.schema, s.owned_by.substr(0, dot)) + "." +
         QuoteIdentifier(s.owned_by.substr(dot + 1));
}

std::string FunctionDdl(const Function& function) { return std::string(StripStatementEnd(function.definition)); }

}  // namespace internal

namespace {

using internal::Dialect;

bool IsViewName(const Schema& schema, const std::string& schema_name, const std::string& name) {
  return std::any_of(schema.views.begin(), schema.views.end(),
                     [&](const View& v) { return v.schema == schema_name && v.name == name; });
}

// Indexes on materialized views can only follow the views; all others precede them.
void AddIndexes(const Schema& schema, bool on_views, std::vector<std::string>& out) {
  Dialect dialect = internal::DialectOf(schema);
  for (const Index& index : schema.indexes) {
    if (IsViewName(schema, index.schema, index.table) == on_views) out.push_back(internal::IndexDdl(dialect, index));
  }
}

void AddViews(const Schema& schema, std::vector<std::string>& out) {
  Dialect dialect = internal::DialectOf(schema);
  for (const View* view : internal::ViewsInDependencyOrder(schema.views)) {
    out.push_back(internal::ViewDdl(dialect, *view));
  }
}

// SQLite resolves foreign keys when they are used, not when declared, so they stay inline.
DumpParts SqliteStatements(const Schema& schema) {
  DumpParts parts;
  std::vector<std::string>& out = parts.before_data;
  for (const Table& table : schema.tables) {
    out.push_back(internal::TableDdl(Dialect::kSqlite, table, internal::ForeignKeys::kInline));
  }
  for (const VirtualTable& table : schema.virtual_tables) out.push_back(internal::VirtualTableDdl(table));
  AddIndexes(schema, false, parts.after_data);
  AddViews(schema, parts.after_data);
  for (const Trigger& trigger : schema.triggers) parts.after_data.push_back(internal::TriggerDdl(trigger));
  return parts;
}

// Each kind only depends on kinds before it: types and sequences are used by column defaults,
// functions by defaults, checks and triggers; foreign keys wait for every table they reference.
DumpParts PostgresStatements(const Schema& schema) {
  DumpParts parts;
  std::vector<std::string>& out = parts.before_data;
  // Function bodies are checked when created, so one that reads a table would fail this early;
  // pg_dump turns the check off for the same reason.
  if (!schema.functions.empty()) out.emplace_back("SET check_function_bodies = false");
  for (const std::string& name : schema.schemas) {
    if (name != "public") out.push_back(internal::SchemaDdl(name));  // every database already has it
  }
  for (const Extension& extension : schema.extensions) out.push_back(internal::ExtensionDdl(extension));
  for (const EnumType& type : schema.enums) out.push_back(internal::EnumDdl(type));
  for (const Domain& domain : schema.domains) out.push_back(internal::DomainDdl(domain));
  for (const Sequence& sequence : schema.sequences) out.push_back(internal::SequenceDdl(sequence));
  for (const Function& function : schema.functions) out.push_back(internal::FunctionDdl(function));
  for (const Table& table : schema.tables) {
    out.push_back(internal::TableDdl(Dialect::kPostgres, table, internal::ForeignKeys::kSeparate));
  }
  for (const Sequence& sequence : schema.sequences) {
    if (std::string owner = internal::SequenceOwnerDdl(sequence); !owner.empty()) out.push_back(owner);
  }
  std::vector<std::string>& after = parts.after_data;
  for (const Table& table : schema.tables) {
    for (const ForeignKey& key : table.foreign_keys) {
      after.push_back(internal::AddForeignKeyDdl(Dialect::kPostgres, table, key));
    }
  }
  AddIndexes(schema, false, after);
  AddViews(schema, after);
  AddIndexes(schema, true, after);
  for (const Trigger& trigger : schema.triggers) after.push_back(internal::TriggerDdl(trigger));
  return parts;
}

}  // namespace

DumpParts DumpStatements(const Schema& input) {
  Schema schema = input;
  Normalize(schema);
  DumpParts parts =
      internal::DialectOf(schema) == Dialect::kPostgres ? PostgresStatements(schema) : SqliteStatements(schema);
  if (input.dialect == "mariadb") {  // see DumpParts
    parts.session_begin.emplace_back(
        "SET @strata_sql_mode = @@SESSION.sql_mode, @strata_foreign_key_checks = @@SESSION.foreign_key_checks, "
        "SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES'), "
        "SESSION foreign_key_checks = 0");
    parts.session_end.emplace_back(
        "SET SESSION sql_mode = @strata_sql_mode, SESSION foreign_key_checks = @strata_foreign_key_checks");
  }
  return parts;
}

std::string ScriptStatement(const Schema& schema, const std::string& statement) {
  if (schema.dialect == "mariadb" && statement.find(';') != std::string::npos) {
    return "DELIMITER ;;\n" + statement + ";;\nDELIMITER ;";
  }
  return statement + ";";
}

std::string Dump(const Schema& input) {
  DumpParts parts = DumpStatements(input);
  std::string out = "-- strata schema dump (" + input.dialect + ")\n-- generated by strata; do not edit by hand\n";
  for (const auto* part : {&parts.session_begin, &parts.before_data, &parts.after_data, &parts.session_end}) {
    for (const std::string& statement : *part) out += "\n" + ScriptStatement(input, statement) + "\n";
  }
  return out;
}

}  // namespace strata::schema
