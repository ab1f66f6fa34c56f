#include "core/step.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <optional>

#include "base/clock.h"
#include "core/rebuild.h"
#include "base/text.h"
#include "sql/destructive.h"
#include "sql/mysql_split.h"
#include "sql/pg_split.h"
#include "sql/sqlite_lexer.h"
#include "sql/sqlite_split.h"
#include "sql/statement.h"

namespace strata::core {

Status Locate(Status error, const Status& where, const source::Script& script, const std::string& what) {
  if (!where.sql_offset()) return std::move(error).WithPrefix(what + ": ");
  std::size_t offset = script.begin + *where.sql_offset();
  std::string statement = where.location() ? where.location()->statement : std::string();
  SourceLocation loc = base::MakeLocation(script.path, *script.text, offset, statement);
  Status out = Status(error.code(), error.message() + " (" + what + ")").WithLocation(std::move(loc));
  for (Remedy r : where.remedies()) out = std::move(out).WithRemedy(r);
  return out;
}

namespace {

using core::Locate;  // the overload below would hide it

Status Locate(const Status& st, const source::Script& script, const std::string& what) {
  return Locate(st, st, script, what);
}

// What one direction of the protocol says and writes; everything else is shared.
struct Words {
  std::string rolled_back;  // a failure inside the transaction
  std::string left_dirty;   // a failure outside one
  std::string subject;      // what ran: "migration 2 (b)", "the rollback of 2 (b)"
  bool checkpoint = false;  // a checkpoint: written by strata, so its text is not what to fix
  std::string interrupted;  // Migrator::Interrupt inside the transaction
};

Words WordsFor(const source::Migration& m, Direction d, std::uint64_t previous, const Group* group) {
  if (group != nullptr) {
    return {fmt::format("migration {} ({}) failed, so the single transaction of this run was rolled back: no "
                        "migration of it was applied and the database is still at version {}",
                        m.version, m.name, group->from_version),
            std::string(), fmt::format("migration {} ({})", m.version, m.name), false,
            fmt::format("interrupted during migration {} ({}), so the single transaction of this run was rolled "
                        "back: no migration of it was applied and the database is still at version {}",
                        m.version, m.name, group->from_version)};
  }
  if (d == Direction::kUp) {
    return {fmt::format("migration {} ({}) was rolled back; the database is still at version {}", m.version, m.name,
                        previous),
            fmt::format("migration {} ({}) ran outside a transaction and is now marked dirty", m.version, m.name),
            fmt::format("migration {} ({})", m.version, m.name), false,
            fmt::format("interrupted during migration {} ({}), which was rolled back; the database is still at "
                        "version {}",
                        m.version, m.name, previous)};
  }
  return {fmt::format("rollback of {} ({}) was undone; the database is still at version {}", m.version, m.name,
                      previous),
          fmt::format("rollback of {} ({}) ran outside a transaction and is now marked dirty", m.version, m.name),
          fmt::format("the rollback of {} ({})", m.version, m.name), false,
          fmt::format("interrupted during the rollback of {} ({}), which was undone; the database is still at "
                      "version {}",
                      m.version, m.name, previous)};
}

}  // namespace

std::string WhyStatementByStatement(const RunContext& ctx, const source::Script& script) {
  if (script.no_transaction || ctx.driver->engine() != Engine::kMariadb) return "";
  // MariaDB commits before and after every DDL statement: only a migration of data statements (and
  // variable settings) can run in a transaction. Anything else (or a file that does not split) runs
  // as if it said `-- strata:no-transaction`, so a failure is never reported as a rollback.
  const std::string ddl = "because MariaDB commits each DDL statement at once";
  auto spans = sql::SplitMysql(script.sql());
  if (!spans.ok() || script.no_split) return ddl;
  for (const sql::StatementSpan& span : *spans) {
    if (!sql::MysqlRunsInTransaction(script.sql().substr(span.begin, span.end - span.begin))) return ddl;
  }
  // Nor can one that names a table whose engine keeps its changes through a rollback.
  auto unsafe = ctx.driver->NonTransactionalTables();
  if (!unsafe.ok() || unsafe->empty()) return "";
  auto analysis = sql::AnalyzeMysql(script.sql());
  if (!analysis.ok()) return "";
  std::vector<std::string> kept;
  std::set_intersection(analysis->referenced.begin(), analysis->referenced.end(), unsafe->begin(), unsafe->end(),
                        std::back_inserter(kept));
  if (kept.empty()) return "";
  const bool one = kept.size() == 1;
  return fmt::format("because {} {} {} whose engine cannot roll back (MyISAM, Aria, MEMORY, ...)",
                     one ? "table" : "tables", fmt::join(kept, ", "), one ? "is one" : "are ones");
}

bool CommitsEachStatement(const RunContext& ctx, const source::Script& script) {
  return script.no_transaction || !WhyStatementByStatement(ctx, script).empty();
}

namespace {

// The start of every message about a migration whose outcome could not be written to the history.
std::string Unrecorded(const source::Script& script, const Words& words) {
  return fmt::format("{}: {} ran, but its outcome cannot be recorded in strata's history table; did it drop, "
                     "rename or alter that table?",
                     script.path, words.subject);
}

// A migration that drops, renames or reshapes strata's history table makes the history write after
// it fail with the engine's bare "no such table", naming no migration (PostgreSQL even reports it
// at COMMIT, where the history write travels). So the table is looked at after the statements,
// inside the migration's transaction where the change is still visible: when the migration's text
// names it, and always after a migration that ran outside a transaction, whose change stays
// (dynamic SQL or DROP SCHEMA ... CASCADE name no table). Other migrations cost no query.
Status RefuseIfHistoryTouched(RunContext& ctx, const source::Script& script, const Words& words,
                              bool implicit) {
  if (ctx.history_table.empty()) return Status::Ok();
  const std::string name = base::Lower(ctx.history_table);
  if (!script.no_transaction && !base::ContainsAnyIgnoringCase(script.sql(), {name})) return Status::Ok();
  // A migration that runs statement by statement only because its engine commits DDL by itself
  // (`implicit`) can touch the table only by naming it, or through dynamic SQL, a stored routine or
  // a dropped database; anything else costs no catalog query.
  if (implicit && !base::ContainsAnyIgnoringCase(script.sql(), {name, "execute", "call", "database", "schema",
                                                                 "prepare", "begin"})) {
    return Status::Ok();
  }
  Result<bool> exists = ctx.driver->HistoryExists();
  std::string what;
  if (exists.ok() && !*exists) what = "is gone";
  if (!exists.ok() && exists.status().code() == ErrorCode::kFailedPrecondition) what = "no longer has its layout";
  // Still there as strata made it, or the question failed: the history write says what it finds.
  if (what.empty()) return Status::Ok();
  std::string outcome = script.no_transaction
                            ? "it ran outside a transaction, so that change stays: put the table back as it was "
                              "before running strata on this database again"
                            : words.rolled_back;
  return Status(ErrorCode::kSqlError,
                fmt::format("{} It did: after it, {} {}, and a migration must leave that table alone ({})",
                            Unrecorded(script, words), ctx.history_table, what, outcome));
}

// `failure` of strata's own bookkeeping after the statements ran (the history row, the mirrored
// version, the commit), said of the migration and with what became of it.
Status NotRecorded(const Status& failure, const source::Script& script, const Words& words, bool committing) {
  std::string outcome = script.no_transaction ? words.left_dirty : words.rolled_back;
  if (committing) return Status(failure.code(), fmt::format("{}: {} ({})", script.path, failure.message(), outcome));
  return Status(failure.code(), fmt::format("{} {} ({})", Unrecorded(script, words), failure.message(), outcome));
}

// The connection was lost once the COMMIT had been sent (or, on the one-trip path, with the COMMIT
// already on its way behind the statements): the server either committed the migration together
// with its history row or rolled both back, and nothing on this side can say which. Saying "rolled
// back" would be a guess; the history, written in the same transaction, is the truth.
Status OutcomeUnknown(const Status& failure, const source::Script& script, const Words& words) {
  return Status(failure.code(),
                fmt::format("{}: the connection was lost with the COMMIT of {} already sent ({}); whether it was "
                            "applied is unknown. Its history row is written in the same transaction, so the database "
                            "holds both or neither: `strata status` shows which, and `strata up` continues correctly "
                            "either way",
                            script.path, words.subject, failure.message()));
}

// Indexes in `after` that are not in `before`, for the message of a failed no-transaction step.
std::string NewInvalidIndexes(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  std::string left;
  for (const std::string& index : after) {
    if (std::find(before.begin(), before.end(), index) == before.end()) left += (left.empty() ? "" : ", ") + index;
  }
  if (left.empty()) return left;
  return fmt::format("; it left INVALID index(es) {} behind, which `strata repair --drop-invalid-indexes` drops", left);
}

// The statements of a migration that runs outside a transaction: committed as dirty first, run in
// autocommit mode, and the second transaction opened for the outcome. On failure ctx.applied marks
// the migration dirty.
Status RunOutsideTransaction(RunContext& ctx, WriteTransaction& tx, const source::Migration& m, Direction d,
                             const source::Script& script, const Words& words,
                             const driver::StatementObserver& observer) {
  driver::HistoryRow dirty = MakeHistoryRow(m, driver::RowState::kDirty, 0, *ctx.clock);
  // Marked dirty (committed) before it starts, so a crash or failure is visible and blocks runs.
  STRATA_RETURN_IF_ERROR(d == Direction::kUp ? ctx.driver->InsertHistory(dirty) : ctx.driver->UpdateHistory(dirty));
  STRATA_RETURN_IF_ERROR(tx.Commit());
  STRATA_ASSIGN_OR_RETURN(auto invalid_before, ctx.driver->InvalidIndexes());
  Status st = ctx.driver->Execute(script.sql(), {.in_transaction = false, .no_split = script.no_split}, observer);
  if (!st.ok()) {
    if (d == Direction::kUp) ctx.applied.push_back(ToApplied(dirty));
    for (plan::Applied& a : ctx.applied) {
      if (a.version == m.version) a.state = plan::AppliedState::kDirty;
    }
    auto invalid_after = ctx.driver->InvalidIndexes();
    std::string left = invalid_after.ok() ? NewInvalidIndexes(invalid_before, *invalid_after) : std::string();
    std::string advice = d == Direction::kUp ? "; fix the database by hand, then run `strata repair`" : "";
    return Locate(std::move(st), script, words.left_dirty + left + advice);
  }
  return tx.Reopen();
}

std::vector<std::string> SplitProgress(const std::string& progress) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < progress.size();) {
    std::size_t space = progress.find(' ', pos);
    if (space == std::string::npos) space = progress.size();
    if (space > pos) out.push_back(progress.substr(pos, space - pos));
    pos = space + 1;
  }
  return out;
}

using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

std::string StatementHashAt(std::string_view sql, std::pair<std::size_t, std::size_t> span) {
  return driver::StatementHash(base::Trim(sql.substr(span.first, span.second - span.first)));
}

// The statements of `script` as the driver will run them one by one.
Result<Spans> StatementsOf(const RunContext& ctx, const source::Script& script) {
  const std::string_view sql = script.sql();
  if (!script.no_split) {
    auto spans = ctx.driver->Statements(sql);
    if (!spans.ok()) return Locate(spans.status(), script, "nothing was run");
    return spans;
  }
  std::string_view t = base::Trim(sql);
  if (t.empty()) return Spans{};
  const std::size_t b = static_cast<std::size_t>(t.data() - sql.data());
  return Spans{{b, b + t.size()}};
}

std::string Ordinal(std::size_t first, std::size_t last) {
  return first == last ? fmt::format("statement {}", first) : fmt::format("statements {} to {}", first, last);
}

// The up part of a checkpoint as it runs: read as one statement so that PostgreSQL gets it in one
// round trip, but MariaDB takes one statement per call, so there it is split like any migration.
source::Script CheckpointScript(const RunContext& ctx, const source::Migration& checkpoint) {
  source::Script script = checkpoint.up;
  if (ctx.driver->engine() == Engine::kMariadb) script.no_split = false;
  return script;
}

// kFailedPrecondition unless every statement of `script` (the up part of `m`, as it runs) that ran,
// by the partial row `a`, is still there byte for byte.
Status RefuseEditedPrefix(const RunContext& ctx, const plan::Applied& a, const source::Migration& m,
                          const source::Script& script) {
  const std::vector<std::string> done = SplitProgress(a.progress.value_or(std::string()));
  STRATA_ASSIGN_OR_RETURN(Spans statements, StatementsOf(ctx, script));
  const std::string_view sql = script.sql();
  const std::string head = fmt::format("migration {} ({}) is partial: {} of it ran before it stopped", m.version,
                                       m.name, Ordinal(1, done.size()));
  for (std::size_t i = 0; i < done.size(); ++i) {
    if (i == statements.size()) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("{}: {}, but the file now has only {} statement{}; it resumes only while the "
                                "statements that ran are still there, byte for byte. Put them back, or undo them "
                                "by hand and run `strata repair` (nothing was run)",
                                script.path, head, statements.size(), statements.size() == 1 ? "" : "s"));
    }
    const auto [b, e] = statements[i];
    const std::string_view text = sql.substr(b, e - b);
    if (StatementHashAt(sql, statements[i]) == done[i]) {
      // It is set up again before the resume (RunWithProgress), unless its value came from the data.
      if (ctx.driver->engine() != Engine::kMariadb || !sql::SetsUserVariableFromData(text)) continue;
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("{}: statement {} gave a user variable a value from a query or a function when it "
                                "ran; the resume runs in a new session, where the same statement could give "
                                "another value (or change something again), so it does not resume. Finish or undo "
                                "the statements that ran by hand and run `strata repair` (nothing was run)",
                                head, i + 1))
          .WithLocation(base::MakeLocation(script.path, *script.text, script.begin + b, base::Trim(text)));
    }
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("statement {} changed after it ran: {}, and it resumes at statement {} only while "
                              "those are still there, byte for byte. Restore statement {} as it ran, or undo the "
                              "statements that ran by hand and run `strata repair` (nothing was run)",
                              i + 1, head, done.size() + 1, i + 1))
        .WithLocation(base::MakeLocation(script.path, *script.text, script.begin + b, base::Trim(text)));
  }
  return Status::Ok();
}

// The statements of a migration that runs outside a transaction, on an engine that records how far
// it got: the history row is committed as dirty first (or, resuming a partial migration, updated),
// then each statement runs in autocommit mode and, unless it is the last, its hash is added to the
// row's progress. A failure leaves the migration partial (ctx.applied says so) and says which
// statements are applied; `up` resumes it at the failed statement. Where the driver fences its
// history writes on the lock, they need no transaction: `tx` is ended at once and left closed (the
// caller then writes the final row on its own too); otherwise it is committed after the dirty row
// and reopened at the end.
Status RunWithProgress(RunContext& ctx, WriteTransaction& tx, const source::Migration& m, const source::Script& script,
                       const Words& words, const std::string& statement_by_statement,
                       const driver::StatementObserver& observer, const std::function<void(const Event&)>& emit) {
  const std::string_view sql = script.sql();
  STRATA_ASSIGN_OR_RETURN(Spans statements, StatementsOf(ctx, script));
  std::string progress;
  auto resumed = std::find_if(ctx.applied.begin(), ctx.applied.end(),
                              [&](const plan::Applied& a) { return a.version == m.version && a.partial(); });
  driver::HistoryRow dirty = MakeHistoryRow(m, driver::RowState::kDirty, 0, *ctx.clock);
  const bool alone = ctx.driver->FencesHistoryWrites();
  if (alone) tx.End();
  if (resumed != ctx.applied.end()) {
    // Against the statements about to run: the checkpoint's when it resumes a checkpoint.
    STRATA_RETURN_IF_ERROR(RefuseEditedPrefix(ctx, *resumed, m, script));
    progress = *resumed->progress;
    dirty.progress = progress;
    STRATA_RETURN_IF_ERROR(ctx.driver->UpdateHistory(dirty));
  } else {
    dirty.progress = progress;
    STRATA_RETURN_IF_ERROR(ctx.driver->InsertHistory(dirty));
  }
  // Committed before the first statement, so a crash or failure is visible and says how far it got.
  if (!alone) STRATA_RETURN_IF_ERROR(tx.Commit());
  std::size_t done = SplitProgress(progress).size();
  auto left_partial = [&] {
    std::erase_if(ctx.applied, [&](const plan::Applied& a) { return a.version == m.version; });
    plan::Applied a = ToApplied(dirty);
    a.progress = progress;
    ctx.applied.push_back(std::move(a));
  };
  // What the statements that ran left in their session and the resume does not make again.
  std::vector<std::string> gone;
  if (resumed != ctx.applied.end()) {
    // This is a new session: what the statements that ran set up in theirs (SET foreign_key_checks,
    // sql_mode, NAMES, user variables, USE) is set up again before the next statement.
    std::vector<std::size_t> again;
    for (std::size_t i : SessionSetupToRepeat(ctx, sql, statements, done)) {
      const auto [b, e] = statements[i];
      const std::string_view text = sql.substr(b, e - b);
      Status st = ctx.driver->Execute(text, {.in_transaction = false, .no_split = true},
                                      [](std::size_t, std::size_t, double) {});
      if (!st.ok()) {
        left_partial();
        Status where = Status(st.code(), st.message())
                           .WithSqlOffset(b + st.sql_offset().value_or(0))
                           .WithLocation(SourceLocation{.statement = std::string(base::Trim(text))});
        return Locate(std::move(where), script,
                      fmt::format("{} resumes at statement {} of {}: statement {} set up the session when it ran, "
                                  "and running it again in this session failed; nothing else ran, and the "
                                  "migration is still partial",
                                  words.subject, done + 1, statements.size(), i + 1));
      }
      again.push_back(i + 1);
    }
    for (std::size_t i = 0; ctx.driver->engine() == Engine::kMariadb && i < done && i < statements.size(); ++i) {
      const auto [b, e] = statements[i];
      const std::string_view object = sql::MysqlSessionObject(sql.substr(b, e - b));
      if (!object.empty()) gone.push_back(fmt::format("statement {} made {}", i + 1, object));
    }
    const bool one = again.size() == 1;
    const std::string rerun =
        again.empty() ? std::string()
                      : fmt::format("; statement{} {}, which set{} up the session, ran again first", one ? "" : "s",
                                    fmt::join(again, ", "), one ? "s" : "");
    emit({.kind = EventKind::kWarning,
          .message = fmt::format("{} resumes at statement {} of {}: {} ran in an earlier run{}", words.subject,
                                 done + 1, statements.size(), done == 0 ? "none of its statements" : Ordinal(1, done),
                                 rerun)});
  }
  const std::string how = !statement_by_statement.empty() ? "ran statement by statement, " + statement_by_statement
                                                            : "ran outside a transaction, statement by statement";
  for (std::size_t i = done; i < statements.size(); ++i) {
    const auto [b, e] = statements[i];
    const std::string_view text = sql.substr(b, e - b);
    Status st = ctx.driver->Execute(text, {.in_transaction = false, .no_split = true},
                                    [&](std::size_t sb, std::size_t se, double ms) { observer(b + sb, b + se, ms); });
    if (!st.ok()) {
      left_partial();
      const std::string applied =
          i == 0 ? std::string("none of its statements ran before it, so nothing of it is applied")
                 : fmt::format("{} of {} {} applied and cannot be rolled back by the engine", Ordinal(1, i),
                               statements.size(), i == 1 ? "is" : "are");
      const std::string fix = words.checkpoint ? fmt::format("remove what made statement {} fail", i + 1)
                                               : fmt::format("fix statement {}", i + 1);
      const std::string resume =
          i == 0 ? fmt::format("{} and run `strata up` again", fix)
          : words.checkpoint
              ? fmt::format("{} and run `strata up` again: it resumes at statement {} (or finish it by hand and run "
                            "`strata repair --mark-applied`)",
                            fix, i + 1)
              : fmt::format("{} and run `strata up` again: it resumes at statement {} as long as {} byte for "
                            "byte as {} ran (or undo {} by hand and run `strata repair`)",
                            fix, i + 1, Ordinal(1, i) + (i == 1 ? " stays" : " stay"), i == 1 ? "it" : "they",
                            i == 1 ? "it" : "them");
      Status where = Status(st.code(), st.message())
                         .WithSqlOffset(b + st.sql_offset().value_or(0))
                         .WithLocation(SourceLocation{.statement = std::string(base::Trim(text))});
      for (Remedy r : st.remedies()) where = std::move(where).WithRemedy(r);
      const std::string lost =
          gone.empty() ? std::string()
                       : fmt::format(". Note: this run resumed in a new session, and {} in the session of the run "
                                     "that stopped, which is gone: if statement {} needs it, finish the migration "
                                     "by hand and run `strata repair --mark-applied`",
                                     fmt::join(gone, ", "), i + 1);
      return Locate(std::move(where), script,
                    fmt::format("{} {}: statement {} of {} failed; {}, and the migration is left partial; {}{}",
                                words.subject, how, i + 1, statements.size(), applied, resume, lost));
    }
    if (i + 1 == statements.size()) break;  // the history row says `applied` next
    std::string next = progress + (progress.empty() ? "" : " ") + StatementHashAt(sql, statements[i]);
    if (Status recorded = ctx.driver->RecordProgress(m.version, next); !recorded.ok()) {
      left_partial();
      return Status(recorded.code(),
                    fmt::format("{}: {} {}: statement {} of {} ran, but recording that failed ({}); {} of it are "
                                "applied while its history row says {}: run `strata status`, then fix the database "
                                "by hand and run `strata repair`",
                                script.path, words.subject, how, i + 1, statements.size(), recorded.message(),
                                Ordinal(1, i + 1), i == 0 ? std::string("none") : Ordinal(1, i)));
    }
    progress = std::move(next);
    if (ctx.Interrupted()) {  // between two statements, with the progress recorded: the resume point
      left_partial();
      return Status(ErrorCode::kInterrupted,
                    fmt::format("{}: interrupted: {} {}, and stopped after statement {} of {}: {} applied and "
                                "recorded, and the migration is left partial; `strata up` resumes it at statement {}",
                                script.path, words.subject, how, i + 1, statements.size(),
                                Ordinal(1, i + 1) + (i == 0 ? " is" : " are"), i + 2));
    }
  }
  return alone ? Status::Ok() : tx.Reopen();
}

// Migrator::Interrupt came while a migration ran inside its transaction, which is not committed.
Status InterruptedInside(const source::Script& script, const Words& words) {
  return Status(ErrorCode::kInterrupted, fmt::format("{}: {}", script.path, words.interrupted));
}

// A statement of a migration that runs inside a transaction failed: said at its place in the file.
Status StatementFailed(const RunContext& ctx, const Status& st, const source::Script& script, const Words& words) {
  std::string why = st.message();
  if (ctx.driver->CannotRunInTransaction(st)) {
    why += " (this statement cannot run inside a transaction: add `-- strata:no-transaction` to the migration's "
           "header)";
  }
  return Locate(Status(st.code(), why), st, script, words.rolled_back);
}

// The statements of a migration inside `tx`, the engine's integrity check and `before_commit`.
Status RunInsideTransaction(RunContext& ctx, const source::Script& script, Direction d, const Words& words,
                            const driver::StatementObserver& observer, const std::function<Status()>& before_commit,
                            const std::vector<sql::rebuild::AlterStatement>& alters, bool foreign_keys_off) {
  Status st;
  {
    // A cancelled statement fails, and the transaction's rollback undoes all of the migration.
    Interruption::Cancellable cancellable(ctx.interruption, ctx.driver.get());
    if (!ctx.Interrupted()) {
      st = alters.empty()
               ? ctx.driver->Execute(script.sql(), {.in_transaction = true, .no_split = script.no_split}, observer)
               : ExecuteWithRebuilds(ctx, script.sql(), alters, foreign_keys_off, observer);
    }
  }
  if (ctx.Interrupted()) return InterruptedInside(script, words);
  if (!st.ok()) return StatementFailed(ctx, st, script, words);
  st = ctx.driver->CheckIntegrity();
  if (!st.ok()) {
    if (d == Direction::kDown) return st;
    return std::move(st).WithPrefix(fmt::format("{}: {}: ", script.path, words.rolled_back));
  }
  if (before_commit) {
    st = before_commit();
    if (!st.ok()) return Status(st.code(), fmt::format("{}: {}\nThe {}.", script.path, st.message(), words.rolled_back));
  }
  return Status::Ok();
}

}  // namespace

Result<WriteTransaction> WriteTransaction::Begin(RunContext& ctx) {
  WriteTransaction tx(ctx);
  STRATA_RETURN_IF_ERROR(ctx.driver->BeginWrite());
  tx.open_ = true;
  STRATA_ASSIGN_OR_RETURN(std::int64_t now, ctx.driver->ChangeToken());
  if (ctx.token && *ctx.token == now) return tx;
  STRATA_ASSIGN_OR_RETURN(auto rows, ctx.driver->ReadHistory());
  ctx.token = now;
  std::vector<plan::Applied> fresh;
  fresh.reserve(rows.size());
  for (const auto& r : rows) fresh.push_back(ToApplied(r));
  auto key = [](const std::vector<plan::Applied>& v) {
    std::vector<std::pair<std::uint64_t, int>> k;
    k.reserve(v.size());
    for (const auto& a : v) k.emplace_back(a.version, static_cast<int>(a.state));
    std::sort(k.begin(), k.end());
    return k;
  };
  tx.changed_ = key(fresh) != key(ctx.applied);
  ctx.applied = std::move(fresh);
  return tx;
}

WriteTransaction::WriteTransaction(WriteTransaction&& other) noexcept
    : ctx_(other.ctx_), open_(other.open_), commit_sent_(other.commit_sent_), changed_(other.changed_) {
  other.open_ = false;
}

WriteTransaction::~WriteTransaction() {
  if (open_) ctx_->driver->Rollback();
}

Status WriteTransaction::Commit() {
  return CommitWith([this] { return ctx_->driver->Commit(); });
}

Status WriteTransaction::CommitWith(const std::function<Status()>& commit) {
  commit_sent_ = false;
  if (ctx_->lock) STRATA_RETURN_IF_ERROR(ctx_->lock->Held());
  STRATA_ASSIGN_OR_RETURN(ctx_->token, ctx_->driver->ChangeToken());
  open_ = false;
  commit_sent_ = true;
  return commit();
}

Status WriteTransaction::RestartAround(const std::function<Status()>& outside) {
  if (open_) ctx_->driver->Rollback();
  open_ = false;
  STRATA_RETURN_IF_ERROR(outside());
  return Reopen();
}

void WriteTransaction::End() {
  if (open_) ctx_->driver->Rollback();
  open_ = false;
}

Status WriteTransaction::Reopen() {
  STRATA_RETURN_IF_ERROR(ctx_->driver->BeginWrite());
  open_ = true;
  return Status::Ok();
}

Result<double> ApplyStep(RunContext& ctx, WriteTransaction& tx, const source::Migration& m, Direction direction,
                         const std::function<void(const Event&)>& emit, const std::function<Status()>& before_commit,
                         const Group* group, const std::vector<source::Covered>* covers) {
  const bool up = direction == Direction::kUp;
  // A migration whose statements the engine commits one by one (MariaDB's DDL) takes the path of
  // `-- strata:no-transaction`: marked dirty first, so that a failure half way is never called a
  // rollback.
  source::Script effective = covers != nullptr ? CheckpointScript(ctx, m) : up ? m.up : *m.down;
  const std::string statement_by_statement = WhyStatementByStatement(ctx, effective);
  const bool implicit_commits = !statement_by_statement.empty();
  if (implicit_commits) effective.no_transaction = true;
  const source::Script& script = effective;
  if (group != nullptr && (!up || script.no_transaction)) {
    return Status(ErrorCode::kInternal, fmt::format("{}: cannot run in a shared transaction", script.path));
  }
  const std::string_view sql = script.sql();
  const std::uint64_t previous = plan::CurrentVersion(ctx.applied);
  // What the step adds to ctx.applied (up) or takes from it (down), done once the step is recorded:
  // never a copy of the whole history per step, which made long histories quadratic.
  std::vector<plan::Applied> added;
  auto record = [&] {
    // Down takes m away; up replaces the row of a partial migration that it resumed.
    std::erase_if(ctx.applied, [&](const plan::Applied& a) { return a.version == m.version; });
    ctx.applied.insert(ctx.applied.end(), added.begin(), added.end());
  };
  std::uint64_t without = 0;  // down: the version left once m is gone
  if (!up) {
    for (const plan::Applied& a : ctx.applied) {
      if (a.version != m.version && a.state != plan::AppliedState::kDirty) without = std::max(without, a.version);
    }
  }
  const std::uint64_t mirrored = up ? std::max(previous, m.version) : without;
  Words words = WordsFor(m, direction, previous, group);
  words.checkpoint = covers != nullptr;
  if (implicit_commits) {
    words.left_dirty = fmt::format(
        "{} ran statement by statement, {}: the statements before the failing one stay applied and cannot be "
        "rolled back, and the migration is now marked dirty",
        words.subject, statement_by_statement);
  }
  auto observer = [&](std::size_t b, std::size_t e, double ms) {
    emit({.kind = EventKind::kStatementDone, .direction = direction, .version = m.version, .name = m.name,
          .file = script.path, .statement = std::string(base::Trim(sql.substr(b, e - b))), .ms = ms});
  };

  // A table rebuild needs foreign keys off, which SQLite only takes outside a transaction: the one
  // just begun (nothing written yet) is begun again. The guard puts them back whatever happens.
  std::vector<sql::rebuild::AlterStatement> alters;
  std::optional<ForeignKeysOff> foreign_keys_off;
  if (!script.no_transaction) {
    STRATA_ASSIGN_OR_RETURN(alters, FindRebuilds(ctx, script));
    bool off = false;
    if (!alters.empty()) {
      STRATA_ASSIGN_OR_RETURN(off, NeedsForeignKeysOff(ctx, alters));
    }
    if (off) {
      foreign_keys_off.emplace(ctx.driver.get());
      STRATA_RETURN_IF_ERROR(tx.RestartAround([&] { return foreign_keys_off->Suspend(); }));
    }
  }

  // Nothing to check between the statements and the commit (no integrity check the driver needs,
  // no --verify-data, no rebuild, the history table not named, no group or checkpoint): a driver
  // that can sends statements, history row and COMMIT without waiting in between. The lock is
  // checked before anything is sent; on PostgreSQL it lives on this connection, so no commit can
  // outlive it.
  const bool one_trip = up && !script.no_transaction && !script.no_split && group == nullptr && covers == nullptr &&
                        before_commit == nullptr && alters.empty() && ctx.driver->CommitsInOneTrip() &&
                        (ctx.history_table.empty() ||
                         !base::ContainsAnyIgnoringCase(sql, {base::Lower(ctx.history_table)}));
  if (one_trip) {
    driver::HistoryRow row = MakeHistoryRow(m, driver::RowState::kApplied, 0, *ctx.clock);
    if (Status mirrored_st = ctx.driver->MirrorVersion(mirrored); !mirrored_st.ok()) {
      return NotRecorded(mirrored_st, script, words, /*committing=*/false);
    }
    base::Stopwatch watch(*ctx.clock);
    Status st;
    {
      // The COMMIT goes with the statements: a cancel that comes too late finds it done.
      Interruption::Cancellable cancellable(ctx.interruption, ctx.driver.get());
      st = ctx.Interrupted() ? Status(ErrorCode::kInterrupted, words.interrupted)
                             : tx.CommitWith([&] { return ctx.driver->ExecuteAndCommit(sql, row, observer); });
    }
    const double ms = watch.ElapsedMs();
    if (!st.ok()) {
      // The driver blames no statement when the server never said the transaction failed.
      if (st.code() == ErrorCode::kUnavailable && tx.commit_sent() && !st.sql_offset()) {
        return OutcomeUnknown(st, script, words);
      }
      if (ctx.Interrupted()) return InterruptedInside(script, words);
      if (st.sql_offset()) return StatementFailed(ctx, st, script, words);
      return NotRecorded(st, script, words, /*committing=*/true);
    }
    added.push_back(ToApplied(row));
    record();
    return ms;
  }

  base::Stopwatch watch(*ctx.clock);
  if (script.no_transaction && up && ctx.driver->RecordsProgress()) {
    STRATA_RETURN_IF_ERROR(RunWithProgress(ctx, tx, m, script, words, statement_by_statement, observer, emit));
  } else if (script.no_transaction) {
    STRATA_RETURN_IF_ERROR(RunOutsideTransaction(ctx, tx, m, direction, script, words, observer));
  } else {
    STRATA_RETURN_IF_ERROR(RunInsideTransaction(ctx, script, direction, words, observer, before_commit, alters,
                                                foreign_keys_off.has_value()));
  }
  const double ms = watch.ElapsedMs();
  STRATA_RETURN_IF_ERROR(RefuseIfHistoryTouched(ctx, script, words, implicit_commits));

  // The migration ran: a history write that fails now is most likely its doing (it dropped,
  // renamed or altered strata's table), so the error names the migration, not only the engine.
  Status recorded;
  if (up && covers) {
    for (const source::Covered& c : *covers) {
      if (!recorded.ok()) break;
      driver::HistoryRow row = CoveredRow(c, c.version == m.version ? ms : 0, *ctx.clock);
      // Run statement by statement (MariaDB), the checkpoint's own version has its dirty row already.
      // The covered versions come in ascending order, so that row, updated last, stays dirty until
      // every other one is written.
      const bool dirty_row = script.no_transaction && c.version == m.version;
      recorded = dirty_row ? ctx.driver->UpdateHistory(row) : ctx.driver->InsertHistory(row);
      added.push_back(ToApplied(row));
    }
  } else if (up) {
    driver::HistoryRow row = MakeHistoryRow(m, driver::RowState::kApplied, ms, *ctx.clock);
    // A no-transaction migration's row exists already (as dirty).
    recorded = script.no_transaction ? ctx.driver->UpdateHistory(row) : ctx.driver->InsertHistory(row);
    added.push_back(ToApplied(row));
  } else {
    recorded = ctx.driver->DeleteHistory(m.version);
  }
  // A group mirrors the version once, after its last step.
  if (recorded.ok() && group == nullptr) recorded = ctx.driver->MirrorVersion(mirrored);
  if (!recorded.ok()) return NotRecorded(recorded, script, words, /*committing=*/false);
  if (group != nullptr) {
    record();
    return ms;
  }
  if (!tx.open()) {  // the row committed on its own (RunWithProgress)
    STRATA_ASSIGN_OR_RETURN(ctx.token, ctx.driver->ChangeToken());
    record();
    return ms;
  }
  // The last moment to stop: a statement that returned normally although it was cancelled (MariaDB's
  // SLEEP) is rolled back all the same. A migration outside a transaction has its effects already.
  if (!script.no_transaction && ctx.Interrupted()) return InterruptedInside(script, words);
  if (Status committed = tx.Commit(); !committed.ok()) {
    // A group's transaction is committed by its caller; here the COMMIT of one migration.
    if (committed.code() == ErrorCode::kUnavailable && tx.commit_sent() && !script.no_transaction) {
      return OutcomeUnknown(committed, script, words);
    }
    return NotRecorded(committed, script, words, /*committing=*/true);
  }
  record();
  return ms;
}

Result<PartialProgress> ReadProgress(const RunContext& ctx, const plan::Applied& partial) {
  PartialProgress out;
  out.done = SplitProgress(partial.progress.value_or(std::string()));
  if (const source::Checkpoint* c = ctx.PartialCheckpoint(); c && c->migration.version == partial.version) {
    STRATA_ASSIGN_OR_RETURN(out.statements, StatementsOf(ctx, CheckpointScript(ctx, c->migration)));
  } else if (const source::Migration* m = ctx.Find(partial.version)) {
    STRATA_ASSIGN_OR_RETURN(out.statements, StatementsOf(ctx, m->up));
  }
  return out;
}

std::vector<std::size_t> SessionSetupToRepeat(const RunContext& ctx, std::string_view sql,
                                              const std::vector<std::pair<std::size_t, std::size_t>>& statements,
                                              std::size_t done) {
  std::vector<std::size_t> out;
  if (ctx.driver->engine() != Engine::kMariadb) return out;
  for (std::size_t i = 0; i < done && i < statements.size(); ++i) {
    const auto [b, e] = statements[i];
    if (sql::IsMysqlSessionSetting(sql.substr(b, e - b))) out.push_back(i);
  }
  return out;
}

Status RefuseEditedProgress(const RunContext& ctx, const std::vector<std::uint64_t>& versions) {
  for (const plan::Applied& a : ctx.applied) {
    if (!a.partial() || std::find(versions.begin(), versions.end(), a.version) == versions.end()) continue;
    const source::Migration* m = ctx.Find(a.version);
    if (m == nullptr) continue;  // the planner refuses a partial migration whose file is gone
    STRATA_RETURN_IF_ERROR(RefuseEditedPrefix(ctx, a, *m, m->up));
  }
  return Status::Ok();
}

Status RefuseOutsideTransaction(const RunContext& ctx, const std::vector<std::uint64_t>& versions,
                                const source::Checkpoint* checkpoint) {
  if (checkpoint != nullptr && CommitsEachStatement(ctx, CheckpointScript(ctx, checkpoint->migration))) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: the checkpoint creates the schema, which MariaDB commits statement by statement, so "
                              "it cannot run inside the one transaction of a single-transaction run (nothing was "
                              "run); run `strata up` without --single-transaction",
                              checkpoint->migration.up.path));
  }
  for (std::uint64_t v : versions) {
    const source::Migration* m = ctx.Find(v);
    if (m == nullptr || !CommitsEachStatement(ctx, m->up)) continue;
    if (!m->up.no_transaction) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("{}: migration {} ({}) changes the schema, which MariaDB commits statement by "
                                "statement, so it cannot run inside the one transaction of a single-transaction run "
                                "(nothing was run); on MariaDB only migrations of data statements can share one",
                                m->up.path, m->version, m->name));
    }
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: migration {} ({}) has `-- strata:no-transaction`, so it cannot run inside the one "
                              "transaction of a single-transaction run (nothing was run); apply up to it without "
                              "--single-transaction (`strata up --to {}`), then the rest with it",
                              m->up.path, m->version, m->name, m->version));
  }
  return Status::Ok();
}

Status RefuseTransactionControl(const RunContext& ctx, const std::vector<std::uint64_t>& versions,
                                Direction direction) {
  const bool postgres = ctx.driver->engine() == Engine::kPostgres;
  for (std::uint64_t v : versions) {
    const source::Migration* m = ctx.Find(v);
    if (m == nullptr || (direction == Direction::kDown && !m->down)) continue;
    const source::Script& script = direction == Direction::kUp ? m->up : *m->down;
    STRATA_ASSIGN_OR_RETURN(auto alters, FindRebuilds(ctx, script));
    // MariaDB records a migration that runs outside a transaction statement by statement, which a
    // transaction of the migration's own would make untrue: refused there too.
    const bool mariadb = ctx.driver->engine() == Engine::kMariadb;
    if (script.no_transaction) {
      for (const sql::rebuild::AlterStatement& a : alters) {
        if (a.maybe_native) continue;
        return Status(ErrorCode::kInvalidArgument,
                      "this ALTER TABLE needs a table rebuild on SQLite, which strata runs only inside the "
                      "migration's transaction (with foreign keys off around it): remove `-- strata:no-transaction`, "
                      "or move the statement to a migration of its own (nothing was run)")
            .WithLocation(base::MakeLocation(script.path, *script.text, script.begin + a.begin,
                                             script.sql().substr(a.begin, a.end - a.begin)));
      }
      if (!mariadb) continue;
    }
    std::string_view sql = script.sql();
    // Every transaction control statement starts with one of these words; most migrations have none.
    if (!base::ContainsAnyIgnoringCase(sql, {"begin", "start", "commit", "end", "abort", "rollback"})) continue;
    std::vector<sql::StatementSpan> spans;
    if (script.no_split) {
      std::size_t b = sql::SkipSpaceAndComments(sql, 0);
      if (b < sql.size()) spans.push_back({b, sql.size()});
    } else if (postgres) {
      auto split = sql::SplitPostgres(sql);
      if (!split.ok()) continue;
      spans = std::move(*split);
    } else if (ctx.driver->engine() == Engine::kMariadb) {
      auto split = sql::SplitMysql(sql);
      if (!split.ok()) continue;
      spans = std::move(*split);
    } else {
      spans = sql::SplitSqlite(sql);
    }
    for (const sql::StatementSpan& span : spans) {
      std::string_view text = sql.substr(span.begin, span.end - span.begin);
      if (!sql::IsTransactionControl(text)) continue;
      if (mariadb && sql::IsMysqlBlock(text)) continue;  // BEGIN NOT ATOMIC ... END: a block of code
      std::string statement(base::Trim(text));
      const char* why =
          mariadb ? "transaction control statement in a migration: on MariaDB strata runs a migration of data "
                    "statements in a transaction of its own, and any other statement by statement, recording each "
                    "one as it completes, which a transaction of the migration's own would make untrue; remove "
                    "START TRANSACTION/COMMIT, and put statements that must succeed or fail together in a migration "
                    "of their own without DDL: it runs in one transaction (nothing was run)"
                  : "transaction control statement in a migration: strata already runs each migration in its own "
                    "transaction; remove BEGIN/COMMIT, or add `-- strata:no-transaction` to the header to manage "
                    "transactions yourself (nothing was run)";
      return Status(ErrorCode::kInvalidArgument, why)
          .WithLocation(base::MakeLocation(script.path, *script.text, script.begin + span.begin, statement));
    }
  }
  return Status::Ok();
}

}  // namespace strata::core
