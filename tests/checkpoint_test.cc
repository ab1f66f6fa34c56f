// strata checkpoint on SQLite, through the library on real files: a fresh database that came
// through the checkpoint has the same schema dump, the same rows, the same counters and the same
// history versions as one that ran every file; databases past or between the checkpoint.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checkpoint_util.h"
#include "strata/migrator.h"
#include "strata/team.h"
#include "test_util.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

// Everything a database holds that a user could tell apart: its schema dump, every row of every
// table (rowid included where it is one), the AUTOINCREMENT counters, user_version and which
// versions the history records under which name and checksum.
std::string Contents(const std::string& db, const std::string& dir) {
  const schema::Schema schema = InspectedSchema("sqlite:" + db, dir);
  std::string out = schema::Dump(schema);
  for (const schema::Table& t : schema.tables) {
    std::string select = t.without_rowid ? "SELECT * FROM \"" + t.name + "\" ORDER BY 1"
                                         : "SELECT rowid, * FROM \"" + t.name + "\" ORDER BY rowid";
    out += "\n-- rows of " + t.name + "\n";
    for (const std::string& row : Query(db, select)) out += row + "\n";
  }
  if (!Query(db, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'").empty()) {
    for (const std::string& row :
         Query(db, "SELECT name, seq FROM sqlite_sequence WHERE name NOT LIKE 'strata%' ORDER BY name")) {
      out += "seq " + row + "\n";
    }
  }
  out += "user_version " + QueryOne(db, "PRAGMA user_version") + "\n";
  for (const std::string& row :
       Query(db, "SELECT version, name, checksum FROM strata_schema_history ORDER BY version")) {
    out += "history " + row + "\n";
  }
  return out;
}

Result<RunReport> Up(const std::string& db, const std::string& dir, std::optional<std::uint64_t> target = {}) {
  auto m = Migrator::Open("sqlite:" + db, Source::Directory(dir));
  if (!m.ok()) return m.status();
  UpOptions up{target};
  return (*m)->Up(up);
}

class CheckpointTest : public ::testing::Test {
 protected:
  std::string P(const std::string& name) const { return tmp_.Path(name); }
  Result<CheckpointResult> Write(const std::string& dir, std::optional<std::uint64_t> to = {}) const {
    CheckpointOptions options;
    options.to = to;
    options.scratch.url = "sqlite::memory:";
    return WriteCheckpoint(P(dir), options);
  }
  TempDir tmp_;
};

TEST_F(CheckpointTest, BothExamplesGiveTheSameDatabaseThroughTheCheckpointAsThroughEveryFile) {
  for (const std::string example : {"vibesurf", "dataflow"}) {
    SCOPED_TRACE(example);
    std::string files = P(example + "-files"), with = P(example + "-checkpoint");
    CopyDir(std::string(STRATA_SOURCE_DIR) + "/examples/" + example, files);
    CopyDir(std::string(STRATA_SOURCE_DIR) + "/examples/" + example, with);
    auto written = Write(example + "-checkpoint");
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    EXPECT_TRUE(written->sum_written);  // the examples keep a strata.sum
    ASSERT_TRUE(Up(P(example + "-a.db"), files).ok());
    auto through = Up(P(example + "-b.db"), with);
    ASSERT_TRUE(through.ok()) << through.status().ToString();
    ASSERT_EQ(through->migrations.size(), 1u);  // the checkpoint alone
    EXPECT_EQ(through->to_version, written->version);
    EXPECT_EQ(Contents(P(example + "-a.db"), files), Contents(P(example + "-b.db"), with));
    // Applied through the checkpoint, recorded as baseline: the files did not run.
    EXPECT_EQ(QueryOne(P(example + "-b.db"), "SELECT count(*) FROM strata_schema_history WHERE state <> 'baseline'"),
              "0");
  }
}

TEST_F(CheckpointTest, AGenerated2000MigrationSetWithRowsCountersTriggersAndCyclesIsExact) {
  WriteGeneratedSet(P("files"), 2000, kSqliteDialect);
  CopyDir(P("files"), P("with"));
  auto written = Write("with", 1990);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->version, 1990u);
  EXPECT_EQ(written->migrations, 1990u);
  EXPECT_GT(written->rows, 1000u);
  EXPECT_TRUE(fs::exists(P("with/v1990_checkpoint.sql")));

  ASSERT_TRUE(Up(P("a.db"), P("files")).ok());
  auto through = Up(P("b.db"), P("with"));
  ASSERT_TRUE(through.ok()) << through.status().ToString();
  EXPECT_EQ(through->migrations.size(), 11u);  // the checkpoint, then 1991..2000
  std::string a = Contents(P("a.db"), P("files")), b = Contents(P("b.db"), P("with"));
  EXPECT_EQ(a, b);
  // The trigger that logs every insert fired once per row, not again when the checkpoint loaded.
  EXPECT_EQ(QueryOne(P("b.db"), "SELECT count(*) FROM audit"), QueryOne(P("a.db"), "SELECT count(*) FROM audit"));
  // The counters go on where the migrations left them: the next AUTOINCREMENT id is the same.
  Exec(P("a.db"), "INSERT INTO events (kind) VALUES ('after')");
  Exec(P("b.db"), "INSERT INTO events (kind) VALUES ('after')");
  EXPECT_EQ(QueryOne(P("a.db"), "SELECT max(id) FROM events"), QueryOne(P("b.db"), "SELECT max(id) FROM events"));
}

TEST_F(CheckpointTest, ADatabasePastTheCheckpointIgnoresItAndOneBetweenNeedsTheOldFiles) {
  WriteGeneratedSet(P("m"), 30, kSqliteDialect);
  ASSERT_TRUE(Up(P("past.db"), P("m"), 25).ok());
  ASSERT_TRUE(Up(P("between.db"), P("m"), 5).ok());
  ASSERT_TRUE(Write("m", 20).ok());
  auto past = Up(P("past.db"), P("m"));
  ASSERT_TRUE(past.ok()) << past.status().ToString();
  EXPECT_EQ(past->migrations.size(), 5u);  // 26..30, no checkpoint
  EXPECT_EQ(QueryOne(P("past.db"), "SELECT count(*) FROM strata_schema_history WHERE state = 'baseline'"), "0");

  // The old files are gone: the database at 5 cannot be brought to 20 by the checkpoint.
  for (int v = 1; v <= 20; ++v) fs::remove(P("m/" + GeneratedName(v)));
  auto between = Up(P("between.db"), P("m"));
  ASSERT_FALSE(between.ok());
  EXPECT_EQ(between.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(between.status().message().find("the database at version 5 needs migrations whose files are gone (a "
                                            "checkpoint applies only to a fresh database):\n  6 (gen_6) (only in "
                                            "the checkpoint " + P("m/v0020_checkpoint.sql") + ")"),
            std::string::npos)
      << between.status().message();
  EXPECT_EQ(QueryOne(P("between.db"), "SELECT max(version) FROM strata_schema_history"), "5");
  // A fresh database still starts from the checkpoint, with the old files gone.
  auto fresh = Up(P("fresh.db"), P("m"));
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->to_version, 30u);
  EXPECT_EQ(QueryOne(P("fresh.db"), "PRAGMA user_version"), "30");
  // Past the checkpoint, with the old files gone, there is nothing to do.
  auto again = Up(P("past.db"), P("m"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->migrations.empty());
}

TEST_F(CheckpointTest, RefusesAVersionThatIsNotThereAMigrationOfTheSameNameAndCopiesNothingItCannot) {
  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
  tmp_.Write("m/v002_checkpoint.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n");
  auto missing = Write("m", 7);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "no migration of " + P("m") + " has version 7");
  auto clash = Write("m", 2);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().message(), P("m/v002_checkpoint.sql") +
                                          " is a migration, not a checkpoint: rename it before writing a checkpoint "
                                          "of version 2");
  tmp_.Write("v/v001_fts.sql", "CREATE VIRTUAL TABLE docs USING fts5(body);\nINSERT INTO docs VALUES ('hello');\n");
  auto fts = Write("v");
  ASSERT_FALSE(fts.ok());
  EXPECT_EQ(fts.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(fts.status().message().find("virtual table \"docs\" holds 1 row(s)"), std::string::npos)
      << fts.status().message();
  EXPECT_FALSE(fs::exists(P("v/v001_checkpoint.sql")));
}

}  // namespace
}  // namespace strata::testing
