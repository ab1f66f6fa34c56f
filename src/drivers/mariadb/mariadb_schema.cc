#include "drivers/mariadb/mariadb_schema.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/text.h"
#include "drivers/mariadb/mariadb_conn.h"
#include "drivers/mariadb/mariadb_driver.h"

namespace strata::driver {

namespace mariadb {

namespace {

bool IsNull(const QueryResult& r, std::size_t row, std::size_t col) { return !r.rows.at(row).at(col).has_value(); }

// Whitespace outside quotes ('...', "..." and `...`, with the server's backslash escapes) collapsed.
std::string NormalizeWhitespace(std::string_view sql) { return base::CollapseSqlWhitespace(sql, "'\"`", true); }

// EXTRA's attributes that belong to the column's definition, appended to its type so that a dump
// keeps them and a diff sees them: "on update current_timestamp()", "INVISIBLE".
// (auto_increment goes to Column::identity.)
std::string TypeWithExtra(std::string type, const std::string& extra) {
  const std::string lower = base::Lower(extra);
  std::size_t on_update = lower.find("on update ");
  if (on_update != std::string::npos) {
    std::size_t end = lower.find(' ', on_update + 10);
    type += " ON UPDATE " +
            extra.substr(on_update + 10, end == std::string::npos ? std::string::npos : end - (on_update + 10));
  }
  if (lower.find("invisible") != std::string::npos) type += " INVISIBLE";
  return type;
}

// The server's names for the referential actions; "NO ACTION" is the model's default.
std::string Action(std::string rule) { return rule.empty() ? "NO ACTION" : rule; }

}  // namespace

Result<schema::Schema> IntrospectMariadb(Connection& conn, const std::string& history_table,
                                         const IntrospectOptions& options) {
  std::set<std::string> skipped;
  if (!options.include_strata_tables) {
    skipped = {history_table, history_table + "_log", history_table + "_lock"};
  }
  schema::Schema out;
  out.dialect = "mariadb";
  std::map<std::string, std::size_t> table_at;  // exact name -> index in out.tables

  // Tables and their columns, in column order. A column's collation is kept only where it is not
  // its table's default, so that a table created on a server with another default reads the same.
  // Tables and columns are read apart and joined here: information_schema views joined on the
  // server took over 100 ms on a server with a few thousand tables in other databases, each read
  // on its own about 1 ms (see the foreign keys below).
  STRATA_ASSIGN_OR_RETURN(
      QueryResult tables,
      conn.Query("SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                 "AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')"));
  std::map<std::string, std::string> collation_of;
  for (std::size_t i = 0; i < tables.rows.size(); ++i) collation_of[Cell(tables, i, 0)] = Cell(tables, i, 1);
  STRATA_ASSIGN_OR_RETURN(
      QueryResult cols,
      conn.Query("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLLATION_NAME, "
                 "EXTRA, GENERATION_EXPRESSION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                 "ORDER BY TABLE_NAME, ORDINAL_POSITION"));
  for (std::size_t i = 0; i < cols.rows.size(); ++i) {
    const std::string table = Cell(cols, i, 0);
    auto table_collation = collation_of.find(table);
    if (table_collation == collation_of.end()) continue;  // a view's columns
    if (skipped.count(table)) continue;
    auto [it, added] = table_at.emplace(table, out.tables.size());
    if (added) out.tables.push_back({.name = table});
    schema::Column c;
    c.name = Cell(cols, i, 1);
    const std::string extra = Cell(cols, i, 6);
    c.type = TypeWithExtra(Cell(cols, i, 2), extra);
    c.not_null = Cell(cols, i, 3) == "NO";
    const std::string lower_extra = base::Lower(extra);
    if (lower_extra.find("auto_increment") != std::string::npos) c.identity = "AUTO_INCREMENT";
    if (lower_extra.find("generated") != std::string::npos && !IsNull(cols, i, 7)) {
      c.generated = Cell(cols, i, 7);
      c.generated_stored =
          lower_extra.find("stored") != std::string::npos || lower_extra.find("persistent") != std::string::npos;
    } else if (!IsNull(cols, i, 4) && Cell(cols, i, 4) != "NULL") {
      // 'text' for a string, digits for a number, the expression otherwise; "NULL" for DEFAULT NULL,
      // which is what a nullable column without a default has anyway.
      c.default_value = Cell(cols, i, 4);
    }
    if (!IsNull(cols, i, 5) && Cell(cols, i, 5) != table_collation->second) c.collation = Cell(cols, i, 5);
    out.tables[it->second].columns.push_back(std::move(c));
  }
  auto find = [&](const std::string& table) -> schema::Table* {
    auto it = table_at.find(table);
    return it == table_at.end() ? nullptr : &out.tables[it->second];
  };

  // Keys and indexes: PRIMARY is the primary key; a unique key on whole columns in ascending order
  // is a unique constraint (the server makes no difference between UNIQUE in CREATE TABLE and
  // CREATE UNIQUE INDEX); everything else is an index, its key parts as SQL.
  STRATA_ASSIGN_OR_RETURN(
      QueryResult stats,
      conn.Query("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE "
                 "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
                 "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"));
  struct Key {
    std::string table, name, type;
    bool unique = false, plain = true;
    std::vector<std::string> columns, parts;
  };
  std::vector<Key> keys;
  for (std::size_t i = 0; i < stats.rows.size(); ++i) {
    const std::string table = Cell(stats, i, 0), name = Cell(stats, i, 1);
    if (!find(table)) continue;
    if (keys.empty() || keys.back().table != table || keys.back().name != name) {
      keys.push_back({.table = table, .name = name, .type = Cell(stats, i, 6), .unique = Cell(stats, i, 2) == "0"});
    }
    Key& k = keys.back();
    const std::string column = Cell(stats, i, 3);
    std::string part = base::QuoteIdentifier(column);
    if (!IsNull(stats, i, 4)) {
      part += "(" + Cell(stats, i, 4) + ")";
      k.plain = false;
    }
    if (Cell(stats, i, 5) == "D") {
      part += " DESC";
      k.plain = false;
    }
    k.columns.push_back(column);
    k.parts.push_back(std::move(part));
  }
  for (Key& k : keys) {
    schema::Table& t = *find(k.table);
    if (k.name == "PRIMARY") {
      t.primary_key = schema::PrimaryKey{.columns = std::move(k.columns)};
    } else if (k.unique && k.plain && k.type == "BTREE") {
      t.uniques.push_back({.name = k.name, .columns = std::move(k.columns)});
    } else {
      out.indexes.push_back({.name = k.name,
                             .table = k.table,
                             .unique = k.unique,
                             .keys = std::move(k.parts),
                             .method = k.type == "BTREE" ? std::string() : k.type});
    }
  }

  // Foreign keys, their columns in key order, and their actions. Every condition on a schema is a
  // constant, which information_schema turns into a look-up in that one database instead of a
  // scan of the server; joined on the server, the two views took 0.2 to 0.5 s on a server with a
  // few thousand tables in other databases, so they are read apart and joined here.
  STRATA_ASSIGN_OR_RETURN(
      QueryResult fks,
      conn.Query("SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, "
                 "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME, REFERENCED_TABLE_SCHEMA = DATABASE() "
                 "FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND "
                 "REFERENCED_TABLE_NAME IS NOT NULL ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"));
  STRATA_ASSIGN_OR_RETURN(
      QueryResult rules,
      conn.Query("SELECT TABLE_NAME, CONSTRAINT_NAME, DELETE_RULE, UPDATE_RULE FROM "
                 "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"));
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> rule_of;
  for (std::size_t i = 0; i < rules.rows.size(); ++i) {
    rule_of[{Cell(rules, i, 0), Cell(rules, i, 1)}] = {Cell(rules, i, 2), Cell(rules, i, 3)};
  }
  schema::ForeignKey* last = nullptr;
  std::string last_table;
  for (std::size_t i = 0; i < fks.rows.size(); ++i) {
    const std::string table = Cell(fks, i, 0), name = Cell(fks, i, 1);
    schema::Table* t = find(table);
    if (!t) continue;
    if (!last || last_table != table || last->name != name) {
      auto rule = rule_of.find({table, name});
      if (rule == rule_of.end()) continue;  // dropped between the two reads
      t->foreign_keys.push_back({.name = name,
                                 .ref_schema = Cell(fks, i, 6) == "1" ? std::string() : Cell(fks, i, 3),
                                 .ref_table = Cell(fks, i, 4),
                                 .on_delete = Action(rule->second.first),
                                 .on_update = Action(rule->second.second)});
      last = &t->foreign_keys.back();
      last_table = table;
    }
    last->columns.push_back(Cell(fks, i, 2));
    last->ref_columns.push_back(Cell(fks, i, 5));
  }

  // Checks, table-level and column-level alike (a column's check is named after its column).
  STRATA_ASSIGN_OR_RETURN(QueryResult checks,
                          conn.Query("SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
                                     "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() "
                                     "ORDER BY TABLE_NAME, CONSTRAINT_NAME"));
  for (std::size_t i = 0; i < checks.rows.size(); ++i) {
    if (schema::Table* t = find(Cell(checks, i, 0))) {
      t->checks.push_back({.name = Cell(checks, i, 1), .expression = NormalizeWhitespace(Cell(checks, i, 2))});
    }
  }

  // Views: the server writes every name qualified with the database's, which a copy of the schema
  // in another database (a scratch database) would not share; that qualifier goes.
  STRATA_ASSIGN_OR_RETURN(
      QueryResult views,
      conn.Query("SELECT TABLE_NAME, REPLACE(VIEW_DEFINITION, CONCAT('`', REPLACE(DATABASE(), '`', '``'), '`.'), '') "
                 "FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME"));
  for (std::size_t i = 0; i < views.rows.size(); ++i) {
    out.views.push_back({.name = Cell(views, i, 0), .definition = NormalizeWhitespace(Cell(views, i, 1))});
  }

  // Triggers, as the CREATE TRIGGER statement that makes them. The body is kept as written (only
  // trimmed): it may hold a `-- comment`, which joining its lines would extend over the code after it.
  STRATA_ASSIGN_OR_RETURN(
      QueryResult triggers,
      conn.Query("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT "
                 "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND "
                 "EVENT_OBJECT_SCHEMA = DATABASE() "
                 "ORDER BY TRIGGER_NAME"));
  for (std::size_t i = 0; i < triggers.rows.size(); ++i) {
    const std::string table = Cell(triggers, i, 1);
    if (skipped.count(table)) continue;
    out.triggers.push_back(
        {.name = Cell(triggers, i, 0),
         .table = table,
         .definition = fmt::format("CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {}", QuoteName(Cell(triggers, i, 0)),
                                   Cell(triggers, i, 2), Cell(triggers, i, 3), QuoteName(table),
                                   base::Trim(Cell(triggers, i, 4)))});
  }
  schema::Normalize(out);
  return out;
}

}  // namespace mariadb

namespace {

class MariadbScratch : public ScratchDatabase {
 public:
  MariadbScratch(base::DatabaseUrl server, base::DatabaseUrl url, std::string name)
      : server_(std::move(server)), url_(std::move(url)), name_(std::move(name)) {}
  ~MariadbScratch() override {
    auto conn = mariadb::Connection::Open(server_);
    if (conn.ok()) (void)conn->Exec("DROP DATABASE IF EXISTS " + mariadb::QuoteName(name_));
  }
  const base::DatabaseUrl& url() const override { return url_; }

 private:
  base::DatabaseUrl server_;
  base::DatabaseUrl url_;
  std::string name_;
};

}  // namespace

namespace {

// Templates for `strata testdb`. MariaDB can neither copy nor rename a database, so a copy is made
// object by object: the source's schema (strata's own tables included) created from its dump,
// the rows of each table copied on the server (INSERT ... SELECT across the two databases) before
// the indexes, views and triggers, and each table's AUTO_INCREMENT set as the source has it.
// Renaming is a copy under the new name, then the old one dropped; the copy gets the database
// comment kTemplateComment last, and only a database with it counts as an existing template, so a
// rename cut short is never taken for a template.
class MariadbTemplates : public TemplateStore {
 public:
  MariadbTemplates(base::DatabaseUrl server, mariadb::Connection conn)
      : server_(std::move(server)), conn_(std::move(conn)) {}

  Result<std::unique_ptr<RunLock>> Lock(const std::string& name, std::chrono::milliseconds timeout) override {
    STRATA_ASSIGN_OR_RETURN(mariadb::Connection conn, mariadb::Connection::Open(server_));
    const std::string key = conn.Quote("strata testdb " + name);
    STRATA_ASSIGN_OR_RETURN(
        mariadb::QueryResult r,
        conn.Query(fmt::format("SELECT GET_LOCK({}, {:.3f})", key, static_cast<double>(timeout.count()) / 1000.0)));
    if (r.rows.empty() || mariadb::Cell(r, 0, 0) != "1") {
      return Status(ErrorCode::kAborted, fmt::format("another process has been building the template {} for more "
                                                     "than {} ms",
                                                     name, timeout.count()));
    }
    // The lock lives as long as its session: closing the connection releases it.
    return std::unique_ptr<RunLock>(std::make_unique<HeldBy>(std::move(conn)));
  }

  Result<bool> Exists(const std::string& name) override {
    STRATA_ASSIGN_OR_RETURN(mariadb::QueryResult r,
                            conn_.Query("SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " +
                                        conn_.Quote(name)));
    return !r.rows.empty() && mariadb::Cell(r, 0, 0) == kTemplateComment;
  }

  Result<base::DatabaseUrl> CreateEmpty(const std::string& name) override {
    STRATA_RETURN_IF_ERROR(Drop(name));
    STRATA_RETURN_IF_ERROR(conn_.Exec("CREATE DATABASE " + mariadb::QuoteName(name)));
    return UrlOf(name);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    STRATA_RETURN_IF_ERROR(Drop(to));  // a rename cut short left an incomplete copy
    STRATA_RETURN_IF_ERROR(Copy(from, to).status());
    STRATA_RETURN_IF_ERROR(conn_.Exec(
        fmt::format("ALTER DATABASE {} COMMENT = {}", mariadb::QuoteName(to), conn_.Quote(kTemplateComment))));
    return Drop(from);
  }

  Result<base::DatabaseUrl> Clone(const std::string& template_name, const std::string& name) override {
    return Copy(template_name, name);
  }

  Status Drop(const std::string& name) override {
    return conn_.Exec("DROP DATABASE IF EXISTS " + mariadb::QuoteName(name));
  }

  Result<std::vector<std::string>> List(const std::string& prefix) override {
    STRATA_ASSIGN_OR_RETURN(mariadb::QueryResult r,
                            conn_.Query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, " +
                                        std::to_string(prefix.size()) + ") = " + conn_.Quote(prefix) +
                                        " ORDER BY BINARY SCHEMA_NAME"));
    std::vector<std::string> names;
    for (std::size_t i = 0; i < r.rows.size(); ++i) names.push_back(mariadb::Cell(r, i, 0));
    return names;
  }

 private:
  static constexpr std::string_view kTemplateComment = "strata testdb template";

  class HeldBy : public RunLock {
   public:
    explicit HeldBy(mariadb::Connection conn) : conn_(std::move(conn)) {}

   private:
    mariadb::Connection conn_;
  };

  base::DatabaseUrl UrlOf(const std::string& name) const {
    base::DatabaseUrl url = server_;
    url.database_override = name;
    return url;
  }

  // A new database `to` with what `from` holds; dropped again when the copy fails.
  Result<base::DatabaseUrl> Copy(const std::string& from, const std::string& to) {
    STRATA_ASSIGN_OR_RETURN(
        mariadb::QueryResult charset,
        conn_.Query("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
                    "WHERE SCHEMA_NAME = " + conn_.Quote(from)));
    if (charset.rows.empty()) {
      return Status(ErrorCode::kNotFound, fmt::format("the test template {} does not exist", from));
    }
    STRATA_RETURN_IF_ERROR(conn_.Exec(fmt::format("CREATE DATABASE {} CHARACTER SET {} COLLATE {}",
                                                  mariadb::QuoteName(to), mariadb::Cell(charset, 0, 0),
                                                  mariadb::Cell(charset, 0, 1))));
    Status copied = Fill(from, to);
    if (!copied.ok()) {
      (void)Drop(to);
      return std::move(copied).WithPrefix(fmt::format("copying {} to {}: ", from, to));
    }
    return UrlOf(to);
  }

  Status Fill(const std::string& from, const std::string& to) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Driver> source, OpenMariadb(UrlOf(from), OpenOptions{}));
    STRATA_ASSIGN_OR_RETURN(schema::Schema schema, source->Introspect({.include_strata_tables = true}));
    STRATA_ASSIGN_OR_RETURN(std::vector<Driver::CounterState> counters, source->CounterStateSql());
    STRATA_ASSIGN_OR_RETURN(mariadb::Connection target, mariadb::Connection::Open(UrlOf(to)));
    const schema::DumpParts parts = schema::DumpStatements(schema);
    for (const auto* part : {&parts.session_begin, &parts.before_data}) {
      for (const std::string& statement : *part) STRATA_RETURN_IF_ERROR(target.Exec(statement));
    }
    for (const schema::Table& t : schema.tables) {
      std::vector<std::string> columns;
      for (const schema::Column& c : t.columns) {
        if (c.generated.empty()) columns.push_back(mariadb::QuoteName(c.name));  // computed by the server
      }
      if (columns.empty()) continue;
      const std::string list = fmt::format("{}", fmt::join(columns, ", "));
      STRATA_RETURN_IF_ERROR(target.Exec(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}.{}",
                                                     mariadb::QuoteName(t.name), list, list, mariadb::QuoteName(from),
                                                     mariadb::QuoteName(t.name))));
    }
    // The rows set most counters right already: only the others (rows deleted at the end) change.
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Driver> copy, OpenMariadb(UrlOf(to), OpenOptions{}));
    STRATA_ASSIGN_OR_RETURN(std::vector<Driver::CounterState> copied, copy->CounterStateSql());
    std::set<std::string> already;
    for (const Driver::CounterState& c : copied) already.insert(c.sql);
    for (const Driver::CounterState& c : counters) {
      if (!already.count(c.sql)) STRATA_RETURN_IF_ERROR(target.Exec(c.sql));
    }
    for (const auto* part : {&parts.after_data, &parts.session_end}) {
      for (const std::string& statement : *part) STRATA_RETURN_IF_ERROR(target.Exec(statement));
    }
    return Status::Ok();
  }

  base::DatabaseUrl server_;
  mariadb::Connection conn_;
};

}  // namespace

Result<std::unique_ptr<TemplateStore>> OpenMariadbTemplates(const base::DatabaseUrl& server) {
  STRATA_ASSIGN_OR_RETURN(mariadb::Connection conn, mariadb::Connection::Open(server));
  return std::unique_ptr<TemplateStore>(std::make_unique<MariadbTemplates>(server, std::move(conn)));
}

Result<std::unique_ptr<ScratchDatabase>> CreateMariadbScratch(const base::DatabaseUrl& server) {
  STRATA_ASSIGN_OR_RETURN(mariadb::Connection conn, mariadb::Connection::Open(server));
  STRATA_ASSIGN_OR_RETURN(mariadb::QueryResult defaults,
                          conn.Query("SELECT @@character_set_database, @@collation_database"));
  std::random_device rd;
  std::string name = fmt::format("strata_scratch_{}_{:08x}", ::getpid(), static_cast<unsigned>(rd()));
  std::string create = "CREATE DATABASE " + mariadb::QuoteName(name);
  if (!defaults.rows.empty() && !mariadb::IsNull(defaults, 0, 0) && !mariadb::IsNull(defaults, 0, 1)) {
    create += " CHARACTER SET " + mariadb::Cell(defaults, 0, 0) + " COLLATE " + mariadb::Cell(defaults, 0, 1);
  }
  Status created = conn.Exec(create);
  if (!created.ok()) {
    return std::move(created).WithPrefix(
        "cannot create a scratch database (strata replays migrations there; the user needs the CREATE and DROP "
        "privileges on databases named strata_scratch_*, or pass another server with --scratch-url): ");
  }
  base::DatabaseUrl url = server;
  url.database_override = name;
  return std::unique_ptr<ScratchDatabase>(std::make_unique<MariadbScratch>(server, std::move(url), name));
}

}  // namespace strata::driver
