// The data guard, --backup-command, check and --verify-data through the real binary on a real
// PostgreSQL server (the `pg` ctest fixture).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "pg_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

const std::string kFixtures = std::string(STRATA_SOURCE_DIR) + "/tests/fixtures/safety";
const std::string kPgBin = "/usr/lib/postgresql/15/bin/";

std::vector<std::string> Args(const std::string& url, const std::string& dir, std::vector<std::string> rest) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", url, "--dir", dir};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

std::string Password(const std::string& url) {
  auto colon = url.find(':', url.find("://") + 3);
  return url.substr(colon + 1, url.find('@') - colon - 1);
}

TEST(PgDataGuard, RollbackOverRowsIsRefusedThenForcedWithAPgDumpThatBringsEveryRowBack) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_users.up.sql", "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n");
  dir.Write("m/0001_users.down.sql", "DROP TABLE users;\n");
  dir.Write("m/0002_posts.up.sql",
            "CREATE TABLE posts (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users ON DELETE CASCADE);\n");
  dir.Write("m/0002_posts.down.sql", "DROP TABLE posts;\n");
  ASSERT_EQ(strata::testing::Run(Args(db.url(), dir.Path("m"), {"up"})).exit_code, 0);
  db.Exec("INSERT INTO users VALUES (1, 'ada'), (2, 'bob'); INSERT INTO posts VALUES (1, 1)");

  // stdin is closed (no terminal): refused at once, nothing changed.
  ProcessResult refused = strata::testing::Run(Args(db.url(), dir.Path("m"), {"down", "--to", "0"}));
  EXPECT_EQ(refused.exit_code, 11) << refused.err;
  EXPECT_NE(refused.err.find("m/0002_posts.down.sql:1:1: down 2 destroys 1 row of public.posts"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("down 1 destroys 2 rows of public.users"), std::string::npos) << refused.err;
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM users"), "2");

  // Forced, after a pg_dump that --backup-command runs first.
  std::string dump = dir.Path("backup-{version}.sql");
  std::string command = kPgBin + "pg_dump --dbname '" + db.url() + "' --file " + dump;
  ProcessResult forced =
      strata::testing::Run(Args(db.url(), dir.Path("m"), {"down", "--to", "0", "--force", "--backup-command", command}));
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('users', 'posts')"), "0");
  ASSERT_TRUE(std::filesystem::exists(dir.Path("backup-2.sql")));
  EXPECT_EQ(forced.out.find(Password(db.url())), std::string::npos) << "password printed";
  std::string logged = db.QueryOne("SELECT backup_file FROM strata_schema_history_log WHERE command = 'down' AND "
                                   "outcome = 'success'");
  EXPECT_NE(logged.find("pg_dump"), std::string::npos) << logged;
  EXPECT_EQ(logged.find(Password(db.url())), std::string::npos) << "password in the run log: " << logged;

  // strata restore is for SQLite files; it says what to use instead.
  ProcessResult restore = strata::testing::Run(Args(db.url(), dir.Path("m"), {"restore", dir.Path("backup-2.sql")}));
  EXPECT_EQ(restore.exit_code, 5) << restore.err;
  EXPECT_NE(restore.err.find("pg_restore"), std::string::npos) << restore.err;

  // The dump brings every row back.
  db.Exec("DROP TABLE strata_schema_history; DROP TABLE strata_schema_history_log");
  ProcessResult psql = strata::testing::Run(
      {kPgBin + "psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-q", "-f", dir.Path("backup-2.sql"), db.url()});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(db.Query("SELECT id || name FROM users ORDER BY id"), (std::vector<std::string>{"1ada", "2bob"}));
  EXPECT_EQ(db.QueryOne("SELECT user_id FROM posts"), "1");
  EXPECT_EQ(db.QueryOne("SELECT max(version) FROM strata_schema_history"), "2");
}

TEST(PgDataGuard, TruncateAndDropSchemaCascadeAreCaught) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_init.up.sql", "CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int);\n"
                                  "CREATE TABLE audit (id int);\n");
  ASSERT_EQ(strata::testing::Run(Args(db.url(), dir.Path("m"), {"up"})).exit_code, 0);
  db.Exec("INSERT INTO billing.invoices VALUES (1), (2), (3); INSERT INTO audit VALUES (1)");
  dir.Write("m/0002_wipe.up.sql", "TRUNCATE audit;\nDROP SCHEMA billing CASCADE;\n");
  ProcessResult r = strata::testing::Run(Args(db.url(), dir.Path("m"), {"up"}));
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_NE(r.err.find("0002_wipe.up.sql:1:1: up 2 destroys 1 row of public.audit"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("0002_wipe.up.sql:2:1: up 2 destroys 3 rows of billing.invoices"), std::string::npos) << r.err;
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM billing.invoices"), "3");
}

// TRUNCATE ... CASCADE empties every referencing table whatever its ON DELETE action; an
// unqualified name may mean a table in any schema of the search_path (counted in each).
TEST(PgDataGuard, TruncateCascadeReachesReferencingTablesAndUnqualifiedNamesEverySchema) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_init.up.sql",
            "CREATE TABLE parent (id int PRIMARY KEY);\n"
            "CREATE TABLE child (id int, parent_id int REFERENCES parent);\n"
            "CREATE SCHEMA app; CREATE TABLE app.users (id int); CREATE TABLE public.users (id int);\n");
  ASSERT_EQ(strata::testing::Run(Args(db.url(), dir.Path("m"), {"up"})).exit_code, 0);
  db.Exec("INSERT INTO child VALUES (1, NULL), (2, NULL), (3, NULL); INSERT INTO app.users VALUES (1), (2)");
  dir.Write("m/0002_wipe.up.sql", "TRUNCATE parent CASCADE;\nSET search_path = app;\nDROP TABLE users;\n");
  ProcessResult r = strata::testing::Run(Args(db.url(), dir.Path("m"), {"up"}));
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_NE(r.err.find("destroys 3 rows of public.child: TRUNCATE of public.parent (CASCADE)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("destroys 2 rows of app.users: DROP TABLE"), std::string::npos) << r.err;
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM child"), "3");
}

TEST(PgCheck, PassesOnBothExamplesCatchesAWrongDownAndLeavesNoScratchDatabase) {
  std::string server = PgServerUrl();
  for (const char* example : {"vibesurf", "dataflow"}) {
    ProcessResult r = strata::testing::Run(
        Args(server, std::string(STRATA_SOURCE_DIR) + "/examples/" + example + "/postgres", {"check"}));
    EXPECT_EQ(r.exit_code, 0) << example << ": " << r.out << r.err;
  }
  ProcessResult wrong = strata::testing::Run(Args(server, kFixtures + "/wrong_down", {"check"}));
  EXPECT_EQ(wrong.exit_code, 13) << wrong.out << wrong.err;
  EXPECT_NE(wrong.out.find("FAIL 2 user_email: up then down does not give back the schema it started from"),
            std::string::npos)
      << wrong.out;
  EXPECT_NE(wrong.out.find("column \"public\".\"users\".\"email\""), std::string::npos) << wrong.out;
  EXPECT_EQ(PgQuery(server, "SELECT count(*) FROM pg_database WHERE datname LIKE 'strata_scratch_%'"),
            std::vector<std::string>{"0"});
}

// Ctrl-C during a check: the work stops at its next step and the scratch database is dropped.
TEST(PgCheck, AnInterruptedCheckLeavesNoScratchDatabase) {
  std::string server = PgServerUrl();
  TempDir dir;
  dir.Write("m/0001_slow.up.sql", "CREATE TABLE slow (x int);\nSELECT pg_sleep(2);\n");
  dir.Write("m/0001_slow.down.sql", "DROP TABLE slow;\n");
  dir.Write("m/0002_next.up.sql", "CREATE TABLE next (x int);\n");
  std::vector<std::string> argv = Args(server, dir.Path("m"), {"check"});
  pid_t pid = Start(argv);
  // This process's scratch databases only (their names carry the pid).
  auto scratch_count = [&] {
    return PgQuery(server, "SELECT count(*) FROM pg_database WHERE datname LIKE 'strata\\_scratch\\_" +
                               std::to_string(pid) + "\\_%'")[0];
  };
  for (int i = 0; i < 100 && scratch_count() == "0"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(scratch_count(), "1") << "the check never created its scratch database";
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(scratch_count(), "0");
}

TEST(PgVerifyData, CatchesRowsDeletedThroughACascadeAndTheLogRecordsTheFailure) {
  PgDatabase db;
  std::string m = kFixtures + "/cascade/postgres";
  ASSERT_EQ(strata::testing::Run(Args(db.url(), m, {"up", "--to", "1"})).exit_code, 0);
  db.Exec("INSERT INTO parent VALUES (1, 'a'), (2, NULL); INSERT INTO child VALUES (1, 1, 'x'), (2, 2, 'y')");

  // The DELETE without WHERE is flagged by the data guard; forced, --verify-data still catches the cascade.
  ProcessResult guarded = strata::testing::Run(Args(db.url(), m, {"up", "--verify-data"}));
  EXPECT_EQ(guarded.exit_code, 11) << guarded.err;
  ProcessResult r = strata::testing::Run(Args(db.url(), m, {"up", "--verify-data", "--force"}));
  EXPECT_EQ(r.exit_code, 12) << r.err;
  EXPECT_NE(r.err.find("public.child: 2 rows before, 0 after"), std::string::npos) << r.err;
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM child"), "2");
  EXPECT_EQ(db.QueryOne("SELECT max(version) FROM strata_schema_history"), "1");
  EXPECT_EQ(db.QueryOne("SELECT outcome FROM strata_schema_history_log ORDER BY id DESC LIMIT 1"), "failed");
}

}  // namespace
}  // namespace strata::testing
