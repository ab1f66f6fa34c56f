// The engine through the public API on real SQLite files: the seeds' test plan (fresh database,
// existing data, repeated run, rollback) and the failure and concurrency cases around it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <sqlite3.h>

#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

const std::string kExamples = std::string(STRATA_SOURCE_DIR) + "/examples";

class MigratorTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Path("app.db"); }
  std::string url() const { return "sqlite:" + db(); }

  std::unique_ptr<Migrator> Open(const std::string& migrations, Options options = {}) {
    auto m = Migrator::Open(url(), Source::Directory(migrations), options);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }
  std::string Mig(const std::string& name, const std::string& sql) {
    dir_.Write("m/" + name, sql);
    return dir_.Path("m");
  }
  std::vector<std::string> Tables() {
    return Query(db(), "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  }

  TempDir dir_;
};

// The library's side of the data guard: the confirm callback sees each statement with its row
// count and decides; a yes writes the backup first (kBackup event, RunReport::backup_file).
TEST_F(MigratorTest, ConfirmCallbackDecidesAndAYesIsBackedUpFirst) {
  std::string dir = Mig("0001_users.up.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
  Mig("0001_users.down.sql", "DROP TABLE users;\n");
  auto m = Open(dir);
  ASSERT_TRUE(m->Up().ok());
  Exec(db(), "INSERT INTO users VALUES (1), (2)");

  std::vector<DataAtRisk> asked;
  DownOptions no;
  no.safety.confirm = [&](const std::vector<DataAtRisk>& risks) {
    asked = risks;
    return false;
  };
  auto refused = m->Down(no);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kDataAtRisk);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].table, "users");
  EXPECT_EQ(asked[0].rows, 2);
  EXPECT_EQ(asked[0].what, "DROP TABLE");
  EXPECT_EQ(asked[0].direction, Direction::kDown);
  EXPECT_EQ(asked[0].location, dir + "/0001_users.down.sql:1:1");
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM users"), "2");

  std::string backup_event;
  m->SetEventCallback([&](const Event& e) {
    if (e.kind == EventKind::kBackup) backup_event = e.file;
  });
  DownOptions yes;
  yes.safety.confirm = [](const std::vector<DataAtRisk>&) { return true; };
  auto done = m->Down(yes);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_FALSE(done->backup_file.empty());
  EXPECT_EQ(backup_event, done->backup_file);
  EXPECT_EQ(QueryOne(done->backup_file, "SELECT count(*) FROM users"), "2");
  EXPECT_EQ(done->data_at_risk.size(), 1u);

  auto restored = m->Restore(done->backup_file);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->to_version, 1u);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM users"), "2");
}

TEST_F(MigratorTest, FreshDatabaseGetsTheSeedSchema) {
  auto m = Open(kExamples + "/vibesurf");
  std::vector<std::string> events;
  m->SetEventCallback([&](const Event& e) {
    if (e.kind == EventKind::kMigrationDone) events.push_back(std::to_string(e.version) + " " + e.name);
  });
  auto r = m->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->from_version, 0u);
  EXPECT_EQ(r->to_version, 7u);
  EXPECT_EQ(r->migrations.size(), 7u);
  EXPECT_EQ(events.front(), "1 initial_schema");
  EXPECT_EQ(events.back(), "7 add_schedule_table");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "7");
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM strata_schema_history WHERE state = 'applied'"), "7");
  auto tables = Tables();
  for (const char* t : {"llm_profiles", "tasks", "uploaded_files", "mcp_profiles", "voice_profiles",
                        "composio_toolkits", "credentials", "schedules"}) {
    EXPECT_NE(std::find(tables.begin(), tables.end(), t), tables.end()) << t;
  }
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), "7");
}

TEST_F(MigratorTest, ExistingDataIsUntouchedAndRepeatedRunIsANoOp) {
  auto m = Open(kExamples + "/dataflow");
  ASSERT_TRUE(m->Up({20250101000000ull}).ok());
  Exec(db(),
       "INSERT INTO execution_history (execution_id, flow_name, status) VALUES ('e1', 'flow', 'success'), "
       "('e2', 'flow2', 'failed');");
  auto before = Query(db(), "SELECT * FROM execution_history ORDER BY id");
  auto r = m->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->migrations.size(), 1u);
  EXPECT_EQ(Query(db(), "SELECT * FROM execution_history ORDER BY id"), before);
  auto again = m->Up();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->migrations.empty());
  EXPECT_EQ(again->to_version, 20250130100000ull);
  // Timestamp versions do not fit PRAGMA user_version; it is left alone.
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "0");
  // The seed's cascade works through strata's connection settings.
  Exec(db(), "PRAGMA foreign_keys = ON; INSERT INTO execution_variables (execution_id, variable_name, data_type, "
             "source_step_index) VALUES ('e1', 'v', 'string', 0); DELETE FROM execution_history WHERE execution_id = 'e1';");
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM execution_variables"), "0");
}

TEST_F(MigratorTest, RollbackRemovesTablesAndHistory) {
  auto m = Open(kExamples + "/dataflow");
  ASSERT_TRUE(m->Up().ok());
  auto one = m->Down({});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->to_version, 20250101000000ull);
  EXPECT_EQ(Tables(), (std::vector<std::string>{"execution_history", "strata_schema_history", "strata_schema_history_log"}));
  auto all = m->Down({0, std::nullopt});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Tables(), (std::vector<std::string>{"strata_schema_history", "strata_schema_history_log"}));
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM strata_schema_history"), "0");
  ASSERT_TRUE(m->Up().ok()) << "up after a full rollback";
}

TEST_F(MigratorTest, FailureInMigrationKLeavesVersionKMinus1) {
  Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  Mig("v2_b.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (1);\n\nINSERT INTO nowhere VALUES (2);\n");
  std::string dir = Mig("v3_c.sql", "CREATE TABLE c (x INTEGER);\n");
  auto m = Open(dir);
  // SQLite 3.40 reports no byte offset for "no such table": the caret marks the statement.
  auto r = m->Up();
  ASSERT_FALSE(r.ok());
  const Status& st = r.status();
  EXPECT_EQ(st.code(), ErrorCode::kSqlError);
  ASSERT_TRUE(st.location().has_value());
  EXPECT_EQ(st.location()->file, dir + "/v2_b.sql");
  EXPECT_EQ(st.location()->line, 4u);
  EXPECT_EQ(st.location()->column, 1u);
  EXPECT_EQ(st.location()->statement, "INSERT INTO nowhere VALUES (2);");
  EXPECT_EQ(st.ToString(), dir + "/v2_b.sql:4:1: no such table: nowhere (migration 2 (b) was rolled back; the "
                                 "database is still at version 1)\n    INSERT INTO nowhere VALUES (2);\n"
                                 "    ^");
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "strata_schema_history", "strata_schema_history_log"}));
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(version) FROM strata_schema_history"), "1");
}

// Migrator::Interrupt from another thread while a long statement runs: SQLite stops it
// (sqlite3_interrupt), the migration is rolled back, no later one starts, and Up says where it
// stopped. The flag stays: the same Migrator refuses to start the next one, a new one goes on.
// A thread that calls m.Interrupt() 200 ms into migration `version` (join it after the run).
std::thread InterruptDuring(Migrator& m, std::uint64_t version) {
  auto started = std::make_shared<std::atomic<bool>>(false);
  m.SetEventCallback([started, version](const Event& e) {
    if (e.kind == EventKind::kMigrationStarted && e.version == version) *started = true;
  });
  return std::thread([&m, started] {
    // A run that never gets there (it failed first) is not waited for forever.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!*started && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    m.Interrupt();
  });
}

constexpr const char* kSlowInsert =
    "CREATE TABLE slow (n INTEGER);\n"
    "INSERT INTO slow SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
    "WHERE x < 100000000) SELECT x FROM c);\n";

TEST_F(MigratorTest, InterruptStopsTheRunningMigrationAndRollsItBack) {
  Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  Mig("v2_slow.sql", kSlowInsert);
  std::string dir = Mig("v3_c.sql", "CREATE TABLE c (x INTEGER);\n");
  auto m = Open(dir);
  std::thread stopper = InterruptDuring(*m, 2);
  auto start = std::chrono::steady_clock::now();
  auto r = m->Up();
  stopper.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInterrupted) << r.status().ToString();
  EXPECT_EQ(r.status().message(), dir + "/v2_slow.sql: interrupted during migration 2 (slow), which was rolled "
                                        "back; the database is still at version 1");
  // The statement alone takes far longer than this (100 million rows): it was stopped, not waited for.
  EXPECT_LT(s, 5.0);
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(version) FROM strata_schema_history"), "1");
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "strata_schema_history", "strata_schema_history_log"}));
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");

  // Sticky: this Migrator starts nothing more.
  Mig("v2_slow.sql", "CREATE TABLE slow (n INTEGER);\n");
  auto again = m->Up();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kInterrupted);
  EXPECT_EQ(again.status().message(), "interrupted before migration 2 (slow) started: 0 of the 2 migrations of this "
                                      "run were applied, and the database is at version 1; `strata up` applies "
                                      "the rest");
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(version) FROM strata_schema_history"), "1");
  auto fresh = Open(dir)->Up();
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->to_version, 3u);
}

// With --single-transaction the whole run is one transaction: an interrupt rolls all of it back,
// the migrations that had finished included.
TEST_F(MigratorTest, InterruptRollsBackASingleTransactionRunWhole) {
  Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  std::string dir = Mig("v2_slow.sql", kSlowInsert);
  auto m = Open(dir);
  std::thread stopper = InterruptDuring(*m, 2);
  UpOptions up;
  up.single_transaction = true;
  auto r = m->Up(up);
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInterrupted) << r.status().ToString();
  EXPECT_EQ(r.status().message(), dir + "/v2_slow.sql: interrupted during migration 2 (slow), so the single "
                                        "transaction of this run was rolled back: no migration of it was applied and "
                                        "the database is still at version 0");
  EXPECT_EQ(Tables(), (std::vector<std::string>{"strata_schema_history", "strata_schema_history_log"}));
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM strata_schema_history"), "0");
}

TEST_F(MigratorTest, SyntaxErrorPointsAtTheToken) {
  Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  std::string dir = Mig("v2_b.sql", "-- second\nCREATE TABLE b (x INTEGER);\n  INSERT INTO b VALUES (1) garbage;\n");
  auto r = Open(dir)->Up();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
  EXPECT_EQ(r.status().ToString(), dir + "/v2_b.sql:3:28: near \"garbage\": syntax error (migration 2 (b) was rolled "
                                         "back; the database is still at version 1)\n      INSERT INTO b VALUES (1) "
                                         "garbage;\n                               ^");
  EXPECT_EQ(r.status().location()->statement, "INSERT INTO b VALUES (1) garbage;");
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "strata_schema_history", "strata_schema_history_log"}));
}

TEST_F(MigratorTest, ForeignKeyViolationRollsTheMigrationBack) {
  Mig("v1_a.sql", "CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE c (pid INTEGER REFERENCES p(id));\n");
  std::string dir = Mig("v2_b.sql", "PRAGMA defer_foreign_keys = ON;\nINSERT INTO c VALUES (42);\n");
  auto r = Open(dir)->Up();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(r.status().message().find("foreign_key_check"), std::string::npos) << r.status().message();
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM c"), "0");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");
}

TEST_F(MigratorTest, NoTransactionMigrationMarksDirtyUntilRepaired) {
  Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
  std::string dir = Mig("v2_b.sql", "-- strata:no-transaction\nCREATE TABLE b (x INTEGER);\nSELECT nope FROM b;\n");
  auto m = Open(dir);
  auto r = m->Up();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("now marked dirty"), std::string::npos) << r.status().message();
  EXPECT_EQ(QueryOne(db(), "SELECT state FROM strata_schema_history WHERE version = 2"), "dirty");
  auto status = m->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->migrations[1].state, MigrationState::kDirty);
  auto refused = m->Up();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  // The user fixes the file (and the half-made table), then repairs.
  Exec(db(), "DROP TABLE b;");
  Mig("v2_b.sql", "-- strata:no-transaction\nCREATE TABLE b (x INTEGER);\nVACUUM;\n");
  auto repaired = m->Repair({});
  ASSERT_TRUE(repaired.ok());
  ASSERT_EQ(repaired->actions.size(), 1u);
  auto again = m->Up();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(QueryOne(db(), "SELECT state FROM strata_schema_history WHERE version = 2"), "applied");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "2");
}

TEST_F(MigratorTest, BaselineAdoptsADatabaseMigratedBySeedManager) {
  // What the seed's DBMigrationManager leaves behind: v1..v3 applied and user_version = 3.
  std::string vibesurf = kExamples + "/vibesurf";
  for (const char* f : {"v001_initial_schema.sql", "v002_add_agent_mode.sql", "v003_fix_task_status_case.sql"}) {
    std::ifstream in(vibesurf + "/" + f);
    std::stringstream ss;
    ss << in.rdbuf();
    Exec(db(), ss.str());
  }
  Exec(db(), "PRAGMA user_version = 3;");
  auto m = Open(vibesurf);
  auto refused = m->Up();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("strata baseline"), std::string::npos);
  auto status = m->GetStatus();
  EXPECT_TRUE(status->needs_baseline);
  auto b = m->Baseline(std::nullopt);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->to_version, 3u);
  auto r = m->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->migrations.size(), 4u);
  EXPECT_EQ(r->migrations.front().version, 4u);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM strata_schema_history WHERE state = 'baseline'"), "3");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "7");
}

TEST_F(MigratorTest, DryRunChangesNothing) {
  auto m = Open(kExamples + "/vibesurf");
  auto plan = m->PlanUp({3});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->size(), 3u);
  EXPECT_NE((*plan)[0].sql.find("CREATE TABLE IF NOT EXISTS llm_profiles"), std::string::npos);
  struct stat st {};
  EXPECT_NE(::stat(db().c_str(), &st), 0) << "plan created the database file";
  Exec(db(), "CREATE TABLE keep (x INTEGER);");
  ASSERT_TRUE(m->PlanUp({}).ok());
  EXPECT_EQ(Tables(), (std::vector<std::string>{"keep"})) << "plan created the history table";
}

TEST_F(MigratorTest, EmbeddedSourceAgreesWithTheDirectory) {
  std::string dir = kExamples + "/vibesurf";
  ASSERT_TRUE(Open(dir)->Up({2}).ok());
  std::vector<std::string> contents;
  std::vector<Source::File> files;
  for (const char* f : {"v001_initial_schema.sql", "v002_add_agent_mode.sql", "v003_fix_task_status_case.sql"}) {
    std::ifstream in(dir + "/" + f);
    std::stringstream ss;
    ss << in.rdbuf();
    contents.push_back(ss.str());
  }
  files.push_back({"v001_initial_schema.sql", contents[0]});
  files.push_back({"v002_add_agent_mode.sql", contents[1]});
  files.push_back({"v003_fix_task_status_case.sql", contents[2]});
  auto m = Migrator::Open(url(), Source::Embedded(files, "app"), {});
  ASSERT_TRUE(m.ok());
  auto v = (*m)->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->problems[0].message;
  auto r = (*m)->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->migrations.size(), 1u);
  EXPECT_EQ(r->migrations[0].version, 3u);
}

TEST_F(MigratorTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  Mig("v1_runs.sql", "CREATE TABLE runs (v INTEGER NOT NULL);\nINSERT INTO runs VALUES (1);\n");
  std::string dir;
  for (int v = 2; v <= 12; ++v) {
    dir = Mig("v" + std::to_string(v) + "_m.sql", "CREATE TABLE t" + std::to_string(v) + " (x INTEGER);\nINSERT INTO runs VALUES (" +
                                                       std::to_string(v) + ");\n");
  }
  std::vector<Status> results(4);
  AtOnce(4, [&](int i) {
    auto m = Migrator::Open(url(), Source::Directory(dir), {});
    auto r = m.ok() ? (*m)->Up() : Result<RunReport>(m.status());
    results[i] = r.ok() ? Status::Ok() : r.status();
  });
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) || ',' || count(DISTINCT v) FROM runs"), "12,12");
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM strata_schema_history"), "12");
}

std::vector<Source::File> EmbeddedCounter(std::vector<std::string>& storage, int count) {
  storage.clear();
  storage.reserve(count);
  std::vector<Source::File> files;
  for (int v = 1; v <= count; ++v) {
    storage.push_back(v == 1 ? "CREATE TABLE runs (v INTEGER);\nINSERT INTO runs VALUES (1);\n"
                             : "INSERT INTO runs VALUES (" + std::to_string(v) + ");\n");
  }
  for (int v = 1; v <= count; ++v) files.push_back({"v" + std::to_string(v) + "_m.sql", storage[v - 1]});
  return files;
}

TEST_F(MigratorTest, ApplicationConnectionIsUsedAndLeftOpen) {
  sqlite3* app = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &app), SQLITE_OK);
  {
    auto m = Migrator::OpenSqlite(app, Source::Directory(kExamples + "/vibesurf"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    auto r = (*m)->Up();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->to_version, 7u);
  }
  // The Migrator is gone; the application's connection still works and sees the schema.
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(app, "SELECT count(*) FROM tasks", -1, &s, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
  sqlite3_finalize(s);
  EXPECT_EQ(sqlite3_close(app), SQLITE_OK);
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "7");
  auto refused = Migrator::OpenSqlite(nullptr, Source::Directory("."));
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(MigratorTest, UpToDateShortcutNoticesOtherConnections) {
  std::vector<std::string> storage;
  auto files = EmbeddedCounter(storage, 3);
  auto first = Migrator::Open(url(), Source::Embedded(files, "app"));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ((*first)->Up()->to_version, 3u);
  ASSERT_TRUE((*first)->Up()->migrations.empty());
  ASSERT_TRUE((*first)->Up()->migrations.empty());  // answered from the remembered result
  // Another runner (another connection) rolls a migration back by hand.
  Exec(db(), "DELETE FROM runs WHERE v = 3; DELETE FROM strata_schema_history WHERE version = 3; PRAGMA user_version = 2;");
  auto again = (*first)->Up();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->migrations.size(), 1u) << "the shortcut missed a change made by another connection";
  EXPECT_EQ(again->migrations[0].version, 3u);
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(v) FROM (SELECT v FROM runs ORDER BY v)"), "1,2,3");
}

TEST_F(MigratorTest, RunLogRecordsChangesAndFailuresButNotNoOps) {
  Mig("0001_a.up.sql", "CREATE TABLE a (x INTEGER);\n");
  Mig("0002_b.down.sql", "DROP TABLE b;\n");
  std::string dir = Mig("0002_b.up.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n");
  Options o;
  o.actor = "ci@builder";
  auto m = Open(dir, o);
  EXPECT_TRUE(m->Log()->empty());
  ASSERT_FALSE(m->Up().ok());  // v1 applied, v2 fails
  Mig("0002_b.up.sql", "CREATE TABLE b (x INTEGER);\n");
  ASSERT_TRUE(m->Up().ok());
  ASSERT_TRUE(m->Up().ok());  // nothing to do: not logged
  ASSERT_TRUE(Migrator::Open(url(), Source::Directory(dir), o).value()->Down({}).ok());
  auto log = m->Log();
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 3u);
  const LogEntry& failed = (*log)[2];
  EXPECT_EQ(failed.command, "up");
  EXPECT_EQ(failed.outcome, "failed");
  EXPECT_EQ(failed.actor, "ci@builder");
  EXPECT_EQ(failed.from_version, 0u);
  EXPECT_EQ(failed.to_version, 1u);
  EXPECT_EQ(failed.migrations, "[{\"version\":1,\"name\":\"a\",\"direction\":\"up\",\"ms\":" +
                                   failed.migrations.substr(failed.migrations.find("\"ms\":") + 5));
  EXPECT_NE(failed.error.find(dir + "/0002_b.up.sql:2:1: no such table: nowhere"), std::string::npos) << failed.error;
  EXPECT_EQ((*log)[1].outcome, "success");
  EXPECT_EQ((*log)[1].from_version, 1u);
  EXPECT_EQ((*log)[1].to_version, 2u);
  EXPECT_EQ((*log)[0].command, "down");
  EXPECT_EQ((*log)[0].to_version, 1u);
  EXPECT_NE((*log)[0].migrations.find("\"direction\":\"down\""), std::string::npos);
  EXPECT_GT((*log)[0].id, (*log)[1].id);
  EXPECT_EQ(m->Log(1)->size(), 1u);
}

TEST_F(MigratorTest, InvalidOptionsAreRejectedAtOpen) {
  Options bad;
  bad.history_table = "drop table x";
  auto m = Migrator::Open(url(), Source::Directory("."), bad);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kInvalidArgument);
  auto url_bad = Migrator::Open("oracle://u:p@h/d", Source::Directory("."), {});
  EXPECT_EQ(url_bad.status().code(), ErrorCode::kInvalidArgument);
}

// SQLite has its file lock: the lease lock is refused before anything is opened, on a URL and on an
// application's connection alike; a lease outside 1 s to a day is refused whatever the engine.
TEST_F(MigratorTest, TableLockAndBadLeasesAreRejectedAtOpen) {
  Options table;
  table.lock_mode = LockMode::kTable;
  auto m = Migrator::Open(url(), Source::Directory("."), table);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("SQLite uses its file lock"), std::string::npos) << m.status().ToString();
  sqlite3* app = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &app), SQLITE_OK);
  auto adopted = Migrator::OpenSqlite(app, Source::Directory("."), table);
  EXPECT_EQ(adopted.status().code(), ErrorCode::kInvalidArgument);
  sqlite3_close(app);

  for (auto lease : {std::chrono::milliseconds(999), std::chrono::milliseconds(86'400'001)}) {
    Options bad;
    bad.lock_lease = lease;
    auto refused = Migrator::Open(url(), Source::Directory("."), bad);
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << lease.count();
    EXPECT_EQ(refused.status().message(), "the lock lease must be from 1 s to a day");
  }
  Options fine;
  fine.lock_lease = std::chrono::seconds(1);
  EXPECT_TRUE(Migrator::Open(url(), Source::Directory("."), fine).ok());
}

TEST_F(MigratorTest, CustomHistoryTableName) {
  Options o;
  o.history_table = "schema_versions";
  std::string dir = Mig("v1_a.sql", "CREATE TABLE a (x INTEGER);");
  ASSERT_TRUE(Open(dir, o)->Up().ok());
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "schema_versions", "schema_versions_log"}));
}


// The run lock file removed while a run holds it (a clean-up job, a person): a second runner would
// create a new file and lock that. The run stops before the next commit with kLockLost; what it
// committed before stays, the migration in progress is rolled back.
TEST_F(MigratorTest, LockFileReplacedMidRunStopsBeforeTheNextCommit) {
  std::string dir = Mig("0001_a.up.sql", "CREATE TABLE a (x);\n");
  Mig("0002_b.up.sql", "CREATE TABLE b (x);\n");
  auto m = Open(dir);
  m->SetEventCallback([&](const Event& e) {
    if (e.kind == EventKind::kMigrationDone && e.version == 1) std::remove((db() + ".strata-lock").c_str());
  });
  auto run = m->Up();
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), ErrorCode::kLockLost) << run.status().ToString();
  EXPECT_NE(run.status().message().find("was removed or replaced while this run held it"), std::string::npos)
      << run.status().message();
  EXPECT_NE(run.status().message().find("migration 2 (b)"), std::string::npos) << run.status().message();
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "strata_schema_history", "strata_schema_history_log"}));
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(version) FROM strata_schema_history"), "1");

  m->SetEventCallback(nullptr);
  auto again = m->Up();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(version) FROM strata_schema_history"), "1,2");
}

// BEGIN/COMMIT in a later pending migration used to be found only when it was reached, after the
// earlier ones had committed. Every pending migration is checked before the first one runs.
TEST_F(MigratorTest, TransactionControlInALaterMigrationRefusesBeforeAnythingRuns) {
  std::string dir = Mig("0001_a.up.sql", "CREATE TABLE a (x);\n");
  Mig("0002_b.up.sql", "CREATE TABLE b (x);\nCOMMIT;\n");
  auto m = Open(dir);
  auto planned = m->PlanUp();
  ASSERT_FALSE(planned.ok());
  EXPECT_EQ(planned.status().code(), ErrorCode::kInvalidArgument);
  auto run = m->Up();
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(run.status().location().has_value());
  EXPECT_EQ(run.status().location()->line, 2u);
  EXPECT_EQ(run.status().location()->statement, "COMMIT;");
  EXPECT_NE(run.status().ToString().find("0002_b.up.sql:2:1: transaction control statement"), std::string::npos)
      << run.status().ToString();
  EXPECT_TRUE(Tables().empty() || Tables() == std::vector<std::string>{"strata_schema_history_log"})
      << "migration 1 ran before the refusal";
}


// A directory path with a NUL byte would have been cut short by the file system calls and read
// another directory.
TEST_F(MigratorTest, DirectoryPathWithANulByteIsRefused) {
  std::string dir = Mig("0001_a.up.sql", "CREATE TABLE a (x);\n");
  auto m = Migrator::Open(url(), Source::Directory(dir + std::string(1, '\0') + "/elsewhere"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(), "the migrations directory path contains a NUL byte");
}


// Moved up from the driver: the advice to use `-- strata:no-transaction` is the engine's.
TEST_F(MigratorTest, StatementThatCannotRunInATransactionSaysSo) {
  std::string dir = Mig("0001_vacuum.up.sql", "CREATE TABLE a (x);\nVACUUM;\n");
  auto m = Open(dir);
  auto run = m->Up();
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(run.status().message().find("add `-- strata:no-transaction`"), std::string::npos)
      << run.status().ToString();
  ASSERT_TRUE(run.status().location().has_value());
  EXPECT_EQ(run.status().location()->line, 2u);
}

// The CLI asks the library which engine a URL names instead of reading the text itself.
TEST(EngineOf, ReadsTheUrlAsOpenDoes) {
  EXPECT_EQ(EngineOf("sqlite:app.db").value(), Engine::kSqlite);
  EXPECT_EQ(EngineOf("SQLite3:///tmp/app.db").value(), Engine::kSqlite);
  EXPECT_EQ(EngineOf("sqlite:host=x.db").value(), Engine::kSqlite);
  EXPECT_EQ(EngineOf("postgres://u:secret@db/app").value(), Engine::kPostgres);
  EXPECT_EQ(EngineOf("POSTGRESQL://db/app").value(), Engine::kPostgres);
  EXPECT_EQ(EngineOf("user=app port=5433").value(), Engine::kPostgres);
  EXPECT_EQ(EngineOf("mysql://u:secret@db/app").value(), Engine::kMariadb);
  EXPECT_EQ(EngineOf("MariaDB://u@db/app").value(), Engine::kMariadb);
  auto bad = EngineOf("oracle://u:secret@db/app");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("secret"), std::string::npos) << bad.status().message();

  EXPECT_EQ(SqlitePathOf("sqlite:///tmp/my%20app.db").value(), "/tmp/my app.db");
  EXPECT_EQ(SqlitePathOf("sqlite3://rel/app.db").value(), "rel/app.db");
  EXPECT_EQ(SqlitePathOf("sqlite::memory:").value(), ":memory:");
  auto pg = SqlitePathOf("postgres://u:secret@db/app");
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(pg.status().message(), "not a SQLite URL: postgres://u:****@db/app");
}


// A migration that drops strata's own history table used to fail with an engine message that named
// no file or migration ("cannot prepare a statement: no such table").
TEST_F(MigratorTest, MigrationThatDropsTheHistoryTableIsNamed) {
  std::string dir = Mig("0001_a.up.sql", "CREATE TABLE a (x);\n");
  Mig("0002_oops.up.sql", "DROP TABLE strata_schema_history;\n");
  auto m = Open(dir);
  ASSERT_TRUE(m->Up({1u}).ok());
  UpOptions forced;
  forced.safety.force = true;
  auto run = m->Up(forced);
  ASSERT_FALSE(run.ok());
  const std::string text = run.status().ToString();
  EXPECT_NE(text.find("0002_oops.up.sql: migration 2 (oops) ran, but its outcome cannot be recorded in strata's "
                      "history table; did it drop, rename or alter that table?"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("migration 2 (oops) was rolled back; the database is still at version 1"), std::string::npos)
      << text;
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(version) FROM strata_schema_history"), "1");
}

}  // namespace
}  // namespace strata::testing
