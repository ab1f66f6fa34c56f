// End-to-end regression tests of the command line's usage errors and of what a run says when a
// migration breaks strata's own bookkeeping: each test runs the real binary on a temporary
// directory and a temporary SQLite file and checks stderr, the exit code and the database.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = STRATA_BINARY;

// Exit codes (cli/cli.h).
constexpr int kOk = 0;
constexpr int kUsage = 2;
constexpr int kSqlError = 4;

std::string UsageError(const std::string& message) {
  return "strata: error: " + message + "\nRun with --help for more information.\n";
}

class CliUsageTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_); }

  // `strata --url sqlite:DB --dir DIR ARGS...`
  ProcessResult Strata(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {kBinary, "--url", "sqlite:" + db_, "--dir", dir_};
    argv.insert(argv.end(), args.begin(), args.end());
    return strata::testing::Run(argv, {"DATABASE_URL="}, tmp_.path());
  }
  // `strata ARGS...` in the temporary directory, nothing added.
  ProcessResult StrataRaw(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {kBinary};
    argv.insert(argv.end(), args.begin(), args.end());
    return strata::testing::Run(argv, {"DATABASE_URL="}, tmp_.path());
  }
  // Migrations 0001_t1.sql ... 00NN_tNN.sql, each creating one table.
  void WriteMigrations(int count) const {
    for (int i = 1; i <= count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "%04d_t%d.sql", i, i);
      tmp_.Write("migrations/" + std::string(name), "CREATE TABLE t" + std::to_string(i) + " (x);\n");
    }
  }
  std::string Applied() const {
    return QueryOne(db_, "SELECT coalesce(group_concat(version), '') FROM (SELECT version FROM "
                         "strata_schema_history ORDER BY version)");
  }

  TempDir tmp_;
  std::string db_ = tmp_.Path("test.db");
  std::string dir_ = tmp_.Path("migrations");
};

// ---------------------------------------------------------------------------------------------
// (a) Numbers on the command line and in strata.toml.

// `up --to -1`, `--to -2` and `--to` above 2^64-1 used to apply everything and exit 0: CLI11 read
// "-1" with strtoull (2^64-1) and saturated on overflow.
TEST_F(CliUsageTest, UpToNegativeOrOverflowingVersionIsAUsageError) {
  WriteMigrations(3);
  const std::string range = "from 0 to 18446744073709551615 (decimal digits only)";
  ProcessResult r = Strata({"up", "--to", "-1"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_EQ(r.err, UsageError("--to: '-1' is not a number " + range)) << Describe(r);
  r = Strata({"up", "--to", "-2"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_EQ(r.err, UsageError("--to: '-2' is not a number " + range)) << Describe(r);
  r = Strata({"up", "--to", "18446744073709551616"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_EQ(r.err, UsageError("--to: 18446744073709551616 is out of range (0 to 18446744073709551615)"))
      << Describe(r);
  r = Strata({"up", "--to=99999999999999999999999"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_EQ(r.err, UsageError("--to: 99999999999999999999999 is out of range (0 to 18446744073709551615)"))
      << Describe(r);
  EXPECT_FALSE(fs::exists(db_)) << "a refused command line created the database";

  r = Strata({"up", "--to", "18446744073709551615"});
  EXPECT_EQ(r.exit_code, kOk) << "the largest version is still a valid target" << Describe(r);
  EXPECT_EQ(Applied(), "1,2,3");
}

// Every numeric flag refuses a sign, an overflow, a base prefix, spaces and trailing text, and
// names the flag and the value. Each of these used to be read by CLI11's strtoull/strtold.
TEST_F(CliUsageTest, EveryNumericFlagRefusesSignsOverflowAndTrailingText) {
  struct Flag {
    std::vector<std::string> before;  // command line up to the flag
    std::string flag;
    std::string range;                // as the message words it
  };
  const std::vector<Flag> flags = {
      {{"up"}, "--to", "from 0 to 18446744073709551615 (decimal digits only)"},
      {{"plan"}, "--to", "from 0 to 18446744073709551615 (decimal digits only)"},
      {{"down"}, "--to", "from 0 to 18446744073709551615 (decimal digits only)"},
      {{"down"}, "--steps", "from 1 to 4294967295 (decimal digits only)"},
      {{"baseline"}, "--version", "from 0 to 18446744073709551615 (decimal digits only)"},
      {{"log"}, "--limit", "from 1 to 1000000 (decimal digits only)"},
  };
  for (const Flag& f : flags) {
    for (const std::string value : {"-1", "+5", "0x10", "5abc", " 5", "5 ", "1e3", "", "-0"}) {
      std::vector<std::string> args = f.before;
      args.push_back(f.flag);
      args.push_back(value);
      ProcessResult r = Strata(args);
      SCOPED_TRACE(f.before[0] + " " + f.flag + " '" + value + "'");
      EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
      EXPECT_EQ(r.err, UsageError(f.flag + ": '" + value + "' is not a number " + f.range)) << Describe(r);
    }
  }
  struct Bound {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Bound> out_of_range = {
      {{"down", "--steps", "0"}, "--steps: 0 is out of range (1 to 4294967295)"},
      {{"down", "--steps", "4294967296"}, "--steps: 4294967296 is out of range (1 to 4294967295)"},
      {{"baseline", "--version", "18446744073709551616"},
       "--version: 18446744073709551616 is out of range (0 to 18446744073709551615)"},
      {{"log", "--limit", "0"}, "--limit: 0 is out of range (1 to 1000000)"},
      {{"log", "--limit", "1000001"}, "--limit: 1000001 is out of range (1 to 1000000)"},
  };
  for (const Bound& b : out_of_range) {
    ProcessResult r = Strata(b.args);
    EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
    EXPECT_EQ(r.err, UsageError(b.message)) << Describe(r);
  }
  EXPECT_FALSE(fs::exists(db_)) << "a refused command line created the database";
}

// `baseline --version -1` used to record every migration, and a marker at 2^64-1, as applied.
TEST_F(CliUsageTest, BaselineVersionMinusOneRecordsNothing) {
  WriteMigrations(2);
  ProcessResult r = Strata({"up", "--to", "1"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  r = Strata({"baseline", "--version", "-1"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_EQ(r.err, UsageError("--version: '-1' is not a number from 0 to 18446744073709551615 (decimal digits "
                              "only)"))
      << Describe(r);
  EXPECT_EQ(Applied(), "1");
}

// CLI11 reads integers with base 0, so `--to 010` meant version 8 and `--to 0009` was refused.
// Versions are written with leading zeros in file names; they are decimal.
TEST_F(CliUsageTest, LeadingZerosAreDecimalNotOctal) {
  WriteMigrations(12);
  ProcessResult r = Strata({"up", "--to", "010"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(Applied(), "1,2,3,4,5,6,7,8,9,10");
  r = Strata({"plan", "--to", "0012"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  r = Strata({"up", "--to", "0009"});
  EXPECT_EQ(r.exit_code, 3) << "0009 is version 9, below the current 10" << Describe(r);
}

// `--lock-timeout nan` passed CLI11's range check and became a negative number of milliseconds
// (exit 3, "timeouts cannot be negative"); "inf", exponents and trailing units are refused too.
TEST_F(CliUsageTest, TimeoutFlagsRefuseNanInfinityAndTrailingText) {
  for (const std::string flag : {"--lock-timeout", "--pg-lock-timeout", "--statement-timeout"}) {
    for (const std::string value : {"nan", "inf", "-1", "-0.5", "1e3", "5s", " 5", "0x10", "", "."}) {
      ProcessResult r = Strata({flag, value, "status"});
      SCOPED_TRACE(flag + " '" + value + "'");
      EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
      EXPECT_EQ(r.err, UsageError(flag + ": '" + value + "' is not a number of seconds from 0 to 86400 (e.g. 30 or "
                                                         "0.5)"))
          << Describe(r);
    }
    ProcessResult r = Strata({flag, "86400.5", "status"});
    EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
    EXPECT_EQ(r.err, UsageError(flag + ": 86400.5 is out of range (0 to 86400 seconds)")) << Describe(r);
    for (const std::string value : {"0", "0.5", ".5", "30", "86400"}) {
      r = Strata({flag, value, "status"});
      EXPECT_EQ(r.exit_code, kOk) << flag << " " << value << Describe(r);
    }
  }
}

// strata.toml's timeouts: TOML has nan and inf, and a huge number overflowed the conversion to
// milliseconds; all are refused at the key, as the command line refuses them.
TEST_F(CliUsageTest, ConfigTimeoutsRefuseNanInfinityAndOverflow) {
  for (const std::string key : {"lock_timeout", "pg_lock_timeout", "statement_timeout"}) {
    for (const std::string value : {"nan", "+inf", "-inf", "-1", "1e300", "86401", "9223372036854775807"}) {
      tmp_.Write("strata.toml", "url = \"sqlite:app.db\"\n" + key + " = " + value + "\n");
      ProcessResult r = StrataRaw({"status"});
      SCOPED_TRACE(key + " = " + value);
      EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
      const std::string want = "strata: error: strata.toml:2:" + std::to_string(key.size() + 4) + ": '" + key +
                               "' must be a number of seconds from 0 to 86400\n";
      EXPECT_EQ(r.err, want) << Describe(r);
    }
    tmp_.Write("strata.toml", "url = \"sqlite:app.db\"\n" + key + " = 0.25\n");
    ProcessResult r = StrataRaw({"status"});
    EXPECT_EQ(r.exit_code, kOk) << key << Describe(r);
  }
  EXPECT_FALSE(fs::exists(tmp_.Path("app.db")));
}

// ---------------------------------------------------------------------------------------------
// (b) A command that does not exist.

// `strata upp` said "A subcommand is required": it now names the word and the closest command.
TEST_F(CliUsageTest, UnknownCommandIsNamedWithTheClosestCommand) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"upp"}, "'upp' is not a strata command; did you mean 'up'?"},
      {{"stauts"}, "'stauts' is not a strata command; did you mean 'status'?"},
      {{"dwon", "--steps", "1"}, "'dwon' is not a strata command; did you mean 'down'?"},
      {{"verfy"}, "'verfy' is not a strata command; did you mean 'verify'?"},
      {{"UP"}, "'UP' is not a strata command; did you mean 'up'?"},
      {{"frobnicate"}, "'frobnicate' is not a strata command"},
      {{"x"}, "'x' is not a strata command"},
      {{"--json", "--lock-timeout", "5", "lg"}, "'lg' is not a strata command; did you mean 'log'?"},
  };
  for (const Case& c : cases) {
    ProcessResult r = Strata(c.args);
    EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
    EXPECT_EQ(r.err, UsageError(c.message)) << Describe(r);
    EXPECT_EQ(r.out, "") << Describe(r);
  }
  // A URL given where the command goes is shown without its password.
  ProcessResult r = StrataRaw({"postgres://app:hunter2@db.example/app"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_EQ(r.err, UsageError("'postgres://app:****@db.example/app' is not a strata command")) << Describe(r);
  EXPECT_FALSE(fs::exists(db_));
}

// ---------------------------------------------------------------------------------------------
// (c) A migration that breaks strata's history table.

// What strata says when migration `subject` in `file` left the history table `table` `state`.
std::string HistoryBroken(const std::string& file, const std::string& subject, const std::string& table,
                          const std::string& state, const std::string& outcome) {
  return file + ": " + subject +
         " ran, but its outcome cannot be recorded in strata's history table; did it drop, rename or alter that "
         "table? It did: after it, " + table + " " + state + ", and a migration must leave that table alone (" +
         outcome + ")";
}

const std::string kRolledBack = "migration 2 (drop) was rolled back; the database is still at version 1";

// These tests are about the engine's own check after each migration, so lint (which would warn
// about the DROP TABLE first) is off.

// A migration that dropped the history table failed with "cannot record the migration in the
// history table: no such table: strata_schema_history", naming neither the file nor the migration.
TEST_F(CliUsageTest, MigrationDroppingTheHistoryTableIsNamedInTheError) {
  tmp_.Write("migrations/0001_a.sql", "CREATE TABLE a (x);\n");
  tmp_.Write("migrations/0002_drop.sql", "CREATE TABLE b (x);\nDROP TABLE strata_schema_history;\n");
  const std::string want = HistoryBroken(dir_ + "/0002_drop.sql", "migration 2 (drop)", "strata_schema_history",
                                         "is gone", kRolledBack);
  ProcessResult r = Strata({"up", "--lint=off"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + want + "\n") << Describe(r);
  EXPECT_EQ(Applied(), "1") << "the history is as before the migration";
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), "0");

  r = Strata({"--json", "up", "--lint=off"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_NE(r.out.find(R"({"code":"sql_error","event":"error","message":")" + want + "\"}\n"), std::string::npos)
      << Describe(r);
  EXPECT_EQ(QueryOne(db_, "SELECT error FROM strata_schema_history_log ORDER BY id DESC LIMIT 1"), want);
}

// The same for a rename, a changed layout, another history table name and a rollback.
TEST_F(CliUsageTest, MigrationAlteringTheHistoryTableIsNamedInTheError) {
  tmp_.Write("migrations/0001_a.up.sql", "CREATE TABLE a (x);\n");
  tmp_.Write("migrations/0001_a.down.sql", "DROP TABLE a;\n");
  const std::string file = dir_ + "/0002_drop.sql";
  struct Case {
    std::string sql;
    std::string state;
  };
  for (const Case& c : std::vector<Case>{
           {"ALTER TABLE strata_schema_history RENAME TO kept;\n", "is gone"},
           {"ALTER TABLE \"Strata_Schema_History\" DROP COLUMN checksum;\n", "no longer has its layout"},
           {"DROP TABLE strata_schema_history;\nCREATE VIEW strata_schema_history AS SELECT 1 AS version;\n",
            "no longer has its layout"}}) {
    tmp_.Write("migrations/0002_drop.sql", c.sql);
    ProcessResult r = Strata({"up", "--lint=off"});
    EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
    EXPECT_EQ(r.err, "strata: error: " + HistoryBroken(file, "migration 2 (drop)", "strata_schema_history", c.state,
                                                       kRolledBack) + "\n")
        << Describe(r);
    EXPECT_EQ(Applied(), "1");
  }

  // Under another name (on another database), that name is the one watched.
  tmp_.Write("migrations/0002_drop.sql", "DROP TABLE hist;\n");
  ProcessResult r = StrataRaw({"--url", "sqlite:" + tmp_.Path("other.db"), "--dir", dir_, "--table", "hist", "up", "--lint=off"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + HistoryBroken(file, "migration 2 (drop)", "hist", "is gone", kRolledBack) + "\n")
      << Describe(r);
  fs::remove(file);

  // A down part that drops the history table.
  tmp_.Write("migrations/0002_b.up.sql", "CREATE TABLE b (x);\n");
  tmp_.Write("migrations/0002_b.down.sql", "DROP TABLE b;\nDROP TABLE strata_schema_history;\n");
  r = Strata({"up", "--lint=off"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  r = Strata({"down"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  const std::string undone = "rollback of 2 (b) was undone; the database is still at version 2";
  EXPECT_EQ(r.err, "strata: error: " + HistoryBroken(dir_ + "/0002_b.down.sql", "the rollback of 2 (b)",
                                                     "strata_schema_history", "is gone", undone) + "\n")
      << Describe(r);
  EXPECT_EQ(Applied(), "1,2");
}

// Outside a transaction the drop cannot be undone: the error says so instead of "marked dirty".
TEST_F(CliUsageTest, NoTransactionMigrationDroppingTheHistoryTableSaysTheChangeStays) {
  tmp_.Write("migrations/0001_a.sql", "CREATE TABLE a (x);\n");
  tmp_.Write("migrations/0002_drop.sql", "-- strata:no-transaction\nDROP TABLE strata_schema_history;\n");
  ProcessResult r = Strata({"up", "--lint=off"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + HistoryBroken(dir_ + "/0002_drop.sql", "migration 2 (drop)",
                                                     "strata_schema_history", "is gone",
                                                     "it ran outside a transaction, so that change stays: put the "
                                                     "table back as it was before running strata on this database "
                                                     "again") +
                       "\n")
      << Describe(r);
}

// The libraries of one engine or one feature are loaded when first used, not at every start:
// loading and relocating libcrypto, libpg_query and toml++ took more time than the rest of
// `strata --version`. LD_DEBUG=files makes the dynamic loader name each library it loads.
TEST(CliStartup, LoadsEachLibraryOnlyWhenItIsUsed) {
  ProcessResult version = testing::Run({kBinary, "--version"}, {"LD_DEBUG=files"});
  ASSERT_EQ(version.exit_code, kOk) << Describe(version);
  ASSERT_NE(version.err.find("libsqlite3"), std::string::npos) << "LD_DEBUG was not honoured:\n" << version.err;
  for (const char* lib : {"libcrypto", "libpg_query", "libtomlplusplus", "libpq.", "libmariadb"}) {
    EXPECT_EQ(version.err.find(lib), std::string::npos) << lib << " was loaded by --version";
  }
  // Linting PostgreSQL migrations parses them with libpg_query: loaded then.
  TempDir dir;
  dir.Write("m/v001_a.sql", "CREATE TABLE a (id int);\n");
  ProcessResult lint = testing::Run({kBinary, "lint", "--engine", "postgres", "--dir", dir.Path("m")}, {"LD_DEBUG=files"});
  EXPECT_EQ(lint.exit_code, kOk) << Describe(lint);
  EXPECT_NE(lint.err.find("libpg_query"), std::string::npos) << lint.err;
}

}  // namespace
}  // namespace strata::testing
