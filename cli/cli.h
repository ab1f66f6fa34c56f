// The strata command line: what main() parsed, and one handler per command. Handlers use only
// the public API (include/strata/), print, and return an exit code from exit_codes.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strata/migrator.h"

namespace strata::cli {

// Named exit codes; docs/cli.md lists them.
enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,         // unexpected error (a bug)
  kExitUsage = 2,            // bad command line or strata.toml
  kExitInvalidInput = 3,     // malformed migration file/name, duplicate version, bad URL, missing dir
  kExitSqlError = 4,         // a migration's SQL failed; it was rolled back
  kExitPrecondition = 5,     // dirty, edited applied migration, out of order, baseline needed
  kExitLockTimeout = 6,      // another runner held the lock too long
  kExitConnection = 7,       // cannot open / connect to the database
  kExitPending = 8,          // status --exit-code: migrations are pending
  kExitVerifyFailed = 9,     // verify found problems
  kExitAuth = 10,            // the server rejected the credentials
  kExitDataAtRisk = 11,      // the run would destroy rows: refused without --force or a typed "yes"
  kExitDataChanged = 12,     // up --verify-data: a migration changed a table it does not name
  kExitDiffers = 13,         // schema diff / drift / check: the schemas differ
  kExitLockLost = 14,        // the run lost its migration lock; the migration in progress was not committed
  kExitLintFailed = 15,      // lint found an error (or, with --strict, a warning); up --lint=error refused to run
  kExitIntegrity = 16,       // the directory does not match strata.sum, or verify --git-base found offenders
  kExitReplicaLag = 17,      // up --wait-replicas: a standby had not replayed the run when the wait ran out
  kExitInterrupted = 130,    // SIGINT/SIGTERM: the run stopped where the database was clean (as shells report ^C)
};

int ExitCodeFor(const Status& status);

struct Invocation {
  std::string command;
  // Global options, after strata.toml and the environment were applied.
  std::string url;
  std::string dir = "migrations";
  Options options;
  bool json = false;
  bool verbose = false;
  // Command options.
  std::optional<std::uint64_t> to;
  std::optional<std::uint32_t> steps;
  std::optional<std::uint64_t> baseline_version;
  bool dry_run = false;
  bool exit_code = false;
  bool mark_applied = false;
  bool repair_checksums = false;
  bool drop_invalid_indexes = false;
  std::size_t log_limit = 20;
  std::string new_name;
  std::string new_format = "auto";
  // Data safety (up/down).
  bool force = false;
  bool backup = false;
  std::string backup_command;
  bool verify_data = false;
  bool single_transaction = false;
  std::optional<double> wait_replicas_s;  // up --wait-replicas[=SECONDS]
  // restore / schema / drift / check / verify --schema.
  std::string restore_file;
  std::string schema_action;        // dump, diff, graph
  std::vector<std::string> inputs;  // schema diff A B
  std::string out_file;
  std::string graph_format = "mermaid";
  std::string scratch_url;
  std::string schema_file;  // verify --schema
  std::string git_base;     // verify --git-base
  bool include_strata_tables = false;
  // lint, and the lint that up and plan run first.
  bool pending = false;
  bool strict = false;
  bool trace = false;
  std::string engine;                 // lint without a URL: sqlite or postgres
  std::string lint_mode = "warn";     // up/plan: off, warn or error (strata.toml [lint] up)
  std::optional<std::string> lint_flag;  // up/plan --lint, which wins over strata.toml
  std::map<std::string, LintSeverity> lint_severity;  // strata.toml [lint.rules] / disable
  // testdb.
  std::string testdb_action;  // create, drop, clean
  std::string testdb_dir;     // SQLite: where templates and test databases live
  bool testdb_instances = false;  // clean: also the test databases
  // Fleets (commands/fleet.cc): many databases, or a schema per tenant.
  std::string targets_file;     // --targets FILE ("-": standard input)
  std::string schemas_pattern;  // --schemas PATTERN (PostgreSQL LIKE)
  std::size_t parallel = 4;
  std::size_t canary = 0;
  bool continue_on_error = false;
  bool fleet_flags = false;  // --parallel, --canary or --continue-on-error was given
};

// Prints `status` as an error (human text on stderr; in --json mode also an error event on
// stdout) and returns its exit code.
int ReportError(const Invocation& inv, const Status& status);
// `status` with the CLI's words for its remedies (which flag gets past it) after the message.
Status WithRemedyText(const Invocation& inv, const Status& status);

// Where check, drift, schema, verify --schema and lint --trace replay migrations: --scratch-url,
// else --url when it is a PostgreSQL or MariaDB server, else a temporary SQLite file
// (kInvalidArgument when `needs_server`, "postgres" or "mariadb", says that SQLite will not do).
// Ctrl-C stops the work (interrupt.h).
Result<ScratchOptions> Scratch(const Invocation& inv, const std::string& needs_server);

// The data guard's options from up/down's flags; `may_ask`: on a terminal, ask before destroying
// rows (the seed's prompt) when --force was not given.
SafetyOptions Safety(const Invocation& inv, bool may_ask);

// Opens the Migrator for `inv` (URL + directory + options).
Result<std::unique_ptr<Migrator>> OpenMigrator(const Invocation& inv);

int RunStatus(const Invocation& inv);
int RunUp(const Invocation& inv);
int RunDown(const Invocation& inv);
int RunPlan(const Invocation& inv);
int RunVerify(const Invocation& inv);
int RunBaseline(const Invocation& inv);
int RunRepair(const Invocation& inv);
int RunNew(const Invocation& inv);
int RunLog(const Invocation& inv);
int RunVersion(const Invocation& inv);
int RunRestore(const Invocation& inv);
int RunSchema(const Invocation& inv);
int RunDrift(const Invocation& inv);
int RunCheck(const Invocation& inv);
int RunLint(const Invocation& inv);
int RunHash(const Invocation& inv);        // commands/team.cc
int RunRebase(const Invocation& inv);      // commands/team.cc
int RunCheckpoint(const Invocation& inv);  // commands/team.cc
int RunVerifyGitBase(const Invocation& inv);  // commands/team.cc: verify --git-base
int RunTestDb(const Invocation& inv);         // commands/testdb.cc
// up, status, plan, verify or lint on every target of --targets / --schemas (commands/fleet.cc).
int RunFleet(const Invocation& inv);

// up and plan lint the pending migrations first. ReportLint prints the findings as warnings and
// returns the error that refuses the run (lint_mode "error" and an error finding), else Ok;
// LintBeforePlan lints through Migrator::Lint and returns kExitOk or the exit code that ends plan.
Status ReportLint(const Invocation& inv, const LintReport& report);
// ReportLint's decision without the printing.
Status LintVerdict(const Invocation& inv, const LintReport& report);
// FILE:LINE:COL: RULE severity: message, then the hint indented.
std::string FindingText(const LintFinding& finding);
int LintBeforePlan(const Invocation& inv, Migrator& migrator);

// Reads strata.toml (if `path` exists) and the environment into `inv` for values the command
// line did not set. kInvalidArgument with file:line:col for a malformed or unknown key.
// Which settings the command line gave explicitly (they win over strata.toml).
struct ExplicitFlags {
  bool url = false, dir = false, table = false, lock_timeout = false, schema = false, pg_lock_timeout = false,
       statement_timeout = false, lock = false, lock_lease = false;
};
Status ApplyConfig(const std::string& path, bool path_explicit, const ExplicitFlags& given, Invocation& inv);
// The lock settings as a whole, once flags and strata.toml are read: kInvalidArgument for a lease
// out of range, or the table lock on a SQLite URL (SQLite has its file lock).
Status CheckLockOptions(const Invocation& inv);

}  // namespace strata::cli
