// The PostgreSQL driver against a real server: the conformance suite, then what is peculiar to
// PostgreSQL (its grammar, error positions, timeouts, INVALID indexes, the advisory lock).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "driver_conformance.h"
#include "drivers/registry.h"
#include "pg_test_util.h"

namespace strata::testing {
namespace {

class PgHarness : public DriverHarness {
 public:
  Result<std::unique_ptr<driver::Driver>> Open(const driver::OpenOptions& options) override {
    auto url = base::ParseDatabaseUrl(db_.url());
    if (!url.ok()) return url.status();
    return driver::OpenDriver(*url, options);
  }
  bool DatabaseExists() const override { return true; }  // made by PgDatabase, as an administrator would
  const PgDatabase& db() const { return db_; }

 private:
  PgDatabase db_;
};

// No backups to a file, no version slot outside the history table, databases made by the
// administrator; transactional DDL and partial indexes; a failed CREATE INDEX CONCURRENTLY leaves an
// INVALID index.
INSTANTIATE_TEST_SUITE_P(Postgres, DriverConformance,
                         ::testing::Values(ConformanceParams{
                             .name = "postgres",
                             .harness = [] { return std::make_unique<PgHarness>(); },
                             .can = {.backups = false,
                                     .max_mirrored_version = 0,
                                     .open_creates_database = false,
                                     .transactional_ddl = true,
                                     .partial_indexes = true},
                             .spelling = {.default_schema = "public",
                                          .integer_type = "integer",
                                          .text_type = "text",
                                          .key_text_type = "text",
                                          .primary_key_names = true,
                                          .unique_indexes_are_constraints = false,
                                          .unspecified_fk_action = "NO ACTION",
                                          .foreign_keys_make_indexes = false,
                                          .view_definition_start = "SELECT"},
                             .sql = {.identifier_quote = '"',
                                     .key_text = "text",
                                     .outside_transaction_only = "VACUUM;",
                                     .make_invalid_index = "CREATE TABLE dup_keys (x int); INSERT INTO dup_keys "
                                                           "VALUES (1), (1); CREATE UNIQUE INDEX CONCURRENTLY "
                                                           "dup_keys_x ON dup_keys (x);",
                                     .invalid_index = "public.dup_keys_x"},
                         }),
                         ConformanceName);

std::unique_ptr<driver::Driver> OpenOk(PgHarness& h, driver::OpenOptions o = {}) {
  auto d = h.Open(o);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(d).value() : nullptr;
}

TEST(PostgresDriver, SplitsWithPostgresGrammar) {
  PgHarness h;
  auto d = OpenOk(h);
  std::string sql = R"sql(
CREATE SCHEMA app; -- comment; with semicolon
/* outer /* nested; */ still comment */
CREATE TYPE app.mood AS ENUM ('sad', 'ok');
CREATE TABLE app.t (id serial PRIMARY KEY, m app.mood, note text DEFAULT 'a;b');
CREATE FUNCTION app.f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 2; END; $$;
CREATE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE SQL BEGIN ATOMIC SELECT a + b; END;
DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM app.t) THEN INSERT INTO app.t (m, note) VALUES ('ok', E'it\'s; fine'); END IF; END $do$;
INSERT INTO app.t (m, note) VALUES ('sad', $x$dollar;quoted$x$))sql";
  int statements = 0;
  ASSERT_TRUE(d->BeginWrite().ok());
  Status st = d->Execute(sql, {.in_transaction = true}, [&](std::size_t, std::size_t, double) { ++statements; });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(d->Commit().ok());
  EXPECT_EQ(statements, 7);
  EXPECT_EQ(h.db().QueryOne("SELECT app.f() + app.add(1, 2)"), "5");
  EXPECT_EQ(h.db().QueryOne("SELECT string_agg(note, ',' ORDER BY id) FROM app.t"), "it's; fine,dollar;quoted");
}

// A carriage return ends a `--` comment in PostgreSQL's scanner, as a newline does: in a file with
// old Mac line endings, the statement after a comment line must still run (it was dropped once).
TEST(PostgresDriver, ACarriageReturnEndsALineComment) {
  PgHarness h;
  auto d = OpenOk(h);
  const std::string sql = "-- the first table\rCREATE TABLE a (x int);\r-- the second\rCREATE TABLE b (x int);\r";
  int statements = 0;
  ASSERT_TRUE(d->BeginWrite().ok());
  Status st = d->Execute(sql, {.in_transaction = true}, [&](std::size_t, std::size_t, double) { ++statements; });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(d->Commit().ok());
  EXPECT_EQ(statements, 2);
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')"), "2");
}

TEST(PostgresDriver, ErrorPositionIsMappedIntoTheText) {
  PgHarness h;
  auto d = OpenOk(h);
  std::string sql = "CREATE TABLE t (x int);\n-- 注释\nSELECT x FROM t WHERE y = 1;\n";
  ASSERT_TRUE(d->BeginWrite().ok());
  Status st = d->Execute(sql, {.in_transaction = true}, nullptr);
  d->Rollback();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kSqlError);
  EXPECT_EQ(st.sql_offset().value_or(0), sql.find("y = 1"));
  EXPECT_NE(st.message().find("column \"y\" does not exist (SQLSTATE 42703)"), std::string::npos) << st.message();
  EXPECT_EQ(st.location()->statement, "SELECT x FROM t WHERE y = 1");
}

TEST(PostgresDriver, UnparsableTextPointsAtTheErrorAndSuggestsNoSplit) {
  PgHarness h;
  auto d = OpenOk(h);
  std::string sql = "CREATE TABLE t (x int);\nCREATE TABEL u (y int);\n";
  Status st = d->Execute(sql, {.in_transaction = false}, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.sql_offset().value_or(0), sql.find("TABEL"));
  EXPECT_NE(st.message().find("strata:no-split"), std::string::npos) << st.message();
  // Nothing ran: the whole text is parsed before the first statement is sent.
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 't'"), "0");
}

TEST(PostgresDriver, NoSplitSendsTheTextWhole) {
  PgHarness h;
  auto d = OpenOk(h);
  int statements = 0;
  Status st = d->Execute("CREATE TABLE a (x int); CREATE TABLE b (y int);", {.in_transaction = false, .no_split = true},
                         [&](std::size_t, std::size_t, double) { ++statements; });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(statements, 1);
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')"), "2");
}

TEST(PostgresDriver, ConcurrentIndexNeedsNoTransactionAndSaysSo) {
  PgHarness h;
  auto d = OpenOk(h);
  ASSERT_TRUE(d->Execute("CREATE TABLE t (x int);", {.in_transaction = false}, nullptr).ok());
  ASSERT_TRUE(d->BeginWrite().ok());
  Status st = d->Execute("CREATE INDEX CONCURRENTLY i ON t (x);", {.in_transaction = true}, nullptr);
  d->Rollback();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("SQLSTATE 25001"), std::string::npos) << st.message();
  // The driver classifies; the engine words the advice (MigratorPostgres.ConcurrentIndexInATransactionSaysSo).
  EXPECT_TRUE(d->CannotRunInTransaction(st)) << st.message();
  EXPECT_TRUE(d->Execute("CREATE INDEX CONCURRENTLY i ON t (x);", {.in_transaction = false}, nullptr).ok());
}

TEST(PostgresDriver, LockTimeoutFailsFastInsideAMigration) {
  PgHarness h;
  h.db().Exec("CREATE TABLE busy (x int)");
  driver::OpenOptions o;
  o.pg_lock_timeout = std::chrono::milliseconds(300);
  auto d = OpenOk(h, o);
  // Another session holds a lock on the table in an open transaction.
  auto other = OpenOk(h);
  ASSERT_TRUE(other->BeginWrite().ok());
  ASSERT_TRUE(other->Execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE;", {.in_transaction = true}, nullptr).ok());
  ASSERT_TRUE(d->BeginWrite().ok());
  auto start = std::chrono::steady_clock::now();
  Status st = d->Execute("ALTER TABLE busy ADD COLUMN y int;", {.in_transaction = true}, nullptr);
  auto waited = std::chrono::steady_clock::now() - start;
  d->Rollback();
  other->Rollback();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("SQLSTATE 55P03"), std::string::npos) << st.message();
  // The way out is named as a remedy (the CLI words it as --pg-lock-timeout).
  EXPECT_EQ(st.remedies(), std::vector<Remedy>{Remedy::kPgLockTimeout});
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(PostgresDriver, LockWaitNamesTheHolderAndDiesWithItsSession) {
  PgHarness h;
  driver::OpenOptions o;
  o.lock_timeout = std::chrono::milliseconds(300);
  auto a = OpenOk(h, o);
  auto b = OpenOk(h, o);
  auto held = a->LockRun();
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  auto refused = b->LockRun();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAborted);
  EXPECT_NE(refused.status().message().find("held by pid "), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("application_name 'strata'"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find("strata-test-"), std::string::npos) << "password leaked";
  held->reset();  // release
  auto now = b->LockRun();
  EXPECT_TRUE(now.ok()) << now.status().ToString();
}

driver::OpenOptions LeaseOptions(std::chrono::milliseconds lease) {
  driver::OpenOptions o;
  o.lock_kind = driver::LockKind::kLease;
  o.lock_lease = lease;
  o.lock_timeout = std::chrono::milliseconds(300);
  return o;
}

driver::HistoryRow Row(std::uint64_t version) {
  driver::HistoryRow r;
  r.version = version;
  r.name = "m" + std::to_string(version);
  r.checksum = "sha256:00";
  r.applied_at = "2026-12-04T12:00:00.000Z";
  r.strata_version = "test";
  return r;
}

// The lease lives in a table in the history table's schema (both created on demand), names this
// process, takes no advisory lock, makes a second runner wait (told once) and time out naming it,
// and is gone once released.
TEST(PostgresDriver, LeaseExcludesOtherRunnersUntilReleased) {
  PgHarness h;
  driver::OpenOptions o = LeaseOptions(std::chrono::seconds(5));
  o.schema = "ops";
  int waits = 0;
  std::string told;
  o.lock_waiting = [&](const std::string& m) {
    ++waits;
    told = m;
  };
  auto a = OpenOk(h, o);
  auto b = OpenOk(h, o);
  auto held = a->LockRun();
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_TRUE((*held)->Held().ok());
  EXPECT_EQ(h.db().QueryOne("SELECT lock_key || ' ' || pid FROM ops.strata_schema_history_lock"),
            "strata_schema_history " + std::to_string(getpid()));
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid "
                            "FROM pg_database WHERE datname = current_database())"),
            "0");
  auto refused = b->LockRun();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAborted);
  const std::string& m = refused.status().message();
  EXPECT_NE(m.find("the lease in \"ops\".\"strata_schema_history_lock\""), std::string::npos) << m;
  EXPECT_NE(m.find("pid " + std::to_string(getpid()) + " "), std::string::npos) << m;
  EXPECT_NE(m.find("expires in "), std::string::npos) << m;
  EXPECT_EQ(m.find("strata-test-"), std::string::npos) << "password leaked";
  EXPECT_EQ(waits, 1);
  EXPECT_NE(told.find("waiting up to 0.3 s for the migration lock"), std::string::npos) << told;
  held->reset();
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM ops.strata_schema_history_lock"), "0");
  auto now = b->LockRun();
  EXPECT_TRUE(now.ok()) << now.status().ToString();
}

// Runner a's lease expires (as if its process had stopped) and b takes it over: a learns it from
// its heartbeat, its commits are refused on both commit paths, and releasing it leaves b's row.
TEST(PostgresDriver, ExpiredLeaseIsTakenOverAndFencesTheOldHoldersCommits) {
  PgHarness h;
  auto a = OpenOk(h, LeaseOptions(std::chrono::seconds(1)));
  auto b = OpenOk(h, LeaseOptions(std::chrono::seconds(30)));
  ASSERT_TRUE(a->CreateHistory().ok());
  auto a_lock = a->LockRun();
  ASSERT_TRUE(a_lock.ok()) << a_lock.status().ToString();
  h.db().Exec("UPDATE strata_schema_history_lock SET expires_at = clock_timestamp() - interval '1 second'");
  auto b_lock = b->LockRun();
  ASSERT_TRUE(b_lock.ok()) << b_lock.status().ToString();

  ASSERT_TRUE(a->BeginWrite().ok());
  ASSERT_TRUE(a->Execute("CREATE TABLE by_a (x int)", {}, nullptr).ok());
  ASSERT_TRUE(a->InsertHistory(Row(1)).ok());
  Status committed = a->Commit();
  EXPECT_EQ(committed.code(), ErrorCode::kLockLost) << committed.ToString();
  EXPECT_NE(committed.message().find("strata_schema_history_lock"), std::string::npos) << committed.ToString();
  ASSERT_TRUE(a->CommitsInOneTrip());
  ASSERT_TRUE(a->BeginWrite().ok());
  Status one_trip = a->ExecuteAndCommit("CREATE TABLE by_a (x int); INSERT INTO by_a VALUES (1)", Row(1), nullptr);
  EXPECT_EQ(one_trip.code(), ErrorCode::kLockLost) << one_trip.ToString();
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM strata_schema_history"), "0");
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'by_a'"), "0");

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*a_lock)->Held().ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Status held = (*a_lock)->Held();
  EXPECT_EQ(held.code(), ErrorCode::kLockLost);
  EXPECT_NE(held.message().find("is no longer this run's"), std::string::npos) << held.ToString();
  EXPECT_TRUE((*b_lock)->Held().ok());
  a_lock->reset();
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM strata_schema_history_lock"), "1");

  // b, which holds the lease, commits on both paths.
  ASSERT_TRUE(b->BeginWrite().ok());
  ASSERT_TRUE(b->InsertHistory(Row(1)).ok());
  EXPECT_TRUE(b->Commit().ok());
  ASSERT_TRUE(b->BeginWrite().ok());
  EXPECT_TRUE(b->ExecuteAndCommit("CREATE TABLE by_b (x int); INSERT INTO by_b VALUES (1)", Row(2), nullptr).ok());
  EXPECT_EQ(h.db().QueryOne("SELECT string_agg(version::text, ',' ORDER BY version) FROM strata_schema_history"),
            "1,2");
}

TEST(PostgresDriver, ForeignLockTableIsNotReused) {
  PgHarness h;
  h.db().Exec("CREATE TABLE strata_schema_history_lock (id int)");
  auto d = OpenOk(h, LeaseOptions(std::chrono::seconds(5)));
  auto lock = d->LockRun();
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(lock.status().message().find("exists but is not a strata lock table"), std::string::npos)
      << lock.status().ToString();
}

TEST(PostgresDriver, ConnectionErrorsNeverShowThePassword) {
  std::string server = PgServerUrl();
  ASSERT_FALSE(server.empty());
  std::string host = server.substr(server.find('@'));
  struct Case {
    std::string url;
    ErrorCode code;
    std::string needle;
  } cases[] = {
      {"postgres://postgres:Wr0ngSecret@" + host.substr(1), ErrorCode::kUnauthenticated, "password authentication failed"},
      {"postgres://postgres:Wr0ngSecret@127.0.0.1:1/postgres", ErrorCode::kUnavailable, "Connection refused"},
      {server.substr(0, server.rfind('/')) + "/no_such_db", ErrorCode::kUnavailable, "does not exist"},
      {"host=127.0.0.1 port=1 user=postgres password=Wr0ngSecret dbname=x", ErrorCode::kUnavailable, "Connection refused"},
  };
  for (const Case& c : cases) {
    auto url = base::ParseDatabaseUrl(c.url);
    ASSERT_TRUE(url.ok());
    auto d = driver::OpenDriver(*url, {});
    ASSERT_FALSE(d.ok()) << c.url;
    EXPECT_EQ(d.status().code(), c.code) << d.status().message();
    EXPECT_NE(d.status().message().find(c.needle), std::string::npos) << d.status().message();
    EXPECT_EQ(d.status().message().find("Wr0ngSecret"), std::string::npos) << d.status().message();
    std::string real_password = server.substr(server.find(':', 11) + 1, server.find('@') - server.find(':', 11) - 1);
    EXPECT_EQ(d.status().message().find(real_password), std::string::npos) << d.status().message();
  }
}

TEST(PostgresDriver, HistoryLivesInTheChosenSchema) {
  PgHarness h;
  driver::OpenOptions o;
  o.schema = "ops";
  auto d = OpenOk(h, o);
  ASSERT_TRUE(d->CreateHistory().ok());
  EXPECT_EQ(h.db().QueryOne("SELECT count(*) FROM pg_tables WHERE schemaname = 'ops' AND tablename = "
                            "'strata_schema_history'"),
            "1");
}

// The layout check compares column names only, so a look-alike table can hold text where strata
// reads numbers. That used to throw out of the driver (std::stoll); now it is a value.
TEST(PostgresDriver, MalformedHistoryValuesAreInternalErrorsNotExceptions) {
  PgHarness h;
  h.db().Exec("CREATE TABLE strata_schema_history (version text, name text, checksum text, applied_at timestamptz, "
              "execution_ms text, state text, strata_version text)");
  h.db().Exec("INSERT INTO strata_schema_history VALUES ('v1', 'x', 'c', now(), '1.5', 'applied', '0')");
  auto d = OpenOk(h);
  ASSERT_TRUE(d->HistoryExists().ok());
  auto rows = d->ReadHistory();
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(rows.status().message(), "a version in \"public\".\"strata_schema_history\" is not an integer: 'v1'");

  h.db().Exec("UPDATE strata_schema_history SET version = '1', execution_ms = 'fast'");
  rows = d->ReadHistory();
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(rows.status().message(),
            "an execution_ms in \"public\".\"strata_schema_history\" is not a number: 'fast'");

  h.db().Exec("UPDATE strata_schema_history SET execution_ms = 'NaN'");
  rows = d->ReadHistory();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().version, 1u);
}

}  // namespace
}  // namespace strata::testing
