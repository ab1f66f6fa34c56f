// `up --single-transaction` on a real PostgreSQL server: one transaction for every pending
// migration, all or nothing, with the failing statement's file:line:col.
#include <gtest/gtest.h>

#include "pg_test_util.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

Result<RunReport> UpSingle(const PgDatabase& db, const std::string& dir) {
  auto m = Migrator::Open(db.url(), Source::Directory(dir), {});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return m.status();
  UpOptions options;
  options.single_transaction = true;
  return (*m)->Up(options);
}

TEST(SingleTransactionPostgres, AppliesEveryPendingMigrationAndRecordsEachOne) {
  PgDatabase db;
  TempDir dir;
  dir.Write("v1_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("v2_b.sql", "CREATE TABLE b (x int);\nINSERT INTO b VALUES (1);\n");
  dir.Write("v3_c.sql", "CREATE TABLE c (x int);\n");
  auto r = UpSingle(db, dir.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->to_version, 3u);
  EXPECT_EQ(r->migrations.size(), 3u);
  EXPECT_EQ(db.Query("SELECT version || ':' || state FROM strata_schema_history ORDER BY version"),
            (std::vector<std::string>{"1:applied", "2:applied", "3:applied"}));
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM b"), "1");
}

TEST(SingleTransactionPostgres, FailureInTheThirdMigrationRollsBackAllOfThem) {
  PgDatabase db;
  TempDir dir;
  dir.Write("v1_a.sql", "CREATE TABLE a (x int);\n");
  ASSERT_TRUE(UpSingle(db, dir.path()).ok());
  dir.Write("v2_b.sql", "CREATE TABLE b (x int);\n");
  dir.Write("v3_c.sql", "CREATE TABLE c (x int);\n");
  dir.Write("v4_d.sql", "CREATE TABLE d (x int);\nINSERT INTO d VALUES (1);\nSELECT nope FROM d;\n");
  auto r = UpSingle(db, dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
  ASSERT_TRUE(r.status().location().has_value()) << r.status().ToString();
  EXPECT_EQ(r.status().location()->file, dir.path() + "/v4_d.sql");
  EXPECT_EQ(r.status().location()->line, 3u);
  EXPECT_EQ(r.status().location()->column, 8u);
  EXPECT_NE(r.status().message().find("the single transaction of this run was rolled back: no migration of it was "
                                      "applied and the database is still at version 1"),
            std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(db.Query("SELECT version FROM strata_schema_history ORDER BY version"), std::vector<std::string>{"1"});
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('b', 'c', 'd')"), "0");
  EXPECT_EQ(db.QueryOne("SELECT outcome || ' ' || migrations FROM strata_schema_history_log ORDER BY id DESC LIMIT 1"),
            "failed []");
}

TEST(SingleTransactionPostgres, NoTransactionMigrationIsRefusedBeforeAnythingRuns) {
  PgDatabase db;
  TempDir dir;
  dir.Write("v1_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("v2_i.sql", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY a_x ON a (x);\n");
  auto r = UpSingle(db, dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("migration 2 (i) has `-- strata:no-transaction`"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'strata_schema_history')"), "0");
}

TEST(SingleTransactionPostgres, StatementThatCannotRunInATransactionRollsEverythingBack) {
  PgDatabase db;
  TempDir dir;
  dir.Write("v1_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("v2_i.sql", "CREATE INDEX CONCURRENTLY a_x ON a (x);\n");
  auto r = UpSingle(db, dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot run inside a transaction"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'a'"), "0");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history"), "0");
}

}  // namespace
}  // namespace strata::testing
