// strata up / strata down: apply or roll back, with progress, the data guard's prompt and backups.
#include <fmt/format.h>

#include <chrono>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <iostream>
#include <memory>
#include <optional>

#include "../cli.h"
#include "../interrupt.h"
#include "../json_output.h"
#include "../live_line.h"
#include "../output.h"

namespace strata::cli {

namespace {

std::string UtcCompact() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string Substitute(std::string text, const std::string& key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

// Runs `command` with /bin/sh; its standard output goes to our standard error so that --json
// output stays clean.
Result<std::string> RunBackupCommand(const std::string& command, std::uint64_t version) {
  std::string cmd = Substitute(Substitute(command, "{version}", std::to_string(version)), "{timestamp}", UtcCompact());
  std::string shown = RedactSecrets(cmd);
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) return Status(ErrorCode::kInternal, "cannot start the backup command: fork failed");
  if (pid == 0) {
    ::dup2(2, 1);
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return shown;
  std::string how = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                      : fmt::format("signal {}", WTERMSIG(status));
  return Status(ErrorCode::kFailedPrecondition,
                fmt::format("the backup command failed ({}), so nothing was changed: {}", how, shown));
}

// The seed's prompt: only on a terminal, never waiting on a pipe or in CI.
bool AskOnTerminal(const std::vector<DataAtRisk>& risks) {
  fmt::print(stderr, "These statements destroy rows that exist now:\n");
  for (const DataAtRisk& r : risks) {
    std::string target = r.column.empty() ? r.table : fmt::format("{} (column {})", r.table, r.column);
    fmt::print(stderr, "  {}: {} destroys {} row{} of {}\n      {}\n", r.location, r.what, r.rows,
               r.rows == 1 ? "" : "s", target, OneLineStatement(r.statement));
  }
  fmt::print(stderr, "A backup is taken first where strata can (SQLite). Type yes to continue: ");
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "yes";
}

// A partial migration's down part was written for the whole migration: asked before it runs.
bool AskPartialRollback(const std::string& migration) {
  fmt::print(stderr, "Migration {} is partial: only some of its statements ran. Its down part was written for the "
                     "whole migration and may fail on what never ran. Type yes to run it: ",
             migration);
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "yes";
}

}  // namespace

SafetyOptions Safety(const Invocation& inv, bool may_ask) {
  SafetyOptions s;
  s.force = inv.force;
  s.backup = inv.backup;
  s.verify_data = inv.verify_data;
  if (may_ask && !inv.force && !inv.json && ::isatty(0) && ::isatty(2)) s.confirm = AskOnTerminal;
  if (!inv.backup_command.empty()) {
    std::string command = inv.backup_command;
    s.backup_hook = [command](std::uint64_t version) { return RunBackupCommand(command, version); };
  }
  return s;
}

namespace {

// up --wait-replicas: one line per standby (stderr; --json puts them in the done event) and the exit
// code: 17 when one had not replayed the run, or when the standbys could not be asked.
int ReportReplicas(const Invocation& inv, const RunReport& r) {
  if (r.replicas_target_lsn.empty()) return kExitReplicaLag;  // asking failed: a warning said why
  bool all = true;
  for (const ReplicaState& s : r.replicas) {
    all = all && s.caught_up;
    if (inv.json) continue;
    std::string who = s.name.empty() ? s.address : fmt::format("{} ({})", s.name, s.address);
    if (s.caught_up) {
      fmt::print(stderr, "standby {}: replayed the run ({}) after {:.0f} ms\n", who, r.replicas_target_lsn,
                 s.waited_ms);
    } else {
      fmt::print(stderr, "strata: error: standby {} had not replayed the run after {:.1f} s: it is at {}, the run "
                         "ended at {}\n",
                 who, s.waited_ms / 1000, s.replay_lsn.empty() ? "an unknown position (pg_monitor can see it)"
                                                                : s.replay_lsn,
                 r.replicas_target_lsn);
    }
  }
  if (r.replicas.empty() && !inv.json) fmt::print(stderr, "no standby is streaming from this server\n");
  return all ? kExitOk : kExitReplicaLag;
}

constexpr const char* kStoppingMessage =
    "\nstrata: stopping where the database is clean: a migration in a transaction is rolled back, one that cannot "
    "be stops after its current statement or runs to its end (again to quit now)\n";

int Run(const Invocation& inv, Direction direction) {
  if (inv.dry_run) return RunPlan(inv);
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  Migrator& m = **migrator;
  std::string url = m.RedactedUrl();
  // On a terminal, a statement that runs for more than half a second gets a live line saying
  // which migration and which of its statements it is, and for how long.
  struct {
    bool active = false;
    std::string what;
    std::size_t statement = 1;
    LiveLine::Clock::time_point since;
  } progress;
  const char* verb = direction == Direction::kUp ? "applying" : "rolling back";
  auto live = std::make_unique<LiveLine>(!inv.json, [&](LiveLine::Clock::time_point now) -> std::string {
    double s = std::chrono::duration<double>(now - progress.since).count();
    if (!progress.active || s < 0.5) return "";
    return fmt::format("{} {}: statement {} running for {:.1f} s", verb, progress.what, progress.statement, s);
  });
  // From the first migration on, SIGINT and SIGTERM stop the run where the database is clean (a
  // Kubernetes job's termination, ^C) instead of ending the process mid-statement. Before that
  // nothing has been written, and the default (end at once) loses nothing.
  std::optional<InterruptGuard> interrupts;
  m.SetEventCallback([&](const Event& e) {
    if (e.kind == EventKind::kRunStarted && !interrupts) {
      interrupts.emplace(kStoppingMessage, [&m] { m.Interrupt(); });
    }
    live->Locked([&] {
      PrintEvent(inv, url, e);
      progress.since = LiveLine::Clock::now();
      if (e.kind == EventKind::kMigrationStarted) {
        progress = {true, fmt::format("{} {}", e.version, e.name), 1, progress.since};
      } else if (e.kind == EventKind::kStatementDone) {
        ++progress.statement;
      } else if (e.kind == EventKind::kMigrationDone || e.kind == EventKind::kRunFinished) {
        progress.active = false;
      }
    });
  });
  bool lint_refused = false;
  auto run = [&]() -> Result<RunReport> {
    if (direction == Direction::kDown) {
      DownOptions down{inv.to, inv.steps, Safety(inv, true), /*partial=*/inv.force};
      Result<RunReport> r = m.Down(down);
      // A partial migration's down part runs against what ran only once the user said so.
      if (r.ok() || down.partial || r.status().code() != ErrorCode::kFailedPrecondition || !down.safety.confirm) {
        return r;
      }
      auto status = m.GetStatus();
      if (!status.ok()) return r;
      std::string partial;
      for (const MigrationStatus& s : status->migrations) {
        if (s.state == MigrationState::kPartial) partial = fmt::format("{} ({})", s.version, s.name);
      }
      if (partial.empty()) return r;
      bool yes = false;
      live->Locked([&] {
        progress.active = false;
        yes = AskPartialRollback(partial);
      });
      if (!yes) return r;
      down.partial = true;
      return m.Down(down);
    }
    UpOptions up{inv.to, Safety(inv, true)};
    up.single_transaction = inv.single_transaction;
    if (inv.wait_replicas_s) {
      up.wait_replicas = std::chrono::milliseconds(static_cast<std::int64_t>(*inv.wait_replicas_s * 1000));
    }
    if (inv.lint_mode != "off") {
      up.lint_options.severity = inv.lint_severity;
      up.lint = [&](const LintReport& found) {
        Status st = ReportLint(inv, found);
        lint_refused = !st.ok();
        return st;
      };
    }
    return m.Up(up);
  };
  Result<RunReport> report = run();
  interrupts.reset();
  live.reset();  // erased before anything else is printed
  if (!report.ok()) {
    int code = ReportError(inv, report.status());
    return lint_refused ? kExitLintFailed : code;
  }
  const RunReport& r = *report;
  int code = kExitOk;
  if (inv.wait_replicas_s && !r.migrations.empty()) code = ReportReplicas(inv, r);
  if (inv.json) {
    fmt::print("{}\n", JsonRunDone(r, direction));
  } else if (r.migrations.empty()) {
    fmt::print("nothing to do: {} is at version {}\n", url, r.to_version);
  } else {
    fmt::print("done: version {} -> {} ({} migration{}, {:.1f} ms)\n", r.from_version, r.to_version,
               r.migrations.size(), r.migrations.size() == 1 ? "" : "s", r.total_ms);
    if (!r.backup_file.empty()) fmt::print("backup before the run: {}\n", r.backup_file);
  }
  return code;
}

}  // namespace

int RunUp(const Invocation& inv) { return Run(inv, Direction::kUp); }
int RunDown(const Invocation& inv) { return Run(inv, Direction::kDown); }

}  // namespace strata::cli
