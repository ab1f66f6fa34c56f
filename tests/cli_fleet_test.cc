// End-to-end: `strata --targets FILE` on many SQLite files, with the real binary.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace strata::testing {
namespace {

using json = nlohmann::json;

const std::string kBinary = STRATA_BINARY;

constexpr int kOk = 0, kUsage = 2, kInvalidInput = 3, kSqlError = 4, kConnection = 7, kPending = 8;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::size_t Count(const std::string& s, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

class CliFleet : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    tmp_.Write("m/v002_b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO b VALUES (1);\n");
    tmp_.Write("m/v003_c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n");
  }
  std::string Db(int i) const { return tmp_.Path("t" + std::to_string(i) + ".db"); }
  // A targets file with databases 1..n (and a comment), returned as its path.
  std::string Targets(int n, const std::string& extra = "") const {
    std::string text = "# the tenants\n";
    for (int i = 1; i <= n; ++i) text += "sqlite:" + Db(i) + "\n";
    tmp_.Write("targets.txt", text + extra);
    return tmp_.Path("targets.txt");
  }
  ProcessResult Strata(std::vector<std::string> args) const {
    std::vector<std::string> argv = {kBinary, "--dir", tmp_.Path("m")};
    argv.insert(argv.end(), args.begin(), args.end());
    return ::strata::testing::Run(argv);
  }
  std::string Version(int i) const { return QueryOne(Db(i), "SELECT coalesce(max(version), 0) FROM strata_schema_history"); }

  TempDir tmp_;
};

TEST_F(CliFleet, UpMigratesEveryTargetOnceWithOneLineEach) {
  std::string targets = Targets(12);
  ProcessResult r = Strata({"--targets", targets, "--parallel", "4", "up"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  for (int i = 1; i <= 12; ++i) {
    EXPECT_EQ(Version(i), "3") << i;
    EXPECT_EQ(QueryOne(Db(i), "SELECT count(*) FROM strata_schema_history"), "3") << i;
    EXPECT_EQ(QueryOne(Db(i), "SELECT count(*) FROM b"), "1") << i;
    std::string line = "sqlite:" + Db(i) + "  0 -> 3, 3 migrations";
    EXPECT_EQ(Count(r.out, line), 1u) << line << "\n" << r.out;
  }
  EXPECT_TRUE(Contains(r.out, "12 targets in")) << r.out;
  EXPECT_TRUE(Contains(r.out, "12 ok, 0 failed, 0 not started")) << r.out;

  ProcessResult again = Strata({"--targets", targets, "up"});
  ASSERT_EQ(again.exit_code, kOk) << Describe(again);
  EXPECT_EQ(Count(again.out, "at 3, nothing to do"), 12u) << again.out;
  for (int i = 1; i <= 12; ++i) EXPECT_EQ(QueryOne(Db(i), "SELECT count(*) FROM b"), "1") << "ran twice: " << i;
}

TEST_F(CliFleet, FirstFailureStopsNewTargetsAndTheExitCodeSaysWhy) {
  std::string targets = Targets(6);
  Exec(Db(3), "CREATE TABLE b (x TEXT)");  // v002 fails on the third target
  ProcessResult r = Strata({"--targets", targets, "--parallel", "1", "up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(Version(1), "3");
  EXPECT_EQ(Version(2), "3");
  EXPECT_EQ(Version(3), "1") << "the failed migration was not rolled back";
  for (int i = 4; i <= 6; ++i) EXPECT_FALSE(std::filesystem::exists(Db(i))) << "target " << i << " was started";
  EXPECT_TRUE(Contains(r.out, "FAILED")) << r.out;
  EXPECT_TRUE(Contains(r.out, "v002_b.sql:1:1")) << "no file:line:col in the target's line\n" << r.out;
  EXPECT_TRUE(Contains(r.out, "2 ok, 1 failed, 3 not started")) << r.out;
  EXPECT_EQ(Count(r.out, "not started  sqlite:"), 3u) << r.out;

  ProcessResult all = Strata({"--targets", targets, "--continue-on-error", "up"});
  EXPECT_EQ(all.exit_code, kSqlError) << Describe(all);
  for (int i : {1, 2, 4, 5, 6}) EXPECT_EQ(Version(i), "3") << i;
  EXPECT_EQ(Version(3), "1");
  EXPECT_TRUE(Contains(all.out, "5 ok, 1 failed, 0 not started")) << all.out;
}

TEST_F(CliFleet, AFailedCanaryStopsTheRest) {
  std::string targets = Targets(5);
  Exec(Db(1), "CREATE TABLE a (x TEXT)");
  ProcessResult r = Strata({"--targets", targets, "--canary", "2", "--continue-on-error", "up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  for (int i = 2; i <= 5; ++i) EXPECT_FALSE(std::filesystem::exists(Db(i))) << i;
  EXPECT_TRUE(Contains(r.out, "0 ok, 1 failed, 4 not started")) << r.out;

  std::filesystem::remove(Db(1));
  ProcessResult ok = Strata({"--targets", targets, "--canary", "2", "up"});
  ASSERT_EQ(ok.exit_code, kOk) << Describe(ok);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(Version(i), "3") << i;
  // The canaries finish first, in order.
  std::size_t first = ok.out.find(Db(1) + "  "), second = ok.out.find(Db(2) + "  ");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  for (int i = 3; i <= 5; ++i) EXPECT_LT(second, ok.out.find(Db(i) + "  ")) << ok.out;
}

TEST_F(CliFleet, TheExitCodeIsTheWorstOfTheTargets) {
  // A server that refuses connections (exit 7) and an SQL error (exit 4): the SQL error is worse.
  std::string targets = Targets(3, "postgres://fleet:s3cret-pw@127.0.0.1:1/none?connect_timeout=2\n");
  Exec(Db(2), "CREATE TABLE c (x TEXT)");
  ProcessResult r = Strata({"--targets", targets, "--continue-on-error", "up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_TRUE(Contains(r.out, "exit 7")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "s3cret-pw")) << Describe(r);

  // Alone, the unreachable server gives its own code.
  tmp_.Write("down.txt", "postgres://fleet:s3cret-pw@127.0.0.1:1/none?connect_timeout=2\n");
  ProcessResult down = Strata({"--targets", tmp_.Path("down.txt"), "status"});
  EXPECT_EQ(down.exit_code, kConnection) << Describe(down);
  EXPECT_FALSE(Contains(down.out + down.err, "s3cret-pw")) << Describe(down);
}

TEST_F(CliFleet, JsonTagsEveryEventWithItsTarget) {
  std::string targets = Targets(3, "postgres://fleet:s3cret-pw@127.0.0.1:1/none?connect_timeout=2\n");
  ProcessResult r = Strata({"--targets", targets, "--continue-on-error", "--json", "up"});
  EXPECT_EQ(r.exit_code, kConnection) << Describe(r);
  EXPECT_FALSE(Contains(r.out + r.err, "s3cret-pw")) << Describe(r);
  std::istringstream lines(r.out);
  std::string line;
  std::set<std::string> done;
  json last;
  int events = 0;
  while (std::getline(lines, line)) {
    json j = json::parse(line);  // throws (fails the test) on a line that is not JSON
    last = j;
    ++events;
    if (j.value("event", "") == "fleet_done") continue;
    ASSERT_TRUE(j.contains("target")) << line;
    EXPECT_TRUE(j.contains("schema")) << line;
    if (j.value("event", "") == "target_done") done.insert(j["target"].get<std::string>() + "=" + j["outcome"].get<std::string>());
  }
  EXPECT_GT(events, 3 * 4) << r.out;  // start, migrations, done, target_done per target
  for (int i = 1; i <= 3; ++i) EXPECT_TRUE(done.count("sqlite:" + Db(i) + "=succeeded")) << r.out;
  EXPECT_EQ(done.size(), 4u) << r.out;
  EXPECT_EQ(last.value("event", ""), "fleet_done");
  EXPECT_EQ(last.value("targets", 0), 4);
  EXPECT_EQ(last.value("succeeded", 0), 3);
  EXPECT_EQ(last.value("failed", 0), 1);
  EXPECT_EQ(last.value("exit_code", 0), kConnection);
}

TEST_F(CliFleet, StatusPlanAndVerifyLookAtEveryTarget) {
  std::string targets = Targets(4);
  ASSERT_EQ(Strata({"--targets", targets, "up", "--to", "2"}).exit_code, kOk);
  std::filesystem::remove(Db(4));

  ProcessResult status = Strata({"--targets", targets, "status", "--exit-code"});
  EXPECT_EQ(status.exit_code, kPending) << Describe(status);
  EXPECT_EQ(Count(status.out, "version 2 of 3, 1 pending  ["), 3u) << status.out;
  EXPECT_EQ(Count(status.out, "version 0 of 3, 3 pending  ["), 1u) << status.out;
  EXPECT_FALSE(std::filesystem::exists(Db(4))) << "status created a database";
  EXPECT_EQ(Count(status.out, "pending  sqlite:"), 4u) << "pending targets are not failures\n" << status.out;
  EXPECT_TRUE(Contains(status.out, "0 failed")) << status.out;

  ProcessResult plan = Strata({"--targets", targets, "plan"});
  EXPECT_EQ(plan.exit_code, kOk) << Describe(plan);
  EXPECT_EQ(Count(plan.out, "1 to apply (3 .. 3)"), 3u) << plan.out;
  EXPECT_EQ(Count(plan.out, "3 to apply (1 .. 3)"), 1u) << plan.out;

  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, edited INTEGER);\n");
  // An applied file edited since it ran is no longer "up to date" in the status either.
  ProcessResult edited = Strata({"--targets", targets, "status"});
  EXPECT_EQ(Count(edited.out, "version 2 of 3, 1 pending, 1 changed; `strata verify` says more"), 3u) << edited.out;
  ProcessResult verify = Strata({"--targets", targets, "verify"});
  EXPECT_EQ(verify.exit_code, 9) << Describe(verify);
  EXPECT_EQ(Count(verify.out, "1 problem  ["), 3u) << "every target is looked at, not only the first\n" << verify.out;
}

TEST_F(CliFleet, TargetsFromStandardInputAndUsageErrors) {
  std::string targets = Targets(2);
  ProcessResult r = ::strata::testing::Run({"/bin/sh", "-c", "cat '" + targets + "' | '" + kBinary + "' --dir '" + tmp_.Path("m") +
                                              "' --targets - up"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(Version(1), "3");
  EXPECT_EQ(Version(2), "3");

  EXPECT_EQ(Strata({"--parallel", "2", "--url", "sqlite:" + Db(1), "up"}).exit_code, kUsage);
  EXPECT_EQ(Strata({"--targets", targets, "--url", "sqlite:" + Db(1), "up"}).exit_code, kUsage);
  ProcessResult down = Strata({"--targets", targets, "down"});
  EXPECT_EQ(down.exit_code, kUsage) << Describe(down);
  EXPECT_TRUE(Contains(down.err, "not down")) << down.err;
  EXPECT_EQ(Version(1), "3") << "down ran on a fleet";
  EXPECT_EQ(Strata({"--schemas", "tenant_%", "--url", "sqlite:" + Db(1), "status"}).exit_code, kInvalidInput);

  tmp_.Write("bad.txt", "sqlite:" + Db(1) + "\n\nftp://u:pw-in-file@host/x\n");
  ProcessResult bad = Strata({"--targets", tmp_.Path("bad.txt"), "up"});
  EXPECT_EQ(bad.exit_code, kInvalidInput) << Describe(bad);
  EXPECT_TRUE(Contains(bad.err, "bad.txt:3:1")) << bad.err;
  EXPECT_FALSE(Contains(bad.out + bad.err, "pw-in-file")) << Describe(bad);
  EXPECT_EQ(Strata({"--targets", tmp_.Path("missing.txt"), "up"}).exit_code, kInvalidInput);
}

// Runs `command` (a shell command line) on a pseudo-terminal, as a person at a terminal would.
ProcessResult OnTerminal(const std::string& command, const std::vector<std::string>& env = {}) {
  return ::strata::testing::Run({"/usr/bin/script", "-qfec", command, "/dev/null"}, env);
}

TEST_F(CliFleet, ALongStatementGetsALiveLineOnATerminalOnly) {
  // About a second of work in one statement, after a quick one.
  tmp_.Write("slow/v001_slow.sql",
             "CREATE TABLE a (x);\nWITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 6000000) "
             "INSERT INTO a SELECT count(*) FROM c;\n");
  std::string base = "'" + kBinary + "' --dir '" + tmp_.Path("slow") + "' --url 'sqlite:";
  ProcessResult tty = OnTerminal(base + Db(1) + "' up");
  ASSERT_EQ(tty.exit_code, kOk) << Describe(tty);
  EXPECT_TRUE(Contains(tty.out, "applying 1 slow: statement 2 running for")) << Describe(tty);
  EXPECT_TRUE(Contains(tty.out, "\r\033[K")) << "the live line is not erased";

  ProcessResult json = OnTerminal(base + Db(2) + "' --json up");
  ASSERT_EQ(json.exit_code, kOk) << Describe(json);
  EXPECT_FALSE(Contains(json.out, "running for")) << Describe(json);

  ProcessResult piped = ::strata::testing::Run({kBinary, "--dir", tmp_.Path("slow"), "--url", "sqlite:" + Db(3), "up"});
  ASSERT_EQ(piped.exit_code, kOk) << Describe(piped);
  EXPECT_FALSE(Contains(piped.out + piped.err, "running for")) << Describe(piped);
  EXPECT_FALSE(Contains(piped.out + piped.err, "\033[")) << Describe(piped);
}

TEST_F(CliFleet, ColoursOnlyOnATerminalAndNeverWithNoColor) {
  std::string targets = Targets(2);
  std::string command = "'" + kBinary + "' --dir '" + tmp_.Path("m") + "' --targets '" + targets + "' status";
  ProcessResult tty = OnTerminal(command);
  ASSERT_EQ(tty.exit_code, kOk) << Describe(tty);
  EXPECT_TRUE(Contains(tty.out, "\033[32mok")) << Describe(tty);

  ProcessResult no_color = OnTerminal(command, {"NO_COLOR=1"});
  ASSERT_EQ(no_color.exit_code, kOk) << Describe(no_color);
  EXPECT_FALSE(Contains(no_color.out, "\033[3")) << Describe(no_color);
  EXPECT_TRUE(Contains(no_color.out, "ok       sqlite:")) << Describe(no_color);

  ProcessResult piped = Strata({"--targets", targets, "status"});
  ASSERT_EQ(piped.exit_code, kOk) << Describe(piped);
  EXPECT_FALSE(Contains(piped.out + piped.err, "\033[")) << Describe(piped);
}

// Ctrl-C in the middle of a fleet: the running target finishes, no other starts, and the exit
// code says the run was interrupted.
TEST_F(CliFleet, AnInterruptStartsNoMoreTargetsAndStopsTheRunningOnes) {
  // Each target takes about a second (one slow statement).
  tmp_.Write("slow/v001_slow.sql",
             "CREATE TABLE a (x);\nWITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 6000000) "
             "INSERT INTO a SELECT count(*) FROM c;\n");
  std::string targets = Targets(5);
  std::string log = tmp_.Path("fleet.log");
  int pid = StartLogged({kBinary, "--dir", tmp_.Path("slow"), "--targets", targets, "--parallel", "1", "up"}, log);
  ASSERT_TRUE(PollUntil([&] { return std::filesystem::exists(Db(1)); }, std::chrono::seconds(20)));
  ::kill(pid, SIGINT);
  int code = WaitExit(pid);
  std::string out = ReadText(log);
  EXPECT_EQ(code, 130) << out;
  // The running target stopped too, where its database is clean: its migration was rolled back
  // (or, had the signal come before it began, never started).
  EXPECT_EQ(QueryOne(Db(1), "SELECT count(*) FROM strata_schema_history"), "0") << out;
  EXPECT_EQ(QueryOne(Db(1), "SELECT count(*) FROM sqlite_schema WHERE name = 'a'"), "0") << out;
  EXPECT_TRUE(Contains(out, "v001_slow.sql: interrupted during migration 1 (slow), which was rolled back") ||
              Contains(out, "interrupted before migration 1 (slow) started"))
      << out;
  int started = 0;
  for (int i = 1; i <= 5; ++i) started += std::filesystem::exists(Db(i)) ? 1 : 0;
  EXPECT_LE(started, 2) << out;  // the one running when the signal came, and at most the next already picked
  EXPECT_TRUE(Contains(out, "interrupted: the targets above never started")) << out;
}

}  // namespace
}  // namespace strata::testing
