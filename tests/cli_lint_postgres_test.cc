// `strata lint` against a real PostgreSQL server through the binary: the dialect comes from the
// URL, --pending, and the lock trace (--trace) printed per migration with its PG100 finding.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "pg_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

constexpr int kOk = 0;
constexpr int kLintFailed = 15;

ProcessResult Strata(const PgDatabase& db, const TempDir& dir, std::vector<std::string> rest) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", db.url(), "--dir", dir.Path("m")};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return Run(argv, {"DATABASE_URL="}, dir.path());
}

class CliLintPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("m/v001_t.sql",
               "CREATE TABLE t (id bigint PRIMARY KEY, c int);\nINSERT INTO t VALUES (1, 1), (2, 2);\n");
    dir_.Write("m/v002_type.sql", "ALTER TABLE t ALTER COLUMN c TYPE bigint;\nUPDATE t SET c = c + 1 WHERE id = 1;\n");
  }
  PgDatabase db_;
  TempDir dir_;
};

TEST_F(CliLintPostgres, TheUrlChoosesTheDialectAndPendingNarrowsIt) {
  dir_.Write("m/v003_index.sql", "CREATE INDEX t_c ON t (c);\n");
  ProcessResult all = Strata(db_, dir_, {"lint"});
  EXPECT_EQ(all.exit_code, kOk) << Describe(all);
  EXPECT_NE(all.out.find("v002_type.sql:1:1: PG006 warning"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("v003_index.sql:1:1: PG001 warning"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("lint: 3 migrations linted, 0 errors, 2 warnings"), std::string::npos) << all.out;

  ASSERT_EQ(Strata(db_, dir_, {"up", "--to", "2"}).exit_code, kOk);
  ProcessResult pending = Strata(db_, dir_, {"lint", "--pending", "--strict"});
  EXPECT_EQ(pending.exit_code, kLintFailed) << Describe(pending);
  EXPECT_EQ(pending.out.find("PG006"), std::string::npos) << "v002 is applied: " << pending.out;
  EXPECT_NE(pending.out.find("lint: 1 migration linted, 0 errors, 1 warning"), std::string::npos) << pending.out;
  EXPECT_EQ(pending.err.find(db_.url()), std::string::npos);
}

TEST_F(CliLintPostgres, TracePrintsLocksRewritesAndPg100) {
  ProcessResult r = Strata(db_, dir_, {"lint", "--trace"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  const std::string file = dir_.Path("m") + "/v002_type.sql";
  EXPECT_NE(r.out.find("trace 2 type (" + file + ")\n"
                       "  ACCESS EXCLUSIVE       public.t  from " + file + ":1 until commit\n"
                       "      ALTER TABLE t ALTER COLUMN c TYPE bigint\n"
                       "  REWRITTEN              public.t  at " + file + ":1\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(file + ":1:1: PG100 warning: public.t is locked ACCESS EXCLUSIVE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lint: 2 migrations linted, 0 errors, 2 warnings"), std::string::npos) << r.out;
  EXPECT_EQ(Strata(db_, dir_, {"lint", "--trace", "--strict"}).exit_code, kLintFailed);
  EXPECT_EQ(db_.QueryOne("SELECT count(*) FROM pg_database WHERE datname LIKE 'strata_scratch_%'"), "0")
      << "the scratch database was left behind";
  EXPECT_EQ(db_.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 't'"), "0") << "lint changed the database";
}

TEST_F(CliLintPostgres, TraceInJsonIsOneEventPerMigration) {
  ProcessResult r = Strata(db_, dir_, {"--json", "lint", "--trace"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> traces, findings;
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json j = nlohmann::json::parse(line);
    (j.contains("event") ? traces : findings).push_back(j);
  }
  ASSERT_EQ(traces.size(), 2u) << r.out;
  EXPECT_EQ(traces[1]["version"], 2);
  EXPECT_EQ(traces[1]["locks"][0]["mode"], "AccessExclusiveLock");
  EXPECT_EQ(traces[1]["locks"][0]["pre_existing"], true);
  EXPECT_EQ(traces[1]["rewritten"][0]["table"], "public.t");
  ASSERT_EQ(findings.size(), 2u) << r.out;
  EXPECT_EQ(findings[1]["rule"], "PG100");
}

// Without --url, --trace on a --scratch-url lints the text in PostgreSQL's dialect too.
TEST_F(CliLintPostgres, TraceWithOnlyAScratchUrlLintsAsPostgres) {
  std::vector<std::string> argv = {STRATA_BINARY, "--scratch-url", PgServerUrl(), "--dir", dir_.Path("m"), "lint",
                                   "--trace"};
  ProcessResult r = strata::testing::Run(argv, {"DATABASE_URL="}, dir_.path());
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_NE(r.out.find("v002_type.sql:1:1: PG006 warning"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PG100 warning"), std::string::npos) << r.out;
}

TEST_F(CliLintPostgres, TraceNeedsPostgres) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", "sqlite:" + dir_.Path("a.db"), "--dir", dir_.Path("m"),
                                   "lint", "--trace"};
  ProcessResult r = strata::testing::Run(argv, {"DATABASE_URL="}, dir_.path());
  EXPECT_EQ(r.exit_code, 5) << Describe(r);
  EXPECT_NE(r.err.find("the lock trace needs PostgreSQL"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace strata::testing
