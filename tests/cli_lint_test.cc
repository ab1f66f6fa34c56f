// `strata lint` and the lint that `up` and `plan` run first, through the real binary on temporary
// directories and SQLite files: output format, exit codes, --json, --strict, strata.toml's [lint],
// and `up --lint=error` refusing before anything changes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = STRATA_BINARY;

constexpr int kOk = 0;
constexpr int kUsage = 2;
constexpr int kInvalidInput = 3;
constexpr int kLintFailed = 15;

class CliLintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.Write("m/v001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n");
    tmp_.Write("m/v002_plan.sql",
               "-- the plan column\nALTER TABLE users ADD COLUMN plan TEXT NOT NULL;\nUPDATE users SET email = 'x';\n");
  }
  // `strata --dir m ARGS...` in the temporary directory, without DATABASE_URL.
  ProcessResult Strata(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {kBinary, "--dir", "m"};
    argv.insert(argv.end(), args.begin(), args.end());
    return strata::testing::Run(argv, {"DATABASE_URL="}, tmp_.path());
  }
  std::string Db() const { return tmp_.Path("app.db"); }

  TempDir tmp_;
};

TEST_F(CliLintTest, PrintsEachFindingWithItsHintThenASummary) {
  ProcessResult r = Strata({"lint"});
  EXPECT_EQ(r.exit_code, kLintFailed) << Describe(r);
  EXPECT_EQ(r.out,
            "m/v002_plan.sql:2:30: M001 error: ADD COLUMN users.plan NOT NULL without a DEFAULT fails if users has any "
            "row\n"
            "  hint: add the column with a DEFAULT, or add it nullable, backfill it, then set NOT NULL in a later "
            "migration\n"
            "m/v002_plan.sql:3:1: M005 warning: UPDATE without WHERE changes every row of users\n"
            "  hint: add the WHERE clause you mean, or change the rows in batches; if every row is meant, say so in a "
            "lint-ignore with the reason\n"
            "lint: 2 migrations linted, 1 error, 1 warning\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliLintTest, JsonIsOneObjectPerFinding) {
  ProcessResult r = Strata({"--json", "lint"});
  EXPECT_EQ(r.exit_code, kLintFailed) << Describe(r);
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> findings;
  for (std::string line; std::getline(lines, line);) findings.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(findings.size(), 2u) << r.out;
  EXPECT_EQ(findings[0]["rule"], "M001");
  EXPECT_EQ(findings[0]["severity"], "error");
  EXPECT_EQ(findings[0]["file"], "m/v002_plan.sql");
  EXPECT_EQ(findings[0]["line"], 2);
  EXPECT_EQ(findings[0]["column"], 30);
  EXPECT_FALSE(findings[0]["message"].get<std::string>().empty());
  EXPECT_FALSE(findings[0]["hint"].get<std::string>().empty());
  EXPECT_EQ(findings[1]["rule"], "M005");
}

TEST_F(CliLintTest, WarningsPassUnlessStrict) {
  tmp_.Write("m/v002_plan.sql", "ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';\nDELETE FROM users;\n");
  ProcessResult r = Strata({"lint"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_NE(r.out.find("M005 warning"), std::string::npos) << r.out;
  ProcessResult strict = Strata({"lint", "--strict"});
  EXPECT_EQ(strict.exit_code, kLintFailed) << Describe(strict);
}

TEST_F(CliLintTest, NamedFilesOnlyAndFromAnotherDirectory) {
  ProcessResult r = Strata({"lint", "m/v001_users.sql"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(r.out, "lint: 1 migration linted, 0 errors, 0 warnings\n");
  tmp_.Write("other/v001_a.sql", "CREATE TABLE t (a INT);\n");
  tmp_.Write("other/v002_b.sql", "DROP TABLE t;\n");
  ProcessResult other = Strata({"lint", "other/v002_b.sql"});
  EXPECT_EQ(other.exit_code, kOk) << Describe(other);
  EXPECT_NE(other.out.find("other/v002_b.sql:1:1: M004 warning"), std::string::npos) << other.out;
  ProcessResult missing = Strata({"lint", "m/v009_nope.sql"});
  EXPECT_EQ(missing.exit_code, kInvalidInput) << Describe(missing);
  EXPECT_NE(missing.err.find("v009_nope.sql"), std::string::npos) << missing.err;
}

TEST_F(CliLintTest, EngineChoosesTheDialect) {
  tmp_.Write("m/v002_plan.sql", "CREATE INDEX users_email ON users (email);\n");
  ProcessResult sqlite = Strata({"lint"});
  EXPECT_EQ(sqlite.exit_code, kOk) << Describe(sqlite);
  EXPECT_EQ(sqlite.out.find("PG001"), std::string::npos) << sqlite.out;
  ProcessResult pg = Strata({"lint", "--engine", "postgres"});
  EXPECT_EQ(pg.exit_code, kOk) << Describe(pg);
  EXPECT_NE(pg.out.find("m/v002_plan.sql:1:1: PG001 warning"), std::string::npos) << pg.out;
  EXPECT_EQ(Strata({"lint", "--engine", "oracle"}).exit_code, kUsage);
}

TEST_F(CliLintTest, PendingNeedsADatabase) {
  ProcessResult r = Strata({"lint", "--pending"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
  EXPECT_NE(r.err.find("--pending needs a database"), std::string::npos) << r.err;
}

TEST_F(CliLintTest, PendingLintsOnlyWhatTheDatabaseHasNotApplied) {
  ProcessResult up = Strata({"--url", "sqlite:" + Db(), "up", "--to", "1"});
  ASSERT_EQ(up.exit_code, kOk) << Describe(up);
  tmp_.Write("m/v003_drop.sql", "DROP TABLE users;\n");
  ProcessResult r = Strata({"--url", "sqlite:" + Db(), "lint", "--pending"});
  EXPECT_EQ(r.exit_code, kLintFailed) << Describe(r);
  EXPECT_NE(r.out.find("lint: 2 migrations linted"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("M004"), std::string::npos) << r.out;
}

TEST_F(CliLintTest, ConfigDisablesRulesAndChangesSeverities) {
  tmp_.Write("strata.toml", "[lint]\ndisable = [\"M005\"]\nrules = { M001 = \"warning\" }\n");
  ProcessResult r = Strata({"lint"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_NE(r.out.find("M001 warning"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("M005"), std::string::npos) << r.out;
}

TEST_F(CliLintTest, ConfigErrorsNameTheLine) {
  tmp_.Write("strata.toml", "[lint]\nrules = { PG999 = \"error\" }\n");
  ProcessResult r = Strata({"lint"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find("strata.toml:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown lint rule 'PG999'"), std::string::npos) << r.err;
  tmp_.Write("strata.toml", "lint = \"loud\"\n");
  ProcessResult mode = Strata({"lint"});
  EXPECT_EQ(mode.exit_code, kUsage) << Describe(mode);
  EXPECT_NE(mode.err.find("strata.toml:1:"), std::string::npos) << mode.err;
}

TEST_F(CliLintTest, UpWarnsAndGoesOnByDefault) {
  tmp_.Write("m/v002_plan.sql", "ALTER TABLE users ADD COLUMN plan TEXT;\nUPDATE users SET plan = 'free';\n");
  ProcessResult r = Strata({"--url", "sqlite:" + Db(), "up"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_NE(r.err.find("strata: lint: m/v002_plan.sql:2:1: M005 warning"), std::string::npos) << r.err;
  EXPECT_EQ(QueryOne(Db(), "SELECT max(version) FROM strata_schema_history"), "2");
}

TEST_F(CliLintTest, UpLintErrorRefusesBeforeAnythingChanges) {
  ProcessResult up1 = Strata({"--url", "sqlite:" + Db(), "up", "--to", "1"});
  ASSERT_EQ(up1.exit_code, kOk) << Describe(up1);
  Exec(Db(), "INSERT INTO users (email) VALUES ('a@example.org')");
  ProcessResult r = Strata({"--url", "sqlite:" + Db(), "up", "--lint=error"});
  EXPECT_EQ(r.exit_code, kLintFailed) << Describe(r);
  EXPECT_NE(r.err.find("lint found 1 error in the pending migrations; nothing was changed"), std::string::npos)
      << r.err;
  EXPECT_EQ(QueryOne(Db(), "SELECT max(version) FROM strata_schema_history"), "1");
  // The same from strata.toml, and the command line wins over it.
  tmp_.Write("strata.toml", "lint = \"error\"\n");
  EXPECT_EQ(Strata({"--url", "sqlite:" + Db(), "up"}).exit_code, kLintFailed);
  ProcessResult off = Strata({"--url", "sqlite:" + Db(), "up", "--lint", "off"});
  EXPECT_NE(off.exit_code, kLintFailed) << Describe(off);  // SQLite itself now refuses the NOT NULL column
  EXPECT_EQ(off.err.find("strata: lint:"), std::string::npos) << off.err;
}

TEST_F(CliLintTest, PlanPrintsFindingsOnStandardError) {
  ProcessResult r = Strata({"--url", "sqlite:" + Db(), "plan"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_NE(r.err.find("M001 error"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("M001"), std::string::npos) << "findings must not mix with the SQL on stdout";
  EXPECT_FALSE(fs::exists(Db())) << "plan created the database";
}

TEST_F(CliLintTest, IgnoreWithReasonSilencesAndWithoutReasonIsAFinding) {
  tmp_.Write("m/v002_plan.sql",
             "-- strata:lint-ignore M001: the table is empty in every environment\n"
             "ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;\n"
             "-- strata:lint-ignore M005\n"
             "UPDATE users SET email = 'x';\n");
  ProcessResult r = Strata({"lint"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(r.out.find("M001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("m/v002_plan.sql:3:4: L001 warning: a lint-ignore needs a reason"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("m/v002_plan.sql:4:1: M005 warning"), std::string::npos) << r.out;
}

// Both seeds' examples, in every dialect, lint without a finding (docs/lint.md explains the one
// change made to them: vibesurf's PRAGMA foreign_keys = ON lines are comments now).
TEST_F(CliLintTest, TheSeedsExamplesLintClean) {
  const std::string examples = std::string(STRATA_SOURCE_DIR) + "/examples/";
  struct Example {
    std::string dir, engine;
  };
  for (const Example& e : std::vector<Example>{{"vibesurf", "sqlite"},
                                               {"dataflow", "sqlite"},
                                               {"vibesurf/postgres", "postgres"},
                                               {"dataflow/postgres", "postgres"},
                                               {"vibesurf/mariadb", "mariadb"},
                                               {"dataflow/mariadb", "mariadb"}}) {
    ProcessResult r = strata::testing::Run({kBinary, "--dir", examples + e.dir, "lint", "--strict", "--engine", e.engine},
                                           {"DATABASE_URL="}, tmp_.path());
    EXPECT_EQ(r.exit_code, kOk) << e.dir << "\n" << Describe(r);
    EXPECT_NE(r.out.find(", 0 errors, 0 warnings\n"), std::string::npos) << e.dir << "\n" << r.out;
  }
}

TEST_F(CliLintTest, LintWithAUrlNeverCreatesOrWritesTheDatabase) {
  ProcessResult r = Strata({"--url", "sqlite:" + Db(), "lint"});
  EXPECT_EQ(r.exit_code, kLintFailed) << Describe(r);
  EXPECT_FALSE(fs::exists(Db())) << "lint created the database";
  ASSERT_EQ(Strata({"--url", "sqlite:" + Db(), "up", "--to", "1"}).exit_code, kOk);
  auto mtime = fs::last_write_time(Db());
  EXPECT_EQ(Strata({"--url", "sqlite:" + Db(), "lint", "--pending"}).exit_code, kLintFailed);
  EXPECT_EQ(fs::last_write_time(Db()), mtime) << "lint wrote to the database file";
  EXPECT_EQ(QueryOne(Db(), "SELECT count(*) FROM strata_schema_history"), "1");
  EXPECT_FALSE(fs::exists(Db() + "-journal"));
}

}  // namespace
}  // namespace strata::testing
