// lint's live-data predictions (D001, D002) through the public API on real SQLite files: a database
// with duplicates and rows, the same database once clean, a table or column that only a pending
// migration makes, a database that does not exist yet. Lint must never change the file.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "lint_live_util.h"
#include "strata/lint.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class LintLiveTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Path("app.db"); }
  std::string url() const { return "sqlite:" + db(); }

  std::unique_ptr<Migrator> Open() {
    auto m = Migrator::Open(url(), Source::Directory(dir_.Path("m")), {});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }
  // Lints the pending migrations with live data and checks that the database file did not change.
  std::vector<std::string> Lint(Migrator& m) {
    std::string before = Bytes(db());
    auto report = m.Lint(kLive);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(Bytes(db()), before) << "lint changed the database file";
    EXPECT_TRUE(!report.ok() || InOrder(*report));
    return report.ok() ? LiveFindings(*report) : std::vector<std::string>{"lint failed"};
  }

  TempDir dir_;
};

const char* kUsers = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, org INTEGER, name TEXT);\n";
const char* kPending =
    "CREATE UNIQUE INDEX users_email ON users (email);\n"
    "CREATE UNIQUE INDEX users_org_name ON users (org, name);\n"
    "ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL;\n";

TEST_F(LintLiveTest, DuplicatesAndRowsAreCountedWithSamples) {
  dir_.Write("m/0001_users.up.sql", kUsers);
  dir_.Write("m/0002_unique.up.sql", kPending);
  auto m = Open();
  ASSERT_TRUE(m->Up({1}).ok());
  // NULLs never collide: (NULL) x2 and (2, NULL) x2 are no duplicates.
  Exec(db(), "INSERT INTO users (email, org, name) VALUES ('a@x.org', 1, 'ann'), ('a@x.org', 1, 'ann'), "
             "('a@x.org', 1, 'bob'), ('b@x.org', 2, NULL), ('b@x.org', 2, NULL), ('c@x.org', 3, 'cy'), "
             "(NULL, 3, 'dee'), (NULL, 4, 'eve')");
  EXPECT_EQ(Lint(*m), (std::vector<std::string>{
                          "0002_unique.up.sql:1:1 D001 error: 2 values of users(email) are duplicated now (e.g. "
                          "'a@x.org' x3, 'b@x.org' x2): CREATE UNIQUE INDEX users_email will fail",
                          "0002_unique.up.sql:2:1 D001 error: 1 value of users(org, name) is duplicated now (e.g. "
                          "(1, 'ann') x2): CREATE UNIQUE INDEX users_org_name will fail",
                          "0002_unique.up.sql:3:30 D002 error: users has 8 rows: ADD COLUMN nickname NOT NULL without "
                          "a DEFAULT will fail",
                      }));
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM users"), "8");
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(version) FROM strata_schema_history"), "1");

  // Without live_data nothing is asked.
  auto offline = m->Lint({.pending_only = true});
  ASSERT_TRUE(offline.ok()) << offline.status().ToString();
  EXPECT_TRUE(LiveFindings(*offline).empty());
}

TEST_F(LintLiveTest, CleanDataIsSilent) {
  dir_.Write("m/0001_users.up.sql", kUsers);
  dir_.Write("m/0002_unique.up.sql", kPending);
  auto m = Open();
  ASSERT_TRUE(m->Up({1}).ok());
  Exec(db(), "INSERT INTO users (email, org, name) VALUES ('a@x.org', 1, 'ann'), ('b@x.org', 1, NULL), "
             "('c@x.org', 1, NULL), (NULL, 2, 'ann'), (NULL, 3, 'ann')");
  EXPECT_EQ(Lint(*m), (std::vector<std::string>{"0002_unique.up.sql:3:30 D002 error: users has 5 rows: ADD COLUMN "
                                                "nickname NOT NULL without a DEFAULT will fail"}));
  Exec(db(), "DELETE FROM users");
  EXPECT_TRUE(Lint(*m).empty());
  // And the statements really do succeed on that data.
  ASSERT_TRUE(m->Up().ok());
}

TEST_F(LintLiveTest, PredictionMatchesWhatUpDoes) {
  dir_.Write("m/0001_users.up.sql", kUsers);
  dir_.Write("m/0002_unique.up.sql", "CREATE UNIQUE INDEX users_email ON users (email);\n");
  auto m = Open();
  ASSERT_TRUE(m->Up({1}).ok());
  Exec(db(), "INSERT INTO users (email) VALUES ('a@x.org'), ('a@x.org')");
  ASSERT_EQ(Lint(*m).size(), 1u);
  EXPECT_FALSE(m->Up().ok()) << "the predicted failure must be real";
}

// A long value is cut, a quote doubled, and no more than three samples are shown.
TEST_F(LintLiveTest, SamplesAreFewAndShort) {
  dir_.Write("m/0001_users.up.sql", kUsers);
  dir_.Write("m/0002_unique.up.sql", "CREATE UNIQUE INDEX users_name ON users (name);\n");
  auto m = Open();
  ASSERT_TRUE(m->Up({1}).ok());
  std::string long_name(60, 'x');
  Exec(db(), "INSERT INTO users (name) VALUES ('" + long_name + "'), ('" + long_name +
                 "'), ('o''hara'), ('o''hara'), ('p'), ('p'), ('q'), ('q'), ('r'), ('r')");
  EXPECT_EQ(Lint(*m), (std::vector<std::string>{"0002_unique.up.sql:1:1 D001 error: 5 values of users(name) are "
                                                "duplicated now (e.g. 'o''hara' x2, 'p' x2, 'q' x2): CREATE UNIQUE "
                                                "INDEX users_name will fail"}));
  Exec(db(), "DELETE FROM users WHERE name <> '" + long_name + "'");
  EXPECT_EQ(Lint(*m), (std::vector<std::string>{"0002_unique.up.sql:1:1 D001 error: 1 value of users(name) is "
                                                "duplicated now (e.g. '" +
                                                std::string(40, 'x') + "...' x2): CREATE UNIQUE INDEX users_name "
                                                "will fail"}));
}

// notes and users.handle exist only once 0002 has run: their data cannot be asked about, and a
// question about them must neither fail lint nor report anything.
TEST_F(LintLiveTest, WhatAPendingMigrationCreatesIsNotAsked) {
  dir_.Write("m/0001_users.up.sql", kUsers);
  dir_.Write("m/0002_notes.up.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n"
                                    "ALTER TABLE users ADD COLUMN handle TEXT;\n");
  dir_.Write("m/0003_unique.up.sql", "CREATE UNIQUE INDEX notes_body ON notes (body);\n"
                                     "CREATE UNIQUE INDEX users_handle ON users (handle);\n"
                                     "ALTER TABLE notes ADD COLUMN title TEXT NOT NULL;\n"
                                     "CREATE UNIQUE INDEX users_email ON users (email);\n");
  auto m = Open();
  ASSERT_TRUE(m->Up({1}).ok());
  Exec(db(), "INSERT INTO users (email) VALUES ('a@x.org'), ('a@x.org')");
  // Only the question about a table and column that exist is asked.
  EXPECT_EQ(Lint(*m), (std::vector<std::string>{"0003_unique.up.sql:4:1 D001 error: 1 value of users(email) is "
                                                "duplicated now (e.g. 'a@x.org' x2): CREATE UNIQUE INDEX users_email "
                                                "will fail"}));
}

// Linting every migration (not only pending ones) asks only about those not applied: 0002 ran on
// an empty table, and its NOT NULL column must not be reported as failing on the rows there now.
TEST_F(LintLiveTest, AppliedMigrationsAreNotAsked) {
  dir_.Write("m/0001_users.up.sql", kUsers);
  dir_.Write("m/0002_nick.up.sql", "ALTER TABLE users ADD COLUMN nick TEXT NOT NULL;\n"
                                   "CREATE UNIQUE INDEX users_name ON users (name);\n");
  dir_.Write("m/0003_unique.up.sql", "CREATE UNIQUE INDEX users_email ON users (email);\n");
  auto m = Open();
  ASSERT_TRUE(m->Up({2}).ok());
  Exec(db(), "INSERT INTO users (email, nick) VALUES ('a@x.org', 'a'), ('a@x.org', 'b')");
  std::string before = Bytes(db());
  auto report = m->Lint({.live_data = true});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Bytes(db()), before);
  EXPECT_EQ(report->migrations, 3u);
  EXPECT_EQ(LiveFindings(*report), (std::vector<std::string>{"0003_unique.up.sql:1:1 D001 error: 1 value of "
                                                             "users(email) is duplicated now (e.g. 'a@x.org' x2): "
                                                             "CREATE UNIQUE INDEX users_email will fail"}));
}

TEST_F(LintLiveTest, EmbeddedSourceAndSeverityOverride) {
  auto m = Migrator::Open(url(), Source::Embedded({{"0001_users.up.sql", kUsers}, {"0002_unique.up.sql", kPending}}),
                          {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE((*m)->Up({1}).ok());
  Exec(db(), "INSERT INTO users (email) VALUES ('a@x.org'), ('a@x.org')");
  LintOptions options = kLive;
  options.severity = {{"D002", LintSeverity::kOff}, {"D001", LintSeverity::kWarning}};
  auto report = (*m)->Lint(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(LiveFindings(*report),
            (std::vector<std::string>{"0002_unique.up.sql:1:1 D001 warning: 1 value of users(email) is duplicated now "
                                      "(e.g. 'a@x.org' x2): CREATE UNIQUE INDEX users_email will fail"}));
}

// A database that does not exist yet has no rows: lint answers, asks nothing and creates nothing.
TEST_F(LintLiveTest, DatabaseThatDoesNotExistIsNotCreated) {
  dir_.Write("m/0001_users.up.sql", kUsers);
  dir_.Write("m/0002_unique.up.sql", kPending);
  auto m = Open();
  auto report = m->Lint(kLive);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(LiveFindings(*report).empty());
  EXPECT_EQ(report->migrations, 2u);
  struct stat st;
  EXPECT_NE(stat(db().c_str(), &st), 0) << "lint created the database";
}

}  // namespace
}  // namespace strata::testing
