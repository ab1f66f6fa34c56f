#include "drivers/sqlite/sqlite_log.h"

#include <fmt/format.h>

#include <set>

#include "base/text.h"

namespace strata::driver {

namespace {

constexpr const char* kLogColumns[] = {"id",         "started_at", "finished_at", "command", "actor",
                                       "from_version", "to_version", "migrations", "duration_ms", "outcome",
                                       "error",      "backup_file", "strata_version"};

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

std::string Text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}

Status Error(sqlite3* db, const std::string& what) {
  return Status(ErrorCode::kSqlError, fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

// true: exists with the right columns; false: absent; error: another layout.
Result<bool> Exists(sqlite3* db, const std::string& table) {
  Stmt q;
  if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1, &q.s, nullptr) != SQLITE_OK) {
    return Error(db, "cannot read the run log's columns");
  }
  sqlite3_bind_text(q.s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  std::set<std::string> have;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) have.insert(Text(q.s, 0));
  if (rc != SQLITE_DONE) return Error(db, "cannot read the run log's columns");
  if (have.empty()) return false;
  if (have != std::set<std::string>(std::begin(kLogColumns), std::end(kLogColumns))) {
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("a table named {} exists but is not a strata run log; strata will not reuse it", table));
  }
  return true;
}

}  // namespace

Status AppendSqliteLog(sqlite3* db, const std::string& table, const LogRow& row) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Error(db, "cannot write the run log");
  }
  auto fail = [&](Status st) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  };
  auto exists = Exists(db, table);
  if (!exists.ok()) return fail(exists.status());
  if (!*exists) {
    std::string ddl = fmt::format(
        "CREATE TABLE {} (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, "
        "command TEXT NOT NULL, actor TEXT NOT NULL, from_version INTEGER NOT NULL, to_version INTEGER NOT NULL, "
        "migrations TEXT NOT NULL, duration_ms REAL NOT NULL, outcome TEXT NOT NULL, error TEXT NOT NULL, "
        "backup_file TEXT NOT NULL, strata_version TEXT NOT NULL)",
        base::QuoteIdentifier(table));
    if (sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return fail(Error(db, "cannot create the run log"));
    }
  }
  Stmt ins;
  std::string sql = fmt::format(
      "INSERT INTO {} (started_at, finished_at, command, actor, from_version, to_version, migrations, duration_ms, "
      "outcome, error, backup_file, strata_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
      base::QuoteIdentifier(table));
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &ins.s, nullptr) != SQLITE_OK) {
    return fail(Error(db, "cannot write the run log"));
  }
  const std::string* texts[] = {&row.started_at, &row.finished_at, &row.command, &row.actor};
  for (int i = 0; i < 4; ++i) sqlite3_bind_text(ins.s, i + 1, texts[i]->c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(ins.s, 5, VersionToKey(row.from_version));
  sqlite3_bind_int64(ins.s, 6, VersionToKey(row.to_version));
  sqlite3_bind_text(ins.s, 7, row.migrations.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(ins.s, 8, row.duration_ms);
  const std::string* rest[] = {&row.outcome, &row.error, &row.backup_file, &row.strata_version};
  for (int i = 0; i < 4; ++i) sqlite3_bind_text(ins.s, i + 9, rest[i]->c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(ins.s) != SQLITE_DONE) return fail(Error(db, "cannot write the run log"));
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail(Error(db, "cannot commit the run log"));
  }
  return Status::Ok();
}

Result<std::vector<LogRow>> ReadSqliteLog(sqlite3* db, const std::string& table, std::size_t limit) {
  STRATA_ASSIGN_OR_RETURN(bool exists, Exists(db, table));
  std::vector<LogRow> rows;
  if (!exists) return rows;
  Stmt q;
  std::string sql = fmt::format(
      "SELECT id, started_at, finished_at, command, actor, from_version, to_version, migrations, duration_ms, "
      "outcome, error, backup_file, strata_version FROM {} ORDER BY id DESC LIMIT ?1",
      base::QuoteIdentifier(table));
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q.s, nullptr) != SQLITE_OK) return Error(db, "cannot read the run log");
  sqlite3_bind_int64(q.s, 1, static_cast<sqlite3_int64>(limit));
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
    LogRow r;
    r.id = sqlite3_column_int64(q.s, 0);
    r.started_at = Text(q.s, 1);
    r.finished_at = Text(q.s, 2);
    r.command = Text(q.s, 3);
    r.actor = Text(q.s, 4);
    r.from_version = KeyToVersion(sqlite3_column_int64(q.s, 5));
    r.to_version = KeyToVersion(sqlite3_column_int64(q.s, 6));
    r.migrations = Text(q.s, 7);
    r.duration_ms = sqlite3_column_double(q.s, 8);
    r.outcome = Text(q.s, 9);
    r.error = Text(q.s, 10);
    r.backup_file = Text(q.s, 11);
    r.strata_version = Text(q.s, 12);
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return Error(db, "cannot read the run log");
  return rows;
}

}  // namespace strata::driver
