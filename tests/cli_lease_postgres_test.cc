// The strata binary with the lease lock (--lock=table) against a real PostgreSQL server: many
// runners at once, a runner killed while it holds the lease, a lease lost in the middle of a run,
// a lock timeout, and the lock table left clean.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "pg_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

const std::string kLockRows = "SELECT count(*) FROM strata_schema_history_lock";
const std::string kHistory =
    "SELECT coalesce(string_agg(version::text || ':' || state, ',' ORDER BY version), '') FROM strata_schema_history";

std::vector<std::string> Args(const PgDatabase& db, const std::string& dir, std::vector<std::string> rest) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", db.url(), "--dir", dir, "--lock=table"};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

bool Sleeping(const PgDatabase& db, const std::string& call) {
  return db.QueryOne("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%" + call +
                     "%' AND query NOT LIKE '%pg_stat_activity%' AND state = 'active' AND datname = "
                     "current_database()") == "1";
}

// The server's password, which no output may carry.
std::string ServerPassword() {
  std::string server = PgServerUrl();
  std::size_t colon = server.find(':', 11), at = server.find('@');
  if (colon == std::string::npos || at == std::string::npos || colon > at) return std::string();
  return server.substr(colon + 1, at - colon - 1);
}

TEST(CliLease, TenConcurrentRunnersApplyEachMigrationOnceAndLeaveNoLease) {
  PgDatabase db;
  TempDir dir;
  const int kMigrations = 12;
  dir.Write("m/0001_runs.up.sql", "CREATE TABLE runs (v int NOT NULL, pid int DEFAULT pg_backend_pid());\n"
                                  "INSERT INTO runs (v) VALUES (1);\n");
  for (int v = 2; v <= kMigrations; ++v) {
    char name[64];
    std::snprintf(name, sizeof name, "m/%04d_t%d.up.sql", v, v);
    dir.Write(name, "CREATE TABLE t" + std::to_string(v) + " (x int);\nINSERT INTO runs (v) VALUES (" +
                        std::to_string(v) + ");\n");
  }
  std::vector<pid_t> pids;
  for (int i = 0; i < 10; ++i) pids.push_back(StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log" + std::to_string(i))));
  for (std::size_t i = 0; i < pids.size(); ++i) {
    int code = WaitExit(pids[i]);
    EXPECT_EQ(code, 0) << "runner " << i << " failed:\n" << ReadText(dir.Path("log" + std::to_string(i)));
  }
  EXPECT_EQ(db.QueryOne("SELECT count(*) || ',' || count(DISTINCT v) FROM runs"),
            std::to_string(kMigrations) + "," + std::to_string(kMigrations));
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history WHERE state = 'applied'"), std::to_string(kMigrations));
  // Every runner released its lease.
  EXPECT_EQ(db.QueryOne(kLockRows), "0");
}

TEST(CliLease, KilledHoldersLeaseExpiresAndTheNextRunnerNamesIt) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\nSELECT pg_sleep(60);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"--lock-lease", "3", "up"}), dir.Path("log"));
  ASSERT_TRUE(PollUntil([&] { return Sleeping(db, "pg_sleep(60)"); }, 20s)) << ReadText(dir.Path("log"));
  // The lease names the runner's own process.
  EXPECT_EQ(db.QueryOne("SELECT pid FROM strata_schema_history_lock"), std::to_string(pid));
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), -SIGKILL);

  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\n");
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-lease", "3", "--lock-timeout", "30", "up"}));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_LT(took, 15s) << "the dead runner's lease of 3 s held the next one much longer";
  EXPECT_NE(r.err.find("waiting up to 30.0 s for the migration lock (the lease in \"public\".\"strata_schema_history_lock\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("pid " + std::to_string(pid) + " "), std::string::npos) << r.err;
  std::string password = ServerPassword();
  if (!password.empty()) {
    EXPECT_EQ(r.err.find(password), std::string::npos) << r.err;
  }
  EXPECT_EQ(db.QueryOne(kHistory), "1:applied,2:applied");
  EXPECT_EQ(db.QueryOne(kLockRows), "0");
}

TEST(CliLease, LockTimeoutNamesTheHolderWithExitCode6) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_slow.up.sql", "SELECT pg_sleep(4);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log"));
  ASSERT_TRUE(PollUntil([&] { return Sleeping(db, "pg_sleep(4)"); }, 20s)) << ReadText(dir.Path("log"));
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-timeout", "0.5", "up"}));
  EXPECT_EQ(r.exit_code, 6) << Describe(r);
  EXPECT_NE(r.err.find("could not take the migration lock (the lease in \"public\".\"strata_schema_history_lock\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("pid " + std::to_string(pid) + " "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expires in "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("raise --lock-timeout"), std::string::npos) << r.err;
  EXPECT_EQ(WaitExit(pid), 0) << ReadText(dir.Path("log"));
  EXPECT_EQ(db.QueryOne(kLockRows), "0");
}

// Another session takes the lease away while migration 2 runs: its commit is refused (exit 14), it
// is not recorded and its table is gone, and migration 3 never runs. The cases cover the pipelined
// commit (statements, history row, fence and COMMIT in one round trip), the commit of its own
// (--verify-data, --single-transaction), the heartbeat noticing first (a short lease), and renewals
// made impossible (the row locked by another session until the lease ran out).
struct LostCase {
  const char* name;
  std::vector<std::string> flags;
  std::string theft;     // run by the test while migration 2 sleeps
  bool hold_row = false;  // instead: lock the row for 4 s
  std::string history;   // expected afterwards
  std::string message;   // expected in the output
  std::string file = "0002_slow.up.sql";  // named in the output (a single transaction names none)
};

void PrintTo(const LostCase& c, std::ostream* os) { *os << c.name; }

class CliLeaseLost : public ::testing::TestWithParam<LostCase> {};

TEST_P(CliLeaseLost, StopsTheRunBeforeTheCommit) {
  const LostCase& c = GetParam();
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\nSELECT pg_sleep(3);\n");
  dir.Write("m/0003_after.up.sql", "CREATE TABLE after (x int);\n");
  std::vector<std::string> flags = {"up"};  // global flags may follow the command
  flags.insert(flags.end(), c.flags.begin(), c.flags.end());
  pid_t pid = StartLogged(Args(db, dir.Path("m"), flags), dir.Path("log"));
  ASSERT_TRUE(PollUntil([&] { return Sleeping(db, "pg_sleep(3)"); }, 20s)) << ReadText(dir.Path("log"));
  if (c.hold_row) {
    db.Exec("BEGIN; SELECT * FROM strata_schema_history_lock FOR UPDATE; SELECT pg_sleep(4); COMMIT");
  } else {
    db.Exec(c.theft);
  }
  int code = WaitExit(pid);
  std::string log = ReadText(dir.Path("log"));
  EXPECT_EQ(code, 14) << log;
  EXPECT_NE(log.find(c.message), std::string::npos) << log;
  EXPECT_NE(log.find("strata_schema_history_lock"), std::string::npos) << log;
  EXPECT_NE(log.find(c.file), std::string::npos) << log;
  EXPECT_EQ(db.QueryOne(kHistory), c.history);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('slow', 'after')"), "0");
}

const char* kSteal = "UPDATE strata_schema_history_lock SET owner = 'someone else', pid = 1";
const char* kExpire = "UPDATE strata_schema_history_lock SET expires_at = clock_timestamp() - interval '1 second'";
const char* kDelete = "DELETE FROM strata_schema_history_lock";

INSTANTIATE_TEST_SUITE_P(
    Cases, CliLeaseLost,
    ::testing::Values(LostCase{"PipelinedStolen", {}, kSteal, false, "1:applied", "transaction was not committed"},
                      LostCase{"PipelinedExpired", {}, kExpire, false, "1:applied", "expired or was taken over"},
                      LostCase{"PipelinedDeleted", {}, kDelete, false, "1:applied", "expired or was taken over"},
                      LostCase{"OwnCommitStolen", {"--verify-data"}, kSteal, false, "1:applied",
                               "transaction was not committed"},
                      LostCase{"SingleTransactionExpired", {"--single-transaction"}, kExpire, false, "",
                               "no migration of it was applied", "transaction was not committed"},
                      LostCase{"HeartbeatNoticesTheft", {"--lock-lease", "1.5", "--verify-data"}, kSteal, false,
                               "1:applied", "is no longer this run's"},
                      LostCase{"RenewalsBlocked", {"--lock-lease", "2"}, "", true, "1:applied", "lease"}),
    [](const ::testing::TestParamInfo<LostCase>& info) { return std::string(info.param.name); });

// strata.toml selects the lease; the lock table is strata's own, so a schema dump leaves it out;
// the advisory default never creates it.
TEST(CliLease, TomlSelectsTheLeaseAndTheLockTableStaysOutOfTheSchema) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("strata.toml", "url = \"" + db.url() + "\"\ndir = \"" + dir.Path("m") + "\"\nlock = \"table\"\nlock_lease = 5\n");
  ProcessResult r = strata::testing::Run({STRATA_BINARY, "--config", dir.Path("strata.toml"), "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'strata_schema_history_lock'"), "1");
  EXPECT_EQ(db.QueryOne(kLockRows), "0");
  r = strata::testing::Run({STRATA_BINARY, "--config", dir.Path("strata.toml"), "schema", "dump"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out.find("strata_schema_history_lock"), std::string::npos) << r.out;

  PgDatabase other;
  r = strata::testing::Run({STRATA_BINARY, "--url", other.url(), "--dir", dir.Path("m"), "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(other.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'strata_schema_history_lock'"), "0");
}

}  // namespace
}  // namespace strata::testing
