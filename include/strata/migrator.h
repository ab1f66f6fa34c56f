// strata's public API: open a database and a set of migrations, inspect them, apply them, roll
// them back. This header and status.h are all an embedding application (and strata's own CLI)
// needs; they use standard types only.
//
// Thread safety: a Migrator is not thread-safe; use one per thread. Several Migrators (in one
// process or many) may work on the same database at once: each migration is applied exactly once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/engine.h"
#include "strata/lint.h"
#include "strata/schema.h"
#include "strata/status.h"
#include "strata/version.h"

struct sqlite3;  // SQLite's connection handle; declared here so that sqlite3.h is not needed

namespace strata {

// Where migrations come from.
class Source {
 public:
  // Every migration file directly inside `path` (not recursive). Files not ending in .sql and
  // hidden files are ignored; a .sql file whose name does not parse is an error.
  // Whatever their origin, migration files are checked when a call first reads them: a name that
  // does not parse, a NUL byte, a malformed marker or directive make that call (and every later
  // one) fail with kInvalidArgument listing every problem, before the database is touched.
  static Source Directory(std::string path);

  // Migrations compiled into the program. `contents` must outlive the Source (string literals
  // from strata_embed_migrations() do). `label` is shown in messages in place of a directory.
  // Checked exactly like a directory's files (see Directory).
  struct File {
    std::string name;
    std::string_view contents;
  };
  static Source Embedded(std::vector<File> files, std::string label = "embedded");

  const std::string& label() const { return path_; }
  bool embedded() const { return embedded_; }
  const std::vector<File>& files() const { return files_; }

 private:
  std::string path_;
  bool embedded_ = false;
  std::vector<File> files_;
};

// How runners that change the same database exclude each other (docs/postgres.md, docs/distributed.md).
enum class LockMode {
  // PostgreSQL: a session advisory lock on the migration connection; SQLite: its file lock.
  kAdvisory,
  // PostgreSQL and MariaDB: a lease row in `<history_table>_lock` beside the history table (created
  // if missing) with its owner, host, pid and expiry, taken and renewed in single autocommit
  // statements on a connection of its own, for servers and poolers without session advisory locks
  // (CockroachDB, YugabyteDB, PgBouncer in transaction mode) and for Galera clusters, which do not
  // replicate GET_LOCK. Each migration commits only while the lease is still this run's; a dead
  // runner's lease is taken over once it expires. Open refuses it for SQLite (kInvalidArgument),
  // which has its file lock.
  kTable,
};

struct Options {
  // Name of the history table. Letters, digits and '_' only.
  std::string history_table = "strata_schema_history";
  // How long to wait for another runner's lock before failing with kAborted.
  std::chrono::milliseconds lock_timeout{60'000};
  LockMode lock_mode = LockMode::kAdvisory;
  // LockMode::kTable: how long a lease lasts unless renewed (1 s to a day). It is renewed every
  // third of that; a run stops with kLockLost before its next commit once its last renewal is
  // older than five sixths of it, and a dead runner's lease is taken over at most this long after
  // its last renewal.
  std::chrono::milliseconds lock_lease{30'000};
  // SQLite: PRAGMA foreign_keys=ON on the connection and PRAGMA foreign_key_check after each
  // migration (a violation rolls it back).
  bool foreign_keys = true;
  // Apply pending migrations older than the newest applied one instead of refusing.
  bool allow_out_of_order = false;
  // PostgreSQL: the schema that holds the history table (created if missing).
  std::string schema = "public";
  // PostgreSQL: put `schema` first in the connection's search_path, so that the migrations' unqualified
  // names mean that schema (a schema per tenant: `strata --schemas`). false: the server's search_path.
  bool schema_first_in_search_path = false;
  // PostgreSQL: SET LOCAL lock_timeout inside each migration's transaction, so a migration that
  // queues behind a long-running query fails fast instead of blocking all traffic behind its
  // lock (0: wait forever).
  std::chrono::milliseconds pg_lock_timeout{10'000};
  // PostgreSQL: SET LOCAL statement_timeout inside each migration's transaction (0: no limit).
  std::chrono::milliseconds statement_timeout{0};
  // Who runs the migrations, recorded in the run log (the CLI uses "user@host").
  std::string actor;
  // `Up` of a migrations directory keeps a stat cache (each file's size, mtime, ctime and inode
  // with its checksum) so that an up-to-date run does not read files that cannot have changed;
  // any run with work, and Verify, status and the rest, read and hash every file. SQLite keeps it
  // beside the database file (`<db>.strata-stat`); PostgreSQL in `stat_cache_dir` (the CLI passes
  // $XDG_CACHE_HOME/strata or ~/.cache/strata; empty: no cache), one file per directory and URL.
  // A missing or corrupt cache is rewritten, never an error. false: no cache at all.
  bool stat_cache = true;
  std::string stat_cache_dir;
};

enum class Direction { kUp, kDown };

enum class MigrationState {
  kApplied,     // ran, file unchanged
  kBaseline,    // recorded by `baseline` without running
  kPending,     // not applied yet
  kOutOfOrder,  // not applied, older than the newest applied version
  kChanged,     // applied, but the file's checksum differs now
  kMissingFile, // applied, but the file is gone
  kDirty,       // a no-transaction migration started and did not finish
  kPartial,     // a migration run statement by statement (MariaDB's DDL) stopped after some of them:
                // `up` resumes it, `down` with DownOptions::partial rolls it back
};

// "applied", "baseline", "pending", "out-of-order", "changed", "missing", "dirty", "partial".
const char* MigrationStateName(MigrationState state);

struct MigrationStatus {
  std::uint64_t version = 0;
  std::string name;
  std::string file;  // empty when missing
  MigrationState state = MigrationState::kPending;
  std::string applied_at;  // UTC ISO 8601; empty when not applied
  double execution_ms = 0;
  bool has_down = false;
  // kPartial: how many statements ran, and how many the file has now (0: not known).
  std::size_t statements_done = 0;
  std::size_t statements = 0;
  // kPartial: a checkpoint cut short, not a migration (strata wrote it: fix what stopped it).
  bool checkpoint = false;
};

struct StatusReport {
  std::vector<MigrationStatus> migrations;  // ascending versions
  std::uint64_t current_version = 0;        // highest applied (0: none)
  std::uint64_t latest_version = 0;         // highest available
  std::size_t pending = 0;                  // pending + out-of-order + partial: what Up() would run
  bool history_exists = false;
  // The database holds a version recorded elsewhere (SQLite PRAGMA user_version) and no history
  // table: run Baseline() before Up().
  bool needs_baseline = false;
  std::uint64_t legacy_version = 0;
  // PostgreSQL: indexes marked INVALID (e.g. left by a failed CREATE INDEX CONCURRENTLY),
  // schema-qualified. `Repair` with drop_invalid_indexes drops them.
  std::vector<std::string> invalid_indexes;
  // PostgreSQL and MariaDB (the advisory lock): when a migration is dirty or partial, who holds
  // the migration lock now ("held by pid 123 (...)"); empty when nobody does (or it cannot be told).
  // A holder means that a run may be in that migration still: it has not necessarily failed.
  std::string run_in_progress;
};

// SQLite: a table rebuild that strata runs in place of ALTER TABLE statements SQLite lacks
// (ADD/DROP CONSTRAINT, ALTER COLUMN, a DROP COLUMN it refuses), with foreign keys off around the
// migration's transaction (docs/migrations.md, "What strata rewrites on SQLite").
struct PlannedRebuild {
  std::string table;
  std::vector<std::string> replaces;    // the ALTER TABLE statements, as written
  // What strata will run, from the table as it is now; empty when an earlier statement of the
  // migration names the table (the statements are then computed when the rebuild runs).
  std::vector<std::string> statements;
};

struct PlannedMigration {
  std::uint64_t version = 0;
  std::string name;
  std::string file;
  Direction direction = Direction::kUp;
  bool transactional = true;
  std::string sql;                       // for a partial migration, from the statement it resumes at
  std::vector<PlannedRebuild> rebuilds;  // in the order they run
  // A partial migration (MigrationState::kPartial): the statement, counted from 1, that up resumes
  // at; 0 for every other migration.
  std::size_t resumes_at = 0;
};

struct AppliedMigration {
  std::uint64_t version = 0;
  std::string name;
  Direction direction = Direction::kUp;
  double ms = 0;
};

// A statement of a run that would destroy rows that exist now, found by the data guard before
// the run starts: DROP TABLE, ALTER TABLE ... DROP COLUMN, TRUNCATE, DELETE without WHERE and
// DROP SCHEMA ... CASCADE, checked against the live schema and counted.
struct DataAtRisk {
  std::uint64_t version = 0;
  std::string name;
  Direction direction = Direction::kUp;
  std::string location;   // file:line:col of the statement
  std::string statement;  // the statement, trimmed
  std::string what;       // "DROP TABLE", "DROP COLUMN", "TRUNCATE", "DELETE without WHERE", "DROP SCHEMA ... CASCADE"
  std::string table;      // schema-qualified on PostgreSQL
  std::string column;     // DROP COLUMN only
  std::int64_t rows = 0;  // rows in `table` now
  // The migration's header says `-- strata:allow-data-loss`: its author accepted this, so it
  // neither needs `force` nor is asked about (it is still reported and backed up).
  bool acknowledged = false;
};

// How a run protects existing data. The defaults refuse to destroy rows and back up nothing
// unless the data guard flags the run.
struct SafetyOptions {
  // Run statements that destroy rows without asking. They are still reported (RunReport).
  bool force = false;
  // Asked when the data guard finds rows at risk and `force` is false; return true to go on.
  // Unset (the default; the CLI without a terminal): the run is refused with kDataAtRisk and
  // nothing changes.
  std::function<bool(const std::vector<DataAtRisk>&)> confirm;
  // SQLite: write a backup before the run even when the data guard flagged nothing. A flagged run
  // that goes ahead is always backed up first, next to the database as
  // `<db>.<version>.<UTC timestamp>.bak`.
  bool backup = false;
  // Called with the current version once the run holds the lock and has work to do, before
  // anything changes; an error stops the run. Returns what to record as the backup in the run log
  // (the CLI's --backup-command runs a user command such as pg_dump here).
  std::function<Result<std::string>(std::uint64_t version)> backup_hook;
  // Up only: before each migration, fingerprint (row count + content hash) every table that the
  // migration's statements do not name; after it, inside its transaction, compare and roll it
  // back with kDataChanged if any differs.
  bool verify_data = false;
};

// A PostgreSQL standby after `up --wait-replicas` (UpOptions::wait_replicas).
struct ReplicaState {
  std::string name;        // its application_name (a standby's cluster_name, else "walreceiver")
  std::string address;     // where it connects from; "local" for a Unix socket
  std::string replay_lsn;  // what it had replayed; empty when this user may not see it (pg_monitor)
  bool caught_up = false;  // it had replayed the run's last commit
  double waited_ms = 0;    // until it had (the whole wait when it had not)
};

struct RunReport {
  std::uint64_t from_version = 0;
  std::uint64_t to_version = 0;
  std::vector<AppliedMigration> migrations;  // in the order they ran
  double total_ms = 0;
  std::string backup_file;               // the backup written (or backup_hook's answer); empty when none
  std::vector<DataAtRisk> data_at_risk;  // destroyed with force or confirmation
  // With UpOptions::wait_replicas, after a run that applied something: every standby connected to
  // the server, and the position (LSN) each had to replay. Empty on SQLite or without standbys.
  std::vector<ReplicaState> replicas;
  std::string replicas_target_lsn;
};

struct UpOptions {
  std::optional<std::uint64_t> target;  // stop after this version
  SafetyOptions safety = {};
  // Lints the migrations the run is about to apply, offline (LintSource's rules, with
  // lint_options.severity), once the run knows it has work and before it takes the lock or
  // changes anything; an up-to-date database is not linted. An error `lint` returns stops the
  // run with that error. Unset: no lint (the CLI's `up` sets it).
  std::function<Status(const LintReport&)> lint;
  LintOptions lint_options;
  // Applies every pending migration in one transaction with one commit: all of them or none.
  // Each still gets its history row (written in that transaction) and SQLite's user_version is set
  // once, at the end. kInvalidArgument before anything runs when a pending migration has
  // `-- strata:no-transaction`; a statement that cannot run inside a transaction fails the run and
  // rolls everything back. On any failure no migration of the run is applied or recorded, and the
  // Status points at the failing statement's file:line:col. Default: one transaction per migration.
  bool single_transaction = false;
  // PostgreSQL: once the run has applied something, wait at most this long until every standby
  // streaming from the server has replayed its last commit (RunReport::replicas says which had).
  // The run itself is done either way; a standby that had not caught up is no error here.
  std::optional<std::chrono::milliseconds> wait_replicas;
};

struct DownOptions {
  std::optional<std::uint64_t> to;     // roll back every version above `to`
  std::optional<std::uint32_t> steps;  // roll back this many versions (default 1)
  SafetyOptions safety = {};
  // Also roll back a partial migration (MigrationState::kPartial) by running its down part, which
  // was written for the whole migration, against the statements that ran. Without it such a
  // migration is refused (kFailedPrecondition with Remedy::kForce).
  bool partial = false;
};

struct VerifyProblem {
  std::uint64_t version = 0;
  std::string name;
  MigrationState state = MigrationState::kChanged;
  std::string message;
};

struct VerifyReport {
  std::vector<VerifyProblem> problems;
  bool ok() const { return problems.empty(); }
};

struct RepairOptions {
  // Dirty migrations: by default their rows are removed so they run again; with mark_applied
  // they are recorded as applied (the user finished them by hand).
  bool mark_applied = false;
  // Also store the current checksum for applied migrations whose files changed.
  bool checksums = false;
  // PostgreSQL: DROP INDEX CONCURRENTLY every index marked INVALID.
  bool drop_invalid_indexes = false;
};

struct RepairReport {
  std::vector<std::string> actions;  // one line per change made
  std::vector<std::string> invalid_indexes;  // INVALID indexes left in place (not asked to drop)
};

enum class EventKind {
  kRunStarted,        // total = migrations to run
  kMigrationStarted,  // version, name, file, direction, index (1-based), total
  kStatementDone,     // statement, ms
  kMigrationDone,     // ms
  kRunFinished,       // ms
  kWarning,           // message: something went wrong that did not stop the run
  kBackup,            // file: the backup written before the run (message: how)
};

struct Event {
  EventKind kind = EventKind::kRunStarted;
  Direction direction = Direction::kUp;
  std::uint64_t version = 0;
  std::string name;
  std::string file;
  std::string statement;
  double ms = 0;
  std::size_t index = 0;
  std::size_t total = 0;
  std::string message;
};

// One run recorded in the run log (the table `<history_table>_log` beside the history table).
struct LogEntry {
  std::int64_t id = 0;
  std::string started_at, finished_at;  // UTC ISO 8601
  std::string command;                  // "up", "down", "baseline", "repair", "restore"
  std::string actor;                    // Options::actor of the runner
  std::uint64_t from_version = 0, to_version = 0;
  std::string migrations;               // JSON array: [{"version":..,"name":..,"direction":..,"ms":..}]
  double duration_ms = 0;
  std::string outcome;                  // "success" or "failed"
  std::string error;                    // the failure, password-free; empty on success
  std::string backup_file;              // the backup taken before the run (restore: the file restored)
  std::string strata_version;
};

// Called synchronously on the thread that called Up/Down/Baseline.
using EventCallback = std::function<void(const Event&)>;

// The engine that `url` names, read exactly as Migrator::Open reads it (the scheme in any case; a
// libpq "key=value" string is PostgreSQL). Opens nothing. kInvalidArgument for a malformed URL;
// the message never contains a password.
Result<Engine> EngineOf(std::string_view url);

// The file that a SQLite URL names, decoded as Migrator::Open decodes it (":memory:" for an
// in-memory database). Opens nothing. kInvalidArgument for a malformed URL or a PostgreSQL one.
Result<std::string> SqlitePathOf(std::string_view url);

class Migrator {
 public:
  // Parses `url` (sqlite:path.db, sqlite:///abs.db, postgres://...) and remembers `source`.
  // The database is opened by the first call, not here, and nothing is created until a call
  // writes; from the first writing call on, the Migrator keeps its connection open until it is
  // destroyed. An embedded source is parsed once; a directory is read again by every call.
  // Up() on an embedded source remembers an up-to-date answer and, while the database reports no
  // change by another connection (SQLite: PRAGMA data_version), answers from it with one query.
  // kInvalidArgument for a malformed URL or option. Messages never contain a password.
  static Result<std::unique_ptr<Migrator>> Open(std::string_view url, Source source, Options options = {});

  // Works on a SQLite connection the application already has open. The connection stays the
  // caller's: it must outlive the Migrator and must not be used by another thread during a call.
  // strata sets PRAGMA foreign_keys (per Options) and the busy timeout (Options::lock_timeout) on
  // it. Writes that the application makes through this same connection to strata's history table
  // are not noticed by the up-to-date shortcut (see docs/library.md).
  static Result<std::unique_ptr<Migrator>> OpenSqlite(sqlite3* connection, Source source, Options options = {});

  virtual ~Migrator() = default;

  // Receives progress events; replaces any earlier callback.
  virtual void SetEventCallback(EventCallback callback) = 0;

  // Reads only; never creates the database file or the history table.
  virtual Result<StatusReport> GetStatus() = 0;
  // What Up (or Down) would run, with the SQL; changes nothing, creates nothing.
  virtual Result<std::vector<PlannedMigration>> PlanUp(const UpOptions& options = {}) = 0;
  virtual Result<std::vector<PlannedMigration>> PlanDown(const DownOptions& options = {}) = 0;

  // Applies pending migrations in version order, each in its own transaction with its history
  // row (and on SQLite PRAGMA user_version). On failure the failing migration is rolled back,
  // earlier ones stay applied, and the Status points at file:line:col. With
  // UpOptions::single_transaction all of them share one transaction instead.
  virtual Result<RunReport> Up(const UpOptions& options = {}) = 0;
  virtual Result<RunReport> Down(const DownOptions& options = {}) = 0;

  // Asks an Up or Down running on another thread to stop where the database is clean, and returns
  // at once (call it from a thread, never from a signal handler; the CLI calls it on SIGINT and
  // SIGTERM). No migration starts after it. A migration that runs in a transaction is stopped
  // where it is (its statement cancelled on the server) and rolled back; one that MariaDB runs
  // statement by statement stops, in Up, after its current statement and is left partial, which
  // `Up` resumes; any other that cannot be rolled back (`-- strata:no-transaction`, a MariaDB down
  // part with DDL) runs to its end. `Up --single-transaction`
  // rolls back all of its work. Up or Down then fails with kInterrupted, saying where it stopped.
  // Sticky: later calls on this Migrator fail the same way; open a new one to go on.
  virtual void Interrupt() = 0;

  // Problems that make the database and the files disagree: changed checksums, missing files,
  // out-of-order pending migrations, dirty migrations, a needed baseline.
  virtual Result<VerifyReport> Verify() = 0;

  // Records every migration up to `version` (default: the legacy PRAGMA user_version) as applied
  // without running it.
  virtual Result<RunReport> Baseline(std::optional<std::uint64_t> version) = 0;

  virtual Result<RepairReport> Repair(const RepairOptions& options) = 0;

  // The run log, newest first, at most `limit` entries. Every Up, Down, Baseline and Repair that
  // changed something or failed while changing it appends one entry; runs with nothing to do do
  // not. Empty when nothing was ever recorded. Reads only.
  virtual Result<std::vector<LogEntry>> Log(std::size_t limit = 100) = 0;

  // SQLite: replaces the database's contents with a backup file (one written by strata or any
  // SQLite database), after checking that it is a valid SQLite database (PRAGMA integrity_check),
  // under the migration lock, and records it in the run log. kInvalidArgument for a file that is
  // not a valid database; kFailedPrecondition on PostgreSQL (restore a pg_dump with pg_restore).
  virtual Result<RunReport> Restore(const std::string& backup_path) = 0;

  // The live schema from the engine's catalog, normalized (schema::Normalize). strata's own
  // tables are left out unless `include_strata_tables`. Reads only; a missing SQLite database
  // reads as empty.
  virtual Result<schema::Schema> InspectSchema(bool include_strata_tables = false) = 0;

  // Lints the migrations `options` select (all, named files, or with pending_only those this
  // database has not applied) in this database's dialect; with live_data, also asks the database,
  // read-only, whether each would fail on the rows it holds now (include/strata/lint.h). Changes
  // nothing and never takes the migration lock.
  virtual Result<LintReport> Lint(const LintOptions& options = {}) = 0;

  // The URL with its password masked.
  virtual std::string RedactedUrl() const = 0;
};

// ---- Schema tools on scratch databases -------------------------------------------------------

// Where strata may create a throwaway database: any `sqlite:` URL means a temporary file (the
// path is ignored); a PostgreSQL URL names a server on which strata creates a temporary database
// (CREATE DATABASE privilege needed) and drops it afterwards, also when the work fails.
struct ScratchOptions {
  std::string url = "sqlite::memory:";
  Options options;  // history table name, foreign keys, ...
  // Asked between steps (each migration of a check, the end of a replay); true stops the work with
  // kAborted, and the scratch database is removed as usual. The CLI sets it from SIGINT/SIGTERM.
  std::function<bool()> interrupted;
};

// The schema that `source`'s migrations produce, applied up to `target` (default: all) on a fresh
// scratch database.
Result<schema::Schema> ReplaySchema(const Source& source, std::optional<std::uint64_t> target,
                                    const ScratchOptions& scratch);

// The schema that a DDL script (e.g. a `strata schema dump`) produces on a fresh scratch database.
// `label` names the script in error messages (file:line:col).
Result<schema::Schema> LoadSchemaScript(std::string_view ddl, const std::string& label,
                                        const ScratchOptions& scratch);

struct ReversibilityProblem {
  std::uint64_t version = 0;
  std::string name;
  std::string message;                  // what failed
  std::vector<schema::Change> changes;  // the schema difference, when that is what failed
};

struct CheckReport {
  std::size_t migrations = 0;  // replayed
  std::size_t reversible = 0;  // with a down part that passed up -> down -> up
  std::size_t without_down = 0;
  std::vector<ReversibilityProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Replays every migration of `source` on a scratch database and, for each one with a down part,
// checks that up then down returns exactly the schema it started from, and that up succeeds
// again with the same schema as the first time. Never touches any other database. A migration
// whose up part fails stops the check (later ones cannot be replayed): kSqlError with its
// location, not a problem in the report.
Result<CheckReport> CheckReversibility(const Source& source, const ScratchOptions& scratch);

// ---- The lock trace (PostgreSQL) ---------------------------------------------------------------

// A table that a migration's transaction held in a mode that blocks writes to it: "ShareLock",
// "ShareRowExclusiveLock", "ExclusiveLock" or "AccessExclusiveLock" (pg_locks' names; the last
// also blocks reads). Held from `location` until the migration commits.
struct TracedLock {
  std::string table;          // schema-qualified
  std::string mode;
  std::string location;       // file:line of the statement that took the lock
  std::string statement;      // that statement, on one line
  bool pre_existing = false;  // the table existed before the migration (a new one blocks no one)
};

// A table that existed before the migration and whose storage a statement replaced (its
// relfilenode changed): ALTER COLUMN TYPE, VACUUM FULL or CLUSTER copied every row under an
// ACCESS EXCLUSIVE lock (TRUNCATE replaces the storage too, empty).
struct TracedRewrite {
  std::string table;      // schema-qualified
  std::string location;   // file:line of the statement that rewrote it (the first, if several did)
  std::string statement;  // on one line
};

struct MigrationTrace {
  std::uint64_t version = 0;
  std::string name;
  std::string file;
  // False for `-- strata:no-transaction`: each statement ran on its own and released its locks when
  // it ended, so no lock is seen (`locks` is empty); rewrites are still seen.
  bool transactional = true;
  // In the order taken (one statement's by table name). A table appears once with the strongest
  // mode its first locking statement took, and again only if a later statement takes a stronger one
  // (CREATE INDEX, then ALTER COLUMN TYPE: ShareLock, then AccessExclusiveLock).
  std::vector<TracedLock> locks;
  std::vector<TracedRewrite> rewritten;  // in the order rewritten
  // PG100: one per pre-existing table held ACCESS EXCLUSIVE while later statements of the migration
  // ran, at the statement that took the lock; ordered by line.
  std::vector<LintFinding> findings;
};

struct LockTraceReport {
  std::vector<MigrationTrace> migrations;  // those options.files selects, ascending versions
};

// Replays `source`'s migrations, in version order, on a scratch PostgreSQL database (scratch.url
// names the server; the database is dropped afterwards, also on failure) and observes each
// statement of the migrations that `options.files` selects (empty: all): after it, inside the
// migration's transaction, the locks that transaction holds and which existing tables' storage
// changed. Migrations after the last selected one are not run. options.severity can change or turn
// off PG100 (kOff: no findings); other options are ignored. strata's history table is not created
// and strata's own tables and the system catalogs are never reported.
// Errors: kFailedPrecondition for a SQLite scratch URL; kNotFound for a name in options.files that
// is no migration's up file; kInvalidArgument for BEGIN/COMMIT in a transactional migration (as Up);
// kSqlError at file:line:col when a statement fails (the trace stops); kAborted when
// scratch.interrupted says so (asked before each migration).
Result<LockTraceReport> TraceLocks(const Source& source, const ScratchOptions& scratch,
                                   const LintOptions& options = {});

// Lints `source`'s migrations without a database, in the dialect of options.engine (default
// SQLite); options.pending_only and live_data need a database (Migrator::Lint) and are ignored.
Result<LintReport> LintSource(const Source& source, const LintOptions& options = {});

// `text` with every password masked (URLs' user:password@ and password=... settings), as strata
// does for all of its own messages.
std::string RedactSecrets(std::string_view text);

// File-name conventions for NewMigration.
enum class FileConvention {
  kAuto,       // the convention of the directory's newest file; kPaired in an empty directory
  kSeed,       // v008_name.sql
  kPaired,     // 0008_name.up.sql + 0008_name.down.sql
  kTimestamp,  // 20250130100000_name.sql with -- migrate:up / -- migrate:down
  kFlyway,     // V8__name.sql + U8__name.sql
};

// Creates the file(s) of the next migration in `dir` and returns their paths. `name` may contain
// letters, digits, spaces, '-' and '_' (spaces become '_'). kInvalidArgument when the directory's
// existing files do not parse; kFailedPrecondition if a file would be overwritten.
Result<std::vector<std::string>> NewMigration(const std::string& dir, std::string_view name,
                                              FileConvention convention = FileConvention::kAuto);

}  // namespace strata
