// The MariaDB driver against the real server of the `mariadb` fixture: the conformance suite
// (driver_conformance.h), each of its tests on a fresh database of its own, with what MariaDB does
// differently declared below and checked both ways; then what is peculiar to MariaDB: history table,
// run lock, statement-by-statement execution with error offsets, run log, read-only queries and open
// errors. The rest of introspection is tested in mariadb_schema_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "driver_conformance.h"
#include "drivers/registry.h"
#include "mariadb_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

// Each harness is a fresh database of its own on the shared server, so the suite's tests run side
// by side.
class MariadbHarness : public DriverHarness {
 public:
  Result<std::unique_ptr<driver::Driver>> Open(const driver::OpenOptions& options) override {
    auto url = base::ParseDatabaseUrl(db_.url());
    if (!url.ok()) return url.status();
    return driver::OpenDriver(*url, options);
  }
  bool DatabaseExists() const override { return true; }  // made by MariadbDatabase, as an administrator would

 private:
  MariadbDatabase db_;
};

// No backups to a file, no version slot outside the history table, databases made by the
// administrator. DDL commits by itself, there are no partial indexes, keys on TEXT need a prefix
// length (so keyed text is varchar), names are quoted with backticks, every primary key is PRIMARY,
// a unique index is a unique constraint, a foreign key without an index gets one and a view is kept
// as the server rewrote it. A transaction's characteristics cannot change inside it. No invalid
// indexes.
INSTANTIATE_TEST_SUITE_P(Mariadb, DriverConformance,
                         ::testing::Values(ConformanceParams{
                             .name = "mariadb",
                             .harness = [] { return std::make_unique<MariadbHarness>(); },
                             .can = {.backups = false,
                                     .max_mirrored_version = 0,
                                     .open_creates_database = false,
                                     .transactional_ddl = false,
                                     .partial_indexes = false},
                             .spelling = {.default_schema = "",
                                          .integer_type = "int(11)",
                                          .text_type = "text",
                                          .key_text_type = "varchar(64)",
                                          .primary_key_names = false,
                                          .unique_indexes_are_constraints = true,
                                          .unspecified_fk_action = "RESTRICT",
                                          .foreign_keys_make_indexes = true,
                                          .view_definition_start = "select"},
                             .sql = {.identifier_quote = '`',
                                     .key_text = "varchar(64)",
                                     .outside_transaction_only = "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;"},
                         }),
                         ConformanceName);

std::unique_ptr<driver::Driver> OpenOk(const std::string& text, driver::OpenOptions options = {}) {
  auto url = base::ParseDatabaseUrl(text);
  EXPECT_TRUE(url.ok()) << url.status().message();
  if (!url.ok()) return nullptr;
  auto d = driver::OpenDriver(*url, options);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(d).value() : nullptr;
}

driver::HistoryRow Row(std::uint64_t version, const std::string& name) {
  return {.version = version, .name = name, .checksum = "c" + name, .applied_at = "2026-01-02T03:04:05.678Z",
          .execution_ms = 12.5, .state = driver::RowState::kApplied, .strata_version = "0.1.0"};
}

TEST(MariadbDriver, HistoryRoundTrip) {
  MariadbDatabase db;
  auto d = OpenOk(db.url());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->engine(), Engine::kMariadb);
  ASSERT_TRUE(d->HistoryExists().ok());
  EXPECT_FALSE(*d->HistoryExists());
  ASSERT_TRUE(d->CreateHistory().ok());
  ASSERT_TRUE(d->CreateHistory().ok());  // idempotent
  EXPECT_TRUE(*d->HistoryExists());

  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->InsertHistory(Row(1, "one")).ok());
  ASSERT_TRUE(d->InsertHistory(Row(~std::uint64_t{0}, "max")).ok());  // above 2^63: stored as a negative key
  EXPECT_FALSE(d->InsertHistory(Row(1, "again")).ok());
  ASSERT_TRUE(d->Commit().ok());

  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->InsertHistory(Row(2, "rolled back")).ok());
  d->Rollback();

  driver::HistoryRow changed = Row(1, "uno");
  changed.state = driver::RowState::kDirty;
  ASSERT_TRUE(d->UpdateHistory(changed).ok());
  auto rows = d->ReadHistory();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  std::sort(rows->begin(), rows->end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  EXPECT_EQ((*rows)[0].version, 1u);
  EXPECT_EQ((*rows)[0].name, "uno");
  EXPECT_EQ((*rows)[0].checksum, "cuno");
  EXPECT_EQ((*rows)[0].applied_at, "2026-01-02T03:04:05.678Z");
  EXPECT_EQ((*rows)[0].execution_ms, 12.5);
  EXPECT_EQ((*rows)[0].state, driver::RowState::kDirty);
  EXPECT_EQ((*rows)[0].strata_version, "0.1.0");
  EXPECT_EQ((*rows)[1].version, ~std::uint64_t{0});
  ASSERT_TRUE(d->DeleteHistory(1).ok());
  ASSERT_TRUE(d->DeleteHistory(42).ok());  // not there: no error
  EXPECT_EQ(d->ReadHistory()->size(), 1u);
}

TEST(MariadbDriver, RefusesAHistoryTableOfAnotherLayout) {
  MariadbDatabase db;
  db.Query("CREATE TABLE strata_schema_history (version INT, note TEXT)");
  auto d = OpenOk(db.url());
  ASSERT_TRUE(d);
  auto exists = d->HistoryExists();
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(exists.status().message().find("its columns are (note,version)"), std::string::npos)
      << exists.status().message();
}

// The one-round-trip read of an up-to-date run answers as HistoryExists and ReadHistory together.
TEST(MariadbDriver, ReadHistoryIfExistsAnswersAsTheLayoutQuestionAndTheReadDo) {
  MariadbDatabase db;
  auto d = OpenOk(db.url());
  ASSERT_TRUE(d);
  auto absent = d->ReadHistoryIfExists();
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(absent->has_value());
  ASSERT_TRUE(d->CreateHistory().ok());
  driver::HistoryRow row{.version = 7, .name = "seven", .checksum = "sha256:x", .applied_at = "2026-01-02T03:04:05.678Z",
                         .execution_ms = 1.5, .state = driver::RowState::kDirty, .strata_version = "0.1.0",
                         .progress = "00112233aabbccdd"};
  ASSERT_TRUE(d->InsertHistory(row).ok());
  auto both = d->ReadHistoryIfExists();
  auto read = d->ReadHistory();
  ASSERT_TRUE(both.ok() && both->has_value() && read.ok());
  ASSERT_EQ((*both)->size(), 1u);
  const driver::HistoryRow& got = (**both)[0];
  EXPECT_EQ(got.version, 7u);
  EXPECT_EQ(got.name, "seven");
  EXPECT_EQ(got.applied_at, (*read)[0].applied_at);
  EXPECT_EQ(got.applied_at, "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(got.execution_ms, 1.5);
  EXPECT_EQ(got.state, driver::RowState::kDirty);
  EXPECT_EQ(got.progress, std::optional<std::string>("00112233aabbccdd"));
  // A column more than strata's is another layout, as HistoryExists says.
  db.Query("ALTER TABLE strata_schema_history ADD COLUMN extra INT");
  auto other = d->ReadHistoryIfExists();
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("extra"), std::string::npos) << other.status().message();
}

TEST(MariadbDriver, TheRunLockExcludesAndNamesItsHolder) {
  MariadbDatabase db;
  driver::OpenOptions quick;
  quick.lock_timeout = std::chrono::milliseconds(300);
  auto a = OpenOk(db.url());
  auto b = OpenOk(db.url(), quick);
  ASSERT_TRUE(a && b);
  std::vector<std::string> waits;
  quick.lock_waiting = [&](const std::string& holder) { waits.push_back(holder); };
  b = OpenOk(db.url(), quick);
  ASSERT_TRUE(b);
  auto held = a->LockRun();
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  auto refused = b->LockRun();
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_NE(waits[0].find("holds it (user strata from 127.0.0.1"), std::string::npos) << waits[0];
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAborted);
  EXPECT_NE(refused.status().message().find("holds it (user strata from 127.0.0.1"), std::string::npos)
      << refused.status().message();
  const std::string server = MariadbServerUrl();
  const std::string password = server.substr(server.find(':', 11) + 1, server.rfind('@') - server.find(':', 11) - 1);
  EXPECT_EQ(refused.status().message().find(password), std::string::npos) << "password leaked";
  held->reset();
  auto now = b->LockRun();
  EXPECT_TRUE(now.ok()) << now.status().ToString();
}

// A runner killed while it holds the lock frees it: the server ends the lock with the session.
TEST(MariadbDriver, AKilledHolderFreesTheLock) {
  MariadbDatabase db;
  driver::OpenOptions quick;
  quick.lock_timeout = std::chrono::milliseconds(2000);
  auto a = OpenOk(db.url());
  auto b = OpenOk(db.url(), quick);
  ASSERT_TRUE(a && b);
  auto held = a->LockRun();
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  // The holder's session, as the process list shows it: kill it the way an operator would.
  auto holders = db.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = (SELECT IS_USED_LOCK(l.name) "
                          "FROM (SELECT CONCAT('strata_', LEFT(SHA2(CONCAT('strata\\n', DATABASE(), "
                          "'\\nstrata_schema_history'), 256), 40)) AS name) l)");
  ASSERT_EQ(holders.size(), 1u);
  db.Query("KILL " + holders[0]);
  auto next = b->LockRun();
  EXPECT_TRUE(next.ok()) << next.status().ToString();
}

TEST(MariadbDriver, ExecutesStatementByStatementAndPointsAtTheFailure) {
  MariadbDatabase db;
  auto d = OpenOk(db.url());
  ASSERT_TRUE(d);
  const std::string sql =
      "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10) DEFAULT 'a;b');\n"
      "DELIMITER //\n"
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.s = 'x'; SET NEW.s = CONCAT(NEW.s, ';'); END//\n"
      "DELIMITER ;\n"
      "INSERT INTO t (id) VALUES (1);\n"
      "SELECT *\n  FROM t WHERE oops oops;\n"
      "INSERT INTO t (id) VALUES (2);\n";
  std::vector<std::pair<std::size_t, std::size_t>> seen;
  Status st = d->Execute(sql, {.in_transaction = false},
                         [&](std::size_t begin, std::size_t end, double) { seen.emplace_back(begin, end); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kSqlError);
  EXPECT_NE(st.message().find("(error 1064, SQLSTATE 42000)"), std::string::npos) << st.message();
  ASSERT_TRUE(st.sql_offset().has_value());
  EXPECT_EQ(*st.sql_offset(), sql.find("oops oops")) << st.message();
  ASSERT_TRUE(st.location().has_value());
  EXPECT_EQ(st.location()->statement, "SELECT *\n  FROM t WHERE oops oops");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(sql.substr(seen[2].first, seen[2].second - seen[2].first), "INSERT INTO t (id) VALUES (1)");
  EXPECT_EQ(db.Query("SELECT id, s FROM t"), std::vector<std::string>{"1|x;"});

  // A file the splitter refuses runs nothing, and says where.
  Status bad = d->Execute("INSERT INTO t (id) VALUES (3);\nSELECT 'open", {.in_transaction = false}, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.sql_offset(), std::optional<std::size_t>(38));
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM t"), std::vector<std::string>{"1"});
}

TEST(MariadbDriver, RunLogNewestFirst) {
  MariadbDatabase db;
  auto d = OpenOk(db.url());
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->ReadLog(10)->empty());
  for (int i = 1; i <= 3; ++i) {
    driver::LogRow row{.started_at = "2026-01-02T03:04:05.001Z", .finished_at = "2026-01-02T03:04:06.002Z",
                       .command = "up", .actor = "ci", .from_version = 0, .to_version = static_cast<std::uint64_t>(i),
                       .migrations = "1", .duration_ms = 1.5, .outcome = "ok", .error = "", .backup_file = "",
                       .strata_version = "0.1.0"};
    ASSERT_TRUE(d->AppendLog(row).ok());
  }
  auto rows = d->ReadLog(2);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].to_version, 3u);
  EXPECT_EQ((*rows)[1].to_version, 2u);
  EXPECT_EQ((*rows)[0].started_at, "2026-01-02T03:04:05.001Z");
  EXPECT_EQ((*rows)[0].finished_at, "2026-01-02T03:04:06.002Z");
}

TEST(MariadbDriver, QueriesOutsideATransactionOnlyRead) {
  MariadbDatabase db;
  db.Query("CREATE TABLE t (id INT)");
  auto d = OpenOk(db.url());
  ASSERT_TRUE(d);
  auto rows = d->Query("SELECT 1, NULL", std::chrono::milliseconds(5000));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0], std::optional<std::string>("1"));
  EXPECT_EQ((*rows)[0][1], std::nullopt);
  EXPECT_EQ(d->Query("DROP TABLE t", {}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(d->Query("WITH x AS (SELECT 1) SELECT * FROM x", {}).ok());
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 't' AND "
                     "table_schema = DATABASE()"),
            std::vector<std::string>{"1"});
  auto count = d->CountRows("", "t");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 0);
  EXPECT_EQ(d->CountRows("", "missing").status().code(), ErrorCode::kSqlError);
}

// Same rows in any order give the same hash; any change, a repeated row included, another.
TEST(MariadbDriver, FingerprintSeesEveryChangeAndNoOrder) {
  MariadbDatabase db;
  auto d = OpenOk(db.url());
  ASSERT_TRUE(d);
  db.Query("CREATE TABLE fa (id INT, t TEXT, n INT)");
  db.Query("CREATE TABLE `f b` (id INT, t TEXT, n INT)");
  db.Query("CREATE TABLE empty1 (x INT)");
  db.Query("CREATE TABLE empty2 (y TEXT)");
  db.Query("INSERT INTO fa VALUES (1, 'x', NULL), (2, 'y', 5)");
  auto a = d->Fingerprint("", "fa");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->rows, 2);
  for (const char* rows : {"(2, 'y', 5), (1, 'x', NULL)", "(1, 'x', NULL), (2, 'y', 5)"}) {
    db.Query("DELETE FROM `f b`");
    db.Query(std::string("INSERT INTO `f b` VALUES ") + rows);
    EXPECT_EQ(d->Fingerprint("", "f b")->hash, a->hash) << rows;
  }
  for (const char* rows : {"(2, 'y', 6), (1, 'x', NULL)", "(2, 'y', 5), (1, 'x', 0)", "(2, 'y', 5), (1, 'NULL', NULL)",
                           "(2, 'y', 5), (1, 'x', NULL), (1, 'x', NULL)", "(2, 'y', 5), (2, 'y', 5)"}) {
    db.Query("DELETE FROM `f b`");
    db.Query(std::string("INSERT INTO `f b` VALUES ") + rows);
    EXPECT_NE(d->Fingerprint("", "f b")->hash, a->hash) << rows;
  }
  auto e1 = d->Fingerprint("", "empty1");
  auto e2 = d->Fingerprint(db.name(), "empty2");
  ASSERT_TRUE(e1.ok() && e2.ok()) << e1.status().ToString() << e2.status().ToString();
  EXPECT_EQ(e1->rows, 0);
  EXPECT_EQ(e1->hash, e2->hash);
  auto missing = d->Fingerprint("", "no_such_table");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(missing.status().message().find("no_such_table"), std::string::npos) << missing.status().message();
}

// The lease lock stands in for advisory locks where a server has none; MariaDB has GET_LOCK.
// The lease lock: a row in `<history table>_lock` (created by the first runner) that excludes a
// second runner, names its holder, fences the holder's commits and is deleted on release.
TEST(MariadbDriver, TheLeaseLockExcludesFencesItsCommitsAndIsDeletedOnRelease) {
  MariadbDatabase db;
  driver::OpenOptions lease;
  lease.lock_kind = driver::LockKind::kLease;
  lease.lock_timeout = std::chrono::milliseconds(300);
  std::vector<std::string> waits;
  lease.lock_waiting = [&](const std::string& holder) { waits.push_back(holder); };
  auto a = OpenOk(db.url(), lease);
  auto b = OpenOk(db.url(), lease);
  ASSERT_TRUE(a && b);
  auto held = a->LockRun();
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_TRUE((*held)->Held().ok());
  EXPECT_EQ((*held)->Caveat(), "");
  EXPECT_EQ(db.Query("SELECT CONCAT(lock_key, ',', pid) FROM strata_schema_history_lock"),
            std::vector<std::string>{"strata_schema_history," + std::to_string(getpid())});
  auto refused = b->LockRun();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAborted);
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_NE(waits[0].find("held by host "), std::string::npos) << waits[0];
  EXPECT_NE(refused.status().message().find("pid " + std::to_string(getpid()) + " "), std::string::npos)
      << refused.status().message();
  // A commit while the lease is ours goes through; once another runner holds the row, the fence
  // refuses it and nothing of the transaction stays.
  ASSERT_TRUE(a->CreateHistory().ok());
  ASSERT_TRUE(a->Execute("CREATE TABLE t (x INT)", {.in_transaction = false}, nullptr).ok());
  ASSERT_TRUE(a->BeginWrite().ok());
  ASSERT_TRUE(a->Execute("INSERT INTO t VALUES (1)", {}, nullptr).ok());
  EXPECT_TRUE(a->Commit().ok());
  db.Query("UPDATE strata_schema_history_lock SET owner = 'someone else'");
  ASSERT_TRUE(a->BeginWrite().ok());
  ASSERT_TRUE(a->Execute("INSERT INTO t VALUES (2)", {}, nullptr).ok());
  Status lost = a->Commit();
  EXPECT_EQ(lost.code(), ErrorCode::kLockLost) << lost.ToString();
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM t"), std::vector<std::string>{"1"});
  // Released: the row of another owner stays; ours would have been deleted.
  held->reset();
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM strata_schema_history_lock"), std::vector<std::string>{"1"});
  db.Query("DELETE FROM strata_schema_history_lock");
  auto now = b->LockRun();
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  now->reset();
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM strata_schema_history_lock"), std::vector<std::string>{"0"});
}

// MariaDB 11.6.2 turned innodb_snapshot_isolation on by default: a transaction that read anything,
// then updates a row that another session changed since (the keeper renewing the lease), fails
// with error 1020. The lease turns it off for the session, so a fenced commit after a renewal goes
// through. The session here starts with it on, as on such a server.
TEST(MariadbDriver, AFencedCommitAfterARenewalGoesThroughWithSnapshotIsolation) {
  MariadbDatabase db;
  driver::OpenOptions lease;
  lease.lock_kind = driver::LockKind::kLease;
  lease.lock_lease = std::chrono::milliseconds(1200);  // renewed every 400 ms
  auto a = OpenOk(db.url(), lease);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->Execute("SET SESSION innodb_snapshot_isolation = ON", {.in_transaction = false}, nullptr).ok());
  auto held = a->LockRun();
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_TRUE(a->CreateHistory().ok());
  ASSERT_TRUE(a->Execute("CREATE TABLE t (x INT)", {.in_transaction = false}, nullptr).ok());
  ASSERT_TRUE(a->BeginWrite().ok());
  ASSERT_TRUE(a->ReadHistory().ok());  // the transaction's read view
  const std::string renewed = "SELECT heartbeat_at FROM strata_schema_history_lock";
  const std::vector<std::string> before = db.Query(renewed);
  ASSERT_TRUE(PollUntil([&] { return db.Query(renewed) != before; }, std::chrono::seconds(5)));
  ASSERT_TRUE(a->Execute("INSERT INTO t VALUES (1)", {}, nullptr).ok());
  Status committed = a->Commit();
  EXPECT_TRUE(committed.ok()) << committed.ToString();
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM t"), std::vector<std::string>{"1"});
}

TEST(MariadbDriver, OpenErrorsHaveTheirCodesAndNoPassword) {
  const std::string server = MariadbServerUrl();
  ASSERT_FALSE(server.empty());
  const std::string host_port = server.substr(server.rfind('@') + 1, server.rfind('/') - server.rfind('@') - 1);
  const std::pair<std::string, ErrorCode> cases[] = {
      {"mysql://strata:Wr0ngSecret@" + host_port + "/strata_test", ErrorCode::kUnauthenticated},
      {"mariadb://strata:Wr0ngSecret@127.0.0.1:1/strata_test", ErrorCode::kUnavailable},
      {server.substr(0, server.rfind('/')) + "/no_such_db", ErrorCode::kUnavailable},
  };
  const std::string password = server.substr(server.find(':', 11) + 1, server.rfind('@') - server.find(':', 11) - 1);
  for (const auto& [text, code] : cases) {
    auto url = base::ParseDatabaseUrl(text);
    ASSERT_TRUE(url.ok());
    auto d = driver::OpenDriver(*url, {});
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().code(), code) << d.status().ToString();
    EXPECT_EQ(d.status().ToString().find("Wr0ngSecret"), std::string::npos) << d.status().ToString();
    EXPECT_EQ(d.status().ToString().find(password), std::string::npos) << d.status().ToString();
  }
}

}  // namespace
}  // namespace strata::testing
