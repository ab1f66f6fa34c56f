// The interface every database engine implements. Drivers stay dumb: they run what they are
// given and read and write the history table; every policy (what to run, when to refuse, how to
// recover) lives in the engine (src/core). A Driver is one connection: it owns it (unless an
// application lent it, see registry.h's AdoptSqlite), and it and the RunLock it made are used by
// one thread at a time; separate drivers on the same database may run at once, in one process or
// several. Implementers, in order:
//  1. Open: src/drivers/<engine>/, a CMake target of its own that never includes core, plan, cli
//     or another driver; registry.cc is the only file that names it. Connect (kUnavailable when
//     the database cannot be reached, kUnauthenticated when the credentials are refused, never a
//     password in a message); on SQLite enable foreign keys outside any transaction. A read-only
//     open of a database that does not exist must not create it (see OpenOptions::read_only): it
//     reads as empty, Writable() is false and every write is refused.
//  2. History: HistoryExists must reject a table of that name with another layout
//     (kFailedPrecondition), CreateHistory must be idempotent and safe against a concurrent runner.
//  3. Locking: LockRun returns a guard held for a whole run that excludes other runners, waiting
//     at most the lock timeout (then kAborted, naming the holder when possible), and released by
//     the operating system or server if the process dies (PostgreSQL: session advisory lock on its
//     migration connection, so that no migration can commit once it is gone; SQLite: flock on a
//     file beside the database); RunLock::Held says when it was lost; BeginWrite starts a
//     transaction that excludes other writers for the lock timeout at most. With
//     OpenOptions::lock_kind kLease (PostgreSQL, MariaDB) the lock is a lease row that expires when its
//     runner stops renewing it, and every Commit of a BeginWrite transaction is conditional on
//     the lease (kLockLost, nothing committed, once it is no longer this run's).
//  4. Execute runs statements one at a time with the engine's own parser, and on failure returns
//     kSqlError with Status::sql_offset set to the byte offset inside `sql`.
//  5. Introspect fills schema::Schema from the catalog, leaves strata's own tables out unless asked,
//     and returns it normalized; CountRows and Fingerprint read any table, quoting its name.
//  6. The run log (`<history table>_log`) is created by the first AppendLog. Where the engine has
//     no place for a version outside the history table, MirrorVersion does nothing and
//     LegacyVersion returns 0; where it has no backups to a file or no invalid indexes, keep the
//     defaults below (kFailedPrecondition; an empty list).
//  7. Nothing here prints, reads the environment, or throws; a failure is a Status whose code says
//     what the caller should do next (include/strata/status.h).
//  8. Conformance: pass tests/driver_conformance: instantiate it in tests/<engine>_driver_test.cc
//     with a harness that opens a fresh, empty database and the capability parameters
//     (ConformanceParams: Capabilities for backups, the mirrored version's range and whether an open
//     creates the database; Spellings for how the engine reports the suite's SQL; EngineSql for
//     what only the engine's own SQL can do). That file then adds only what is peculiar to the
//     engine.
#pragma once

#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/url.h"
#include "strata/engine.h"
#include "strata/schema.h"
#include "strata/status.h"

namespace strata::driver {

enum class RowState { kApplied, kDirty, kBaseline };

const char* RowStateName(RowState state);

// "dirty" / "baseline" / anything else is "applied".
inline RowState ParseRowState(std::string_view s) {
  if (s == "dirty") return RowState::kDirty;
  if (s == "baseline") return RowState::kBaseline;
  return RowState::kApplied;
}

// The history table's columns, in every engine.
inline constexpr const char* kHistoryColumns[] = {"version",      "name",  "checksum",      "applied_at",
                                                  "execution_ms", "state", "strata_version"};
// The run log's columns (`<history table>_log`), the same on every engine.
inline constexpr const char* kLogColumns[] = {"id",           "started_at", "finished_at", "command",     "actor",
                                              "from_version", "to_version", "migrations",  "duration_ms", "outcome",
                                              "error",        "backup_file", "strata_version"};

// Versions are unsigned 64-bit; the engines store signed 64-bit integers. The bits round-trip
// unchanged (versions above 2^63 read back as negative numbers in SQL, and sort there accordingly).
inline std::int64_t VersionToKey(std::uint64_t v) {
  std::int64_t k;
  std::memcpy(&k, &v, sizeof k);
  return k;
}
inline std::uint64_t KeyToVersion(std::int64_t k) {
  std::uint64_t v;
  std::memcpy(&v, &k, sizeof v);
  return v;
}

struct HistoryRow {
  std::uint64_t version = 0;
  std::string name;
  std::string checksum;
  std::string applied_at;  // UTC, ISO 8601
  double execution_ms = 0;
  RowState state = RowState::kApplied;
  std::string strata_version;
  // Only where the driver RecordsProgress(), and only on a dirty row: how far the migration got,
  // as the hash of each statement that ran (see StatementHash), separated by spaces ("" when none
  // did). std::nullopt on every other row; writing a row with std::nullopt clears it.
  std::optional<std::string> progress;
};

// The 16 hex digits of a statement's SHA-256 (its text exactly as it ran) kept in
// HistoryRow::progress.
std::string StatementHash(std::string_view statement);

struct IntrospectOptions {
  // Also describe strata's own tables (the history table, its run log and its lock table).
  bool include_strata_tables = false;
  // Give expression text the stable form needed to compare definitions (PostgreSQL: a second pass
  // through the server on temporary copies). Callers that need only tables and keys (the data
  // guard, --verify-data) turn it off.
  bool canonical_expressions = true;
};

// A table's size and content, to prove a migration left it alone.
struct TableFingerprint {
  std::int64_t rows = 0;
  std::string hash;  // independent of row order; equal contents give equal hashes
};

// How LockRun excludes other runners (checklist point 3).
enum class LockKind {
  kSession,  // PostgreSQL: a session advisory lock on the migration connection; SQLite: its file lock
  kLease,    // PostgreSQL, MariaDB: a lease row in `<history table>_lock`, renewed on a connection of its own
};

struct OpenOptions {
  bool read_only = false;     // status/plan/verify: never create or change anything
  bool foreign_keys = true;   // SQLite: PRAGMA foreign_keys=ON and foreign_key_check
  std::chrono::milliseconds lock_timeout{60'000};
  LockKind lock_kind = LockKind::kSession;
  // kLease: how long a lease lasts without renewal (renewed every third of it); a dead runner's
  // lease is taken over at most this long after its last renewal.
  std::chrono::milliseconds lock_lease{30'000};
  // Called once when LockRun starts to wait for another runner, with who holds the lock (for a
  // progress message). May be empty.
  std::function<void(const std::string&)> lock_waiting;
  std::string history_table = "strata_schema_history";
  std::string strata_version;
  std::string schema = "public";                    // PostgreSQL
  bool schema_first_in_search_path = false;         // PostgreSQL: `schema`, then the server's search_path
  std::chrono::milliseconds pg_lock_timeout{10'000};  // PostgreSQL, per migration (SET LOCAL)
  std::chrono::milliseconds statement_timeout{0};     // PostgreSQL, per migration (SET LOCAL)
};

// One row of the run log (`<history table>_log`); see strata::LogEntry for the fields.
struct LogRow {
  std::int64_t id = 0;
  std::string started_at, finished_at, command, actor;
  std::uint64_t from_version = 0, to_version = 0;
  std::string migrations;
  double duration_ms = 0;
  std::string outcome, error, backup_file, strata_version;
};

// Called after each statement: its byte range in the executed text and its duration.
using StatementObserver = std::function<void(std::size_t begin, std::size_t end, double ms)>;

// Held for a whole run; releasing it is the destructor's job and never fails. Destroy it before
// the driver that made it.
class RunLock {
 public:
  virtual ~RunLock() = default;
  // Ok while this run still holds the lock; kLockLost when it can no longer be sure it does (the
  // PostgreSQL session holding it ended; a lease's last renewal is too old or found another owner;
  // the SQLite lock file was removed or replaced). Cheap (no round trip), and safe to call while a
  // lease is renewed on another thread: the engine asks before every commit and after every
  // failed step.
  virtual Status Held() const { return Status::Ok(); }
  // What this lock cannot promise on this server, for the engine to warn about (empty: nothing).
  // MariaDB: a Galera node's GET_LOCK keeps out runners on that node only.
  virtual std::string Caveat() const { return {}; }
};

class Driver {
 public:
  // Rolls back a transaction left open and closes the connection (one lent by the application
  // stays open). Never fails; destroy every RunLock made by this driver first.
  virtual ~Driver() = default;
  Driver() = default;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // The engine behind this driver (EngineName spells it as schema::Schema::dialect does). Constant,
  // no I/O.
  virtual Engine engine() const = 0;
  // False for a read-only open of a database that does not exist yet (nothing may be written
  // through this driver; open a new one without read_only to create the database): it reads as an
  // empty database, and BeginWrite, CreateHistory, AppendLog, Execute and RestoreFrom fail. True
  // for every other open, read_only included (keeping a read-only command from writing is the
  // engine's job). Constant, no I/O.
  virtual bool Writable() const { return true; }

  // False when the table is absent. kFailedPrecondition when a table of that name has another
  // layout.
  virtual Result<bool> HistoryExists() = 0;
  // Creates the history table if missing (own transaction; safe against concurrent runners).
  // Outside any transaction; fails where the driver is not Writable().
  virtual Status CreateHistory() = 0;
  // All rows, any order. Requires HistoryExists() == true (kSqlError otherwise). Inside or outside
  // a transaction; inside, the transaction's own writes are seen.
  virtual Result<std::vector<HistoryRow>> ReadHistory() = 0;
  // HistoryExists() and, when it is true, ReadHistory(), with their errors: std::nullopt when the
  // table is absent. A driver may answer in one round trip (PostgreSQL: a two-statement pipeline),
  // which is what an up-to-date run costs.
  virtual Result<std::optional<std::vector<HistoryRow>>> ReadHistoryIfExists() {
    STRATA_ASSIGN_OR_RETURN(bool exists, HistoryExists());
    if (!exists) return std::optional<std::vector<HistoryRow>>();
    STRATA_ASSIGN_OR_RETURN(std::vector<HistoryRow> rows, ReadHistory());
    return std::optional<std::vector<HistoryRow>>(std::move(rows));
  }
  // A cheap value that differs from the previous call on this driver whenever another connection
  // may have changed the history since (it may also differ for other reasons; the engine then
  // re-reads). Read inside a write transaction. SQLite: PRAGMA data_version.
  virtual Result<std::int64_t> ChangeToken() = 0;
  // A version recorded by other means (SQLite: PRAGMA user_version, also the one MirrorVersion
  // wrote); 0 when none, and always 0 where the engine has no such place (PostgreSQL).
  virtual Result<std::uint64_t> LegacyVersion() = 0;

  // Takes the run lock (checklist point 3), waiting at most OpenOptions::lock_timeout: kAborted
  // when another runner still holds it, naming the holder when the engine can tell. The guard
  // borrows this driver's connection. Where there is nothing to lock (an in-memory or not yet
  // existing SQLite database) it returns a guard that holds nothing.
  virtual Result<std::unique_ptr<RunLock>> LockRun() = 0;
  // Without taking it: who holds the run lock now ("held by pid 123 (...)"), or "" when nobody
  // does or the driver cannot tell (SQLite, the lease). Read-only; for `status`, which must not
  // call a migration that another runner is in the middle of a failed one.
  virtual Result<std::string> RunLockHolder() { return std::string(); }

  // Starts a write transaction, waiting at most the lock timeout for other writers (then
  // kAborted). Fails where the driver is not Writable(). A driver may send BEGIN with the next
  // statement (PostgreSQL), so a failure to begin can also surface there.
  virtual Status BeginWrite() = 0;
  // Commits BeginWrite's transaction. On failure nothing of the transaction is kept and no
  // transaction is left open. While this driver's lease lock (LockKind::kLease) is held, the
  // commit also renews the lease inside the transaction and fails with kLockLost, committing
  // nothing, when the lease expired or another runner took it; ExecuteAndCommit likewise.
  virtual Status Commit() = 0;
  // Rolls back the open transaction, if any. Never fails loudly.
  virtual void Rollback() = 0;

  // Runs every statement of `sql`, one at a time, as given: deciding what may run (transaction
  // control inside a transaction, for instance) is the engine's job. `in_transaction` says that the
  // text runs inside BeginWrite's transaction (false: autocommit, statement by statement). With
  // `no_split` the engine receives the text in one piece (PostgreSQL; SQLite always goes statement
  // by statement with its own parser). Text with a NUL byte is refused (kInvalidArgument) before
  // anything runs. On failure: kSqlError (kUnavailable when the connection is gone) with
  // Status::sql_offset at the failing statement inside `sql` and the statement in location().
  struct ExecOptions {
    bool in_transaction = true;
    bool no_split = false;
  };
  virtual Status Execute(std::string_view sql, const ExecOptions& options, const StatementObserver& observer) = 0;
  // Called from another thread while Execute (or ExecuteAndCommit) runs on this driver: asks the
  // server to stop the statement running on the migration's connection, so that Execute returns
  // an error soon (a statement that ends anyway, or none running, is no error). The engine calls
  // it only while the migration runs inside a transaction, whose rollback then undoes all of it.
  // Safe against the concurrent Execute: it uses nothing that Execute uses (SQLite:
  // sqlite3_interrupt; PostgreSQL: the connection's cancel key, on a connection of its own;
  // MariaDB: KILL QUERY from a session of its own). Best effort: a failure is ignored. A server
  // drops a cancel that finds its session between two statements, so Execute also stops before
  // its next statement once this was called (Cancelled()), until ClearCancel().
  void Cancel() {
    cancelled_.store(true);
    CancelOnServer();
  }
  void ClearCancel() { cancelled_.store(false); }
  // True when `failure` (from Execute inside a transaction) means that the statement cannot run
  // inside a transaction at all (SQLite: VACUUM; PostgreSQL: SQLSTATE 25001, such as CREATE INDEX
  // CONCURRENTLY). The engine then points the user at `-- strata:no-transaction`.
  virtual bool CannotRunInTransaction(const Status& failure) const = 0;
  // Engine-specific consistency checks at the end of a migration, inside its transaction
  // (SQLite: PRAGMA foreign_key_check when foreign keys are on).
  virtual Status CheckIntegrity() = 0;

  // History writes; inside BeginWrite/Commit. A driver may send them with the next statement, so
  // their errors can also surface at Commit. Inserting a version that is already there fails
  // (here or at Commit); updating or deleting one that is not there changes nothing and is no error.
  virtual Status InsertHistory(const HistoryRow& row) = 0;
  virtual Status UpdateHistory(const HistoryRow& row) = 0;  // matched by version
  virtual Status DeleteHistory(std::uint64_t version) = 0;

  // Progress of a migration that runs statement by statement, where the engine commits DDL by
  // itself (MariaDB): the history row of a dirty migration also says which statements ran, so that
  // a migration that failed half way can resume where it stopped. Drivers that return true keep
  // HistoryRow::progress in the history table; the others never see it.
  virtual bool RecordsProgress() const { return false; }
  // Writes `progress` into the history row of `version`, outside any transaction (autocommit).
  virtual Status RecordProgress(std::uint64_t version, const std::string& progress) {
    (void)version, (void)progress;
    return Status(ErrorCode::kInternal, "RecordProgress is not supported here");
  }
  // Whether InsertHistory, UpdateHistory and RecordProgress called with no transaction open each
  // commit on their own and, while this driver's RunLock is held, fail once that lock is lost
  // (MariaDB: with GET_LOCK they go through the lock's own session, which holds the lock as long as
  // it lives; with the lease each is a transaction of its own, fenced on the lease, on a session
  // kept for them). Neither touches the migration's own session.
  // The engine then writes the history of a migration that runs statement by statement without a
  // transaction around each row and without asking RunLock::Held first: one round trip per row.
  virtual bool FencesHistoryWrites() const { return false; }
  // Where Execute(sql) would split `sql` into statements on this connection: [begin, end) of each,
  // in order. kInternal unless RecordsProgress().
  virtual Result<std::vector<std::pair<std::size_t, std::size_t>>> Statements(std::string_view sql) {
    (void)sql;
    return Status(ErrorCode::kInternal, "Statements is not supported here");
  }
  // Whether ExecuteAndCommit saves round trips here (PostgreSQL: one pipeline). The engine uses it
  // only for a migration with nothing to check between its statements and its commit.
  virtual bool CommitsInOneTrip() const { return false; }
  // Execute(sql, in a transaction), InsertHistory(row) and Commit(), in BeginWrite's transaction,
  // without waiting for one before sending the next. The row's execution_ms is measured by the
  // server (from BEGIN to the insert). A statement's failure is returned as Execute returns it
  // (sql_offset set); a failure of the insert or the commit without sql_offset. On any such failure
  // nothing is committed and no transaction is left open. One exception, which the engine reports as
  // an unknown outcome: kUnavailable without sql_offset when the connection was lost with no word
  // from the server that the transaction failed (the COMMIT was already on its way, so the server
  // may have committed). kInternal unless CommitsInOneTrip().
  virtual Status ExecuteAndCommit(std::string_view sql, const HistoryRow& row, const StatementObserver& observer) {
    (void)sql, (void)row, (void)observer;
    return Status(ErrorCode::kInternal, "ExecuteAndCommit is not supported here");
  }

  // Records the highest applied version where the engine has a place for it (SQLite:
  // PRAGMA user_version when it fits in 31 bits). Inside the transaction, so it commits or rolls
  // back with it. A version that does not fit, or an engine with no such place, leaves everything
  // as it was and is not an error.
  virtual Status MirrorVersion(std::uint64_t version) = 0;

  // Appends to the run log in a transaction of its own, creating the log table if needed
  // (kFailedPrecondition if a table of that name has another layout). Outside any transaction;
  // needs no history table; fails where the driver is not Writable(). `row.id` is ignored: the
  // driver numbers the entries in the order they were appended.
  virtual Status AppendLog(const LogRow& row) = 0;
  // Newest first, at most `limit` rows, every field as appended (timestamps given as UTC ISO 8601
  // with milliseconds, like HistoryRow::applied_at); empty when the log table does not exist
  // (reading never creates it); kFailedPrecondition if a table of that name has another layout.
  virtual Result<std::vector<LogRow>> ReadLog(std::size_t limit) = 0;

  // The schema from the engine's catalog (PostgreSQL: every schema but the system ones), normalized
  // (schema::Normalize). The history table, its run log and its lock table are left out unless
  // options.include_strata_tables (another history table's are ordinary tables). Inside or outside
  // a transaction; inside, the transaction's own DDL is seen.
  virtual Result<schema::Schema> Introspect(const IntrospectOptions& options) = 0;
  // The tables of the default schema (lower-cased, sorted) that keep their changes when a
  // transaction rolls back (MariaDB: MyISAM, Aria, MEMORY, ...). Empty where every table can roll
  // back, and on the engines where they all can.
  virtual Result<std::vector<std::string>> NonTransactionalTables() { return std::vector<std::string>{}; }
  // Rows in a table; `schema` empty means the default one. Names are given raw (the driver quotes
  // them). kSqlError naming the table when it does not exist. Inside or outside a transaction;
  // inside, the transaction's own writes are counted.
  virtual Result<std::int64_t> CountRows(const std::string& schema, const std::string& table) = 0;
  // The table's row count and a hash of its contents (see TableFingerprint), read like CountRows
  // and with the same errors. An empty table has a hash too, equal for every empty table.
  virtual Result<TableFingerprint> Fingerprint(const std::string& schema, const std::string& table) = 0;

  // Runs one query that only reads and returns its rows, each column as text (std::nullopt for
  // NULL). Inside an open transaction it runs in it and sees its changes (the caller sends only
  // reads there). Outside, it runs on its own, stopped after `timeout` (0: no limit) with
  // kSqlError, and a statement that would write fails without changing anything (SQLite refuses it
  // before it runs, kInvalidArgument; PostgreSQL runs it in a READ ONLY transaction with
  // statement_timeout). For lint's questions about live data and its lock trace.
  using Row = std::vector<std::optional<std::string>>;
  virtual Result<std::vector<Row>> Query(const std::string& sql, std::chrono::milliseconds timeout) = 0;

  // Every row of `table` as the text of one VALUES tuple, "(lit, lit, ...)", of `columns` in that
  // order, each literal in the engine's own syntax so that inserting it back gives an equal value
  // (SQLite: quote(), which also writes blobs and exact reals; PostgreSQL: quote_nullable(), read
  // back through the column's type). On SQLite the column "rowid" is the row's rowid. `row` is
  // called once per row; an error it returns ends the read. For strata checkpoint.
  virtual Status ReadRowsAsSql(const std::string& schema, const std::string& table,
                               const std::vector<std::string>& columns,
                               const std::function<Status(std::string_view)>& row) {
    (void)schema, (void)table, (void)columns, (void)row;
    return Status(ErrorCode::kFailedPrecondition, "this engine cannot write its rows as SQL");
  }
  // Statements that give the engine's counters the state they have now, to follow rows inserted
  // with their keys (PostgreSQL: setval for each sequence that was used; SQLite: the
  // AUTOINCREMENT rows of sqlite_sequence), each with the name of the table the counter belongs
  // to (empty for a sequence of its own). For strata checkpoint.
  struct CounterState {
    std::string table;
    std::string sql;
  };
  virtual Result<std::vector<CounterState>> CounterStateSql() { return std::vector<CounterState>{}; }

  // False when foreign keys (and so ON DELETE CASCADE) are not enforced on this connection
  // (SQLite with foreign keys off).
  virtual bool EnforcesForeignKeys() const { return true; }
  // SQLite: PRAGMA foreign_keys = OFF on this connection until ResumeForeignKeys, for a table
  // rebuild, whose DROP TABLE would otherwise delete (or cascade to) the rows that reference it.
  // Outside any transaction only (inside one SQLite ignores the pragma): kFailedPrecondition there,
  // and when the setting did not take. Does nothing where enforcement cannot be switched
  // (PostgreSQL). EnforcesForeignKeys() keeps answering for the connection as opened.
  virtual Status SuspendForeignKeys() { return Status::Ok(); }
  // Puts enforcement back as the connection was opened (OpenOptions::foreign_keys); rolls back a
  // transaction left open first, so that the pragma takes. Never fails loudly.
  virtual void ResumeForeignKeys() {}
  // SQLite: the database file's path, where backups go beside it; empty where there is none
  // (in-memory database, PostgreSQL).
  virtual std::string DatabasePath() const { return std::string(); }
  // Writes a consistent copy of the whole database to `path` (SQLite backup API), outside any
  // transaction. An existing file is never overwritten (kFailedPrecondition); a copy that fails
  // leaves no file behind. kFailedPrecondition where the engine has no such thing.
  virtual Status BackupTo(const std::string& path) {
    return Status(ErrorCode::kFailedPrecondition,
                  Unsupported("backups to a file", path));
  }
  // Replaces the database's contents with those of the database file `path`, which must pass
  // PRAGMA integrity_check (kInvalidArgument otherwise; kNotFound when there is no such file; the
  // database is then left as it was). Other connections see the restored contents. Outside any
  // transaction; fails where the driver is not Writable(). kFailedPrecondition where the engine has
  // no such thing.
  virtual Status RestoreFrom(const std::string& path) {
    return Status(ErrorCode::kFailedPrecondition, Unsupported("restoring from a file", path));
  }

  // The standbys streaming from this server and whether each has replayed everything committed
  // so far (PostgreSQL: pg_stat_replication's replay_lsn against pg_current_wal_insert_lsn()), asked
  // again every 100 ms until all have or `timeout` ran out. Empty where the engine has no
  // replicas, or none is connected.
  struct Replica {
    std::string name;        // application_name
    std::string address;     // client_addr, "local" for a Unix socket
    std::string replay_lsn;  // empty when this user may not see it
    bool caught_up = false;
    double waited_ms = 0;    // until it had caught up (the whole wait when it had not)
  };
  virtual Result<std::vector<Replica>> WaitForReplicas(std::chrono::milliseconds timeout, std::string* target) {
    (void)timeout, (void)target;
    return std::vector<Replica>();
  }

  // Indexes the engine marks unusable, e.g. left by a failed CREATE INDEX CONCURRENTLY
  // (PostgreSQL: pg_index.indisvalid = false), schema-qualified. Empty where there is no such thing.
  virtual Result<std::vector<std::string>> InvalidIndexes() { return std::vector<std::string>(); }
  // Drops one index returned by InvalidIndexes (outside any transaction); an index that is already
  // gone is no error. kInternal where the engine has no invalid indexes (nothing should ask).
  virtual Status DropIndex(const std::string& qualified_name) {
    return Status(ErrorCode::kInternal, "DropIndex is not supported for " + std::string(EngineName(engine())) + " (" +
                                            qualified_name + ")");
  }

 private:
  std::string Unsupported(const char* what, const std::string& path) const {
    return std::string(what) + " (" + path + ") is not supported on " + std::string(EngineName(engine()));
  }

 protected:
  // Cancel's part on the server (see Cancel); none by default.
  virtual void CancelOnServer() {}
  // Whether Cancel was called since the last ClearCancel: Execute stops before its next statement.
  bool Cancelled() const { return cancelled_.load(); }

 private:
  std::atomic<bool> cancelled_{false};
};

// A throwaway database for replaying migrations (check, schema diff, drift): a temporary SQLite
// file, or a temporary PostgreSQL database. Destroyed with the object, also after a failure.
class ScratchDatabase {
 public:
  // Removes the database (SQLite: its temporary directory; PostgreSQL: DROP DATABASE ... WITH
  // (FORCE)). Never fails loudly; destroy the drivers opened on url() first.
  virtual ~ScratchDatabase() = default;
  // Where to open drivers on it (OpenDriver). Owned by this object; it may carry a password, so
  // print it only as url().Redacted().
  virtual const base::DatabaseUrl& url() const = 0;
};

// Migrated templates and the test databases cloned from them (`strata testdb`). Names are chosen
// by the engine (letters, digits and '_'); a store only creates, renames, copies and drops. On
// SQLite each name is a file `<dir>/<name>.db`; on PostgreSQL a database on the server.
class TemplateStore {
 public:
  virtual ~TemplateStore() = default;
  // Excludes every other builder of template `name`, in any process, until the result is
  // destroyed (released by the OS or server if the process dies); kAborted after `timeout`.
  virtual Result<std::unique_ptr<RunLock>> Lock(const std::string& name, std::chrono::milliseconds timeout) = 0;
  virtual Result<bool> Exists(const std::string& name) = 0;
  // A new, empty database `name` (an older one of that name is dropped first): where a template
  // is built. Open drivers on the returned URL; close them before Rename.
  virtual Result<base::DatabaseUrl> CreateEmpty(const std::string& name) = 0;
  // Renames database `from` to `to` in one step (`to` must not exist).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // A new database `name` with the contents of `template_name` (SQLite: the backup API;
  // PostgreSQL: CREATE DATABASE ... TEMPLATE).
  virtual Result<base::DatabaseUrl> Clone(const std::string& template_name, const std::string& name) = 0;
  // Removes database `name`; one that does not exist is no error.
  virtual Status Drop(const std::string& name) = 0;
  // The names of the databases here that start with `prefix`, sorted.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) = 0;
};

}  // namespace strata::driver
