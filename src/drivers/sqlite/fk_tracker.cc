#include "drivers/sqlite/fk_tracker.h"

#include <fmt/format.h>

#include "base/text.h"

namespace strata::driver {

namespace {

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

std::string Text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

}  // namespace

ForeignKeyTracker::ForeignKeyTracker(sqlite3* db) : db_(db) { sqlite3_set_authorizer(db_, &Authorize, this); }

ForeignKeyTracker::~ForeignKeyTracker() { sqlite3_set_authorizer(db_, nullptr, nullptr); }

int ForeignKeyTracker::Authorize(void* self, int action, const char* a1, const char* a2, const char*, const char*) {
  auto* t = static_cast<ForeignKeyTracker*>(self);
  if (!t->watching_) return SQLITE_OK;
  const char* table = nullptr;
  switch (action) {
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
    case SQLITE_CREATE_TABLE:
    case SQLITE_DROP_TABLE:
      table = a1;
      break;
    case SQLITE_ALTER_TABLE:
      table = a2;
      break;
    default:
      return SQLITE_OK;
  }
  std::string name = base::Lower(table ? table : "");
  if (name.empty() || name.rfind("sqlite_", 0) == 0) return SQLITE_OK;
  if (action == SQLITE_CREATE_TABLE) t->created_.insert(name);
  if (action == SQLITE_DROP_TABLE) t->dropped_.insert(name);
  if (action == SQLITE_ALTER_TABLE) t->altered_ = true;
  if (!t->seen_.count(name)) t->pending_.insert(name);
  return SQLITE_OK;
}

Status ForeignKeyTracker::Begin() {
  seen_.clear();
  pending_.clear();
  snapshotted_.clear();
  before_.clear();
  created_.clear();
  dropped_.clear();
  altered_ = false;
  STRATA_ASSIGN_OR_RETURN(std::int64_t version, SchemaVersion());
  if (!graph_valid_ || version != graph_schema_version_) STRATA_RETURN_IF_ERROR(LoadGraph());
  watching_ = true;
  return Status::Ok();
}

Result<std::int64_t> ForeignKeyTracker::SchemaVersion() {
  bool was = watching_;
  watching_ = false;
  Stmt q;
  std::int64_t v = -1;
  int rc = sqlite3_prepare_v2(db_, "PRAGMA schema_version", -1, &q.s, nullptr);
  if (rc == SQLITE_OK && (rc = sqlite3_step(q.s)) == SQLITE_ROW) v = sqlite3_column_int64(q.s, 0);
  watching_ = was;
  if (rc != SQLITE_ROW) return Status(ErrorCode::kSqlError, fmt::format("cannot read PRAGMA schema_version: {}", sqlite3_errmsg(db_)));
  return v;
}

Result<std::vector<std::pair<std::string, std::string>>> ForeignKeyTracker::EdgesOf(const std::string& table) {
  bool was = watching_;
  watching_ = false;
  Stmt q;
  std::vector<std::pair<std::string, std::string>> out;
  std::string sql = table.empty()
                        ? "SELECT lower(m.name), lower(f.\"table\") FROM sqlite_schema AS m, "
                          "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'"
                        : "SELECT lower(?1), lower(\"table\") FROM pragma_foreign_key_list(?1)";
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr);
  if (rc == SQLITE_OK) {
    if (!table.empty()) sqlite3_bind_text(q.s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) out.emplace_back(Text(q.s, 0), Text(q.s, 1));
  }
  watching_ = was;
  if (rc != SQLITE_DONE) return Status(ErrorCode::kSqlError, fmt::format("cannot read foreign keys: {}", sqlite3_errmsg(db_)));
  return out;
}

Status ForeignKeyTracker::LoadGraph() {
  STRATA_ASSIGN_OR_RETURN(edges_, EdgesOf(""));
  STRATA_ASSIGN_OR_RETURN(graph_schema_version_, SchemaVersion());
  graph_valid_ = true;
  return Status::Ok();
}

Status ForeignKeyTracker::UpdateGraph() {
  if (!graph_valid_ || altered_) return LoadGraph();
  if (created_.empty() && dropped_.empty()) return Status::Ok();
  std::erase_if(edges_, [&](const auto& e) { return created_.count(e.first) || dropped_.count(e.first); });
  for (const std::string& table : created_) {
    if (dropped_.count(table)) continue;
    STRATA_ASSIGN_OR_RETURN(auto edges, EdgesOf(table));
    edges_.insert(edges_.end(), edges.begin(), edges.end());
  }
  STRATA_ASSIGN_OR_RETURN(graph_schema_version_, SchemaVersion());
  return Status::Ok();
}

Result<std::set<Violation>> ForeignKeyTracker::Check(const std::string& table) {
  bool was = watching_;
  watching_ = false;  // our own queries are not the migration's writes
  Stmt q;
  std::set<Violation> out;
  int rc = sqlite3_prepare_v2(db_, "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check(?1)", -1,
                              &q.s, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(q.s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
      out.emplace(Text(q.s, 0), sqlite3_column_int64(q.s, 1), Text(q.s, 2), sqlite3_column_int64(q.s, 3));
    }
  }
  watching_ = was;
  // A table that does not exist (yet, or any more) has no violations.
  if (rc != SQLITE_DONE && std::string(sqlite3_errmsg(db_)).find("no such table") == std::string::npos) {
    return Status(ErrorCode::kSqlError, fmt::format("PRAGMA foreign_key_check({}) failed: {}", table, sqlite3_errmsg(db_)));
  }
  return out;
}

std::set<std::string> ForeignKeyTracker::WithReferencingTables(const std::set<std::string>& tables) const {
  // The closure follows cascades: a child of a child may lose or gain references too.
  std::set<std::string> out = tables;
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [child, parent] : edges_) {
      if (out.count(parent) && out.insert(child).second) grew = true;
    }
  }
  return out;
}

Status ForeignKeyTracker::SnapshotNewTables() {
  if (pending_.empty()) return Status::Ok();
  std::set<std::string> fresh;
  fresh.swap(pending_);
  seen_.insert(fresh.begin(), fresh.end());
  for (const std::string& table : WithReferencingTables(fresh)) {
    if (!snapshotted_.insert(table).second) continue;
    STRATA_ASSIGN_OR_RETURN(auto violations, Check(table));
    before_.insert(violations.begin(), violations.end());
  }
  return Status::Ok();
}

Result<std::vector<Violation>> ForeignKeyTracker::Finish() {
  watching_ = false;
  // The migration may have changed the schema (a table created, or rebuilt and renamed).
  STRATA_RETURN_IF_ERROR(UpdateGraph());
  std::vector<Violation> fresh;
  for (const std::string& table : WithReferencingTables(seen_)) {
    STRATA_ASSIGN_OR_RETURN(auto now, Check(table));
    for (const Violation& v : now) {
      if (!before_.count(v)) fresh.push_back(v);
    }
  }
  return fresh;
}

}  // namespace strata::driver
