#include "sql/mysql_split.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::sql {
namespace {

// The statements of `text`, or "error@OFFSET: message".
std::vector<std::string> Split(std::string_view text) {
  auto r = SplitMysql(text);
  if (!r.ok()) {
    return {"error@" + std::to_string(r.status().sql_offset().value_or(99999)) + ": " + r.status().message()};
  }
  std::vector<std::string> out;
  for (const StatementSpan& s : *r) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

using Strings = std::vector<std::string>;

TEST(SplitMysql, Accepts) {
  const std::pair<std::string, Strings> cases[] = {
      {"", {}},
      {" \n\t ", {}},
      {";;\n;", {}},
      {"SELECT 1", {"SELECT 1"}},
      {"SELECT 1;", {"SELECT 1"}},
      {"  SELECT 1 ;  SELECT 2;\n", {"SELECT 1", "SELECT 2"}},
      {"SELECT 1;SELECT 2", {"SELECT 1", "SELECT 2"}},
      // Strings: backslash escapes, doubled quotes, either quote inside the other.
      {"SELECT 'a;b', 'it''s;', 'x\\';y';", {"SELECT 'a;b', 'it''s;', 'x\\';y'"}},
      {"SELECT \"a;b\", \"say \"\"hi\"\";\", \"q\\\";\";", {"SELECT \"a;b\", \"say \"\"hi\"\";\", \"q\\\";\""}},
      {"SELECT '\";', \"';\";", {"SELECT '\";', \"';\""}},
      {"SELECT '\\\\';SELECT 2", {"SELECT '\\\\'", "SELECT 2"}},
      // Quoted names: doubled backticks, no backslash escape.
      {"CREATE TABLE `a;b` (`c``;` INT);", {"CREATE TABLE `a;b` (`c``;` INT)"}},
      {"SELECT `a\\`;SELECT 2", {"SELECT `a\\`", "SELECT 2"}},
      // Comments: #, "-- " (blank or control byte after), /* */; "--x" is no comment.
      {"# a; b\nSELECT 1; # c; d\n", {"SELECT 1"}},
      {"-- a;\nSELECT 1 -- b;\n;", {"SELECT 1 -- b;"}},
      {"SELECT 1 --\t;\n;", {"SELECT 1 --\t;"}},
      {"SELECT 1 --", {"SELECT 1 --"}},
      {"SELECT 1--1;SELECT 2", {"SELECT 1--1", "SELECT 2"}},
      {"SELECT 5 --;\nSELECT 6", {"SELECT 5 --", "SELECT 6"}},
      {"/* a; */ SELECT /* ; */ 1; /* tail; */", {"SELECT /* ; */ 1"}},
      {"/* /* ; */ SELECT 1;", {"SELECT 1"}},
      {"SELECT 1 /* c */", {"SELECT 1 /* c */"}},
      {"SELECT 1; -- only a comment\n# another\n/* and */", {"SELECT 1"}},
      {"SELECT '#', '--', '/*';", {"SELECT '#', '--', '/*'"}},
      // Executable comments are SQL and start a statement.
      {"/*!40101 SET NAMES utf8mb4 */;\n/*M!100500 SELECT 1 */;",
       {"/*!40101 SET NAMES utf8mb4 */", "/*M!100500 SELECT 1 */"}},
      {"CREATE TABLE t (a INT) /*!50100 PARTITION BY HASH(a) */;", {"CREATE TABLE t (a INT) /*!50100 PARTITION BY HASH(a) */"}},
      {"/*!50003 SELECT ';' /* in; */ -- x */\n */;", {"/*!50003 SELECT ';' /* in; */ -- x */\n */"}},
      {"/*! SELECT 1 /*! nested; */ */;", {"/*! SELECT 1 /*! nested; */ */"}},
      {"SELECT 1 */;", {"SELECT 1 */"}},
      {"/*m! SELECT 1; */", {}},  // only an upper-case M makes it executable
      // DELIMITER, for stored programs.
      {"DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //\nDELIMITER ;\nCALL p();",
       {"CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", "CALL p()"}},
      {"delimiter $$\nSELECT 1$$SELECT 2 $$\n  Delimiter\t;  \nSELECT 3;", {"SELECT 1", "SELECT 2", "SELECT 3"}},
      {"DELIMITER ;;\n/*!50003 CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END */;;\n"
       "DELIMITER ;\n",
       {"/*!50003 CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END */"}},
      {"DELIMITER //\nSELECT '//', `//`, \"//\" /* // */ //", {"SELECT '//', `//`, \"//\" /* // */"}},
      {"DELIMITER END\nSELECT 1 END", {"SELECT 1"}},
      {"DELIMITER //\r\nSELECT 1//\r\n", {"SELECT 1"}},
      {"-- c\n/* d */\nDELIMITER //\nSELECT 1//", {"SELECT 1"}},
      {"SELECT a,\ndelimiter FROM t;", {"SELECT a,\ndelimiter FROM t"}},
      {"SELECT delimiter FROM t; DELIMITERS", {"SELECT delimiter FROM t", "DELIMITERS"}},
      {"DELIMITER //", {}},
      // Bytes are bytes: UTF-8 and NUL pass through.
      {"SELECT 'é;ü';SELECT `名;前`", {"SELECT 'é;ü'", "SELECT `名;前`"}},
      {std::string("SELECT '\0;';", 12), {std::string("SELECT '\0;'", 11)}},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(Split(text), want) << text;
}

TEST(SplitMysql, Rejects) {
  const std::pair<std::string, std::string> cases[] = {
      {"SELECT 'abc; SELECT 2;",
       "error@7: unterminated string: ' without a closing ' (a backslash escapes the character after it)"},
      {"SELECT 1; SELECT \"x\\\";",
       "error@17: unterminated string: \" without a closing \" (a backslash escapes the character after it)"},
      {"SELECT 'x\\", "error@7: unterminated string: ' without a closing ' (a backslash escapes the character after it)"},
      {"SELECT `a;", "error@7: unterminated quoted name: ` without a closing `"},
      {"SELECT 1; /* open", "error@10: unterminated comment: /* without a closing */"},
      {"SELECT 1 /* open;", "error@9: unterminated comment: /* without a closing */"},
      {"/*!40101 SET x = 1", "error@0: unterminated executable comment: no closing */"},
      {"SELECT /*M! 1", "error@7: unterminated executable comment: no closing */"},
      {"/*! SELECT 1 /* x", "error@13: unterminated comment: /* without a closing */"},
      {"/*!40101 SET @x = 1; */;",
       "error@19: the delimiter ; is inside an executable comment (/*! ... */): the mariadb client would end the "
       "statement here; put it after the */, or change the delimiter with DELIMITER"},
      {"SELECT 1; DELIMITER //\nSELECT 2//",
       "error@10: DELIMITER is a command of the mariadb client, not SQL: put it first on a line of its own"},
      {"/* c */ DELIMITER ;",
       "error@8: DELIMITER is a command of the mariadb client, not SQL: put it first on a line of its own"},
      {"DELIMITER\nSELECT 1;", "error@0: DELIMITER needs the new delimiter on the same line, as in DELIMITER //"},
      {"DELIMITER", "error@0: DELIMITER needs the new delimiter on the same line, as in DELIMITER //"},
      {"DELIMITER   \t\n", "error@0: DELIMITER needs the new delimiter on the same line, as in DELIMITER //"},
      {"DELIMITER $$ x\nSELECT 1$$", "error@13: unexpected text after DELIMITER $$: the rest of its line must be empty"},
      {"DELIMITER '$$'", "error@10: a delimiter cannot contain a quote or a backslash"},
      {"DELIMITER \\d", "error@10: a delimiter cannot contain a quote or a backslash"},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(Split(text), Strings{want}) << text;
}

TEST(SplitMysql, SpansAreByteOffsetsIntoTheText) {
  const std::string text = "-- head\nSELECT 1;\n\nDELIMITER //\nCREATE TRIGGER t BEFORE INSERT ON a\nFOR EACH ROW "
                           "BEGIN SET NEW.x = 1; END//\n";
  auto r = SplitMysql(text);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].begin, 8u);
  EXPECT_EQ((*r)[0].end, 16u);
  EXPECT_EQ((*r)[1].begin, text.find("CREATE"));
  EXPECT_EQ((*r)[1].end, text.rfind("//\n"));
}

// The session's sql_mode decides where a string ends; the split follows it.
TEST(SplitMysql, FollowsTheSessionsQuoting) {
  const MysqlQuoting no_escapes{.backslash_escapes = false};
  const MysqlQuoting ansi{.ansi_quotes = true};
  const Strings unterminated_escaped = {
      "error@7: unterminated string: ' without a closing ' (a backslash escapes the character after it)"};
  auto split = [](std::string_view text, MysqlQuoting q) {
    auto r = SplitMysql(text, q);
    if (!r.ok()) {
      return Strings{"error@" + std::to_string(r.status().sql_offset().value_or(0)) + ": " + r.status().message()};
    }
    Strings out;
    for (const StatementSpan& s : *r) out.emplace_back(text.substr(s.begin, s.end - s.begin));
    return out;
  };
  // 'a\' ends at the second quote without backslash escapes.
  EXPECT_EQ(split("SELECT 'a\\';SELECT 2", no_escapes), (Strings{"SELECT 'a\\'", "SELECT 2"}));
  EXPECT_EQ(split("SELECT 'a\\';SELECT 2", {}), unterminated_escaped);
  EXPECT_EQ(split("SELECT 'a\\';SELECT ';'", no_escapes), (Strings{"SELECT 'a\\'", "SELECT ';'"}));
  EXPECT_EQ(split("SELECT 'x\\\';SELECT 2';", {}), (Strings{"SELECT 'x\\\';SELECT 2'"}));
  EXPECT_EQ(split("SELECT 'x\\\';SELECT 2';", no_escapes),
            Strings{"error@20: unterminated string: ' without a closing '"});
  EXPECT_EQ(split("SELECT 'open\\", no_escapes),
            Strings{"error@7: unterminated string: ' without a closing '"});
  // Under ANSI_QUOTES "..." is a name: no backslash escapes in it.
  EXPECT_EQ(split("SELECT \"a\\\";SELECT 2", ansi), (Strings{"SELECT \"a\\\"", "SELECT 2"}));
  EXPECT_EQ(split("SELECT \"a\\\";SELECT 2\"", {}), (Strings{"SELECT \"a\\\";SELECT 2\""}));
  EXPECT_EQ(split("SELECT \"a", ansi), Strings{"error@7: unterminated quoted name: \" without a closing \""});
  EXPECT_EQ(split("SELECT 'a\\';SELECT 2", ansi), unterminated_escaped);
}

TEST(QuotingForSqlMode, ReadsTheModesThatMoveStringEnds) {
  auto q = QuotingForSqlMode("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION");
  EXPECT_TRUE(q.backslash_escapes);
  EXPECT_FALSE(q.ansi_quotes);
  q = QuotingForSqlMode("no_backslash_escapes");
  EXPECT_FALSE(q.backslash_escapes);
  EXPECT_FALSE(q.ansi_quotes);
  q = QuotingForSqlMode("REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ANSI");
  EXPECT_TRUE(q.backslash_escapes);
  EXPECT_TRUE(q.ansi_quotes);
  EXPECT_TRUE(QuotingForSqlMode("ANSI").ansi_quotes);
  EXPECT_FALSE(QuotingForSqlMode("NOT_ANSI_QUOTES_REALLY").ansi_quotes);
  EXPECT_TRUE(QuotingForSqlMode("").backslash_escapes);
}

// A delimiter changed in one file must not leak into the next: each call starts with ';'.
TEST(SplitMysql, EveryCallStartsWithTheSemicolon) {
  EXPECT_EQ(Split("DELIMITER //\nSELECT 1//"), Strings{"SELECT 1"});
  EXPECT_EQ(Split("SELECT 1; SELECT 2"), (Strings{"SELECT 1", "SELECT 2"}));
}

TEST(IsMysqlSessionSetting, SessionAndUserVariablesNamesRolesAndUse) {
  for (const char* yes : {"SET foreign_key_checks = 0", "set session sql_mode = 'ANSI_QUOTES'",
                          "SET LOCAL unique_checks=0", "SET @@session.time_zone = '+00:00'", "SET @@sql_mode = ''",
                          "SET @n = (SELECT COUNT(*) FROM t)", "SET NAMES utf8mb4", "SET CHARACTER SET latin1",
                          "SET ROLE admin", "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                          "/* why */ SET -- the next line\n foreign_key_checks = 0", "USE other", "use `my db`",
                          "SET x = '@@global.y'"}) {
    EXPECT_TRUE(IsMysqlSessionSetting(yes)) << yes;
  }
}

TEST(IsMysqlSessionSetting, NotWhatTheServerKeepsNorWhatDoesMoreThanSet) {
  for (const char* no : {"SET GLOBAL max_connections = 10", "set persist x = 1", "SET PERSIST_ONLY x = 1",
                         "SET @@global.max_connections = 10", "SET @@ GLOBAL.x = 1",
                         "SET foreign_key_checks = 0, @@global.x = 1", "SET PASSWORD = PASSWORD('x')",
                         "SET PASSWORD FOR bob = 'x'", "SET DEFAULT ROLE admin FOR bob",
                         "SET STATEMENT max_statement_time = 1 FOR SELECT 1",
                         "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "CREATE TABLE t (id INT)",
                         "SET sql_mode = '', GLOBAL max_connections = 10", "SET SESSION a = 1, persist b = 2",
                         "SELECT 1", "UPDATE t SET x = 1", "-- SET x = 1\nSELECT 1", "SET", "USE", "", "  "}) {
    EXPECT_FALSE(IsMysqlSessionSetting(no)) << no;
  }
}

TEST(MysqlRunsInTransaction, DataStatementsAndVariableSettings) {
  for (const char* yes :
       {"SELECT 1", "select * from t for update", "(SELECT 1) UNION (SELECT 2)", "((select 1))",
        "WITH c AS (SELECT 1 AS x) SELECT * FROM c", "INSERT INTO t VALUES (1)", "insert/*c*/into t values (1)",
        "UPDATE t SET v = 1", "DELETE FROM t", "REPLACE INTO t VALUES (1)", "VALUES (1), (2)", "DO SLEEP(0)",
        "SET foreign_key_checks = 0", "SET @n = (SELECT COUNT(*) FROM t)", "SET NAMES utf8mb4",
        "SET GLOBAL max_connections = 10", "SET SESSION sql_mode = ''", "SET ROLE admin",
        "SET @s = 'autocommit'", "SET @label = 'START TRANSACTION'",
        "/*!40101 SET NAMES utf8mb4 */", "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS */",
        "/*M!100100 SET @x = 1 */", "/* why */ INSERT INTO t VALUES (1)"}) {
    EXPECT_TRUE(MysqlRunsInTransaction(yes)) << yes;
  }
}

TEST(MysqlRunsInTransaction, WhatCommitsOrMightCommit) {
  for (const char* no :
       {"CREATE TABLE t (id INT)", "ALTER TABLE t ADD c INT", "DROP TABLE t", "TRUNCATE t", "RENAME TABLE a TO b",
        "/*!40000 ALTER TABLE t DISABLE KEYS */", "LOCK TABLES t WRITE", "UNLOCK TABLES", "START TRANSACTION",
        "BEGIN", "COMMIT", "GRANT SELECT ON t TO bob", "CALL fill()", "EXECUTE s", "PREPARE s FROM 'SELECT 1'",
        "ANALYZE TABLE t", "SET autocommit = 1", "set AUTOCOMMIT=0", "SET @a = 1, autocommit = 1",
        "SET @@autocommit = 1", "SET @@session.autocommit = 1", "SET PASSWORD = PASSWORD('x')",
        "SET DEFAULT ROLE admin FOR bob", "SET STATEMENT max_statement_time = 1 FOR UPDATE t SET v = 1",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET SESSION TRANSACTION READ ONLY", "(CREATE TABLE t (id INT))",
        "SET", "", "  ", "(", "-- only a comment"}) {
    EXPECT_FALSE(MysqlRunsInTransaction(no)) << no;
  }
}

TEST(IsMysqlUse, OnlyUseItself) {
  for (const char* yes : {"USE other", "use `my db`", "  USE other", "/*!40000 USE other */", "-- why\nUSE other",
                          "# why\nuse other"}) {
    EXPECT_TRUE(IsMysqlUse(yes)) << yes;
  }
  for (const char* no : {"SELECT 1", "UPDATE t SET x = 1", "user_id", "SET @use = 1", "/* USE x */ SELECT 1",
                         "-- USE x", "", "  ", "INSERT INTO t VALUES ('USE x')"}) {
    EXPECT_FALSE(IsMysqlUse(no)) << no;
  }
}

TEST(IsMysqlBlock, BeginNotAtomicOnly) {
  EXPECT_TRUE(IsMysqlBlock("BEGIN NOT ATOMIC\n  SELECT 1;\nEND"));
  EXPECT_TRUE(IsMysqlBlock("begin /* why */ not atomic if 1 then select 1; end if; end"));
  for (const char* no : {"BEGIN", "BEGIN WORK", "START TRANSACTION", "SELECT 'BEGIN NOT ATOMIC'", "", "BEGIN NOT"}) {
    EXPECT_FALSE(IsMysqlBlock(no)) << no;
  }
}

TEST(SetsUserVariableFromData, AUserVariableFromACallASubqueryOrAQuery) {
  for (const char* yes : {"SET @n = (SELECT MAX(id) FROM t)", "SET @id = NEXTVAL(s)", "set @a := LAST_INSERT_ID()",
                          "SET foreign_key_checks = 0, @n = (SELECT 1)", "SET sql_mode = CONCAT('a', 'b'), @n = 1 + ABS(-1)",
                          "SELECT MAX(id) INTO @cutoff FROM orders", "select max(id), min(id) into @hi, @lo from t",
                          "SELECT @n := (SELECT 1)", "SELECT @n:=MAX(id) FROM t", "SELECT id FROM t LIMIT 1 INTO @first",
                          "UPDATE t SET x = (@n := @n + 1)"}) {
    EXPECT_TRUE(SetsUserVariableFromData(yes)) << yes;
  }
  for (const char* no : {"SET @tag = 'x(y)'", "SET @a := 1", "SET @b = @a", "SET sql_mode = CONCAT(@@sql_mode, ',X')",
                         "SET NAMES utf8mb4", "SET GLOBAL @x = (SELECT 1)", "SELECT @n", "SELECT @n = 1",
                         "INSERT INTO t SELECT * FROM u", "SELECT 'INTO @x'", "SELECT @@sql_mode INTO OUTFILE '/tmp/x'",
                         "SET @tag = 'x', sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')"}) {
    EXPECT_FALSE(SetsUserVariableFromData(no)) << no;
  }
}

TEST(MysqlSessionObject, TemporaryTablesAndPreparedStatements) {
  EXPECT_EQ(MysqlSessionObject("CREATE TEMPORARY TABLE ids (id INT)"), "a temporary table");
  EXPECT_EQ(MysqlSessionObject("create or replace temporary table ids AS SELECT 1"), "a temporary table");
  EXPECT_EQ(MysqlSessionObject("/* why */ CREATE TEMPORARY TABLE IF NOT EXISTS ids (id INT)"), "a temporary table");
  EXPECT_EQ(MysqlSessionObject("PREPARE s FROM 'SELECT 1'"), "a prepared statement");
  for (const char* no : {"CREATE TABLE temporary (id INT)", "CREATE TABLE t (temporary INT)", "EXECUTE s",
                         "DROP TEMPORARY TABLE ids", "SET @x = 'CREATE TEMPORARY TABLE'", "", "CREATE OR REPLACE"}) {
    EXPECT_EQ(MysqlSessionObject(no), "") << no;
  }
}

}  // namespace
}  // namespace strata::sql
