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
    }
  }
  return inv.exit_code && r.pending > 0 ? kExitPending : kExitOk;
}

}  // namespace strata::cli
