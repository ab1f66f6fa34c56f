// Fleets: `up`, `status`, `plan`, `verify` or `lint` on every database of --targets FILE and/or every
// tenant schema of --schemas PATTERN, a few at a time (strata/fleet.h schedules them). One line
// per target as it finishes, a summary, NDJSON with --json (every event tagged with its target), and
// the worst of the targets' exit codes.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "../cli.h"
#include "../interrupt.h"
#include "../json_output.h"
#include "../live_line.h"
#include "strata/fleet.h"

namespace strata::cli {

namespace {

// Worst first: what may have left a database half way or changed data it should not have, then
// what a person must fix, then what is wrong around the database, then what only informs.
constexpr int kSeverityOrder[] = {kExitInternal,     kExitDataChanged,  kExitLockLost,     kExitSqlError,
                                  kExitDataAtRisk,   kExitPrecondition, kExitIntegrity,    kExitLintFailed,
                                  kExitVerifyFailed, kExitAuth,         kExitConnection,   kExitLockTimeout,
                                  kExitInterrupted,  kExitInvalidInput, kExitUsage,        kExitReplicaLag,
                                  kExitDiffers,      kExitPending};

int Rank(int code) {
  if (code == kExitOk) return 1000;
  int i = 0;
  for (int c : kSeverityOrder) {
    if (c == code) return i;
    ++i;
  }
  return -1;  // unknown: worst of all
}

int Worst(int a, int b) { return Rank(a) <= Rank(b) ? a : b; }

// The first line of a message (a located error continues with the source line and a caret).
std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

Result<std::string> ReadTargetsFile(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, fmt::format("cannot read the targets file {}", path));
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

// Every target of --targets (else --url), each expanded to the schemas --schemas matches.
Result<std::vector<FleetTarget>> Targets(const Invocation& inv) {
  std::vector<FleetTarget> targets;
  if (!inv.targets_file.empty()) {
    STRATA_ASSIGN_OR_RETURN(std::string text, ReadTargetsFile(inv.targets_file));
    STRATA_ASSIGN_OR_RETURN(targets,
                            ParseTargets(text, inv.targets_file == "-" ? "(standard input)" : inv.targets_file));
  } else {
    if (inv.url.empty()) {
      return Status(ErrorCode::kInvalidArgument, "--schemas needs a database: give --url (or DATABASE_URL, or url in "
                                                 "strata.toml) or --targets");
    }
    auto probe = Migrator::Open(inv.url, Source::Directory(inv.dir), inv.options);
    if (!probe.ok()) return probe.status();
    FleetTarget t;
    t.url = inv.url;
    t.label = (*probe)->RedactedUrl();
    targets.push_back(std::move(t));
  }
  if (inv.schemas_pattern.empty()) return targets;
  std::vector<FleetTarget> expanded;
  for (const FleetTarget& t : targets) {
    STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, ListSchemas(t.url, inv.schemas_pattern, inv.options));
    for (const std::string& name : names) {
      FleetTarget s = t;
      s.schema = name;
      s.label = fmt::format("{} schema {}", t.label, name);
      expanded.push_back(std::move(s));
    }
  }
  if (expanded.empty()) {
    return Status(ErrorCode::kNotFound, fmt::format("no schema matches --schemas '{}' on {} database{}",
                                                    inv.schemas_pattern, targets.size(), targets.size() == 1 ? "" : "s"));
  }
  return expanded;
}

struct Running {
  std::string label;
  std::string what;  // "v0005 add_orders"
  LiveLine::Clock::time_point since;
};

// Prints for all worker threads, one line at a time, and draws the live line on a terminal.
class Printer {
 public:
  Printer(const Invocation& inv, std::size_t total)
      : total_(total), live_(!inv.json, [this](LiveLine::Clock::time_point now) { return Render(now); }) {
    const char* no_color = std::getenv("NO_COLOR");
    color_ = !inv.json && ::isatty(1) && !(no_color && *no_color);
  }

  bool color() const { return color_; }

  void Out(const std::string& text) {
    live_.Locked([&] {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    });
  }
  void Err(const std::string& text) {
    live_.Locked([&] { std::fwrite(text.data(), 1, text.size(), stderr); });
  }
  // A finding seen on several targets (the same pending file) is printed once.
  bool FirstTime(const std::string& key) {
    bool first = false;
    live_.Locked([&] { first = seen_.insert(key).second; });
    return first;
  }
  void Started(std::size_t i, const std::string& label) {
    live_.Locked([&] { running_[i] = {label, "", LiveLine::Clock::now()}; });
  }
  void Doing(std::size_t i, std::string what) {
    live_.Locked([&] {
      auto it = running_.find(i);
      if (it == running_.end()) return;
      it->second.what = std::move(what);
      it->second.since = LiveLine::Clock::now();
    });
  }
  void FinishedLine(std::size_t i, const std::string& text) {
    live_.Locked([&] {
      running_.erase(i);
      ++finished_;
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    });
  }

 private:
  // How many are done, and the longest-running target with what it is doing and for how long.
  std::string Render(LiveLine::Clock::time_point now) const {
    const Running* oldest = nullptr;
    for (const auto& [i, r] : running_) {
      if (!oldest || r.since < oldest->since) oldest = &r;
    }
    std::string text = fmt::format("[{}/{} done, {} running]", finished_, total_, running_.size());
    if (oldest) {
      double s = std::chrono::duration<double>(now - oldest->since).count();
      text += fmt::format(" {}{}{} {:.1f} s", oldest->label, oldest->what.empty() ? "" : ": ", oldest->what, s);
    }
    return text;
  }

  std::size_t total_;
  bool color_ = false;
  std::size_t finished_ = 0;
  std::map<std::size_t, Running> running_;
  std::set<std::string> seen_;
  LiveLine live_;  // last: its thread reads the members above until it is destroyed
};

// What one target's job found, for its line and the summary.
struct Outcome {
  int exit_code = kExitOk;
  std::uint64_t from = 0, to = 0;
  std::size_t count = 0;
  double ms = 0;
  std::string text;   // the human line's tail
  std::string error;  // first line of the error, password-free
  std::string extra;  // lines printed after the target's line (verify problems, lint findings)
};

class Fleet {
 public:
  Fleet(const Invocation& inv, std::vector<FleetTarget> targets)
      : inv_(inv), targets_(std::move(targets)), outcomes_(targets_.size()), printer_(inv, targets_.size()) {}

  int Run() {
    // The first signal: no target starts any more, and each running `up` stops where its database
    // is clean (Migrator::Interrupt); a second one ends the process.
    InterruptGuard guard(
        "\nstrata: stopping: no new target starts, and each running one stops where its database is clean "
        "(again to quit now)\n",
        [this] {
          std::lock_guard<std::mutex> hold(running_mu_);
          for (Migrator* m : running_) m->Interrupt();
        });
    FleetOptions options;
    options.parallel = inv_.parallel;
    options.canary = inv_.canary;
    // Commands that only read look at every target: one target's finding does not make the next
    // one's answer less useful.
    options.continue_on_error = inv_.continue_on_error || inv_.command != "up";
    options.interrupted = [] { return InterruptRequested(); };
    FleetReport report = RunFleet(
        targets_.size(), options, [this](std::size_t i) { return Job(i); },
        [this](std::size_t i, const Status&) { Report(i); });
    return Summary(report);
  }

 private:
  Options OptionsFor(const FleetTarget& t) const {
    Options o = inv_.options;
    if (!t.schema.empty()) {
      o.schema = t.schema;
      o.schema_first_in_search_path = true;
    }
    return o;
  }

  void Json(const FleetTarget& t, const std::string& line) {
    if (!line.empty()) printer_.Out(JsonTagged(line, t.label, t.schema) + "\n");
  }

  Status Failed(std::size_t i, const Status& reported, int code = -1) {
    Status st = WithRemedyText(inv_, reported);
    Outcome& o = outcomes_[i];
    o.exit_code = code >= 0 ? code : ExitCodeFor(st);
    o.error = RedactSecrets(FirstLine(st.ToString()));
    if (inv_.json) Json(targets_[i], JsonError(st));
    return st;
  }

  // The pending migrations' findings, each printed once for the whole fleet; the verdict per target.
  Status Lint(std::size_t i, const LintReport& found) {
    for (const LintFinding& f : found.findings) {
      std::string key = fmt::format("{}:{}:{}:{}", f.file, f.line, f.column, f.rule);
      if (!printer_.FirstTime(key)) continue;
      if (inv_.json) {
        Json(targets_[i], JsonLintFinding(f, "lint"));
      } else {
        printer_.Err(fmt::format("strata: lint: {}\n", FindingText(f)));
      }
    }
    return LintVerdict(inv_, found);
  }

  Status Job(std::size_t i) {
    const FleetTarget& t = targets_[i];
    printer_.Started(i, t.label);
    auto start = std::chrono::steady_clock::now();
    Status st = Dispatch(i, t);
    outcomes_[i].ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return st;
  }

  Status Dispatch(std::size_t i, const FleetTarget& t) {
    auto opened = Migrator::Open(t.url, Source::Directory(inv_.dir), OptionsFor(t));
    if (!opened.ok()) return Failed(i, opened.status());
    Migrator& m = **opened;
    if (inv_.command == "up" && !inv_.dry_run) return Up(i, t, m);
    if (inv_.command == "status") return StatusOf(i, t, m);
    if (inv_.command == "verify") return VerifyOf(i, t, m);
    if (inv_.command == "lint") return LintOf(i, t, m);
    return PlanOf(i, t, m);
  }

  Status Up(std::size_t i, const FleetTarget& t, Migrator& m) {
    Outcome& o = outcomes_[i];
    m.SetEventCallback([&](const Event& e) {
      if (e.kind == EventKind::kMigrationStarted) printer_.Doing(i, fmt::format("{} {}", e.version, e.name));
      if (e.kind == EventKind::kWarning && !inv_.json) {
        printer_.Err(fmt::format("strata: warning: {}: {}\n", t.label, e.message));
      }
      if (inv_.json) {
        if (e.kind == EventKind::kStatementDone && !inv_.verbose) return;
        Json(t, JsonEvent(e, t.label));
      } else if (inv_.verbose && e.kind == EventKind::kMigrationDone) {
        printer_.Out(fmt::format("  {}: up {} {} ({:.1f} ms)\n", t.label, e.version, e.name, e.ms));
      }
    });
    UpOptions up{inv_.to, Safety(inv_, /*may_ask=*/false)};
    up.single_transaction = inv_.single_transaction;
    if (inv_.wait_replicas_s) {
      up.wait_replicas = std::chrono::milliseconds(static_cast<std::int64_t>(*inv_.wait_replicas_s * 1000));
    }
    bool lint_refused = false;
    if (inv_.lint_mode != "off") {
      up.lint_options.severity = inv_.lint_severity;
      up.lint = [&](const LintReport& found) {
        Status st = Lint(i, found);
        lint_refused = !st.ok();
        return st;
      };
    }
    {
      std::lock_guard<std::mutex> hold(running_mu_);
      running_.insert(&m);
    }
    if (InterruptRequested()) m.Interrupt();  // the signal came while this target was starting
    auto run = m.Up(up);
    {
      std::lock_guard<std::mutex> hold(running_mu_);
      running_.erase(&m);
    }
    if (!run.ok()) return Failed(i, run.status(), lint_refused ? kExitLintFailed : -1);
    const RunReport& r = *run;
    o.from = r.from_version;
    o.to = r.to_version;
    o.count = r.migrations.size();
    if (inv_.json) Json(t, JsonRunDone(r, Direction::kUp));
    if (r.migrations.empty()) {
      o.text = fmt::format("at {}, nothing to do", r.to_version);
    } else {
      o.text = fmt::format("{} -> {}, {} migration{}", r.from_version, r.to_version, r.migrations.size(),
                           r.migrations.size() == 1 ? "" : "s");
    }
    if (inv_.wait_replicas_s && !r.migrations.empty()) {
      bool all = !r.replicas_target_lsn.empty();
      for (const ReplicaState& s : r.replicas) all = all && s.caught_up;
      if (!all) {
        o.exit_code = kExitReplicaLag;
        o.text += ", a standby had not replayed the run";
      } else if (!r.replicas.empty()) {
        o.text += fmt::format(", {} standby{} caught up", r.replicas.size(), r.replicas.size() == 1 ? "" : "s");
      }
    }
    return Status::Ok();
  }

  Status StatusOf(std::size_t i, const FleetTarget& t, Migrator& m) {
    auto report = m.GetStatus();
    if (!report.ok()) return Failed(i, report.status());
    Outcome& o = outcomes_[i];
    o.from = o.to = report->current_version;
    o.count = report->pending;
    if (inv_.json) Json(t, JsonStatus(*report, t.label));
    // What needs a look besides what `up` would run: a file edited or gone since it ran, a
    // migration that died outside a transaction. "Up to date" only when there is none of it.
    auto count = [&](MigrationState state) {
      return std::count_if(report->migrations.begin(), report->migrations.end(),
                           [state](const MigrationStatus& s) { return s.state == state; });
    };
    std::vector<std::string> parts;
    const auto partial = count(MigrationState::kPartial);  // among the pending: up resumes it
    if (report->pending > 0) {
      parts.push_back(fmt::format("{} pending{}", report->pending,
                                  partial > 0 ? fmt::format(" ({} partial)", partial) : std::string()));
    }
    bool attention = partial > 0;
    for (MigrationState state : {MigrationState::kDirty, MigrationState::kChanged, MigrationState::kMissingFile}) {
      if (const auto n = count(state); n > 0) {
        parts.push_back(fmt::format("{} {}", n, MigrationStateName(state)));
        attention = true;
      }
    }
    o.text = fmt::format("version {} of {}, {}{}", report->current_version, report->latest_version,
                         parts.empty() ? std::string("up to date") : fmt::format("{}", fmt::join(parts, ", ")),
                         attention ? "; `strata verify` says more" : "");
    if (report->needs_baseline) o.text += ", needs `strata baseline`";
    if (inv_.exit_code && report->pending > 0) o.exit_code = kExitPending;
    return Status::Ok();
  }

  Status PlanOf(std::size_t i, const FleetTarget& t, Migrator& m) {
    if (inv_.lint_mode != "off") {
      LintOptions lo;
      lo.pending_only = true;
      lo.severity = inv_.lint_severity;
      auto found = m.Lint(lo);
      if (!found.ok()) return Failed(i, found.status());
      Status verdict = Lint(i, *found);
      if (!verdict.ok()) return Failed(i, verdict, kExitLintFailed);
    }
    auto plan = m.PlanUp(UpOptions{inv_.to});
    if (!plan.ok()) return Failed(i, plan.status());
    Outcome& o = outcomes_[i];
    o.count = plan->size();
    if (inv_.json) Json(t, JsonPlan(*plan));
    if (plan->empty()) {
      o.text = "nothing to apply";
    } else {
      o.from = plan->front().version;
      o.to = plan->back().version;
      o.text = fmt::format("{} to apply ({} .. {})", plan->size(), plan->front().version, plan->back().version);
    }
    return Status::Ok();
  }

  Status VerifyOf(std::size_t i, const FleetTarget& t, Migrator& m) {
    auto report = m.Verify();
    if (!report.ok()) return Failed(i, report.status());
    Outcome& o = outcomes_[i];
    o.count = report->problems.size();
    if (inv_.json) Json(t, JsonVerify(*report));
    if (report->ok()) {
      o.text = "ok";
      return Status::Ok();
    }
    o.text = fmt::format("{} problem{}", o.count, o.count == 1 ? "" : "s");
    for (const VerifyProblem& p : report->problems) o.extra += fmt::format("    {} {}: {}\n", p.version, p.name, p.message);
    o.exit_code = kExitVerifyFailed;
    return Status(ErrorCode::kFailedPrecondition, o.text);
  }

  Status LintOf(std::size_t i, const FleetTarget& t, Migrator& m) {
    LintOptions lo;
    lo.files = inv_.inputs;
    lo.severity = inv_.lint_severity;
    lo.pending_only = inv_.pending;
    lo.live_data = true;
    auto report = m.Lint(lo);
    if (!report.ok()) return Failed(i, report.status());
    Outcome& o = outcomes_[i];
    o.count = report->findings.size();
    for (const LintFinding& f : report->findings) {
      if (inv_.json) {
        Json(t, JsonLintFinding(f, "lint"));
      } else {
        std::string text = FindingText(f);
        for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 5)) {
          text.replace(at, 1, "\n    ");
        }
        o.extra += "    " + text + "\n";
      }
    }
    std::size_t errors = report->errors(), warnings = report->findings.size() - errors;
    o.text = fmt::format("{} error{}, {} warning{}", errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    if (errors > 0 || (inv_.strict && warnings > 0)) {
      o.exit_code = kExitLintFailed;
      return Status(ErrorCode::kFailedPrecondition, o.text);
    }
    return Status::Ok();
  }

  std::string Tag(const char* word, bool good) const {
    if (!printer_.color()) return fmt::format("{:<8}", word);
    return fmt::format("{}{:<8}\033[0m", good ? "\033[32m" : "\033[31m", word);
  }

  // One line per target as it finishes.
  void Report(std::size_t i) {
    const Outcome& o = outcomes_[i];
    const FleetTarget& t = targets_[i];
    if (inv_.json) {
      bool good = o.error.empty() && (o.exit_code == kExitOk || o.exit_code == kExitPending);
      printer_.FinishedLine(i, JsonTargetDone(Line(i, good ? "succeeded" : "failed")) + "\n");
      return;
    }
    std::string text;
    if (!o.error.empty()) {
      text = fmt::format("{} {}  {}  [exit {}, {:.1f} ms]\n", Tag("FAILED", false), t.label, o.error, o.exit_code, o.ms);
    } else {
      bool good = o.exit_code == kExitOk || o.exit_code == kExitPending;
      std::string code = o.exit_code == kExitOk ? "" : fmt::format("exit {}, ", o.exit_code);
      const char* word = o.exit_code == kExitPending ? "pending" : good ? "ok" : "FAILED";
      text = fmt::format("{} {}  {}  [{}{:.1f} ms]\n{}", Tag(word, good), t.label, o.text, code, o.ms, o.extra);
    }
    printer_.FinishedLine(i, text);
  }

  FleetLine Line(std::size_t i, const char* outcome) const {
    const Outcome& o = outcomes_[i];
    FleetLine l;
    l.target = targets_[i].label;
    l.schema = targets_[i].schema;
    l.outcome = outcome;
    l.exit_code = o.exit_code;
    l.from_version = o.from;
    l.to_version = o.to;
    l.count = o.count;
    l.ms = o.ms;
    l.error = o.error;
    return l;
  }

  int Summary(const FleetReport& report) {
    int code = kExitOk;
    std::vector<FleetLine> lines;
    std::size_t ok = 0, failed = 0, skipped = 0;
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      if (report.outcomes[i] == TargetOutcome::kNotStarted) {
        lines.push_back(Line(i, "not_started"));
        ++skipped;
        continue;
      }
      code = Worst(code, outcomes_[i].exit_code);
      bool good = outcomes_[i].exit_code == kExitOk || outcomes_[i].exit_code == kExitPending;
      lines.push_back(Line(i, good ? "succeeded" : "failed"));
      good ? ++ok : ++failed;
    }
    bool interrupted = InterruptRequested();
    if (interrupted && code == kExitOk && skipped > 0) code = 130;
    if (inv_.json) {
      printer_.Out(JsonFleetDone(inv_.command, lines, report.ms, code) + "\n");
      return code;
    }
    std::string text = fmt::format("\n{} target{} in {:.2f} s: {} ok, {} failed, {} not started\n", targets_.size(),
                                   targets_.size() == 1 ? "" : "s", report.ms / 1000, ok, failed, skipped);
    // The table of what needs a look: failures first, then targets that never started.
    std::size_t listed = 0;
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < targets_.size(); ++i) {
        bool not_started = lines[i].outcome == "not_started";
        if ((pass == 0 && lines[i].outcome != "failed") || (pass == 1 && !not_started)) continue;
        if (++listed > 50) continue;
        if (not_started) {
          text += fmt::format("  {:<12} {}\n", "not started", targets_[i].label);
        } else {
          text += fmt::format("  {:<12} {}  exit {}  {}\n", "failed", targets_[i].label, lines[i].exit_code,
                              lines[i].error.empty() ? outcomes_[i].text : lines[i].error);
        }
      }
    }
    if (listed > 50) text += fmt::format("  ... and {} more\n", listed - 50);
    if (skipped > 0) {
      text += interrupted ? "interrupted: the targets above never started\n"
                          : "a failure stopped the run before the targets above started (--continue-on-error starts "
                            "them all)\n";
    }
    printer_.Out(text);
    return code;
  }

  const Invocation& inv_;
  std::vector<FleetTarget> targets_;
  std::vector<Outcome> outcomes_;
  Printer printer_;
  std::mutex running_mu_;
  std::set<Migrator*> running_;  // the targets inside Up, for the interrupt
};

}  // namespace

int RunFleet(const Invocation& inv) {
  static const std::set<std::string> kFleetCommands = {"up", "status", "plan", "verify", "lint"};
  if (!kFleetCommands.count(inv.command)) {
    std::fprintf(stderr, "strata: error: --targets and --schemas work with up, status, plan, verify and lint, not %s\n",
                 inv.command.c_str());
    return kExitUsage;
  }
  if (inv.command == "verify" && !inv.schema_file.empty()) {
    std::fprintf(stderr, "strata: error: verify --schema compares one database with a file; it does not take --targets "
                         "or --schemas\n");
    return kExitUsage;
  }
  if (inv.command == "verify" && !inv.git_base.empty()) {
    std::fprintf(stderr, "strata: error: verify --git-base checks the directory, not databases: drop --targets/--schemas\n");
    return kExitUsage;
  }
  if (inv.command == "lint" && inv.trace) {
    std::fprintf(stderr, "strata: error: lint --trace replays on a scratch database, not on each target\n");
    return kExitUsage;
  }
  if (!inv.backup_command.empty()) {
    std::fprintf(stderr, "strata: error: --backup-command runs one command per run; with --targets or --schemas take "
                         "the backups before the run\n");
    return kExitUsage;
  }
  auto targets = Targets(inv);
  if (!targets.ok()) return ReportError(inv, targets.status());
  Fleet fleet(inv, std::move(*targets));
  return fleet.Run();
}

}  // namespace strata::cli
