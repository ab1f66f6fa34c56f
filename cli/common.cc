// Pieces every command shares: exit codes, error printing, opening the Migrator, progress output.
#include <fmt/format.h>

#include <cstdio>

#include "cli.h"
#include "json_output.h"
#include "output.h"

namespace strata::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk: return kExitOk;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound: return kExitInvalidInput;
    case ErrorCode::kSqlError: return kExitSqlError;
    case ErrorCode::kFailedPrecondition: return kExitPrecondition;
    case ErrorCode::kAborted: return kExitLockTimeout;
    case ErrorCode::kUnavailable: return kExitConnection;
    case ErrorCode::kUnauthenticated: return kExitAuth;
    case ErrorCode::kInternal: return kExitInternal;
    case ErrorCode::kDataAtRisk: return kExitDataAtRisk;
    case ErrorCode::kDataChanged: return kExitDataChanged;
    case ErrorCode::kLockLost: return kExitLockLost;
    case ErrorCode::kIntegrity: return kExitIntegrity;
    case ErrorCode::kInterrupted: return kExitInterrupted;
  }
  return kExitInternal;
}

namespace {

// The library says what happened; the CLI says which of its flags gets past it.
std::string RemedyText(const Invocation& inv, Remedy remedy) {
  switch (remedy) {
    case Remedy::kForce: return " Pass --force to run anyway.";
    case Remedy::kNoForeignKeys: return " --no-foreign-keys turns foreign keys off for the run.";
    case Remedy::kLockTimeout: return " (raise --lock-timeout to wait longer)";
    case Remedy::kPgLockTimeout: return " (raise it with --pg-lock-timeout)";
    case Remedy::kHistoryTable: {
      auto engine = EngineOf(inv.url);
      bool postgres = engine.ok() && *engine == Engine::kPostgres;
      return postgres ? " Choose another name with --table or --schema" : " Choose another name with --table";
    }
  }
  return "";
}

}  // namespace

Status WithRemedyText(const Invocation& inv, const Status& status) {
  if (status.remedies().empty()) return status;
  std::string message = status.message();
  for (Remedy r : status.remedies()) message += RemedyText(inv, r);
  Status out(status.code(), std::move(message));
  if (status.location()) return std::move(out).WithLocation(*status.location());
  return out;
}

int ReportError(const Invocation& inv, const Status& reported) {
  const Status status = WithRemedyText(inv, reported);
  if (inv.json) fmt::print("{}\n", JsonError(status));
  std::string text = status.ToString();
  if (const auto& loc = status.location(); loc && !loc->statement.empty()) {
    text += fmt::format("\n  in statement: {}", loc->statement);
  }
  fmt::print(stderr, "strata: error: {}\n", text);
  std::fflush(stdout);
  return ExitCodeFor(status);
}

Result<std::unique_ptr<Migrator>> OpenMigrator(const Invocation& inv) {
  return Migrator::Open(inv.url, Source::Directory(inv.dir), inv.options);
}

void PrintEvent(const Invocation& inv, const std::string& redacted_url, const Event& e) {
  if (e.kind == EventKind::kWarning) {
    fmt::print(stderr, "strata: warning: {}\n", e.message);
    if (!inv.json) return;
  }
  if (inv.json) {
    if (e.kind == EventKind::kStatementDone && !inv.verbose) return;
    std::string line = JsonEvent(e, redacted_url);
    if (!line.empty()) fmt::print("{}\n", line);
    std::fflush(stdout);
    return;
  }
  const char* verb = e.direction == Direction::kUp ? "applying" : "rolling back";
  switch (e.kind) {
    case EventKind::kRunStarted:
      fmt::print("{} {} migration{} on {}\n", verb, e.total, e.total == 1 ? "" : "s", redacted_url);
      break;
    case EventKind::kMigrationStarted:
      if (inv.verbose) fmt::print("  {} {} {} ({})\n", e.direction == Direction::kUp ? "up  " : "down", e.version, e.name, e.file);
      break;
    case EventKind::kStatementDone:
      if (inv.verbose) fmt::print("      {}  ({:.2f} ms)\n", OneLineStatement(e.statement), e.ms);
      break;
    case EventKind::kMigrationDone:
      fmt::print("  {} {:>6} {}  ({:.1f} ms)\n", e.direction == Direction::kUp ? "up  " : "down", e.version, e.name,
                 e.ms);
      break;
    case EventKind::kBackup:
      fmt::print("backup: {} ({})\n", e.file, e.message);
      break;
    case EventKind::kRunFinished:
    case EventKind::kWarning:
      break;
  }
  std::fflush(stdout);
}

std::string OneLineStatement(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > 120) out = out.substr(0, 117) + "...";
  return out;
}

}  // namespace strata::cli
