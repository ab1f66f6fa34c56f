// The MariaDB connector layer (drivers/mariadb/mariadb_conn.h) against the real server of the
// `mariadb` fixture: connecting over TCP and the socket, rows and NULLs, each kind of error with the
// code that says what to do next, and never a password in a message.
#include "drivers/mariadb/mariadb_conn.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/url.h"
#include "mariadb_test_util.h"
#include "sql/mysql_split.h"

namespace strata::driver::mariadb {
namespace {

using testing::MariadbDatabase;
using testing::MariadbServerUrl;

std::string Password(const std::string& url) {
  std::size_t colon = url.find(':', url.find("//") + 2), at = url.rfind('@');
  return url.substr(colon + 1, at - colon - 1);
}

Result<Connection> Open(const std::string& text) {
  auto url = base::ParseDatabaseUrl(text);
  if (!url.ok()) return url.status();
  return Connection::Open(*url);
}

// Every message a test sees goes through here: no form of either password may show.
void ExpectNoPassword(const Status& st, const std::string& server_url) {
  const std::string text = st.ToString();
  EXPECT_EQ(text.find(Password(server_url)), std::string::npos) << text;
  EXPECT_EQ(text.find("Wr0ngSecret"), std::string::npos) << text;
}

std::string CellOrNull(const QueryResult& r, std::size_t row, std::size_t col) {
  const auto& v = r.rows.at(row).at(col);
  return v ? *v : "NULL";
}

TEST(MariadbConnection, ConnectsAndReadsRows) {
  const std::string server = MariadbServerUrl();
  ASSERT_FALSE(server.empty());
  auto c = Open(server);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto r = c->Query("SELECT 1 AS one, NULL AS nothing, 'é', @@character_set_client, CONNECTION_ID(), DATABASE()");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns, (std::vector<std::string>{"one", "nothing", "é", "@@character_set_client", "CONNECTION_ID()",
                                                  "DATABASE()"}));
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(CellOrNull(*r, 0, 0), "1");
  EXPECT_EQ(CellOrNull(*r, 0, 1), "NULL");
  EXPECT_EQ(CellOrNull(*r, 0, 2), "é");
  EXPECT_EQ(CellOrNull(*r, 0, 3), "utf8mb4");
  EXPECT_EQ(CellOrNull(*r, 0, 4), std::to_string(c->ThreadId()));
  EXPECT_EQ(CellOrNull(*r, 0, 5), "strata_test");
  EXPECT_NE(c->ServerVersion().find("MariaDB"), std::string::npos) << c->ServerVersion();
  EXPECT_EQ(c->redacted_url().find(Password(server)), std::string::npos);
}

TEST(MariadbConnection, ChangesRowsAndQuotes) {
  MariadbDatabase db;
  ASSERT_FALSE(db.url().empty());
  auto c = Open(db.url());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->Exec("CREATE TABLE t (id INT PRIMARY KEY, s TEXT)").ok());
  const std::string tricky = "it's \\ \"x\" ; -- \n é \x01";
  auto ins = c->Query("INSERT INTO t VALUES (1, " + c->Quote(tricky) + "), (2, NULL), (3, '')");
  ASSERT_TRUE(ins.ok()) << ins.status().ToString();
  EXPECT_EQ(ins->affected_rows, 3u);
  EXPECT_TRUE(ins->columns.empty());
  auto r = c->Query("SELECT s FROM t ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(CellOrNull(*r, 0, 0), tricky);
  EXPECT_EQ(CellOrNull(*r, 1, 0), "NULL");
  EXPECT_EQ(CellOrNull(*r, 2, 0), "");
  // Bytes that are not text come back whole (lengths, not C strings).
  auto bin = c->Query("SELECT X'00FF00'");
  ASSERT_TRUE(bin.ok()) << bin.status().ToString();
  EXPECT_EQ(CellOrNull(*bin, 0, 0), std::string("\0\xff\0", 3));
}

TEST(MariadbConnection, ConnectsThroughTheSocket) {
  const std::string server = MariadbServerUrl();
  const std::string socket = testing::MariadbServerSocket();
  ASSERT_FALSE(server.empty());
  ASSERT_FALSE(socket.empty());
  const std::string url = "mariadb://strata:" + Password(server) + "@/strata_test?socket=" + socket;
  auto c = Open(url);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto r = c->Query("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', -1)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(CellOrNull(*r, 0, 0), "localhost");
}

// One statement per call: a second one in the same string is a syntax error, never run.
TEST(MariadbConnection, NeverRunsTwoStatementsInOneString) {
  MariadbDatabase db;
  auto c = Open(db.url());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Status st = c->Exec("CREATE TABLE a (x INT); CREATE TABLE b (x INT)");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kSqlError);
  EXPECT_EQ(c->last_error(), 1064u);
  EXPECT_NE(st.message().find("(error 1064, SQLSTATE 42000)"), std::string::npos) << st.message();
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"),
            std::vector<std::string>{"0"});
}

TEST(MariadbConnection, SqlErrorsKeepTheConnectionUsable) {
  const std::string server = MariadbServerUrl();
  auto c = Open(server);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto r = c->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
  EXPECT_EQ(r.status().message(), "Table 'strata_test.no_such_table' doesn't exist (error 1146, SQLSTATE 42S02)");
  EXPECT_EQ(c->last_error(), 1146u);
  ExpectNoPassword(r.status(), server);
  EXPECT_TRUE(c->Exec("SELECT 1").ok());
  EXPECT_EQ(c->last_error(), 0u);
}

// Rows are read as they arrive, so an error the server meets after sending some of them comes
// after those rows: it must still fail the query, and leave the connection usable.
TEST(MariadbConnection, AnErrorAfterSomeRowsFailsTheQuery) {
  const std::string server = MariadbServerUrl();
  auto c = Open(server);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto r = c->Query("SELECT IF(seq > 2, (SELECT 1 UNION SELECT 2), seq) FROM seq_1_to_5");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
  EXPECT_EQ(c->last_error(), 1242u) << r.status().ToString();  // subquery returns more than 1 row
  auto after = c->Query("SELECT 42");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(CellOrNull(*after, 0, 0), "42");
}

// A callback that stops a stream gets its error back, and everything the statement returned (here
// a procedure's two result sets and its status) is still read, so the next query is in sync.
TEST(MariadbConnection, AStoppedStreamStillReadsEverything) {
  MariadbDatabase db;
  auto c = Open(db.url());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->Exec("CREATE PROCEDURE p() BEGIN SELECT seq FROM seq_1_to_100; SELECT 'second'; END").ok());
  std::vector<std::string> columns;
  int rows = 0;
  auto streamed = c->Stream(
      "CALL p()",
      [&](const std::vector<std::string>& names) {
        columns = names;
        return Status::Ok();
      },
      [&](RowView row) {
        ++rows;
        EXPECT_EQ(row.size(), 1u);
        const bool third = row[0] == std::optional<std::string_view>("3");
        return third ? Status(ErrorCode::kInternal, "stop at 3") : Status::Ok();
      });
  ASSERT_FALSE(streamed.ok());
  EXPECT_EQ(streamed.status().message(), "stop at 3");
  EXPECT_EQ(columns, std::vector<std::string>{"seq"});
  EXPECT_EQ(rows, 3);
  auto after = c->Query("SELECT 'next'");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(CellOrNull(*after, 0, 0), "next");
}

TEST(MariadbConnection, EachConnectFailureHasItsCode) {
  const std::string server = MariadbServerUrl();
  ASSERT_FALSE(server.empty());
  const std::string host_port = server.substr(server.rfind('@') + 1, server.rfind('/') - server.rfind('@') - 1);
  struct Case {
    std::string url;
    ErrorCode code;
    std::string needle;
  } cases[] = {
      {"mariadb://strata:Wr0ngSecret@" + host_port + "/strata_test", ErrorCode::kUnauthenticated,
       "Access denied for user 'strata'@'127.0.0.1' (using password: YES) (error 1045)"},
      {"mariadb://nobody:Wr0ngSecret@" + host_port + "/strata_test", ErrorCode::kUnauthenticated, "(error 1045)"},
      {"mariadb://strata:Wr0ngSecret@127.0.0.1:1/strata_test?connect_timeout=2", ErrorCode::kUnavailable,
       "(error 2002)"},
      {server.substr(0, server.rfind('/')) + "/no_such_db", ErrorCode::kUnavailable,
       "database no_such_db does not exist (Unknown database 'no_such_db') (error 1049)"},
      {"mariadb://strata:Wr0ngSecret@/strata_test?socket=/nonexistent/mysqld.sock", ErrorCode::kUnavailable,
       "(error 2002)"},
      {"mysql://strata:Wr0ngSecret@no-such-host.invalid/strata_test?connect_timeout=2", ErrorCode::kUnavailable,
       "(error 2005)"},
  };
  for (const Case& c : cases) {
    auto conn = Open(c.url);
    ASSERT_FALSE(conn.ok()) << c.url;
    EXPECT_EQ(conn.status().code(), c.code) << conn.status().ToString();
    EXPECT_NE(conn.status().message().find(c.needle), std::string::npos) << conn.status().message();
    EXPECT_EQ(conn.status().message().rfind("cannot connect to mariadb://", 0) == 0 ||
                  conn.status().message().rfind("cannot connect to mysql://", 0) == 0,
              true)
        << conn.status().message();
    ExpectNoPassword(conn.status(), server);
  }
}

TEST(MariadbConnection, AKilledSessionIsUnavailable) {
  const std::string server = MariadbServerUrl();
  auto victim = Open(server);
  auto killer = Open(server);
  ASSERT_TRUE(victim.ok() && killer.ok());
  ASSERT_TRUE(killer->Exec("KILL " + std::to_string(victim->ThreadId())).ok());
  Status st = victim->Exec("SELECT 1");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kUnavailable) << st.ToString();
  EXPECT_EQ(st.message().rfind("lost the connection to mariadb://strata:****@", 0), 0u) << st.message();
  ExpectNoPassword(st, server);
  // No silent reconnect: the session stays gone.
  EXPECT_FALSE(victim->Exec("SELECT 1").ok());
}

// What SplitMysql cuts is what the server runs: a dump-style file with a trigger body inside an
// executable comment, a procedure under DELIMITER, and strings and comments with semicolons.
TEST(MariadbConnection, RunsWhatSplitMysqlCuts) {
  MariadbDatabase db;
  auto c = Open(db.url());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::string file =
      "/*!40101 SET NAMES utf8mb4 */;\n"
      "CREATE TABLE `t;1` (id INT PRIMARY KEY, s VARCHAR(40) DEFAULT 'a;b''c\\';d') -- x;\n"
      "  /*!50100 ENGINE=InnoDB */;\n"
      "# a comment; with a semicolon\n"
      "CREATE TABLE log (msg TEXT);\n"
      "DELIMITER ;;\n"
      "/*!50003 CREATE*/ /*!50003 TRIGGER tr AFTER INSERT ON `t;1` FOR EACH ROW BEGIN\n"
      "  INSERT INTO log VALUES (CONCAT('row ', NEW.id, ';'));\n"
      "  INSERT INTO log VALUES (\"second;\");\n"
      "END */;;\n"
      "DELIMITER //\n"
      "CREATE PROCEDURE fill(n INT) BEGIN\n"
      "  DECLARE i INT DEFAULT 0;\n"
      "  WHILE i < n DO INSERT INTO `t;1` (id) VALUES (i); SET i = i + 1; END WHILE;\n"
      "END //\n"
      "DELIMITER ;\n"
      "CALL fill(3);\n"
      "/*M!100000 SELECT 1 */;\n";
  auto spans = sql::SplitMysql(file);
  ASSERT_TRUE(spans.ok()) << spans.status().message();
  ASSERT_EQ(spans->size(), 7u);
  for (const sql::StatementSpan& s : *spans) {
    Status st = c->Exec(std::string_view(file).substr(s.begin, s.end - s.begin));
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << file.substr(s.begin, s.end - s.begin);
  }
  EXPECT_EQ(db.Query("SELECT COUNT(*), MIN(s) FROM `t;1`"), std::vector<std::string>{"3|a;b'c';d"});
  // One 'row 2;' and a 'second;' for each of the three rows.
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM log WHERE msg IN ('row 2;', 'second;')"), std::vector<std::string>{"4"});
  // The connection is in sync after the CALL's extra result.
  EXPECT_TRUE(c->Exec("SELECT 1").ok());
}

}  // namespace
}  // namespace strata::driver::mariadb
