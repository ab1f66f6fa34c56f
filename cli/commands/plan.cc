// strata plan (and up/down --dry-run): the SQL that would run. Opens the database read-only and
// creates nothing, not even the history table.
#include <fmt/format.h>

#include "../cli.h"
#include "../json_output.h"

namespace strata::cli {

namespace {

// `s` on one line: runs of whitespace become one space.
std::string OneLineText(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// As SQL comments, so that the plan stays the migration's own text plus notes.
void PrintRebuild(const PlannedRebuild& r) {
  fmt::print("-- SQLite has no such ALTER TABLE: strata rebuilds {} instead of running\n", r.table);
  for (const std::string& a : r.replaces) fmt::print("--   {}\n", OneLineText(a));
  if (r.statements.empty()) {
    fmt::print("-- (its statements are computed when it runs, from the table as the statements before it leave it)\n");
  } else {
    fmt::print("-- with foreign keys off around the migration's transaction, it runs:\n");
    for (const std::string& st : r.statements) {
      std::string text = st + ";";
      std::size_t at = 0;
      while (at <= text.size()) {
        std::size_t nl = text.find('\n', at);
        if (nl == std::string::npos) nl = text.size();
        fmt::print("--   {}\n", text.substr(at, nl - at));
        at = nl + 1;
      }
    }
    fmt::print("--   then PRAGMA foreign_key_check on {} and the tables that reference it\n", r.table);
  }
  fmt::print("\n");
}

}  // namespace

int RunPlan(const Invocation& inv) {
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  bool down = inv.command == "down";
  if (!down) {
    if (int code = LintBeforePlan(inv, **migrator); code != kExitOk) return code;
  }
  UpOptions up{inv.to};
  up.single_transaction = inv.single_transaction;  // `up --single-transaction --dry-run` refuses as `up` would
  // --force: a partial migration's down part runs unasked (as `down --force` would).
  auto plan = down ? (*migrator)->PlanDown({inv.to, inv.steps, {}, /*partial=*/inv.force}) : (*migrator)->PlanUp(up);
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
    fmt::print("-- {} {} {} ({}){}{}\n", down ? "down" : "up", p.version, p.name, p.file,
               p.transactional ? "" : " [no transaction]",
               p.resumes_at == 0 ? std::string()
                                 : fmt::format(" [partial: resumes at statement {}]", p.resumes_at));
    std::string sql = p.sql;
    while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ')) sql.pop_back();
    fmt::print("{}\n\n", sql);
    for (const PlannedRebuild& r : p.rebuilds) PrintRebuild(r);
  }
  return kExitOk;
}

}  // namespace strata::cli
