#include "sql/sqlite_split.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/statement.h"

namespace strata::sql {
namespace {

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  for (const StatementSpan& s : SplitSqlite(text)) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

TEST(SplitSqlite, RespectsStringsCommentsQuotesAndTriggers) {
  std::string text =
      "-- leading; comment\n"
      "CREATE TABLE \"weird;name\" (a TEXT DEFAULT 'x;y''z');\n"
      "/* block; comment */ INSERT INTO [a;b] VALUES (1);\n"
      "CREATE TRIGGER t AFTER UPDATE ON a BEGIN\n  UPDATE a SET x = 1; DELETE FROM b;\nEND;\n"
      "SELECT `q;q` FROM x\n"  // no final semicolon, no final newline
      ;
  auto parts = Split(text);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0], "CREATE TABLE \"weird;name\" (a TEXT DEFAULT 'x;y''z');");
  EXPECT_EQ(parts[1], "INSERT INTO [a;b] VALUES (1);");
  EXPECT_EQ(parts[2], "CREATE TRIGGER t AFTER UPDATE ON a BEGIN\n  UPDATE a SET x = 1; DELETE FROM b;\nEND;");
  EXPECT_EQ(parts[3], "SELECT `q;q` FROM x\n");
}

TEST(SplitSqlite, CommentOnlyAndEmpty) {
  EXPECT_TRUE(Split("").empty());
  EXPECT_TRUE(Split("-- just a comment\n/* and another */\n").empty());
  EXPECT_EQ(Split("SELECT 1; -- trailing").size(), 1u);
}

TEST(SplitSqlite, UnterminatedStringIsOneStatement) {
  auto parts = Split("SELECT 'abc; SELECT 2;");
  ASSERT_EQ(parts.size(), 1u);
}

TEST(SqliteStatementAt, TheSpanSplitSqliteGives) {
  const std::string text =
      "  SELECT ';'; -- c\nCREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;\n SELECT 2 /* x */";
  const std::vector<StatementSpan> spans = SplitSqlite(text);
  ASSERT_EQ(spans.size(), 3u);
  std::size_t from = 0;  // where the previous statement ended, then where this one begins
  for (const StatementSpan& s : spans) {
    for (std::size_t at : {from, s.begin}) {
      StatementSpan found = SqliteStatementAt(text, at);
      EXPECT_EQ(found.begin, s.begin) << at;
      EXPECT_EQ(found.end, s.end) << at;
    }
    from = s.end;
  }
  EXPECT_EQ(SqliteStatementAt(text, text.size()).begin, text.size());
  EXPECT_EQ(SqliteStatementAt(text, text.size()).end, text.size());
  EXPECT_EQ(SqliteStatementAt("x; -- only a comment", 2).begin, 20u);
}

TEST(TransactionControl, Classifies) {
  for (const char* yes : {"BEGIN;", "begin transaction;", "  -- c\nCOMMIT;", "END;", "ROLLBACK;", "rollback transaction;",
                          "BEGIN IMMEDIATE;", "START TRANSACTION;", "abort;"}) {
    EXPECT_TRUE(IsTransactionControl(yes)) << yes;
  }
  for (const char* no : {"SAVEPOINT a;", "RELEASE a;", "ROLLBACK TO a;", "ROLLBACK TRANSACTION TO SAVEPOINT a;",
                         "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;", "SELECT 1;", ""}) {
    EXPECT_FALSE(IsTransactionControl(no)) << no;
  }
}

}  // namespace
}  // namespace strata::sql
