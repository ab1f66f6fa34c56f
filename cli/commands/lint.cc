// strata lint, and the lint that up and plan run before they change anything.
#include <fmt/format.h>

#include <filesystem>

#include "../cli.h"
#include "../interrupt.h"
#include "../json_output.h"

namespace strata::cli {

std::string FindingText(const LintFinding& f) {
  return fmt::format("{}:{}:{}: {} {}: {}\n  hint: {}", f.file, f.line, f.column, f.rule, LintSeverityName(f.severity),
                     f.message, f.hint);
}

namespace {

// The directory of the migrations to lint: --dir, or the one directory all named files are in.
Result<std::string> LintDirectory(const Invocation& inv) {
  if (inv.inputs.empty()) return inv.dir;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(fs::path(inv.dir), ec);
  std::optional<fs::path> common;
  for (const std::string& file : inv.inputs) {
    fs::path parent = fs::weakly_canonical(fs::path(file), ec).parent_path();
    if (ec) parent = fs::path(file).parent_path();
    if (common && *common != parent) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("lint the files of one migrations directory at a time ('{}' and '{}' are in different "
                                "ones)",
                                inv.inputs.front(), file));
    }
    common = parent;
  }
  if (*common == dir) return inv.dir;
  std::string shown = fs::path(inv.inputs.front()).parent_path().string();
  return shown.empty() ? std::string(".") : shown;
}

// "AccessExclusiveLock" -> "ACCESS EXCLUSIVE", as PostgreSQL's documentation names the modes.
std::string ModeName(std::string_view mode) {
  if (mode.ends_with("Lock")) mode.remove_suffix(4);
  std::string out;
  for (char c : mode) {
    if (c >= 'A' && c <= 'Z' && !out.empty()) out += ' ';
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

// The lock trace (PostgreSQL): per migration, the tables locked against writes and from where, the
// tables rewritten; its PG100 findings join `findings`.
Status PrintTrace(const Invocation& inv, const std::string& dir, const LintOptions& options,
                  std::vector<LintFinding>& findings) {
  STRATA_ASSIGN_OR_RETURN(ScratchOptions scratch, Scratch(inv, std::string()));
  STRATA_ASSIGN_OR_RETURN(LockTraceReport report, TraceLocks(Source::Directory(dir), scratch, options));
  for (const MigrationTrace& m : report.migrations) {
    if (inv.json) {
      fmt::print("{}\n", JsonLockTrace(m));
    } else {
      fmt::print("trace {} {} ({}){}\n", m.version, m.name, m.file,
                 m.transactional ? "" : " [no transaction: each statement releases its locks when it ends]");
      for (const TracedLock& l : m.locks) {
        fmt::print("  {:<22} {}{}  from {} until commit\n      {}\n", ModeName(l.mode), l.table,
                   l.pre_existing ? "" : " (new)", l.location, l.statement);
      }
      for (const TracedRewrite& r : m.rewritten) {
        fmt::print("  {:<22} {}  at {}\n      {}\n", "REWRITTEN", r.table, r.location, r.statement);
      }
      if (m.locks.empty() && m.rewritten.empty()) fmt::print("  no table locked against writes, none rewritten\n");
    }
    findings.insert(findings.end(), m.findings.begin(), m.findings.end());
  }
  return Status::Ok();
}

}  // namespace

int RunLint(const Invocation& inv) {
  LintOptions options;
  options.files = inv.inputs;
  options.severity = inv.lint_severity;
  if (!inv.engine.empty()) {
    options.engine = inv.engine == "postgres"                         ? Engine::kPostgres
                     : inv.engine == "mariadb" || inv.engine == "mysql" ? Engine::kMariadb
                                                                        : Engine::kSqlite;
  }
  // The lock trace is PostgreSQL's: without a URL or --engine, the text is PostgreSQL too.
  if (inv.trace && inv.engine.empty() && inv.url.empty()) options.engine = Engine::kPostgres;
  auto dir = LintDirectory(inv);
  if (!dir.ok()) return ReportError(inv, dir.status());
  Result<LintReport> report = Status(ErrorCode::kInternal, "not linted");
  if (!inv.url.empty()) {
    // The database decides the dialect, tells what is pending, and answers the live-data questions.
    options.pending_only = inv.pending;
    options.live_data = true;
    auto migrator = Migrator::Open(inv.url, Source::Directory(*dir), inv.options);
    if (!migrator.ok()) return ReportError(inv, migrator.status());
    report = (*migrator)->Lint(options);
  } else if (inv.pending) {
    return ReportError(inv, Status(ErrorCode::kInvalidArgument,
                                   "lint --pending needs a database: give --url (or DATABASE_URL, or url in strata.toml)"));
  } else {
    report = LintSource(Source::Directory(*dir), options);
  }
  if (!report.ok()) return ReportError(inv, report.status());
  if (inv.trace) {
    InterruptGuard guard;
    LintOptions traced = options;
    traced.engine = Engine::kPostgres;
    Status st = PrintTrace(inv, *dir, traced, report->findings);
    if (!st.ok()) return ReportUnlessInterrupted(inv, st);
  }
  for (const LintFinding& f : report->findings) {
    if (inv.json) {
      fmt::print("{}\n", JsonLintFinding(f));
    } else {
      fmt::print("{}\n", FindingText(f));
    }
  }
  std::size_t errors = report->errors(), warnings = report->warnings();
  if (!inv.json) {
    fmt::print("lint: {} migration{} linted, {} error{}, {} warning{}\n", report->migrations,
               report->migrations == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
  }
  return errors > 0 || (inv.strict && warnings > 0) ? kExitLintFailed : kExitOk;
}

Status ReportLint(const Invocation& inv, const LintReport& report) {
  for (const LintFinding& f : report.findings) {
    if (inv.json) {
      fmt::print("{}\n", JsonLintFinding(f, "lint"));
    } else {
      fmt::print(stderr, "strata: lint: {}\n", FindingText(f));
    }
  }
  return LintVerdict(inv, report);
}

Status LintVerdict(const Invocation& inv, const LintReport& report) {
  if (inv.lint_mode == "error" && report.errors() > 0) {
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("lint found {} error{} in the pending migrations; nothing was changed (fix them, "
                              "silence one with `-- strata:lint-ignore RULE: reason`, or run with --lint=warn)",
                              report.errors(), report.errors() == 1 ? "" : "s"));
  }
  return Status::Ok();
}

int LintBeforePlan(const Invocation& inv, Migrator& migrator) {
  if (inv.lint_mode == "off") return kExitOk;
  LintOptions options;
  options.pending_only = true;
  options.severity = inv.lint_severity;
  auto report = migrator.Lint(options);
  if (!report.ok()) return ReportError(inv, report.status());
  Status st = ReportLint(inv, *report);
  if (!st.ok()) {
    ReportError(inv, st);
    return kExitLintFailed;
  }
  return kExitOk;
}

}  // namespace strata::cli
