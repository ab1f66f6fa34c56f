// The interface every database engine implements. Drivers stay dumb: they run what they are
// given and read and write the history table; every policy (what to run, when to refuse, how to
// recover) lives in the engine (src/core). Implementers, in order:
//  1. Open: connect; on SQLite enable foreign keys outside any transaction. A read-only open of a
//     database that does not exist must not create it (see OpenOptions::read_only).
//  2. History: HistoryExists must reject a table of that name with another layout
//     (kFailedPrecondition), CreateHistory must be idempotent and safe against a concurrent runner.
//  3. Locking: LockRun returns a guard held for a whole run that excludes other runners, waiting
//     at most the lock timeout (then kAborted, naming the holder when possible), and released by
//     the operating system or server if the process dies (PostgreSQL: session advisory lock on its
//     migration connection, so that no migration can commit once it is gone; SQLite: flock on a
//     file beside the database); RunLock::Held says when it was lost; BeginWrite starts a
//     transaction that excludes other writers for the lock timeout at most.
//  4. Execute runs statements one at a time with the engine's own parser, and on failure returns
//     kSqlError with Status::sql_offset set to the byte offset inside `sql`.
//  5. Nothing here prints, reads the environment, or throws.
#pragma once

#include <chrono>
#include <cstring>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/url.h"
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
};

struct IntrospectOptions {
  // Also describe strata's own tables (the history table and its run log).
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

struct OpenOptions {
  bool read_only = false;     // status/plan/verify: never create or change anything
  bool foreign_keys = true;   // SQLite: PRAGMA foreign_keys=ON and foreign_key_check
  std::chrono::milliseconds lock_timeout{60'000};
  std::string history_table = "strata_schema_history";
  std::string strata_version;
  std::string schema = "public";                    // PostgreSQL
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
  // PostgreSQL session holding it ended; the SQLite lock file was removed or replaced). Cheap (no
  // round trip): the engine asks before every commit and after every failed step.
  virtual Status Held() const { return Status::Ok(); }
};

class Driver {
 public:
  virtual ~Driver() = default;

  virtual std::string_view Dialect() const = 0;
  // False for a read-only open of a database that does not exist yet (nothing may be written
  // through this driver; open a new one without read_only to create the database).
  virtual bool Writable() const { return true; }

  // False when the table is absent. kFailedPrecondition when a table of that name has another
  // layout.
  virtual Result<bool> HistoryExists() = 0;
  // Creates the history table if missing (own transaction; safe against concurrent runners).
  virtual Status CreateHistory() = 0;
  // All rows, any order. Requires HistoryExists() == true.
  virtual Result<std::vector<HistoryRow>> ReadHistory() = 0;
  // A cheap value that differs from the previous call on this driver whenever another connection
  // may have changed the history since (it may also differ for other reasons; the engine then
  // re-reads). Read inside a write transaction. SQLite: PRAGMA data_version.
  virtual Result<std::int64_t> ChangeToken() = 0;
  // A version recorded by other means (SQLite: PRAGMA user_version); 0 when none.
  virtual Result<std::uint64_t> LegacyVersion() = 0;

  virtual Result<std::unique_ptr<RunLock>> LockRun() = 0;

  // Starts a write transaction, waiting at most the lock timeout for other writers.
  virtual Status BeginWrite() = 0;
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
  // True when `failure` (from Execute inside a transaction) means that the statement cannot run
  // inside a transaction at all (SQLite: VACUUM; PostgreSQL: SQLSTATE 25001, such as CREATE INDEX
  // CONCURRENTLY). The engine then points the user at `-- strata:no-transaction`.
  virtual bool CannotRunInTransaction(const Status& failure) const = 0;
  // Engine-specific consistency checks at the end of a migration, inside its transaction
  // (SQLite: PRAGMA foreign_key_check when foreign keys are on).
  virtual Status CheckIntegrity() = 0;

  // History writes; inside BeginWrite/Commit. A driver may send them with the next statement, so
  // their errors can also surface at Commit.
  virtual Status InsertHistory(const HistoryRow& row) = 0;
  virtual Status UpdateHistory(const HistoryRow& row) = 0;  // matched by version
  virtual Status DeleteHistory(std::uint64_t version) = 0;
  // Records the highest applied version where the engine has a place for it (SQLite:
  // PRAGMA user_version when it fits in 31 bits). Inside the transaction.
  virtual Status MirrorVersion(std::uint64_t version) = 0;

  // Appends to the run log in a transaction of its own, creating the log table if needed
  // (kFailedPrecondition if a table of that name has another layout).
  virtual Status AppendLog(const LogRow& row) = 0;
  // Newest first, at most `limit` rows; empty when the log table does not exist.
  virtual Result<std::vector<LogRow>> ReadLog(std::size_t limit) = 0;

  // The schema from the engine's catalog (PostgreSQL: every schema but the system ones), normalized
  // (schema::Normalize). Inside or outside a transaction.
  virtual Result<schema::Schema> Introspect(const IntrospectOptions& options) = 0;
  // Rows in a table; `schema` empty means the default one.
  virtual Result<std::int64_t> CountRows(const std::string& schema, const std::string& table) = 0;
  virtual Result<TableFingerprint> Fingerprint(const std::string& schema, const std::string& table) = 0;

  // False when foreign keys (and so ON DELETE CASCADE) are not enforced on this connection
  // (SQLite with foreign keys off).
  virtual bool EnforcesForeignKeys() const { return true; }
  // SQLite: the database file's path, where backups go beside it; empty where there is none
  // (in-memory database, PostgreSQL).
  virtual std::string DatabasePath() const { return std::string(); }
  // Writes a consistent copy of the whole database to `path` (SQLite backup API), outside any
  // transaction. kFailedPrecondition where the engine has no such thing.
  virtual Status BackupTo(const std::string& path) {
    return Status(ErrorCode::kFailedPrecondition,
                  Unsupported("backups to a file", path));
  }
  // Replaces the database's contents with those of the database file `path`, which must pass
  // PRAGMA integrity_check (kInvalidArgument otherwise). Outside any transaction.
  virtual Status RestoreFrom(const std::string& path) {
    return Status(ErrorCode::kFailedPrecondition, Unsupported("restoring from a file", path));
  }

  // Indexes the engine marks unusable, e.g. left by a failed CREATE INDEX CONCURRENTLY
  // (PostgreSQL: pg_index.indisvalid = false), schema-qualified. Empty where there is no such thing.
  virtual Result<std::vector<std::string>> InvalidIndexes() { return std::vector<std::string>(); }
  // Drops one index returned by InvalidIndexes (outside any transaction).
  virtual Status DropIndex(const std::string& qualified_name) {
    return Status(ErrorCode::kInternal, "DropIndex is not supported for " + std::string(Dialect()) + " (" +
                                            qualified_name + ")");
  }

 private:
  std::string Unsupported(const char* what, const std::string& path) const {
    return std::string(what) + " (" + path + ") is not supported on " + std::string(Dialect());
  }
};

// A throwaway database for replaying migrations (check, schema diff, drift): a temporary SQLite
// file, or a temporary PostgreSQL database. Destroyed with the object, also after a failure.
class ScratchDatabase {
 public:
  virtual ~ScratchDatabase() = default;
  virtual const base::DatabaseUrl& url() const = 0;
};

}  // namespace strata::driver
