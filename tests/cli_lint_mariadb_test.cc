// `strata lint` against a real MariaDB server through the binary: the dialect comes from the URL,
// --pending narrows the run to what the database has not applied, and the live data answers D001
// for a unique key over values that are duplicated now. lint never writes to the database.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "mariadb_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

constexpr int kOk = 0;
constexpr int kLintFailed = 15;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class CliLintMariadb : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("m/v001_t.sql",
               "CREATE TABLE t (id BIGINT PRIMARY KEY, c INT, email VARCHAR(40));\n"
               "INSERT INTO t VALUES (1, 1, 'a@x.org'), (2, 2, 'a@x.org'), (3, 3, 'b@x.org');\n");
    dir_.Write("m/v002_type.sql", "ALTER TABLE t MODIFY c BIGINT;\nUPDATE t SET c = c + 1 WHERE id = 1;\n");
    dir_.Write("m/v003_unique.sql", "ALTER TABLE t ADD UNIQUE KEY t_email (email);\n");
  }
  ProcessResult Strata(std::vector<std::string> args) const {
    std::vector<std::string> argv = {STRATA_BINARY, "--url", db_.url(), "--dir", dir_.Path("m")};
    argv.insert(argv.end(), args.begin(), args.end());
    return ::strata::testing::Run(argv, {"DATABASE_URL="}, dir_.path());
  }
  std::string One(const std::string& sql) const {
    auto rows = db_.Query(sql);
    return rows.empty() ? "" : rows[0];
  }

  MariadbDatabase db_;
  TempDir dir_;
};

TEST_F(CliLintMariadb, TheUrlChoosesTheDialectAndPendingNarrowsIt) {
  ProcessResult all = Strata({"lint"});
  EXPECT_EQ(all.exit_code, kOk) << Describe(all);
  const std::string file = dir_.Path("m");
  EXPECT_TRUE(Contains(all.out, file + "/v002_type.sql:1:1: MY001 warning: ALTER TABLE t commits on its own"))
      << all.out;
  EXPECT_TRUE(Contains(all.out, file + "/v002_type.sql:1:15: MY002 warning: ALTER TABLE t copies the table"))
      << all.out;
  EXPECT_TRUE(Contains(all.out, file + "/v003_unique.sql:1:19: MY003 warning")) << all.out;
  // Nothing is applied: t is not in the database, so there is no data to ask about.
  EXPECT_FALSE(Contains(all.out, "D001")) << all.out;
  EXPECT_TRUE(Contains(all.out, "lint: 3 migrations linted, 0 errors, 3 warnings")) << all.out;

  ASSERT_EQ(Strata({"up", "--to", "2"}).exit_code, kOk);
  ProcessResult pending = Strata({"lint", "--pending"});
  EXPECT_EQ(pending.exit_code, kLintFailed) << Describe(pending);
  EXPECT_FALSE(Contains(pending.out, "MY002")) << "v002 is applied: " << pending.out;
  EXPECT_TRUE(Contains(pending.out, file + "/v003_unique.sql:1:19: D001 error: 1 value of t(email) is duplicated now "
                                           "(e.g. 'a@x.org' x2): ADD UNIQUE t_email will fail"))
      << pending.out;
  EXPECT_TRUE(Contains(pending.out, "lint: 1 migration linted, 1 error, 1 warning")) << pending.out;
  EXPECT_FALSE(Contains(pending.err, db_.url()));

  // lint changed nothing: the history and the rows are as up left them.
  EXPECT_EQ(One("SELECT count(*) FROM strata_schema_history"), "2");
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
                "TABLE_NAME = 't' AND INDEX_NAME = 't_email'"),
            "0");

  // Without the duplicates, the live data has nothing to say and the offline warning stays.
  ASSERT_EQ(db_.Query("DELETE FROM t WHERE id = 2").size(), 0u);
  ProcessResult clean = Strata({"lint", "--pending"});
  EXPECT_EQ(clean.exit_code, kOk) << Describe(clean);
  EXPECT_FALSE(Contains(clean.out, "D001")) << clean.out;
  EXPECT_TRUE(Contains(clean.out, "lint: 1 migration linted, 0 errors, 1 warning")) << clean.out;
}

// D002-D004 on the rows there now: NULLs in a column made NOT NULL or part of a new primary key,
// child rows without a parent for a new foreign key, rows that a new CHECK rejects. Each finding
// goes away once the data is fixed; a foreign key added with foreign_key_checks off asks nothing.
TEST_F(CliLintMariadb, NullsOrphansAndCheckViolationsThereNow) {
  dir_.Write("m/v003_unique.sql", "SELECT 1;\n");  // this test's data is the set below
  dir_.Write("m/v004_data.sql",
             "CREATE TABLE parent (id INT PRIMARY KEY);\n"
             "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, qty INT, note VARCHAR(20));\n"
             "INSERT INTO parent VALUES (1);\n"
             "INSERT INTO child VALUES (1, 1, 5, 'ok'), (2, 7, -1, NULL), (3, NULL, 0, NULL);\n"
             "CREATE TABLE loose (a INT, b INT);\nINSERT INTO loose VALUES (1, NULL);\n");
  dir_.Write("m/v005_tighten.sql",
             "ALTER TABLE child MODIFY note VARCHAR(20) NOT NULL;\n"
             "ALTER TABLE child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id);\n"
             "ALTER TABLE child ADD CONSTRAINT qty_positive CHECK (qty >= 0);\n"
             "ALTER TABLE loose ADD PRIMARY KEY (a, b);\n");
  dir_.Write("m/v006_unchecked.sql",
             "SET foreign_key_checks = 0;\n"
             "ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent (id);\n"
             "SET foreign_key_checks = 1;\n");
  ASSERT_EQ(Strata({"up", "--to", "4"}).exit_code, kOk);
  ProcessResult r = Strata({"lint", "--pending"});
  EXPECT_EQ(r.exit_code, kLintFailed) << Describe(r);
  const std::string file = dir_.Path("m") + "/v005_tighten.sql";
  EXPECT_TRUE(Contains(r.out, file + ":1:19: D002 error: 2 rows of child have NULL in note (e.g. id 2, 3): MODIFY "
                                     "note NOT NULL will fail"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, file + ":2:47: D003 error: 1 row of child(parent_id) references no row of parent(id) "
                                     "(e.g. 7): ADD FOREIGN KEY child_parent will fail"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, file + ":3:47: D004 error: 1 row of child violates CHECK (qty >= 0) (e.g. id 2): ADD "
                                     "CHECK qty_positive will fail"))
      << r.out;
  // loose has no primary key yet: its rows are named by their columns.
  EXPECT_TRUE(Contains(r.out, file + ":4:23: D002 error: 1 row of loose has NULL in b (e.g. (a, b) (1, NULL)): ADD "
                                     "PRIMARY KEY will fail"))
      << r.out;
  EXPECT_FALSE(Contains(r.out, "loose has NULL in a")) << r.out;
  EXPECT_FALSE(Contains(r.out, "v006_unchecked.sql:2:23: D003")) << r.out;

  ASSERT_EQ(db_.Query("UPDATE child SET note = 'x', parent_id = 1, qty = 1").size(), 0u);
  ASSERT_EQ(db_.Query("UPDATE loose SET b = 2").size(), 0u);
  ProcessResult clean = Strata({"lint", "--pending"});
  EXPECT_FALSE(Contains(clean.out, "D002")) << clean.out;
  EXPECT_FALSE(Contains(clean.out, "D003")) << clean.out;
  EXPECT_FALSE(Contains(clean.out, "D004")) << clean.out;
}

TEST_F(CliLintMariadb, JsonFindingsAndSuppressions) {
  dir_.Write("m/v003_unique.sql",
             "-- strata:lint-ignore MY003: t_email is checked by the application\n"
             "ALTER TABLE t ADD UNIQUE KEY t_email (email);\n");
  ProcessResult r = Strata({"--json", "lint"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  std::vector<std::string> rules;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    rules.push_back(j.value("rule", "") + "@" + std::to_string(j.value("line", 0)) + ":" +
                    std::to_string(j.value("column", 0)));
    if (j.value("rule", "") == "MY002") {
      EXPECT_EQ(j.value("statement", ""), "ALTER TABLE t MODIFY c BIGINT");
      EXPECT_TRUE(Contains(j.value("hint", ""), "ALGORITHM=INPLACE")) << line;
      EXPECT_EQ(j.value("version", 0), 2);
    }
  }
  EXPECT_EQ(rules, (std::vector<std::string>{"MY001@1:1", "MY002@1:15"})) << r.out;
}

}  // namespace
}  // namespace strata::testing
