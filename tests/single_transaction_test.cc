// `up --single-transaction` on SQLite through the public API: every pending migration in one
// transaction with one commit, all or nothing, and refused before anything runs when a pending
// migration must run outside a transaction.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>
#include <vector>

#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

class SingleTransactionTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Path("app.db"); }
  std::string url() const { return "sqlite:" + db(); }
  std::string Mig(const std::string& name, const std::string& sql) {
    dir_.Write("m/" + name, sql);
    return dir_.Path("m");
  }
  Result<RunReport> Up(const std::string& dir, std::vector<Event>* events = nullptr) {
    auto m = Migrator::Open(url(), Source::Directory(dir), {});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (!m.ok()) return m.status();
    if (events) (*m)->SetEventCallback([events](const Event& e) { events->push_back(e); });
    UpOptions options;
    options.single_transaction = true;
    return (*m)->Up(options);
  }
  std::vector<std::string> Tables() {
    return Query(db(), "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  }

  TempDir dir_;
};

TEST_F(SingleTransactionTest, AppliesEveryPendingMigrationAndRecordsEachOne) {
  Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  Mig("v2_b.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (1);\n");
  std::string dir = Mig("v3_c.sql", "CREATE TABLE c (x INTEGER);\n");
  std::vector<Event> events;
  auto r = Up(dir, &events);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->from_version, 0u);
  EXPECT_EQ(r->to_version, 3u);
  ASSERT_EQ(r->migrations.size(), 3u);
  EXPECT_EQ(r->migrations[2].version, 3u);
  EXPECT_EQ(Query(db(), "SELECT version || ':' || name || ':' || state FROM strata_schema_history ORDER BY version"),
            (std::vector<std::string>{"1:a:applied", "2:b:applied", "3:c:applied"}));
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "3");
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM b"), "1");
  // The run log has one entry naming all three.
  EXPECT_EQ(QueryOne(db(), "SELECT outcome || ' ' || from_version || '->' || to_version || ' ' || "
                           "(SELECT group_concat(json_extract(value, '$.version')) FROM json_each(migrations)) "
                           "FROM strata_schema_history_log"),
            "success 0->3 1,2,3");
  int done = 0;
  for (const Event& e : events) done += e.kind == EventKind::kMigrationDone;
  EXPECT_EQ(done, 3);
}

TEST_F(SingleTransactionTest, FailureInTheThirdMigrationRollsBackAllOfThem) {
  std::string dir = Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  ASSERT_TRUE(Up(dir).ok());
  Mig("v2_b.sql", "CREATE TABLE b (x INTEGER);\n");
  Mig("v3_c.sql", "CREATE TABLE c (x INTEGER);\n");
  Mig("v4_d.sql", "CREATE TABLE d (x INTEGER);\n\n  INSERT INTO d VALUES (1) garbage;\n");
  Mig("v5_e.sql", "CREATE TABLE e (x INTEGER);\n");
  std::vector<Event> events;
  auto r = Up(dir, &events);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
  EXPECT_EQ(r.status().ToString(),
            dir + "/v4_d.sql:3:28: near \"garbage\": syntax error (migration 4 (d) failed, so the single transaction "
                  "of this run was rolled back: no migration of it was applied and the database is still at version "
                  "1)\n      INSERT INTO d VALUES (1) garbage;\n                               ^");
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "strata_schema_history", "strata_schema_history_log"}));
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(version) FROM strata_schema_history"), "1");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");
  // The failed run is logged as failed, with no migration recorded as applied.
  EXPECT_EQ(QueryOne(db(), "SELECT outcome || ' ' || from_version || '->' || to_version || ' [' || migrations || ']' "
                           "FROM strata_schema_history_log ORDER BY id DESC LIMIT 1"),
            "failed 1->1 [[]]");
  for (const Event& e : events) EXPECT_NE(e.kind, EventKind::kMigrationDone) << "version " << e.version;
  // Fixed, the same run applies all four.
  Mig("v4_d.sql", "CREATE TABLE d (x INTEGER);\nINSERT INTO d VALUES (1);\n");
  auto again = Up(dir);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->migrations.size(), 4u);
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "5");
}

TEST_F(SingleTransactionTest, NoTransactionMigrationIsRefusedBeforeAnythingRuns) {
  Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  std::string dir = Mig("v2_b.sql", "-- strata:no-transaction\nCREATE TABLE b (x INTEGER);\n");
  auto r = Up(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().ToString(),
            dir + "/v2_b.sql: migration 2 (b) has `-- strata:no-transaction`, so it cannot run inside the one "
                  "transaction of a single-transaction run (nothing was run); apply up to it without "
                  "--single-transaction (`strata up --to 2`), then the rest with it");
  struct stat st {};
  EXPECT_NE(::stat(db().c_str(), &st), 0) << "the refused run created the database";
}

TEST_F(SingleTransactionTest, StatementThatCannotRunInATransactionRollsEverythingBack) {
  Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  std::string dir = Mig("v2_vacuum.sql", "CREATE TABLE b (x);\nVACUUM;\n");
  auto r = Up(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot run inside a transaction"), std::string::npos) << r.status().ToString();
  ASSERT_TRUE(r.status().location().has_value());
  EXPECT_EQ(r.status().location()->line, 2u);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM strata_schema_history"), "0");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "0");
}

TEST_F(SingleTransactionTest, UpToDateDatabaseIsANoOp) {
  std::string dir = Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  ASSERT_TRUE(Up(dir).ok());
  auto r = Up(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->migrations.empty());
  EXPECT_EQ(r->to_version, 1u);
}

}  // namespace
}  // namespace strata::testing

namespace strata::testing {
namespace {

// The CLI flag: the same run through the real binary, its output and exit codes.
TEST(SingleTransactionCli, FlagAppliesAllOrRefusesWithExitCode3) {
  TempDir dir;
  dir.Write("m/v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  dir.Write("m/v2_b.sql", "CREATE TABLE b (x INTEGER);\n");
  const std::string db = dir.Path("app.db");
  auto strata = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {STRATA_BINARY, "--url", "sqlite:" + db, "--dir", dir.Path("m")};
    argv.insert(argv.end(), args.begin(), args.end());
    return strata::testing::Run(argv);
  };
  ProcessResult r = strata({"up", "--single-transaction"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("done: version 0 -> 2 (2 migrations, "), std::string::npos) << Describe(r);
  EXPECT_EQ(QueryOne(db, "SELECT group_concat(version) FROM strata_schema_history"), "1,2");

  dir.Write("m/v3_c.sql", "-- strata:no-transaction\nCREATE TABLE c (x INTEGER);\n");
  for (const char* extra : {"", "--dry-run"}) {
    std::vector<std::string> args = {"up", "--single-transaction"};
    if (*extra) args.push_back(extra);
    r = strata(args);
    EXPECT_EQ(r.exit_code, 3) << Describe(r);
    EXPECT_NE(r.err.find("v3_c.sql: migration 3 (c) has `-- strata:no-transaction`"), std::string::npos)
        << Describe(r);
    EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'c'"), "0");
  }
}

}  // namespace
}  // namespace strata::testing
