// Schema introspection on SQLite (declared in sqlite_schema.h). The pragmas are the source of
// truth for what they report (columns, types, keys, foreign key actions, index columns); the stored
// CREATE text, read by sqlite_ddl, adds what they do not: CHECKs, generation expressions,
// constraint names, DEFERRABLE, index key text, view bodies.
#include "drivers/sqlite/sqlite_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "base/text.h"
#include "drivers/sqlite/sqlite_stmt.h"
#include "sql/sqlite_ddl.h"

namespace strata::driver {

namespace {

namespace ddl = sql::sqlite_ddl;
using base::Lower;
using base::QuoteIdentifier;

// SQLite compares names ASCII-case-insensitively.
bool SameName(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }
bool SameNames(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return SameName(x, y); });
}

constexpr std::string_view kCannotRead = "cannot read the schema";

// One prepared statement with its parameters bound as text.
class Query {
 public:
  static Result<Query> Prepare(sqlite3* db, const char* sql, std::initializer_list<std::string_view> params = {}) {
    STRATA_ASSIGN_OR_RETURN(StmtPtr stmt, PrepareStmt(db, sql, kCannotRead));
    int i = 0;
    for (std::string_view p : params) BindText(stmt.get(), ++i, p);
    return Query(std::move(stmt));
  }

  // True for a row, false when there are no more.
  Result<bool> Step() { return StepStmt(stmt_.get(), kCannotRead); }

  std::optional<std::string> OptionalText(int i) const {
    const unsigned char* t = sqlite3_column_text(stmt_.get(), i);
    if (t == nullptr) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(t),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), i)));
  }
  std::string Text(int i) const { return ColumnText(stmt_.get(), i); }
  std::int64_t Int(int i) const { return sqlite3_column_int64(stmt_.get(), i); }

 private:
  explicit Query(StmtPtr stmt) : stmt_(std::move(stmt)) {}
  StmtPtr stmt_;
};

// Holds a read transaction (a savepoint, so that it also works inside the caller's transaction) so
// that every pragma sees the same schema.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(sqlite3* db) : db_(db) {
    held_ = sqlite3_exec(db_, "SAVEPOINT strata_introspect", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~ReadSnapshot() {
    if (held_) sqlite3_exec(db_, "RELEASE strata_introspect", nullptr, nullptr, nullptr);
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  sqlite3* db_;
  bool held_ = false;
};

struct CatalogObject {
  std::string type, name, table;
  std::optional<std::string> sql;
};

// A stored CREATE text that the scanner does not understand is a strata bug, reported with a caret.
Status UnreadableDdl(const CatalogObject& object, const Status& error) {
  const std::string& sql = *object.sql;
  auto location = base::MakeLocation(fmt::format("sqlite_schema, {} {}", object.type, QuoteIdentifier(object.name)),
                                     sql, error.sql_offset().value_or(0));
  return Status(ErrorCode::kInternal,
                base::FormatLocated(location, "cannot read the stored CREATE text: " + error.message()));
}

Status Mismatch(const std::string& table, const std::string& what) {
  return Status(ErrorCode::kInternal, fmt::format("table {}: the pragmas and the stored CREATE text disagree: {}",
                                                  QuoteIdentifier(table), what));
}

// SQLite's own collations compare by name case-insensitively: `nocase` and `NOCASE` are one.
std::string CollationName(const std::string& name) {
  for (const char* builtin : {"BINARY", "NOCASE", "RTRIM"}) {
    if (SameName(name, builtin)) return builtin;
  }
  return name;
}

// The collation (the pragmas do not report it) and AUTOINCREMENT of one column.
Status ReadColumnMetadata(sqlite3* db, const std::string& table_name, schema::Column& col, bool& autoincrement) {
  const char* collation = nullptr;
  int autoinc = 0;
  if (sqlite3_table_column_metadata(db, "main", table_name.c_str(), col.name.c_str(), nullptr, &collation, nullptr,
                                    nullptr, &autoinc) != SQLITE_OK) {
    return Status(ErrorCode::kSqlError, fmt::format("cannot read column {}.{}: {}", QuoteIdentifier(table_name),
                                                    QuoteIdentifier(col.name), sqlite3_errmsg(db)));
  }
  if (collation != nullptr && !SameName(collation, "BINARY")) col.collation = CollationName(collation);
  autoincrement = autoincrement || autoinc != 0;
  return Status::Ok();
}

Status ReadColumns(sqlite3* db, const std::string& table_name, const ddl::TableDef& def, schema::Table& table) {
  STRATA_ASSIGN_OR_RETURN(Query q, Query::Prepare(db,
                                                  "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
                                                  "FROM pragma_table_xinfo(?1, 'main') ORDER BY cid",
                                                  {table_name}));
  std::vector<std::pair<std::int64_t, std::string>> key;  // (position in the key, column)
  bool autoincrement = false;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    schema::Column col;
    col.name = q.Text(0);
    col.type = q.Text(1);
    col.not_null = q.Int(2) != 0;
    if (auto dflt = q.OptionalText(3)) col.default_value = ddl::StripEnclosingParens(*dflt);
    const std::size_t i = table.columns.size();
    if (i >= def.columns.size() || !SameName(def.columns[i].name, col.name)) {
      return Mismatch(table_name,
                      fmt::format("column {} is not number {} in the text", QuoteIdentifier(col.name), i + 1));
    }
    const std::int64_t hidden = q.Int(5);
    if (hidden == 2 || hidden == 3) {
      if (def.columns[i].generated.empty()) {
        return Mismatch(table_name, fmt::format("generated column {} has no AS (...)", QuoteIdentifier(col.name)));
      }
      col.generated = def.columns[i].generated;
      col.generated_stored = hidden == 3;
    }
    STRATA_RETURN_IF_ERROR(ReadColumnMetadata(db, table_name, col, autoincrement));
    if (std::int64_t pk = q.Int(4); pk > 0) key.emplace_back(pk, col.name);
    table.columns.push_back(std::move(col));
  }
  if (table.columns.size() != def.columns.size()) {
    return Mismatch(table_name, fmt::format("{} columns, the text has {}", table.columns.size(), def.columns.size()));
  }
  if (!key.empty()) {
    std::sort(key.begin(), key.end());
    schema::PrimaryKey pk;
    pk.name = def.primary_key_name;
    for (auto& [position, column] : key) pk.columns.push_back(std::move(column));
    pk.autoincrement = autoincrement;
    table.primary_key = std::move(pk);
  }
  return Status::Ok();
}

// UNIQUE constraints are the indexes of origin 'u'; only their names come from the text.
Status ReadUniques(sqlite3* db, const std::string& table_name, const ddl::TableDef& def, schema::Table& table) {
  STRATA_ASSIGN_OR_RETURN(
      Query list, Query::Prepare(db, "SELECT name FROM pragma_index_list(?1, 'main') WHERE origin = 'u' ORDER BY seq",
                                 {table_name}));
  std::vector<bool> used(def.uniques.size());
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, list.Step());
    if (!row) break;
    const std::string index = list.Text(0);
    STRATA_ASSIGN_OR_RETURN(
        Query info, Query::Prepare(db, "SELECT name FROM pragma_index_info(?1, 'main') ORDER BY seqno", {index}));
    schema::UniqueConstraint unique;
    while (true) {
      STRATA_ASSIGN_OR_RETURN(bool more, info.Step());
      if (!more) break;
      unique.columns.push_back(info.Text(0));
    }
    // SQLite drops a UNIQUE that repeats another one, so the text may have more; the first
    // unclaimed one with these columns gives the name.
    for (std::size_t i = 0; i < def.uniques.size(); ++i) {
      if (used[i] || !SameNames(def.uniques[i].columns, unique.columns)) continue;
      used[i] = true;
      unique.name = def.uniques[i].name;
      break;
    }
    table.uniques.push_back(std::move(unique));
  }
  return Status::Ok();
}

// Takes name and DEFERRABLE from the first unclaimed foreign key of the text with the same columns
// and target (identical ones are interchangeable).
Status ClaimForeignKeyText(const std::string& table_name, const ddl::TableDef& def, std::vector<bool>& used,
                           schema::ForeignKey& fk) {
  for (std::size_t i = 0; i < def.foreign_keys.size(); ++i) {
    const ddl::ForeignKeyDef& d = def.foreign_keys[i];
    if (used[i] || !SameNames(d.columns, fk.columns) || !SameName(d.ref_table, fk.ref_table) ||
        !SameNames(d.ref_columns, fk.ref_columns)) {
      continue;
    }
    used[i] = true;
    fk.name = d.name;
    fk.deferrable = d.deferrable;
    fk.initially_deferred = d.initially_deferred;
    return Status::Ok();
  }
  std::string columns;
  for (const std::string& c : fk.columns) columns += (columns.empty() ? "" : ", ") + QuoteIdentifier(c);
  return Mismatch(table_name, fmt::format("foreign key ({}) -> {}", columns, QuoteIdentifier(fk.ref_table)));
}

// Foreign keys from the pragma; name and DEFERRABLE from the text. The pragma numbers them from
// the last declared, so `id DESC` is text order.
Status ReadForeignKeys(sqlite3* db, const std::string& table_name, const ddl::TableDef& def, schema::Table& table) {
  STRATA_ASSIGN_OR_RETURN(Query q, Query::Prepare(db,
                                                  "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
                                                  "FROM pragma_foreign_key_list(?1, 'main') ORDER BY id DESC, seq",
                                                  {table_name}));
  std::optional<std::int64_t> current;
  std::vector<schema::ForeignKey> keys;
  std::vector<bool> references_pk;  // a NULL "to": the referenced table's primary key
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (current != q.Int(0)) {
      current = q.Int(0);
      keys.emplace_back();
      keys.back().ref_table = q.Text(1);
      keys.back().on_update = q.Text(4);
      keys.back().on_delete = q.Text(5);
      references_pk.push_back(false);
    }
    keys.back().columns.push_back(q.Text(2));
    if (auto to = q.OptionalText(3)) {
      keys.back().ref_columns.push_back(*to);
    } else {
      references_pk.back() = true;
    }
  }
  std::vector<bool> used(def.foreign_keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (references_pk[k]) keys[k].ref_columns.clear();
    STRATA_RETURN_IF_ERROR(ClaimForeignKeyText(table_name, def, used, keys[k]));
    table.foreign_keys.push_back(std::move(keys[k]));
  }
  return Status::Ok();
}

Result<schema::Table> ReadTable(sqlite3* db, const CatalogObject& object) {
  auto def = ddl::ParseCreateTable(*object.sql);
  if (!def.ok()) return UnreadableDdl(object, def.status());
  schema::Table table;
  table.name = object.name;
  table.without_rowid = def->without_rowid;
  table.strict = def->strict;
  STRATA_RETURN_IF_ERROR(ReadColumns(db, object.name, *def, table));
  STRATA_RETURN_IF_ERROR(ReadUniques(db, object.name, *def, table));
  STRATA_RETURN_IF_ERROR(ReadForeignKeys(db, object.name, *def, table));
  for (const ddl::CheckDef& check : def->checks) table.checks.push_back({check.name, check.expression});
  return table;
}

// Key parts as written; a plain column (PRAGMA index_xinfo cid >= 0) is rendered as its quoted name.
Result<schema::Index> ReadIndex(sqlite3* db, const CatalogObject& object) {
  auto def = ddl::ParseCreateIndex(*object.sql);
  if (!def.ok()) return UnreadableDdl(object, def.status());
  schema::Index index;
  index.name = object.name;
  index.table = object.table;
  index.unique = def->unique;
  index.where = def->where;
  STRATA_ASSIGN_OR_RETURN(
      Query q,
      Query::Prepare(db, "SELECT cid, name, \"desc\" FROM pragma_index_xinfo(?1, 'main') WHERE \"key\" ORDER BY seqno",
                     {object.name}));
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    const std::size_t i = index.keys.size();
    if (i >= def->keys.size() || def->keys[i].desc != (q.Int(2) != 0)) break;
    const ddl::IndexKeyDef& key = def->keys[i];
    std::string text = q.Int(0) >= 0 ? QuoteIdentifier(q.Text(1)) : key.expression;
    if (!key.collation.empty()) text += " COLLATE " + CollationName(key.collation);
    if (key.desc) text += " DESC";
    index.keys.push_back(std::move(text));
  }
  if (index.keys.size() != def->keys.size()) {
    return Status(ErrorCode::kInternal, fmt::format("index {}: PRAGMA index_xinfo and the stored CREATE INDEX text "
                                                    "disagree on key {}",
                                                    QuoteIdentifier(object.name), index.keys.size() + 1));
  }
  return index;
}

Result<std::vector<CatalogObject>> ReadCatalog(sqlite3* db) {
  STRATA_ASSIGN_OR_RETURN(Query q, Query::Prepare(db, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema"));
  std::vector<CatalogObject> objects;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    objects.push_back({q.Text(0), q.Text(1), q.Text(2), q.OptionalText(3)});
  }
  return objects;
}

// Tables by PRAGMA table_list type ("table", "shadow", "virtual"); empty before SQLite 3.37.
std::set<std::string> TablesOfType(sqlite3* db, const char* type) {
  std::set<std::string> names;
  auto q = Query::Prepare(db, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = ?1", {type});
  if (!q.ok()) return names;
  while (true) {
    auto row = q->Step();
    if (!row.ok() || !*row) break;
    names.insert(Lower(q->Text(0)));
  }
  return names;
}

bool IsInternal(const std::string& name) { return name.size() >= 7 && SameName(name.substr(0, 7), "sqlite_"); }

}  // namespace

Result<schema::Schema> IntrospectSqlite(sqlite3* db, const std::string& history_table,
                                        const IntrospectOptions& options) {
  ReadSnapshot snapshot(db);
  STRATA_ASSIGN_OR_RETURN(std::vector<CatalogObject> objects, ReadCatalog(db));
  const std::set<std::string> shadow = TablesOfType(db, "shadow");
  const std::set<std::string> virtual_tables = TablesOfType(db, "virtual");
  std::set<std::string> skipped;  // lower-case names of tables left out, with their indexes and triggers
  if (!options.include_strata_tables) skipped = {Lower(history_table), Lower(history_table + "_log")};
  skipped.insert(shadow.begin(), shadow.end());

  schema::Schema result;
  result.dialect = "sqlite";
  for (const CatalogObject& object : objects) {
    if (IsInternal(object.name) || skipped.count(Lower(object.table)) != 0) continue;
    if (!object.sql) continue;  // autoindexes of PRIMARY KEY / UNIQUE constraints
    if (object.type == "table") {
      if (virtual_tables.count(Lower(object.name)) != 0) {
        result.virtual_tables.push_back({.name = object.name, .definition = ddl::CanonicalSql(*object.sql)});
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(schema::Table table, ReadTable(db, object));
      result.tables.push_back(std::move(table));
    } else if (object.type == "index") {
      STRATA_ASSIGN_OR_RETURN(schema::Index index, ReadIndex(db, object));
      result.indexes.push_back(std::move(index));
    } else if (object.type == "view") {
      auto definition = ddl::ParseViewDefinition(*object.sql);
      if (!definition.ok()) return UnreadableDdl(object, definition.status());
      result.views.push_back({.name = object.name, .definition = std::move(*definition)});
    } else if (object.type == "trigger") {
      result.triggers.push_back(
          {.name = object.name, .table = object.table, .definition = ddl::CanonicalSql(*object.sql)});
    }
  }
  // `REFERENCES u` means u's primary key: spell it out, so that it equals `REFERENCES u (id)`.
  for (schema::Table& child : result.tables) {
    for (schema::ForeignKey& fk : child.foreign_keys) {
      if (!fk.ref_columns.empty()) continue;
      for (const schema::Table& parent : result.tables) {
        if (SameName(parent.name, fk.ref_table) && parent.primary_key) fk.ref_columns = parent.primary_key->columns;
      }
    }
  }
  schema::Normalize(result);
  return result;
}

}  // namespace strata::driver
