// The strata binary with the lease lock (--lock=table) against a real MariaDB server: many runners
// at once, a runner killed while it holds the lease, a lock timeout, a lease lost in the middle of
// a run (in a migration's transaction and between the statements of a DDL migration), and the lock
// table left clean. The lease is what holds across a Galera cluster, where GET_LOCK does not
// (cli_mariadb_test.cc runs it on a Galera node).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "mariadb_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::string kLockRows = "SELECT COUNT(*) FROM strata_schema_history_lock";
const std::string kHistory =
    "SELECT COALESCE(GROUP_CONCAT(CONCAT(version, ':', state) ORDER BY version SEPARATOR ','), '') FROM "
    "strata_schema_history";

std::vector<std::string> Args(const MariadbDatabase& db, const std::string& dir, std::vector<std::string> rest) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", db.url(), "--dir", dir, "--lock=table"};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

std::string One(const MariadbDatabase& db, const std::string& sql) {
  auto rows = db.Query(sql);
  return rows.empty() ? "" : rows[0];
}

// The id of the session of this database running a statement that starts with `statement`, or "".
std::string Running(const MariadbDatabase& db, const std::string& statement) {
  return One(db, "SELECT COALESCE(MIN(ID), '') FROM information_schema.processlist WHERE DB = DATABASE() AND ID <> "
                 "CONNECTION_ID() AND INFO LIKE '" + statement + "%'");
}

// The server's password, which no output may carry.
std::string ServerPassword() {
  std::string server = MariadbServerUrl();
  std::size_t colon = server.find(':', 11), at = server.find('@');
  if (colon == std::string::npos || at == std::string::npos || colon > at) return std::string();
  return server.substr(colon + 1, at - colon - 1);
}

// 16 runners, each migration in turn data-only or with DDL: the lease keeps them apart (its fence
// is tested below, where the lease is lost).
TEST(CliLeaseMariadb, SixteenConcurrentRunnersApplyEachMigrationOnceAndLeaveNoLease) {
  MariadbDatabase db;
  TempDir dir;
  const int kMigrations = 12;
  dir.Write("m/v001_runs.sql", "CREATE TABLE runs (v INT NOT NULL PRIMARY KEY, conn BIGINT DEFAULT CONNECTION_ID());\n"
                               "INSERT INTO runs (v) VALUES (1);\n");
  for (int v = 2; v <= kMigrations; ++v) {
    char name[64];
    std::snprintf(name, sizeof name, "m/v%03d_t%d.sql", v, v);
    const std::string insert = "INSERT INTO runs (v) VALUES (" + std::to_string(v) + ");\n";
    dir.Write(name, v % 2 ? "CREATE TABLE t" + std::to_string(v) + " (x INT);\n" + insert : insert);
  }
  std::vector<pid_t> pids;
  for (int i = 0; i < 16; ++i) {
    pids.push_back(StartLogged(Args(db, dir.Path("m"), {"--lock-timeout", "60", "up"}),
                               dir.Path("log" + std::to_string(i))));
  }
  for (std::size_t i = 0; i < pids.size(); ++i) {
    EXPECT_EQ(WaitExit(pids[i]), 0) << "runner " << i << " failed:\n" << ReadText(dir.Path("log" + std::to_string(i)));
  }
  // A migration run twice would have failed on the primary key or CREATE TABLE.
  EXPECT_EQ(One(db, "SELECT CONCAT(COUNT(*), ',', COUNT(DISTINCT v)) FROM runs"),
            std::to_string(kMigrations) + "," + std::to_string(kMigrations));
  EXPECT_EQ(One(db, "SELECT COUNT(*) FROM strata_schema_history WHERE state = 'applied'"),
            std::to_string(kMigrations));
  EXPECT_EQ(One(db, kLockRows), "0") << "a runner left its lease behind";
}

// A runner SIGKILLed in a DDL migration cannot delete its lease row: the next runner waits for it to
// expire (3 s here), names the dead runner while it waits, and resumes the partial migration.
TEST(CliLeaseMariadb, AKilledHoldersLeaseExpiresAndTheNextRunnerNamesItAndResumes) {
  MariadbDatabase db;
  TempDir dir;
  dir.Write("m/v001_a.sql", "CREATE TABLE a (x INT);\n");
  dir.Write("m/v002_slow.sql", "CREATE TABLE slow (x INT);\nDO SLEEP(60);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"--lock-lease", "3", "up"}), dir.Path("log"));
  ASSERT_TRUE(PollUntil([&] { return !Running(db, "DO SLEEP(60)").empty(); }, 20s)) << ReadText(dir.Path("log"));
  // The lease names the runner's own process.
  EXPECT_EQ(One(db, "SELECT pid FROM strata_schema_history_lock"), std::to_string(pid));
  ::kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), -SIGKILL);
  // The server notices the dead client only when the statement ends: end it.
  const std::string sleeping = Running(db, "DO SLEEP(60)");
  if (!sleeping.empty()) db.Query("KILL " + sleeping, /*unknown thread*/ 1094);

  dir.Write("m/v002_slow.sql", "CREATE TABLE slow (x INT);\nDO 1;\n");
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-lease", "3", "--lock-timeout", "30", "up"}));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_LT(took, 15s) << "the dead runner's lease of 3 s held the next one much longer";
  EXPECT_TRUE(Contains(r.err, "waiting up to 30.0 s for the migration lock (the lease in `strata_schema_history_lock`"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "pid " + std::to_string(pid) + " ")) << r.err;
  const std::string password = ServerPassword();
  if (!password.empty()) {
    EXPECT_FALSE(Contains(r.err + r.out, password)) << r.err;
  }
  EXPECT_EQ(One(db, kHistory), "1:applied,2:applied");
  EXPECT_EQ(One(db, kLockRows), "0");
}

TEST(CliLeaseMariadb, ALockTimeoutNamesTheHolderWithExitCode6) {
  MariadbDatabase db;
  TempDir dir;
  dir.Write("m/v001_slow.sql", "DO SLEEP(4);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log"));
  ASSERT_TRUE(PollUntil([&] { return !Running(db, "DO SLEEP(4)").empty(); }, 20s)) << ReadText(dir.Path("log"));
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-timeout", "0.5", "up"}));
  EXPECT_EQ(r.exit_code, 6) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "could not take the migration lock (the lease in `strata_schema_history_lock`"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "pid " + std::to_string(pid) + " ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "expires in ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "raise --lock-timeout")) << r.err;
  EXPECT_EQ(WaitExit(pid), 0) << ReadText(dir.Path("log"));
  EXPECT_EQ(One(db, kLockRows), "0");
}

// Another session takes the lease away while migration 2 sleeps: the run stops with exit 14 before
// anything more of it is recorded, and migration 3 never runs. In a data-only migration (one
// transaction) the fence refuses the commit, so nothing of it stays; in a DDL migration the
// statements already ran, and the history keeps it dirty with the statements done (a partial
// migration that the next `up` resumes), as a crash would.
struct LostCase {
  const char* name;
  std::string migration;  // v002_slow.sql: sleeps in `SELECT SLEEP(3)` or `DO SLEEP(3)`
  std::vector<std::string> flags;
  std::string theft;    // run by the test while migration 2 sleeps
  std::string history;  // expected afterwards
  std::string rows;     // SELECT COUNT(*) FROM t afterwards
  std::string message;  // expected in the output
};

void PrintTo(const LostCase& c, std::ostream* os) { *os << c.name; }

class CliLeaseMariadbLost : public ::testing::TestWithParam<LostCase> {};

TEST_P(CliLeaseMariadbLost, StopsTheRunBeforeItsNextHistoryWrite) {
  const LostCase& c = GetParam();
  MariadbDatabase db;
  TempDir dir;
  dir.Write("m/v001_t.sql", "CREATE TABLE t (id INT PRIMARY KEY);\n");
  dir.Write("m/v002_slow.sql", c.migration);
  dir.Write("m/v003_after.sql", "CREATE TABLE after_ (id INT);\n");
  std::vector<std::string> flags = {"up"};
  flags.insert(flags.end(), c.flags.begin(), c.flags.end());
  pid_t pid = StartLogged(Args(db, dir.Path("m"), flags), dir.Path("log"));
  ASSERT_TRUE(PollUntil([&] { return !Running(db, "SELECT SLEEP(3)").empty() || !Running(db, "DO SLEEP(3)").empty(); },
                        20s))
      << ReadText(dir.Path("log"));
  db.Query(c.theft);
  const int code = WaitExit(pid);
  const std::string log = ReadText(dir.Path("log"));
  EXPECT_EQ(code, 14) << log;
  EXPECT_TRUE(Contains(log, c.message)) << log;
  EXPECT_TRUE(Contains(log, "strata_schema_history_lock")) << log;
  EXPECT_TRUE(Contains(log, "v002_slow.sql")) << log;
  EXPECT_EQ(One(db, kHistory), c.history);
  EXPECT_EQ(One(db, "SELECT COUNT(*) FROM t"), c.rows);
  EXPECT_EQ(One(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = "
                    "'after_'"),
            "0");
}

const char* kData = "INSERT INTO t VALUES (1);\nSELECT SLEEP(3);\n";
const char* kDdl = "CREATE TABLE u (id INT);\nINSERT INTO t VALUES (1);\nDO SLEEP(3);\nCREATE TABLE w (id INT);\n";
const char* kSteal = "UPDATE strata_schema_history_lock SET owner = 'someone else', pid = 1";
const char* kExpire =
    "UPDATE strata_schema_history_lock SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND";
const char* kDelete = "DELETE FROM strata_schema_history_lock";

INSTANTIATE_TEST_SUITE_P(
    Cases, CliLeaseMariadbLost,
    ::testing::Values(LostCase{"DataStolen", kData, {}, kSteal, "1:applied", "0", "transaction was not committed"},
                      LostCase{"DataExpired", kData, {}, kExpire, "1:applied", "0", "expired or was taken over"},
                      LostCase{"DataDeleted", kData, {}, kDelete, "1:applied", "0", "expired or was taken over"},
                      LostCase{"DdlStolen", kDdl, {}, kSteal, "1:applied,2:dirty", "1", "transaction was not committed"},
                      LostCase{"HeartbeatNoticesTheft", kData, {"--lock-lease", "1.5"}, kSteal, "1:applied", "0",
                               "is no longer this run's"}),
    [](const ::testing::TestParamInfo<LostCase>& info) { return std::string(info.param.name); });

// A migration that runs statement by statement keeps its session from one statement to the next:
// the fenced history writes between them go through a session of their own, so a LOCK TABLES of
// the migration still holds at its next statement, and its SET timestamp moves no expiry (a fence
// in its session that wrote the session's time would have made the lease look expired, and the
// next fence would have found it lost).
TEST(CliLeaseMariadb, TheFencedHistoryWritesLeaveTheMigrationsSessionAlone) {
  MariadbDatabase db;
  TempDir dir;
  dir.Write("m/v001_t.sql", "CREATE TABLE t (id INT PRIMARY KEY);\n");
  dir.Write("m/v002_locked.sql", "LOCK TABLES t WRITE;\nINSERT INTO t VALUES (1);\nDO SLEEP(5);\n"
                                 "INSERT INTO t VALUES (2);\nUNLOCK TABLES;\n");
  dir.Write("m/v003_frozen.sql", "SET timestamp = UNIX_TIMESTAMP('2024-01-01');\nCREATE TABLE x (id INT);\n"
                                 "CREATE TABLE y (id INT);\nINSERT INTO t VALUES (3);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log"));
  ASSERT_TRUE(PollUntil([&] { return !Running(db, "DO SLEEP(5)").empty(); }, 20s)) << ReadText(dir.Path("log"));
  // The table lock of statement 1 still holds during statement 3: another session waits for it (1 s
  // of the 5 the statement sleeps).
  constexpr unsigned kLockWaitTimeout = 1205;
  EXPECT_EQ(db.Query("SET STATEMENT lock_wait_timeout = 1 FOR SELECT COUNT(*) FROM t", kLockWaitTimeout),
            std::vector<std::string>{})
      << "the migration's LOCK TABLES was released between its statements";
  EXPECT_EQ(WaitExit(pid), 0) << ReadText(dir.Path("log"));
  EXPECT_EQ(One(db, kHistory), "1:applied,2:applied,3:applied");
  EXPECT_EQ(One(db, "SELECT COUNT(*) FROM t"), "3");
  EXPECT_EQ(One(db, kLockRows), "0");
}

// strata.toml selects the lease; the lock table is strata's own, so a schema dump leaves it out;
// the default lock (GET_LOCK) never creates it.
TEST(CliLeaseMariadb, TomlSelectsTheLeaseAndTheLockTableStaysOutOfTheSchema) {
  MariadbDatabase db;
  TempDir dir;
  dir.Write("m/v001_a.sql", "CREATE TABLE a (x INT);\n");
  dir.Write("strata.toml", "url = \"" + db.url() + "\"\ndir = \"" + dir.Path("m") + "\"\nlock = \"table\"\nlock_lease = 5\n");
  ProcessResult r = strata::testing::Run({STRATA_BINARY, "--config", dir.Path("strata.toml"), "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string has_lock_table =
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = "
      "'strata_schema_history_lock'";
  EXPECT_EQ(One(db, has_lock_table), "1");
  EXPECT_EQ(One(db, kLockRows), "0");
  r = strata::testing::Run({STRATA_BINARY, "--config", dir.Path("strata.toml"), "schema", "dump"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_FALSE(Contains(r.out, "strata_schema_history_lock")) << r.out;
  EXPECT_TRUE(Contains(r.out, "CREATE TABLE \"a\"")) << r.out;

  // down under the lease.
  dir.Write("m/0002_b.up.sql", "CREATE TABLE b (x INT);\nINSERT INTO b VALUES (1);\n");
  dir.Write("m/0002_b.down.sql", "DROP TABLE b;\n");
  r = strata::testing::Run({STRATA_BINARY, "--config", dir.Path("strata.toml"), "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  r = strata::testing::Run({STRATA_BINARY, "--config", dir.Path("strata.toml"), "down", "--force"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(One(db, kHistory), "1:applied");
  EXPECT_EQ(One(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = "
                    "'b'"),
            "0");
  EXPECT_EQ(One(db, kLockRows), "0");

  MariadbDatabase other;
  r = strata::testing::Run({STRATA_BINARY, "--url", other.url(), "--dir", dir.Path("m"), "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(One(other, has_lock_table), "0");
}

}  // namespace
}  // namespace strata::testing
