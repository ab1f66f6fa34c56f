// The engine through the public API on a real PostgreSQL server: the seed-000 schema with its
// foreign keys and ON DELETE CASCADE, a migration set that exercises the grammar, failures.
#include <gtest/gtest.h>

#include <thread>

#include "pg_test_util.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

const std::string kRoot = STRATA_SOURCE_DIR;

std::unique_ptr<Migrator> Open(const PgDatabase& db, const std::string& dir, Options o = {}) {
  auto m = Migrator::Open(db.url(), Source::Directory(dir), o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

TEST(MigratorPostgres, DataflowKeepsExistingRowsCascadesAndRollsBack) {
  PgDatabase db;
  auto m = Open(db, kRoot + "/examples/dataflow/postgres");
  ASSERT_TRUE(m->Up({20250101000000ull}).ok());
  db.Exec("INSERT INTO execution_history (execution_id, status) VALUES ('e1', 'success'), ('e2', 'failed')");
  auto before = db.Query("SELECT * FROM execution_history ORDER BY execution_id");
  auto r = m->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(db.Query("SELECT * FROM execution_history ORDER BY execution_id"), before);
  db.Exec("INSERT INTO execution_variables (execution_id, variable_name, data_type, source_step_index) "
          "VALUES ('e1', 'v', 'string', 0)");
  db.Exec("DELETE FROM execution_history WHERE execution_id = 'e1'");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM execution_variables"), "0");
  EXPECT_EQ(db.QueryOne("SELECT confdeltype FROM pg_constraint WHERE conname = 'fk_execution_variables_execution_id'"),
            "c");
  EXPECT_TRUE(m->Up()->migrations.empty()) << "a repeated up must be a no-op";
  // The seed's rollback warns before dropping tables with rows: refused until forced.
  auto refused = m->Down({0, std::nullopt});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kDataAtRisk) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("destroys 1 row of public.execution_history"), std::string::npos)
      << refused.status().ToString();
  auto down = m->Down({0, std::nullopt, {.force = true}});
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->data_at_risk.size(), 1u);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN "
                        "('strata_schema_history', 'strata_schema_history_log')"),
            "0");
}

TEST(MigratorPostgres, VibesurfSchemaApplies) {
  PgDatabase db;
  auto m = Open(db, kRoot + "/examples/vibesurf/postgres");
  auto r = m->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->to_version, 7u);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history WHERE state = 'applied'"), "7");
}

TEST(MigratorPostgres, GrammarFixtureRoundTrips) {
  PgDatabase db;
  auto m = Open(db, kRoot + "/tests/fixtures/pg_features");
  auto up = m->Up();
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  ASSERT_EQ(up->migrations.size(), 3u);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_type WHERE typname = 'mood'"), "1");
  auto down = m->Down({0, std::nullopt, {.force = true}});
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"), "0");
  auto again = m->Up();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->migrations.size(), up->migrations.size());
}

TEST(MigratorPostgres, FailureLeavesThePreviousVersion) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_b.up.sql", "CREATE TABLE b (x int);\nINSERT INTO b VALUES (1);\nINSERT INTO b VALUES ('nope');\n");
  auto m = Open(db, dir.Path("m"));
  auto r = m->Up();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
  ASSERT_TRUE(r.status().location().has_value());
  EXPECT_EQ(r.status().location()->file, dir.Path("m") + "/0002_b.up.sql");
  EXPECT_EQ(r.status().location()->line, 3u);
  EXPECT_EQ(r.status().location()->column, 23u);
  EXPECT_NE(r.status().message().find("invalid input syntax for type integer"), std::string::npos);
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',') FROM strata_schema_history"), "1");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), "0");
}

TEST(MigratorPostgres, FailedConcurrentIndexNamesTheInvalidIndex) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\nINSERT INTO a VALUES (1), (1);\n");
  dir.Write("m/0002_idx.up.sql", "-- strata:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY a_x ON a (x);\n");
  auto m = Open(db, dir.Path("m"));
  auto r = m->Up();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("INVALID index(es) public.a_x"), std::string::npos) << r.status().message();
  auto status = m->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->invalid_indexes, (std::vector<std::string>{"public.a_x"}));
  EXPECT_EQ(status->migrations[1].state, MigrationState::kDirty);
  auto verify = m->Verify();
  EXPECT_FALSE(verify->ok());
  RepairOptions repair;
  repair.drop_invalid_indexes = true;
  auto fixed = m->Repair(repair);
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_index WHERE NOT indisvalid"), "0");
  db.Exec("DELETE FROM a WHERE ctid = (SELECT max(ctid) FROM a)");
  auto again = m->Up();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT indisvalid FROM pg_index WHERE indexrelid = 'a_x'::regclass"), "t");
}

TEST(MigratorPostgres, RunLogRecordsChangesAndFailures) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_b.up.sql", "SELECT * FROM nowhere;\n");
  Options o;
  o.actor = "deploy@prod";
  auto m = Open(db, dir.Path("m"), o);
  ASSERT_FALSE(m->Up().ok());
  dir.Write("m/0002_b.up.sql", "CREATE TABLE b (x int);\n");
  ASSERT_TRUE(m->Up().ok());
  ASSERT_TRUE(m->Up().ok());  // nothing to do: not logged
  auto log = m->Log();
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].outcome, "failed");
  EXPECT_NE((*log)[1].error.find("relation \"nowhere\" does not exist"), std::string::npos) << (*log)[1].error;
  EXPECT_EQ((*log)[1].to_version, 1u);
  EXPECT_EQ((*log)[0].outcome, "success");
  EXPECT_EQ((*log)[0].actor, "deploy@prod");
  EXPECT_EQ((*log)[0].to_version, 2u);
  EXPECT_EQ((*log)[0].started_at.size(), 24u) << (*log)[0].started_at;  // 2026-11-22T19:03:01.123Z
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history_log"), "2");
}

TEST(MigratorPostgres, ConcurrentMigratorsApplyEachMigrationOnce) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_runs.up.sql", "CREATE TABLE runs (v int NOT NULL);\nINSERT INTO runs VALUES (1);\n");
  for (int v = 2; v <= 10; ++v) {
    dir.Write("m/" + std::to_string(1000 + v).substr(0) + "_m.up.sql",
              "CREATE TABLE t" + std::to_string(v) + " (x int);\nINSERT INTO runs VALUES (" + std::to_string(v) + ");\n");
  }
  std::vector<Status> results(6);
  AtOnce(6, [&](int i) {
    auto m = Migrator::Open(db.url(), Source::Directory(dir.Path("m")), {});
    auto r = m.ok() ? (*m)->Up() : Result<RunReport>(m.status());
    results[i] = r.ok() ? Status::Ok() : r.status();
  });
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) || ',' || count(DISTINCT v) FROM runs"), "10,10");
}


// Moved up from the driver: the advice to use `-- strata:no-transaction` is the engine's.
TEST(MigratorPostgres, ConcurrentIndexInATransactionSaysSo) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_t.up.sql", "CREATE TABLE t (x int);\n");
  dir.Write("m/0002_i.up.sql", "CREATE INDEX CONCURRENTLY i ON t (x);\n");
  auto m = Open(db, dir.Path("m"));
  auto run = m->Up();
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("SQLSTATE 25001"), std::string::npos) << run.status().ToString();
  EXPECT_NE(run.status().message().find("strata:no-transaction"), std::string::npos) << run.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',') FROM strata_schema_history"), "1");
}

// Moved up from the driver (which runs what it is given): BEGIN/COMMIT in a transactional
// migration is refused by the engine before anything runs, and nothing before it commits.
TEST(MigratorPostgres, TransactionControlIsRefusedBeforeAnythingRuns) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_t.up.sql", "CREATE TABLE t (x int);\n");
  dir.Write("m/0002_c.up.sql", "CREATE TABLE c (x int);\nCOMMIT;\nCREATE TABLE d (x int);\n");
  auto m = Open(db, dir.Path("m"));
  auto run = m->Up();
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(run.status().location().has_value());
  EXPECT_EQ(run.status().location()->line, 2u);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('t', 'c', 'd')"), "0");
}

}  // namespace
}  // namespace strata::testing
