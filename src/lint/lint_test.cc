// The lint rules, table-driven through the public API: each rule fires on its bad example at the
// right line and column, and stays silent on its safe rewrite and on a table the same migration
// created.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "strata/migrator.h"

namespace strata {
namespace {

constexpr const char* kPgSchema =
    "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(50), name text, age int, score numeric(5,2));\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n";

constexpr const char* kSqliteSchema =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, age INT);\n"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id));\n"
    "CREATE INDEX orders_user ON orders (user_id);\n";

constexpr const char* kMariadbSchema =
    "CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(50), name VARCHAR(255), age INT(11),\n"
    "  note VARCHAR(300), status ENUM('a','b') NOT NULL DEFAULT 'a') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
    "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id BIGINT, INDEX orders_user (user_id));\n";

const char* SchemaOf(Engine engine) {
  switch (engine) {
    case Engine::kPostgres: return kPgSchema;
    case Engine::kMariadb: return kMariadbSchema;
    case Engine::kSqlite: break;
  }
  return kSqliteSchema;
}

// "RULE@line:col" for each finding of migration 2, in order.
std::vector<std::string> Findings(Engine engine, const std::string& sql, const LintOptions& extra = {}) {
  Source source = Source::Embedded({{"v001_schema.sql", SchemaOf(engine)}, {"v002_change.sql", sql}}, "m");
  LintOptions options = extra;
  options.engine = engine;
  auto report = LintSource(source, options);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  std::vector<std::string> out;
  if (!report.ok()) return {"<error>"};
  EXPECT_EQ(report->migrations, 2u);
  for (const LintFinding& f : report->findings) {
    EXPECT_EQ(f.version, 2u) << f.rule << " in the schema migration: " << f.message;
    EXPECT_FALSE(f.message.empty()) << f.rule;
    out.push_back(f.rule + "@" + std::to_string(f.line) + ":" + std::to_string(f.column));
  }
  return out;
}

using V = std::vector<std::string>;

struct Case {
  const char* name;
  const char* sql;
  V expected;
};

class PgRules : public testing::TestWithParam<Case> {};

TEST_P(PgRules, FiresWhereExpected) {
  EXPECT_EQ(Findings(Engine::kPostgres, GetParam().sql), GetParam().expected) << GetParam().sql;
}

INSTANTIATE_TEST_SUITE_P(
    Lint, PgRules,
    testing::Values(
        Case{"PG001_Bad", "CREATE INDEX users_email ON users (email);", {"PG001@1:1"}},
        Case{"PG001_Safe", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);", {}},
        Case{"PG001_NewTable", "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);", {}},
        Case{"PG002_CreateIndex", "CREATE INDEX CONCURRENTLY users_email ON users (email);", {"PG002@1:1"}},
        Case{"PG002_DropIndex", "\n  DROP INDEX CONCURRENTLY users_email;", {"PG002@2:3"}},
        Case{"PG002_Reindex", "REINDEX INDEX CONCURRENTLY users_email;", {"PG002@1:1"}},
        Case{"PG002_NewTableStillFails", "CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);",
             {"PG002@2:1"}},
        Case{"PG002_Safe", "-- strata:no-transaction\nDROP INDEX CONCURRENTLY users_email;", {}},
        Case{"PG003_Bad", "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
             {"PG003@1:24"}},
        Case{"PG003_Safe",
             "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;", {}},
        Case{"PG003_NewTable",
             "CREATE TABLE t (a bigint);\nALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES users (id);", {}},
        Case{"PG004_Bad", "ALTER TABLE users ADD CONSTRAINT ck CHECK (age > 0);", {"PG004@1:23"}},
        Case{"PG004_Safe", "ALTER TABLE users ADD CONSTRAINT ck CHECK (age > 0) NOT VALID;", {}},
        Case{"PG005_Bad", "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", {"PG005@1:1"}},
        Case{"PG005_Safe", "ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;", {}},
        Case{"PG005_NewTable", "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;", {}},
        Case{"PG006_Bad", "ALTER TABLE users ALTER COLUMN age TYPE bigint;", {"PG006@1:1"}},
        Case{"PG006_Shrink", "ALTER TABLE users ALTER COLUMN email TYPE varchar(20);", {"PG006@1:1"}},
        Case{"PG006_Using", "ALTER TABLE users ALTER COLUMN email TYPE varchar(80) USING lower(email);", {"PG006@1:1"}},
        Case{"PG006_UnknownColumn", "ALTER TABLE other ALTER COLUMN x TYPE varchar(80);", {"PG006@1:1"}},
        Case{"PG006_SafeLonger", "ALTER TABLE users ALTER COLUMN email TYPE varchar(100);", {}},
        Case{"PG006_SafeText", "ALTER TABLE users ALTER COLUMN email SET DATA TYPE text;", {}},
        Case{"PG006_SafeNumeric", "ALTER TABLE users ALTER COLUMN score TYPE numeric(9,2);", {}},
        Case{"PG006_AfterEarlierChange",
             "ALTER TABLE users ALTER COLUMN email TYPE text;\nALTER TABLE users ALTER COLUMN email TYPE varchar(10);",
             {"PG006@2:1"}},
        Case{"PG007_Bad", "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", {"PG007@1:30"}},
        Case{"PG007_Serial", "ALTER TABLE users ADD COLUMN seq bigserial;", {"PG007@1:30"}},
        Case{"PG007_SafeStable", "ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT now();", {}},
        Case{"PG008_Bad", "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", {"PG008@1:23"}},
        Case{"PG008_Safe", "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email;", {}},
        Case{"M001_Bad", "ALTER TABLE users ADD COLUMN plan text NOT NULL;", {"M001@1:30"}},
        Case{"M001_Safe", "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';", {}},
        Case{"M001_NewTable", "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;", {}},
        Case{"M002_Bad", "ALTER TABLE users DROP COLUMN age;", {"M002@1:1"}},
        Case{"M003_Column", "ALTER TABLE users RENAME COLUMN name TO full_name;", {"M003@1:1"}},
        Case{"M003_Table", "ALTER TABLE users RENAME TO people;", {"M003@1:1"}},
        Case{"M003_NewTable", "CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;\nALTER TABLE u RENAME a TO b;", {}},
        Case{"M004_Bad", "DROP TABLE orders;", {"M004@1:1"}},
        Case{"M004_NewTable", "CREATE TABLE tmp (a int);\nDROP TABLE tmp;", {}},
        Case{"M005_Update", "UPDATE users SET age = 0;", {"M005@1:1"}},
        Case{"M005_Delete", "DELETE FROM orders;", {"M005@1:1"}},
        Case{"M005_Safe", "UPDATE users SET age = 0 WHERE age IS NULL;", {}},
        Case{"M005_FunctionBodyOutOfScope", "DO $$ BEGIN UPDATE users SET age = 0; END $$;", {}},
        Case{"L002_DoesNotParse", "CREATE TABLE (;", {"L002@1:14"}},
        Case{"L002_NoIgnoreFindingsWhenNothingParsed",
             "-- strata:lint-ignore M005: fine\nUPDATE users SET age = 0;\nCREATE TABLE (;", {"L002@3:14"}},
        Case{"PG004_CheckWithACommentInside",
             "ALTER TABLE users ADD CONSTRAINT check_age CHECK (age >= 0 -- can't be negative\n);", {"PG004@1:23"}}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

class SqliteRules : public testing::TestWithParam<Case> {};

TEST_P(SqliteRules, FiresWhereExpected) {
  EXPECT_EQ(Findings(Engine::kSqlite, GetParam().sql), GetParam().expected) << GetParam().sql;
}

INSTANTIATE_TEST_SUITE_P(
    Lint, SqliteRules,
    testing::Values(
        Case{"SQ001_Bad", "PRAGMA foreign_keys = OFF;", {"SQ001@1:1"}},
        Case{"SQ001_Schema", "PRAGMA main.foreign_keys=0;", {"SQ001@1:1"}},
        Case{"SQ001_SafeNoTransaction", "-- strata:no-transaction\nPRAGMA foreign_keys = OFF;", {}},
        Case{"SQ001_ReadingIsFine", "PRAGMA foreign_keys;", {}},
        Case{"SQ001_OnIsFoundToo", "PRAGMA foreign_keys = ON;", {"SQ001@1:1"}},
        Case{"SQ002_Dml", "UPDATE users SET name = \"unknown\" WHERE id = 1;", {"SQ002@1:25"}},
        Case{"SQ002_Ddl", "CREATE TABLE t (status TEXT CHECK (status IN (\"a\", 'b')));", {"SQ002@1:47"}},
        // SQLite's grammar reads DEFAULT "x" as a string whatever the switch says: not the misfeature,
        // and the replay goes on past it.
        Case{"SQ002_DefaultIsAStringByTheGrammar",
             "CREATE TABLE t (s TEXT DEFAULT \"x\");\nUPDATE t SET s = \"y\" WHERE rowid = 1;", {"SQ002@2:18"}},
        Case{"L002_ReplayStops", "CREATE INDEX i ON nowhere (a);\nUPDATE users SET name = \"x\" WHERE id = 1;",
             {"L002@1:1"}},
        Case{"SQ002_Safe", "UPDATE users SET name = 'unknown' WHERE \"id\" = 1;", {}},
        // strata rebuilds the table for these (core/rebuild.h), inside the migration's transaction.
        Case{"SQ003_AddConstraintIsRewritten", "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);", {}},
        Case{"SQ003_AlterColumnIsRewritten", "ALTER TABLE users ALTER COLUMN age SET NOT NULL;", {}},
        Case{"SQ003_AddPrimaryKey", "ALTER TABLE users ADD PRIMARY KEY (id);", {"SQ003@1:19"}},
        Case{"SQ003_RewrittenOutsideATransaction",
             "-- strata:no-transaction\nALTER TABLE users ALTER COLUMN age SET NOT NULL;", {"SQ003@2:19"}},
        Case{"SQ003_UniqueColumn", "ALTER TABLE users ADD COLUMN code TEXT UNIQUE;", {"SQ003@1:30"}},
        Case{"SQ003_NonConstantDefault", "ALTER TABLE users ADD COLUMN seen TEXT DEFAULT CURRENT_TIMESTAMP;",
             {"SQ003@1:30"}},
        Case{"SQ003_DropIndexedColumn", "ALTER TABLE orders DROP COLUMN user_id;", {"M002@1:1", "SQ003@1:1"}},
        Case{"M001_Bad", "ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;", {"M001@1:30"}},
        Case{"M001_Safe", "ALTER TABLE users ADD plan TEXT NOT NULL DEFAULT 'free';", {}},
        Case{"M001_NewTable", "CREATE TABLE t (a INT);\nALTER TABLE t ADD COLUMN b INT NOT NULL;", {}},
        Case{"M002_Bad", "ALTER TABLE users DROP COLUMN age;", {"M002@1:1"}},
        Case{"M003_Column", "ALTER TABLE users RENAME name TO full_name;", {"M003@1:1"}},
        Case{"M003_Table", "ALTER TABLE \"users\" RENAME TO people;", {"M003@1:1"}},
        Case{"M003_NewTable", "CREATE TABLE t (a INT);\nALTER TABLE t RENAME TO u;\nALTER TABLE u RENAME a TO b;", {}},
        Case{"M004_Bad", "DROP TABLE IF EXISTS orders;", {"M004@1:1"}},
        Case{"M004_NewTable", "CREATE TABLE tmp (a INT);\nDROP TABLE tmp;", {}},
        Case{"M005_Update", "UPDATE OR IGNORE users SET age = (SELECT 1 WHERE 1);", {"M005@1:1"}},
        Case{"M005_Delete", "DELETE FROM orders;", {"M005@1:1"}},
        Case{"M005_Safe", "DELETE FROM orders WHERE user_id IS NULL;", {}},
        Case{"M005_TriggerBodyIsNotRun",
             "CREATE TRIGGER tr AFTER INSERT ON users BEGIN DELETE FROM orders; END;", {}}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

class MariadbRules : public testing::TestWithParam<Case> {};

TEST_P(MariadbRules, FiresWhereExpected) {
  EXPECT_EQ(Findings(Engine::kMariadb, GetParam().sql), GetParam().expected) << GetParam().sql;
}

INSTANTIATE_TEST_SUITE_P(
    Lint, MariadbRules,
    testing::Values(
        Case{"M001_Bad", "ALTER TABLE users ADD COLUMN plan VARCHAR(20) NOT NULL;", {"M001@1:30"}},
        Case{"M001_IfNotExists", "ALTER TABLE users ADD COLUMN IF NOT EXISTS plan INT NOT NULL;", {"M001@1:44"}},
        Case{"M001_Safe", "ALTER TABLE users ADD plan VARCHAR(20) NOT NULL DEFAULT 'free';", {}},
        Case{"M001_AutoIncrement",
             "ALTER TABLE orders ADD COLUMN seq INT NOT NULL AUTO_INCREMENT UNIQUE, LOCK=NONE;", {}},
        Case{"M001_NewTable", "CREATE TABLE t (a INT);\nALTER TABLE t ADD COLUMN b INT NOT NULL;", {}},
        Case{"M002_Bad", "ALTER TABLE `users` DROP COLUMN `age`;", {"M002@1:1"}},
        Case{"M002_WithoutTheWordColumn", "ALTER TABLE users DROP age;", {"M002@1:1"}},
        Case{"M002_DropIndexDropsNoColumn", "ALTER TABLE orders DROP INDEX orders_user;", {}},
        Case{"M002_NewTable", "CREATE TABLE t (a INT, b INT);\nALTER TABLE t DROP COLUMN b;", {}},
        Case{"M003_Column", "ALTER TABLE users RENAME COLUMN name TO full_name;", {"M003@1:19"}},
        Case{"M003_Change", "ALTER TABLE users CHANGE name full_name VARCHAR(255);", {"M003@1:26"}},
        Case{"M003_ChangeKeepsTheName", "ALTER TABLE users CHANGE COLUMN Name name VARCHAR(255) NOT NULL;", {}},
        Case{"M003_RenameTable", "RENAME TABLE users TO people;", {"M003@1:1"}},
        Case{"M003_AlterRename", "ALTER TABLE users RENAME TO people;", {"M003@1:1"}},
        Case{"M003_NewTable", "CREATE TABLE t (a INT);\nRENAME TABLE t TO u;\nALTER TABLE u RENAME COLUMN a TO b;", {}},
        Case{"M004_Bad", "DROP TABLE IF EXISTS orders;", {"M004@1:1"}},
        Case{"M004_Several", "DROP TABLE orders, users;", {"M004@1:1", "M004@1:1"}},
        Case{"M004_InAnExecutableComment", "/*!50001 DROP TABLE orders */;", {"M004@1:1"}},
        Case{"M004_NewTable", "CREATE TABLE tmp (a INT);\nDROP TABLE tmp;", {}},
        Case{"M004_Temporary", "DROP TEMPORARY TABLE orders;", {}},
        Case{"M004_DropTables", "DROP TABLES orders;", {"M004@1:1"}},
        Case{"M004_CreateOrReplaceDropsTheTableFirst", "\nCREATE OR REPLACE TABLE orders (id INT);", {"M004@2:1"}},
        Case{"M004_CreateOrReplaceATableOfThisMigration", "CREATE TABLE t (id INT);\nCREATE OR REPLACE TABLE t (id INT);",
             {}},
        Case{"M005_Update", "UPDATE users SET age = 0;", {"M005@1:1"}},
        Case{"M005_UpdateWithModifiersAndAlias", "UPDATE LOW_PRIORITY IGNORE users u SET u.age = 0;", {"M005@1:1"}},
        Case{"M005_WhereInAStringOrComment", "UPDATE users SET name = 'x WHERE y' # WHERE id = 1\n;", {"M005@1:1"}},
        Case{"M005_Delete", "DELETE QUICK FROM orders;", {"M005@1:1"}},
        Case{"M005_Safe", "UPDATE users SET age = 0 WHERE age IS NULL;", {}},
        Case{"M005_Limit", "DELETE FROM orders ORDER BY id LIMIT 1000;", {}},
        Case{"M005_Join", "UPDATE users u JOIN orders o ON o.user_id = u.id SET u.age = 1;", {}},
        Case{"M005_TriggerBodyIsNotRun",
             "DELIMITER //\nCREATE TRIGGER tr BEFORE UPDATE ON users FOR EACH ROW BEGIN DELETE FROM orders; END//\n"
             "DELIMITER ;\n",
             {}},
        Case{"MY001_DdlThenData",
             "ALTER TABLE users ADD COLUMN plan VARCHAR(20) DEFAULT 'free';\n"
             "UPDATE users SET plan = 'pro' WHERE age > 30;",
             {"MY001@1:1"}},
        Case{"MY001_TwoAlters", "\nALTER TABLE users ADD COLUMN a INT;\nALTER TABLE orders ADD COLUMN b INT;",
             {"MY001@2:1"}},
        Case{"MY001_DataOnlyRunsInOneTransaction",
             "UPDATE users SET age = 1 WHERE id = 1;\nDELETE FROM orders WHERE id = 2;", {}},
        Case{"MY001_SettingsAndExecutableCommentsStayInTheTransaction",
             "/*!40101 SET NAMES utf8mb4 */;\nSET FOREIGN_KEY_CHECKS = 0;\nUPDATE users SET age = 1 WHERE id = 1;\n"
             "DELETE FROM orders WHERE id = 2;",
             {}},
        Case{"MY001_AutocommitEndsTheTransaction",
             "SET autocommit = 1;\nUPDATE users SET age = 1 WHERE id = 1;\nDELETE FROM orders WHERE id = 2;",
             {"MY001@2:1"}},
        Case{"MY001_NoTransaction",
             "-- strata:no-transaction\nUPDATE users SET age = 1 WHERE id = 1;\nDELETE FROM orders WHERE id = 2;",
             {"MY001@2:1"}},
        Case{"MY001_NewTablesDoNotCount",
             "CREATE TABLE t (a INT);\nCREATE INDEX t_a ON t (a);\nINSERT INTO t VALUES (1);\n"
             "ALTER TABLE users ADD COLUMN c INT;",
             {}},
        Case{"MY002_Modify", "ALTER TABLE users MODIFY age BIGINT;", {"MY002@1:19"}},
        Case{"MY002_SameTypeOtherAttributes", "ALTER TABLE users MODIFY COLUMN age INT NOT NULL DEFAULT 0;", {}},
        Case{"MY002_SignednessIsAType", "ALTER TABLE users MODIFY age INT(10) UNSIGNED;", {"MY002@1:19"}},
        Case{"MY002_LongerVarcharSamePrefix", "ALTER TABLE users MODIFY email VARCHAR(60);", {}},
        Case{"MY002_LongerVarcharLongerPrefix", "ALTER TABLE users MODIFY email VARCHAR(100);", {"MY002@1:19"}},
        Case{"MY002_LongerLongVarchar", "ALTER TABLE users MODIFY note VARCHAR(500);", {}},
        Case{"MY002_ShorterVarchar", "ALTER TABLE users MODIFY note VARCHAR(280);", {"MY002@1:19"}},
        Case{"MY002_UnknownColumn", "ALTER TABLE users MODIFY nowhere TEXT;", {"MY002@1:19"}},
        Case{"MY002_InPlaceLockNone", "ALTER TABLE users MODIFY age BIGINT, ALGORITHM=INPLACE, LOCK=NONE;", {}},
        Case{"MY002_LockNone", "ALTER TABLE users MODIFY age BIGINT, LOCK = NONE;", {}},
        Case{"MY002_Online", "ALTER ONLINE TABLE users MODIFY age BIGINT;", {}},
        Case{"MY002_ExplicitCopy", "ALTER TABLE users MODIFY age BIGINT, ALGORITHM=COPY;", {"MY002@1:19"}},
        Case{"MY002_ChangeRenamesAndRetypes", "ALTER TABLE users CHANGE age years SMALLINT;",
             {"MY002@1:19", "M003@1:26"}},
        Case{"MY002_ForeignKey", "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
             {"MY002@1:38"}},
        Case{"MY002_DropPrimaryKey", "ALTER TABLE orders DROP PRIMARY KEY;", {"MY002@1:20"}},
        Case{"MY002_ReplacePrimaryKey", "ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, user_id);",
             {"MY003@1:42"}},
        Case{"MY002_EnumValueAppended", "ALTER TABLE users MODIFY status ENUM('a','b','c') NOT NULL DEFAULT 'a';", {}},
        Case{"MY002_CharsetOnly", "ALTER TABLE users MODIFY email VARCHAR(50) COLLATE utf8mb4_bin;", {"MY002@1:19"}},
        Case{"MY002_EnumValueInserted", "ALTER TABLE users MODIFY status ENUM('a','c','b') NOT NULL;", {"MY002@1:19"}},
        Case{"MY002_ForeignKeyChecksOff",
             "SET foreign_key_checks = 0;\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);\n"
             "SET foreign_key_checks = 1;",
             {}},
        Case{"MY002_Convert", "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;", {"MY002@1:19"}},
        Case{"MY002_DefaultCharsetOnly", "ALTER TABLE users DEFAULT CHARACTER SET utf8mb4;", {}},
        Case{"MY002_Engine", "ALTER TABLE users ENGINE=Aria;", {"MY002@1:19"}},
        Case{"MY002_AutoIncrementColumn", "ALTER TABLE orders ADD COLUMN seq INT NOT NULL AUTO_INCREMENT UNIQUE;",
             {"MY002@1:31"}},
        Case{"MY002_NewTable", "CREATE TABLE t (a INT);\nALTER TABLE t MODIFY a BIGINT;", {}},
        Case{"MY002_TypeFromAnEarlierStatement",
             "-- strata:lint-ignore MY001: two instant changes\nALTER TABLE orders ADD COLUMN n INT;\n"
             "ALTER TABLE orders MODIFY n INT(10) NOT NULL;",
             {}},
        Case{"MY003_AddUnique", "ALTER TABLE users ADD UNIQUE KEY users_email (email);", {"MY003@1:23"}},
        Case{"MY003_ConstraintUnique", "ALTER TABLE users ADD CONSTRAINT uk UNIQUE (email);", {"MY003@1:37"}},
        Case{"MY003_CreateUniqueIndex", "CREATE UNIQUE INDEX users_email ON users (email);", {"MY003@1:1"}},
        Case{"MY003_AddPrimaryKey", "ALTER TABLE users ADD PRIMARY KEY (email);", {"MY003@1:23"}},
        Case{"MY003_PlainIndex", "CREATE INDEX users_email ON users (email);", {}},
        Case{"MY003_NotNullUniqueColumn", "ALTER TABLE users ADD COLUMN code INT NOT NULL UNIQUE;",
             {"M001@1:30", "MY003@1:48"}},
        Case{"MY003_NullableUniqueColumn", "ALTER TABLE users ADD COLUMN code INT UNIQUE;", {}},
        Case{"MY003_AlterIgnore", "ALTER IGNORE TABLE users ADD UNIQUE (email);", {"MY003@1:30"}},
        Case{"MY003_NewTable", "CREATE TABLE t (a INT);\nALTER TABLE t ADD UNIQUE (a);", {}},
        Case{"L002_Unterminated", "UPDATE users SET age = 1;\nUPDATE users SET name = 'x WHERE id = 1;",
             {"L002@2:25"}},
        Case{"Ignored", "-- strata:lint-ignore MY002: 40 rows\nALTER TABLE users MODIFY age BIGINT;", {}},
        Case{"IgnoredWholeFile",
             "-- strata:lint-ignore MY001, M005: the cleanup release\n\nALTER TABLE users ADD COLUMN a INT;\n"
             "UPDATE orders SET user_id = NULL;",
             {}},
        Case{"IgnoreOnlyTheNamedRule", "-- strata:lint-ignore MY002: ok\nUPDATE users SET age = 0;", {"M005@2:1"}}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

class Ignores : public testing::TestWithParam<Case> {};

TEST_P(Ignores, SilenceOnlyWhatTheySay) {
  EXPECT_EQ(Findings(Engine::kSqlite, GetParam().sql), GetParam().expected) << GetParam().sql;
}

INSTANTIATE_TEST_SUITE_P(
    Lint, Ignores,
    testing::Values(
        Case{"Statement", "-- strata:lint-ignore M005: ten rows, all reset on purpose\nUPDATE users SET age = 0;", {}},
        Case{"CommentsBetween", "-- strata:lint-ignore M005: all rows\n-- more words\nUPDATE users SET age = 0;", {}},
        Case{"OnlyTheNextStatement", "-- strata:lint-ignore M005: ok\nUPDATE users SET age = 0;\nDELETE FROM orders;",
             {"M005@3:1"}},
        Case{"OnlyTheNamedRule", "-- strata:lint-ignore M002: ok\nUPDATE users SET age = 0;", {"M005@2:1"}},
        Case{"SeveralRules", "-- strata:lint-ignore M002, M005: ok\nUPDATE users SET age = 0;", {}},
        Case{"WholeFile",
             "-- strata:lint-ignore M005,M002: the cleanup release\n\nUPDATE users SET age = 0;\nALTER TABLE users DROP "
             "COLUMN name;",
             {}},
        Case{"NoReason", "-- strata:lint-ignore M005\nUPDATE users SET age = 0;", {"L001@1:4", "M005@2:1"}},
        Case{"EmptyReason", "-- strata:lint-ignore M005:  \nUPDATE users SET age = 0;", {"L001@1:4", "M005@2:1"}},
        Case{"UnknownRule", "-- strata:lint-ignore X999: why\nUPDATE users SET age = 0;", {"L001@1:4", "M005@2:1"}},
        Case{"LowerCaseRule", "-- strata:lint-ignore m005: why\nUPDATE users SET age = 0;", {"L001@1:4", "M005@2:1"}},
        Case{"PrecedesNothing", "UPDATE users SET age = 0 WHERE id = 1;\n-- strata:lint-ignore M005: why\n\nSELECT 1;",
             {"L001@2:4"}}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Lint, SeverityOverridesAndDisabledRules) {
  LintOptions off;
  off.severity["M005"] = LintSeverity::kOff;
  EXPECT_EQ(Findings(Engine::kPostgres, "UPDATE users SET age = 0;", off), V{});

  LintOptions stricter;
  stricter.severity["PG001"] = LintSeverity::kError;
  Source source = Source::Embedded({{"v001_a.sql", kPgSchema}, {"v002_b.sql", "CREATE INDEX i ON users (email);"}});
  stricter.engine = Engine::kPostgres;
  auto report = LintSource(source, stricter);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->findings.size(), 1u);
  EXPECT_EQ(report->findings[0].severity, LintSeverity::kError);
  EXPECT_EQ(report->errors(), 1u);
  EXPECT_EQ(report->warnings(), 0u);
}

TEST(Lint, ForeignKeysOnIsOnlyAWarningUnlessConfigured) {
  auto severity_of = [](const std::string& sql, const LintOptions& options) {
    Source source = Source::Embedded({{"v001_a.sql", sql}});
    auto report = LintSource(source, options);
    EXPECT_TRUE(report.ok());
    return report.ok() && report->findings.size() == 1 ? report->findings[0].severity : LintSeverity::kOff;
  };
  EXPECT_EQ(severity_of("PRAGMA foreign_keys = OFF;", {}), LintSeverity::kError);
  EXPECT_EQ(severity_of("PRAGMA foreign_keys = 0;", {}), LintSeverity::kError);
  EXPECT_EQ(severity_of("PRAGMA foreign_keys = ON;", {}), LintSeverity::kWarning);
  EXPECT_EQ(severity_of("PRAGMA foreign_keys(1);", {}), LintSeverity::kWarning);
  LintOptions strict;
  strict.severity["SQ001"] = LintSeverity::kError;
  EXPECT_EQ(severity_of("PRAGMA foreign_keys = ON;", strict), LintSeverity::kError);
}

// MariaDB fills a new NOT NULL column without a DEFAULT with the type's implicit default instead
// of failing: M001 is a warning there, unless configured.
TEST(Lint, MariadbM001IsAWarningUnlessConfigured) {
  auto severity_of = [](const LintOptions& extra) {
    LintOptions options = extra;
    options.engine = Engine::kMariadb;
    Source source = Source::Embedded(
        {{"v001_a.sql", kMariadbSchema}, {"v002_b.sql", "ALTER TABLE users ADD COLUMN plan INT NOT NULL;"}});
    auto report = LintSource(source, options);
    EXPECT_TRUE(report.ok());
    if (!report.ok() || report->findings.size() != 1) return LintSeverity::kOff;
    EXPECT_NE(report->findings[0].message.find("implicit default"), std::string::npos) << report->findings[0].message;
    return report->findings[0].severity;
  };
  EXPECT_EQ(severity_of({}), LintSeverity::kWarning);
  LintOptions strict;
  strict.severity["M001"] = LintSeverity::kError;
  EXPECT_EQ(severity_of(strict), LintSeverity::kError);
}

// MY002 says what it knows: the types it compared, and "may" when the type before is unknown.
TEST(Lint, MariadbMy002MessageNamesTheTypes) {
  auto message_of = [](const std::string& sql) {
    LintOptions options;
    options.engine = Engine::kMariadb;
    Source source = Source::Embedded({{"v001_a.sql", kMariadbSchema}, {"v002_b.sql", sql}});
    auto report = LintSource(source, options);
    EXPECT_TRUE(report.ok());
    return report.ok() && report->findings.size() == 1 ? report->findings[0].message : std::string("<none>");
  };
  EXPECT_EQ(message_of("ALTER TABLE users MODIFY age BIGINT;"),
            "ALTER TABLE users copies the table, and writes to it wait until the copy is done (age from int to "
            "bigint)");
  EXPECT_EQ(message_of("ALTER TABLE users MODIFY name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"),
            "ALTER TABLE users may copy the table, and writes to it wait until the copy is done (name from varchar(255) "
            "to varchar(255) character set utf8mb4 collate utf8mb4_bin: a character set or collation that differs "
            "from the column's copies the table)");
  EXPECT_EQ(message_of("ALTER TABLE Users MODIFY nowhere TEXT;"),
            "ALTER TABLE Users may copy the table, and writes to it wait until the copy is done (nowhere to text: the "
            "type before is not known from the migrations, and most type changes copy the table)");
}

TEST(Lint, FindingCarriesFileStatementHintAndMessage) {
  Source source = Source::Embedded({{"v001_a.sql", kPgSchema}, {"v002_b.sql", "\n\nDROP   TABLE\n  orders;\n"}}, "mig");
  LintOptions options;
  options.engine = Engine::kPostgres;
  auto report = LintSource(source, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->findings.size(), 1u);
  const LintFinding& f = report->findings[0];
  EXPECT_EQ(f.rule, "M004");
  EXPECT_EQ(f.file, "mig/v002_b.sql");
  EXPECT_EQ(f.line, 3u);
  EXPECT_EQ(f.column, 1u);
  EXPECT_EQ(f.statement, "DROP TABLE orders");
  EXPECT_NE(f.message.find("orders"), std::string::npos) << f.message;
  EXPECT_NE(f.hint.find("expand"), std::string::npos) << f.hint;
}

TEST(Lint, OnlyTheNamedFilesAndOnlyUpParts) {
  // Embedded contents are views: keep the text alive.
  const std::string first = std::string("-- migrate:up\n") + kSqliteSchema + "-- migrate:down\nDROP TABLE orders;\n";
  Source source = Source::Embedded({{"20250101000000_a.sql", first},
                                    {"20250102000000_b.sql", "-- migrate:up\nDELETE FROM orders;\n"},
                                    {"20250103000000_c.sql", "-- migrate:up\nDELETE FROM users;\n"}});
  LintOptions options;
  options.files = {"some/dir/20250103000000_c.sql"};
  auto report = LintSource(source, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->migrations, 1u);
  ASSERT_EQ(report->findings.size(), 1u);
  EXPECT_EQ(report->findings[0].version, 20250103000000u);

  options.files = {"20250109000000_missing.sql"};
  auto missing = LintSource(source, options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("20250109000000_missing.sql"), std::string::npos);
}

TEST(Lint, SqliteReplayNeverTouchesAFile) {
  // ATTACH and VACUUM INTO would create files: the replay skips them, and nothing is written.
  std::string path = testing::TempDir() + "/lint_attach_probe.db";
  std::remove(path.c_str());
  const std::string sql = "ATTACH DATABASE '" + path + "' AS x;\nVACUUM INTO '" + path + "';\nCREATE TABLE t (a);\n";
  Source source = Source::Embedded({{"v001_a.sql", sql}});
  auto report = LintSource(source);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::FILE* probe = std::fopen(path.c_str(), "r");
  EXPECT_EQ(probe, nullptr) << "lint created " << path;
  if (probe != nullptr) std::fclose(probe);
}

// Up lints exactly what it is about to apply, before anything changes, and an up-to-date database
// costs no lint at all.
TEST(Lint, UpLintsWhatItIsAboutToApplyBeforeAnythingChanges) {
  std::string path = testing::TempDir() + "/lint_up_hook.db";
  std::remove(path.c_str());
  Source source = Source::Embedded({{"v001_a.sql", kSqliteSchema},
                                    {"v002_b.sql", "UPDATE users SET age = 0;"},
                                    {"v003_c.sql", "DELETE FROM orders;"}});
  auto migrator = Migrator::Open("sqlite:" + path, source);
  ASSERT_TRUE(migrator.ok()) << migrator.status().ToString();
  std::vector<std::string> seen;
  UpOptions up;
  up.target = 2;
  up.lint = [&](const LintReport& report) {
    for (const LintFinding& f : report.findings) seen.push_back(f.rule + " v" + std::to_string(f.version));
    return Status::Ok();
  };
  auto first = (*migrator)->Up(up);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"M005 v2"})) << "v3 is beyond the target";

  seen.clear();
  auto again = (*migrator)->Up(up);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(seen.empty()) << "nothing to apply, nothing linted";

  up.target.reset();
  up.lint = [](const LintReport& report) {
    return report.findings.empty() ? Status::Ok() : Status(ErrorCode::kFailedPrecondition, "refused by lint");
  };
  auto refused = (*migrator)->Up(up);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "refused by lint");
  auto status = (*migrator)->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->current_version, 2u) << "a refused run changed nothing";
  std::remove(path.c_str());
}

TEST(Lint, RuleCatalogueIsSortedAndComplete) {
  const std::vector<LintRule>& rules = LintRules();
  for (std::size_t i = 1; i < rules.size(); ++i) EXPECT_LT(std::string(rules[i - 1].id), std::string(rules[i].id));
  for (const char* id : {"PG001", "PG002", "PG003", "PG004", "PG005", "PG006", "PG007", "PG008", "M001", "M002", "M003",
                         "M004", "M005", "SQ001", "SQ002", "SQ003", "D001", "D002", "D003", "D004", "PG100", "L001",
                         "MY001", "MY002", "MY003"}) {
    const LintRule* r = FindLintRule(id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_NE(std::string(r->hint), "") << id;
  }
  EXPECT_EQ(FindLintRule("pg001"), nullptr);
}

}  // namespace
}  // namespace strata
