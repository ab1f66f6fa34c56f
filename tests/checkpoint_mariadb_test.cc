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
