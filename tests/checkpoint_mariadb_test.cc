// strata checkpoint on a real MariaDB server: through the checkpoint or through every file, a fresh
// database has the same schema dump, rows, AUTO_INCREMENT counters and history versions.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "checkpoint_util.h"
#include "mariadb_test_util.h"
#include "strata/migrator.h"
#include "strata/team.h"
#include "test_util.h"

namespace strata::testing {
namespace {

std::string Contents(const MariadbDatabase& db, const std::string& dir) {
  const schema::Schema schema = InspectedSchema(db.url(), dir);
  std::string out = schema::Dump(schema);
  for (const schema::Table& t : schema.tables) {
    // CHECKSUM TABLE reads every row's values: the same rows in the same table give the same sum.
    for (const std::string& row : db.Query("CHECKSUM TABLE `" + t.name + "` EXTENDED")) {
      out += "rows of " + row.substr(row.find('|')) + " " + t.name + ": " + db.Query("SELECT COUNT(*) FROM `" +
                                                                                      t.name + "`")[0] + "\n";
    }
  }
  for (const std::string& row : db.Query("SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE "
                                         "TABLE_SCHEMA = DATABASE() AND AUTO_INCREMENT IS NOT NULL AND TABLE_NAME "
                                         "NOT LIKE 'strata%' ORDER BY 1")) {
    out += "counter " + row + "\n";
  }
  for (const std::string& row : db.Query("SELECT version, name, checksum FROM strata_schema_history ORDER BY 1")) {
    out += "history " + row + "\n";
  }
  return out;
}

Result<RunReport> Up(const MariadbDatabase& db, const std::string& dir) { return UpAt(db.url(), dir); }

Result<CheckpointResult> Write(const std::string& dir, std::optional<std::uint64_t> to = {}) {
  return WriteOnServer(dir, MariadbServerUrl(), to);
}

TEST(CheckpointMariadb, BothExamplesGiveTheSameDatabaseThroughTheCheckpointAsThroughEveryFile) {
  TempDir tmp;
  for (const std::string example : {"vibesurf", "dataflow"}) {
    SCOPED_TRACE(example);
    std::string files = tmp.Path(example + "-files"), with = tmp.Path(example + "-checkpoint");
    CopyDir(std::string(STRATA_SOURCE_DIR) + "/examples/" + example + "/mariadb", files);
    CopyDir(std::string(STRATA_SOURCE_DIR) + "/examples/" + example + "/mariadb", with);
    auto written = Write(with);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    MariadbDatabase a, b;
    ASSERT_TRUE(Up(a, files).ok());
    auto through = Up(b, with);
    ASSERT_TRUE(through.ok()) << through.status().ToString();
    ASSERT_EQ(through->migrations.size(), 1u);
    const std::string want = Contents(a, files);
    EXPECT_NE(want.find("CREATE TABLE"), std::string::npos) << want;
    EXPECT_EQ(want, Contents(b, with));
  }
}

// A checkpoint cut short on a fresh database (here by a table in its way) is left partial, and
// `status` names the checkpoint, not the file of the same version; once the obstacle is gone, `up`
// resumes the checkpoint at the failed statement, in a session set up again (ANSI_QUOTES), and the
// database is the same as through every file.
TEST(CheckpointMariadb, ACheckpointCutShortResumesWhereItStopped) {
  TempDir tmp;
  const std::string files = tmp.Path("files"), with = tmp.Path("with");
  CopyDir(std::string(STRATA_SOURCE_DIR) + "/examples/vibesurf/mariadb", files);
  CopyDir(std::string(STRATA_SOURCE_DIR) + "/examples/vibesurf/mariadb", with);
  auto written = Write(with);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  MariadbDatabase a, b;
  ASSERT_TRUE(Up(a, files).ok());
  b.Query("CREATE TABLE mcp_profiles (x INT)");
  auto cut = Up(b, with);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("the migration is left partial"), std::string::npos)
      << cut.status().ToString();
  auto m = Migrator::Open(b.url(), Source::Directory(with));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto status = (*m)->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_FALSE(status->migrations.empty());
  const MigrationStatus& last = status->migrations.back();
  EXPECT_EQ(last.state, MigrationState::kPartial);
  EXPECT_EQ(last.name, "checkpoint");
  EXPECT_EQ(last.file, written->path);
  EXPECT_GT(last.statements, 10u);  // the checkpoint's statements, not those of v007
  EXPECT_GT(last.statements_done, 0u);
  EXPECT_LT(last.statements_done, last.statements);

  b.Query("DROP TABLE mcp_profiles");
  auto resumed = Up(b, with);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(Contents(a, files), Contents(b, with));
}

// A checkpoint cut short has the version of the last file it covers, but it is not that file: `down`
// must not run that file's down part against it (here it would drop the very table in the
// checkpoint's way, with its row), and `repair --mark-applied` records every migration the
// checkpoint stands for, as `up` does when it completes one.
TEST(CheckpointMariadb, ACheckpointCutShortIsNotRolledBackAsAFileAndRepairRecordsWhatItStandsFor) {
  TempDir tmp;
  tmp.Write("files/0001_a.up.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n");
  tmp.Write("files/0001_a.down.sql", "DROP TABLE a;\n");
  tmp.Write("files/0002_b.up.sql", "CREATE TABLE b (id INT PRIMARY KEY);\nINSERT INTO b VALUES (1);\n");
  tmp.Write("files/0002_b.down.sql", "DROP TABLE b;\n");
  tmp.Write("files/0003_c.up.sql", "CREATE TABLE c (id INT PRIMARY KEY);\n");
  tmp.Write("files/0003_c.down.sql", "DROP TABLE c;\n");
  CopyDir(tmp.Path("files"), tmp.Path("with"));
  auto written = Write(tmp.Path("with"));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  MariadbDatabase through_files, cut_short, forgotten;
  ASSERT_TRUE(Up(through_files, tmp.Path("files")).ok());
  const std::string history = "SELECT version, name, checksum FROM strata_schema_history ORDER BY 1";

  for (const MariadbDatabase* db : {&cut_short, &forgotten}) {
    db->Query("CREATE TABLE c (x INT)");
    db->Query("INSERT INTO c VALUES (42)");
    auto cut = Up(*db, tmp.Path("with"));
    ASSERT_FALSE(cut.ok());
    // strata wrote the checkpoint: what to fix is what stood in its way, not its text.
    EXPECT_NE(cut.status().message().find("the migration is left partial; remove what made statement"),
              std::string::npos)
        << cut.status().ToString();
    EXPECT_NE(cut.status().message().find("(or finish it by hand and run `strata repair --mark-applied`)"),
              std::string::npos)
        << cut.status().ToString();
    ASSERT_EQ(db->Query("SELECT version FROM strata_schema_history"), std::vector<std::string>{"3"});
  }

  auto m = Migrator::Open(cut_short.url(), Source::Directory(tmp.Path("with")));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  for (bool partial : {false, true}) {
    SCOPED_TRACE(partial ? "down --partial" : "down");
    DownOptions options;
    options.partial = partial;
    for (const Status& refused : {(*m)->PlanDown(options).status(), (*m)->Down(options).status()}) {
      EXPECT_EQ(refused.code(), ErrorCode::kFailedPrecondition) << refused.ToString();
      EXPECT_NE(refused.message().find("the checkpoint " + written->path + " stopped half way"), std::string::npos)
          << refused.ToString();
      EXPECT_NE(refused.message().find("has no down part: nothing was rolled back"), std::string::npos)
          << refused.ToString();
    }
  }
  EXPECT_EQ(cut_short.Query("SELECT x FROM c"), std::vector<std::string>{"42"});
  // `plan` shows the checkpoint resuming at the statement that failed: CREATE TABLE c.
  auto planned = (*m)->PlanUp({});
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  ASSERT_EQ(planned->size(), 1u);
  EXPECT_EQ((*planned)[0].file, written->path);
  EXPECT_GT((*planned)[0].resumes_at, 1u);
  // Its session is set up again first (ANSI_QUOTES, no foreign key checks), then it goes on.
  const std::string& resumed = (*planned)[0].sql;
  EXPECT_EQ(resumed.rfind("-- run again first, in the new session: statement", 0), 0u) << resumed;
  EXPECT_NE(resumed.find("ANSI_QUOTES"), std::string::npos) << resumed;
  const std::string from = "-- statement " + std::to_string((*planned)[0].resumes_at) + " on:\nCREATE TABLE \"c\"";
  EXPECT_NE(resumed.find(from), std::string::npos) << resumed;
  EXPECT_EQ(cut_short.Query("SELECT COUNT(*) FROM b"), std::vector<std::string>{"0"});  // its tables come first
  ASSERT_EQ(cut_short.Query("SELECT version, state FROM strata_schema_history"), std::vector<std::string>{"3|dirty"});
  // A target below it cannot stop the checkpoint half way: the refusal names the checkpoint, not
  // the file of its version, and nothing runs.
  UpOptions to2;
  to2.target = 2;
  for (const Status& refused : {(*m)->PlanUp(to2).status(), (*m)->Up(to2).status()}) {
    EXPECT_EQ(refused.code(), ErrorCode::kFailedPrecondition) << refused.ToString();
    EXPECT_NE(refused.message().find("checkpoint " + written->path + " is partial (it stopped half way), and the "
                                     "target 2 leaves it out"),
              std::string::npos)
        << refused.ToString();
    EXPECT_NE(refused.message().find("`strata up --to 3`"), std::string::npos) << refused.ToString();
  }
  EXPECT_EQ(cut_short.Query("SELECT COUNT(*) FROM b"), std::vector<std::string>{"0"});
  // Every version it covers is work for `up`: pending, the last as the partial checkpoint.
  auto before = (*m)->GetStatus();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->pending, 3u);
  ASSERT_EQ(before->migrations.size(), 3u);
  EXPECT_EQ(before->migrations[2].state, MigrationState::kPartial);
  EXPECT_TRUE(before->migrations[2].checkpoint);

  // The operator finishes the checkpoint by hand: the table in its way goes, the rest is made.
  cut_short.Query("DROP TABLE c");
  cut_short.Query("CREATE TABLE c (id INT PRIMARY KEY)");
  cut_short.Query("INSERT INTO b VALUES (1)");
  RepairOptions mark;
  mark.mark_applied = true;
  auto repaired = (*m)->Repair(mark);
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  ASSERT_EQ(repaired->actions.size(), 1u);
  EXPECT_EQ(repaired->actions[0], "marked the checkpoint " + written->path +
                                      " as applied: recorded the 3 migrations it stands for, up to version 3");
  EXPECT_EQ(cut_short.Query(history), through_files.Query(history));
  auto status = (*m)->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->current_version, 3u);
  EXPECT_EQ(status->pending, 0u);
  ASSERT_EQ(status->migrations.size(), 3u);
  for (const MigrationStatus& s : status->migrations) EXPECT_EQ(s.state, MigrationState::kBaseline) << s.version;
  auto again = Up(cut_short, tmp.Path("with"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->migrations.empty());

  // Without --mark-applied the row goes, and the report says which checkpoint it was.
  auto f = Migrator::Open(forgotten.url(), Source::Directory(tmp.Path("with")));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto removed = (*f)->Repair({});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  ASSERT_EQ(removed->actions.size(), 1u);
  EXPECT_EQ(removed->actions[0], "removed the partial checkpoint " + written->path +
                                     " from the history; `strata up` runs it again from its first statement");
  EXPECT_TRUE(forgotten.Query("SELECT version FROM strata_schema_history").empty());
  EXPECT_EQ(forgotten.Query("SELECT x FROM c"), std::vector<std::string>{"42"});

  // The checkpoint deleted since: the row is still not the file of its version.
  MariadbDatabase orphaned;
  orphaned.Query("CREATE TABLE c (x INT)");
  orphaned.Query("INSERT INTO c VALUES (42)");
  ASSERT_FALSE(Up(orphaned, tmp.Path("with")).ok());
  std::filesystem::remove(written->path);
  auto o = Migrator::Open(orphaned.url(), Source::Directory(tmp.Path("with")));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  DownOptions force;
  force.partial = true;
  EXPECT_EQ((*o)->Down(force).status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ((*o)->Repair(mark).status().code(), ErrorCode::kFailedPrecondition);
  auto up = (*o)->Up({});
  EXPECT_EQ(up.status().code(), ErrorCode::kFailedPrecondition) << up.status().ToString();
  EXPECT_NE(up.status().message().find("is a checkpoint that stopped half way"), std::string::npos)
      << up.status().ToString();
  auto orphan_status = (*o)->GetStatus();
  ASSERT_TRUE(orphan_status.ok()) << orphan_status.status().ToString();
  EXPECT_TRUE(orphan_status->migrations.back().checkpoint);
  EXPECT_FALSE(orphan_status->migrations.back().has_down);
  EXPECT_EQ(orphaned.Query("SELECT x FROM c"), std::vector<std::string>{"42"});
  EXPECT_EQ(orphaned.Query("SELECT version, state FROM strata_schema_history"), std::vector<std::string>{"3|dirty"});
}

// Rows inserted, updated and deleted (counters ahead of the rows), binary, BIT, latin1 and emoji
// values, a backslash, a trigger between DELIMITER lines, a foreign-key cycle, a generated column.
TEST(CheckpointMariadb, AGeneratedSetWithRowsCountersTriggersAndCyclesIsExact) {
  TempDir tmp;
  WriteGeneratedSet(tmp.Path("files"), 200, kMariadbDialect);
  // Double quotes make a string under the server's sql_mode and a name under the checkpoint's
  // ANSI_QUOTES: this runs after the checkpoint only if the checkpoint put the session back.
  tmp.Write("files/v0201_double_quotes.sql", "INSERT INTO kv (k, v) VALUES (\"dq\", \"double-quoted\");\n");
  CopyDir(tmp.Path("files"), tmp.Path("with"));
  auto written = Write(tmp.Path("with"), 190);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->migrations, 190u);
  EXPECT_GT(written->rows, 50u);
  const std::string text = ReadText(written->path);
  EXPECT_NE(text.find("\nDELIMITER ;;\nCREATE TRIGGER"), std::string::npos) << text;
  EXPECT_NE(text.find("ALTER TABLE `events` AUTO_INCREMENT = "), std::string::npos) << text;
  EXPECT_NE(text.find("back\\\\slash \xf0\x9f\x98\x80"), std::string::npos) << text;
  EXPECT_NE(text.find("X'00FF"), std::string::npos) << text;
  MariadbDatabase a, b;
  ASSERT_TRUE(Up(a, tmp.Path("files")).ok());
  auto through = Up(b, tmp.Path("with"));
  ASSERT_TRUE(through.ok()) << through.status().ToString();
  // The checkpoint, then the eleven versions after it.
  EXPECT_EQ(through->migrations.size(), 12u);
  EXPECT_EQ(b.Query("SELECT v FROM kv WHERE k = 'dq'"), std::vector<std::string>{"double-quoted"});
  EXPECT_EQ(Contents(a, tmp.Path("files")), Contents(b, tmp.Path("with")));
}

}  // namespace
}  // namespace strata::testing
