// The strata binary against a real PostgreSQL server: many runners at once, a runner killed while
// it holds the lock, CREATE INDEX CONCURRENTLY behind another session's row lock, bad credentials.
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

std::vector<std::string> Args(const PgDatabase& db, const std::string& dir, std::vector<std::string> rest) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", db.url(), "--dir", dir};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

// Whether a statement starting with `query` runs in `db` within 20 s (a runner inside a migration).
bool Running(const PgDatabase& db, const std::string& query) {
  return PollUntil(
      [&] {
        return db.QueryOne("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '" + query +
                           "%' AND state = 'active' AND datname = current_database()") == "1";
      },
      20s);
}

TEST(CliPostgres, SixteenConcurrentRunnersApplyEachMigrationOnce) {
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
  for (int i = 0; i < 16; ++i) pids.push_back(StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log" + std::to_string(i))));
  for (std::size_t i = 0; i < pids.size(); ++i) {
    int code = WaitExit(pids[i]);
    EXPECT_EQ(code, 0) << "runner " << i << " failed; see its log";
  }
  EXPECT_EQ(db.QueryOne("SELECT count(*) || ',' || count(DISTINCT v) FROM runs"),
            std::to_string(kMigrations) + "," + std::to_string(kMigrations));
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history WHERE state = 'applied'"), std::to_string(kMigrations));
}

// SIGINT while a migration's statement runs: the server cancels it (PQcancel), the migration is
// rolled back, the lock is released, exit 130; the pg_sleep(60) is not waited for.
TEST(CliPostgres, AnInterruptCancelsTheRunningStatementAndRollsBack) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\nSELECT pg_sleep(60);\n");
  dir.Write("m/0003_c.up.sql", "CREATE TABLE c (x int);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log"));
  bool sleeping = Running(db, "SELECT pg_sleep(60)");
  ASSERT_TRUE(sleeping) << "the runner never reached migration 2: " << ReadText(dir.Path("log"));
  auto start = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  EXPECT_EQ(WaitExit(pid), 130) << ReadText(dir.Path("log"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "the statement was waited for";
  const std::string log = ReadText(dir.Path("log"));
  EXPECT_NE(log.find("0002_slow.up.sql: interrupted during migration 2 (slow), which was rolled back; the database "
                     "is still at version 1\n"),
            std::string::npos)
      << log;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',' ORDER BY version) FROM "
                        "strata_schema_history"),
            "1:applied");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('slow', 'c')"), "0");
  // The run's lock went with it: the next runner does not wait.
  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\n");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-timeout", "1", "up"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',' ORDER BY version) FROM "
                        "strata_schema_history"),
            "1:applied,2:applied,3:applied");
}

// A `-- strata:no-transaction` migration cannot be rolled back, and a cancelled CREATE INDEX
// CONCURRENTLY would leave an INVALID index: a signal lets it run to its end, and the run stops
// before the next migration.
TEST(CliPostgres, AnInterruptLetsANoTransactionMigrationFinishAndStopsBeforeTheNext) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_index.up.sql",
            "-- strata:no-transaction\nSELECT pg_sleep(5);\nCREATE INDEX CONCURRENTLY a_x ON a (x);\n");
  dir.Write("m/0003_c.up.sql", "CREATE TABLE c (x int);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log"));
  bool sleeping = Running(db, "SELECT pg_sleep(5)");
  ASSERT_TRUE(sleeping) << "the runner never reached migration 2: " << ReadText(dir.Path("log"));
  // Meanwhile `status` says that the dirty migration may be in progress.
  ProcessResult live = strata::testing::Run(Args(db, dir.Path("m"), {"status"}));
  EXPECT_NE(live.out.find("migration 2 (index) is dirty (it runs outside a transaction), and a run is in progress "
                          "(the migration lock is held by pid "),
            std::string::npos)
      << live.out << live.err;
  kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid), 130) << ReadText(dir.Path("log"));
  const std::string log = ReadText(dir.Path("log"));
  EXPECT_NE(log.find("interrupted before migration 3 (c) started: 2 of the 3 migrations of this run were applied, "
                     "and the database is at version 2"),
            std::string::npos)
      << log;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',' ORDER BY version) FROM "
                        "strata_schema_history"),
            "1:applied,2:applied");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_index WHERE indexrelid = 'a_x'::regclass AND indisvalid"), "1");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'c'"), "0");
}

TEST(CliPostgres, RunnerKilledWhileHoldingTheLockDoesNotBlockTheNext) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\nSELECT pg_sleep(60);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log"));
  // Wait until it is inside migration 2: version 1 recorded and pg_sleep running.
  bool sleeping = Running(db, "SELECT pg_sleep(60)");
  ASSERT_TRUE(sleeping) << "the runner never reached migration 2";
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
                        "(SELECT oid FROM pg_database WHERE datname = current_database())"), "1");
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), -SIGKILL);

  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\n");
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-timeout", "15", "up"}));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(took, 10s) << "the next runner waited for the dead one";
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',' ORDER BY version) FROM "
                        "strata_schema_history"),
            "1:applied,2:applied");
}

TEST(CliPostgres, ConcurrentIndexWaitsForARowLockWithoutDeadlock) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_t.up.sql", "CREATE TABLE t (id int PRIMARY KEY, v int);\nINSERT INTO t SELECT g, g FROM generate_series(1, 100) g;\n");
  dir.Write("m/0002_idx.up.sql", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v ON t (v);\n");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up", "--to", "1"})).exit_code, 0);

  // Another session holds a row lock in an open transaction, as application traffic would.
  std::thread holder([&] {
    PgQuery(db.url(), "BEGIN; SELECT * FROM t WHERE id = 1 FOR UPDATE; SELECT pg_sleep(2); COMMIT;");
  });
  std::this_thread::sleep_for(300ms);
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-timeout", "30", "up"}));
  auto took = std::chrono::steady_clock::now() - start;
  holder.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(took, 1s) << "CREATE INDEX CONCURRENTLY should have waited for the open transaction";
  EXPECT_LT(took, 20s);
  EXPECT_EQ(db.QueryOne("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v'::regclass"), "t");
}

TEST(CliPostgres, ConnectionProblemsHaveTheirOwnExitCodesAndNoPassword) {
  std::string server = PgServerUrl();
  ASSERT_FALSE(server.empty());
  std::string hostport = server.substr(server.find('@') + 1);
  hostport = hostport.substr(0, hostport.find('/'));
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  struct Case {
    std::string url;
    int code;
  } cases[] = {
      {"postgres://postgres:S3cretPass@" + hostport + "/postgres", 10},
      {"postgres://postgres:S3cretPass@127.0.0.1:1/postgres", 7},
      {server.substr(0, server.rfind('/')) + "/missing_db", 7},
  };
  std::string real_password = server.substr(server.find(':', 11) + 1, server.find('@') - server.find(':', 11) - 1);
  for (const Case& c : cases) {
    for (const char* cmd : {"status", "up"}) {
      ProcessResult r = strata::testing::Run({STRATA_BINARY, "--url", c.url, "--dir", dir.Path("m"), "--json", cmd});
      EXPECT_EQ(r.exit_code, c.code) << cmd << " " << r.err;
      EXPECT_EQ(r.err.find("S3cretPass"), std::string::npos) << r.err;
      EXPECT_EQ(r.out.find("S3cretPass"), std::string::npos) << r.out;
      EXPECT_EQ(r.err.find(real_password), std::string::npos) << r.err;
      EXPECT_EQ(r.out.find(real_password), std::string::npos) << r.out;
      EXPECT_NE(r.err.find("postgres:****@"), std::string::npos) << r.err;
    }
  }
}

TEST(CliPostgres, LockTimeoutNamesTheHolderWithExitCode6) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_slow.up.sql", "SELECT pg_sleep(5);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log"));
  ASSERT_TRUE(PollUntil([&] { return db.QueryOne("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
                        "(SELECT oid FROM pg_database WHERE datname = current_database())") == "1"; },
                      20s));
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-timeout", "0.5", "up"}));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("could not take the migration lock"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("held by pid"), std::string::npos) << r.err;
  EXPECT_EQ(WaitExit(pid), 0);
}


// A database-wide idle_session_timeout used to end the lock's own idle connection while the runner
// went on migrating; a second runner then took the lock and ran alongside (duplicate key in
// pg_type). The lock now lives on the migration connection, whose idle timeouts strata turns off.
TEST(CliPostgres, IdleSessionTimeoutDoesNotLetASecondRunnerIn) {
  PgDatabase db;
  TempDir dir;
  db.Exec("ALTER DATABASE " + db.name() + " SET idle_session_timeout = '1s'");
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\nSELECT pg_sleep(3);\n");
  pid_t first = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log1"));
  std::this_thread::sleep_for(1800ms);
  ProcessResult second = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-timeout", "30", "up"}));
  EXPECT_EQ(WaitExit(first), 0) << ReadText(dir.Path("log1"));
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',') FROM strata_schema_history"),
            "1:applied");
}

// The session holding the lock ends mid-migration (an administrator's pg_terminate_backend): the
// migration is not committed, the run stops with exit 14 (lock lost), and the next run applies it.
TEST(CliPostgres, LockHolderTerminatedStopsTheRunWithLockLost) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\nSELECT pg_sleep(30);\n");
  pid_t pid = StartLogged(Args(db, dir.Path("m"), {"up"}), dir.Path("log"));
  bool sleeping = Running(db, "SELECT pg_sleep(30)");
  ASSERT_TRUE(sleeping) << "the runner never reached migration 2";
  // The backend running the migration is the one that holds the advisory lock.
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE "
                        "l.locktype = 'advisory' AND l.granted AND a.query LIKE 'SELECT pg_sleep(30)%'"),
            "1");
  db.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND "
          "datname = current_database()");
  EXPECT_EQ(WaitExit(pid), 14) << ReadText(dir.Path("log"));
  std::string log = ReadText(dir.Path("log"));
  EXPECT_NE(log.find("the connection holding the migration lock"), std::string::npos) << log;
  EXPECT_NE(log.find("0002_slow.up.sql"), std::string::npos) << log;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',' ORDER BY version) FROM "
                        "strata_schema_history"),
            "1:applied");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'slow'"), "0");
  // The run is in the run log all the same, written on a new session.
  EXPECT_EQ(log.find("could not record the run in the run log"), std::string::npos) << log;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(outcome || ':' || from_version || '->' || to_version, ',') FROM "
                        "strata_schema_history_log"),
            "failed:0->1");

  dir.Write("m/0002_slow.up.sql", "CREATE TABLE slow (x int);\n");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"up"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',' ORDER BY version) FROM "
                        "strata_schema_history"),
            "1:applied,2:applied");
}

// Waiting for the lock sets lock_timeout for that wait only: a no-transaction migration after it
// still runs with the server's lock_timeout (0, wait as long as needed), not the wait's.
TEST(CliPostgres, LockWaitTimeoutDoesNotLeakIntoNoTransactionMigrations) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_show.up.sql",
            "-- strata:no-transaction\nCREATE TABLE seen AS SELECT current_setting('lock_timeout') AS v;\n");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"--lock-timeout", "7", "up"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.QueryOne("SELECT v FROM seen"), "0");
}


// A migration's search_path stays in that migration, as if each ran in a run of its own: pg_dump's
// output sets it to '' (a baseline made from a dump), and the next migration's unqualified names
// then had no schema to go to; a SET search_path sent the next one's tables elsewhere.
TEST(CliPostgres, AMigrationsSearchPathDoesNotLeakIntoTheNext) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_dump.up.sql",
            "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.a (id int);\n");
  dir.Write("m/0002_b.up.sql", "CREATE TABLE b (id int);\n");
  dir.Write("m/0003_elsewhere.up.sql", "CREATE SCHEMA other;\nSET search_path TO other;\nCREATE TABLE c (id int);\n");
  dir.Write("m/0004_d.up.sql", "-- strata:no-transaction\nCREATE TABLE d (id int);\n");
  dir.Write("m/0005_e.up.sql", "CREATE TABLE e (id int);\n");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"up"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(table_schema || '.' || table_name, ',' ORDER BY table_name) FROM "
                        "information_schema.tables WHERE table_name IN ('a', 'b', 'c', 'd', 'e')"),
            "public.a,public.b,other.c,public.d,public.e");
}

// Nor does anything else a migration sets in its session: a SET ROLE (the next one's tables would
// be that role's), a SET session_replication_role = replica (the next one's foreign keys unchecked).
TEST(CliPostgres, WhatAMigrationSetsInItsSessionDoesNotReachTheNextOne) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_as_role.up.sql",
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'strata_test_owner') THEN CREATE ROLE "
            "strata_test_owner NOLOGIN; END IF; END $$;\n"
            "GRANT ALL ON SCHEMA public TO strata_test_owner;\n"
            "GRANT ALL ON ALL TABLES IN SCHEMA public TO strata_test_owner;\n"
            "SET ROLE strata_test_owner;\n"
            "CREATE TABLE owned (x int);\n");
  dir.Write("m/0002_mine.up.sql", "CREATE TABLE mine (x int);\n");
  dir.Write("m/0003_replica.up.sql",
            "SET session_replication_role = replica;\n"
            "CREATE TABLE parent (id int PRIMARY KEY);\n"
            "CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent (id));\n");
  dir.Write("m/0004_orphan.up.sql", "INSERT INTO child VALUES (1, 99);\n");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"up"}));
  EXPECT_EQ(r.exit_code, 4) << "the orphan row went in: foreign keys were still off\n" << r.err;
  EXPECT_NE(r.err.find("0004_orphan.up.sql:1:"), std::string::npos) << r.err;
  EXPECT_EQ(db.QueryOne("SELECT string_agg(tablename || ':' || tableowner, ',' ORDER BY tablename) FROM pg_tables "
                        "WHERE tablename IN ('owned', 'mine')"),
            "mine:" + db.QueryOne("SELECT current_user") + ",owned:strata_test_owner");
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',' ORDER BY version) FROM "
                        "strata_schema_history"),
            "1:applied,2:applied,3:applied");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM child"), "0");
}

// libpq parses the URL itself: with a space or a second '@' in the password it took the rest for a
// host name and echoed it ("could not translate host name \"ss w0rd@127.0.0.1\""). Such URLs are
// refused before libpq sees them, and whatever libpq says is scrubbed of the password.
TEST(CliPostgres, PasswordNeverEchoedWhateverTheUrlShape) {
  std::string server = PgServerUrl();
  ASSERT_FALSE(server.empty());
  std::string host = server.substr(server.find('@') + 1);  // 127.0.0.1:PORT/postgres
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  const std::vector<std::string> secrets = {"ss w0rd", "pa@ss9", "se#cr3t", "sl/sh9", "qu?ery9", "%41bc9"};
  for (const std::string& pw : secrets) {
    for (const std::string& url : {"postgres://postgres:" + pw + "@" + host,
                                   "postgres://postgres@" + host + "?password=" + pw}) {
      for (bool json : {false, true}) {
        SCOPED_TRACE(url);
        std::vector<std::string> argv = {STRATA_BINARY, "--url", url, "--dir", dir.Path("m")};
        if (json) argv.push_back("--json");
        argv.push_back("status");
        ProcessResult r = strata::testing::Run(argv);
        EXPECT_NE(r.exit_code, 0);
        for (const std::string& fragment : {pw, pw.substr(0, 4), pw.substr(pw.size() - 4)}) {
          EXPECT_EQ(r.out.find(fragment), std::string::npos) << r.out;
          EXPECT_EQ(r.err.find(fragment), std::string::npos) << r.err;
        }
      }
    }
  }
}

}  // namespace
}  // namespace strata::testing
