// The strata binary against a real MariaDB server, for everything that reads the schema: the data
// guard (refuses to destroy rows without --force, lets an empty table go), `up --verify-data`,
// `check` and `down` on the examples, schema dump / diff / graph, drift and `verify --schema`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mariadb_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

constexpr int kExitPrecondition = 5;
constexpr int kExitDataAtRisk = 11;
constexpr int kExitDataChanged = 12;
constexpr int kExitDiffers = 13;
constexpr int kExitVerifyFailed = 9;

std::string ExampleDir(const std::string& set) {
  return std::string(STRATA_SOURCE_DIR) + "/examples/" + set + "/mariadb";
}

class CliMariadbSchema : public ::testing::Test {
 protected:
  ProcessResult Strata(std::vector<std::string> args, const std::string& dir = "") const {
    std::vector<std::string> argv = {STRATA_BINARY, "--url", db_.url(), "--dir", dir.empty() ? dir_.Path("m") : dir};
    argv.insert(argv.end(), args.begin(), args.end());
    return ::strata::testing::Run(argv);
  }
  std::string One(const std::string& sql) const {
    auto rows = db_.Query(sql);
    return rows.empty() ? "" : rows[0];
  }
  std::string Version() const { return One("SELECT COALESCE(MAX(version), 0) FROM strata_schema_history"); }
  bool HasTable(const std::string& name) const {
    return One("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '" +
               name + "'") == "1";
  }
  bool HasColumn(const std::string& table, const std::string& column) const {
    return One("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '" +
               table + "' AND column_name = '" + column + "'") == "1";
  }
  std::vector<std::string> ScratchDatabases() const {
    return db_.Query(
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE "
        "'strata\\_scratch\\_%'");
  }

  MariadbDatabase db_;
  TempDir dir_;
};

constexpr const char* kBase =
    "CREATE TABLE full_t (id INT PRIMARY KEY, note VARCHAR(20));\n"
    "CREATE TABLE `Empty T` (id INT PRIMARY KEY);\n"
    "INSERT INTO full_t VALUES (1, 'a'), (2, 'b');\n";

TEST_F(CliMariadbSchema, TheGuardRefusesToDropATableWithRowsUnlessForced) {
  dir_.Write("m/v001_base.sql", kBase);
  ASSERT_EQ(Strata({"up"}).exit_code, 0);
  dir_.Write("m/v002_drop.sql", "DROP TABLE IF EXISTS `full_t`;\n");
  ProcessResult refused = Strata({"up"});
  EXPECT_EQ(refused.exit_code, kExitDataAtRisk) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "v002_drop.sql:1:1")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "destroys 2 rows of full_t: DROP TABLE")) << refused.err;
  EXPECT_TRUE(HasTable("full_t"));
  EXPECT_EQ(Version(), "1");

  ProcessResult forced = Strata({"up", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << Describe(forced);
  EXPECT_FALSE(HasTable("full_t"));
  EXPECT_EQ(Version(), "2");
}

TEST_F(CliMariadbSchema, AnEmptyTableIsDroppedFreely) {
  dir_.Write("m/v001_base.sql", kBase);
  dir_.Write("m/v002_drop.sql", "DROP TABLE `Empty T`;\nALTER TABLE full_t DROP INDEX IF EXISTS nothing;\n");
  ProcessResult up = Strata({"up"});
  EXPECT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_FALSE(HasTable("Empty T"));
  EXPECT_EQ(Version(), "2");
}

TEST_F(CliMariadbSchema, TheGuardSeesDropColumnTruncateDeleteWithoutWhereAndReplacedTables) {
  dir_.Write("m/v001_base.sql", kBase);
  ASSERT_EQ(Strata({"up"}).exit_code, 0);
  for (const std::string sql :
       {"ALTER TABLE full_t ADD COLUMN x INT, DROP COLUMN note;", "TRUNCATE TABLE full_t;", "DELETE FROM `full_t`;",
        // MariaDB's own forms of a drop: the table of that name goes first, rows and all.
        "CREATE OR REPLACE TABLE full_t (id INT PRIMARY KEY);", "DROP TABLES full_t;"}) {
    SCOPED_TRACE(sql);
    dir_.Write("m/v002_destroy.sql", sql + "\n");
    ProcessResult refused = Strata({"up"});
    EXPECT_EQ(refused.exit_code, kExitDataAtRisk) << Describe(refused);
    EXPECT_TRUE(Contains(refused.err, "destroys 2 rows of full_t")) << refused.err;
    EXPECT_EQ(Version(), "1");
  }
  EXPECT_TRUE(HasColumn("full_t", "note"));
  EXPECT_EQ(One("SELECT count(*) FROM full_t"), "2");
  // A delete with a WHERE destroys nothing the guard can count.
  dir_.Write("m/v002_destroy.sql", "DELETE FROM full_t WHERE id = 1;\n");
  ProcessResult up = Strata({"up"});
  EXPECT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(One("SELECT count(*) FROM full_t"), "1");
}

// A DELETE without WHERE reaches the ON DELETE CASCADE children; a DROP TABLE of a referenced table
// fails on MariaDB instead of deleting anything, so it counts only its own rows.
TEST_F(CliMariadbSchema, TheGuardCountsCascadedChildrenOfADeleteButNotOfADrop) {
  dir_.Write("m/v001_base.sql",
             "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;\n"
             "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT,\n"
             "  FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB;\n"
             "INSERT INTO parent VALUES (1), (2);\nINSERT INTO child VALUES (10, 1), (20, 2), (30, 2);\n");
  ASSERT_EQ(Strata({"up"}).exit_code, 0);
  dir_.Write("m/v002_empty.sql", "DELETE FROM parent;\n");
  ProcessResult deleted = Strata({"up"});
  EXPECT_EQ(deleted.exit_code, kExitDataAtRisk) << Describe(deleted);
  EXPECT_TRUE(Contains(deleted.err, "destroys 3 rows of child: DELETE without WHERE of parent (ON DELETE CASCADE)"))
      << deleted.err;
  EXPECT_TRUE(Contains(deleted.err, "destroys 2 rows of parent")) << deleted.err;
  dir_.Write("m/v002_empty.sql", "DROP TABLE child;\n");
  ProcessResult dropped = Strata({"up"});
  EXPECT_EQ(dropped.exit_code, kExitDataAtRisk) << Describe(dropped);
  EXPECT_TRUE(Contains(dropped.err, "destroys 3 rows of child: DROP TABLE")) << dropped.err;
  EXPECT_FALSE(Contains(dropped.err, "of parent")) << dropped.err;
  EXPECT_EQ(Version(), "1");
}

TEST_F(CliMariadbSchema, VerifyDataRollsBackAMigrationThatReachesATableItDoesNotName) {
  dir_.Write("m/v001_base.sql",
             "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;\n"
             "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT,\n"
             "  FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB;\n"
             "INSERT INTO parent VALUES (1), (2);\nINSERT INTO child VALUES (10, 1), (20, 2);\n");
  ASSERT_EQ(Strata({"up"}).exit_code, 0);
  dir_.Write("m/v002_prune.sql", "DELETE FROM parent WHERE id = 1;\n");
  ProcessResult verified = Strata({"up", "--verify-data"});
  EXPECT_EQ(verified.exit_code, kExitDataChanged) << Describe(verified);
  EXPECT_TRUE(Contains(verified.err, "child: 2 rows before, 1 after")) << verified.err;
  EXPECT_EQ(One("SELECT count(*) FROM child"), "2");  // rolled back
  EXPECT_EQ(Version(), "1");
  ProcessResult plain = Strata({"up"});
  EXPECT_EQ(plain.exit_code, 0) << Describe(plain);
  EXPECT_EQ(One("SELECT count(*) FROM child"), "1");
}

TEST_F(CliMariadbSchema, VerifyDataSaysItCannotCheckAMigrationWithDdl) {
  dir_.Write("m/v001_base.sql", "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB;\nINSERT INTO t VALUES (1);\n");
  ProcessResult ddl = Strata({"up", "--verify-data"});
  EXPECT_EQ(ddl.exit_code, 0) << Describe(ddl);
  EXPECT_TRUE(Contains(ddl.err, "--verify-data cannot check migration 1 (base): it runs outside a transaction "
                                "(MariaDB commits each DDL statement at once)"))
      << ddl.err;
  EXPECT_EQ(Version(), "1");
  dir_.Write("m/v002_data.sql", "UPDATE t SET id = 2 WHERE id = 1;\n");
  ProcessResult data = Strata({"up", "--verify-data"});
  EXPECT_EQ(data.exit_code, 0) << Describe(data);
  EXPECT_FALSE(Contains(data.err, "cannot check")) << data.err;
  EXPECT_EQ(Version(), "2");
}

TEST_F(CliMariadbSchema, CheckPassesOnBothExamplesAndLeavesNoScratchDatabase) {
  for (const std::string set : {"dataflow", "vibesurf"}) {
    SCOPED_TRACE(set);
    ProcessResult check = Strata({"check"}, ExampleDir(set));
    EXPECT_EQ(check.exit_code, 0) << Describe(check);
    EXPECT_TRUE(Contains(check.out, set == "dataflow"
                                        ? "ok: 2 migrations replayed, 2 reversible"
                                        : "ok: 7 migrations replayed, 0 reversible, 7 without a down part"))
        << check.out;
    EXPECT_TRUE(ScratchDatabases().empty());
  }
}

TEST_F(CliMariadbSchema, CheckFailsWhenADownPartLeavesSomethingBehind) {
  dir_.Write("m/20250101000000_t.sql",
             "-- migrate:up\nCREATE TABLE t (id INT PRIMARY KEY);\nCREATE INDEX idx_t ON t (id);\n"
             "-- migrate:down\nDROP INDEX idx_t ON t;\n");
  ProcessResult check = Strata({"check"});
  EXPECT_EQ(check.exit_code, kExitDiffers) << Describe(check);
  EXPECT_TRUE(Contains(check.out, "FAIL 20250101000000 t")) << check.out;
  EXPECT_TRUE(Contains(check.out, "table \"t\"")) << check.out;
  EXPECT_TRUE(ScratchDatabases().empty());
}

TEST_F(CliMariadbSchema, DownOnTheDataflowExampleIsGuardedAndUndoesEverything) {
  const std::string dir = ExampleDir("dataflow");
  ASSERT_EQ(Strata({"up"}, dir).exit_code, 0);
  db_.Query("INSERT INTO execution_history (execution_id) VALUES ('e1')");
  ProcessResult refused = Strata({"down", "--to", "0"}, dir);
  EXPECT_EQ(refused.exit_code, kExitDataAtRisk) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "destroys 1 row of execution_history")) << refused.err;
  EXPECT_FALSE(Contains(refused.err, "execution_variables")) << refused.err;  // empty: not at risk
  EXPECT_TRUE(HasTable("execution_variables"));                               // nothing ran
  ProcessResult forced = Strata({"down", "--to", "0", "--force"}, dir);
  EXPECT_EQ(forced.exit_code, 0) << Describe(forced);
  EXPECT_FALSE(HasTable("execution_history"));
  EXPECT_FALSE(HasTable("execution_variables"));
  ProcessResult dump = Strata({"schema", "dump"}, dir);
  EXPECT_EQ(dump.exit_code, 0) << Describe(dump);
  EXPECT_FALSE(Contains(dump.out, "CREATE TABLE")) << dump.out;
}

TEST_F(CliMariadbSchema, DownOnTheVibesurfExampleSaysThereIsNoDownPart) {
  const std::string dir = ExampleDir("vibesurf");
  ASSERT_EQ(Strata({"up"}, dir).exit_code, 0);
  ProcessResult down = Strata({"down"}, dir);
  EXPECT_EQ(down.exit_code, kExitPrecondition) << Describe(down);
  EXPECT_TRUE(Contains(down.err, "down")) << down.err;
  EXPECT_EQ(Version(), "7");
}

TEST_F(CliMariadbSchema, SchemaDumpLoadsBackAndDiffDriftAndGraphWork) {
  const std::string dir = ExampleDir("dataflow");
  ASSERT_EQ(Strata({"up"}, dir).exit_code, 0);
  ProcessResult dump = Strata({"schema", "dump"}, dir);
  ASSERT_EQ(dump.exit_code, 0) << Describe(dump);
  EXPECT_EQ(dump.out.rfind("-- strata schema dump (mariadb)\n", 0), 0u) << dump.out;
  EXPECT_TRUE(Contains(dump.out, "CREATE TABLE \"execution_history\" (\n  \"id\" bigint(20) AUTO_INCREMENT NOT NULL,"))
      << dump.out;
  EXPECT_FALSE(Contains(dump.out, "strata_schema_history")) << dump.out;
  EXPECT_FALSE(Contains(dump.out, db_.name())) << dump.out;

  // The dump, loaded into a scratch database on the same server, is the same schema as the database.
  dir_.Write("dump.sql", dump.out);
  ProcessResult same = Strata({"schema", "diff", dir_.Path("dump.sql"), db_.url()}, dir);
  EXPECT_EQ(same.exit_code, 0) << Describe(same);
  EXPECT_TRUE(Contains(same.out, "same schema")) << same.out;
  // And the migrations directory, replayed there, too.
  ProcessResult replayed = Strata({"schema", "diff", dir, db_.url()}, dir);
  EXPECT_EQ(replayed.exit_code, 0) << Describe(replayed);

  ProcessResult no_drift = Strata({"drift"}, dir);
  EXPECT_EQ(no_drift.exit_code, 0) << Describe(no_drift);
  EXPECT_TRUE(Contains(no_drift.out, "no drift")) << no_drift.out;
  db_.Query("ALTER TABLE execution_history ADD COLUMN hotfix INT");
  ProcessResult drift = Strata({"drift"}, dir);
  EXPECT_EQ(drift.exit_code, kExitDiffers) << Describe(drift);
  EXPECT_TRUE(Contains(drift.out, "+ column \"execution_history\".\"hotfix\": \"hotfix\" int(11)")) << drift.out;

  ProcessResult graph = Strata({"schema", "graph"}, dir);
  EXPECT_EQ(graph.exit_code, 0) << Describe(graph);
  EXPECT_TRUE(Contains(graph.out, "erDiagram")) << graph.out;
  EXPECT_TRUE(Contains(graph.out, "execution_variables }o..|| execution_history : \"execution_id\"")) << graph.out;
  EXPECT_TRUE(Contains(graph.out, "    bigint id PK\n")) << graph.out;
  EXPECT_TRUE(ScratchDatabases().empty());
}

TEST_F(CliMariadbSchema, VerifySchemaFindsWhatIsMissing) {
  const std::string dir = ExampleDir("dataflow");
  ASSERT_EQ(Strata({"up"}, dir).exit_code, 0);
  dir_.Write("expected.txt",
             "table execution_history\ncolumn execution_variables.variable_name\n"
             "index idx_execution_history_status\n"
             "foreign key execution_variables.execution_id -> execution_history\n");
  ProcessResult ok = Strata({"verify", "--schema", dir_.Path("expected.txt")}, dir);
  EXPECT_EQ(ok.exit_code, 0) << Describe(ok);
  dir_.Write("expected.txt", "table execution_history\ncolumn execution_history.nowhere\nindex idx_nowhere\n");
  ProcessResult missing = Strata({"verify", "--schema", dir_.Path("expected.txt")}, dir);
  EXPECT_EQ(missing.exit_code, kExitVerifyFailed) << Describe(missing);
  EXPECT_TRUE(Contains(missing.out + missing.err, "missing: column execution_history.nowhere")) << Describe(missing);
  EXPECT_TRUE(Contains(missing.out + missing.err, "missing: index idx_nowhere")) << Describe(missing);

  // A DDL file is loaded into a scratch database and compared object by object.
  dir_.Write("expected.sql", "CREATE TABLE execution_history (id BIGINT AUTO_INCREMENT PRIMARY KEY, extra INT);\n");
  ProcessResult ddl = Strata({"verify", "--schema", dir_.Path("expected.sql")}, dir);
  EXPECT_EQ(ddl.exit_code, kExitVerifyFailed) << Describe(ddl);
  EXPECT_TRUE(Contains(ddl.out + ddl.err, "column \"execution_history\".\"extra\"")) << Describe(ddl);
  EXPECT_TRUE(ScratchDatabases().empty());
}

}  // namespace
}  // namespace strata::testing
