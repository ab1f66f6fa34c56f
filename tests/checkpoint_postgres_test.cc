// strata checkpoint on a real PostgreSQL server: through the checkpoint or through every file, a
// fresh database has the same schema dump, rows, sequences and history versions.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "checkpoint_util.h"
#include "pg_test_util.h"
#include "strata/migrator.h"
#include "strata/team.h"
#include "test_util.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

std::string Contents(const PgDatabase& db, const std::string& dir) {
  const schema::Schema schema = InspectedSchema(db.url(), dir);
  std::string out = schema::Dump(schema);
  for (const schema::Table& t : schema.tables) {
    out += "rows of " + t.name + ": " +
           db.QueryOne("SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"" +
                       t.schema + "\".\"" + t.name + "\" AS t") +
           "\n";
  }
  for (const std::string& row : db.Query("SELECT sequencename, last_value FROM pg_sequences WHERE sequencename NOT "
                                         "LIKE 'strata%' ORDER BY 1")) {
    out += "seq " + row + "\n";
  }
  for (const std::string& row : db.Query("SELECT version, name, checksum FROM strata_schema_history ORDER BY 1")) {
    out += "history " + row + "\n";
  }
  return out;
}

Result<RunReport> Up(const PgDatabase& db, const std::string& dir) { return UpAt(db.url(), dir); }

Result<CheckpointResult> Write(const std::string& dir, std::optional<std::uint64_t> to = {}) {
  return WriteOnServer(dir, PgServerUrl(), to);
}

TEST(CheckpointPostgres, BothExamplesGiveTheSameDatabaseThroughTheCheckpointAsThroughEveryFile) {
  TempDir tmp;
  for (const std::string example : {"vibesurf", "dataflow"}) {
    SCOPED_TRACE(example);
    std::string files = tmp.Path(example + "-files"), with = tmp.Path(example + "-checkpoint");
    CopyDir(std::string(STRATA_SOURCE_DIR) + "/examples/" + example + "/postgres", files);
    CopyDir(std::string(STRATA_SOURCE_DIR) + "/examples/" + example + "/postgres", with);
    auto written = Write(with);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    PgDatabase a, b;
    ASSERT_TRUE(Up(a, files).ok());
    auto through = Up(b, with);
    ASSERT_TRUE(through.ok()) << through.status().ToString();
    ASSERT_EQ(through->migrations.size(), 1u);
    EXPECT_EQ(Contents(a, files), Contents(b, with));
  }
}

TEST(CheckpointPostgres, AGenerated2000MigrationSetWithRowsSequencesTriggersAndCyclesIsExact) {
  TempDir tmp;
  WriteGeneratedSet(tmp.Path("files"), 2000, kPostgresDialect);
  CopyDir(tmp.Path("files"), tmp.Path("with"));
  auto written = Write(tmp.Path("with"), 1990);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->migrations, 1990u);
  EXPECT_GT(written->rows, 1000u);
  PgDatabase a, b;
  ASSERT_TRUE(Up(a, tmp.Path("files")).ok());
  auto through = Up(b, tmp.Path("with"));
  ASSERT_TRUE(through.ok()) << through.status().ToString();
  EXPECT_EQ(through->migrations.size(), 11u);
  EXPECT_EQ(Contents(a, tmp.Path("files")), Contents(b, tmp.Path("with")));
  // The identity column goes on from the same value in both.
  a.Exec("INSERT INTO events (kind) VALUES ('after')");
  b.Exec("INSERT INTO events (kind) VALUES ('after')");
  EXPECT_EQ(a.QueryOne("SELECT max(id) FROM events"), b.QueryOne("SELECT max(id) FROM events"));
  EXPECT_EQ(a.QueryOne("SELECT count(*) FROM audit"), b.QueryOne("SELECT count(*) FROM audit"));
}

}  // namespace
}  // namespace strata::testing
