// The engine behind strata::Migrator: lock, read history, plan, run each step, record it. It knows
// drivers and sources only through their interfaces.
#include "strata/migrator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <map>

#include "base/clock.h"
#include "base/fs.h"
#include "base/text.h"
#include "base/url.h"
#include "core/driver_handle.h"
#include "core/lint.h"
#include "core/migrator_impl.h"
#include "core/rebuild.h"
#include "core/run_context.h"
#include "core/restore.h"
#include "core/verify.h"
#include "core/run_log.h"
#include "core/safety.h"
#include "core/step.h"
#include "drivers/registry.h"
#include "plan/planner.h"
#include "source/loader.h"

namespace strata {

namespace core {
namespace {


MigrationState ToPublic(plan::EntryState s) {
  switch (s) {
    case plan::EntryState::kApplied: return MigrationState::kApplied;
    case plan::EntryState::kBaseline: return MigrationState::kBaseline;
    case plan::EntryState::kPending: return MigrationState::kPending;
    case plan::EntryState::kOutOfOrder: return MigrationState::kOutOfOrder;
    case plan::EntryState::kChanged: return MigrationState::kChanged;
    case plan::EntryState::kMissingFile: return MigrationState::kMissingFile;
    case plan::EntryState::kDirty: return MigrationState::kDirty;
    case plan::EntryState::kPartial: return MigrationState::kPartial;
  }
  return MigrationState::kPending;
}

class MigratorImpl : public Migrator {
 public:
  MigratorImpl(base::DatabaseUrl url, Source source, Options options, std::shared_ptr<driver::Driver> driver,
               Environment env)
      : env_(env),
        url_(std::move(url)),
        source_(std::move(source)),
        options_(std::move(options)),
        handle_(url_, options_, std::move(driver),
                [this](const std::string& message) { Emit({.kind = EventKind::kWarning, .message = message}); }) {}

  void SetEventCallback(EventCallback callback) override { callback_ = std::move(callback); }

  void Interrupt() override { interruption_.Request(); }

  std::string RedactedUrl() const override { return url_.Redacted(); }

  Result<StatusReport> GetStatus() override {
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/true));
    StatusReport report;
    report.history_exists = ctx.history_exists;
    report.legacy_version = ctx.legacy_version;
    report.needs_baseline = ctx.NeedsBaseline();
    report.current_version = plan::CurrentVersion(ctx.applied);
    for (const plan::Entry& e : plan::Classify(ctx.available, ctx.applied)) {
      MigrationStatus s;
      s.version = e.version;
      s.name = e.name;
      s.file = e.file;
      s.state = ToPublic(e.state);
      if (e.applied) {
        s.applied_at = e.applied->applied_at;
        s.execution_ms = e.applied->execution_ms;
      }
      if (const source::Migration* m = ctx.Find(e.version)) s.has_down = m->down.has_value();
      // A checkpoint cut short has the version of the last file it covers: name the checkpoint, even
      // when that file is gone (which the planner calls dirty).
      const bool checkpoint = e.applied && ctx.CheckpointCutShort() && e.version == ctx.applied[0].version;
      if (checkpoint) {
        const source::Checkpoint* c = ctx.PartialCheckpoint(/*even_stale=*/true);
        s.state = MigrationState::kPartial;
        s.name = c != nullptr ? c->migration.name : e.applied->name;
        s.file = c != nullptr ? c->migration.up.path : std::string();
        s.has_down = false;
        s.checkpoint = true;
      }
      if (e.state == plan::EntryState::kPartial || checkpoint) {
        // A file that no longer splits still has a status: its count of statements is then 0, as
        // for a checkpoint that is not in the directory as it ran.
        auto p = ReadProgress(ctx, *e.applied);
        if (p.ok() && (!checkpoint || ctx.PartialCheckpoint() != nullptr)) {
          s.statements_done = p->done.size();
          s.statements = p->statements.size();
        } else {
          const std::string& done = *e.applied->progress;
          s.statements_done = done.empty() ? 0 : 1 + static_cast<std::size_t>(std::count(done.begin(), done.end(), ' '));
        }
      }
      // What `up` would run or resume: a partial migration is not applied yet.
      if (s.state == MigrationState::kPending || s.state == MigrationState::kOutOfOrder ||
          s.state == MigrationState::kPartial) {
        ++report.pending;
      }
      report.migrations.push_back(std::move(s));
    }
    if (!ctx.migrations().empty()) report.latest_version = ctx.migrations().back().version;
    STRATA_ASSIGN_OR_RETURN(report.invalid_indexes, ctx.driver->InvalidIndexes());
    // A dirty or partial row is also what a run in the middle of that migration leaves: say so
    // rather than call it failed. Asked only then; a probe that fails says nothing.
    const bool unfinished = std::any_of(report.migrations.begin(), report.migrations.end(), [](const MigrationStatus& m) {
      return m.state == MigrationState::kDirty || m.state == MigrationState::kPartial;
    });
    if (unfinished) {
      if (auto holder = ctx.driver->RunLockHolder(); holder.ok()) report.run_in_progress = std::move(*holder);
    }
    return report;
  }

  Result<LintReport> Lint(const LintOptions& options) override {
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/true));
    Engine engine = ctx.driver->engine();
    if (options.engine && *options.engine != engine) {
      return Status(ErrorCode::kInvalidArgument, fmt::format("cannot lint for {}: the database is {}",
                                                             EngineName(*options.engine), EngineName(engine)));
    }
    std::vector<std::uint64_t> pending;
    for (const plan::Entry& e : plan::Classify(ctx.available, ctx.applied)) {
      // As status counts them: what up would run or resume.
      if (e.state == plan::EntryState::kPending || e.state == plan::EntryState::kOutOfOrder ||
          e.state == plan::EntryState::kPartial) {
        pending.push_back(e.version);
      }
    }
    return LintSelected(engine, ctx.migrations(), &pending, options, ctx.driver.get());
  }

  Result<std::vector<PlannedMigration>> PlanUp(const UpOptions& options) override {
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/true));
    STRATA_RETURN_IF_ERROR(ctx.RefuseIfNeedsBaseline());
    STRATA_ASSIGN_OR_RETURN(UpPlan plan, PlanWithCheckpoints(ctx, UpRequest(options)));
    STRATA_RETURN_IF_ERROR(RefuseTransactionControl(ctx, plan.versions, Direction::kUp));
    STRATA_RETURN_IF_ERROR(RefuseEditedProgress(ctx, plan.versions));
    if (options.single_transaction) {
      STRATA_RETURN_IF_ERROR(RefuseOutsideTransaction(ctx, plan.versions, plan.checkpoint));
    }
    std::vector<PlannedMigration> out;
    if (plan.checkpoint) {
      const source::Migration& c = plan.checkpoint->migration;
      out.push_back({c.version, c.name, c.up.path, Direction::kUp, true, std::string(c.up.sql())});
      if (plan.checkpoint == ctx.PartialCheckpoint()) ShowResume(ctx, ctx.applied[0], c.up.sql(), out.back());
    }
    for (PlannedMigration& m : Planned(ctx, plan.versions, Direction::kUp)) out.push_back(std::move(m));
    return out;
  }

  Result<std::vector<PlannedMigration>> PlanDown(const DownOptions& options) override {
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/true));
    STRATA_RETURN_IF_ERROR(RefuseDownOfPartialCheckpoint(ctx));
    // A plan changes nothing: a partial migration is shown with what Down asks first, not refused.
    plan::DownRequest request = DownRequest(options);
    request.partial = true;
    STRATA_ASSIGN_OR_RETURN(auto versions, plan::PlanDown(ctx.available, ctx.applied, request));
    STRATA_RETURN_IF_ERROR(RefuseTransactionControl(ctx, versions, Direction::kDown));
    std::vector<PlannedMigration> out = Planned(ctx, versions, Direction::kDown);
    for (PlannedMigration& p : out) {
      for (const plan::Applied& a : ctx.applied) {
        if (a.version != p.version || !a.partial()) continue;
        auto progress = ReadProgress(ctx, a);
        const std::string ran =
            progress.ok() ? fmt::format("{} of its {} statements ran", progress->done.size(), progress->statements.size())
                          : std::string("some of its statements ran");
        p.sql = fmt::format("-- migration {} ({}) is partial: {}. This down part was written for the whole migration "
                            "and may fail on what never ran; {}\n{}",
                            a.version, a.name, ran,
                            options.partial ? "it runs against what ran, as asked" : "it runs only once confirmed",
                            p.sql);
      }
    }
    return out;
  }

  Result<RunReport> Up(const UpOptions& options) override {
    if (auto fast = UpToDate(options)) return *fast;
    // Plan without the lock first: an up-to-date database (the common case at application
    // start-up) costs one read and never waits for, or takes, the migration lock.
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/false, /*lock=*/false, /*stat_cache=*/true));
    ctx.verify_data = options.safety.verify_data;
    plan::UpRequest request = UpRequest(options);
    if (ctx.plan_only_source) {
      // The cache answers "nothing to do"; anything else needs the files themselves.
      auto planned = plan::PlanUp(ctx.available, ctx.applied, request);
      if (ctx.NeedsBaseline() || !planned.ok() || !planned->empty()) {
        STRATA_ASSIGN_OR_RETURN(Loaded loaded, LoadSource());
        ctx.source = std::move(loaded.migrations);
        ctx.checkpoints = std::move(loaded.checkpoints);
        ctx.plan_only_source = false;
        ctx.IndexMigrations();
      }
    }
    RunReport report;
    if (!ctx.NeedsBaseline()) {
      auto first = PlanWithCheckpoints(ctx, request);
      // Refused before lint, the lock or anything else that could be asked or changed.
      if (first.ok() && options.single_transaction) {
        STRATA_RETURN_IF_ERROR(RefuseOutsideTransaction(ctx, first->versions, first->checkpoint));
      }
      if (first.ok() && first->empty()) {
        report.from_version = report.to_version = plan::CurrentVersion(ctx.applied);
        Remember(ctx, options, report.to_version);
        return report;
      }
      // Lint what this plan would apply, from the files already read, before anything changes.
      if (first.ok() && options.lint) {
        LintOptions lint = options.lint_options;
        lint.files.clear();
        lint.pending_only = true;
        lint.live_data = false;
        STRATA_ASSIGN_OR_RETURN(LintReport found, LintSelected(ctx.driver->engine(), ctx.migrations(),
                                                               &first->versions, lint, nullptr));
        STRATA_RETURN_IF_ERROR(options.lint(found));
      }
    }
    // There is work, or a problem that may be another runner's work in progress (a dirty
    // no-transaction migration): decide under the lock, on a fresh read.
    STRATA_RETURN_IF_ERROR(ctx.RefuseIfNeedsBaseline());
    STRATA_RETURN_IF_ERROR(MakeWritable(ctx));
    STRATA_RETURN_IF_ERROR(LockAndReread(ctx));
    STRATA_RETURN_IF_ERROR(ctx.RefuseIfNeedsBaseline());
    STRATA_ASSIGN_OR_RETURN(UpPlan plan, PlanWithCheckpoints(ctx, request));
    report.from_version = report.to_version = plan::CurrentVersion(ctx.applied);
    if (plan.empty()) return report;
    if (ctx.checkpoints && ctx.applied.empty()) {
      for (const source::Checkpoint& c : *ctx.checkpoints) {
        if (c.stale.empty()) continue;
        Emit({.kind = EventKind::kWarning,
              .message = "the checkpoint " + c.stale + "; this fresh database runs the files instead"});
      }
    }
    std::vector<std::uint64_t> versions = std::move(plan.versions);
    STRATA_RETURN_IF_ERROR(RefuseTransactionControl(ctx, versions, Direction::kUp));
    STRATA_RETURN_IF_ERROR(RefuseEditedProgress(ctx, versions));
    if (options.single_transaction) {
      STRATA_RETURN_IF_ERROR(RefuseOutsideTransaction(ctx, versions, plan.checkpoint));
    }
    RunRecord record("up", report.from_version, *env_.clock);
    // A checkpoint only ever starts a fresh database: there is nothing for the guard to protect.
    Status st = ProtectRun(ctx, versions, Direction::kUp, options.safety, report, [&](const Event& e) { Emit(e); });
    if (st.ok()) st = ctx.EnsureHistory();
    if (st.ok() && options.single_transaction) {
      st = ApplyUpsGrouped(ctx, std::move(versions), request, options.safety, report, plan.checkpoint);
    } else if (st.ok()) {
      st = ApplyUps(ctx, std::move(versions), request, options.safety, report, plan.checkpoint);
    }
    Record(ctx, record, report, st);
    if (!st.ok()) return st;
    if (options.wait_replicas && !report.migrations.empty()) {
      auto replicas = ctx.driver->WaitForReplicas(*options.wait_replicas, &report.replicas_target_lsn);
      if (!replicas.ok()) {
        Emit({.kind = EventKind::kWarning,
              .message = "the migrations were applied, but asking about the standbys failed: " +
                         replicas.status().message()});
      } else {
        for (driver::Driver::Replica& r : *replicas) {
          report.replicas.push_back({std::move(r.name), std::move(r.address), std::move(r.replay_lsn), r.caught_up,
                                     r.waited_ms});
        }
      }
    }
    return report;
  }

  // Migrator::Interrupt before migration `next`, the `done`th step of this run's `total`: nothing
  // of it ran.
  static Status InterruptedBefore(const RunContext& ctx, const source::Migration& next, std::size_t done,
                                  std::size_t total, Direction d) {
    const bool up = d == Direction::kUp;
    return Status(ErrorCode::kInterrupted,
                  fmt::format("interrupted before {} {} ({}) started: {} of the {} migration{} of this run {} {}, and "
                              "the database is at version {}{}",
                              up ? "migration" : "the rollback of", next.version, next.name, done, total,
                              total == 1 ? "" : "s", done == 1 ? "was" : "were", up ? "applied" : "rolled back",
                              plan::CurrentVersion(ctx.applied), up ? "; `strata up` applies the rest" : ""));
  }

  // Applies `versions` in order, re-planning whenever another runner moved the history; fills
  // `report` with what ran, also when it stops on an error.
  Status ApplyUps(RunContext& ctx, std::vector<std::uint64_t> versions, const plan::UpRequest& request,
                  const SafetyOptions& safety, RunReport& report, const source::Checkpoint* checkpoint = nullptr) {
    base::Stopwatch total(*env_.clock);
    Emit({.kind = EventKind::kRunStarted, .total = versions.size() + (checkpoint ? 1 : 0)});
    if (checkpoint) {
      STRATA_RETURN_IF_ERROR(ApplyCheckpoint(ctx, *checkpoint, versions.size() + 1, report));
      report.total_ms = total.ElapsedMs();
    }
    const std::size_t offset = checkpoint ? 1 : 0;
    for (std::size_t i = 0; i < versions.size();) {
      if (ctx.Interrupted()) {
        return InterruptedBefore(ctx, *ctx.Find(versions[i]), i + offset, versions.size() + offset,
                                 Direction::kUp);
      }
      // Another runner may have applied migrations since we planned: re-plan inside the lock.
      auto tx = WriteTransaction::Begin(ctx);
      if (!tx.ok()) return ctx.BlameLostLock(tx.status());
      if (tx->history_changed()) {
        auto replanned = plan::PlanUp(ctx.available, ctx.applied, request);
        if (!replanned.ok()) return replanned.status();
        versions = std::move(*replanned);
        STRATA_RETURN_IF_ERROR(RefuseTransactionControl(ctx, versions, Direction::kUp));
        STRATA_RETURN_IF_ERROR(RefuseEditedProgress(ctx, versions));
        i = 0;
        continue;
      }
      const source::Migration& m = *ctx.Find(versions[i]);
      Emit(StartEvent(m, Direction::kUp, i + 1 + offset, versions.size() + offset));
      std::function<Status()> verify;
      std::optional<DataWitness> witness;
      if (safety.verify_data && CommitsEachStatement(ctx, m.up)) {
        // Said, never skipped in silence: on MariaDB every migration with DDL lands here.
        Emit({.kind = EventKind::kWarning,
              .message = fmt::format("--verify-data cannot check migration {} ({}): it runs outside a transaction{}, "
                                     "so a change could not be rolled back",
                                     m.version, m.name,
                                     m.up.no_transaction ? "" : " (MariaDB commits each DDL statement at once)")});
      } else if (safety.verify_data) {
        auto before = DataWitness::Before(ctx, m);
        if (!before.ok()) return before.status();
        witness = std::move(*before);
        verify = [&] { return witness->After(ctx, m); };
      }
      auto ms = ApplyStep(ctx, *tx, m, Direction::kUp, [&](const Event& e) { Emit(e); }, verify);
      report.to_version = plan::CurrentVersion(ctx.applied);
      report.total_ms = total.ElapsedMs();
      if (!ms.ok()) return ctx.BlameLostLock(ms.status());
      report.migrations.push_back({m.version, m.name, Direction::kUp, *ms});
      Emit({.kind = EventKind::kMigrationDone, .version = m.version, .name = m.name, .file = m.up.path, .ms = *ms});
      ++i;
    }
    report.to_version = plan::CurrentVersion(ctx.applied);
    report.total_ms = total.ElapsedMs();
    Emit({.kind = EventKind::kRunFinished, .ms = report.total_ms});
    return Status::Ok();
  }

  // Applies `c` to a fresh database in one transaction: its statements, then one history row per
  // migration it stands for (as baseline: recorded without running their files).
  Status ApplyCheckpoint(RunContext& ctx, const source::Checkpoint& c, std::size_t total, RunReport& report) {
    auto tx = WriteTransaction::Begin(ctx);
    if (!tx.ok()) return ctx.BlameLostLock(tx.status());
    // A fresh database, or one where this checkpoint was cut short (it resumes).
    if (!ctx.applied.empty() && ctx.PartialCheckpoint() != &c) {
      return Status(ErrorCode::kAborted, fmt::format("the history table was written while this run held the "
                                                     "migration lock; the checkpoint {} was not applied. Check "
                                                     "`strata status` and run the command again",
                                                     c.migration.up.path));
    }
    const source::Migration& m = c.migration;
    Emit(StartEvent(m, Direction::kUp, 1, total));
    auto ms = ApplyStep(ctx, *tx, m, Direction::kUp, [&](const Event& e) { Emit(e); }, nullptr, nullptr, &c.covers);
    report.to_version = plan::CurrentVersion(ctx.applied);
    if (!ms.ok()) return ctx.BlameLostLock(ms.status());
    report.migrations.push_back({m.version, m.name, Direction::kUp, *ms});
    Emit({.kind = EventKind::kMigrationDone, .version = m.version, .name = m.name, .file = m.up.path, .ms = *ms});
    return Status::Ok();
  }

  // ApplyUps for `up --single-transaction`: every step in one WriteTransaction, the mirrored
  // version and one commit at the end. A failure rolls all of it back, so `report` and ctx.applied
  // then say that nothing ran; the done events are sent only once the commit succeeded.
  Status ApplyUpsGrouped(RunContext& ctx, std::vector<std::uint64_t> versions, const plan::UpRequest& request,
                         const SafetyOptions& safety, RunReport& report,
                         const source::Checkpoint* checkpoint = nullptr) {
    base::Stopwatch total(*env_.clock);
    auto tx = WriteTransaction::Begin(ctx);
    if (!tx.ok()) return ctx.BlameLostLock(tx.status());
    if (tx->history_changed()) {
      STRATA_ASSIGN_OR_RETURN(versions, plan::PlanUp(ctx.available, ctx.applied, request));
      STRATA_RETURN_IF_ERROR(RefuseTransactionControl(ctx, versions, Direction::kUp));
      STRATA_RETURN_IF_ERROR(RefuseOutsideTransaction(ctx, versions));
      if (!ctx.applied.empty()) checkpoint = nullptr;  // no longer a fresh database
    }
    const std::vector<plan::Applied> before = ctx.applied;
    const Group group{plan::CurrentVersion(before)};
    report.from_version = report.to_version = group.from_version;
    if (versions.empty() && !checkpoint) return Status::Ok();
    auto fail = [&](Status st) {
      ctx.applied = before;
      report.migrations.clear();
      report.to_version = group.from_version;
      report.total_ms = total.ElapsedMs();
      return ctx.BlameLostLock(std::move(st));
    };
    const std::size_t offset = checkpoint ? 1 : 0, steps = versions.size() + offset;
    Emit({.kind = EventKind::kRunStarted, .total = steps});
    std::vector<Event> done;
    if (checkpoint) {  // the checkpoint is the first step of the same transaction
      const source::Migration& m = checkpoint->migration;
      Emit(StartEvent(m, Direction::kUp, 1, steps));
      auto ms = ApplyStep(ctx, *tx, m, Direction::kUp, [&](const Event& e) { Emit(e); }, nullptr, &group,
                          &checkpoint->covers);
      if (!ms.ok()) return fail(ms.status());
      report.migrations.push_back({m.version, m.name, Direction::kUp, *ms});
      done.push_back({.kind = EventKind::kMigrationDone, .version = m.version, .name = m.name, .file = m.up.path,
                      .ms = *ms});
    }
    const auto interrupted = [&] {
      return fail(Status(ErrorCode::kInterrupted,
                         fmt::format("interrupted, so the single transaction of this run was rolled back: no "
                                     "migration of it was applied and the database is still at version {}",
                                     group.from_version)));
    };
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (ctx.Interrupted()) return interrupted();
      const source::Migration& m = *ctx.Find(versions[i]);
      Emit(StartEvent(m, Direction::kUp, i + 1 + offset, steps));
      std::function<Status()> verify;
      std::optional<DataWitness> witness;
      if (safety.verify_data) {
        auto witnessed = DataWitness::Before(ctx, m);
        if (!witnessed.ok()) return fail(witnessed.status());
        witness = std::move(*witnessed);
        verify = [&] { return witness->After(ctx, m); };
      }
      auto ms = ApplyStep(ctx, *tx, m, Direction::kUp, [&](const Event& e) { Emit(e); }, verify, &group);
      if (!ms.ok()) return fail(ms.status());
      report.migrations.push_back({m.version, m.name, Direction::kUp, *ms});
      done.push_back({.kind = EventKind::kMigrationDone, .version = m.version, .name = m.name, .file = m.up.path,
                      .ms = *ms});
    }
    if (ctx.Interrupted()) return interrupted();
    Status st = ctx.driver->MirrorVersion(plan::CurrentVersion(ctx.applied));
    if (st.ok()) st = tx->Commit();
    if (!st.ok() && st.code() == ErrorCode::kUnavailable && tx->commit_sent()) {
      return fail(Status(st.code(), fmt::format("the connection was lost with the COMMIT of this run's single "
                                                "transaction already sent ({}); whether its migrations were applied "
                                                "is unknown. Their history rows are in the same transaction, so the "
                                                "database holds all of them or none (still at version {}): `strata "
                                                "status` shows which, and `strata up` continues correctly either way",
                                                st.message(), group.from_version)));
    }
    if (!st.ok()) {
      return fail(Status(st.code(), fmt::format("the single transaction of this run could not be committed, so no "
                                                "migration of it was applied and the database is still at version "
                                                "{}: {}",
                                                group.from_version, st.message())));
    }
    for (const Event& e : done) Emit(e);
    report.to_version = plan::CurrentVersion(ctx.applied);
    report.total_ms = total.ElapsedMs();
    Emit({.kind = EventKind::kRunFinished, .ms = report.total_ms});
    return Status::Ok();
  }

  Result<RunReport> Down(const DownOptions& options) override {
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/false));
    STRATA_RETURN_IF_ERROR(RefuseDownOfPartialCheckpoint(ctx));
    STRATA_ASSIGN_OR_RETURN(auto versions, plan::PlanDown(ctx.available, ctx.applied, DownRequest(options)));
    RunReport report;
    report.from_version = report.to_version = plan::CurrentVersion(ctx.applied);
    if (versions.empty()) return report;
    STRATA_RETURN_IF_ERROR(RefuseTransactionControl(ctx, versions, Direction::kDown));
    RunRecord record("down", report.from_version, *env_.clock);
    Status st = ProtectRun(ctx, versions, Direction::kDown, options.safety, report, [&](const Event& e) { Emit(e); });
    if (st.ok()) st = ApplyDowns(ctx, versions, report);
    Record(ctx, record, report, st);
    if (!st.ok()) return st;
    return report;
  }

  Status ApplyDowns(RunContext& ctx, const std::vector<std::uint64_t>& versions, RunReport& report) {
    base::Stopwatch total(*env_.clock);
    Emit({.kind = EventKind::kRunStarted, .direction = Direction::kDown, .total = versions.size()});
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (ctx.Interrupted()) {
        return InterruptedBefore(ctx, *ctx.Find(versions[i]), i, versions.size(), Direction::kDown);
      }
      auto tx = WriteTransaction::Begin(ctx);
      if (!tx.ok()) return ctx.BlameLostLock(tx.status());
      if (tx->history_changed()) {
        // Re-planning a rollback could undo more than was asked for: stop instead.
        return Status(ErrorCode::kAborted,
                      "another runner changed the history during the rollback; nothing more was rolled back. "
                      "Check `strata status` and run the command again");
      }
      const source::Migration& m = *ctx.Find(versions[i]);
      Emit(StartEvent(m, Direction::kDown, i + 1, versions.size()));
      auto ms = ApplyStep(ctx, *tx, m, Direction::kDown, [&](const Event& e) { Emit(e); });
      report.to_version = plan::CurrentVersion(ctx.applied);
      report.total_ms = total.ElapsedMs();
      if (!ms.ok()) return ctx.BlameLostLock(ms.status());
      report.migrations.push_back({m.version, m.name, Direction::kDown, *ms});
      Emit({.kind = EventKind::kMigrationDone, .direction = Direction::kDown, .version = m.version,
            .name = m.name, .file = m.down->path, .ms = *ms});
    }
    report.to_version = plan::CurrentVersion(ctx.applied);
    report.total_ms = total.ElapsedMs();
    Emit({.kind = EventKind::kRunFinished, .direction = Direction::kDown, .ms = report.total_ms});
    return Status::Ok();
  }

  Result<VerifyReport> Verify() override {
    STRATA_ASSIGN_OR_RETURN(StatusReport status, GetStatus());
    return VerifyFromStatus(status);
  }

  Result<RunReport> Baseline(std::optional<std::uint64_t> version) override {
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/false));
    if (!ctx.applied.empty()) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("the history table already records {} migration(s); baseline is only for a database "
                                "that strata has not managed yet",
                                ctx.applied.size()));
    }
    std::uint64_t v = version.value_or(ctx.legacy_version);
    if (v == 0) {
      return Status(ErrorCode::kInvalidArgument,
                    "nothing to baseline: PRAGMA user_version is 0; pass --version N to record versions up to N as "
                    "applied");
    }
    if (!ctx.driver->Writable()) {
      STRATA_RETURN_IF_ERROR(MakeWritable(ctx));
      STRATA_RETURN_IF_ERROR(LockAndReread(ctx));
    }
    STRATA_RETURN_IF_ERROR(ctx.EnsureHistory());
    RunReport report;
    RunRecord record("baseline", 0, *env_.clock);
    Status st;
    {
      STRATA_ASSIGN_OR_RETURN(WriteTransaction tx, WriteTransaction::Begin(ctx));
      if (tx.history_changed() && !ctx.applied.empty()) {
        return Status(ErrorCode::kAborted, "another runner wrote the history table first; nothing was recorded");
      }
      st = ctx.RecordBaseline(v, report, tx);
    }
    Record(ctx, record, report, st);
    if (!st.ok()) return st;
    return report;
  }

  Result<std::vector<LogEntry>> Log(std::size_t limit) override {
    STRATA_ASSIGN_OR_RETURN(auto d, handle_.ForReading());
    STRATA_ASSIGN_OR_RETURN(auto rows, d->ReadLog(limit));
    return ToLogEntries(std::move(rows));
  }

  Result<RepairReport> Repair(const RepairOptions& options) override {
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/false));
    RepairReport report;
    STRATA_RETURN_IF_ERROR(ctx.RepairIndexes(options, report));
    if (!ctx.history_exists) return report;
    // Begin re-reads the history if another runner changed it.
    STRATA_ASSIGN_OR_RETURN(WriteTransaction tx, WriteTransaction::Begin(ctx));
    std::uint64_t from = plan::CurrentVersion(ctx.applied);
    RunRecord record("repair", from, *env_.clock);
    Status st = ctx.Repair(options, report, tx);
    if (!st.ok() || !report.actions.empty()) {
      RunReport run;
      run.from_version = from;
      run.to_version = plan::CurrentVersion(ctx.applied);
      Record(ctx, record, run, st, report.actions);
    }
    if (!st.ok()) return st;
    return report;
  }

  Result<RunReport> Restore(const std::string& backup_path) override {
    STRATA_ASSIGN_OR_RETURN(RunContext ctx, Start(/*read_only=*/false));
    if (!ctx.driver->Writable()) {
      STRATA_RETURN_IF_ERROR(MakeWritable(ctx));
      STRATA_RETURN_IF_ERROR(LockAndReread(ctx));
    }
    RunReport report;
    report.from_version = report.to_version = plan::CurrentVersion(ctx.applied);
    report.backup_file = backup_path;
    RunRecord record("restore", report.from_version, *env_.clock);
    base::Stopwatch watch(*env_.clock);
    std::vector<std::string> actions;
    Status st = RestoreBackup(ctx, backup_path, actions, [&](const Event& e) { Emit(e); });
    report.to_version = plan::CurrentVersion(ctx.applied);
    report.total_ms = watch.ElapsedMs();
    // A refused file (or engine) changed nothing: there is nothing to log.
    if (st.code() != ErrorCode::kInvalidArgument && st.code() != ErrorCode::kNotFound &&
        st.code() != ErrorCode::kFailedPrecondition) {
      Record(ctx, record, report, st, actions);
    }
    if (!st.ok()) return st;
    return report;
  }

  Result<schema::Schema> InspectSchema(bool include_strata_tables) override {
    STRATA_ASSIGN_OR_RETURN(auto d, handle_.ForReading());
    return d->Introspect({.include_strata_tables = include_strata_tables});
  }

 private:
  // A checkpoint cut short has the version of the last file it covers, whose down part (if any) is
  // written for that file, not for what the checkpoint ran: it must not run against it.
  // The same holds when that checkpoint is stale, edited or deleted since (CheckpointCutShort).
  static Status RefuseDownOfPartialCheckpoint(const RunContext& ctx) {
    if (!ctx.CheckpointCutShort()) return Status::Ok();
    const source::Checkpoint* c = ctx.PartialCheckpoint();
    const source::Checkpoint* any = ctx.PartialCheckpoint(/*even_stale=*/true);
    const std::string which = any != nullptr ? any->migration.up.path
                                             : fmt::format("of version {} (no longer in the directory as it ran)",
                                                           ctx.applied[0].version);
    std::string ran = "part of its statements";
    if (auto p = ReadProgress(ctx, ctx.applied[0]); c != nullptr && p.ok()) {
      ran = fmt::format("{} of its {} statements", p->done.size(), p->statements.size());
    }
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("the checkpoint {} stopped half way ({} ran) and has no down part: nothing was rolled "
                              "back. Remove what made it fail and run `strata up` to resume it, or finish it by hand "
                              "and run `strata repair --mark-applied` (a checkpoint only starts a fresh database, so "
                              "undoing it means dropping what it created)",
                              which, ran));
  }

  static plan::DownRequest DownRequest(const DownOptions& o) { return {o.to, o.steps, o.partial}; }
  plan::UpRequest UpRequest(const UpOptions& o) const { return {o.target, options_.allow_out_of_order}; }

  static Event StartEvent(const source::Migration& m, Direction d, std::size_t index, std::size_t total) {
    return {.kind = EventKind::kMigrationStarted, .direction = d, .version = m.version, .name = m.name,
            .file = d == Direction::kUp ? m.up.path : m.down->path, .index = index, .total = total};
  }

  // A partial migration (or checkpoint) resumes: `out` shows where, and only the SQL from there.
  static void ShowResume(const RunContext& ctx, const plan::Applied& a, std::string_view sql, PlannedMigration& out) {
    auto progress = ReadProgress(ctx, a);
    if (!progress.ok()) return;
    const std::size_t done = progress->done.size();
    out.resumes_at = done + 1;
    out.sql.clear();
    // What the resume runs first, in its new session: the statements that set the session up.
    const std::vector<std::size_t> again = SessionSetupToRepeat(ctx, sql, progress->statements, done);
    if (!again.empty()) {
      std::vector<std::size_t> numbers;
      for (std::size_t i : again) numbers.push_back(i + 1);
      out.sql = fmt::format("-- run again first, in the new session: statement{} {}, which set{} up the session\n",
                            again.size() == 1 ? "" : "s", fmt::join(numbers, ", "), again.size() == 1 ? "s" : "");
      for (std::size_t i : again) {
        const auto [b, e] = progress->statements[i];
        out.sql += fmt::format("{};\n", sql.substr(b, e - b));
      }
      out.sql += fmt::format("-- statement {} on:\n", done + 1);
    }
    if (done < progress->statements.size()) out.sql += sql.substr(progress->statements[done].first);
  }

  static std::vector<PlannedMigration> Planned(const RunContext& ctx, const std::vector<std::uint64_t>& versions,
                                               Direction d) {
    std::vector<PlannedMigration> out;
    for (std::uint64_t v : versions) {
      const source::Migration& m = *ctx.Find(v);
      const source::Script& s = d == Direction::kUp ? m.up : *m.down;
      out.push_back({m.version, m.name, s.path, d, !CommitsEachStatement(ctx, s), std::string(s.sql()), {}});
      for (const plan::Applied& a : ctx.applied) {
        if (d == Direction::kUp && a.version == v && a.partial()) ShowResume(ctx, a, s.sql(), out.back());
      }
      if (auto previews = PreviewRebuilds(ctx, s); previews.ok()) {
        for (RebuildPreview& r : *previews) {
          out.back().rebuilds.push_back({r.table, std::move(r.alters), std::move(r.statements)});
        }
      }
    }
    return out;
  }

  void Emit(const Event& e) {
    if (callback_) callback_(e);
  }

  // What up runs: maybe a checkpoint (a fresh database), then these versions.
  struct UpPlan {
    const source::Checkpoint* checkpoint = nullptr;  // points into ctx.checkpoints
    std::vector<std::uint64_t> versions;
    bool empty() const { return !checkpoint && versions.empty(); }
  };

  static Result<UpPlan> PlanWithCheckpoints(const RunContext& ctx, const plan::UpRequest& request) {
    STRATA_RETURN_IF_ERROR(ctx.RefuseUnknownCheckpoint("resume it"));
    // A checkpoint cut short has the version of the last file it covers; a target below it would
    // otherwise be refused in the name of that file.
    if (const source::Checkpoint* c = ctx.PartialCheckpoint(); c && request.target && *request.target < c->migration.version) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("checkpoint {} is partial (it stopped half way), and the target {} leaves it out: a "
                                "checkpoint resumes as a whole, up to version {}; run `strata up --to {}` or higher",
                                c->migration.up.path, *request.target, c->migration.version, c->migration.version));
    }
    UpPlan out;
    if (!ctx.checkpoints || ctx.checkpoints->empty()) {
      STRATA_ASSIGN_OR_RETURN(out.versions, plan::PlanUp(ctx.available, ctx.applied, request));
      return out;
    }
    STRATA_ASSIGN_OR_RETURN(plan::CheckpointPlan cp,
                            plan::PlanCheckpoint(ctx.CheckpointEntries(), ctx.available, ctx.applied, request));
    if (cp.apply) out.checkpoint = &(*ctx.checkpoints)[*cp.apply];
    STRATA_ASSIGN_OR_RETURN(out.versions, plan::PlanUp(ctx.available, cp.applied, request));
    return out;
  }

  using Migrations = std::shared_ptr<const std::vector<source::Migration>>;
  struct Loaded {
    Migrations migrations;
    Checkpoints checkpoints;
  };

  Result<Loaded> LoadSource() const {
    Loaded out;
    STRATA_ASSIGN_OR_RETURN(out.migrations, LoadMigrations(source_, *env_.fs, &out.checkpoints));
    return out;
  }

  // Where Up keeps its stat cache and the key that ties the cache to this directory and URL
  // (see Options::stat_cache); an empty path when there is none.
  StatCacheFile StatCache() const {
    if (!options_.stat_cache || source_.embedded()) return {};
    // Not SHA-256: the crypto library's first digest costs about 2 ms (it loads its configuration
    // and providers), a tenth of an up-to-date run on a server, and a cache's name needs no
    // integrity; each entry is still checked against the file's stat.
    std::string key = base::FingerprintHex(source_.label() + '\0' + url_.Redacted());
    if (url_.kind == base::DatabaseUrl::Kind::kSqlite) {
      if (url_.path.empty() || url_.path == ":memory:" || url_.path.starts_with("file:")) return {};
      return {url_.path + ".strata-stat", key, false};
    }
    if (options_.stat_cache_dir.empty()) return {};
    return {base::JoinPath(options_.stat_cache_dir, key + ".stat"), key, true};
  }

  // Takes the run lock and reads the database again, then says what the lock cannot promise.
  Status LockAndReread(RunContext& ctx) {
    STRATA_RETURN_IF_ERROR(ctx.LockAndReread());
    WarnAboutLock(ctx);
    return Status::Ok();
  }

  void WarnAboutLock(const RunContext& ctx) {
    if (!ctx.lock) return;
    if (std::string caveat = ctx.lock->Caveat(); !caveat.empty()) {
      Emit({.kind = EventKind::kWarning, .message = std::move(caveat)});
    }
  }

  // Opens the database and loads the source. Unless read-only, also takes the migration lock
  // (before reading the history) when `lock` is set. A read-write connection is kept for later
  // calls; an embedded source is parsed once.
  Result<RunContext> Start(bool read_only, bool lock = true, bool stat_cache = false) {
    if (!read_only) memo_.valid = false;  // the caller may write; the cached answer is void
    RunContext ctx;
    ctx.clock = env_.clock;
    ctx.history_table = options_.history_table;
    ctx.interruption = &interruption_;
    // Reading and hashing the files and opening the database (SQLite parses its whole schema on
    // first use) are independent: do them at the same time.
    std::future<Result<Loaded>> loading;
    // Only Up's first look may use the stat cache (see RunContext::plan_only_source).
    const StatCacheFile cache = stat_cache ? StatCache() : StatCacheFile();
    bool plan_only = false;
    auto load = [this, &cache, &plan_only]() -> Result<Loaded> {
      Loaded out;
      STRATA_ASSIGN_OR_RETURN(out.migrations,
                              LoadMigrationsCached(source_, *env_.fs, cache, plan_only, &out.checkpoints));
      return out;
    };
    if (embedded_cache_) {
      ctx.source = embedded_cache_;
      ctx.checkpoints = embedded_checkpoints_;
    } else {
      try {
        loading = std::async(std::launch::async, load);
      } catch (const std::system_error&) {  // no thread to be had: read the files when needed
        loading = std::async(std::launch::deferred, load);
      }
    }
    // A read-only open never creates the database: a call that turns out to need writing reopens
    // it (MakeWritable), so a refused or empty run leaves no file behind.
    Status read = Status::Ok();
    auto opened = handle_.ForReading(/*keep_if_writable=*/!read_only);
    if (opened.ok()) {
      ctx.driver = std::move(*opened);
    } else {
      read = opened.status();
    }
    if (read.ok() && !read_only && lock && ctx.driver->Writable()) {
      auto held = ctx.driver->LockRun();
      if (held.ok()) {
        ctx.lock = std::move(*held);
        WarnAboutLock(ctx);
      } else {
        read = held.status();
      }
    }
    // Only Up's lock-free first look on an embedded source can be remembered (see Memo).
    if (read.ok()) read = ctx.ReadDatabase(/*with_token=*/source_.embedded() && !read_only && !lock);
    if (loading.valid()) {
      auto migrations = loading.get();
      // Problems with the files come first: they are the user's to fix whatever the database says.
      if (!migrations.ok()) return migrations.status();
      ctx.source = std::move(migrations->migrations);
      ctx.checkpoints = std::move(migrations->checkpoints);
      ctx.plan_only_source = plan_only;
      if (source_.embedded()) {
        embedded_cache_ = ctx.source;
        embedded_checkpoints_ = ctx.checkpoints;
      }
    }
    STRATA_RETURN_IF_ERROR(read);
    ctx.IndexMigrations();
    return ctx;
  }

  // Appends the run to the log (its own transaction). A run that cannot be logged is not undone;
  // the caller hears about it through a warning event.
  void Record(RunContext& ctx, const RunRecord& record, const RunReport& report, const Status& outcome,
              const std::vector<std::string>& actions = {}) {
    driver::LogRow row = MakeLogRow(record, report, outcome, options_.actor, actions);
    ctx.driver->Rollback();  // a failed migration's transaction, if the driver still has one
    Status st = ctx.driver->AppendLog(row);
    if (!st.ok()) {
      Emit({.kind = EventKind::kWarning, .message = "could not record the run in the run log: " + st.ToString()});
    }
  }

  // Replaces a driver opened on a database that does not exist yet by one that creates it.
  Status MakeWritable(RunContext& ctx) {
    if (ctx.driver->Writable()) return Status::Ok();
    ctx.lock.reset();
    STRATA_ASSIGN_OR_RETURN(ctx.driver, handle_.ForWriting());
    return Status::Ok();
  }

  // The last "nothing to do" answer of Up, valid while the source cannot change (embedded) and
  // the database's change token is the same: an up-to-date start-up is then one tiny query.
  struct Memo {
    bool valid = false;
    std::int64_t token = 0;
    std::optional<std::uint64_t> target;
    std::uint64_t version = 0;
  };

  std::optional<RunReport> UpToDate(const UpOptions& options) {
    if (!memo_.valid || !handle_.kept() || memo_.target != options.target) return std::nullopt;
    auto token = handle_.kept()->ChangeToken();
    if (!token.ok() || *token != memo_.token) return std::nullopt;
    RunReport report;
    report.from_version = report.to_version = memo_.version;
    return report;
  }

  void Remember(const RunContext& ctx, const UpOptions& options, std::uint64_t version) {
    if (!source_.embedded() || !ctx.read_token) return;
    memo_ = {true, *ctx.read_token, options.target, version};
  }

  Environment env_;
  base::DatabaseUrl url_;
  Source source_;
  Options options_;
  EventCallback callback_;
  DriverHandle handle_;  // kept open across calls once opened read-write
  Migrations embedded_cache_;
  Checkpoints embedded_checkpoints_;
  Memo memo_;
  Interruption interruption_;
};

}  // namespace

std::unique_ptr<Migrator> NewMigrator(base::DatabaseUrl url, Source source, Options options,
                                      std::shared_ptr<driver::Driver> driver, Environment env) {
  return std::make_unique<MigratorImpl>(std::move(url), std::move(source), std::move(options), std::move(driver),
                                        env);
}

}  // namespace core
}  // namespace strata
