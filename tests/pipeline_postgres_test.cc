// A transactional migration's statements go to PostgreSQL as one libpq pipeline. These tests hold
// it to what one statement at a time gave: a failure points at its own statement (first, middle,
// last, after multi-byte text), statement events arrive in order, results of any size do not stall
// the pipeline, a lock_timeout keeps its advice, and a connection lost in the middle leaves nothing
// applied (kLockLost, since the run lock lived on that connection, at the statement that was running);
// one lost after the COMMIT was sent is an unknown outcome, not a claimed rollback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "pg_test_util.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

std::unique_ptr<Migrator> Open(const PgDatabase& db, const std::string& dir, Options o = {}) {
  auto m = Migrator::Open(db.url(), Source::Directory(dir), o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

struct Case {
  std::string sql;
  std::size_t line, column;
};

TEST(PipelinePostgres, AFailurePointsAtItsOwnStatementWhereverItIs) {
  const std::vector<Case> cases = {
      {"SELECT 1/0;\nCREATE TABLE a (x int);\nCREATE TABLE b (x int);\n", 1, 1},
      {"CREATE TABLE a (x int);\nINSERT INTO a VALUES ('nope');\nCREATE TABLE b (x int);\n", 2, 23},
      {"CREATE TABLE a (x int);\nCREATE TABLE b (x int);\nINSERT INTO b VALUES (1), ('x');\n", 3, 28},
      // Character positions after multi-byte text map back to the right column.
      {"CREATE TABLE a (x text);\nINSERT INTO a VALUES ('héllo ünïcode'), (nosuchcolumn);\n", 2, 42},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    PgDatabase db;
    TempDir dir;
    dir.Write("m/0001_base.up.sql", "CREATE TABLE base (x int);\n");
    dir.Write("m/0002_bad.up.sql", c.sql);
    auto m = Open(db, dir.Path("m"));
    auto r = m->Up();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kSqlError) << r.status().ToString();
    ASSERT_TRUE(r.status().location().has_value()) << r.status().ToString();
    EXPECT_EQ(r.status().location()->file, dir.Path("m") + "/0002_bad.up.sql");
    EXPECT_EQ(r.status().location()->line, c.line) << r.status().ToString();
    EXPECT_EQ(r.status().location()->column, c.column) << r.status().ToString();
    // Nothing of the failed migration stayed; the connection still works for the next call.
    EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',') FROM strata_schema_history"), "1");
    EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')"), "0");
    auto status = m->GetStatus();
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->current_version, 1u);
  }
}

TEST(PipelinePostgres, StatementEventsArriveInOrderAndLargeResultsDoNotStall) {
  PgDatabase db;
  TempDir dir;
  // 20 MB of rows back from the server while more than 1 MB of statements is still going out.
  std::string sql = "CREATE TABLE big (x text);\nSELECT repeat('x', 1000) FROM generate_series(1, 20000);\n";
  for (int i = 0; i < 200; ++i) sql += "INSERT INTO big VALUES ('" + std::string(6000, 'a' + i % 26) + "');\n";
  sql += "CREATE INDEX big_x ON big (left(x, 10));\n";
  dir.Write("m/0001_big.up.sql", sql);
  auto m = Open(db, dir.Path("m"));
  std::vector<std::string> statements;
  m->SetEventCallback([&](const Event& e) {
    if (e.kind == EventKind::kStatementDone) statements.push_back(e.statement.substr(0, 12));
  });
  auto r = m->Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(statements.size(), 203u);
  EXPECT_EQ(statements.front(), "CREATE TABLE");
  EXPECT_EQ(statements[1], "SELECT repea");
  EXPECT_EQ(statements[2], "INSERT INTO ");
  EXPECT_EQ(statements.back(), "CREATE INDEX");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM big"), "200");
}

TEST(PipelinePostgres, ALockTimeoutInThePipelineKeepsItsAdvice) {
  PgDatabase db;
  db.Exec("CREATE TABLE busy (x int)");
  TempDir dir;
  dir.Write("m/0001_alter.up.sql", "SELECT 1;\nALTER TABLE busy ADD COLUMN y int;\n");
  // Another session holds the table for a few seconds.
  int holder = Start({"/usr/bin/psql", "-X", "-q", db.url(), "-c", "BEGIN; LOCK TABLE busy; SELECT pg_sleep(4); COMMIT;"});
  for (int i = 0; i < 100 && db.QueryOne("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                         "WHERE c.relname = 'busy' AND l.mode = 'AccessExclusiveLock' AND l.granted") != "1";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Options o;
  o.pg_lock_timeout = std::chrono::milliseconds(200);
  auto m = Open(db, dir.Path("m"), o);
  auto r = m->Up();
  int wstatus = 0;
  ::waitpid(holder, &wstatus, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("lock_timeout"), std::string::npos) << r.status().ToString();
  ASSERT_TRUE(r.status().location().has_value());
  EXPECT_EQ(r.status().location()->line, 2u);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM information_schema.columns WHERE table_name = 'busy'"), "1");
}

TEST(PipelinePostgres, AConnectionLostMidPipelineLeavesNothingApplied) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_slow.up.sql",
            "CREATE TABLE a (x int);\nSELECT pg_sleep(30);\nCREATE TABLE b (x int);\n");
  auto m = Open(db, dir.Path("m"));
  Result<RunReport> r = Status(ErrorCode::kInternal, "not run");
  std::thread runner([&] { r = m->Up(); });
  std::string killed = "0";
  for (int i = 0; i < 200 && killed != "1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    killed = PgQuery(PgServerUrl(), "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = '" + db.name() + "' AND query LIKE 'SELECT pg_sleep%') t")
                 .at(0);
  }
  runner.join();
  ASSERT_EQ(killed, "1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kLockLost) << r.status().ToString();
  ASSERT_TRUE(r.status().location().has_value()) << r.status().ToString();
  EXPECT_EQ(r.status().location()->line, 2u) << r.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')"), "0");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history"), "0");
}

// The history row and COMMIT travel in the same pipeline as the statements: a failure of either is
// still a failure of the migration, with nothing of it kept, and the row's time is the server's.
TEST(PipelinePostgres, TheHistoryRowAndCommitInThePipelineFailAsAWhole) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\nSELECT pg_sleep(0.05);\n");
  // Fails at COMMIT: a deferred foreign key that no row satisfies.
  dir.Write("m/0002_deferred.up.sql",
            "CREATE TABLE p (id int PRIMARY KEY);\n"
            "CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
            "INSERT INTO c VALUES (1);\n");
  auto m = Open(db, dir.Path("m"));
  auto r = m->Up();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError) << r.status().ToString();
  EXPECT_NE(r.status().message().find("0002_deferred.up.sql"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("foreign key"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',') FROM strata_schema_history"), "1");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('p', 'c')"), "0");
  // The server timed migration 1 from BEGIN to its history row: the 50 ms sleep at least.
  EXPECT_EQ(db.QueryOne("SELECT execution_ms >= 50 AND execution_ms < 60000 FROM strata_schema_history"), "t");

  // Fails at the history insert: the migration takes the history table away without naming it.
  dir.Write("m/0002_deferred.up.sql", "ALTER TABLE a ADD COLUMN y int;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n");
  auto again = Open(db, dir.Path("m"))->Up(UpOptions{.safety = {.force = true}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kSqlError) << again.status().ToString();
  EXPECT_NE(again.status().message().find("rolled back"), std::string::npos) << again.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',') FROM strata_schema_history"), "1");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a'"), "1");
}

// A migration with COPY goes statement by statement; when it fails, its transaction is rolled back
// and the same connection (the same Migrator) applies the fixed file.
TEST(PipelinePostgres, AFailedMigrationWithCopyLeavesNoTransactionOpen) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_copy.up.sql", "CREATE TABLE b (x int);\nCOPY (SELECT 1) TO STDOUT;\n");
  auto m = Open(db, dir.Path("m"));
  auto r = m->Up();
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.status().location().has_value()) << r.status().ToString();
  EXPECT_EQ(r.status().location()->line, 2u) << r.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), "0");
  // The run log, written on the same connection right after, recorded the failure.
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history_log WHERE outcome = 'failed'"), "1");
  dir.Write("m/0002_copy.up.sql", "CREATE TABLE b (x int);\nCOPY (SELECT 1) TO '/dev/null';\n");
  auto again = m->Up();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',' ORDER BY version) FROM strata_schema_history"), "1,2");
}

// A TCP proxy in front of the server that, once the client has sent `marker` and then a COMMIT,
// forwards that COMMIT, stops passing the server's answers back, and closes both connections: the
// server commits, the client only sees its connection go. What a network failure at the worst
// moment looks like.
class CuttingProxy {
 public:
  CuttingProxy(int server_port, std::string marker) : server_port_(server_port), marker_(std::move(marker)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listener_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CuttingProxy() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    if (thread_.joinable()) thread_.join();
    for (std::thread& t : pairs_) t.join();
  }
  int port() const { return port_; }
  bool cut() const { return cut_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<std::uint16_t>(server_port_));
      if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      pairs_.emplace_back([this, client, server] { Pump(client, server); });
    }
  }
  void Pump(int client, int server) {
    std::string seen;  // what the client sent since the marker
    bool marked = false, cutting = false;
    char buf[65536];
    for (;;) {
      pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(p, 2, cutting ? 300 : 1000) == 0) {
        if (cutting || stop_) break;  // the server had 300 ms to commit
        continue;
      }
      if (p[0].revents & (POLLIN | POLLHUP)) {
        ssize_t n = ::read(client, buf, sizeof buf);
        if (n <= 0) break;
        std::string_view data(buf, static_cast<std::size_t>(n));
        if (!cutting) {
          if (!marked && data.find(marker_) != std::string_view::npos) {
            marked = true;
            seen.clear();
          }
          if (marked) seen.append(data);
          if (marked && seen.find("COMMIT") != std::string::npos) cutting = cut_ = true;
        }
        if (::write(server, buf, static_cast<std::size_t>(n)) != n) break;
      }
      if (p[1].revents & (POLLIN | POLLHUP)) {
        ssize_t n = ::read(server, buf, sizeof buf);
        if (n <= 0) break;
        if (!cutting && ::write(client, buf, static_cast<std::size_t>(n)) != n) break;
      }
    }
    ::close(client);
    ::close(server);
  }

  int server_port_;
  std::string marker_;
  int listener_ = -1, port_ = 0;
  std::atomic<bool> stop_{false}, cut_{false};
  std::thread thread_;
  std::vector<std::thread> pairs_;
};

// The connection lost with the COMMIT already sent: the server did commit, so saying "rolled back"
// would be a lie. strata says the outcome is unknown and where to look; the history, written in the
// same transaction, agrees with the tables; and the next run carries on from the truth.
TEST(PipelinePostgres, AConnectionLostAfterTheCommitWasSentIsReportedAsUnknown) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.up.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_cut_here.up.sql", "CREATE TABLE cut_here_marker (x int);\nINSERT INTO cut_here_marker VALUES (1);\n");
  const std::string url = db.url();
  const std::size_t colon = url.rfind(':'), slash = url.find('/', colon);
  ASSERT_NE(slash, std::string::npos) << url;
  CuttingProxy proxy(std::stoi(url.substr(colon + 1, slash - colon - 1)), "cut_here_marker");
  const std::string proxied = url.substr(0, colon + 1) + std::to_string(proxy.port()) + url.substr(slash) +
                              (url.find('?') == std::string::npos ? "?" : "&") + "sslmode=disable";
  auto m = Migrator::Open(proxied, Source::Directory(dir.Path("m")));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto r = (*m)->Up();
  ASSERT_TRUE(proxy.cut()) << "the proxy never saw the migration's COMMIT";
  ASSERT_FALSE(r.ok());
  const std::string message = r.status().message();
  EXPECT_NE(message.find("is unknown"), std::string::npos) << r.status().ToString();
  EXPECT_NE(message.find("strata status"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(message.find("rolled back"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(r.status().location().has_value()) << r.status().ToString();
  // What really happened: committed, with its history row.
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM cut_here_marker"), "1");
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text, ',' ORDER BY version) FROM strata_schema_history"), "1,2");
  auto again = Migrator::Open(db.url(), Source::Directory(dir.Path("m")));
  ASSERT_TRUE(again.ok());
  auto next = (*again)->Up();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(next->migrations.empty()) << "the committed migration ran again";
}

}  // namespace
}  // namespace strata::testing
