// strata plan (and up/down --dry-run): the SQL that would run. Opens the database read-only and
// creates nothing, not even the history table.
#include <fmt/format.h>

#include "../cli.h"
#include "../json_output.h"

namespace strata::cli {

int RunPlan(const Invocation& inv) {
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  bool down = inv.command == "down";
  if (!down) {
    if (int code = LintBeforePlan(inv, **migrator); code != kExitOk) return code;
  }
  UpOptions up{inv.to};
  up.single_transaction = inv.single_transaction;  // `up --single-transaction --dry-run` refuses as `up` would
  auto plan = down ? (*migrator)->PlanDown({inv.to, inv.steps}) : (*migrator)->PlanUp(up);
  if (!plan.ok()) return ReportError(inv, plan.status());
  if (inv.json) {
    fmt::print("{}\n", JsonPlan(*plan));
    return kExitOk;
  }
  if (plan->empty()) {
    fmt::print("-- nothing to do\n");
    return kExitOk;
  }
  for (const PlannedMigration& p : *plan) {
    fmt::print("-- {} {} {} ({}){}\n", down ? "down" : "up", p.version, p.name, p.file,
               p.transactional ? "" : " [no transaction]");
    std::string sql = p.sql;
    while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ')) sql.pop_back();
    fmt::print("{}\n\n", sql);
  }
  return kExitOk;
}

}  // namespace strata::cli
