// PostgreSQL with a real streaming standby (scripts/pg-test-cluster.sh standby, ctest fixture
// pg_standby): the standby is refused by name before anything is written, and a multi-host URL
// with target_session_attrs=read-write finds the primary whatever the order of its hosts.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "pg_test_util.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

// The standby's superuser URL (same password as the primary's), from pg-standby/url beside the
// primary's pg/url; fails the test when it is missing.
std::string StandbyServerUrl() {
  const char* primary = std::getenv("STRATA_PG_URL_FILE");
  std::string url;
  if (primary) {
    std::string file = primary;
    file = file.substr(0, file.rfind("/pg/url")) + "/pg-standby/url";
    std::ifstream in(file);
    std::getline(in, url);
  }
  if (url.empty()) ADD_FAILURE() << "no standby: run through ctest (fixture pg_standby)";
  return url;
}

std::string PortOf(const std::string& url) {
  std::string port = url.substr(url.rfind(':') + 1);
  return port.substr(0, port.find('/'));
}

std::string PasswordOf(const std::string& url) {
  std::size_t colon = url.find(':', std::string("postgres://").size());
  return url.substr(colon + 1, url.find('@') - colon - 1);
}

// `server` (a superuser URL ending in /postgres) naming database `db` instead.
std::string OnDatabase(const std::string& server, const std::string& db) {
  return server.substr(0, server.rfind('/') + 1) + db;
}

// Waits until the standby has replayed everything the primary has written so far.
void WaitForStandby(const std::string& standby) {
  std::string lsn = PgQuery(PgServerUrl(), "SELECT pg_current_wal_insert_lsn()").at(0);
  for (int i = 0; i < 1200; ++i) {  // a minute: the suite keeps the primary busy
    if (PgQuery(standby, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'").at(0) == "t") return;
    usleep(50'000);
  }
  ADD_FAILURE() << "the standby did not catch up with " << lsn;
}

TEST(ReplicaPostgres, TheStandbyIsRefusedByNameBeforeAnythingIsWritten) {
  PgDatabase db;
  std::string standby = StandbyServerUrl();
  WaitForStandby(standby);
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  ProcessResult r = testing::Run({STRATA_BINARY, "--url", OnDatabase(standby, db.name()), "--dir", dir.Path("m"), "up"});
  EXPECT_EQ(r.exit_code, 7) << Describe(r);
  EXPECT_NE(r.err.find("127.0.0.1:" + PortOf(standby) + " is a standby"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("target_session_attrs=read-write"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(PasswordOf(standby)), std::string::npos) << "the password leaked: " << r.err;
  EXPECT_EQ(r.err.find("read-only transaction"), std::string::npos) << "it failed on a write: " << r.err;
  // Nothing reached the primary either.
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'strata%'"), "0");

  // The library says the same, as kUnavailable.
  auto m = Migrator::Open(OnDatabase(standby, db.name()), Source::Directory(dir.Path("m")));
  ASSERT_TRUE(m.ok());
  auto up = (*m)->Up();
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), ErrorCode::kUnavailable) << up.status().ToString();
}

TEST(ReplicaPostgres, AMultiHostUrlWithReadWriteFindsThePrimaryFirstOrLast) {
  PgDatabase db;
  std::string standby = StandbyServerUrl(), primary = PgServerUrl();
  WaitForStandby(standby);
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_b.up.sql", "CREATE TABLE b (x int);\n");
  const std::string password = PasswordOf(primary);
  const std::string hosts[] = {"127.0.0.1:" + PortOf(standby) + ",127.0.0.1:" + PortOf(primary),
                               "127.0.0.1:" + PortOf(primary) + ",127.0.0.1:" + PortOf(standby)};
  int version = 0;
  for (const std::string& h : hosts) {
    ++version;
    std::string url = "postgres://postgres:" + password + "@" + h + "/" + db.name() + "?target_session_attrs=read-write";
    ProcessResult r = testing::Run({STRATA_BINARY, "--url", url, "--dir", dir.Path("m"), "up", "--to", std::to_string(version)});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.out.find(password), std::string::npos) << r.out;
    EXPECT_EQ(db.QueryOne("SELECT max(version) FROM strata_schema_history"), std::to_string(version));
  }
  WaitForStandby(standby);
  EXPECT_EQ(PgQuery(OnDatabase(standby, db.name()), "SELECT count(*) FROM strata_schema_history").at(0), "2");
}

// up --wait-replicas returns only once the standby has replayed the run: right after it, the
// standby already shows every migration's history row.
TEST(ReplicaPostgres, WaitReplicasReturnsOnceTheStandbyHasReplayedTheRun) {
  PgDatabase db;
  std::string standby = StandbyServerUrl();
  WaitForStandby(standby);
  TempDir dir;
  for (int i = 1; i <= 20; ++i) {
    dir.Write("m/" + std::to_string(1000 + i).substr(1) + "_t.up.sql",
              "CREATE TABLE t" + std::to_string(i) + " (x int);\nINSERT INTO t" + std::to_string(i) +
                  " SELECT generate_series(1, 2000);\n");
  }
  // Replay paused: the run is applied on the primary, and up keeps waiting until replay resumes.
  PgQuery(standby, "SELECT pg_wal_replay_pause()");
  std::atomic<bool> returned{false};
  ProcessResult r;
  std::thread runner([&] {
    r = testing::Run({STRATA_BINARY, "--url", db.url(), "--dir", dir.Path("m"), "--json", "up", "--to", "10",
                      "--wait-replicas=60"});
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(returned) << "up returned while the standby had not replayed the run";
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history"), "10");
  PgQuery(standby, "SELECT pg_wal_replay_resume()");
  runner.join();
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("\"caught_up\":true"), std::string::npos) << r.out;
  EXPECT_EQ(PgQuery(OnDatabase(standby, db.name()), "SELECT count(*) FROM strata_schema_history").at(0), "10");

  // The library: RunReport::replicas.
  auto m = Migrator::Open(db.url(), Source::Directory(dir.Path("m")));
  ASSERT_TRUE(m.ok());
  UpOptions up;
  up.wait_replicas = std::chrono::seconds(60);
  auto report = (*m)->Up(up);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->replicas.size(), 1u);
  EXPECT_TRUE(report->replicas[0].caught_up);
  EXPECT_EQ(report->replicas[0].address, "127.0.0.1");
  EXPECT_FALSE(report->replicas_target_lsn.empty());
  EXPECT_EQ(PgQuery(OnDatabase(standby, db.name()), "SELECT count(*) FROM t20").at(0), "2000");
}

// A standby that does not replay (paused here) makes --wait-replicas give up with exit 17, naming
// it; the run itself is applied and recorded.
TEST(ReplicaPostgres, WaitReplicasGivesUpWithItsOwnExitCodeWhenAStandbyLags) {
  PgDatabase db;
  std::string standby = StandbyServerUrl();
  WaitForStandby(standby);
  PgQuery(standby, "SELECT pg_wal_replay_pause()");
  struct Resume {
    std::string url;
    ~Resume() { PgQuery(url, "SELECT pg_wal_replay_resume()"); }
  } resume{standby};
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  ProcessResult r =
      testing::Run({STRATA_BINARY, "--url", db.url(), "--dir", dir.Path("m"), "up", "--wait-replicas=1"});
  EXPECT_EQ(r.exit_code, 17) << Describe(r);
  EXPECT_NE(r.err.find("standby walreceiver (127.0.0.1) had not replayed the run after 1."), std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("done: version 0 -> 1"), std::string::npos) << r.out;
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history"), "1");
}

// Failover in the middle of a run, on a primary and standby of its own (the shared cluster must
// survive): the primary dies while `up` runs, the standby is promoted, and the same command with
// the same multi-host URL finishes the job there. Each migration is applied exactly once on the
// promoted server, and its history matches its tables.
TEST(ReplicaPostgres, AFailoverInTheMiddleOfARunEndsWithEveryMigrationOnceOnThePromotedServer) {
  const std::string script = STRATA_SOURCE_DIR "/scripts/pg-test-cluster.sh";
  TempDir state;
  struct Stop {
    std::string script, dir;
    ~Stop() {
      testing::Run({"/bin/sh", "-c",
                    script + " stop " + dir + "/standby >/dev/null 2>&1; " + script + " stop " + dir + "/primary >/dev/null 2>&1"});
    }
  } stop{script, state.path()};
  // Through a shell that sends the script's output to a file: the servers it starts would
  // otherwise keep our pipe open, and Run would wait for them.
  auto cluster = [&](const std::string& args) {
    return testing::Run({"/bin/sh", "-c", script + " " + args + " >" + state.Path("cluster.log") + " 2>&1"});
  };
  ProcessResult p = cluster("start " + state.Path("primary"));
  ASSERT_EQ(p.exit_code, 0) << Describe(p);
  ProcessResult s = cluster("standby " + state.Path("standby") + " " + state.Path("primary"));
  ASSERT_EQ(s.exit_code, 0) << Describe(s);
  auto read = [](const std::string& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
  };
  const std::string primary = read(state.Path("primary/url")), standby = read(state.Path("standby/url"));
  const std::string url = "postgres://postgres:" + PasswordOf(primary) + "@127.0.0.1:" + PortOf(primary) +
                          ",127.0.0.1:" + PortOf(standby) + "/postgres?target_session_attrs=read-write";
  TempDir dir;
  constexpr int kMigrations = 40;
  for (int i = 1; i <= kMigrations; ++i) {
    std::string n = std::to_string(i);
    dir.Write("m/" + std::to_string(1000 + i).substr(1) + "_t.up.sql",
              "CREATE TABLE t" + n + " (x int);\nINSERT INTO t" + n + " VALUES (" + n + ");\nSELECT pg_sleep(0.05);\n");
  }
  const std::vector<std::string> up = {STRATA_BINARY, "--url", url, "--dir", dir.Path("m"), "up"};

  // The primary dies once some migrations are in.
  std::atomic<bool> done{false};
  ProcessResult first;
  std::thread runner([&] {
    first = testing::Run(up);
    done = true;
  });
  for (int i = 0; i < 200 && !done; ++i) {
    usleep(50'000);
    auto rows = PgQuery(primary, "SELECT count(*) FROM pg_tables WHERE tablename = 'strata_schema_history'");
    if (rows.empty() || rows[0] != "1") continue;
    if (PgQuery(primary, "SELECT count(*) FROM strata_schema_history").at(0) >= "5") break;
  }
  // pg_ctl as the servers' owner (the script runs them as `postgres` when we are root).
  auto pg_ctl = [&](const std::string& server, const std::string& args) {
    std::string command = "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl -D " +
                          read(state.Path(server + "/datadir")) + "/pgdata " + args;
    return testing::Run({"/bin/sh", "-c", ::geteuid() == 0 ? "runuser -u postgres -- sh -c '" + command + "'" : command});
  };
  ProcessResult killed = pg_ctl("primary", "-m immediate stop");
  ASSERT_EQ(killed.exit_code, 0) << Describe(killed);
  runner.join();
  ASSERT_NE(first.exit_code, 0) << "the run finished before the primary died: " << Describe(first);

  // Promote the standby; the same command, same URL, finishes on it.
  ProcessResult promoted = pg_ctl("standby", "-w promote");
  ASSERT_EQ(promoted.exit_code, 0) << Describe(promoted);
  // What the standby had received when its primary died: a prefix of the run (replication is
  // asynchronous, so possibly less than the primary had committed), never all of it.
  auto tables = PgQuery(standby, "SELECT count(*) FROM pg_tables WHERE tablename = 'strata_schema_history'");
  const int before = !tables.empty() && tables[0] == "1"
                         ? std::stoi(PgQuery(standby, "SELECT count(*) FROM strata_schema_history").at(0))
                         : 0;
  EXPECT_LT(before, kMigrations) << Describe(first);
  ProcessResult second = testing::Run(up);
  ASSERT_EQ(second.exit_code, 0) << Describe(second) << "\nfirst run: " << Describe(first);
  EXPECT_NE(second.out.find("done: version " + std::to_string(before) + " -> 40 (" + std::to_string(kMigrations - before) +
                            " migration"),
            std::string::npos)
      << second.out;

  // Exactly once each, and the history matches the tables.
  EXPECT_EQ(PgQuery(standby, "SELECT count(*), count(DISTINCT version), min(version), max(version) "
                             "FROM strata_schema_history WHERE state = 'applied'")
                .at(0),
            "40|40|1|40");
  EXPECT_EQ(PgQuery(standby, "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'").at(0), "40");
  std::string sum;
  for (int i = 1; i <= kMigrations; ++i) sum += (i > 1 ? " + " : "") + std::string("(SELECT count(*) FROM t") + std::to_string(i) + ")";
  EXPECT_EQ(PgQuery(standby, "SELECT " + sum).at(0), "40") << "a migration ran twice or half";
}

}  // namespace
}  // namespace strata::testing
