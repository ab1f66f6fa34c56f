// The step protocol against a driver that fails wherever it is told to. Whatever call fails, on up
// and on down, inside and outside a transaction, what stays committed is a state the next run
// recovers from: a transactional migration is all or nothing; a no-transaction migration's
// statements are never committed without its history row, which stays `dirty` until the outcome
// is recorded.
#include <gtest/gtest.h>

#include <algorithm>

#include "base/fs.h"
#include "mem_file_system.h"
#include "core/migrator_impl.h"
#include "fake_driver.h"

namespace strata::testing {
namespace {

class FixedClock : public base::Clock {
 public:
  std::int64_t UnixMillis() const override { return 1'764'806'400'000; }  // 2025-12-04T00:00:00Z
  std::chrono::steady_clock::time_point Monotonic() const override { return {}; }
};

constexpr const char* kNoTransaction = "-- strata:no-transaction\n";

// Two migrations; the second (the one the failures hit) optionally outside a transaction.
struct Harness {
  explicit Harness(bool second_outside_transaction) {
    std::string header = second_outside_transaction ? kNoTransaction : "";
    fs.Add("m/0001_a.up.sql", "CREATE TABLE a;\n");
    fs.Add("m/0001_a.down.sql", "ALTER TABLE a RENAME TO a_gone;\n");
    fs.Add("m/0002_b.up.sql", header + "CREATE TABLE b;\nCREATE INDEX b_x ON b;\n");
    fs.Add("m/0002_b.down.sql", header + "ALTER TABLE b RENAME TO b_gone;\nALTER TABLE a RENAME TO a_b_gone;\n");
  }

  std::unique_ptr<Migrator> Open() {
    base::DatabaseUrl url;
    url.kind = base::DatabaseUrl::Kind::kSqlite;
    url.path = "fake.db";
    url.raw = "sqlite:fake.db";
    return core::NewMigrator(url, Source::Directory("m"), Options{}, driver, {&fs, &clock});
  }

  // State of version `v` in the committed history: "applied", "dirty" or "" (no row).
  std::string Row(std::uint64_t v) const {
    auto it = driver->committed().history.find(v);
    if (it == driver->committed().history.end()) return "";
    return driver::RowStateName(it->second.state);
  }
  // How many of the committed statements are `statement`.
  long Executed(const std::string& statement) const {
    const auto& e = driver->committed().executed;
    return std::count(e.begin(), e.end(), statement);
  }

  base::MemFileSystem fs;
  FixedClock clock;
  std::shared_ptr<FakeDriver> driver = std::make_shared<FakeDriver>();
};

// The calls a run makes when nothing fails, so that each can be made to fail in turn.
template <typename Setup, typename Run>
std::size_t CountCalls(bool outside, Setup setup, Run run) {
  Harness h(outside);
  setup(h);
  std::size_t before = h.driver->calls().size();
  run(h);
  return h.driver->calls().size() - before;
}

// Completes what a failed run left: `repair` first when a migration is dirty.
void Recover(Harness& h, bool down) {
  auto m = h.Open();
  if (h.Row(2) == "dirty") {
    auto again = down ? m->Down({std::nullopt, 1u}) : m->Up();
    ASSERT_FALSE(again.ok()) << "a dirty migration must block the next run";
    EXPECT_EQ(again.status().code(), ErrorCode::kFailedPrecondition) << again.status().ToString();
    ASSERT_TRUE(m->Repair({}).ok());
    EXPECT_EQ(h.Row(2), "") << "repair removes the dirty row so the migration runs again";
    if (down) {
      ASSERT_TRUE(m->Up().ok());  // back to applied, then roll back again
    }
  }
  if (down && h.Row(2).empty()) return;  // the rollback went through
  auto done = down ? m->Down({std::nullopt, 1u}) : m->Up();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
}

void CheckUpAfterFailureAt(bool outside, std::size_t n, bool one_trip = false) {
  SCOPED_TRACE(::testing::Message() << (outside ? "no-transaction" : "transactional") << (one_trip ? " one-trip" : "")
                                    << " up, failing call " << n);
  Harness h(outside);
  h.driver->SetOneTrip(one_trip);
  h.driver->FailCall(static_cast<int>(n));
  auto run = h.Open()->Up();
  const std::string failed_call = h.driver->calls()[n - 1];
  SCOPED_TRACE("the failing call was " + failed_call);
  long done = h.Executed("CREATE TABLE b;") + h.Executed("CREATE INDEX b_x ON b;");
  if (outside) {
    // Statements committed only with a row that says so.
    if (done > 0) {
      EXPECT_NE(h.Row(2), "");
    }
  } else {
    EXPECT_TRUE(done == 0 || done == 2) << "a transaction was half committed";
    EXPECT_EQ(done == 2, h.Row(2) == "applied");
    EXPECT_NE(h.Row(2), "dirty");
  }
  if (h.Row(2) == "applied") {
    EXPECT_EQ(done, 2);
  }
  if (!run.ok() && h.Row(2) != "applied") {
    EXPECT_NE(run.status().message(), "");
  }
  Recover(h, /*down=*/false);
  EXPECT_EQ(h.Row(1), "applied");
  EXPECT_EQ(h.Row(2), "applied");
  EXPECT_EQ(h.Executed("CREATE TABLE a;"), 1) << "migration 1 ran twice";
  if (!outside) {
    EXPECT_EQ(h.Executed("CREATE TABLE b;"), 1) << "a transactional migration ran twice";
  }
  EXPECT_EQ(h.driver->committed().mirrored, 2u);
}

void CheckDownAfterFailureAt(bool outside, std::size_t n) {
  SCOPED_TRACE(::testing::Message() << (outside ? "no-transaction" : "transactional") << " down, failing call " << n);
  Harness h(outside);
  ASSERT_TRUE(h.Open()->Up().ok());
  h.driver->FailCall(static_cast<int>(n));
  auto run = h.Open()->Down({std::nullopt, 1u});
  SCOPED_TRACE("the failing call was " + h.driver->calls()[h.driver->calls().size() - 1]);
  long done = h.Executed("ALTER TABLE b RENAME TO b_gone;") + h.Executed("ALTER TABLE a RENAME TO a_b_gone;");
  if (outside) {
    // Rolled-back statements committed while the row still says applied would be lost from view.
    if (done > 0) {
      EXPECT_NE(h.Row(2), "applied");
    }
  } else {
    EXPECT_TRUE(done == 0 || done == 2) << "a transaction was half committed";
    EXPECT_EQ(done == 2, h.Row(2) == "");
    EXPECT_NE(h.Row(2), "dirty");
  }
  if (h.Row(2) == "") {
    EXPECT_EQ(done, 2);
  }
  Recover(h, /*down=*/true);
  EXPECT_EQ(h.Row(1), "applied");
  EXPECT_EQ(h.Row(2), "");
  EXPECT_EQ(h.driver->committed().mirrored, 1u);
}

TEST(StepProtocol, UpRecoversFromAFailureAtEveryCall) {
  for (bool outside : {false, true}) {
    std::size_t calls = CountCalls(outside, [](Harness&) {}, [](Harness& h) { ASSERT_TRUE(h.Open()->Up().ok()); });
    ASSERT_GT(calls, 10u);
    for (std::size_t n = 1; n <= calls; ++n) CheckUpAfterFailureAt(outside, n);
  }
}

// A driver that sends the statements, the history row and COMMIT in one trip (PostgreSQL): the
// engine uses it for each transactional migration, and any call failing still leaves all or nothing.
TEST(StepProtocol, UpInOneTripRecoversFromAFailureAtEveryCall) {
  for (bool outside : {false, true}) {
    std::size_t calls = CountCalls(
        outside, [](Harness& h) { h.driver->SetOneTrip(true); }, [](Harness& h) { ASSERT_TRUE(h.Open()->Up().ok()); });
    Harness probe(outside);
    probe.driver->SetOneTrip(true);
    ASSERT_TRUE(probe.Open()->Up().ok());
    const auto& made = probe.driver->calls();
    EXPECT_EQ(std::count(made.begin(), made.end(), "ExecuteAndCommit"), outside ? 1 : 2)
        << "a transactional migration goes in one trip, a no-transaction one never";
    for (std::size_t n = 1; n <= calls; ++n) CheckUpAfterFailureAt(outside, n, /*one_trip=*/true);
  }
}

// A connection lost once the COMMIT is on its way leaves the outcome unknown to the client: the
// server may have committed. The error says so (and where to look) instead of claiming a rollback,
// and points at no statement, which all ran.
TEST(StepProtocol, ALostConnectionAtCommitIsReportedAsUnknownNotAsRolledBack) {
  for (bool one_trip : {false, true}) {
    SCOPED_TRACE(one_trip ? "one trip" : "statement by statement");
    Harness probe(/*second_outside_transaction=*/false);
    probe.driver->SetOneTrip(one_trip);
    ASSERT_TRUE(probe.Open()->Up().ok());
    const auto& calls = probe.driver->calls();
    // The last Commit of the run is migration 2's.
    auto last = std::find(calls.rbegin(), calls.rend(), "Commit");
    ASSERT_NE(last, calls.rend());
    std::size_t n = static_cast<std::size_t>(calls.rend() - last);

    Harness h(/*second_outside_transaction=*/false);
    h.driver->SetOneTrip(one_trip);
    h.driver->FailCall(static_cast<int>(n));
    auto run = h.Open()->Up();
    ASSERT_FALSE(run.ok());
    ASSERT_EQ(h.driver->calls()[n - 1], "Commit");
    const std::string message = run.status().message();
    EXPECT_EQ(run.status().code(), ErrorCode::kUnavailable);
    EXPECT_NE(message.find("is unknown"), std::string::npos) << message;
    EXPECT_NE(message.find("strata status"), std::string::npos) << message;
    EXPECT_EQ(message.find("rolled back"), std::string::npos) << message;
    EXPECT_FALSE(run.status().location().has_value()) << message;
    EXPECT_NE(message.find("migration 2 (b)"), std::string::npos) << message;
  }
}

TEST(StepProtocol, DownRecoversFromAFailureAtEveryCall) {
  for (bool outside : {false, true}) {
    std::size_t calls = CountCalls(
        outside, [](Harness& h) { ASSERT_TRUE(h.Open()->Up().ok()); },
        [](Harness& h) { ASSERT_TRUE(h.Open()->Down({std::nullopt, 1u}).ok()); });
    ASSERT_GT(calls, 8u);
    for (std::size_t n = 1; n <= calls; ++n) CheckDownAfterFailureAt(outside, n);
  }
}

// up --single-transaction: whatever call fails, either both migrations are committed with their
// rows and the mirrored version, or nothing of the run is; the next run then applies both.
TEST(StepProtocol, SingleTransactionIsAllOrNothingWhateverCallFails) {
  UpOptions single;
  single.single_transaction = true;
  std::size_t calls =
      CountCalls(false, [](Harness&) {}, [&](Harness& h) { ASSERT_TRUE(h.Open()->Up(single).ok()); });
  ASSERT_GT(calls, 8u);
  for (std::size_t n = 1; n <= calls; ++n) {
    Harness h(/*second_outside_transaction=*/false);
    h.driver->FailCall(static_cast<int>(n));
    auto run = h.Open()->Up(single);
    SCOPED_TRACE(::testing::Message() << "failing call " << n << ": " << h.driver->calls()[n - 1]);
    long done = h.Executed("CREATE TABLE a;") + h.Executed("CREATE TABLE b;") + h.Executed("CREATE INDEX b_x ON b;");
    EXPECT_TRUE(done == 0 || done == 3) << "part of the single transaction was committed";
    EXPECT_EQ(h.Row(1), h.Row(2));
    EXPECT_EQ(done == 3, h.Row(2) == "applied");
    EXPECT_EQ(h.driver->committed().mirrored, done == 3 ? 2u : 0u);
    if (!run.ok()) {
      EXPECT_TRUE(run.status().message() != "");
    }
    auto again = h.Open()->Up(single);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(h.Row(1), "applied");
    EXPECT_EQ(h.Row(2), "applied");
    EXPECT_EQ(h.Executed("CREATE TABLE b;"), 1);
    EXPECT_EQ(h.driver->committed().mirrored, 2u);
  }
}

// The protocol's order, pinned: the dirty marker is committed before a no-transaction migration's
// statements run, and its outcome is recorded in a second transaction.
TEST(StepProtocol, NoTransactionMigrationIsMarkedDirtyBeforeItRuns) {
  Harness h(/*second_outside_transaction=*/true);
  auto m = h.Open();
  ASSERT_TRUE(m->Up({1u}).ok());
  std::size_t from = h.driver->calls().size();
  ASSERT_TRUE(m->Up().ok());
  std::vector<std::string> calls(h.driver->calls().begin() + static_cast<long>(from), h.driver->calls().end());
  auto at = [&](const std::string& name, std::size_t after = 0) {
    return std::find(calls.begin() + static_cast<long>(after), calls.end(), name) - calls.begin();
  };
  std::size_t insert = at("InsertHistory");
  std::size_t commit = at("Commit", insert);
  std::size_t execute = at("Execute", commit);
  std::size_t update = at("UpdateHistory", execute);
  std::size_t second_commit = at("Commit", update);
  EXPECT_LT(insert, commit);
  EXPECT_LT(commit, execute);
  EXPECT_LT(execute, update);
  EXPECT_LT(update, second_commit);
  EXPECT_LT(second_commit, calls.size()) << "the outcome was never committed";
  EXPECT_EQ(h.driver->committed().history.at(2).applied_at, "2025-12-04T00:00:00.000Z") << "the engine's clock";
}

// A statement that fails outside a transaction leaves the migration dirty, and says how to repair.
TEST(StepProtocol, FailedNoTransactionStatementLeavesTheMigrationDirty) {
  Harness h(/*second_outside_transaction=*/true);
  h.driver->FailStatementsWith("INDEX");
  auto run = h.Open()->Up();
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(run.status().ToString().find("m/0002_b.up.sql:3:1: statement failed (migration 2 (b) ran outside a "
                                         "transaction and is now marked dirty; fix the database by hand, then run "
                                         "`strata repair`)"),
            std::string::npos)
      << run.status().ToString();
  EXPECT_EQ(h.Row(2), "dirty");
  EXPECT_EQ(h.Executed("CREATE TABLE b;"), 1);
}

// An engine whose DDL commits by itself (MariaDB) records after each statement how far the
// migration got. Whatever call fails, the next `up` resumes the partial migration without a repair,
// and runs each statement again at most when the failure came after it ran and before that was
// recorded (which the first run's error says).
// Both ways of writing the history meanwhile: in transactions of their own, or each write on its
// own where the driver fences it on the lock (FencesHistoryWrites).
class ProgressRecording : public ::testing::TestWithParam<bool> {};

TEST_P(ProgressRecording, ResumesAfterAFailureAtEveryCall) {
  const bool fences = GetParam();
  auto setup = [fences](Harness& h) {
    h.driver->SetRecordsProgress(true);
    h.driver->SetFencesHistoryWrites(fences);
    h.fs.Add("m/0002_b.up.sql", std::string(kNoTransaction) + "CREATE TABLE b;\nCREATE INDEX b_x ON b;\nCREATE VIEW v;\n");
  };
  std::size_t calls = CountCalls(true, setup, [](Harness& h) { ASSERT_TRUE(h.Open()->Up().ok()); });
  ASSERT_GT(calls, 10u);
  const std::vector<std::string> statements = {"CREATE TABLE b;", "CREATE INDEX b_x ON b;", "CREATE VIEW v;"};
  for (std::size_t n = 1; n <= calls; ++n) {
    Harness h(true);
    setup(h);
    h.driver->FailCall(static_cast<int>(n));
    auto run = h.Open()->Up();
    const std::string failed_call = h.driver->calls()[n - 1];
    SCOPED_TRACE(::testing::Message() << "failing call " << n << ": " << failed_call);
    if (h.Row(2) == "dirty") {
      const auto& row = h.driver->committed().history.at(2);
      ASSERT_TRUE(row.progress.has_value()) << "a dirty row without progress would need a repair";
      auto status = h.Open()->GetStatus();
      ASSERT_TRUE(status.ok());
      EXPECT_EQ(status->migrations.at(1).state, MigrationState::kPartial);
    }
    ASSERT_FALSE(run.ok() && h.Row(2) != "applied");
    auto again = h.Open()->Up();
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(h.Row(2), "applied");
    EXPECT_FALSE(h.driver->committed().history.at(2).progress.has_value()) << "progress left on an applied row";
    long extra = 0;
    for (const std::string& st : statements) {
      long times = h.Executed(st);
      EXPECT_GE(times, 1) << st;
      EXPECT_LE(times, 2) << st;
      extra += times - 1;
    }
    EXPECT_LE(extra, 1);
    if (extra == 1) {
      EXPECT_NE(failed_call, "Execute") << "a statement that failed is not one that ran";
      if (failed_call == "RecordProgress") {
        EXPECT_NE(run.status().message().find("ran, but recording that failed"), std::string::npos)
            << run.status().ToString();
      }
    }
    EXPECT_EQ(h.Executed("CREATE TABLE a;"), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(StepProtocol, ProgressRecording, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? std::string("HistoryWritesOnTheirOwn") : std::string("InTransactions");
                         });

// Fenced history writes need no transaction: a migration that runs statement by statement costs
// no BeginWrite, Commit or lock check of its own.
TEST(StepProtocol, FencedHistoryWritesNeedNoTransactionAroundThem) {
  Harness h(true);
  h.driver->SetRecordsProgress(true);
  h.driver->SetFencesHistoryWrites(true);
  h.fs.Add("m/0002_b.up.sql", std::string(kNoTransaction) + "CREATE TABLE b;\nCREATE INDEX b_x ON b;\n");
  ASSERT_TRUE(h.Open()->Up().ok());
  EXPECT_EQ(h.Row(2), "applied");
  const std::vector<std::string>& calls = h.driver->calls();
  auto first = std::find(calls.begin(), calls.end(), "Statements");
  ASSERT_NE(first, calls.end());
  std::vector<std::string> after(first, calls.end());
  EXPECT_EQ(std::count(after.begin(), after.end(), "BeginWrite"), 0) << ::testing::PrintToString(after);
  EXPECT_EQ(std::count(after.begin(), after.end(), "Commit"), 0) << ::testing::PrintToString(after);
  std::erase_if(after, [](const std::string& c) {
    return c != "InsertHistory" && c != "Execute" && c != "RecordProgress" && c != "UpdateHistory";
  });
  EXPECT_EQ(after, (std::vector<std::string>{"InsertHistory", "Execute", "RecordProgress", "Execute", "UpdateHistory"}))
      << ::testing::PrintToString(after);
}

// A partial migration whose statements that ran were edited is refused before anything runs.
TEST(StepProtocol, APartialMigrationWithAnEditedStatementThatRanIsRefused) {
  Harness h(true);
  h.driver->SetRecordsProgress(true);
  h.fs.Add("m/0002_b.up.sql", std::string(kNoTransaction) + "CREATE TABLE b;\nCREATE INDEX b_x ON b;\nCREATE VIEW v;\n");
  h.driver->FailStatementsWith("VIEW");
  auto run = h.Open()->Up();
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("statement 3 of 3 failed; statements 1 to 2 of 3 are applied"),
            std::string::npos)
      << run.status().ToString();
  h.driver->FailStatementsWith("");
  h.fs.Add("m/0002_b.up.sql", std::string(kNoTransaction) + "CREATE TABLE b;\nCREATE INDEX b_y ON b;\nCREATE VIEW v;\n");
  const std::size_t executed = h.driver->committed().executed.size();
  auto refused = h.Open()->Up();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.status().ToString().find("m/0002_b.up.sql:3:1: statement 2 changed after it ran"),
            std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(h.driver->committed().executed.size(), executed) << "something ran";
}

}  // namespace
}  // namespace strata::testing
