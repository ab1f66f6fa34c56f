#include "drivers/sqlite/sqlite_log.h"

#include <fmt/format.h>

#include <set>

#include "base/text.h"
#include "drivers/sqlite/sqlite_stmt.h"

namespace strata::driver {

namespace {

// true: exists with the right columns; false: absent; error: another layout.
Result<bool> Exists(sqlite3* db, const std::string& table) {
  constexpr std::string_view kWhat = "cannot read the run log's columns";
  STRATA_ASSIGN_OR_RETURN(StmtPtr q, PrepareStmt(db, "SELECT name FROM pragma_table_info(?1)", kWhat));
  BindText(q.get(), 1, table);
  std::set<std::string> have;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, StepStmt(q.get(), kWhat));
    if (!row) break;
    have.insert(ColumnText(q.get(), 0));
  }
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
    return SqliteError(db, "cannot write the run log");
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
      return fail(SqliteError(db, "cannot create the run log"));
    }
  }
  std::string sql = fmt::format(
      "INSERT INTO {} (started_at, finished_at, command, actor, from_version, to_version, migrations, duration_ms, "
      "outcome, error, backup_file, strata_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
      base::QuoteIdentifier(table));
  auto ins = PrepareStmt(db, sql, "cannot write the run log");
  if (!ins.ok()) return fail(ins.status());
  sqlite3_stmt* s = ins->get();
  const std::string* texts[] = {&row.started_at, &row.finished_at, &row.command, &row.actor};
  for (int i = 0; i < 4; ++i) sqlite3_bind_text(s, i + 1, texts[i]->c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 5, VersionToKey(row.from_version));
  sqlite3_bind_int64(s, 6, VersionToKey(row.to_version));
  sqlite3_bind_text(s, 7, row.migrations.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 8, row.duration_ms);
  const std::string* rest[] = {&row.outcome, &row.error, &row.backup_file, &row.strata_version};
  for (int i = 0; i < 4; ++i) sqlite3_bind_text(s, i + 9, rest[i]->c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE) return fail(SqliteError(db, "cannot write the run log"));
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail(SqliteError(db, "cannot commit the run log"));
  }
  return Status::Ok();
}

Result<std::vector<LogRow>> ReadSqliteLog(sqlite3* db, const std::string& table, std::size_t limit) {
  STRATA_ASSIGN_OR_RETURN(bool exists, Exists(db, table));
  std::vector<LogRow> rows;
  if (!exists) return rows;
  std::string sql = fmt::format(
      "SELECT id, started_at, finished_at, command, actor, from_version, to_version, migrations, duration_ms, "
      "outcome, error, backup_file, strata_version FROM {} ORDER BY id DESC LIMIT ?1",
      base::QuoteIdentifier(table));
  constexpr std::string_view kWhat = "cannot read the run log";
  STRATA_ASSIGN_OR_RETURN(StmtPtr q, PrepareStmt(db, sql, kWhat));
  sqlite3_stmt* s = q.get();
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(limit));
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool more, StepStmt(s, kWhat));
    if (!more) break;
    LogRow r;
    r.id = sqlite3_column_int64(s, 0);
    r.started_at = ColumnText(s, 1);
    r.finished_at = ColumnText(s, 2);
    r.command = ColumnText(s, 3);
    r.actor = ColumnText(s, 4);
    r.from_version = KeyToVersion(sqlite3_column_int64(s, 5));
    r.to_version = KeyToVersion(sqlite3_column_int64(s, 6));
    r.migrations = ColumnText(s, 7);
    r.duration_ms = sqlite3_column_double(s, 8);
    r.outcome = ColumnText(s, 9);
    r.error = ColumnText(s, 10);
    r.backup_file = ColumnText(s, 11);
    r.strata_version = ColumnText(s, 12);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace strata::driver
