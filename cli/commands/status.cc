// strata status: every migration with its state.
#include <fmt/format.h>

#include "../cli.h"
#include "../json_output.h"

namespace strata::cli {

int RunStatus(const Invocation& inv) {
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  auto report = (*migrator)->GetStatus();
  if (!report.ok()) return ReportError(inv, report.status());
  const StatusReport& r = *report;
  if (inv.json) {
    fmt::print("{}\n", JsonStatus(r, (*migrator)->RedactedUrl()));
  } else {
    fmt::print("database: {}\n", (*migrator)->RedactedUrl());
    fmt::print("version:  {} (latest available {}), {} pending\n", r.current_version, r.latest_version, r.pending);
    if (r.needs_baseline) {
      fmt::print("note:     PRAGMA user_version = {} but no history table: run `strata baseline` first\n",
                 r.legacy_version);
    }
    for (const std::string& index : r.invalid_indexes) {
      fmt::print("warning:  index {} is INVALID (a failed CREATE INDEX CONCURRENTLY?): `strata repair "
                 "--drop-invalid-indexes` drops it\n",
                 index);
    }
    if (!r.migrations.empty()) {
      fmt::print("\n  {:>14}  {:<12}  {:<24}  {}\n", "VERSION", "STATE", "APPLIED AT (UTC)", "NAME");
      for (const MigrationStatus& m : r.migrations) {
        fmt::print("  {:>14}  {:<12}  {:<24}  {}\n", m.version, MigrationStateName(m.state),
                   m.applied_at.empty() ? "-" : m.applied_at, m.name);
      }
      for (const MigrationStatus& m : r.migrations) {
        if (m.state != MigrationState::kPartial && m.state != MigrationState::kDirty) continue;
        if (!r.run_in_progress.empty()) {
          // Another runner holds the lock: it may be in this migration now, not stopped in it.
          const std::string so_far =
              m.state == MigrationState::kPartial
                  ? fmt::format(": {} of its {} statements ran so far", m.statements_done, m.statements)
                  : std::string(" (it runs outside a transaction)");
          fmt::print("\n{} {} ({}) is {}{}, and a run is in progress (the migration lock is {}): it may still be "
                     "running this migration. Run `strata status` again once it ends\n",
                     m.checkpoint ? "checkpoint" : "migration", m.version, m.name, MigrationStateName(m.state), so_far,
                     r.run_in_progress);
          continue;
        }
        if (m.state != MigrationState::kPartial) continue;
        if (m.checkpoint) {
          const std::string of = m.statements == 0 ? std::string() : fmt::format(" of its {}", m.statements);
          fmt::print("\ncheckpoint {} ({}) is partial: {}{} statements ran and stay applied (the engine commits DDL "
                     "by itself); statement {} failed or was interrupted. strata wrote its text: remove what made "
                     "that statement fail and run `strata up` to resume there, or finish it by hand and run `strata "
                     "repair --mark-applied`\n",
                     m.version, m.file.empty() ? "no longer in the directory as it ran" : m.file, m.statements_done,
                     of, m.statements_done + 1);
          continue;
        }
        fmt::print("\nmigration {} ({}) is partial: {} of its {} statements ran and stay applied (the engine "
                   "commits DDL by itself); statement {} failed or was interrupted. Fix that statement or what made "
                   "it fail and run `strata up` to resume there, {}\n",
                   m.version, m.name, m.statements_done, m.statements, m.statements_done + 1,
                   m.has_down ? "or `strata down` to run its down part"
                              : "or finish it by hand and run `strata repair --mark-applied`");
      }
    }
  }
  return inv.exit_code && r.pending > 0 ? kExitPending : kExitOk;
}

}  // namespace strata::cli
