// PostgreSQL with a real streaming standby (scripts/pg-test-cluster.sh standby, ctest fixture
// pg_standby): the standby is refused by name before anything is written, and a multi-host URL
// with target_session_attrs=read-write finds the primary whatever the order of its hosts.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

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
  std::string lsn = PgQuery(PgServerUrl(), "SELECT pg_current_wal_lsn()").at(0);
  for (int i = 0; i < 200; ++i) {
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

}  // namespace
}  // namespace strata::testing
