// A transactional migration's statements go to PostgreSQL as one libpq pipeline. These tests hold
// it to what one statement at a time gave: a failure points at its own statement (first, middle,
// last, after multi-byte text), statement events arrive in order, results of any size do not stall
// the pipeline, a lock_timeout keeps its advice, and a connection lost in the middle leaves nothing
// applied (kLockLost, since the run lock lived on that connection, at the statement that was running).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "pg_test_util.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

std::unique_ptr<Migrator> Open(const PgDatabase& db, const std::string& dir, Options o = {}) {
  auto m = Migrator::Open(db.url(), Source::Directory(dir), o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

struct Case {
  std::string sql;
  std::size_t line, column;
};

TEST(PipelinePostgres, AFailurePointsAtItsOwnStatementWhereverItIs) {
  const std::vector<Case> cases = {
      {"SELECT 1/0;\nCREATE TABLE a (x int);\nCREATE TABLE b (x int);\n", 1, 1},
      {"CREATE TABLE a (x int);\nINSERT INTO a VALUES ('nope');\nCREATE TABLE b (x int);\n", 2, 23},
      {"CREATE TABLE a (x int);\nCREATE TABLE b (x int);\nINSERT INTO b VALUES (1), ('x');\n", 3, 28},
      // Character positions after multi-byte text map back to the right column.
      {"CREATE TABLE a (x text);\nINSERT INTO a VALUES ('héllo ünïcode'), (nosuchcolumn);\n", 2, 42},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    PgDatabase db;
    TempDir dir;
    dir.Write("m/0001_base.up.sql", "CREATE TABLE base (x int);\n");
    dir.Write("m/0002_bad.up.sql", c.sql);
    auto m = Open(db, dir.Path("m"));
    auto r = m->Up();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kSqlError) << r.status().ToString();
    ASSERT_TRUE(r.status().location().has_value()) << r.status().ToString();
    EXPECT_EQ(r.status().location()->file, dir.Path("m") + "/0002_bad.up.sql");
    EXPECT_EQ(r.status().location()->line, c.line) << r.status().ToString();
    EXPECT_EQ(r.status().location()->column, c.column) << r.status().ToString();
    // Nothing of the failed migration stayed; the connection still works for the next call.
    EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',') FROM strata_schema_history"), "1");
    EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')"), "0");
    auto status = m->GetStatus();
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->current_version, 1u);
  }
}

TEST(PipelinePostgres, StatementEventsArriveInOrderAndLargeResultsDoNotStall) {
  PgDatabase db;
  TempDir dir;
  // 20 MB of rows back from the server while more than 1 MB of statements is still going out.
  std::string sql = "CREATE TABLE big (x text);\nSELECT repeat('x', 1000) FROM generate_series(1, 20000);\n";
  for (int i = 0; i < 200; ++i) sql += "INSERT INTO big VALUES ('" + std::string(6000, 'a' + i % 26) + "');\n";
  sql += "CREATE INDEX big_x ON big (left(x, 10));\n";
  dir.Write("m/0001_big.up.sql", sql);
  auto m = Open(db, dir.Path("m"));
  std::vector<std::string> statements;
  m->SetEventCallback([&](const Event& e) {
    if (e.kind == EventKind::kStatementDone) statements.push_back(e.statement.substr(0, 12));
  });
  auto r = m->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(statements.size(), 203u);
  EXPECT_EQ(statements.front(), "CREATE TABLE");
  EXPECT_EQ(statements[1], "SELECT repea");
  EXPECT_EQ(statements[2], "INSERT INTO ");
  EXPECT_EQ(statements.back(), "CREATE INDEX");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM big"), "200");
}

TEST(PipelinePostgres, ALockTimeoutInThePipelineKeepsItsAdvice) {
  PgDatabase db;
  db.Exec("CREATE TABLE busy (x int)");
  TempDir dir;
  dir.Write("m/0001_alter.up.sql", "SELECT 1;\nALTER TABLE busy ADD COLUMN y int;\n");
  // Another session holds the table for a few seconds.
  int holder = Start({"/usr/bin/psql", "-X", "-q", db.url(), "-c", "BEGIN; LOCK TABLE busy; SELECT pg_sleep(4); COMMIT;"});
  for (int i = 0; i < 100 && db.QueryOne("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                         "WHERE c.relname = 'busy' AND l.mode = 'AccessExclusiveLock' AND l.granted") != "1";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Options o;
  o.pg_lock_timeout = std::chrono::milliseconds(200);
  auto m = Open(db, dir.Path("m"), o);
  auto r = m->Up();
  int wstatus = 0;
  ::waitpid(holder, &wstatus, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("lock_timeout"), std::string::npos) << r.status().ToString();
  ASSERT_TRUE(r.status().location().has_value());
  EXPECT_EQ(r.status().location()->line, 2u);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM information_schema.columns WHERE table_name = 'busy'"), "1");
}

TEST(PipelinePostgres, AConnectionLostMidPipelineLeavesNothingApplied) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_slow.up.sql",
            "CREATE TABLE a (x int);\nSELECT pg_sleep(30);\nCREATE TABLE b (x int);\n");
  auto m = Open(db, dir.Path("m"));
  Result<RunReport> r = Status(ErrorCode::kInternal, "not run");
  std::thread runner([&] { r = m->Up(); });
  std::string killed = "0";
  for (int i = 0; i < 200 && killed != "1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    killed = PgQuery(PgServerUrl(), "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = '" + db.name() + "' AND query LIKE 'SELECT pg_sleep%') t")
                 .at(0);
  }
  runner.join();
  ASSERT_EQ(killed, "1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kLockLost) << r.status().ToString();
  ASSERT_TRUE(r.status().location().has_value()) << r.status().ToString();
  EXPECT_EQ(r.status().location()->line, 2u) << r.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')"), "0");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history"), "0");
}

// The history row and COMMIT travel in the same pipeline as the statements: a failure of either is
// still a failure of the migration, with nothing of it kept, and the row's time is the server's.
TEST(PipelinePostgres, TheHistoryRowAndCommitInThePipelineFailAsAWhole) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\nSELECT pg_sleep(0.05);\n");
  // Fails at COMMIT: a deferred foreign key that no row satisfies.
  dir.Write("m/0002_deferred.up.sql",
            "CREATE TABLE p (id int PRIMARY KEY);\n"
            "CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
            "INSERT INTO c VALUES (1);\n");
  auto m = Open(db, dir.Path("m"));
  auto r = m->Up();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError) << r.status().ToString();
  EXPECT_NE(r.status().message().find("0002_deferred.up.sql"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("foreign key"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',') FROM strata_schema_history"), "1");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('p', 'c')"), "0");
  // The server timed migration 1 from BEGIN to its history row: the 50 ms sleep at least.
  EXPECT_EQ(db.QueryOne("SELECT execution_ms >= 50 AND execution_ms < 60000 FROM strata_schema_history"), "t");

  // Fails at the history insert: the migration takes the history table away without naming it.
  dir.Write("m/0002_deferred.up.sql", "ALTER TABLE a ADD COLUMN y int;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n");
  auto again = Open(db, dir.Path("m"))->Up(UpOptions{.safety = {.force = true}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kSqlError) << again.status().ToString();
  EXPECT_NE(again.status().message().find("rolled back"), std::string::npos) << again.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',') FROM strata_schema_history"), "1");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a'"), "1");
}

// A migration with COPY goes statement by statement; when it fails, its transaction is rolled back
// and the same connection (the same Migrator) applies the fixed file.
TEST(PipelinePostgres, AFailedMigrationWithCopyLeavesNoTransactionOpen) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_copy.up.sql", "CREATE TABLE b (x int);\nCOPY (SELECT 1) TO STDOUT;\n");
  auto m = Open(db, dir.Path("m"));
  auto r = m->Up();
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.status().location().has_value()) << r.status().ToString();
  EXPECT_EQ(r.status().location()->line, 2u) << r.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), "0");
  // The run log, written on the same connection right after, recorded the failure.
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history_log WHERE outcome = 'failed'"), "1");
  dir.Write("m/0002_copy.up.sql", "CREATE TABLE b (x int);\nCOPY (SELECT 1) TO '/dev/null';\n");
  auto again = m->Up();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',' ORDER BY version) FROM strata_schema_history"), "1,2");
}

}  // namespace
}  // namespace strata::testing
