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
        if (m.state != MigrationState::kPartial) continue;
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
