#include "sql/destructive.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::sql {
namespace {

// "KIND schema.table.column @offset" (+ " <- into" when copied_into is set), with the check that
// the offset and statement agree with the analyzed text.
std::string Describe(std::string_view sql, const Destructive& d) {
  std::string out = DestructiveKindName(d.kind);
  out += " " + (d.schema.empty() ? "" : d.schema + ".") + d.table;
  if (!d.column.empty()) out += "." + d.column;
  out += " @" + std::to_string(d.offset);
  if (!d.copied_into.empty()) out += " <- " + d.copied_into;
  if (!d.renamed_to.empty()) out += " -> " + d.renamed_to;
  if (d.cascade) out += " CASCADE";
  if (d.offset > sql.size() || sql.substr(d.offset, d.statement.size()) != d.statement) {
    out += " [statement does not match the text at its offset: '" + d.statement + "']";
  }
  return out;
}

using Analyze = Result<Analysis> (*)(std::string_view);

std::vector<std::string> Found(Analyze analyze, std::string_view sql) {
  Result<Analysis> result = analyze(sql);
  if (!result.ok()) return {"error: " + result.status().ToString()};
  std::vector<std::string> out;
  for (const Destructive& d : result->destructive) out.push_back(Describe(sql, d));
  return out;
}

struct Case {
  std::string sql;
  std::vector<std::string> want;
};

void RunCases(Analyze analyze, const std::vector<Case>& cases) {
  for (const Case& c : cases) EXPECT_EQ(Found(analyze, c.sql), c.want) << c.sql;
}

TEST(DestructiveKindName, NamesEveryKind) {
  EXPECT_STREQ(DestructiveKindName(DestructiveKind::kDropTable), "DROP TABLE");
  EXPECT_STREQ(DestructiveKindName(DestructiveKind::kDropColumn), "DROP COLUMN");
  EXPECT_STREQ(DestructiveKindName(DestructiveKind::kTruncate), "TRUNCATE");
  EXPECT_STREQ(DestructiveKindName(DestructiveKind::kDeleteAll), "DELETE without WHERE");
  EXPECT_STREQ(DestructiveKindName(DestructiveKind::kDropSchemaCascade), "DROP SCHEMA ... CASCADE");
}

TEST(AnalyzeSqlite, FindsEveryKind) {
  RunCases(AnalyzeSqlite,
           {
               {"DROP TABLE t;", {"DROP TABLE t @0"}},
               {"drop table if exists main.\"Users\";", {"DROP TABLE main.Users @0"}},
               {"DROP TABLE [my table]; DROP TABLE `Odd``Name`", {"DROP TABLE my table @0", "DROP TABLE Odd`Name @23"}},
               {"DROP TABLE \"a\"\"b\"", {"DROP TABLE a\"b @0"}},
               {"ALTER TABLE t DROP COLUMN c;", {"DROP COLUMN t.c @0"}},
               {"alter table Main.`T` drop \"Col\";", {"DROP COLUMN Main.T.Col @0"}},
               {"ALTER TABLE t DROP COLUMN \"drop\";", {"DROP COLUMN t.drop @0"}},
               {"ALTER TABLE m DROP CONSTRAINT ck;", {}},
               {"ALTER TABLE m DROP CONSTRAINT IF EXISTS ck;", {}},
               {"ALTER TABLE t DROP COLUMN IF EXISTS c;", {"DROP COLUMN t.c @0"}},
               {"ALTER TABLE t ALTER COLUMN c TYPE TEXT, DROP COLUMN d, DROP e, DROP CONSTRAINT k;",
                {"DROP COLUMN t.d @0", "DROP COLUMN t.e @0"}},
               {"ALTER TABLE t ALTER COLUMN drop SET NOT NULL;", {}},
               {"ALTER TABLE t ADD CONSTRAINT k CHECK (a IN (1, 2)), ALTER COLUMN b DROP DEFAULT;", {}},
               {"ALTER TABLE m DROP constraint;", {"DROP COLUMN m.constraint @0"}},
               {"ALTER TABLE m DROP COLUMN constraint;", {"DROP COLUMN m.constraint @0"}},
               {"ALTER TABLE users RENAME TO old_users; DROP TABLE old_users;",
                {"RENAME users @0 -> old_users", "DROP TABLE old_users @39"}},
               {"DELETE FROM t;", {"DELETE without WHERE t @0"}},
               {"delete from main.t returning *", {"DELETE without WHERE main.t @0"}},
               {"DELETE FROM t RETURNING (SELECT 1 WHERE 1);", {"DELETE without WHERE t @0"}},
               {"WITH x AS (SELECT 1 WHERE 1) DELETE FROM t;", {"DELETE without WHERE t @0"}},
               {"WITH RECURSIVE x(n) AS (SELECT 1 UNION SELECT n + 1 FROM x WHERE n < 3) DELETE FROM t;",
                {"DELETE without WHERE t @0"}},
               {"SELECT 1;\n  -- note\n  DROP TABLE a;", {"DROP TABLE a @22"}},
               {"DROP TABLE \"\";", {"DROP TABLE  @0"}},  // SQLite accepts "" as a name (found by fuzzing)
           });
}

TEST(AnalyzeSqlite, IgnoresWhatDestroysNothingNow) {
  RunCases(AnalyzeSqlite,
           {
               {"DELETE FROM t WHERE a = 1;", {}},
               {"WITH x AS (SELECT id FROM u) DELETE FROM t WHERE id IN (SELECT id FROM x);", {}},
               {"DROP INDEX i; DROP VIEW v; DROP TRIGGER tr;", {}},
               {"CREATE TABLE t (a INTEGER, \"drop\" TEXT);", {}},
               {"ALTER TABLE t ADD COLUMN \"drop\" TEXT; ALTER TABLE t RENAME COLUMN \"drop\" TO d;", {}},
               {"INSERT INTO log VALUES ('DROP TABLE t; DELETE FROM t;');", {}},
               {"-- DROP TABLE t;\n/* DELETE FROM t; */ SELECT 1;", {}},
               {"SELECT \"drop\", [delete] FROM t; UPDATE t SET \"drop\" = 1;", {}},
               {"CREATE TRIGGER tr AFTER INSERT ON a BEGIN DELETE FROM b; END;", {}},
               {"EXPLAIN DELETE FROM t; EXPLAIN QUERY PLAN DELETE FROM t;", {}},
               {"", {}},
               {"-- only a comment\n/* and another */", {}},
               {";;", {}},
           });
}

TEST(AnalyzeSqlite, OffsetsAreBytesAfterMultiByteComments) {
  const std::string sql = "-- café ☕ naïve\nCREATE TABLE a (x);\n/* ü */ DELETE FROM a;\nDROP TABLE a;";
  // "-- café ☕ naïve\n" is 20 bytes, "CREATE TABLE a (x);\n" 20, "/* ü */ " 9.
  EXPECT_EQ(Found(AnalyzeSqlite, sql), (std::vector<std::string>{"DELETE without WHERE a @49", "DROP TABLE a @64"}));
  Result<Analysis> a = AnalyzeSqlite(sql);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->destructive.size(), 2u);
  EXPECT_EQ(a->destructive[0].statement, "DELETE FROM a");
  EXPECT_EQ(a->destructive[1].statement, "DROP TABLE a");
}

TEST(AnalyzeSqlite, RebuildPatternSetsCopiedInto) {
  const std::string sql =
      "CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n"
      "INSERT INTO new_users (id, email) SELECT id, lower(email) FROM Users;\n"
      "DROP TABLE users;\n"
      "ALTER TABLE new_users RENAME TO users;\n"
      "DROP TABLE audit;\n";
  EXPECT_EQ(Found(AnalyzeSqlite, sql),
            (std::vector<std::string>{"DROP TABLE users @140 <- new_users", "RENAME new_users @158 -> users", "DROP TABLE audit @197"}));
  // Also through a join, a FROM list, a CTE and CREATE TABLE ... AS.
  RunCases(AnalyzeSqlite,
           {
               {"INSERT INTO n SELECT * FROM a JOIN b USING (id); DROP TABLE b;", {"DROP TABLE b @49 <- n"}},
               {"INSERT INTO n SELECT * FROM a AS x, main.b; DROP TABLE main.b;", {"DROP TABLE main.b @44 <- n"}},
               {"WITH s AS (SELECT * FROM t) INSERT INTO n SELECT * FROM s; DROP TABLE t;", {"DROP TABLE t @59 <- n"}},
               {"CREATE TABLE backup AS SELECT * FROM t; DROP TABLE t;", {"DROP TABLE t @40 <- backup"}},
               {"INSERT INTO n VALUES (1); DROP TABLE n;", {"DROP TABLE n @26"}},
               {"DROP TABLE t; INSERT INTO n SELECT * FROM t;", {"DROP TABLE t @0"}},  // copied after: too late
               {"INSERT INTO t SELECT * FROM t; DROP TABLE t;", {"DROP TABLE t @31"}},
           });
}

TEST(AnalyzeSqlite, ReferencedNamesForARebuild) {
  const std::string sql =
      "-- rebuild users: the 'DROP TABLE secret' below is only text\n"
      "CREATE TABLE \"New_Users\" (id INTEGER PRIMARY KEY, email TEXT REFERENCES [Accounts](id));\n"
      "INSERT INTO new_users (id, email) SELECT u.id, lower(u.email) FROM main.Users AS u, plan;\n"
      "INSERT INTO log (msg) VALUES ('DROP TABLE secret');\n"
      "DROP TABLE IF EXISTS users;\n"
      "ALTER TABLE new_users RENAME TO users;\n";
  Result<Analysis> a = AnalyzeSqlite(sql);
  ASSERT_TRUE(a.ok());
  // Table places only: columns (email), aliases (u), functions (lower) and types are not tables.
  EXPECT_EQ(a->referenced, (std::vector<std::string>{"accounts", "log", "new_users", "plan", "users"}));
  ASSERT_EQ(a->destructive.size(), 2u);
  EXPECT_EQ(a->destructive[0].copied_into, "new_users");
  EXPECT_EQ(a->destructive[1].kind, DestructiveKind::kRenameTable);
  EXPECT_EQ(a->destructive[1].renamed_to, "users");
}

TEST(AnalyzePostgres, FindsEveryKind) {
  RunCases(AnalyzePostgres,
           {
               {"DROP TABLE t;", {"DROP TABLE t @0"}},
               {"DROP TABLE IF EXISTS a, \"B\".\"C\", Sch.Tab CASCADE;",
                {"DROP TABLE a @0", "DROP TABLE B.C @0", "DROP TABLE sch.tab @0"}},
               {"drop table \"Users\"; DROP TABLE Users", {"DROP TABLE Users @0", "DROP TABLE users @20"}},
               {"ALTER TABLE ONLY s.t DROP COLUMN IF EXISTS x, DROP \"Y\", ADD COLUMN z int;",
                {"DROP COLUMN s.t.x @0", "DROP COLUMN s.t.Y @0"}},
               {"ALTER TABLE t DROP COLUMN \"drop\";", {"DROP COLUMN t.drop @0"}},
               {"TRUNCATE a, ONLY s.\"B\" RESTART IDENTITY;", {"TRUNCATE a @0", "TRUNCATE s.B @0"}},
               {"TRUNCATE TABLE t", {"TRUNCATE t @0"}},
               {"TRUNCATE parent CASCADE;", {"TRUNCATE parent @0 CASCADE"}},
               {"ALTER TABLE users RENAME TO old_users; DROP TABLE old_users;",
                {"RENAME users @0 -> old_users", "DROP TABLE old_users @39"}},
               {"DELETE FROM t;", {"DELETE without WHERE t @0"}},
               {"DELETE FROM ONLY s.t USING u RETURNING *;", {"DELETE without WHERE s.t @0"}},
               {"WITH x AS (SELECT 1 WHERE true) DELETE FROM t;", {"DELETE without WHERE t @0"}},
               {"WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone;", {"DELETE without WHERE t @0"}},
               {"EXPLAIN ANALYZE DELETE FROM t; EXPLAIN (ANALYZE on) DELETE FROM u;",
                {"DELETE without WHERE t @0", "DELETE without WHERE u @31"}},
               {"DROP SCHEMA a, \"B\" CASCADE;", {"DROP SCHEMA ... CASCADE a. @0", "DROP SCHEMA ... CASCADE B. @0"}},
               {"SELECT 1;\n  -- note\n  DROP TABLE a;", {"DROP TABLE a @22"}},
           });
}

TEST(AnalyzePostgres, IgnoresWhatDestroysNothingNow) {
  RunCases(AnalyzePostgres,
           {
               {"DELETE FROM t WHERE a = 1;", {}},
               {"DELETE FROM t WHERE CURRENT OF c;", {}},
               {"DROP INDEX i; DROP VIEW v; DROP MATERIALIZED VIEW m; DROP SEQUENCE s; DROP TYPE e;", {}},
               {"DROP SCHEMA s; DROP SCHEMA t RESTRICT;", {}},
               {"CREATE TABLE t (a int, \"drop\" text);", {}},
               {"ALTER TABLE t ADD COLUMN \"drop\" text, ALTER COLUMN a TYPE bigint;", {}},
               {"ALTER TABLE t RENAME COLUMN \"drop\" TO d;", {}},
               {"INSERT INTO log VALUES ('DROP TABLE t; DELETE FROM t;');", {}},
               {"-- DROP TABLE t;\n/* /* nested */ DELETE FROM t; */ SELECT 1;", {}},
               {"SELECT \"drop\" FROM t; UPDATE t SET \"drop\" = 1;", {}},
               {"EXPLAIN DELETE FROM t; EXPLAIN (ANALYZE false) DELETE FROM t; EXPLAIN (ANALYZE 0) DELETE FROM t;", {}},
               {"PREPARE p AS DELETE FROM t;", {}},
               {"CREATE RULE r AS ON INSERT TO a DO ALSO DELETE FROM b;", {}},
               {"CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END;", {}},
               {"DO $$BEGIN DELETE FROM t; END$$;", {}},  // documented blind spot: DO bodies are not parsed
               {"", {}},
               {"-- only a comment\n/* and another */", {}},
           });
}

TEST(AnalyzePostgres, OffsetsAreBytesAfterMultiByteComments) {
  const std::string sql = "-- café ☕ naïve\nCREATE TABLE a (x int);\n/* ü */ DELETE FROM a;\nDROP TABLE a;";
  // "-- café ☕ naïve\n" is 20 bytes, "CREATE TABLE a (x int);\n" 24, "/* ü */ " 9.
  EXPECT_EQ(Found(AnalyzePostgres, sql), (std::vector<std::string>{"DELETE without WHERE a @53", "DROP TABLE a @68"}));
  Result<Analysis> a = AnalyzePostgres(sql);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->destructive.size(), 2u);
  EXPECT_EQ(a->destructive[0].statement, "DELETE FROM a");
  EXPECT_EQ(a->destructive[1].statement, "DROP TABLE a");
}

TEST(AnalyzePostgres, RebuildPatternSetsCopiedInto) {
  const std::string sql =
      "CREATE TABLE new_users (id int PRIMARY KEY, email text NOT NULL);\n"
      "INSERT INTO new_users (id, email) SELECT id, lower(email) FROM public.Users;\n"
      "DROP TABLE users;\n"
      "ALTER TABLE new_users RENAME TO users;\n"
      "DROP TABLE audit;\n";
  EXPECT_EQ(Found(AnalyzePostgres, sql),
            (std::vector<std::string>{"DROP TABLE users @143 <- new_users", "RENAME new_users @161 -> users", "DROP TABLE audit @200"}));
  RunCases(AnalyzePostgres,
           {
               {"INSERT INTO n SELECT * FROM a JOIN b USING (id); DROP TABLE b;", {"DROP TABLE b @49 <- n"}},
               {"INSERT INTO n SELECT * FROM (SELECT * FROM s.b) q; DROP TABLE s.b, c;",
                {"DROP TABLE s.b @51 <- n", "DROP TABLE c @51"}},
               {"INSERT INTO n SELECT * FROM x.b; DROP TABLE y.b;", {"DROP TABLE y.b @33"}},
               {"CREATE TABLE backup AS SELECT * FROM t; DROP TABLE t;", {"DROP TABLE t @40 <- backup"}},
               {"SELECT * INTO backup FROM t; DROP TABLE t;", {"DROP TABLE t @29 <- backup"}},
               {"INSERT INTO n VALUES (1); DROP TABLE n;", {"DROP TABLE n @26"}},
               {"DROP TABLE t; INSERT INTO n SELECT * FROM t;", {"DROP TABLE t @0"}},
           });
}

TEST(AnalyzePostgres, ReferencedNamesFromJoinsSubqueriesAndReferences) {
  const std::string sql =
      "CREATE TABLE shop.orders (id int PRIMARY KEY, customer_id int REFERENCES \"Customers\" (id));\n"
      "ALTER TABLE shop.orders ADD COLUMN item_id int REFERENCES items;\n"
      "CREATE VIEW v_totals AS SELECT c.id, sum(o.total) FROM \"Customers\" c\n"
      "  JOIN shop.orders o ON o.customer_id = c.id LEFT JOIN refunds r ON r.order_id = o.id GROUP BY c.id;\n"
      "UPDATE Stock SET n = n - 1 WHERE item_id IN (SELECT item_id FROM pending WHERE EXISTS (SELECT 1 FROM holds));\n"
      "INSERT INTO audit (what) VALUES ('DROP TABLE secret');\n"
      "DROP VIEW IF EXISTS old_view;\n"
      "ALTER TABLE tmp RENAME TO kept;\n";
  Result<Analysis> a = AnalyzePostgres(sql);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->referenced,
            (std::vector<std::string>{"Customers", "audit", "holds", "items", "kept", "old_view", "orders", "pending",
                                      "refunds", "shop.orders", "stock", "tmp", "v_totals"}));
  // Nothing destroyed; the rename is listed so that the guard can follow the table.
  EXPECT_EQ(Found(AnalyzePostgres, sql), (std::vector<std::string>{"RENAME tmp @" + std::to_string(sql.find("ALTER TABLE tmp")) + " -> kept"}));
}

TEST(AnalyzePostgres, FunctionAndDoBodiesContributeTheirWords) {
  Result<Analysis> a = AnalyzePostgres(
      "DO $$BEGIN UPDATE Accounts SET x = 1; END$$;\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT n FROM \"Ledger\"';");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->referenced, (std::vector<std::string>{"Ledger", "accounts", "begin", "end", "from", "n", "select", "set",
                                                     "update", "x"}));
}

TEST(AnalyzePostgres, RejectsWhatDoesNotParseWithTheErrorOffset) {
  struct Bad {
    std::string sql;
    std::size_t offset;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"SELECT 1;\nSELEC 2;", 10},
           {"-- é ☕\nDROP TABLE;", 20},  // the error is at ';', after a 3-byte and a 2-byte character
       }) {
    Result<Analysis> a = AnalyzePostgres(bad.sql);
    ASSERT_FALSE(a.ok()) << bad.sql;
    EXPECT_EQ(a.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(a.status().sql_offset(), bad.offset) << a.status().message();
  }
  Result<Analysis> a = AnalyzePostgres("SELECT 1;\nSELEC 2;");
  EXPECT_EQ(a.status().message(),
            "syntax error at or near \"SELEC\" (strata reads PostgreSQL migrations with the PostgreSQL 15 grammar)");
}

TEST(AnalyzePostgres, InvalidUtf8InANameIsAnErrorAtItsByte) {
  Result<Analysis> a = AnalyzePostgres("SELECT 1;\nDROP TABLE \"a\xff\";");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(a.status().sql_offset(), 23u);
}

}  // namespace
}  // namespace strata::sql

namespace strata::sql {
namespace {

Result<Analysis> AnalyzeMysqlDefault(std::string_view sql) { return AnalyzeMysql(sql); }

TEST(AnalyzeMysql, FindsMariadbForms) {
  RunCases(AnalyzeMysqlDefault,
           {
               {"DROP TABLE `t`;", {"DROP TABLE t @0"}},
               {"DROP TABLE IF EXISTS a, `db`.`B c`;", {"DROP TABLE a @0", "DROP TABLE db.B c @0"}},
               {"DROP TEMPORARY TABLE t;", {}},
               {"DROP TABLES a, b;", {"DROP TABLE a @0", "DROP TABLE b @0"}},
               {"CREATE OR REPLACE TABLE t (id INT);", {"DROP TABLE t @0"}},
               {"create or replace table `db`.`t` AS SELECT 1 AS id", {"DROP TABLE db.t @0"}},
               {"CREATE OR REPLACE TEMPORARY TABLE t (id INT); CREATE OR REPLACE VIEW v AS SELECT 1", {}},
               {"TRUNCATE t; TRUNCATE TABLE `u`", {"TRUNCATE t @0", "TRUNCATE u @12"}},
               {"ALTER TABLE `t` DROP COLUMN `c`", {"DROP COLUMN t.c @0"}},
               {"ALTER TABLE t DROP c, DROP COLUMN IF EXISTS d, ADD e INT",
                {"DROP COLUMN t.c @0", "DROP COLUMN t.d @0"}},
               {"ALTER TABLE t DROP INDEX i, DROP KEY k, DROP PRIMARY KEY, DROP FOREIGN KEY f, DROP CHECK c, "
                "DROP CONSTRAINT x, DROP PARTITION p",
                {}},
               {"ALTER TABLE t RENAME TO u; DROP TABLE u", {"RENAME t @0 -> u", "DROP TABLE u @27"}},
               {"ALTER TABLE t RENAME COLUMN a TO b", {}},
               {"RENAME TABLE a TO b, c TO d", {"RENAME a @0 -> b", "RENAME c @0 -> d"}},
               {"RENAME TABLE a TO ``; ALTER TABLE b RENAME TO ``", {}},  // no name the server takes
               {"DELETE FROM t; DELETE LOW_PRIORITY QUICK FROM u; DELETE FROM v WHERE id = 1",
                {"DELETE without WHERE t @0", "DELETE without WHERE u @15"}},
               {"DELETE t FROM t JOIN u ON t.id = u.id", {}},
               // Comments, strings with backslashes and executable comments are read as the server does.
               {"# DROP TABLE a;\nINSERT INTO t VALUES ('it\\'s; DROP TABLE b');\n-- DROP TABLE c;\n"
                "/* DROP TABLE d; */ SELECT 1;\n/*!50001 DROP TABLE e */",
                {"DROP TABLE e @118"}},
               // "--" with no blank after it is two minus signs, not a comment that hides the rest.
               {"ALTER TABLE t ADD c INT DEFAULT 1--1, DROP COLUMN secret", {"DROP COLUMN t.secret @0"}},
               {"ALTER TABLE t ADD c INT DEFAULT 1--- DROP COLUMN hidden\n, ADD d INT", {}},
               {"DELIMITER //\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN DELETE FROM log; END//\n"
                "DELIMITER ;\nDROP TABLE x;",
                {"DROP TABLE x @104"}},  // the trigger's DELETE runs later, if ever
               // The rebuild pattern: rows copied into the new table first.
               {"CREATE TABLE t2 (id INT); INSERT INTO t2 SELECT id FROM t; DROP TABLE t; RENAME TABLE t2 TO t",
                {"DROP TABLE t @59 <- t2", "RENAME t2 @73 -> t"}},
           });
}

TEST(AnalyzeMysql, ReportsWhereTheTextCannotBeSplit) {
  Result<Analysis> r = AnalyzeMysql("DROP TABLE t; SELECT 'open");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(r.status().sql_offset().has_value());
  EXPECT_EQ(*r.status().sql_offset(), 21u);
}

TEST(AnalyzeMysql, ReferencesBacktickedNames) {
  Result<Analysis> r = AnalyzeMysql("UPDATE `Orders` SET x = 1; INSERT INTO `line items` SELECT * FROM `Stock`");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->referenced, (std::vector<std::string>{"line items", "orders", "stock"}));
}

}  // namespace
}  // namespace strata::sql
