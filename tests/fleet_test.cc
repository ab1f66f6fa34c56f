// The fleet scheduler and the targets file (include/strata/fleet.h), without a database: jobs that
// record when they ran.
#include "strata/fleet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace strata {
namespace {

using std::chrono::milliseconds;

// Records, per job, the order it started and ended in and how many jobs were running at once.
struct Recorder {
  std::mutex mu;
  std::vector<std::size_t> started, ended;
  std::atomic<int> running{0};
  int most = 0;

  Status Run(std::size_t i, bool fail, milliseconds sleep = milliseconds(20)) {
    int now = ++running;
    {
      std::lock_guard<std::mutex> lock(mu);
      started.push_back(i);
      most = std::max(most, now);
    }
    std::this_thread::sleep_for(sleep);
    {
      std::lock_guard<std::mutex> lock(mu);
      ended.push_back(i);
    }
    --running;
    return fail ? Status(ErrorCode::kSqlError, "job " + std::to_string(i) + " failed") : Status::Ok();
  }
};

TEST(RunFleet, RunsEveryTargetAtMostParallelAtATime) {
  Recorder rec;
  std::vector<std::size_t> finished;
  FleetOptions options;
  options.parallel = 3;
  FleetReport report = RunFleet(
      10, options, [&](std::size_t i) { return rec.Run(i, false); },
      [&](std::size_t i, const Status& st) {
        EXPECT_TRUE(st.ok());
        finished.push_back(i);  // never concurrent: no lock needed
      });
  EXPECT_EQ(report.succeeded, 10u);
  EXPECT_EQ(report.failed, 0u);
  EXPECT_EQ(report.not_started, 0u);
  EXPECT_EQ(finished.size(), 10u);
  std::sort(finished.begin(), finished.end());
  EXPECT_EQ(std::unique(finished.begin(), finished.end()), finished.end());
  EXPECT_LE(rec.most, 3);
  EXPECT_GE(rec.most, 2) << "the jobs never overlapped";
}

TEST(RunFleet, FirstFailureStopsNewTargetsButNotRunningOnes) {
  Recorder rec;
  FleetOptions options;
  options.parallel = 1;
  FleetReport report = RunFleet(6, options, [&](std::size_t i) { return rec.Run(i, i == 2); }, nullptr);
  EXPECT_EQ(report.succeeded, 2u);
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(report.not_started, 3u);
  EXPECT_EQ(rec.started, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(report.outcomes[2], TargetOutcome::kFailed);
  EXPECT_EQ(report.statuses[2].code(), ErrorCode::kSqlError);
  for (std::size_t i = 3; i < 6; ++i) EXPECT_EQ(report.outcomes[i], TargetOutcome::kNotStarted) << i;
}

TEST(RunFleet, ContinueOnErrorRunsEveryTarget) {
  Recorder rec;
  FleetOptions options;
  options.parallel = 2;
  options.continue_on_error = true;
  FleetReport report = RunFleet(7, options, [&](std::size_t i) { return rec.Run(i, i % 3 == 0); }, nullptr);
  EXPECT_EQ(report.failed, 3u);  // 0, 3, 6
  EXPECT_EQ(report.succeeded, 4u);
  EXPECT_EQ(report.not_started, 0u);
}

TEST(RunFleet, CanariesRunAloneAndInOrderBeforeTheRest) {
  Recorder rec;
  FleetOptions options;
  options.parallel = 4;
  options.canary = 2;
  FleetReport report = RunFleet(8, options, [&](std::size_t i) { return rec.Run(i, false); }, nullptr);
  EXPECT_EQ(report.succeeded, 8u);
  ASSERT_GE(rec.started.size(), 2u);
  EXPECT_EQ(rec.started[0], 0u);
  EXPECT_EQ(rec.started[1], 1u);
  // Canary 0 ended before canary 1 started, and canary 1 before anything else started.
  EXPECT_EQ(rec.ended[0], 0u);
  EXPECT_EQ(rec.ended[1], 1u);
  EXPECT_GE(rec.most, 2) << "the targets after the canaries did not run in parallel";
}

TEST(RunFleet, AFailedCanaryStopsEverythingEvenWithContinueOnError) {
  Recorder rec;
  FleetOptions options;
  options.canary = 3;
  options.continue_on_error = true;
  FleetReport report = RunFleet(6, options, [&](std::size_t i) { return rec.Run(i, i == 1); }, nullptr);
  EXPECT_EQ(rec.started, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(report.not_started, 4u);
  EXPECT_EQ(report.outcomes[1], TargetOutcome::kFailed);
}

TEST(RunFleet, InterruptedStartsNothingMore) {
  Recorder rec;
  std::atomic<int> asked{0};
  FleetOptions options;
  options.parallel = 1;
  options.interrupted = [&] { return ++asked > 2; };
  FleetReport report = RunFleet(5, options, [&](std::size_t i) { return rec.Run(i, false, milliseconds(1)); }, nullptr);
  EXPECT_EQ(report.succeeded, 2u);
  EXPECT_EQ(report.not_started, 3u);
}

TEST(RunFleet, AJobThatThrowsFailsItsTarget) {
  FleetOptions options;
  options.continue_on_error = true;
  FleetReport report = RunFleet(
      3, options,
      [](std::size_t i) -> Status {
        if (i == 1) throw std::runtime_error("boom");
        return Status::Ok();
      },
      nullptr);
  EXPECT_EQ(report.outcomes[1], TargetOutcome::kFailed);
  EXPECT_EQ(report.statuses[1].code(), ErrorCode::kInternal);
  EXPECT_NE(report.statuses[1].message().find("boom"), std::string::npos);
  EXPECT_EQ(report.succeeded, 2u);
}

TEST(RunFleet, NoTargetsIsNoWork) {
  int calls = 0;
  FleetReport report = RunFleet(0, {}, [&](std::size_t) { ++calls; return Status::Ok(); }, nullptr);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(report.outcomes.empty());
}

TEST(ParseTargets, OneUrlPerLineWithCommentsAndBlankLines) {
  auto t = ParseTargets("# tenants\n\nsqlite:a.db\n  sqlite:b.db   # the second\r\npostgres://u:p#w@h/db\n", "t.txt");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0].url, "sqlite:a.db");
  EXPECT_EQ((*t)[0].where, "t.txt:3");
  EXPECT_EQ((*t)[1].url, "sqlite:b.db");
  EXPECT_EQ((*t)[2].url, "postgres://u:p#w@h/db") << "a '#' inside a URL is not a comment";
  EXPECT_EQ((*t)[2].label.find("p#w"), std::string::npos) << (*t)[2].label;
}

TEST(ParseTargets, ErrorsSayFileLineAndColumnAndNeverThePassword) {
  auto bad = ParseTargets("sqlite:a.db\n\n   mysqlx://u:hunter2@h/db\n", "targets.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  std::string text = bad.status().ToString();
  EXPECT_NE(text.find("targets.txt:3:4"), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;

  auto twice = ParseTargets("sqlite:a.db\nsqlite:a.db\n", "t");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().ToString().find("t:2:1"), std::string::npos) << twice.status().ToString();
  EXPECT_NE(twice.status().message().find("twice"), std::string::npos);

  auto two_words = ParseTargets("sqlite:a.db sqlite:b.db\n", "t");
  ASSERT_FALSE(two_words.ok());
  EXPECT_NE(two_words.status().message().find("one URL per line"), std::string::npos);

  auto empty = ParseTargets("# nothing\n\n", "t");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no target"), std::string::npos);

  auto nul = ParseTargets(std::string("sqlite:a\0.db\n", 13), "t");
  ASSERT_FALSE(nul.ok());
  auto cr = ParseTargets("sqlite:a.db\rJ\n", "t");  // found by fuzz_targets
  ASSERT_FALSE(cr.ok());
  EXPECT_NE(cr.status().ToString().find("t:1:12"), std::string::npos) << cr.status().ToString();
}

TEST(ListSchemas, RefusesSqlite) {
  auto r = ListSchemas("sqlite:x.db", "tenant_%");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("PostgreSQL"), std::string::npos);
}

}  // namespace
}  // namespace strata
