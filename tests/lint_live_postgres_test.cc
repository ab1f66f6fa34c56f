// lint's live-data predictions (D001-D004) through the public API on a real PostgreSQL server:
// duplicates, NULLs, orphans and CHECK violations over one- and two-column keys, clean data,
// quoted and schema-qualified names, what a pending migration creates, and the questions that
// cannot be answered (an expression the server rejects, a missing privilege, the statement timeout).
#include <gtest/gtest.h>

#include <chrono>

#include "base/url.h"
#include "core/driver_handle.h"
#include "core/lint.h"
#include "drivers/registry.h"
#include "lint_live_util.h"
#include "pg_test_util.h"
#include "strata/lint.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

const char* kBase =
    "CREATE TABLE orgs (id int PRIMARY KEY, code text);\n"
    "CREATE TABLE users (id int PRIMARY KEY, org_id int, email text, name text, age int);\n"
    "CREATE TABLE teams (org_id int, team text, PRIMARY KEY (org_id, team));\n"
    "CREATE TABLE members (org_id int, team text, user_id int);\n";

const char* kPending =
    "CREATE UNIQUE INDEX users_email ON users (email);\n"
    "ALTER TABLE users ADD CONSTRAINT users_org_name UNIQUE (org_id, name);\n"
    "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
    "ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs;\n"
    "ALTER TABLE members ADD CONSTRAINT members_team_fk FOREIGN KEY (org_id, team) REFERENCES teams (org_id, team);\n"
    "ALTER TABLE users ADD CONSTRAINT users_age CHECK (age >= 0);\n"
    "ALTER TABLE users ADD COLUMN nickname text NOT NULL;\n"
    "ALTER TABLE members ADD PRIMARY KEY (org_id, user_id);\n";

class LintLivePostgresTest : public ::testing::Test {
 protected:
  std::unique_ptr<Migrator> Open(const std::string& url) {
    auto m = Migrator::Open(url, Source::Directory(dir_.Path("m")), {});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }
  // Every table's rows, the history, and the sessions left in a transaction: what lint must not change.
  std::vector<std::string> State() {
    std::vector<std::string> state = db_.Query(
        "SELECT c.relname || ':' || (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM ' || "
        "quote_ident(n.nspname) || '.' || quote_ident(c.relname), false, true, '')))[1]::text FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN "
        "('pg_catalog', 'information_schema') ORDER BY 1");
    state.push_back("history:" + db_.QueryOne("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
                                              "strata_schema_history"));
    state.push_back("in transaction:" + db_.QueryOne("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                                     "current_database() AND state LIKE 'idle in transaction%'"));
    return state;
  }
  std::vector<std::string> Lint(Migrator& m) {
    auto before = State();
    auto report = m.Lint(kLive);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(State(), before) << "lint changed the database";
    EXPECT_TRUE(!report.ok() || InOrder(*report));
    return report.ok() ? LiveFindings(*report) : std::vector<std::string>{"lint failed"};
  }

  PgDatabase db_;
  TempDir dir_;
};

TEST_F(LintLivePostgresTest, DuplicatesNullsOrphansAndViolationsAreCountedWithSamples) {
  dir_.Write("m/0001_base.up.sql", kBase);
  dir_.Write("m/0002_constraints.up.sql", kPending);
  auto m = Open(db_.url());
  ASSERT_TRUE(m->Up({1}).ok());
  db_.Exec("INSERT INTO orgs VALUES (1, 'a'), (2, 'b')");
  // NULL email: no duplicate, but D002; NULL org_id: not checked against orgs; NULL age passes.
  db_.Exec("INSERT INTO users VALUES (1, 1, 'a@x.org', 'ann', 30), (2, 1, 'a@x.org', 'ann', -1), "
           "(3, 9, 'b@x.org', 'bob', NULL), (4, 9, NULL, 'cy', -5), (5, NULL, NULL, 'dee', 20), "
           "(6, 7, 'c@x.org', NULL, 10)");
  db_.Exec("INSERT INTO teams VALUES (1, 'red')");
  // No primary key: rows are named by ctid. (2, NULL) is not checked against teams.
  db_.Exec("INSERT INTO members VALUES (1, 'red', 1), (1, 'blue', 2), (1, 'blue', 2), (2, NULL, 4), "
           "(NULL, 'red', 5)");
  EXPECT_EQ(Lint(*m),
            (std::vector<std::string>{
                "0002_constraints.up.sql:1:1 D001 error: 1 value of users(email) is duplicated now (e.g. 'a@x.org' "
                "x2): CREATE UNIQUE INDEX users_email will fail",
                "0002_constraints.up.sql:2:23 D001 error: 1 value of users(org_id, name) is duplicated now (e.g. "
                "(1, 'ann') x2): ADD UNIQUE users_org_name will fail",
                "0002_constraints.up.sql:3:1 D002 error: 2 rows of users have NULL in email (e.g. id 4, 5): SET NOT "
                "NULL will fail",
                "0002_constraints.up.sql:4:23 D003 error: 3 rows of users(org_id) reference no row of orgs(id) (e.g. "
                "7, 9 x2): ADD FOREIGN KEY users_org_fk will fail",
                "0002_constraints.up.sql:5:25 D003 error: 2 rows of members(org_id, team) reference no row of "
                "teams(org_id, team) (e.g. (1, 'blue') x2): ADD FOREIGN KEY members_team_fk will fail",
                "0002_constraints.up.sql:6:23 D004 error: 2 rows of users violate CHECK (age >= 0) (e.g. id 2, 4): "
                "ADD CHECK users_age will fail",
                "0002_constraints.up.sql:7:30 D002 error: users has 6 rows: ADD COLUMN nickname NOT NULL without a "
                "DEFAULT will fail",
                "0002_constraints.up.sql:8:25 D001 error: 1 value of members(org_id, user_id) is duplicated now (e.g. "
                "(1, 2) x2): ADD PRIMARY KEY will fail",
                "0002_constraints.up.sql:8:25 D002 error: 1 row of members has NULL in org_id (e.g. ctid (0,5)): ADD "
                "PRIMARY KEY will fail",
            }));
}

TEST_F(LintLivePostgresTest, CleanDataIsSilentAndThenMigrates) {
  dir_.Write("m/0001_base.up.sql", kBase);
  // Without the NOT NULL column (a table with rows always fails it), on the same lines.
  std::string pending = kPending;
  const std::string nickname = "ALTER TABLE users ADD COLUMN nickname text NOT NULL;\n";
  pending.replace(pending.find(nickname), nickname.size(), "\n");
  dir_.Write("m/0002_constraints.up.sql", pending);
  auto m = Open(db_.url());
  ASSERT_TRUE(m->Up({1}).ok());
  db_.Exec("INSERT INTO orgs VALUES (1, 'a'), (2, 'b')");
  db_.Exec("INSERT INTO users VALUES (1, 1, 'a@x.org', 'ann', 30), (2, 1, 'b@x.org', NULL, 0), "
           "(3, NULL, 'c@x.org', NULL, NULL), (4, 2, 'd@x.org', 'ann', 1)");
  db_.Exec("INSERT INTO teams VALUES (1, 'red'), (2, 'red')");
  db_.Exec("INSERT INTO members VALUES (1, 'red', 1), (2, 'red', 1), (2, NULL, 2), (1, 'red', 3)");
  EXPECT_TRUE(Lint(*m).empty());
  auto up = m->Up();
  EXPECT_TRUE(up.ok()) << "lint said the data was clean, so the migration must succeed: " << up.status().ToString();
}

TEST_F(LintLivePostgresTest, PredictedFailuresAreReal) {
  dir_.Write("m/0001_base.up.sql", kBase);
  dir_.Write("m/0002_fk.up.sql",
             "ALTER TABLE members ADD CONSTRAINT members_team_fk FOREIGN KEY (org_id, team) REFERENCES teams;\n");
  auto m = Open(db_.url());
  ASSERT_TRUE(m->Up({1}).ok());
  db_.Exec("INSERT INTO teams VALUES (1, 'red')");
  db_.Exec("INSERT INTO members VALUES (1, 'red', 1), (1, 'Red', 2)");
  EXPECT_EQ(Lint(*m), (std::vector<std::string>{"0002_fk.up.sql:1:25 D003 error: 1 row of members(org_id, team) "
                                                "references no row of teams(org_id, team) (e.g. (1, 'Red')): ADD "
                                                "FOREIGN KEY members_team_fk will fail"}));
  EXPECT_FALSE(m->Up().ok());
  db_.Exec("DELETE FROM members WHERE team = 'Red'");
  EXPECT_TRUE(Lint(*m).empty());
  EXPECT_TRUE(m->Up().ok());
}

TEST_F(LintLivePostgresTest, QuotedAndSchemaQualifiedNames) {
  dir_.Write("m/0001_base.up.sql", "CREATE SCHEMA app;\nCREATE TABLE app.\"Accounts\" (\"Email\" text, n int);\n");
  dir_.Write("m/0002_unique.up.sql", "CREATE UNIQUE INDEX acc_email ON app.\"Accounts\" (\"Email\");\n"
                                     "ALTER TABLE app.\"Accounts\" ALTER COLUMN \"Email\" SET NOT NULL;\n");
  auto m = Open(db_.url());
  ASSERT_TRUE(m->Up({1}).ok());
  db_.Exec("INSERT INTO app.\"Accounts\" VALUES ('O''Hara', 1), ('O''Hara', 2), (NULL, 3)");
  EXPECT_EQ(Lint(*m), (std::vector<std::string>{
                          "0002_unique.up.sql:1:1 D001 error: 1 value of app.Accounts(Email) is duplicated now (e.g. "
                          "'O''Hara' x2): CREATE UNIQUE INDEX acc_email will fail",
                          "0002_unique.up.sql:2:1 D002 error: 1 row of app.Accounts has NULL in Email (e.g. ctid "
                          "(0,3)): SET NOT NULL will fail",
                      }));
}

// orders and users.team exist only once 0002 has run; users.org_id's new parent too: no question
// about them may fail lint or report anything.
TEST_F(LintLivePostgresTest, WhatAPendingMigrationCreatesIsNotAsked) {
  dir_.Write("m/0001_base.up.sql", kBase);
  dir_.Write("m/0002_later.up.sql", "CREATE TABLE orders (id int, code text);\nCREATE TABLE regions (id int PRIMARY "
                                    "KEY);\nALTER TABLE users ADD COLUMN handle text;\n");
  dir_.Write("m/0003_use.up.sql", "CREATE UNIQUE INDEX orders_code ON orders (code);\n"
                                  "ALTER TABLE orders ALTER COLUMN code SET NOT NULL;\n"
                                  "ALTER TABLE orders ADD CONSTRAINT orders_pos CHECK (id > 0);\n"
                                  "ALTER TABLE orders ADD COLUMN total int NOT NULL;\n"
                                  "CREATE UNIQUE INDEX users_handle ON users (handle);\n"
                                  "ALTER TABLE users ADD CONSTRAINT users_region FOREIGN KEY (org_id) REFERENCES "
                                  "regions;\n"
                                  "CREATE UNIQUE INDEX users_email ON users (email);\n");
  auto m = Open(db_.url());
  ASSERT_TRUE(m->Up({1}).ok());
  db_.Exec("INSERT INTO users VALUES (1, 5, 'a', 'a', 1), (2, 5, 'a', 'a', 1)");
  // Only the question about a table and columns that exist is asked.
  EXPECT_EQ(Lint(*m), (std::vector<std::string>{"0003_use.up.sql:7:1 D001 error: 1 value of users(email) is "
                                                "duplicated now (e.g. 'a' x2): CREATE UNIQUE INDEX users_email will "
                                                "fail"}));
}

// A question the server refuses is a warning under the rule, with the server's reason; lint goes on.
TEST_F(LintLivePostgresTest, AQuestionThatFailsIsAWarning) {
  dir_.Write("m/0001_base.up.sql", kBase);
  dir_.Write("m/0002_check.up.sql", "ALTER TABLE users ADD CONSTRAINT users_odd CHECK (1 / (age - age) = 0);\n"
                                    "CREATE UNIQUE INDEX users_email ON users (email);\n");
  auto m = Open(db_.url());
  ASSERT_TRUE(m->Up({1}).ok());
  db_.Exec("INSERT INTO users VALUES (1, 1, 'a', 'a', 1), (2, 1, 'a', 'b', 2)");
  auto findings = Lint(*m);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_TRUE(findings[0].starts_with("0002_check.up.sql:1:23 D004 warning: could not ask the database whether rows "
                                      "of users violate CHECK (1 / (age - age) = 0): "))
      << findings[0];
  EXPECT_NE(findings[0].find("division by zero"), std::string::npos) << findings[0];
  EXPECT_TRUE(findings[1].starts_with("0002_check.up.sql:2:1 D001 error: 1 value of users(email)")) << findings[1];
}

// A role that may read the history but not users: the question fails with the server's reason, and
// no password appears in it.
TEST_F(LintLivePostgresTest, MissingPrivilegeIsAWarningWithoutPassword) {
  dir_.Write("m/0001_base.up.sql", kBase);
  dir_.Write("m/0002_unique.up.sql", "CREATE UNIQUE INDEX users_email ON users (email);\n");
  ASSERT_TRUE(Open(db_.url())->Up({1}).ok());
  std::string role = "lint_reader_" + db_.name();
  const std::string password = "reader-Secret-4711";
  db_.Exec("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
  db_.Exec("GRANT SELECT ON strata_schema_history TO " + role);
  db_.Exec("INSERT INTO users VALUES (1, 1, 'a', 'a', 1), (2, 1, 'a', 'b', 2)");
  std::string url = db_.url();
  std::size_t scheme = url.find("://") + 3;
  url = url.substr(0, scheme) + role + ":" + password + url.substr(url.find('@'));
  {
    auto m = Open(url);
    ASSERT_NE(m, nullptr);
    auto report = m->Lint(kLive);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    auto findings = LiveFindings(*report);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_TRUE(findings[0].starts_with("0002_unique.up.sql:1:1 D001 warning: could not ask the database whether "
                                        "users(email) holds duplicates: "))
        << findings[0];
    EXPECT_NE(findings[0].find("permission denied"), std::string::npos) << findings[0];
    EXPECT_EQ(findings[0].find(password), std::string::npos) << findings[0];
  }
  db_.Exec("DROP OWNED BY " + role);
  PgQuery(db_.url(), "DROP ROLE " + role);
}

// A driver on `db` as lint's Migrator opens it, for AskLiveData with a timeout of the test's choosing.
std::unique_ptr<driver::Driver> OpenReadOnly(const PgDatabase& db) {
  auto url = base::ParseDatabaseUrl(db.url());
  EXPECT_TRUE(url.ok()) << url.status().ToString();
  if (!url.ok()) return nullptr;
  auto driver = driver::OpenDriver(*url, core::OpenOptionsFor({}, /*read_only=*/true));
  EXPECT_TRUE(driver.ok()) << driver.status().ToString();
  return driver.ok() ? std::move(*driver) : nullptr;
}

lint::LocatedCheck CheckOn(const std::string& table, const std::string& expression) {
  lint::LocatedCheck check;
  check.check.kind = lint::DataCheckKind::kCheckViolations;
  check.check.table = table;
  check.check.expression = expression;
  check.finding.rule = "D004";
  check.finding.severity = LintSeverity::kError;
  return check;
}

// The statement timeout ends a slow question: a warning, and the connection is usable afterwards.
TEST_F(LintLivePostgresTest, TimeoutIsAWarning) {
  db_.Exec("CREATE TABLE slow (x int); INSERT INTO slow VALUES (1), (2)");
  auto driver = OpenReadOnly(db_);
  ASSERT_NE(driver, nullptr);
  LintReport report;
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(core::AskLiveData(*driver, {CheckOn("slow", "length(pg_sleep(5)::text) = 0")}, report,
                                std::chrono::milliseconds(200))
                  .ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5)) << "the timeout was not applied";
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].severity, LintSeverity::kWarning);
  EXPECT_NE(report.findings[0].message.find("statement timeout"), std::string::npos) << report.findings[0].message;
  LintReport again;
  ASSERT_TRUE(core::AskLiveData(*driver, {CheckOn("slow", "x > 1")}, again).ok());
  ASSERT_EQ(again.findings.size(), 1u);
  EXPECT_EQ(again.findings[0].message, "1 row of slow violates CHECK (x > 1) (e.g. ctid (0,1)): ADD CHECK will fail");
}

// A CHECK text that would smuggle a second statement past the read-only transaction is refused.
TEST_F(LintLivePostgresTest, OnlyOneStatementIsSent) {
  db_.Exec("CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
  auto driver = OpenReadOnly(db_);
  ASSERT_NE(driver, nullptr);
  LintReport report;
  ASSERT_TRUE(core::AskLiveData(*driver, {CheckOn("t", "true); COMMIT; DROP TABLE t; SELECT (1")}, report).ok());
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].severity, LintSeverity::kWarning);
  EXPECT_NE(report.findings[0].message.find("not one SQL statement"), std::string::npos) << report.findings[0].message;
  EXPECT_EQ(db_.QueryOne("SELECT count(*) FROM t"), "1");
}

}  // namespace
}  // namespace strata::testing
