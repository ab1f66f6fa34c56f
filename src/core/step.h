// The step protocol, in one place: a write transaction that begins with the change-token check and
// rolls back unless committed, and ApplyStep, which runs one migration up or down together with its
// history bookkeeping (including the dirty marker of migrations that run outside a transaction).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/run_context.h"
#include "source/checkpoint.h"
#include "source/migration.h"
#include "strata/migrator.h"

namespace strata::core {

// `error` located at file:line:col from the byte offset (inside `script`'s part) and the statement
// that the driver reported in `where`, with `where`'s remedies; `what` (what happened to the run)
// is added in parentheses. An error without an offset gets `what` as a prefix instead.
Status Locate(Status error, const Status& where, const source::Script& script, const std::string& what);

// A write transaction on ctx.driver, owned by this object: rolled back by the destructor unless
// Commit succeeded. Not copyable; moving it moves the ownership.
class WriteTransaction {
 public:
  // Begins a write transaction (waiting at most the lock timeout for other writers) and reads the
  // driver's change token. When another connection may have changed the history since `ctx` last
  // read or wrote it, the history is read again into ctx.applied and history_changed() is true;
  // the transaction stays open either way. `ctx` must outlive the object.
  static Result<WriteTransaction> Begin(RunContext& ctx);

  WriteTransaction(WriteTransaction&& other) noexcept;
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction();

  bool history_changed() const { return changed_; }
  // The last Commit/CommitWith got as far as calling the commit (the lock was held and the token
  // read): a failure after that may have happened with the COMMIT on its way to the server.
  bool commit_sent() const { return commit_sent_; }

  // Commits, but only while the run still holds its migration lock: kLockLost otherwise, and the
  // transaction is rolled back. Remembers the change token first, so that the next Begin does not
  // mistake this run's own writes for another runner's.
  Status Commit();
  // As Commit, with `commit` doing the commit (and whatever the driver sends with it): the lock is
  // checked and the token taken before it is called; the transaction counts as ended after it,
  // whatever it returns.
  Status CommitWith(const std::function<Status()>& commit);
  // Starts a new transaction after Commit, without the change-token check (the second transaction
  // of a migration that runs outside one).
  Status Reopen();
  // Rolls back the open transaction (nothing may have been written in it yet), runs `outside`
  // with no transaction open, and begins again without the change-token check (this run holds
  // the migration lock): for settings that only take outside a transaction, such as SQLite's
  // foreign keys before a table rebuild. On failure no transaction is open.
  Status RestartAround(const std::function<Status()>& outside);
  // Ends the open transaction without a commit (nothing may have been written in it): what follows
  // commits statement by statement, each history write on its own (Driver::FencesHistoryWrites).
  void End();
  bool open() const { return open_; }

 private:
  explicit WriteTransaction(RunContext& ctx) : ctx_(&ctx) {}

  RunContext* ctx_;
  bool open_ = false;
  bool commit_sent_ = false;
  bool changed_ = false;
};

// A step that is one of several sharing a single transaction (`up --single-transaction`): it
// writes its history row but neither commits nor mirrors the version (the caller does both once,
// after the last step), and a failure says that the whole group was rolled back to `from_version`.
struct Group {
  std::uint64_t from_version = 0;  // the version before the group's first migration
};

// Runs migration `m` in `direction` and records the outcome in the history, inside `tx` (from
// WriteTransaction::Begin, open). Returns the migration's duration in milliseconds; ctx.applied
// then includes the change.
//  - Inside a transaction (the default): the statements, the engine's integrity check, then
//    `before_commit` (up only; an error rolls the migration back), the history row and the
//    mirrored version, one commit. A failure rolls everything back; the Status points into the
//    file (file:line:col) and says the database is still at the previous version.
//  - `-- strata:no-transaction`: the history row is first committed as `dirty`, then the
//    statements run one by one in autocommit mode, then a second transaction records the outcome.
//    A failure leaves the row `dirty` (ctx.applied says so) and the Status says how to repair it.
// With `covers` (a checkpoint, up, inside a transaction), the history gets one baseline row per
// covered migration instead of m's own row; the duration goes to the row of m's version.
//  - With `group` (up only, never a no-transaction migration: kInternal): as inside a transaction,
//    without the commit and the mirrored version; ctx.applied includes the migration on success and
//    the caller restores it if the group fails later.
Result<double> ApplyStep(RunContext& ctx, WriteTransaction& tx, const source::Migration& m, Direction direction,
                         const std::function<void(const Event&)>& emit,
                         const std::function<Status()>& before_commit = nullptr, const Group* group = nullptr,
                         const std::vector<source::Covered>* covers = nullptr);

// A partial migration (plan::Applied::partial(): it ran statement by statement and stopped half
// way) against its file as it is now.
struct PartialProgress {
  std::vector<std::string> done;                                // the hash of each statement that ran
  std::vector<std::pair<std::size_t, std::size_t>> statements;  // the file's statements now, in its up part
};
Result<PartialProgress> ReadProgress(const RunContext& ctx, const plan::Applied& partial);

// Which of the first `done` statements (spans into `sql`) a resume runs again first, in its new
// session, because they set the session up (MariaDB: SET foreign_key_checks, sql_mode, NAMES, user
// variables, USE); 0-based, ascending. None on the other engines.
std::vector<std::size_t> SessionSetupToRepeat(const RunContext& ctx, std::string_view sql,
                                              const std::vector<std::pair<std::size_t, std::size_t>>& statements,
                                              std::size_t done);

// kFailedPrecondition at file:line:col of the first statement that changed since it ran, in a
// partial migration of `versions`: a migration resumes after its last statement that ran only when
// every statement that ran is still there, byte for byte. Checked before anything runs.
Status RefuseEditedProgress(const RunContext& ctx, const std::vector<std::uint64_t>& versions);

// kInvalidArgument naming the first migration of `versions` that runs outside a transaction
// (`-- strata:no-transaction`), which `up --single-transaction` cannot apply. Checked before
// anything runs.
// A `checkpoint` about to start a fresh database is checked first: on MariaDB it commits statement by
// statement too.
Status RefuseOutsideTransaction(const RunContext& ctx, const std::vector<std::uint64_t>& versions,
                                const source::Checkpoint* checkpoint = nullptr);

// Why `script` runs statement by statement in autocommit mode on MariaDB, though it does not say
// `-- strata:no-transaction` ("because ..."), or empty: a statement that commits by itself (DDL and
// the others sql::MysqlRunsInTransaction keeps out), or a table it names whose engine cannot roll
// back (MyISAM, Aria), which a rollback would leave changed. Empty on the other engines.
std::string WhyStatementByStatement(const RunContext& ctx, const source::Script& script);
// Whether `script` runs statement by statement in autocommit mode: `-- strata:no-transaction`, or
// WhyStatementByStatement says why.
bool CommitsEachStatement(const RunContext& ctx, const source::Script& script);

// kInvalidArgument at file:line:col for the first statement that would begin, end or abandon a
// transaction in a migration of `versions` (run in `direction`) that runs inside strata's
// transaction. Checked for every step before the first one runs, so that no earlier step commits.
// PostgreSQL text that its grammar cannot split is left to fail when it runs.
Status RefuseTransactionControl(const RunContext& ctx, const std::vector<std::uint64_t>& versions,
                                Direction direction);

}  // namespace strata::core
