// strata baseline / repair / log: the commands that write or read strata's own tables, the
// history table and its run log.
#include <fmt/format.h>

#include "../cli.h"
#include "../json_output.h"

namespace strata::cli {

int RunBaseline(const Invocation& inv) {
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  auto report = (*migrator)->Baseline(inv.baseline_version);
  if (!report.ok()) return ReportError(inv, report.status());
  if (inv.json) {
    fmt::print("{}\n", JsonRunDone(*report, Direction::kUp));
  } else {
    for (const AppliedMigration& m : report->migrations) fmt::print("  baseline {:>6} {}\n", m.version, m.name);
    fmt::print("baselined at version {}: `strata up` continues from the next migration\n", report->to_version);
  }
  return kExitOk;
}

int RunRepair(const Invocation& inv) {
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  auto report = (*migrator)->Repair({inv.mark_applied, inv.repair_checksums, inv.drop_invalid_indexes});
  if (!report.ok()) return ReportError(inv, report.status());
  if (inv.json) {
    fmt::print("{}\n", JsonStrings("actions", report->actions));
  } else {
    if (report->actions.empty() && report->invalid_indexes.empty()) fmt::print("nothing to repair\n");
    for (const std::string& a : report->actions) fmt::print("  {}\n", a);
    for (const std::string& index : report->invalid_indexes) {
      fmt::print("  index {} is INVALID; `strata repair --drop-invalid-indexes` drops it\n", index);
    }
  }
  return kExitOk;
}

int RunLog(const Invocation& inv) {
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  auto log = (*migrator)->Log(inv.log_limit);
  if (!log.ok()) return ReportError(inv, log.status());
  if (inv.json) {
    fmt::print("{}\n", JsonLog(*log));
    return kExitOk;
  }
  if (log->empty()) {
    fmt::print("the run log is empty\n");
    return kExitOk;
  }
  for (const LogEntry& e : *log) {
    fmt::print("#{} {} {:<8} {:<7} {} -> {}  ({:.1f} ms)  by {}\n", e.id, e.started_at, e.command, e.outcome,
               e.from_version, e.to_version, e.duration_ms, e.actor.empty() ? "-" : e.actor);
    if (!e.error.empty()) fmt::print("    error: {}\n", e.error.substr(0, e.error.find('\n')));
  }
  return kExitOk;
}

}  // namespace strata::cli
