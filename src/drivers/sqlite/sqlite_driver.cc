#include "drivers/sqlite/sqlite_driver.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>


#include <chrono>
#include <climits>
#include <cstring>
#include <set>
#include <tuple>

#include "base/text.h"
#include "drivers/sqlite/fk_tracker.h"
#include "drivers/sqlite/sqlite_lock.h"
#include "drivers/sqlite/sqlite_backup.h"
#include "drivers/sqlite/sqlite_log.h"
#include "drivers/sqlite/sqlite_schema.h"
#include "drivers/sqlite/sqlite_stmt.h"
#include "sql/sqlite_lexer.h"
#include "sql/sqlite_split.h"
#include "sql/statement.h"

namespace strata::driver {

namespace {

struct DbCloser {
  bool owned = true;  // false for a connection the application lent us
  void operator()(sqlite3* db) const {
    if (owned) sqlite3_close_v2(db);
  }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

class SqliteDriver : public Driver {
 public:
  SqliteDriver(DbPtr db, std::string path, OpenOptions options, bool placeholder)
      : db_(std::move(db)), path_(std::move(path)), options_(std::move(options)), placeholder_(placeholder) {
    quoted_table_ = base::QuoteIdentifier(options_.history_table);
  }

  ~SqliteDriver() override {
    cache_ = {};
    Rollback();
  }

  Engine engine() const override { return Engine::kSqlite; }

  Result<bool> HistoryExists() override {
    StmtPtr s;
    STRATA_RETURN_IF_ERROR(Prepare("SELECT type FROM sqlite_schema WHERE name = ?1", s));
    sqlite3_bind_text(s.get(), 1, options_.history_table.c_str(), -1, SQLITE_STATIC);
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return false;
    if (rc != SQLITE_ROW) return EngineError("cannot read the schema");
    std::string type = ColumnText(s.get(), 0);
    if (type != "table") return WrongLayout(fmt::format("it is a {}", type));

    STRATA_RETURN_IF_ERROR(Prepare("SELECT name FROM pragma_table_info(?1)", s));
    sqlite3_bind_text(s.get(), 1, options_.history_table.c_str(), -1, SQLITE_STATIC);
    std::set<std::string> have;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) have.insert(ColumnText(s.get(), 0));
    if (rc != SQLITE_DONE) return EngineError("cannot read the history table's columns");
    std::set<std::string> want(std::begin(kHistoryColumns), std::end(kHistoryColumns));
    if (have != want) {
      std::string cols;
      for (const std::string& c : have) cols += (cols.empty() ? "" : ", ") + c;
      return WrongLayout(fmt::format("its columns are ({})", cols));
    }
    return true;
  }

  Status CreateHistory() override {
    STRATA_RETURN_IF_ERROR(BeginWrite());
    std::string ddl = fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (\n"
        "  version INTEGER PRIMARY KEY NOT NULL,\n"
        "  name TEXT NOT NULL,\n"
        "  checksum TEXT NOT NULL,\n"
        "  applied_at TEXT NOT NULL,\n"
        "  execution_ms REAL NOT NULL,\n"
        "  state TEXT NOT NULL CHECK (state IN ('applied', 'dirty', 'baseline')),\n"
        "  strata_version TEXT NOT NULL\n"
        ")",
        quoted_table_);
    Status st = Exec(ddl.c_str(), "cannot create the history table");
    if (!st.ok()) {
      Rollback();
      return st;
    }
    return Commit();
  }

  Result<std::vector<HistoryRow>> ReadHistory() override {
    StmtPtr s;
    STRATA_RETURN_IF_ERROR(Prepare(fmt::format("SELECT version, name, checksum, applied_at, execution_ms, state, "
                                               "strata_version FROM {}",
                                               quoted_table_),
                                   s));
    std::vector<HistoryRow> rows;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      HistoryRow r;
      r.version = KeyToVersion(sqlite3_column_int64(s.get(), 0));
      r.name = ColumnText(s.get(), 1);
      r.checksum = ColumnText(s.get(), 2);
      r.applied_at = ColumnText(s.get(), 3);
      r.execution_ms = sqlite3_column_double(s.get(), 4);
      r.state = ParseRowState(ColumnText(s.get(), 5));
      r.strata_version = ColumnText(s.get(), 6);
      rows.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return EngineError("cannot read the history table");
    return rows;
  }

  Result<std::int64_t> ChangeToken() override {
    // Changes exactly when another connection commits; our own commits leave it alone.
    sqlite3_stmt* s = nullptr;
    STRATA_RETURN_IF_ERROR(Cached(cache_.data_version, "PRAGMA data_version", s));
    int rc = sqlite3_step(s);
    std::int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW) return EngineError("cannot read PRAGMA data_version");
    return v;
  }

  Result<std::uint64_t> LegacyVersion() override {
    StmtPtr s;
    STRATA_RETURN_IF_ERROR(Prepare("PRAGMA user_version", s));
    if (sqlite3_step(s.get()) != SQLITE_ROW) return EngineError("cannot read PRAGMA user_version");
    std::int64_t v = sqlite3_column_int64(s.get(), 0);
    return static_cast<std::uint64_t>(v < 0 ? 0 : v);
  }

  bool Writable() const override { return !placeholder_; }

  Result<std::unique_ptr<RunLock>> LockRun() override {
    if (placeholder_ || path_.empty() || path_ == ":memory:") return NoRunLock();
    return LockDatabaseFile(path_, options_.lock_timeout);
  }

  Status BeginWrite() override {
    STRATA_RETURN_IF_ERROR(EnsureWritable());
    auto start = std::chrono::steady_clock::now();
    int rc = sqlite3_exec(db_.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return Status(ErrorCode::kAborted,
                    fmt::format("could not take the write lock on {} within {:.1f} s: another strata run or the "
                                "application is writing to it",
                                path_, waited))
          .WithRemedy(Remedy::kLockTimeout);
    }
    if (rc != SQLITE_OK) return EngineError("cannot begin a transaction");
    if (fk_tracker_) {
      Status begun = fk_tracker_->Begin();
      if (!begun.ok()) {
        Rollback();
        return begun;
      }
    } else if (options_.foreign_keys && !fk_baseline_taken_) {
      // Violations that existed before strata ran are not blamed on a migration.
      auto v = ForeignKeyViolations();
      if (!v.ok()) {
        Rollback();
        return v.status();
      }
      fk_baseline_ = std::move(*v);
      fk_baseline_taken_ = true;
    }
    return Status::Ok();
  }

  Status Commit() override {
    int rc = sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      Status st = EngineError("cannot commit");
      Rollback();
      return st;
    }
    return Status::Ok();
  }

  void Rollback() override {
    if (fk_tracker_) fk_tracker_->Invalidate();
    if (db_ && !sqlite3_get_autocommit(db_.get())) {
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }

  // sqlite3_interrupt is meant to be called from another thread; the statement running returns
  // SQLITE_INTERRUPT, and one that starts after the last one ended is not touched.
  void CancelOnServer() override { sqlite3_interrupt(db_.get()); }

  Status Execute(std::string_view sql, const ExecOptions& options, const StatementObserver& observer) override {
    (void)options;  // SQLite always runs statement by statement, in or out of a transaction
    // Autocommit statements would otherwise land in the placeholder and vanish with it.
    STRATA_RETURN_IF_ERROR(EnsureWritable());
    STRATA_RETURN_IF_ERROR(sql::RejectNul(sql));
    // One NUL-terminated copy, and every prepare is told that the rest of it ends in that NUL: a
    // length that does not include a terminator makes SQLite copy the whole remaining text before
    // each statement, which turns a large file into quadratic work.
    const std::string owned(sql);
    const char* base = owned.c_str();
    const char* end = base + owned.size();
    const char* tail = base;
    while (tail < end) {
      sqlite3_stmt* raw = nullptr;
      const char* next = nullptr;
      std::size_t at = static_cast<std::size_t>(tail - base);
      std::size_t stmt_begin = sql::SkipSpaceAndComments(sql, at);
      if (stmt_begin >= sql.size()) break;
      if (Cancelled()) return Failed("cancelled before this statement", stmt_begin, StatementAt(sql, stmt_begin));
      auto t0 = std::chrono::steady_clock::now();
      int rc = sqlite3_prepare_v2(db_.get(), tail, static_cast<int>(end - tail + 1), &raw, &next);
      StmtPtr stmt(raw);
      if (rc != SQLITE_OK) {
        int off = sqlite3_error_offset(db_.get());
        std::size_t where = off >= 0 ? at + static_cast<std::size_t>(off) : stmt_begin;
        return Failed(sqlite3_errmsg(db_.get()), where, StatementAt(sql, stmt_begin));
      }
      if (!stmt) {  // only comments or whitespace left
        if (next <= tail) break;
        tail = next;
        continue;
      }
      std::string_view text(tail, static_cast<std::size_t>(next - tail));
      if (fk_tracker_) {
        // Before the statement runs: remember the violations that the tables it writes have now.
        Status snapshot = fk_tracker_->SnapshotNewTables();
        if (!snapshot.ok()) return std::move(snapshot).WithSqlOffset(stmt_begin);
      }
      while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      }
      if (rc != SQLITE_DONE) {
        return Failed(sqlite3_errmsg(db_.get()), stmt_begin, base::Trim(text));
      }
      if (observer) {
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        observer(stmt_begin, static_cast<std::size_t>(next - base), ms);
      }
      tail = next;
    }
    return Status::Ok();
  }

  // SQLite's words for statements that need autocommit mode ("cannot VACUUM from within a
  // transaction", "Safety level may not be changed inside a transaction").
  bool CannotRunInTransaction(const Status& failure) const override {
    const std::string& m = failure.message();
    return m.find("within a transaction") != std::string::npos || m.find("inside a transaction") != std::string::npos;
  }

  Status CheckIntegrity() override {
    if (!options_.foreign_keys) return Status::Ok();
    std::vector<Violation> now;
    if (fk_tracker_) {
      STRATA_ASSIGN_OR_RETURN(now, fk_tracker_->Finish());
    } else {
      // An application's connection (its authorizer is left alone): compare whole-database checks.
      STRATA_ASSIGN_OR_RETURN(auto all, ForeignKeyViolations());
      for (const auto& v : all) {
        if (!fk_baseline_.count(v)) now.push_back(v);
      }
    }
    std::string detail;
    std::size_t fresh = 0;
    for (const auto& v : now) {
      if (++fresh <= 5) {
        detail += fmt::format("\n  {} row {} has no matching row in {} (foreign key #{})", std::get<0>(v),
                              std::get<1>(v), std::get<2>(v), std::get<3>(v));
      }
    }
    if (fresh == 0) return Status::Ok();
    if (fresh > 5) detail += fmt::format("\n  ... and {} more", fresh - 5);
    return Status(ErrorCode::kSqlError,
                  fmt::format("PRAGMA foreign_key_check found {} row(s) that violate a foreign key after this "
                              "migration:{}",
                              fresh, detail));
  }

  Status InsertHistory(const HistoryRow& row) override {
    sqlite3_stmt* s = nullptr;
    STRATA_RETURN_IF_ERROR(Cached(cache_.insert,
                                  fmt::format("INSERT INTO {} (version, name, checksum, applied_at, execution_ms, "
                                              "state, strata_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                              quoted_table_),
                                  s));
    BindRow(s, row);
    return StepDone(s, "cannot record the migration in the history table");
  }

  Status UpdateHistory(const HistoryRow& row) override {
    sqlite3_stmt* s = nullptr;
    STRATA_RETURN_IF_ERROR(Cached(cache_.update,
                                  fmt::format("UPDATE {} SET name = ?2, checksum = ?3, applied_at = ?4, "
                                              "execution_ms = ?5, state = ?6, strata_version = ?7 "
                                              "WHERE version = ?1",
                                              quoted_table_),
                                  s));
    BindRow(s, row);
    return StepDone(s, "cannot update the history table");
  }

  Status DeleteHistory(std::uint64_t version) override {
    sqlite3_stmt* s = nullptr;
    STRATA_RETURN_IF_ERROR(
        Cached(cache_.remove, fmt::format("DELETE FROM {} WHERE version = ?1", quoted_table_), s));
    sqlite3_bind_int64(s, 1, VersionToKey(version));
    return StepDone(s, "cannot delete from the history table");
  }

  Status AppendLog(const LogRow& row) override {
    STRATA_RETURN_IF_ERROR(EnsureWritable());
    return AppendSqliteLog(db_.get(), options_.history_table + "_log", row);
  }

  Result<std::vector<LogRow>> ReadLog(std::size_t limit) override {
    return ReadSqliteLog(db_.get(), options_.history_table + "_log", limit);
  }

  bool EnforcesForeignKeys() const override { return options_.foreign_keys; }
  Status SuspendForeignKeys() override {
    if (!sqlite3_get_autocommit(db_.get())) {
      return Status(ErrorCode::kFailedPrecondition,
                    "foreign keys cannot be switched off inside a transaction (SQLite ignores the pragma there)");
    }
    STRATA_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys = OFF", "cannot switch foreign keys off"));
    StmtPtr s;
    STRATA_RETURN_IF_ERROR(Prepare("PRAGMA foreign_keys", s));
    if (sqlite3_step(s.get()) != SQLITE_ROW || sqlite3_column_int(s.get(), 0) != 0) {
      return Status(ErrorCode::kFailedPrecondition, "foreign keys could not be switched off on " + path_);
    }
    return Status::Ok();
  }
  void ResumeForeignKeys() override {
    Rollback();
    sqlite3_exec(db_.get(), options_.foreign_keys ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", nullptr,
                 nullptr, nullptr);
  }
  std::string DatabasePath() const override { return path_ == ":memory:" ? std::string() : path_; }
  Status BackupTo(const std::string& path) override { return BackupSqlite(db_.get(), path); }
  Status RestoreFrom(const std::string& path) override {
    STRATA_RETURN_IF_ERROR(EnsureWritable());
    if (fk_tracker_) fk_tracker_->Invalidate();
    return RestoreSqlite(db_.get(), path);
  }

  Result<schema::Schema> Introspect(const IntrospectOptions& options) override {
    return IntrospectSqlite(db_.get(), options_.history_table, options);
  }
  Result<std::int64_t> CountRows(const std::string&, const std::string& table) override {
    return CountSqliteRows(db_.get(), table);
  }
  Result<TableFingerprint> Fingerprint(const std::string&, const std::string& table) override {
    return FingerprintSqlite(db_.get(), table);
  }

  Status ReadRowsAsSql(const std::string&, const std::string& table, const std::vector<std::string>& columns,
                       const std::function<Status(std::string_view)>& row) override {
    return ReadSqliteRowsAsSql(db_.get(), table, columns, row);
  }
  Result<std::vector<CounterState>> CounterStateSql() override { return SqliteCounterStateSql(db_.get()); }

  Result<std::vector<Row>> Query(const std::string& sql, std::chrono::milliseconds timeout) override {
    STRATA_RETURN_IF_ERROR(sql::RejectNul(sql));
    STRATA_ASSIGN_OR_RETURN(StmtPtr stmt, PrepareStmt(db_.get(), sql, "cannot run the query"));
    if (!sqlite3_stmt_readonly(stmt.get())) {
      return Status(ErrorCode::kInvalidArgument, "a query that writes was refused: " + base::OneLine(sql));
    }
    // SQLite has no statement timeout: a progress handler interrupts the query at the deadline.
    struct Deadline {
      std::chrono::steady_clock::time_point at;
    } deadline{std::chrono::steady_clock::now() + timeout};
    bool in_transaction = sqlite3_get_autocommit(db_.get()) == 0;
    if (timeout.count() > 0 && !in_transaction) {
      sqlite3_progress_handler(
          db_.get(), 1000,
          [](void* d) { return std::chrono::steady_clock::now() > static_cast<Deadline*>(d)->at ? 1 : 0; }, &deadline);
    }
    std::vector<Row> rows;
    Status status = Status::Ok();
    while (true) {
      auto step = StepStmt(stmt.get(), "the query failed");
      if (!step.ok()) {
        status = step.status();
        break;
      }
      if (!*step) break;
      Row row;
      for (int c = 0; c < sqlite3_column_count(stmt.get()); ++c) {
        if (sqlite3_column_type(stmt.get(), c) == SQLITE_NULL) row.emplace_back(std::nullopt);
        else row.emplace_back(ColumnText(stmt.get(), c));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_progress_handler(db_.get(), 0, nullptr, nullptr);
    STRATA_RETURN_IF_ERROR(status);
    return rows;
  }

  Status MirrorVersion(std::uint64_t version) override {
    // user_version is a signed 32-bit header field: timestamp versions do not fit and are not mirrored.
    if (version > static_cast<std::uint64_t>(INT_MAX)) return Status::Ok();
    std::string sql = fmt::format("PRAGMA user_version = {}", version);
    return Exec(sql.c_str(), "cannot set PRAGMA user_version");
  }

 private:

  static Status Failed(const char* message, std::size_t offset, std::string_view statement) {
    return Status(ErrorCode::kSqlError, message)
        .WithSqlOffset(offset)
        .WithLocation(SourceLocation{.statement = std::string(statement)});
  }

  // The statement that starts at `begin`, for messages (prepare failed, so there is no stmt).
  static std::string_view StatementAt(std::string_view sql, std::size_t begin) {
    sql::StatementSpan span = sql::SqliteStatementAt(sql, begin);
    if (span.begin == span.end) return base::Trim(sql.substr(begin));
    return base::Trim(sql.substr(span.begin, span.end - span.begin));
  }

  Status WrongLayout(const std::string& why) {
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("a table named {} exists but is not a strata history table ({}); strata will not "
                              "reuse it.",
                              options_.history_table, why))
        .WithRemedy(Remedy::kHistoryTable);
  }

  Status EngineError(const std::string& what) {
    int code = sqlite3_errcode(db_.get());
    ErrorCode ec = (code == SQLITE_NOTADB || code == SQLITE_CANTOPEN || code == SQLITE_IOERR ||
                    (code & 0xFF) == SQLITE_IOERR || code == SQLITE_CORRUPT)
                       ? ErrorCode::kUnavailable
                       : (code & 0xFF) == SQLITE_BUSY ? ErrorCode::kAborted
                                                      : ErrorCode::kSqlError;
    return Status(ec, fmt::format("{}: {} ({})", what, sqlite3_errmsg(db_.get()), path_));
  }

  Status Prepare(const std::string& sql, StmtPtr& out) {
    auto prepared = PrepareStmt(db_.get(), sql, "cannot prepare a statement");
    // EngineError picks the code from the engine's error (a busy or unreadable file).
    if (!prepared.ok()) return EngineError("cannot prepare a statement");
    out = std::move(*prepared);
    return Status::Ok();
  }

  Status Cached(StmtPtr& slot, const std::string& sql, sqlite3_stmt*& out) {
    if (!slot) STRATA_RETURN_IF_ERROR(Prepare(sql, slot));
    sqlite3_reset(slot.get());
    sqlite3_clear_bindings(slot.get());
    out = slot.get();
    return Status::Ok();
  }

  Status StepDone(sqlite3_stmt* s, const char* what) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return EngineError(what);
    return Status::Ok();
  }

  Status Exec(const char* sql, const char* what) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) return EngineError(what);
    return Status::Ok();
  }

  void BindRow(sqlite3_stmt* s, const HistoryRow& r) {
    sqlite3_bind_int64(s, 1, VersionToKey(r.version));
    sqlite3_bind_text(s, 2, r.name.data(), static_cast<int>(r.name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, r.checksum.data(), static_cast<int>(r.checksum.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, r.applied_at.data(), static_cast<int>(r.applied_at.size()), SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 5, r.execution_ms);
    sqlite3_bind_text(s, 6, RowStateName(r.state), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, r.strata_version.data(), static_cast<int>(r.strata_version.size()), SQLITE_TRANSIENT);
  }

  Result<std::set<Violation>> ForeignKeyViolations() {
    StmtPtr s;
    STRATA_RETURN_IF_ERROR(Prepare("PRAGMA foreign_key_check", s));
    std::set<Violation> out;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      out.emplace(ColumnText(s.get(), 0), sqlite3_column_int64(s.get(), 1), ColumnText(s.get(), 2),
                  sqlite3_column_int64(s.get(), 3));
    }
    if (rc != SQLITE_DONE) return EngineError("PRAGMA foreign_key_check failed");
    return out;
  }

  // A read-only open of a missing file reads as an empty in-memory database; a write needs the
  // real file.
  Status EnsureWritable() {
    if (!placeholder_) return Status::Ok();
    return Status(ErrorCode::kInternal, "write attempted on a read-only open of a missing database");
  }

  struct Cache {
    StmtPtr data_version, insert, update, remove;
  };

  DbPtr db_;
  std::string path_;
  OpenOptions options_;
  bool placeholder_;
  std::string quoted_table_;
  Cache cache_;
  bool fk_baseline_taken_ = false;
  std::set<Violation> fk_baseline_;
  std::unique_ptr<ForeignKeyTracker> fk_tracker_;  // owned connections with foreign keys on

 public:
  void TrackForeignKeys() { fk_tracker_ = std::make_unique<ForeignKeyTracker>(db_.get()); }
};

}  // namespace

namespace {
Status Configure(sqlite3* db, const std::string& path, const OpenOptions& options) {
  sqlite3_extended_result_codes(db, 1);
  auto ms = options.lock_timeout.count();
  sqlite3_busy_timeout(db, ms > INT_MAX ? INT_MAX : static_cast<int>(ms));
  // Must be set outside any transaction: inside one SQLite silently ignores it.
  const char* fk = options.foreign_keys ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF";
  if (sqlite3_exec(db, fk, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status(ErrorCode::kUnavailable,
                  fmt::format("cannot configure SQLite database {}: {}", path, sqlite3_errmsg(db)));
  }
  // Touch the schema now so that "not a database" is reported as a connection problem.
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) != SQLITE_OK) {
    int code = sqlite3_errcode(db);
    return Status(code == SQLITE_BUSY ? ErrorCode::kAborted : ErrorCode::kUnavailable,
                  fmt::format("cannot read SQLite database {}: {}", path, sqlite3_errmsg(db)));
  }
  return Status::Ok();
}
}  // namespace

Result<std::unique_ptr<Driver>> WrapSqlite(sqlite3* connection, const OpenOptions& options) {
  if (!sqlite3_get_autocommit(connection)) {
    return Status(ErrorCode::kFailedPrecondition,
                  "the application's SQLite connection is inside a transaction; strata needs to start its own");
  }
  const char* file = sqlite3_db_filename(connection, "main");
  std::string path = file && *file ? file : ":memory:";
  STRATA_RETURN_IF_ERROR(Configure(connection, path, options));
  DbPtr db(connection, DbCloser{false});
  return std::unique_ptr<Driver>(std::make_unique<SqliteDriver>(std::move(db), path, options, false));
}

Result<std::unique_ptr<Driver>> OpenSqlite(const base::DatabaseUrl& url, const OpenOptions& options) {
  bool memory = url.path == ":memory:";
  struct stat st {};
  bool exists = memory || ::stat(url.path.c_str(), &st) == 0;
  bool placeholder = options.read_only && !exists;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (placeholder || memory || !options.read_only ? SQLITE_OPEN_CREATE : 0);
  std::string path = placeholder ? ":memory:" : url.path;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return Status(ErrorCode::kUnavailable,
                  fmt::format("cannot open SQLite database {}: {}", url.path, raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  STRATA_RETURN_IF_ERROR(Configure(db.get(), url.path, options));
  auto driver = std::make_unique<SqliteDriver>(std::move(db), url.path, options, placeholder);
  if (options.foreign_keys && !placeholder) driver->TrackForeignKeys();
  return std::unique_ptr<Driver>(std::move(driver));
}

}  // namespace strata::driver
