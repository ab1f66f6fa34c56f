#include "source/loader.h"
#include "source/sections.h"

#include "mem_file_system.h"

#include <gtest/gtest.h>

namespace strata::source {
namespace {

TEST(LoadDirectory, PairsUpAndDownAndSortsNumerically) {
  base::MemFileSystem fs;
  fs.Add("m/v10_ten.sql", "SELECT 10;");
  fs.Add("m/v2_two.sql", "SELECT 2;");
  fs.Add("m/0003_three.up.sql", "CREATE TABLE t(x);");
  fs.Add("m/0003_three.down.sql", "DROP TABLE t;");
  fs.Add("m/README.md", "not read");
  fs.Add("m/sub/v1_nested.sql", "not listed: subdirectories are not scanned");
  auto r = LoadDirectory(fs, "m");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].version, 2u);
  EXPECT_EQ((*r)[1].version, 3u);
  EXPECT_EQ((*r)[2].version, 10u);
  ASSERT_TRUE((*r)[1].down);
  EXPECT_EQ((*r)[1].down->sql(), "DROP TABLE t;");
  EXPECT_EQ((*r)[1].down->path, "m/0003_three.down.sql");
  EXPECT_FALSE((*r)[0].down);
}

TEST(LoadDirectory, ReportsEveryProblemAtOnce) {
  base::MemFileSystem fs;
  fs.Add("m/v003_a.sql", "");
  fs.Add("m/003_b.up.sql", "");
  fs.Add("m/0004_c.down.sql", "");
  fs.Add("m/oops.sql", "");
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "m/oops.sql: not a migration file name; expected one of: v001_name.sql, 0001_name.up.sql + "
            "0001_name.down.sql, 20250130100000_name.sql (with -- migrate:up / -- migrate:down), V1__name.sql + "
            "U1__name.sql\n"
            "duplicate migration version 3: m/003_b.up.sql and m/v003_a.sql\n"
            "m/0004_c.down.sql: down migration without an up migration for version 4");
}

TEST(LoadDirectory, DuplicateDownParts) {
  base::MemFileSystem fs;
  fs.Add("m/5_x.sql", "-- migrate:up\nA;\n-- migrate:down\nB;\n");
  fs.Add("m/U5__x.sql", "B;");
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "duplicate migration version 5: m/5_x.sql and m/U5__x.sql");
}

TEST(LoadDirectory, SectionErrorsPointAtFileLineColumn) {
  base::MemFileSystem fs;
  fs.Add("m/1_x.sql", "-- migrate:up\nCREATE TABLE a(x);\n-- strata:nope\n");
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "m/1_x.sql:3:4: strata directives must come before the first statement of the migration\n"
            "    -- strata:nope\n"
            "       ^");
}

TEST(LoadDirectory, ChecksumIgnoresCrlfAndBomButNotContent) {
  base::MemFileSystem fs;
  fs.Add("a/v1_x.sql", "CREATE TABLE t(x);\nINSERT INTO t VALUES (1);\n");
  fs.Add("b/v1_x.sql", "\xEF\xBB\xBF" "CREATE TABLE t(x);\r\nINSERT INTO t VALUES (1);\r\n");
  fs.Add("c/v1_x.sql", "CREATE TABLE t(x);\nINSERT INTO t VALUES (2);\n");
  auto a = LoadDirectory(fs, "a"), b = LoadDirectory(fs, "b"), c = LoadDirectory(fs, "c");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ((*a)[0].checksum, (*b)[0].checksum);
  EXPECT_NE((*a)[0].checksum, (*c)[0].checksum);
  EXPECT_EQ((*a)[0].checksum.substr(0, 7), "sha256:");
  EXPECT_EQ((*a)[0].checksum.size(), 7u + 64u);
  // The byte-order mark is not part of the executed SQL either.
  EXPECT_EQ((*b)[0].up.sql().substr(0, 6), "CREATE");
}

TEST(LoadDirectory, ChecksumCoversOnlyTheUpSection) {
  base::MemFileSystem fs;
  fs.Add("a/1_x.sql", "-- migrate:up\nCREATE TABLE t(x);\n-- migrate:down\nDROP TABLE t;\n");
  fs.Add("b/1_x.sql", "-- migrate:up\nCREATE TABLE t(x);\n-- migrate:down\nDROP TABLE IF EXISTS t;\n");
  auto a = LoadDirectory(fs, "a"), b = LoadDirectory(fs, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)[0].checksum, (*b)[0].checksum);
}

TEST(LoadDirectory, KnownChecksumValue) {
  // sha256("SELECT 1;\n") computed independently (printf 'SELECT 1;\n' | sha256sum).
  base::MemFileSystem fs;
  fs.Add("m/v1_x.sql", "SELECT 1;\r\n");
  auto r = LoadDirectory(fs, "m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].checksum, "sha256:b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd");
}

TEST(LoadDirectory, MissingDirectoryAndReadFailures) {
  base::MemFileSystem fs;
  auto missing = LoadDirectory(fs, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  fs.Add("m/v1_a.sql", "A;");
  fs.Add("m/v2_b.sql", "B;");
  fs.FailReadsAfter(1);
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "cannot read 'm/v2_b.sql': injected failure");
}

// A dangling link named like a migration was skipped without a word, and an unreadable file
// stopped the load with its error alone. Both are file problems now, reported with the others.
TEST(LoadDirectory, EntriesThatCannotBeReadAreReportedWithTheOtherProblems) {
  base::MemFileSystem fs;
  fs.Add("m/v001_a.sql", "CREATE TABLE a(x);");
  fs.AddOther("m/v002_b.sql", "broken symbolic link to 'missing' (the target does not exist)");
  fs.AddOther("m/notes.txt", "not a regular file but a FIFO (named pipe)");  // not a candidate: ignored
  fs.AddOther("m/.v009_hidden.sql", "broken symbolic link to 'x' (the target does not exist)");
  fs.Add("m/v003_c.sql", "");
  fs.FailRead("m/v003_c.sql", Status(ErrorCode::kInvalidArgument, "cannot read 'm/v003_c.sql': Permission denied"));
  fs.Add("m/v004_d.sql", "-- migrate:sideways\n");  // not an error in a file without sections
  fs.Add("m/oops.sql", "");
  fs.Add("m/old/v005_e.sql", "");  // a sub-directory: not scanned
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "m/oops.sql: not a migration file name; expected one of: v001_name.sql, 0001_name.up.sql + "
            "0001_name.down.sql, 20250130100000_name.sql (with -- migrate:up / -- migrate:down), V1__name.sql + "
            "U1__name.sql\n"
            "m/v002_b.sql: broken symbolic link to 'missing' (the target does not exist)\n"
            "cannot read 'm/v003_c.sql': Permission denied");
}

// Embedded sources (strata_embed_migrations, Source::Embedded) are built from RawFiles without a
// directory: the NUL check must not depend on where the bytes came from.
TEST(BuildMigrations, NulByteIsAFileProblemLocatedAtTheNul) {
  std::vector<RawFile> files;
  files.push_back({"embedded/v001_a.sql", "v001_a.sql", std::string("CREATE TABLE a(x);\0CREATE TABLE b(y);\n", 38)});
  files.push_back({"embedded/v002_b.sql", "v002_b.sql", "CREATE TABLE c(x);\n"});
  files.push_back({"embedded/0003_c.up.sql", "0003_c.up.sql", "CREATE TABLE d(x);\n"});
  files.push_back({"embedded/0003_c.down.sql", "0003_c.down.sql", std::string("\xEF\xBB\xBF\0", 4)});
  files.push_back({"embedded/bad.sql", "bad.sql", ""});
  auto r = BuildMigrations(std::move(files));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  const std::string why =
      "NUL byte in a migration file: a migration must be text (the database engines would stop reading the SQL here)";
  EXPECT_EQ(r.status().message(),
            "embedded/v001_a.sql:1:19: " + why +
                "\n    CREATE TABLE a(x);\xE2\x90\x80" "CREATE TABLE b(y);\n                      ^\n"
                "embedded/0003_c.down.sql:1:1: " + why + "\n    \xE2\x90\x80\n    ^\n"
                "embedded/bad.sql: not a migration file name; expected one of: v001_name.sql, 0001_name.up.sql + "
                "0001_name.down.sql, 20250130100000_name.sql (with -- migrate:up / -- migrate:down), V1__name.sql + "
                "U1__name.sql");
}

TEST(LoadDirectory, NulByteIsRefusedLikeInAnEmbeddedSource) {
  base::MemFileSystem fs;
  fs.Add("m/v001_t.sql", std::string("CREATE TABLE a(x);\0CREATE TABLE b(y);\n", 38));
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(r.status().message().starts_with("m/v001_t.sql:1:19: NUL byte in a migration file")) << r.status().message();
}


const char kSum1[] = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

std::string CheckpointText(const std::string& covers) {
  return "-- strata:checkpoint\n" + covers + "\nCREATE TABLE a (id INTEGER PRIMARY KEY);\n";
}

TEST(LoadDirectory, KeepsCheckpointsApartFromTheMigrationOfTheirVersion) {
  base::MemFileSystem fs;
  fs.Add("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
  std::string a_sum = Checksum("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
  fs.Add("m/v001_checkpoint.sql", CheckpointText("-- strata:covers 1 a " + a_sum + "\n"));
  fs.Add("m/v002_b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n");
  std::vector<Checkpoint> checkpoints;
  auto r = LoadDirectory(fs, "m", &checkpoints);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].up.path, "m/v001_a.sql");
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_EQ(checkpoints[0].migration.version, 1u);
  EXPECT_EQ(checkpoints[0].migration.up.path, "m/v001_checkpoint.sql");
  ASSERT_EQ(checkpoints[0].covers.size(), 1u);
  EXPECT_EQ(checkpoints[0].covers[0].name, "a");
  EXPECT_EQ(checkpoints[0].covers[0].checksum, a_sum);
  // Without a place for them, checkpoints are left out.
  auto plain = LoadDirectory(fs, "m");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain->size(), 2u);
}

TEST(LoadDirectory, RefusesMalformedCheckpoints) {
  base::MemFileSystem fs;
  fs.Add("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
  fs.Add("m/v001_checkpoint.sql", CheckpointText(std::string("-- strata:covers 1 a ") + kSum1 + "\n"));
  fs.Add("m/0002_checkpoint.up.sql", CheckpointText("-- strata:covers 2 b sha256:12\n"));
  fs.Add("m/v003_checkpoint.sql", CheckpointText(std::string("-- strata:covers 2 b ") + kSum1 + "\n"));
  fs.Add("m/20250101000004_checkpoint.sql", "-- strata:checkpoint\n-- strata:covers 4 d " + std::string(kSum1) +
                                                "\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n");
  fs.Add("m/v005_checkpoint.sql", "-- strata:checkpoint\nSELECT 1;\n");
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "m/0002_checkpoint.up.sql:2:1: malformed covers line: expected '-- strata:covers VERSION NAME "
            "sha256:<64 hex digits>'\n"
            "    -- strata:covers 2 b sha256:12\n"
            "    ^\n"
            "m/20250101000004_checkpoint.sql:6:1: a checkpoint has no down part: roll back with the files it stands "
            "for\n"
            "    SELECT 2;\n"
            "    ^\n"
            "m/v003_checkpoint.sql:1:1: a checkpoint's last covered version must be its own version 3, not 2\n"
            "    -- strata:checkpoint\n"
            "    ^\n"
            "m/v005_checkpoint.sql:1:1: a checkpoint lists the migrations it stands for in '-- strata:covers' lines, "
            "and this one lists none\n"
            "    -- strata:checkpoint\n"
            "    ^");
}

TEST(LoadDirectory, MarksACheckpointThatAFileContradictsAsStale) {
  base::MemFileSystem fs;
  fs.Add("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
  fs.Add("m/v001_checkpoint.sql", CheckpointText(std::string("-- strata:covers 1 a ") + kSum1 + "\n"));
  std::vector<Checkpoint> checkpoints;
  auto r = LoadDirectory(fs, "m", &checkpoints);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_EQ(checkpoints[0].stale,
            "m/v001_checkpoint.sql is stale: it stands for version 1 (a), but m/v001_a.sql was edited since; run "
            "`strata checkpoint --to 1` to write it again");
}

TEST(LoadDirectory, RefusesTwoCheckpointsOfOneVersionAndCoversOutOfOrder) {
  base::MemFileSystem fs;
  fs.Add("m/v001_checkpoint.sql", CheckpointText(std::string("-- strata:covers 1 a ") + kSum1 + "\n"));
  fs.Add("m/0001_checkpoint.up.sql", CheckpointText(std::string("-- strata:covers 1 a ") + kSum1 + "\n"));
  fs.Add("m/v002_checkpoint.sql", CheckpointText(std::string("-- strata:covers 2 b ") + kSum1 +
                                                 "\n-- strata:covers 2 c " + kSum1 + "\n"));
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("two checkpoints of version 1: "), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("m/v002_checkpoint.sql:3:1: covers version 2 after version 2: the versions "
                                      "must ascend"),
            std::string::npos)
      << r.status().message();
}

TEST(SplitSections, CoversLinesBelongInTheHeaderAndAreSpelledExactly) {
  auto late = SplitSections("-- strata:checkpoint\nSELECT 1;\n-- strata:covers 1 a x\n", false);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().message(), "strata directives must come before the first statement of the migration");
  auto spaced = SplitSections("-- strata: covers 1 a x\nSELECT 1;\n", false);
  ASSERT_FALSE(spaced.ok());
  EXPECT_NE(spaced.status().message().find("must be written exactly '-- strata:covers VERSION NAME CHECKSUM'"),
            std::string::npos)
      << spaced.status().message();
  auto prose = SplitSections("-- Strata: covers the users table\nSELECT 1;\n", false);
  EXPECT_TRUE(prose.ok()) << prose.status().message();
  auto flagged = SplitSections("-- strata:checkpoint\nSELECT 1;\n", false);
  ASSERT_TRUE(flagged.ok());
  EXPECT_TRUE(flagged->up->checkpoint);
}

}  // namespace
}  // namespace strata::source
