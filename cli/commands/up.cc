// strata up / strata down: apply or roll back, with progress.
#include <fmt/format.h>

#include "../cli.h"
#include "../json_output.h"
#include "../output.h"

namespace strata::cli {

namespace {

int Run(const Invocation& inv, Direction direction) {
  if (inv.dry_run) return RunPlan(inv);
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  Migrator& m = **migrator;
  std::string url = m.RedactedUrl();
  m.SetEventCallback([&](const Event& e) { PrintEvent(inv, url, e); });
  Result<RunReport> report = direction == Direction::kUp ? m.Up({inv.to}) : m.Down({inv.to, inv.steps});
  if (!report.ok()) return ReportError(inv, report.status());
  const RunReport& r = *report;
  if (inv.json) {
    fmt::print("{}\n", JsonRunDone(r, direction));
  } else if (r.migrations.empty()) {
    fmt::print("nothing to do: {} is at version {}\n", url, r.to_version);
  } else {
    fmt::print("done: version {} -> {} ({} migration{}, {:.1f} ms)\n", r.from_version, r.to_version,
               r.migrations.size(), r.migrations.size() == 1 ? "" : "s", r.total_ms);
  }
  return kExitOk;
}

}  // namespace

int RunUp(const Invocation& inv) { return Run(inv, Direction::kUp); }
int RunDown(const Invocation& inv) { return Run(inv, Direction::kDown); }

}  // namespace strata::cli
