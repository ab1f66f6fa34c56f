// strata's entry point: the command table, flag parsing (the only user of CLI11), and the one
// last-resort catch. Everything else is in the command handlers.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

#include "cli.h"
#include "flags.h"
#include "heap.h"

namespace strata::cli {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*handler)(const Invocation&);
  std::function<void(CLI::App&, Invocation&)> flags;
};

constexpr std::uint64_t kMaxVersion = std::numeric_limits<std::uint64_t>::max();

void AddTo(CLI::App& app, Invocation& inv) {
  app.add_option("--to", inv.to, "Target version")->transform(WholeNumber(0, kMaxVersion));
}

// The data guard and backups, shared by up and down.
void AddSafety(CLI::App& app, Invocation& inv) {
  app.add_flag("--force", inv.force,
               "Run statements that destroy rows (DROP TABLE, DROP COLUMN, TRUNCATE, DELETE without WHERE) "
               "without asking");
  app.add_flag("--backup", inv.backup, "SQLite: back up the database first even if no data is at risk");
  app.add_option("--backup-command", inv.backup_command,
                 "Shell command run before anything changes (e.g. pg_dump); its failure stops the run. "
                 "{version} and {timestamp} are replaced");
}

// up and plan lint the pending migrations first.
void AddLintMode(CLI::App& app, Invocation& inv) {
  app.add_option("--lint", inv.lint_flag,
                 "Lint pending migrations first: warn (default: print findings), error (an error finding refuses "
                 "the run), off")
      ->check(CLI::IsMember({"off", "warn", "error"}));
}

const Command kCommands[] = {
    {"status", "Show every migration and its state", RunStatus,
     [](CLI::App& app, Invocation& inv) {
       app.add_flag("--exit-code", inv.exit_code, "Exit with code 8 when migrations are pending");
     }},
    {"up", "Apply pending migrations", RunUp,
     [](CLI::App& app, Invocation& inv) {
       AddTo(app, inv);
       app.add_flag("--dry-run", inv.dry_run, "Print the SQL that would run and change nothing (same as `plan`)");
       AddSafety(app, inv);
       app.add_flag("--verify-data", inv.verify_data,
                    "Fingerprint every table a migration does not name and roll it back if any changed");
       app.add_flag("--single-transaction", inv.single_transaction,
                    "Apply every pending migration in one transaction: all of them or none");
       app.add_option("--wait-replicas", inv.wait_replicas_s,
                      "PostgreSQL: then wait until every standby has replayed the run (seconds, default 60)")
           ->expected(0, 1)
           ->default_str("60")
           ->check(Seconds());
       AddLintMode(app, inv);
     }},
    {"down", "Roll back applied migrations with their down parts", RunDown,
     [](CLI::App& app, Invocation& inv) {
       auto* to = app.add_option("--to", inv.to, "Roll back every version above this one")
                      ->transform(WholeNumber(0, kMaxVersion));
       app.add_option("--steps", inv.steps, "Roll back this many migrations (default 1)")
           ->transform(WholeNumber(1, std::numeric_limits<std::uint32_t>::max()))
           ->excludes(to);
       app.add_flag("--dry-run", inv.dry_run, "Print the SQL that would run and change nothing");
       AddSafety(app, inv);
     }},
    {"plan", "Print the SQL that `up` would run; changes nothing", RunPlan,
     [](CLI::App& app, Invocation& inv) {
       AddTo(app, inv);
       AddLintMode(app, inv);
     }},
    {"lint", "Find statements that would lock, fail or break production, before they run", RunLint,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("files", inv.inputs, "Migration files to lint (default: every migration of --dir)");
       app.add_flag("--pending", inv.pending, "Only the migrations not yet applied on --url");
       app.add_option("--engine", inv.engine,
                      "Dialect when no --url is given: sqlite (default), postgres or mariadb (also: mysql)")
           ->check(CLI::IsMember({"sqlite", "postgres", "mariadb", "mysql"}));
       app.add_flag("--strict", inv.strict, "Treat warnings as errors (exit 15)");
       app.add_flag("--trace", inv.trace,
                    "PostgreSQL: replay on the scratch database (--scratch-url) and report the locks each statement "
                    "holds and the tables it rewrites");
     }},
    {"verify", "Check checksums, missing files, order and dirty state (and the schema, with --schema)", RunVerify,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("--schema", inv.schema_file,
                      "Also check that the database has every object of this file (a schema dump, or a list of "
                      "`table t`, `column t.c`, `index i`, ... lines)");
       app.add_option("--git-base", inv.git_base,
                      "Instead: check the directory against this git revision (exit 16): added migrations above its "
                      "newest, none of its migrations edited or deleted");
     }},
    {"restore", "SQLite: put back a backup file (checked with PRAGMA integrity_check first)", RunRestore,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("file", inv.restore_file, "The backup, e.g. app.db.3.20261122093000.bak")->required();
     }},
    {"schema", "Inspect the schema: dump, diff A B, graph", RunSchema,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("action", inv.schema_action, "dump, diff or graph")
           ->required()
           ->check(CLI::IsMember({"dump", "diff", "graph"}));
       app.add_option("inputs", inv.inputs,
                      "diff: A and B, each a database URL, a schema dump file or a migrations directory");
       app.add_option("--out", inv.out_file, "dump/graph: write to this file instead of standard output");
       app.add_option("--format", inv.graph_format, "graph: mermaid or dot")
           ->check(CLI::IsMember({"mermaid", "dot"}));
       app.add_flag("--include-strata-tables", inv.include_strata_tables,
                    "Also show strata's history and run-log tables");
     }},
    {"drift", "Compare the database with its migrations replayed to the same version", RunDrift,
     nullptr},
    {"check", "Replay every migration on a scratch database and prove each down part undoes its up part",
     RunCheck, nullptr},
    {"baseline", "Record existing versions as applied without running them", RunBaseline,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("--version", inv.baseline_version, "Highest version to record (default: PRAGMA user_version)")
           ->transform(WholeNumber(0, kMaxVersion));
     }},
    {"repair", "Clear dirty marks (and optionally realign checksums)", RunRepair,
     [](CLI::App& app, Invocation& inv) {
       app.add_flag("--mark-applied", inv.mark_applied, "Record dirty migrations as applied instead of removing them");
       app.add_flag("--checksums", inv.repair_checksums, "Store the current checksum of edited applied migrations");
       app.add_flag("--drop-invalid-indexes", inv.drop_invalid_indexes,
                    "PostgreSQL: drop indexes left INVALID by a failed CREATE INDEX CONCURRENTLY");
     }},
    {"log", "Show the run log: every up/down/baseline/repair/restore that changed something or failed", RunLog,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("--limit", inv.log_limit, "Newest N runs (default 20)")->transform(WholeNumber(1, 1000000));
     }},
    {"new", "Create the next migration file(s)", RunNew,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("name", inv.new_name, "Description, e.g. add_users")->required();
       app.add_option("--format", inv.new_format, "auto, seed, paired, timestamp or flyway")
           ->check(CLI::IsMember({"auto", "seed", "paired", "timestamp", "flyway"}));
     }},
    {"hash", "Write strata.sum, the integrity file of the migrations directory", RunHash, nullptr},
    {"rebase", "After a merge, renumber this branch's migrations after the ones that came in", RunRebase,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("files", inv.inputs, "Migration files to renumber (default: this branch's, found by strata.sum)");
     }},
    {"checkpoint", "Write one checkpoint migration that a fresh database applies instead of versions up to N",
     RunCheckpoint,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("--to", inv.to, "Newest version the checkpoint stands for (default: the newest migration)")
           ->transform(WholeNumber(1, kMaxVersion));
     }},
    {"testdb", "Test databases: create (print the URL of a fresh, fully migrated one), drop URL, clean", RunTestDb,
     [](CLI::App& app, Invocation& inv) {
       app.add_option("action", inv.testdb_action, "create, drop or clean")
           ->required()
           ->check(CLI::IsMember({"create", "drop", "clean"}));
       app.add_option("urls", inv.inputs, "drop: the URLs that create printed");
       app.add_option("--testdb-dir", inv.testdb_dir,
                      "SQLite: the directory of templates and test databases (default $TMPDIR/strata-testdb)");
       app.add_flag("--instances", inv.testdb_instances, "clean: also remove the test databases, not only templates");
     }},
    {"version", "Print strata's version", RunVersion, nullptr},
};

// The usage error for a command line whose first word is not a command. CLI11 would only say that
// a subcommand is required, without naming the word it did not take for one.
std::string UnknownCommand(const std::string& word) {
  std::vector<std::string_view> names;
  for (const Command& c : kCommands) names.emplace_back(c.name);
  std::string message = fmt::format("'{}' is not a strata command", word);
  if (std::string closest = ClosestName(word, names); !closest.empty()) {
    message += fmt::format("; did you mean '{}'?", closest);
  }
  return message;
}

int Main(int argc, char** argv) {
  CLI::App app{"strata: versioned SQL migrations for SQLite and PostgreSQL"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("strata ") + kVersion);

  Invocation inv;
  std::string config_path = "strata.toml";
  double lock_timeout_s = 60, pg_lock_timeout_s = 10, statement_timeout_s = 0, lock_lease_s = 30;
  std::string lock_mode = "advisory";
  bool no_foreign_keys = false;
  auto* url = app.add_option("--url", inv.url, "Database URL (else DATABASE_URL, else strata.toml)");
  auto* dir = app.add_option("--dir", inv.dir, "Migrations directory (default ./migrations)");
  auto* table = app.add_option("--table", inv.options.history_table, "History table name");
  auto* timeout = app.add_option("--lock-timeout", lock_timeout_s, "Seconds to wait for another runner (default 60)")
                      ->check(Seconds());
  auto* lock = app.add_option("--lock", lock_mode,
                              "PostgreSQL, MariaDB: how runners exclude each other: advisory (default: a session "
                              "advisory lock, GET_LOCK on MariaDB) or table (a lease row in <table>_lock, for "
                              "CockroachDB, YugabyteDB, transaction-mode poolers and Galera clusters)")
                   ->check(CLI::IsMember({"advisory", "table"}));
  auto* lease = app.add_option("--lock-lease", lock_lease_s,
                               "With --lock=table: seconds a lease lasts unless renewed; a dead runner's lease is "
                               "taken over after at most this long (default 30, 1 to 86400)")
                    ->check(Seconds());
  auto* schema = app.add_option("--schema", inv.options.schema, "PostgreSQL: schema of the history table (default public)");
  auto* pg_lock = app.add_option("--pg-lock-timeout", pg_lock_timeout_s,
                                 "PostgreSQL: lock_timeout per migration, seconds (default 10; 0: none)")
                      ->check(Seconds());
  auto* stmt = app.add_option("--statement-timeout", statement_timeout_s,
                              "PostgreSQL: statement_timeout per migration, seconds (default 0: none)")
                   ->check(Seconds());
  auto* config = app.add_option("--config", config_path, "Configuration file (default ./strata.toml)");
  app.add_flag("--no-foreign-keys", no_foreign_keys, "SQLite: do not enable or check foreign keys");
  app.add_flag("--allow-out-of-order", inv.options.allow_out_of_order,
               "Apply pending migrations older than the newest applied one");
  app.add_option("--scratch-url", inv.scratch_url,
                 "Where check, drift, schema and verify --schema replay migrations: a PostgreSQL server strata may "
                 "create a temporary database on (default: --url when it is PostgreSQL, else a temporary SQLite "
                 "file)");
  app.add_flag("--json", inv.json, "Machine-readable output (NDJSON events for up/down)");
  app.add_flag("-v,--verbose", inv.verbose, "Also show each statement");
  auto* targets = app.add_option("--targets", inv.targets_file,
                                 "Fleets: run the command on every database URL in FILE (one per line, '#' comments; "
                                 "'-': standard input)");
  auto* schemas = app.add_option("--schemas", inv.schemas_pattern,
                                 "Fleets, PostgreSQL: run the command once per schema whose name matches this LIKE "
                                 "pattern, each with its own history table, the schema first in search_path");
  auto* parallel = app.add_option("--parallel", inv.parallel, "Fleets: targets at a time (default 4)")
                       ->check(CLI::Range(1, 256));
  auto* canary = app.add_option("--canary", inv.canary,
                                "Fleets: run the first K targets alone, one at a time, and stop if one fails");
  auto* keep_going = app.add_flag("--continue-on-error", inv.continue_on_error,
                                  "Fleets: start every target even after one failed (default: stop starting new ones)");

  const Command* chosen = nullptr;
  for (const Command& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    if (c.flags) c.flags(*sub, inv);
    sub->callback([&chosen, &c] { chosen = &c; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e) == 0 ? kExitOk : kExitUsage;  // --help, --version
    std::string message = e.what();
    if (app.get_subcommands().empty()) {
      // The first word CLI11 could not place is the command the user meant.
      for (const std::string& arg : app.remaining()) {
        if (arg.empty() || arg[0] == '-') continue;
        message = UnknownCommand(arg);
        break;
      }
    }
    // CLI11 quotes the arguments it did not expect, which may be a URL with its password.
    std::fprintf(stderr, "strata: error: %s\nRun with --help for more information.\n",
                 RedactSecrets(message).c_str());
    return kExitUsage;
  }
  if (!chosen) return kExitUsage;
  inv.command = chosen->name;
  inv.fleet_flags = parallel->count() > 0 || canary->count() > 0 || keep_going->count() > 0;
  bool fleet = targets->count() > 0 || schemas->count() > 0;
  if (targets->count() > 0 && url->count() > 0) {
    std::fprintf(stderr, "strata: error: give --url or --targets, not both (--targets FILE lists every URL)\n");
    return kExitUsage;
  }
  if (inv.fleet_flags && !fleet) {
    std::fprintf(stderr, "strata: error: --parallel, --canary and --continue-on-error need --targets or --schemas\n");
    return kExitUsage;
  }
  if (chosen->handler != RunNew && chosen->handler != RunVersion) {
    inv.options.lock_timeout = SecondsToMillis(lock_timeout_s);
    inv.options.pg_lock_timeout = SecondsToMillis(pg_lock_timeout_s);
    inv.options.statement_timeout = SecondsToMillis(statement_timeout_s);
    inv.options.lock_mode = lock_mode == "table" ? LockMode::kTable : LockMode::kAdvisory;
    inv.options.lock_lease = SecondsToMillis(lock_lease_s);
    ExplicitFlags given{url->count() > 0,    dir->count() > 0,     table->count() > 0, timeout->count() > 0,
                        schema->count() > 0, pg_lock->count() > 0, stmt->count() > 0,  lock->count() > 0,
                        lease->count() > 0};
    Status st = ApplyConfig(config_path, config->count() > 0, given, inv);
    if (st.ok()) st = CheckLockOptions(inv);
    if (!st.ok()) {
      ReportError(inv, st);
      return kExitUsage;
    }
    if (no_foreign_keys) inv.options.foreign_keys = false;
    if (inv.lint_flag) inv.lint_mode = *inv.lint_flag;
  } else if (chosen->handler == RunNew && dir->count() == 0) {
    ExplicitFlags given{true, false, true, true, true, true, true};
    Status st = ApplyConfig(config_path, config->count() > 0, given, inv);
    if (!st.ok()) {
      ReportError(inv, st);
      return kExitUsage;
    }
  }
  if (fleet) return RunFleet(inv);
  PrepareHeapFor(inv.dir);
  return chosen->handler(inv);
}

}  // namespace
}  // namespace strata::cli

int main(int argc, char** argv) {
  // A run lives for milliseconds to minutes (cli/heap.cc).
  strata::cli::KeepFreedMemory();
  try {
    return strata::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "strata: internal error\n");
  }
  return strata::cli::kExitInternal;
}
