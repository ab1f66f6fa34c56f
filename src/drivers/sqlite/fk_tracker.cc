#include "drivers/sqlite/fk_tracker.h"

#include <fmt/format.h>

#include "base/text.h"
#include "drivers/sqlite/sqlite_stmt.h"

namespace strata::driver {

namespace {

// The tracker's own queries are not the migration's writes: while one of these lives, the
// authorizer ignores what is prepared.
class Unwatched {
 public:
  explicit Unwatched(bool& watching) : watching_(watching), was_(watching) { watching_ = false; }
  ~Unwatched() { watching_ = was_; }
  Unwatched(const Unwatched&) = delete;
  Unwatched& operator=(const Unwatched&) = delete;

 private:
  bool& watching_;
  bool was_;
};

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
  Unwatched unwatched(watching_);
  constexpr std::string_view kWhat = "cannot read PRAGMA schema_version";
  STRATA_ASSIGN_OR_RETURN(StmtPtr q, PrepareStmt(db_, "PRAGMA schema_version", kWhat));
  STRATA_ASSIGN_OR_RETURN(bool row, StepStmt(q.get(), kWhat));
  if (!row) return SqliteError(db_, kWhat);
  return sqlite3_column_int64(q.get(), 0);
}

Result<std::vector<std::pair<std::string, std::string>>> ForeignKeyTracker::EdgesOf(const std::string& table) {
  Unwatched unwatched(watching_);
  constexpr std::string_view kWhat = "cannot read foreign keys";
  std::string_view sql = table.empty()
                             ? "SELECT lower(m.name), lower(f.\"table\") FROM sqlite_schema AS m, "
                               "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'"
                             : "SELECT lower(?1), lower(\"table\") FROM pragma_foreign_key_list(?1)";
  STRATA_ASSIGN_OR_RETURN(StmtPtr q, PrepareStmt(db_, sql, kWhat));
  if (!table.empty()) BindText(q.get(), 1, table);
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, StepStmt(q.get(), kWhat));
    if (!row) break;
    out.emplace_back(ColumnText(q.get(), 0), ColumnText(q.get(), 1));
  }
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
  Unwatched unwatched(watching_);
  const std::string what = fmt::format("PRAGMA foreign_key_check({}) failed", table);
  std::set<Violation> out;
  auto q = PrepareStmt(db_, "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check(?1)", what);
  Status failed = q.status();
  if (q.ok()) BindText(q->get(), 1, table);
  while (failed.ok()) {
    Result<bool> row = StepStmt(q->get(), what);
    if (!row.ok()) failed = row.status();
    if (!failed.ok() || !*row) break;
    out.emplace(ColumnText(q->get(), 0), sqlite3_column_int64(q->get(), 1), ColumnText(q->get(), 2),
                sqlite3_column_int64(q->get(), 3));
  }
  // A table that does not exist (yet, or any more) has no violations.
  if (!failed.ok() && std::string(sqlite3_errmsg(db_)).find("no such table") == std::string::npos) return failed;
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
