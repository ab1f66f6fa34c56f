// The strata binary against PostgreSQL, for what a run shows: no password in any message, however
// the URL was written (against a closed port and against the test server, in text and --json),
// and the migration named when it breaks strata's history table. Also the one timeout whose
// rounding the server shows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "pg_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

constexpr int kSqlError = 4;

// `strata --url URL --dir DIR ARGS...`
ProcessResult Strata(const std::string& url, const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", url, "--dir", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, {"DATABASE_URL=", "PGPASSWORD=", "PGPASSFILE=/nonexistent"});
}

// ---------------------------------------------------------------------------------------------
// A migration that breaks strata's history table.

// On PostgreSQL the history row travels with COMMIT, so a migration that dropped the history table
// failed with `relation "public.strata_schema_history" does not exist`, naming no file.
TEST(CliPostgresHistory, MigrationDroppingTheHistoryTableIsNamedInTheError) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_drop.sql", "CREATE TABLE b (x int);\nDROP TABLE public.strata_schema_history;\n");
  const std::string path = dir.Path("m") + "/0002_drop.sql";
  ProcessResult r = Strata(db.url(), dir.Path("m"), {"up", "--lint=off"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + path +
                       ": migration 2 (drop) ran, but its outcome cannot be recorded in strata's history table; did "
                       "it drop, rename or alter that table? It did: after it, strata_schema_history is gone, and a "
                       "migration must leave that table alone (migration 2 (drop) was rolled back; the database is "
                       "still at version 1)\n")
      << Describe(r);
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',') FROM strata_schema_history"),
            "1:applied");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), "0");

  // Renamed, or reshaped.
  dir.Write("m/0002_drop.sql", "ALTER TABLE strata_schema_history RENAME TO kept;\n");
  r = Strata(db.url(), dir.Path("m"), {"--json", "up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_NE(r.out.find("\"message\":\"" + path + ": migration 2 (drop) ran, but its outcome cannot be recorded"),
            std::string::npos)
      << Describe(r);
  EXPECT_NE(r.out.find("It did: after it, strata_schema_history is gone"), std::string::npos) << Describe(r);
  dir.Write("m/0002_drop.sql", "ALTER TABLE strata_schema_history DROP COLUMN checksum;\n");
  r = Strata(db.url(), dir.Path("m"), {"up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_NE(r.err.find("It did: after it, strata_schema_history no longer has its layout"), std::string::npos)
      << Describe(r);
}

// A migration that does not name the table (DROP SCHEMA ... CASCADE) is still named, with what the
// server said about the history write.
TEST(CliPostgresHistory, MigrationDroppingTheHistoryTableUnnamedIsNamedInTheError) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_reset.sql", "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n");
  ProcessResult r = Strata(db.url(), dir.Path("m"), {"up", "--force"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + dir.Path("m") +
                       "/0002_reset.sql: relation \"public.strata_schema_history\" does not exist (SQLSTATE 42P01) "
                       "(migration 2 (reset) was rolled back; the database is still at version 1)\n")
      << Describe(r);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history"), "1");
}

// Outside a transaction the change stays; dynamic SQL names no table, and the table is looked at
// after every such migration.
TEST(CliPostgresHistory, NoTransactionMigrationDroppingTheHistoryTableSaysTheChangeStays) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_drop.sql",
            "-- strata:no-transaction\nDO $$ BEGIN EXECUTE 'DROP TABLE strata_' || 'schema_history'; END $$;\n");
  ProcessResult r = Strata(db.url(), dir.Path("m"), {"up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + dir.Path("m") +
                       "/0002_drop.sql: migration 2 (drop) ran, but its outcome cannot be recorded in strata's "
                       "history table; did it drop, rename or alter that table? It did: after it, "
                       "strata_schema_history is gone, and a migration must leave that table alone (it ran outside "
                       "a transaction, so that change stays: put the table back as it was before running strata on "
                       "this database again)\n")
      << Describe(r);
}

// ---------------------------------------------------------------------------------------------
// No password in any message.

constexpr int kInvalidInput = 3;
constexpr int kConnection = 7;
constexpr int kAuth = 10;

// "127.0.0.1:PORT" of the test server.
std::string ServerHostPort() {
  std::string url = PgServerUrl();
  std::string rest = url.substr(url.rfind('@') + 1);
  return rest.substr(0, rest.find('/'));
}

// Runs `args` with `url`, in text and in --json, and fails the test when stdout or stderr holds
// any of `secrets`. Returns the text run.
ProcessResult RunShowingNothingOf(const std::string& url, const std::vector<std::string>& secrets,
                                  const std::vector<std::string>& args = {"status"}) {
  TempDir dir;
  dir.Write("m/0001_a.sql", "CREATE TABLE a (x int);\n");
  ProcessResult text;
  for (bool json : {false, true}) {
    std::vector<std::string> all = args;
    if (json) all.insert(all.begin(), "--json");
    ProcessResult r = Strata(url, dir.Path("m"), all);
    for (const std::string& secret : secrets) {
      EXPECT_EQ(r.out.find(secret), std::string::npos) << "'" << secret << "' shown for " << url << Describe(r);
      EXPECT_EQ(r.err.find(secret), std::string::npos) << "'" << secret << "' shown for " << url << Describe(r);
    }
    if (json) {
      EXPECT_EQ(r.exit_code, text.exit_code) << url << Describe(r);
      EXPECT_NE(r.out.find("{\"code\":"), std::string::npos) << "no error event for " << url << Describe(r);
    } else {
      text = r;
    }
  }
  return text;
}

// libpq reads the password up to the first '@' before any '/'; strata read it up to the last '@'
// before the first '/' or '?'. `postgres://u:hunt3r@zebra42@127.0.0.1:1/db` therefore reached
// libpq, which said `could not translate host name "zebra42@127.0.0.1"`; with a '/' in the
// password a piece of it became the port or the database name, with a '?' strata showed it whole.
// Each URL that the two read differently is now refused before libpq sees it (exit 3), with a
// message that says what to percent-encode and quotes nothing of the URL. Against a closed port and
// against the test server alike.
TEST(CliPostgresRedact, UnencodedPasswordIsRefusedBeforeLibpqSeesIt) {
  const std::string at = "the PostgreSQL URL has more than one '@': write an '@' in the user name or password as %40";
  const std::string space = "the PostgreSQL URL has a space before the host: write it as %20";
  const std::string control = "the PostgreSQL URL has a control character: write it percent-encoded (a tab is %09)";
  const std::string question = "the PostgreSQL URL has a '?' in the user name or password: write it as %3F";
  const std::string slash = "the PostgreSQL URL has an '@' after its first '/': write a '/' in the user name or "
                            "password as %2F (and an '@' in the database name as %40)";
  const std::string query = "the PostgreSQL URL has a query parameter without '=': write a '&' in a value as %26";
  const std::vector<std::string> secrets = {"hunt3r", "zebra42", "ss w0rd", "w0rd"};
  for (const std::string& host : {std::string("127.0.0.1:1"), ServerHostPort()}) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"postgres://u:ss w0rd@" + host + "/db", space},
        {"postgres://u:hunt3r zebra42@" + host + "/db", space},
        {"postgres://u:hunt3r\tzebra42@" + host + "/db", control},
        {"postgres://u:hunt3r@zebra42@" + host + "/db", at},
        {"postgres://u:hunt3r/zebra42@" + host + "/db", slash},
        {"postgres://u:4242/zebra42@" + host + "/db", slash},
        {"postgres://u:hunt3r?zebra42@" + host + "/db", question},
        {"postgres://u:4242/1?zebra42@" + host + "/db", query},
        {"postgres://u@" + host + "/db?password=hunt3r&zebra42", query},
    };
    for (const auto& [url, reason] : cases) {
      ProcessResult r = RunShowingNothingOf(url, secrets);
      EXPECT_EQ(r.exit_code, kInvalidInput) << url << Describe(r);
      EXPECT_EQ(r.err, "strata: error: " + reason + "\n") << url << Describe(r);
    }
    // A key=value string libpq cannot read either (it quoted the word after the space).
    const std::string port = host.substr(host.find(':') + 1);
    ProcessResult r = RunShowingNothingOf("host=127.0.0.1 port=" + port + " user=u password=hunt3r zebra42", secrets);
    EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
  }
}

// What libpq and strata read alike goes to libpq; whatever libpq says back shows no form of the
// password: against a closed port (exit 7) and against the server, which refuses it (exit 10).
TEST(CliPostgresRedact, EncodedPasswordIsNeverShown) {
  const std::vector<std::string> secrets = {"hunt3r", "zebra42", "hunt3r%20zebra42", "hunt3r zebra42"};
  for (const std::string& host : {std::string("127.0.0.1:1"), ServerHostPort()}) {
    const int want = host == "127.0.0.1:1" ? kConnection : kAuth;
    const std::string port = host.substr(host.find(':') + 1);
    for (const std::string& url : {
             "postgres://postgres:hunt3r#zebra42@" + host + "/postgres",
             "postgres://postgres:hunt3r%20zebra42@" + host + "/postgres",
             "postgres://postgres:hunt3r%40zebra42%2F%3F%23@" + host + "/postgres",
             "postgresql://postgres:hunt3r:zebra42@" + host + "/postgres?sslmode=disable",
             "postgres://postgres@" + host + "/postgres?password=hunt3r%20zebra42",
             "postgres://postgres@" + host + "/postgres?password=hunt3r zebra42",
             "host=127.0.0.1 port=" + port + " user=postgres password='hunt3r zebra42'",
         }) {
      ProcessResult r = RunShowingNothingOf(url, secrets, {"up"});
      EXPECT_EQ(r.exit_code, want) << url << Describe(r);
      EXPECT_NE(r.err.find("cannot connect to "), std::string::npos) << url << Describe(r);
    }
  }
}

// Text that the server sends back is masked at the one place libpq's text enters strata, wherever
// the password shows in it: whole, or a piece of it between the characters a parser splits on.
TEST(CliPostgresRedact, PasswordEchoedByTheServerIsMasked) {
  // Dropped after the database, which holds what the role owns.
  struct Role {
    std::string name = "redact_" + std::to_string(::getpid());
    ~Role() { PgQuery(PgServerUrl(), "DROP ROLE IF EXISTS " + name); }
  } owner;
  const std::string& role = owner.name;
  PgDatabase db;
  db.Exec("CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD 'hunt3r#zebra42:x'");
  TempDir dir;
  // The password comes back from the server, built there from text that does not contain it.
  dir.Write("m/0001_echo.sql",
            "DO $$ BEGIN RAISE EXCEPTION 'whole %, piece %', reverse('x:24arbez#r3tnuh'), reverse('24arbez') "
            "USING HINT = reverse('r3tnuh') || ' again'; END $$;\n");
  const std::string url = "postgres://" + role + ":hunt3r%23zebra42%3Ax@" + ServerHostPort() + "/" + db.name();
  for (bool json : {false, true}) {
    std::vector<std::string> args = {"up"};
    if (json) args.insert(args.begin(), "--json");
    ProcessResult r = Strata(url, dir.Path("m"), args);
    EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
    for (const std::string secret : {"hunt3r", "zebra42"}) {
      EXPECT_EQ(r.out.find(secret), std::string::npos) << Describe(r);
      EXPECT_EQ(r.err.find(secret), std::string::npos) << Describe(r);
    }
    EXPECT_NE(r.err.find("whole ****, piece **** (SQLSTATE P0001); hint: **** again"), std::string::npos)
        << Describe(r);
  }
}

// ---------------------------------------------------------------------------------------------
// Timeouts.

// `--pg-lock-timeout 0.0001` was truncated to 0 ms, which PostgreSQL reads as "no lock_timeout":
// the opposite of a short wait. A positive timeout is at least 1 ms.
TEST(CliPostgresTimeouts, SubMillisecondLockTimeoutIsNotNone) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_show.sql",
            "CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS l, "
            "current_setting('statement_timeout') AS s;\n");
  ProcessResult r =
      Strata(db.url(), dir.Path("m"), {"--pg-lock-timeout", "0.0001", "--statement-timeout", "2.5", "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(db.QueryOne("SELECT l || ' ' || s FROM seen"), "1ms 2500ms");
}

}  // namespace
}  // namespace strata::testing
