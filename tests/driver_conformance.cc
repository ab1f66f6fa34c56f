#include "driver_conformance.h"

#include <chrono>
#include <limits>

namespace strata::testing {

using driver::HistoryRow;
using driver::RowState;

std::unique_ptr<driver::Driver> DriverConformance::OpenOrDie(driver::OpenOptions options) {
  options.strata_version = "test";
  auto d = harness_->Open(options);
  if (!d.ok()) {
    ADD_FAILURE() << d.status().ToString();
    return nullptr;
  }
  return std::move(*d);
}

::testing::AssertionResult DriverConformance::Run(driver::Driver& d, const std::string& sql) {
  Status st = d.Execute(sql, {.in_transaction = false}, nullptr);
  if (st.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << st.ToString() << "\n" << sql;
}

std::string DriverConformance::Quoted(const std::string& name) {
  const char quote = GetParam().sql.identifier_quote;
  std::string out(1, quote);
  for (char c : name) {
    out += c;
    if (c == quote) out += quote;
  }
  return out + quote;
}

std::string ConformanceName(const ::testing::TestParamInfo<ConformanceParams>& info) { return info.param.name; }

void PrintTo(const ConformanceParams& params, std::ostream* os) { *os << params.name; }

namespace {

HistoryRow Row(std::uint64_t v, RowState s = RowState::kApplied) {
  return {v, "name" + std::to_string(v), "sha256:abc" + std::to_string(v), "2025-01-30T10:00:00.000Z", 1.5, s, "test"};
}

void ExpectSameRow(const HistoryRow& a, const HistoryRow& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.checksum, b.checksum);
  EXPECT_EQ(a.applied_at, b.applied_at);
  EXPECT_DOUBLE_EQ(a.execution_ms, b.execution_ms);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.strata_version, b.strata_version);
}

TEST_P(DriverConformance, HistoryRoundTrip) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  auto exists = d->HistoryExists();
  ASSERT_TRUE(exists.ok()) << exists.status().ToString();
  EXPECT_FALSE(*exists);
  ASSERT_TRUE(d->CreateHistory().ok());
  ASSERT_TRUE(d->CreateHistory().ok()) << "CreateHistory must be idempotent";
  EXPECT_TRUE(*d->HistoryExists());

  const std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->InsertHistory(Row(1)).ok());
  ASSERT_TRUE(d->InsertHistory(Row(20250130100000ull, RowState::kDirty)).ok());
  ASSERT_TRUE(d->InsertHistory(Row(kMax, RowState::kBaseline)).ok());
  ASSERT_TRUE(d->Commit().ok());

  auto rows = d->ReadHistory();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  std::map<std::uint64_t, HistoryRow> by;
  for (const auto& r : *rows) by[r.version] = r;
  ExpectSameRow(by.at(1), Row(1));
  ExpectSameRow(by.at(20250130100000ull), Row(20250130100000ull, RowState::kDirty));
  ExpectSameRow(by.at(kMax), Row(kMax, RowState::kBaseline));

  HistoryRow updated = Row(20250130100000ull, RowState::kApplied);
  updated.execution_ms = 42;
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->UpdateHistory(updated).ok());
  ASSERT_TRUE(d->DeleteHistory(1).ok());
  ASSERT_TRUE(d->Commit().ok());
  rows = d->ReadHistory();
  ASSERT_EQ(rows->size(), 2u);
  for (const auto& r : *rows) {
    if (r.version == updated.version) ExpectSameRow(r, updated);
  }
}

// The one-trip read of an up-to-date run answers exactly as HistoryExists + ReadHistory do.
TEST_P(DriverConformance, ReadHistoryIfExistsAnswersAsTheTwoCalls) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  auto absent = d->ReadHistoryIfExists();
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(absent->has_value());
  ASSERT_TRUE(d->CreateHistory().ok());
  auto empty = d->ReadHistoryIfExists();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  ASSERT_TRUE(empty->has_value());
  EXPECT_TRUE((*empty)->empty());
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->InsertHistory(Row(4)).ok());
  ASSERT_TRUE(d->InsertHistory(Row(9, RowState::kDirty)).ok());
  ASSERT_TRUE(d->Commit().ok());
  auto rows = d->ReadHistoryIfExists();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_TRUE(rows->has_value());
  ASSERT_EQ((*rows)->size(), 2u);
  std::map<std::uint64_t, HistoryRow> by;
  for (const auto& r : **rows) by[r.version] = r;
  ExpectSameRow(by.at(4), Row(4));
  ExpectSameRow(by.at(9), Row(9, RowState::kDirty));
  // Still usable afterwards (no pipeline or transaction left open).
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->DeleteHistory(4).ok());
  ASSERT_TRUE(d->Commit().ok());
  EXPECT_EQ(d->ReadHistory()->size(), 1u);

  driver::OpenOptions other;
  other.history_table = "foreign_history";
  auto f = OpenOrDie(other);
  ASSERT_TRUE(f->Execute("CREATE TABLE foreign_history (version INTEGER, dirty BOOLEAN);", {.in_transaction = false}, nullptr).ok());
  auto foreign = f->ReadHistoryIfExists();
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), ErrorCode::kFailedPrecondition) << foreign.status().ToString();
}

TEST_P(DriverConformance, ChangeTokenSeesOtherConnectionsWrites) {
  auto a = OpenOrDie();
  auto b = OpenOrDie();
  ASSERT_TRUE(a->CreateHistory().ok());
  ASSERT_TRUE(a->BeginWrite().ok());
  auto t1 = a->ChangeToken();
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  ASSERT_TRUE(a->Commit().ok());
  ASSERT_TRUE(b->BeginWrite().ok());
  ASSERT_TRUE(b->InsertHistory(Row(3)).ok());
  ASSERT_TRUE(b->Commit().ok());
  ASSERT_TRUE(a->BeginWrite().ok());
  auto t2 = a->ChangeToken();
  ASSERT_TRUE(t2.ok());
  EXPECT_NE(*t1, *t2) << "a row written by another connection went unnoticed";
  auto t3 = a->ChangeToken();
  EXPECT_EQ(*t2, *t3) << "the token changed with nothing written";
  a->Rollback();
}

TEST_P(DriverConformance, DuplicateVersionIsRejected) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d->CreateHistory().ok());
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->InsertHistory(Row(7)).ok());
  // A driver may report a failed history write at the call or at Commit; either way nothing lands.
  Status second = d->InsertHistory(Row(7));
  Status commit = second.ok() ? d->Commit() : second;
  EXPECT_FALSE(commit.ok()) << "a duplicate version was recorded";
  d->Rollback();
  EXPECT_EQ(d->ReadHistory()->size(), 0u);
}

TEST_P(DriverConformance, RefusesTableWithAnotherLayout) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d->Execute("CREATE TABLE strata_schema_history (version INTEGER, dirty BOOLEAN);", {.in_transaction = false}, nullptr).ok());
  auto exists = d->HistoryExists();
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(exists.status().message().find("not a strata history table"), std::string::npos);
  // The way out is named as a remedy (the CLI words it as --table), not as a flag in the message.
  EXPECT_EQ(exists.status().message().find("--table"), std::string::npos) << exists.status().message();
  EXPECT_EQ(exists.status().remedies(), std::vector<Remedy>{Remedy::kHistoryTable});
  // Another name works alongside it.
  driver::OpenOptions other;
  other.history_table = "my_history";
  auto d2 = OpenOrDie(other);
  ASSERT_TRUE(d2->CreateHistory().ok());
  EXPECT_TRUE(*d2->HistoryExists());
}

TEST_P(DriverConformance, ExecuteReportsFailingStatementOffset) {
  auto d = OpenOrDie();
  std::string sql = "CREATE TABLE a (x TEXT);\n-- note; with a semicolon\nINSERT INTO a VALUES ('v;1');\nINSERT INTO missing_table VALUES (1);\n";
  int statements = 0;
  ASSERT_TRUE(d->BeginWrite().ok());
  Status st = d->Execute(sql, {.in_transaction = true}, [&](std::size_t, std::size_t, double) { ++statements; });
  d->Rollback();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kSqlError);
  EXPECT_EQ(statements, 2);
  ASSERT_TRUE(st.sql_offset().has_value());
  std::size_t stmt = sql.find("INSERT INTO missing_table");
  EXPECT_GE(*st.sql_offset(), stmt);
  EXPECT_LE(*st.sql_offset(), sql.find("missing_table"));
  EXPECT_NE(st.message().find("missing_table"), std::string::npos);
}

// The engines read SQL as C strings: a NUL byte used to end the text silently, and every statement
// after it was dropped while the migration was recorded as applied.
TEST_P(DriverConformance, ExecuteRefusesANulByteInsteadOfDroppingWhatFollows) {
  auto d = OpenOrDie();
  std::string sql = std::string("CREATE TABLE nul_a (x INTEGER);") + '\0' + "CREATE TABLE nul_b (y INTEGER);\n";
  int statements = 0;
  Status st = d->Execute(sql, {.in_transaction = false}, [&](std::size_t, std::size_t, double) { ++statements; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.sql_offset().value_or(0), sql.find('\0'));
  EXPECT_EQ(statements, 0) << "nothing may run from a text that cannot run in full";
  EXPECT_FALSE(d->Execute("SELECT * FROM nul_a;", {.in_transaction = false}, nullptr).ok());
}

// A large file costs time in proportion to its size: every statement of it runs, in order.
TEST_P(DriverConformance, ExecuteRunsEveryStatementOfALargeText) {
  auto d = OpenOrDie();
  std::string sql = "CREATE TABLE many (n INTEGER);\n";
  const int kRows = 20000;
  for (int i = 0; i < kRows; ++i) sql += "INSERT INTO many VALUES (" + std::to_string(i) + ");\n";
  int statements = 0;
  std::size_t last_end = 0;
  ASSERT_TRUE(d->BeginWrite().ok());
  Status st = d->Execute(sql, {.in_transaction = true}, [&](std::size_t, std::size_t e, double) {
    ++statements;
    last_end = e;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(d->Commit().ok());
  EXPECT_EQ(statements, kRows + 1);
  EXPECT_GE(last_end, sql.size() - 2);
  EXPECT_EQ(*d->CountRows("", "many"), kRows);
}

// Query reads rows as text, NULL kept apart, sees the open transaction's changes, and refuses
// anything that writes before it runs.
TEST_P(DriverConformance, QueryReadsAndNeverWrites) {
  auto d = OpenOrDie();
  ASSERT_TRUE(Run(*d, "CREATE TABLE q (a INTEGER, b TEXT); INSERT INTO q VALUES (1, 'x'), (2, NULL);"));
  auto rows = d->Query("SELECT a, b FROM q ORDER BY a", std::chrono::seconds(5));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][0], std::optional<std::string>("1"));
  EXPECT_EQ((*rows)[0][1], std::optional<std::string>("x"));
  EXPECT_EQ((*rows)[1][1], std::nullopt);

  auto write = d->Query("DELETE FROM q", std::chrono::seconds(5));
  EXPECT_FALSE(write.ok());
  EXPECT_EQ(ValueOr(d->CountRows("", "q"), -1), 2) << "a refused query changed the table";
  // Only one statement runs: a second one cannot end the read-only transaction and write.
  auto tail = d->Query("SELECT 1; COMMIT; DELETE FROM q", std::chrono::seconds(5));
  EXPECT_EQ(ValueOr(d->CountRows("", "q"), -1), 2) << "a query's second statement ran";
  (void)tail;

  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->Execute("INSERT INTO q VALUES (3, 'y');", {.in_transaction = true}, nullptr).ok());
  auto inside = d->Query("SELECT count(*) FROM q", std::chrono::seconds(0));
  ASSERT_TRUE(inside.ok()) << inside.status().ToString();
  EXPECT_EQ((*inside)[0][0], std::optional<std::string>("3"));
  d->Rollback();
  EXPECT_FALSE(d->Query("SELECT * FROM no_such_table", std::chrono::seconds(5)).ok());
}

TEST_P(DriverConformance, RollbackUndoesDdlAndData) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, "CREATE TABLE before_ddl (x integer);"));
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->Execute("INSERT INTO before_ddl VALUES (1);", {.in_transaction = true}, nullptr).ok());
  d->Rollback();
  EXPECT_EQ(ValueOr(d->CountRows("", "before_ddl"), -1), 0) << "data survived a rollback";

  ASSERT_TRUE(d->BeginWrite().ok());
  const std::string ddl =
      "INSERT INTO before_ddl VALUES (2); CREATE TABLE gone (x INTEGER); INSERT INTO gone VALUES (1);";
  ASSERT_TRUE(d->Execute(ddl, {.in_transaction = true}, nullptr).ok());
  d->Rollback();
  Status st = d->Execute("SELECT * FROM gone;", {.in_transaction = false}, nullptr);
  if (can().transactional_ddl) {
    EXPECT_FALSE(st.ok()) << "the table survived a rollback";
    EXPECT_EQ(ValueOr(d->CountRows("", "before_ddl"), -1), 0) << "data survived a rollback";
    return;
  }
  // DDL commits by itself: the table, the row written before it and the one written after it stay.
  EXPECT_TRUE(st.ok()) << "transactional_ddl is false, yet the DDL was rolled back: " << st.ToString();
  EXPECT_EQ(ValueOr(d->CountRows("", "gone"), -1), 1) << "what follows DDL is no longer in the transaction";
  EXPECT_EQ(ValueOr(d->CountRows("", "before_ddl"), -1), 1) << "DDL commits the transaction before it";
}

// A driver runs what it is given; which statements may run is the engine's decision (see
// MigratorTest.TransactionControl... and MigratorPostgres.TransactionControl...). What the driver
// must do is say when a statement failed only because it ran inside a transaction.
TEST_P(DriverConformance, SaysWhenAStatementCannotRunInATransaction) {
  auto d = OpenOrDie();
  const std::string& only_outside = GetParam().sql.outside_transaction_only;
  ASSERT_FALSE(only_outside.empty()) << "EngineSql::outside_transaction_only is not set";
  ASSERT_TRUE(d->BeginWrite().ok());
  Status st = d->Execute(only_outside, {.in_transaction = true}, nullptr);
  d->Rollback();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(d->CannotRunInTransaction(st)) << st.ToString();
  Status outside = d->Execute(only_outside, {.in_transaction = false}, nullptr);
  EXPECT_TRUE(outside.ok()) << outside.ToString();
  ASSERT_TRUE(d->BeginWrite().ok());
  Status other = d->Execute("SELECT * FROM no_such_table;", {.in_transaction = true}, nullptr);
  d->Rollback();
  ASSERT_FALSE(other.ok());
  EXPECT_FALSE(d->CannotRunInTransaction(other)) << other.ToString();
}

TEST_P(DriverConformance, SecondWriterTimesOut) {
  driver::OpenOptions fast;
  fast.lock_timeout = std::chrono::milliseconds(200);
  auto a = OpenOrDie(fast);
  auto b = OpenOrDie(fast);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->CreateHistory().ok());
  auto lock_a = a->LockRun();
  ASSERT_TRUE(lock_a.ok());
  ASSERT_TRUE(a->BeginWrite().ok());
  auto start = std::chrono::steady_clock::now();
  Status st;
  auto lock_b = b->LockRun();
  if (!lock_b.ok()) {
    st = lock_b.status();
  } else {
    st = b->BeginWrite();
  }
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(st.ok()) << "two writers held the migration lock at once";
  EXPECT_EQ(st.code(), ErrorCode::kAborted) << st.ToString();
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(5));
  a->Rollback();
}

// --verify-data's evidence: equal contents give equal fingerprints whatever the row order; any
// changed value, added or removed row changes it. A column named t must not stand in for the row.
TEST_P(DriverConformance, FingerprintSeesEveryChangeAndNoOrder) {
  auto d = OpenOrDie();
  auto run = [&](const std::string& sql) {
    Status st = d->Execute(sql, {.in_transaction = false}, nullptr);
    ASSERT_TRUE(st.ok()) << st.ToString();
  };
  run("CREATE TABLE fa (id INTEGER, t TEXT, n INTEGER); CREATE TABLE fb (id INTEGER, t TEXT, n INTEGER);");
  run("INSERT INTO fa VALUES (1, 'x', NULL), (2, 'y', 5); INSERT INTO fb VALUES (2, 'y', 5), (1, 'x', NULL);");
  auto a = d->Fingerprint("", "fa");
  auto b = d->Fingerprint("", "fb");
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  EXPECT_EQ(a->rows, 2);
  EXPECT_EQ(a->hash, b->hash) << "same rows in another order";
  EXPECT_EQ(*d->CountRows("", "fa"), 2);
  for (const char* change : {"UPDATE fb SET n = 6 WHERE id = 2", "UPDATE fb SET n = 0 WHERE id = 1",
                             "UPDATE fb SET t = NULL WHERE id = 1", "INSERT INTO fb VALUES (3, 'z', 1)"}) {
    SCOPED_TRACE(change);
    run(std::string("DELETE FROM fb; INSERT INTO fb VALUES (2, 'y', 5), (1, 'x', NULL); ") + change + ";");
    auto changed = d->Fingerprint("", "fb");
    ASSERT_TRUE(changed.ok());
    EXPECT_NE(changed->hash, a->hash);
  }
}

}  // namespace
}  // namespace strata::testing
