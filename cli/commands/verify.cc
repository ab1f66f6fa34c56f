// strata verify: does the database agree with the files?
#include <fmt/format.h>

#include "../cli.h"
#include "../json_output.h"

namespace strata::cli {

int RunVerify(const Invocation& inv) {
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  auto report = (*migrator)->Verify();
  if (!report.ok()) return ReportError(inv, report.status());
  if (inv.json) {
    fmt::print("{}\n", JsonVerify(*report));
  } else if (report->ok()) {
    fmt::print("ok: the database agrees with the migration files\n");
  } else {
    fmt::print("{} problem{}:\n", report->problems.size(), report->problems.size() == 1 ? "" : "s");
    for (const VerifyProblem& p : report->problems) {
      fmt::print("  {} {} [{}]: {}\n", p.version, p.name, MigrationStateName(p.state), p.message);
    }
  }
  return report->ok() ? kExitOk : kExitVerifyFailed;
}

}  // namespace strata::cli
