// The ALTER TABLE forms SQLite lacks, run by strata as a table rebuild, on real SQLite files with
// data: every form, parents with CASCADE / SET NULL / RESTRICT children, indexes, triggers, views,
// AUTOINCREMENT, STRICT and WITHOUT ROWID, row contents before and after, and the violations that
// roll the whole migration back.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

const std::string kSchema =
    "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT, name TEXT DEFAULT 'x', age INT,\n"
    "  CONSTRAINT users_age_check CHECK (age >= 0));\n"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE, total INT);\n"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE SET NULL, body TEXT);\n"
    "CREATE TABLE audits (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE RESTRICT);\n"
    "CREATE INDEX users_email_lower ON users (lower(email));\n"
    "CREATE INDEX users_adults ON users (age) WHERE age >= 18;\n"
    "CREATE VIEW user_totals AS SELECT u.email, sum(o.total) AS total FROM users u JOIN orders o ON o.user_id = u.id "
    "GROUP BY u.email;\n"
    "CREATE TRIGGER users_touch AFTER UPDATE OF name ON users BEGIN UPDATE users SET age = age WHERE id = NEW.id; END;\n"
    "CREATE TRIGGER orders_log AFTER INSERT ON orders BEGIN INSERT INTO audits (user_id) VALUES (NEW.user_id); END;\n"
    "INSERT INTO users (email, name, age) VALUES ('a@x', 'A', 30), ('b@x', 'B', 12), ('c@x', NULL, 40), "
    "('d@x', 'D', 50);\n"
    "DELETE FROM users WHERE id = 4;\n"  // sqlite_sequence stays at 4, above the highest rowid
    "INSERT INTO orders (user_id, total) VALUES (1, 10), (2, 20), (3, 30), (1, 5);\n"
    "INSERT INTO notes (user_id, body) VALUES (1, 'n1'), (3, 'n3');\n";

class RebuildTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Path("app.db"); }
  std::string url() const { return "sqlite:" + db(); }
  std::string Mig(const std::string& name, const std::string& sql) {
    dir_.Write("m/" + name, sql);
    return dir_.Path("m");
  }
  Result<RunReport> Up(UpOptions options = {}) {
    auto m = Migrator::Open(url(), Source::Directory(dir_.Path("m")));
    if (!m.ok()) return m.status();
    return (*m)->Up(options);
  }
  // Every row of every user table, with rowids: what a rebuild must leave as it was.
  std::vector<std::string> Rows(const std::string& table) {
    return Query(db(), "SELECT rowid, * FROM " + table + " ORDER BY rowid");
  }
  std::string Sql(const std::string& name) {
    return QueryOne(db(), "SELECT sql FROM sqlite_schema WHERE name = '" + name + "'");
  }

  TempDir dir_;
};

// Atlas #3317: rebuilding a parent must not delete its children through ON DELETE CASCADE (nor
// null them through SET NULL, nor be refused by RESTRICT).
TEST_F(RebuildTest, RebuildingAParentKeepsEveryChildRow) {
  Mig("v1_init.sql", kSchema);
  ASSERT_TRUE(Up().ok());
  auto users = Rows("users"), orders = Rows("orders"), notes = Rows("notes"), audits = Rows("audits");
  ASSERT_EQ(orders.size(), 4u);
  Mig("v2_email.sql",
      "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n"
      "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anon';\n");
  auto r = Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Rows("users"), users);
  EXPECT_EQ(Rows("orders"), orders);
  EXPECT_EQ(Rows("notes"), notes);
  EXPECT_EQ(Rows("audits"), audits);
  EXPECT_NE(Sql("users").find("CONSTRAINT users_email_key UNIQUE (email)"), std::string::npos) << Sql("users");
  EXPECT_NE(Sql("users").find("DEFAULT 'anon'"), std::string::npos) << Sql("users");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "2");
  // The new constraint holds, and the children still reference the rebuilt table.
  Exec(db(), "PRAGMA foreign_keys = ON");
  EXPECT_EQ(Query(db(), "PRAGMA foreign_key_check").size(), 0u);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM pragma_foreign_key_list('orders') WHERE \"table\" = 'users'"), "1");
}

TEST_F(RebuildTest, EveryFormKeepsIndexesTriggersViewsAndTheSequence) {
  Mig("v1_init.sql", kSchema);
  ASSERT_TRUE(Up().ok());
  auto users = Rows("users");
  Mig("v2_forms.sql",
      "CREATE TABLE teams (id INTEGER PRIMARY KEY);\n"
      "INSERT INTO teams VALUES (1);\n"
      "ALTER TABLE users ADD COLUMN team_id INTEGER DEFAULT 1;\n"
      "ALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE;\n"
      "ALTER TABLE users ADD CONSTRAINT users_name_len CHECK (length(name) < 50);\n"
      "ALTER TABLE users DROP CONSTRAINT users_age_check;\n"
      "ALTER TABLE users ALTER COLUMN age TYPE BIGINT, ALTER COLUMN email SET NOT NULL;\n"
      "ALTER TABLE users ALTER COLUMN name DROP DEFAULT;\n"
      "ALTER TABLE users ALTER COLUMN email SET DEFAULT lower('X');\n"
      "INSERT INTO users (email, name, age) VALUES ('e@x', 'E', -1);\n");
  auto r = Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string ddl = Sql("users");
  for (const char* want : {"CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE",
                           "CONSTRAINT users_name_len CHECK (length(name) < 50)", "age BIGINT",
                           "email TEXT NOT NULL DEFAULT (lower('X'))", "AUTOINCREMENT"}) {
    EXPECT_NE(ddl.find(want), std::string::npos) << want << "\n" << ddl;
  }
  EXPECT_EQ(ddl.find("users_age_check"), std::string::npos) << ddl;
  EXPECT_EQ(ddl.find("DEFAULT 'x'"), std::string::npos) << ddl;
  // Old rows unchanged (with the added column's default); the new one took id 5, after the sequence.
  auto after = Rows("users");
  ASSERT_EQ(after.size(), users.size() + 1);
  for (std::size_t i = 0; i < users.size(); ++i) EXPECT_EQ(after[i], users[i] + "|1");
  EXPECT_EQ(after.back(), "5|5|e@x|E|-1|1");
  EXPECT_EQ(QueryOne(db(), "SELECT seq FROM sqlite_sequence WHERE name = 'users'"), "5");
  for (const char* object : {"users_email_lower", "users_adults", "user_totals", "users_touch", "orders_log"}) {
    EXPECT_FALSE(Sql(object).empty()) << object;
  }
  EXPECT_EQ(QueryOne(db(), "SELECT total FROM user_totals WHERE email = 'a@x'"), "15");
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM users INDEXED BY users_adults WHERE age >= 18"), "2");
  EXPECT_EQ(Query(db(), "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
}

TEST_F(RebuildTest, StrictAndWithoutRowidTablesStaySo) {
  Mig("v1_init.sql",
      "CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER, note TEXT) WITHOUT ROWID;\n"
      "CREATE TABLE s (id INTEGER PRIMARY KEY, n INTEGER, t TEXT) STRICT;\n"
      "INSERT INTO kv VALUES ('a', 1, NULL), ('b', 2, 'x');\n"
      "INSERT INTO s VALUES (7, 1, 'one'), (9, 2, 'two');\n");
  ASSERT_TRUE(Up().ok());
  auto kv = Query(db(), "SELECT * FROM kv ORDER BY k");
  auto s = Rows("s");
  Mig("v2_alter.sql",
      "ALTER TABLE kv ADD CONSTRAINT kv_v_positive CHECK (v > 0);\n"
      "ALTER TABLE s ALTER COLUMN t SET NOT NULL;\n"
      "ALTER TABLE s ALTER COLUMN n TYPE REAL;\n");
  auto r = Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(Sql("kv").find("WITHOUT ROWID"), std::string::npos) << Sql("kv");
  EXPECT_NE(Sql("s").find("STRICT"), std::string::npos) << Sql("s");
  EXPECT_EQ(Query(db(), "SELECT * FROM kv ORDER BY k"), kv);
  EXPECT_EQ(Rows("s"), (std::vector<std::string>{"7|7|1.0|one", "9|9|2.0|two"}));
  EXPECT_EQ(QueryOne(db(), "SELECT typeof(n) FROM s WHERE id = 7"), "real");
}

TEST_F(RebuildTest, DropColumnThatSqliteRefusesDropsItsIndexAndConstraints) {
  Mig("v1_init.sql",
      "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
      "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE, b INT REFERENCES p(id), c TEXT, CHECK (b > 0));\n"
      "CREATE INDEX t_c ON t (c);\n"
      "INSERT INTO p VALUES (1);\n"
      "INSERT INTO t VALUES (1, 'x', 1, 'c1'), (2, 'y', NULL, 'c2');\n");
  ASSERT_TRUE(Up().ok());
  Mig("v2_drop.sql", "ALTER TABLE t DROP COLUMN a;\nALTER TABLE t DROP COLUMN b;\nALTER TABLE t DROP COLUMN c;\n");
  UpOptions force;
  force.safety.force = true;
  auto r = Up(force);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Query(db(), "SELECT * FROM t ORDER BY id"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 't' AND type = 'index'"), "0");
}

TEST_F(RebuildTest, DropColumnThatSqliteCanDoRunsAsWritten) {
  Mig("v1_init.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);\nINSERT INTO t VALUES (1, 'x', 'y');\n");
  ASSERT_TRUE(Up().ok());
  Mig("v2_drop.sql", "ALTER TABLE t DROP COLUMN a;\n");
  UpOptions force;
  force.safety.force = true;
  ASSERT_TRUE(Up(force).ok());
  EXPECT_EQ(Query(db(), "SELECT * FROM t"), std::vector<std::string>{"1|y"});
  // SQLite's own DROP COLUMN edits the stored text in place; a rebuild would have rewritten it.
  EXPECT_EQ(Sql("t"), "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT)");
}

struct Violation {
  const char* name;
  const char* data;
  const char* alter;
  const char* message;
};

class RebuildViolationTest : public RebuildTest, public ::testing::WithParamInterface<Violation> {};

// A constraint that existing rows break rolls the whole migration back and names the constraint,
// the count and the first row ids.
TEST_P(RebuildViolationTest, RollsBackAndNamesTheRows) {
  const Violation& v = GetParam();
  Mig("v1_init.sql", std::string("CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
                                 "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, p_id INTEGER);\n"
                                 "INSERT INTO p VALUES (1), (2);\n") +
                         v.data);
  ASSERT_TRUE(Up().ok());
  auto before = Rows("t");
  std::string ddl = Sql("t");
  Mig("v2_bad.sql", std::string("CREATE TABLE other (x INT);\n") + v.alter);
  auto r = Up();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().ToString().find(v.message), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().ToString().find("v2_bad.sql:2:1"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().ToString().find("rolled back"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");
  EXPECT_EQ(Rows("t"), before);
  EXPECT_EQ(Sql("t"), ddl);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM sqlite_schema WHERE name IN ('other', 't__strata_rebuild')"), "0");
}

INSTANTIATE_TEST_SUITE_P(
    Forms, RebuildViolationTest,
    ::testing::Values(
        Violation{"Unique", "INSERT INTO t VALUES (1, 'x', 1), (2, 'y', 1), (3, 'x', 1), (4, 'x', 2), (5, NULL, 1);\n",
                  "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);\n",
                  "constraint t_a_key: 3 existing row(s) of t share a value with another row (rowids 1, 3, 4)"},
        Violation{"ForeignKey", "INSERT INTO t VALUES (1, 'x', 1), (2, 'y', 7), (3, 'z', NULL), (4, 'w', 9);\n",
                  "ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE;\n",
                  "constraint t_p_fk: 2 row(s) of t have no matching row in p (rowids 2, 4)"},
        Violation{"Check", "INSERT INTO t VALUES (1, 'x', 1), (2, 'yy', 1), (3, 'zzz', 1);\n",
                  "ALTER TABLE t ADD CONSTRAINT t_a_short CHECK (length(a) < 2);\n",
                  "constraint t_a_short: 2 existing row(s) of t fail it (rowids 2, 3)"},
        Violation{"NotNull", "INSERT INTO t VALUES (1, NULL, 1), (2, 'y', 1), (3, NULL, 1);\n",
                  "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n",
                  "constraint NOT NULL on t.a: 2 existing row(s) of t hold NULL (rowids 1, 3)"},
        Violation{"NoSuchConstraint", "", "ALTER TABLE t DROP CONSTRAINT nope;\n",
                  "constraint \"nope\" of table \"t\" does not exist"}),
    [](const ::testing::TestParamInfo<Violation>& info) { return std::string(info.param.name); });

TEST_F(RebuildTest, NoTransactionMigrationIsRefusedBeforeAnythingRuns) {
  Mig("v1_init.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n");
  ASSERT_TRUE(Up().ok());
  Mig("v2_nt.sql", "-- strata:no-transaction\nCREATE TABLE x (y INT);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n");
  auto r = Up();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().ToString().find("v2_nt.sql:3:1"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().ToString().find("needs a table rebuild"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM sqlite_schema WHERE name = 'x'"), "0");
}

// The data guard reads DROP CONSTRAINT as what it is, not as dropping a column named CONSTRAINT,
// and --verify-data proves that the children of a rebuilt parent are unchanged.
TEST_F(RebuildTest, DataGuardAndVerifyDataUnderstandTheRebuild) {
  Mig("v1_init.sql", kSchema);
  ASSERT_TRUE(Up().ok());
  Mig("v2_drop.sql", "ALTER TABLE users DROP CONSTRAINT users_age_check;\n");
  UpOptions options;
  options.safety.verify_data = true;  // no confirm callback: a flagged statement would be refused
  std::string users = QueryOne(db(), "SELECT group_concat(id || ':' || ifnull(name, '-'), ',') FROM users");
  auto r = Up(options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM orders"), "4");
  // The rebuilt table's rows were proved unchanged too, and are.
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(id || ':' || ifnull(name, '-'), ',') FROM users"), users);
  // A new type changes rows by design: only their count is proved.
  Mig("v3_type.sql", "ALTER TABLE users ALTER COLUMN age TYPE TEXT;\n");
  auto typed = Up(options);
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  EXPECT_EQ(QueryOne(db(), "SELECT typeof(age) FROM users WHERE age IS NOT NULL LIMIT 1"), "text");
}

// An application's own connection: the same rebuild, and its foreign keys are on again afterwards,
// after a failure too.
TEST_F(RebuildTest, LentConnectionGetsTheSameRebuildAndItsForeignKeysBack) {
  Mig("v1_init.sql", kSchema);
  Mig("v2_ok.sql", "ALTER TABLE users ALTER COLUMN name SET NOT NULL;\n");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &raw), SQLITE_OK);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> conn(raw, sqlite3_close_v2);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr), SQLITE_OK);
  auto m = Migrator::OpenSqlite(raw, Source::Directory(dir_.Path("m")));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto foreign_keys = [&] {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA foreign_keys", -1, &s, nullptr);
    sqlite3_step(s);
    int on = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return on;
  };
  auto r = (*m)->Up();
  ASSERT_FALSE(r.ok()) << "user 3 has no name";
  EXPECT_NE(r.status().message().find("constraint NOT NULL on users.name: 1 existing row(s)"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(foreign_keys(), 1);
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");
  Exec(db(), "UPDATE users SET name = 'C' WHERE id = 3");
  r = (*m)->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(foreign_keys(), 1);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM orders"), "4");
}

// A down part rebuilds too: the constraint the up part added is dropped again, rows kept.
TEST_F(RebuildTest, DownPartRebuildsToo) {
  Mig("0001_init.up.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\nINSERT INTO t VALUES (1, 'x'), (2, 'y');\n");
  Mig("0001_init.down.sql", "DROP TABLE t;\n");
  Mig("0002_key.up.sql", "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);\n");
  Mig("0002_key.down.sql", "ALTER TABLE t DROP CONSTRAINT t_a_key;\n");
  auto m = Migrator::Open(url(), Source::Directory(dir_.Path("m")));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE((*m)->Up().ok());
  EXPECT_NE(Sql("t").find("t_a_key"), std::string::npos);
  auto down = (*m)->Down();
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(Sql("t").find("t_a_key"), std::string::npos) << Sql("t");
  EXPECT_EQ(Rows("t"), (std::vector<std::string>{"1|1|x", "2|2|y"}));
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");
}

// plan shows, after the migration's own text, the statements of each rebuild as comments; plan
// changes nothing.
TEST_F(RebuildTest, PlanPrintsTheStatementsOfTheRebuild) {
  Mig("v1_init.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\nCREATE INDEX t_a ON t (a);\n");
  ASSERT_TRUE(Up().ok());
  std::string dir = Mig("v2_alter.sql", "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n");
  ProcessResult r = testing::Run({STRATA_BINARY, "--url", url(), "--dir", dir, "plan"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "-- up 2 alter (" + dir + "/v2_alter.sql)\n"
                   "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n\n"
                   "-- SQLite has no such ALTER TABLE: strata rebuilds t instead of running\n"
                   "--   ALTER TABLE t ALTER COLUMN a SET NOT NULL\n"
                   "-- with foreign keys off around the migration's transaction, it runs:\n"
                   "--   CREATE TABLE \"t__strata_rebuild\" (\n"
                   "--     id INTEGER PRIMARY KEY,\n"
                   "--     a TEXT NOT NULL\n"
                   "--   );\n"
                   "--   INSERT INTO \"t__strata_rebuild\" (\"id\", \"a\") SELECT \"id\", \"a\" FROM \"t\";\n"
                   "--   DROP TABLE \"t\";\n"
                   "--   ALTER TABLE \"t__strata_rebuild\" RENAME TO \"t\";\n"
                   "--   CREATE INDEX t_a ON t (a);\n"
                   "--   then PRAGMA foreign_key_check on t and the tables that reference it\n\n");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");
  // A table that an earlier statement of the migration creates is read when the rebuild runs.
  Mig("v2_alter.sql", "CREATE TABLE u (x INT);\nALTER TABLE u ALTER COLUMN x SET NOT NULL;\n");
  r = testing::Run({STRATA_BINARY, "--url", url(), "--dir", dir, "--json", "plan"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("\"rebuilds\":[{\"replaces\":[\"ALTER TABLE u ALTER COLUMN x SET NOT NULL\"],"
                       "\"statements\":[],\"table\":\"u\"}]"),
            std::string::npos)
      << r.out;
}

// A runner killed at any moment of the rebuild of a large table (the copy, the indexes) leaves the
// previous version: the table, its rows, its indexes and the history as they were. The next run
// does the rebuild.
TEST_F(RebuildTest, KilledDuringTheRebuildOfALargeTableLeavesThePreviousVersion) {
  Mig("v1_big.sql",
      "CREATE TABLE big (id INTEGER PRIMARY KEY, a INT, b TEXT, c TEXT);\n"
      "CREATE TABLE kids (id INTEGER PRIMARY KEY, big_id INT REFERENCES big(id) ON DELETE CASCADE);\n"
      "INSERT INTO big SELECT x, x % 1000, hex(randomblob(16)), 'c' || x FROM (WITH RECURSIVE n(x) AS (SELECT 1 "
      "UNION ALL SELECT x + 1 FROM n WHERE x < 500000) SELECT x FROM n);\n"
      "INSERT INTO kids (big_id) SELECT id FROM big WHERE id % 100 = 0;\n"
      "CREATE INDEX big_a ON big (a);\nCREATE INDEX big_b ON big (b);\nCREATE INDEX big_c ON big (c, a);\n");
  ASSERT_TRUE(Up().ok());
  const std::string count = QueryOne(db(), "SELECT count(*) || ',' || sum(a) FROM big");
  const std::string ddl = Sql("big");
  Mig("v2_rebuild.sql", "ALTER TABLE big ALTER COLUMN b SET NOT NULL;\nALTER TABLE big ALTER COLUMN c TYPE VARCHAR(40);\n");
  int pid = Start({STRATA_BINARY, "--url", url(), "--dir", dir_.Path("m"), "up"});
  ASSERT_GT(pid, 0);
  // The rebuild has begun writing once the rollback journal exists; then let it get well into the copy.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && access((db() + "-journal").c_str(), F_OK) != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the rebuild finished before it could be killed";

  EXPECT_EQ(QueryOne(db(), "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(QueryOne(db(), "PRAGMA user_version"), "1");
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) || ',' || sum(a) FROM big"), count);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM kids"), "5000");
  EXPECT_EQ(Sql("big"), ddl);
  EXPECT_EQ(QueryOne(db(), "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE tbl_name LIKE 'big%' "
                           "AND type = 'index' ORDER BY name)"),
            "big_a,big_b,big_c");
  EXPECT_EQ(QueryOne(db(), "SELECT max(version) FROM strata_schema_history"), "1");

  auto r = Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) || ',' || sum(a) FROM big"), count);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM kids"), "5000");
  EXPECT_NE(Sql("big").find("c VARCHAR(40)"), std::string::npos) << Sql("big");
}

}  // namespace
}  // namespace strata::testing
