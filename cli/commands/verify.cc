// strata verify: does the database agree with the files (and, with --schema, with a schema)?
#include <fmt/format.h>

#include "../cli.h"
#include "../interrupt.h"
#include "../json_output.h"

namespace strata::cli {

Result<std::vector<std::string>> SchemaProblems(const Invocation& inv, Migrator& migrator);

int RunVerify(const Invocation& inv) {
  if (!inv.git_base.empty()) return RunVerifyGitBase(inv);
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  auto report = (*migrator)->Verify();
  if (!report.ok()) return ReportError(inv, report.status());
  if (!inv.schema_file.empty()) {
    InterruptGuard guard;  // a dump file is loaded into a scratch database
    auto problems = SchemaProblems(inv, **migrator);
    if (!problems.ok()) return ReportUnlessInterrupted(inv, problems.status());
    for (std::string& p : *problems) report->problems.push_back({0, "", MigrationState::kMissingFile, std::move(p)});
  }
  if (inv.json) {
    fmt::print("{}\n", JsonVerify(*report));
  } else if (report->ok()) {
    fmt::print("ok: the database agrees with the migration files{}\n",
               inv.schema_file.empty() ? "" : " and has every object of " + inv.schema_file);
  } else {
    fmt::print("{} problem{}:\n", report->problems.size(), report->problems.size() == 1 ? "" : "s");
    for (const VerifyProblem& p : report->problems) {
      if (p.version == 0 && p.name.empty()) {
        fmt::print("  {}\n", p.message);
      } else {
        fmt::print("  {} {} [{}]: {}\n", p.version, p.name, MigrationStateName(p.state), p.message);
      }
    }
  }
  return report->ok() ? kExitOk : kExitVerifyFailed;
}

}  // namespace strata::cli
