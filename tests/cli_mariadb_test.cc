// The strata binary against a real MariaDB server: a migration whose DDL MariaDB commits statement
// by statement is never reported as rolled back when it fails half way, a migration of data
// statements still runs in one transaction, and the history says what happened.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <string>
#include <vector>

#include "mariadb_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class CliMariadb : public ::testing::Test {
 protected:
  ProcessResult Strata(std::vector<std::string> args) const {
    std::vector<std::string> argv = {STRATA_BINARY, "--url", db_.url(), "--dir", dir_.Path("m")};
    argv.insert(argv.end(), args.begin(), args.end());
    return ::strata::testing::Run(argv);
  }
  std::string One(const std::string& sql) const {
    auto rows = db_.Query(sql);
    return rows.empty() ? "" : rows[0];
  }
  // Starts `up` on dir m, waits until a migration statement holding `sleep` runs in the test's own
  // database (other tests sleep in theirs at the same time), then kills every other session of it:
  // the runner's other session, which holds the lock, and any idle session of this test's own
  // queries that has not closed yet (harmless). Expects exit 14.
  void RunAndKillTheLockSessionDuring(const std::string& sleep) {
    int pid = StartLogged({STRATA_BINARY, "--url", db_.url(), "--dir", dir_.Path("m"), "up"}, dir_.Path("run.log"));
    const std::string like = "'%" + sleep + "%'";
    ASSERT_TRUE(PollUntil(
        [&] {
          return One("SELECT count(*) FROM information_schema.processlist WHERE DB = DATABASE() AND "
                     "ID <> CONNECTION_ID() AND INFO LIKE " + like) == "1";
        },
        std::chrono::seconds(20)))
        << ReadText(dir_.Path("run.log"));
    const std::string others =
        One("SELECT group_concat(ID) FROM information_schema.processlist WHERE DB = DATABASE() AND "
            "ID <> CONNECTION_ID() AND COALESCE(INFO, '') NOT LIKE " + like);
    ASSERT_FALSE(others.empty() || others == "NULL") << ProcessList() << ReadText(dir_.Path("run.log"));
    // The list can include a session of this test's own polling that was closing (1094, unknown
    // thread, by the time it is killed): only strata's sessions must still be there.
    constexpr unsigned kUnknownThread = 1094;
    for (std::size_t pos = 0; pos <= others.size();) {
      std::size_t comma = std::min(others.find(',', pos), others.size());
      db_.Query("KILL " + others.substr(pos, comma - pos), kUnknownThread);
      pos = comma + 1;
    }
    EXPECT_EQ(WaitExit(pid), 14) << ReadText(dir_.Path("run.log"));
  }
  // Starts `up` on dir m (output to `log` in dir_) and returns its pid once a statement holding
  // `running` runs in the test's own database.
  int StartUpAndWaitFor(const std::string& running, const std::string& log) {
    int pid = StartLogged({STRATA_BINARY, "--url", db_.url(), "--dir", dir_.Path("m"), "up"}, dir_.Path(log));
    bool seen = PollUntil(
        [&] {
          return One("SELECT count(*) FROM information_schema.processlist WHERE DB = DATABASE() AND "
                     "ID <> CONNECTION_ID() AND INFO LIKE '%" + running + "%'") == "1";
        },
        std::chrono::seconds(20));
    EXPECT_TRUE(seen) << ReadText(dir_.Path(log));
    return pid;
  }
  // Every session on the server, for a failure's message.
  std::string ProcessList() const {
    std::string out;
    for (const std::string& row :
         db_.Query("SELECT concat_ws(' | ', ID, DB, COMMAND, STATE, COALESCE(INFO, '')) FROM "
                   "information_schema.processlist")) {
      out += row + "\n";
    }
    return out;
  }
  bool HasTable(const std::string& name) const {
    return One("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '" +
               name + "'") == "1";
  }
  // The history as "version:state,...".
  std::string History() const {
    return One("SELECT group_concat(concat(version, ':', state) ORDER BY version) FROM strata_schema_history");
  }

  MariadbDatabase db_;
  TempDir dir_;
};

constexpr const char* kFiveStatements =
    "CREATE TABLE one (id INT PRIMARY KEY);\n"
    "ALTER TABLE base ADD COLUMN x INT;\n"
    "ALTER TABLE nowhere ADD COLUMN y INT;\n"
    "CREATE TABLE four (id INT PRIMARY KEY);\n"
    "CREATE TABLE five (id INT PRIMARY KEY);\n";

std::string TableCount(const std::string& name) {
  return "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '" + name +
         "'";
}

TEST_F(CliMariadb, AFailureAtTheThirdOfFiveDdlStatementsLeavesItPartialAndTheFixedFileResumesThere) {
  dir_.Write("m/v001_base.sql", "CREATE TABLE base (id INT PRIMARY KEY);\n");
  dir_.Write("m/v002_five.sql", kFiveStatements);
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "v002_five.sql:3:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "statement 3 of 5 failed; statements 1 to 2 of 5 are applied and cannot be rolled back "
                              "by the engine, and the migration is left partial"))
      << r.err;
  EXPECT_FALSE(Contains(r.err, "was rolled back")) << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, "still at version")) << Describe(r);
  // What MariaDB kept, and what the history says about it.
  EXPECT_EQ(One(TableCount("one")), "1");
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'base' "
                "AND column_name = 'x'"),
            "1");
  EXPECT_EQ(One(TableCount("four")), "0");
  EXPECT_EQ(History(),
            "1:applied,2:dirty");
  ProcessResult status = Strata({"status"});
  EXPECT_TRUE(Contains(status.out, "partial")) << Describe(status);
  EXPECT_TRUE(Contains(status.out, "2 of its 5 statements ran")) << Describe(status);
  // It has no down part: the way out that status offers besides resuming is the repair.
  EXPECT_TRUE(Contains(status.out, "or finish it by hand and run `strata repair --mark-applied`")) << Describe(status);
  EXPECT_FALSE(Contains(status.out, "strata down")) << Describe(status);
  // A migration left partial is work for `up`: it counts as pending, so a CI gate on
  // `status --exit-code` sees it.
  EXPECT_TRUE(Contains(status.out, "(latest available 2), 1 pending")) << Describe(status);
  ProcessResult gate = Strata({"status", "--exit-code"});
  EXPECT_EQ(gate.exit_code, 8) << Describe(gate);
  ProcessResult json = Strata({"status", "--json"});
  EXPECT_TRUE(Contains(json.out, "\"statements_done\":2")) << Describe(json);
  EXPECT_TRUE(Contains(json.out, "\"pending\":1")) << Describe(json);
  // So do a fleet's status and lint --pending.
  dir_.Write("targets.txt", db_.url() + "\n");
  ProcessResult fleet = ::strata::testing::Run({STRATA_BINARY, "--targets", dir_.Path("targets.txt"), "--dir",
                                                dir_.Path("m"), "status", "--exit-code"});
  EXPECT_EQ(fleet.exit_code, 8) << Describe(fleet);
  EXPECT_TRUE(Contains(fleet.out, "version 1 of 2, 1 pending (1 partial); `strata verify` says more")) << fleet.out;
  ProcessResult lint = Strata({"lint", "--pending"});
  EXPECT_TRUE(Contains(lint.out, "lint: 1 migration linted")) << Describe(lint);

  ProcessResult plan = Strata({"up", "--dry-run"});
  EXPECT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_TRUE(Contains(plan.out, "[no transaction] [partial: resumes at statement 3]\nALTER TABLE nowhere")) << plan.out;
  EXPECT_FALSE(Contains(plan.out, "CREATE TABLE one")) << plan.out;

  // Run again unfixed: it resumes at statement 3 (statements 1 and 2 would fail if they ran again).
  ProcessResult again = Strata({"up"});
  EXPECT_EQ(again.exit_code, 4) << Describe(again);
  EXPECT_TRUE(Contains(again.err, "v002_five.sql:3:")) << again.err;

  // The fixed file resumes at statement 3 and completes the migration.
  std::string fixed = kFiveStatements;
  fixed.replace(fixed.find("nowhere"), 7, "base");
  dir_.Write("m/v002_five.sql", fixed);
  ProcessResult resumed = Strata({"up"});
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_TRUE(Contains(resumed.err, "migration 2 (five) resumes at statement 3 of 5: statements 1 to 2 ran in an "
                                    "earlier run"))
      << Describe(resumed);
  EXPECT_EQ(One(TableCount("four")), "1");
  EXPECT_EQ(One(TableCount("five")), "1");
  EXPECT_EQ(One("SELECT group_concat(concat(version, ':', state, ':', progress IS NULL) ORDER BY version) FROM "
                "strata_schema_history"),
            "1:applied:1,2:applied:1");
  EXPECT_EQ(Strata({"verify"}).exit_code, 0);
}

// A resumed migration runs in a new session: what its statements that ran set up in theirs (here
// foreign_key_checks, a user variable and sql_mode) is set up again before the next statement.
// A temporary table lived in the session of the run that stopped: the resume does not make it again
// (from the data it could get other rows), and when a statement then fails, the error says why.
TEST_F(CliMariadb, AResumeThatMissesATemporaryTableOfTheFirstRunSaysSo) {
  const std::string broken =
      "CREATE TEMPORARY TABLE ids (id INT);\n"
      "INSERT INTO ids VALUES (7);\n"
      "CREATE TABLE kept (id INT PRIMARY KEY);\n"
      "INSRT INTO kept SELECT id FROM ids;\n";
  dir_.Write("m/v001_kept.sql", broken);
  ProcessResult first = Strata({"up"});
  ASSERT_EQ(first.exit_code, 4) << Describe(first);
  EXPECT_FALSE(Contains(first.err, "Note: this run resumed")) << first.err;
  std::string fixed = broken;
  fixed.replace(fixed.find("INSRT"), 5, "INSERT");
  dir_.Write("m/v001_kept.sql", fixed);
  ProcessResult resumed = Strata({"up"});
  EXPECT_EQ(resumed.exit_code, 4) << Describe(resumed);
  EXPECT_TRUE(Contains(resumed.err, "v001_kept.sql:4:")) << resumed.err;
  EXPECT_TRUE(Contains(resumed.err, "Note: this run resumed in a new session, and statement 1 made a temporary "
                                    "table in the session of the run that stopped, which is gone: if statement 4 "
                                    "needs it, finish the migration by hand and run `strata repair --mark-applied`"))
      << resumed.err;
  EXPECT_EQ(One("SELECT count(*) FROM kept"), "0");
  EXPECT_EQ(History(), "1:dirty");
}

TEST_F(CliMariadb, AResumedMigrationSetsUpItsSessionAgainFirst) {
  const std::string broken =
      "SET foreign_key_checks = 0;\n"
      "SET @tag = 'from the first run', sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES');\n"
      "CREATE TABLE child (id INT PRIMARY KEY, parent INT, tag VARCHAR(40),\n"
      "  FOREIGN KEY (parent) REFERENCES parent (id));\n"
      "INSRT INTO child VALUES (1, 999, @tag);\n"
      "SET GLOBAL max_connections = @@global.max_connections;\n";
  dir_.Write("m/v001_orphans.sql", broken);
  ProcessResult r = Strata({"up"});
  ASSERT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "v001_orphans.sql:5:")) << r.err;
  // Fixed: an orphan row (no table parent) and a double-quoted name, which only the session the
  // first run set up accepts.
  std::string fixed = broken;
  fixed.replace(fixed.find("INSRT INTO child"), 16, "INSERT INTO \"child\"");
  dir_.Write("m/v001_orphans.sql", fixed);
  // The plan shows what the resume runs: the two SETs again, then statement 4 on.
  ProcessResult plan = Strata({"up", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_TRUE(Contains(plan.out, "[partial: resumes at statement 4]\n"
                                 "-- run again first, in the new session: statements 1, 2, which set up the session\n"
                                 "SET foreign_key_checks = 0;\n"
                                 "SET @tag = 'from the first run', sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES');\n"
                                 "-- statement 4 on:\n"
                                 "INSERT INTO \"child\""))
      << plan.out;
  EXPECT_FALSE(Contains(plan.out, "CREATE TABLE child")) << plan.out;
  ProcessResult resumed = Strata({"up"});
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_TRUE(Contains(resumed.err, "resumes at statement 4 of 5: statements 1 to 3 ran in an earlier run; "
                                    "statements 1, 2, which set up the session, ran again first"))
      << Describe(resumed);
  EXPECT_EQ(One("SELECT concat(id, ':', parent, ':', tag) FROM child"), "1:999:from the first run");
  EXPECT_EQ(History(), "1:applied");
  // A user variable given a value from the data cannot be set up again (the value could differ
  // now, or be unset): such a migration does not resume, and says why, before anything runs.
  // `file` (a statement per line) fails at `typo` first; fixed, the resume is refused at `statement`.
  auto refused_at = [&](const std::string& file, const std::string& text, const std::string& typo,
                        const std::string& fix, int statement) {
    SCOPED_TRACE(file);
    dir_.Write("m/" + file, text);
    ASSERT_EQ(Strata({"up"}).exit_code, 4);
    std::string fixed_text = text;
    fixed_text.replace(fixed_text.find(typo), typo.size(), fix);
    dir_.Write("m/" + file, fixed_text);
    ProcessResult refused = Strata({"up"});
    EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
    EXPECT_TRUE(Contains(refused.err, file + ":" + std::to_string(statement) + ":1")) << refused.err;
    EXPECT_TRUE(Contains(refused.err, "statement " + std::to_string(statement) +
                                          " gave a user variable a value from a query"))
        << refused.err;
  };
  refused_at("v002_computed.sql",
             "SET @top = (SELECT MAX(id) FROM child);\nCREATE TABLE later (id INT PRIMARY KEY);\n"
             "INSRT INTO later VALUES (@top);\n",
             "INSRT", "INSERT", 1);
  EXPECT_EQ(One("SELECT count(*) FROM later"), "0");
  EXPECT_EQ(History(), "1:applied,2:dirty");
  // So does a query that stores what it read: resumed, the archive would have been filled with
  // @cutoff unset (NULL), that is with nothing, and recorded as applied.
  ASSERT_EQ(Strata({"repair"}).exit_code, 0);
  dir_.Write("m/v002_computed.sql", "SELECT 1;\n");
  ASSERT_EQ(Strata({"up"}).exit_code, 0);
  refused_at("v003_archive.sql",
             "CREATE TABLE archive (id INT PRIMARY KEY);\nSELECT MAX(id) INTO @cutoff FROM child;\n"
             "CREATE INDEX ix ON child_missing (id);\nINSERT INTO archive SELECT id FROM child WHERE id <= @cutoff;\n",
             "child_missing", "child", 2);
  EXPECT_EQ(History(), "1:applied,2:applied,3:dirty");
}

TEST_F(CliMariadb, APartialMigrationWhoseStatementsThatRanWereEditedIsRefused) {
  dir_.Write("m/v001_base.sql", "CREATE TABLE base (id INT PRIMARY KEY);\n");
  dir_.Write("m/v002_five.sql", kFiveStatements);
  ASSERT_EQ(Strata({"up"}).exit_code, 4);
  // Statement 2 edited (it already ran), statement 3 fixed: refused, naming statement 2, nothing run.
  std::string edited = kFiveStatements;
  edited.replace(edited.find("nowhere"), 7, "base");
  edited.replace(edited.find("ADD COLUMN x INT"), 16, "ADD COLUMN x BIGINT");
  dir_.Write("m/v002_five.sql", edited);
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 5) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "v002_five.sql:2:1")) << r.err;
  EXPECT_TRUE(Contains(r.err, "statement 2 changed after it ran")) << r.err;
  EXPECT_TRUE(Contains(r.err, "nothing was run")) << r.err;
  EXPECT_EQ(One(TableCount("four")), "0");
  // A statement that ran, removed: refused too.
  dir_.Write("m/v002_five.sql", "CREATE TABLE one (id INT PRIMARY KEY);\n");
  ProcessResult shorter = Strata({"up"});
  EXPECT_EQ(shorter.exit_code, 5) << Describe(shorter);
  EXPECT_TRUE(Contains(shorter.err, "the file now has only 1 statement")) << shorter.err;
  // A comment between the statements is no edit of a statement: it resumes.
  std::string commented = kFiveStatements;
  commented.replace(commented.find("nowhere"), 7, "base");
  dir_.Write("m/v002_five.sql", "-- the third statement named the wrong table\n" + commented);
  ProcessResult resumed = Strata({"up"});
  EXPECT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_EQ(One(TableCount("five")), "1");
}

TEST_F(CliMariadb, APartialMigrationIsRolledBackWithItsDownPartOnlyWhenConfirmed) {
  dir_.Write("m/0001_base.up.sql", "CREATE TABLE base (id INT PRIMARY KEY);\n");
  dir_.Write("m/0002_two.up.sql",
             "CREATE TABLE one (id INT PRIMARY KEY);\n"
             "CREATE TABLE two (id INT PRIMARY KEY, bad NOSUCHTYPE);\n");
  dir_.Write("m/0002_two.down.sql", "DROP TABLE IF EXISTS two;\nDROP TABLE IF EXISTS one;\n");
  ASSERT_EQ(Strata({"up"}).exit_code, 4);
  ASSERT_EQ(One(TableCount("one")), "1");
  ProcessResult status = Strata({"status"});
  EXPECT_TRUE(Contains(status.out, "or `strata down` to run its down part")) << Describe(status);
  ProcessResult refused = Strata({"down"});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "migration 2 (two) is partial")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "--force")) << refused.err;
  EXPECT_EQ(One(TableCount("one")), "1") << "the down part ran without confirmation";
  // The dry run shows that plan, saying what the run asks first, and changes nothing.
  ProcessResult dry = Strata({"down", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << Describe(dry);
  EXPECT_TRUE(Contains(dry.out, "-- migration 2 (two) is partial: 1 of its 2 statements ran. This down part was "
                                "written for the whole migration and may fail on what never ran; it runs only once "
                                "confirmed\nDROP TABLE IF EXISTS two;\n"))
      << Describe(dry);
  EXPECT_EQ(One(TableCount("one")), "1");
  ProcessResult confirmed = Strata({"down", "--force"});
  ASSERT_EQ(confirmed.exit_code, 0) << Describe(confirmed);
  EXPECT_EQ(One(TableCount("one")), "0");
  EXPECT_EQ(History(),
            "1:applied");
}

TEST_F(CliMariadb, AMigrationOfDataStatementsIsStillAllOrNothing) {
  dir_.Write("m/v001_t.sql", "CREATE TABLE t (id INT PRIMARY KEY);\n");
  dir_.Write("m/v002_rows.sql", "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\nINSERT INTO t VALUES (1);\n");
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "v002_rows.sql:3:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "was rolled back")) << r.err;
  EXPECT_EQ(One("SELECT count(*) FROM t"), "0") << "part of a data migration was committed";
  EXPECT_EQ(History(),
            "1:applied");
  dir_.Write("m/v002_rows.sql", "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n");
  ProcessResult fixed = Strata({"up"});
  ASSERT_EQ(fixed.exit_code, 0) << Describe(fixed);
  EXPECT_EQ(One("SELECT count(*) FROM t"), "2");
}

// A rollback leaves a MyISAM table changed: a data migration that writes to one runs statement by
// statement and is recorded so, not reported rolled back and then run again in full.
TEST_F(CliMariadb, ADataMigrationOnATableThatCannotRollBackRunsStatementByStatement) {
  dir_.Write("m/v001_t.sql",
             "CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(20)) ENGINE=MyISAM;\n"
             "CREATE TABLE u (id INT PRIMARY KEY) ENGINE=InnoDB;\n");
  const std::string seed = "INSERT INTO events (msg) VALUES ('seeded');\nINSERT INTO u VALUES (1);\n";
  dir_.Write("m/v002_seed.sql", seed + "INSERT INTO u VALUES (1);\n");
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "v002_seed.sql:3:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "because table events is one whose engine cannot roll back")) << r.err;
  EXPECT_FALSE(Contains(r.err, "was rolled back")) << r.err;
  EXPECT_EQ(History(), "1:applied,2:dirty");
  dir_.Write("m/v002_seed.sql", seed + "INSERT INTO u VALUES (2);\n");
  ProcessResult resumed = Strata({"up"});
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_EQ(One("SELECT count(*) FROM events"), "1") << "the seed ran twice";
  EXPECT_EQ(One("SELECT count(*) FROM u"), "2");
  EXPECT_EQ(History(), "1:applied,2:applied");
  // On InnoDB alone it is still one transaction.
  dir_.Write("m/v003_more.sql", "INSERT INTO u VALUES (3);\nINSERT INTO u VALUES (3);\n");
  ProcessResult all_or_nothing = Strata({"up"});
  EXPECT_EQ(all_or_nothing.exit_code, 4) << Describe(all_or_nothing);
  EXPECT_TRUE(Contains(all_or_nothing.err, "was rolled back")) << all_or_nothing.err;
  EXPECT_EQ(One("SELECT count(*) FROM u"), "2");
}

// A data migration as people write them (a dump's executable comments, foreign keys off to load
// children first) is still one transaction: setting a variable commits nothing.
TEST_F(CliMariadb, VariableSettingsAndExecutableCommentsKeepADataMigrationAllOrNothing) {
  dir_.Write("m/v001_t.sql",
             "CREATE TABLE parent (id INT PRIMARY KEY);\n"
             "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL, FOREIGN KEY (parent_id) REFERENCES parent (id));\n");
  const std::string rows =
      "/*!40101 SET NAMES utf8mb4 */;\n"
      "SET FOREIGN_KEY_CHECKS = 0;\n"
      "INSERT INTO child VALUES (1, 1);\n"
      "INSERT INTO parent VALUES (1);\n"
      "SET FOREIGN_KEY_CHECKS = 1;\n";
  dir_.Write("m/v002_rows.sql", rows + "INSERT INTO parent VALUES (1);\n");
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "v002_rows.sql:6:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "was rolled back")) << r.err;
  EXPECT_EQ(One("SELECT count(*) FROM child"), "0") << "part of a data migration was committed";
  EXPECT_EQ(One("SELECT count(*) FROM parent"), "0") << "part of a data migration was committed";
  EXPECT_EQ(History(),
            "1:applied");
  dir_.Write("m/v002_rows.sql", rows);
  ProcessResult fixed = Strata({"up"});
  ASSERT_EQ(fixed.exit_code, 0) << Describe(fixed);
  EXPECT_EQ(One("SELECT count(*) FROM child"), "1");
  EXPECT_EQ(History(),
            "1:applied,2:applied");
}

// What a migration sets up in its session ends with it, as in a run of its own: a dump's header
// (`SET foreign_key_checks = 0`, `SET NAMES latin1`, a user variable) must not turn off the next
// migrations' foreign keys or mangle their text. Each one is checked in a migration after it.
TEST_F(CliMariadb, WhatAMigrationSetsInItsSessionDoesNotReachTheNextOne) {
  dir_.Write("m/v001_tables.sql",
             "CREATE TABLE parent (id INT PRIMARY KEY);\n"
             "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL, FOREIGN KEY (parent_id) REFERENCES "
             "parent (id));\n"
             "CREATE TABLE words (w VARCHAR(20) CHARACTER SET utf8mb4);\n");
  dir_.Write("m/v002_dump_header.sql",
             "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n"
             "SET NAMES latin1;\n"
             "SET @marker = 'set';\n"
             "INSERT INTO parent VALUES (1);\n");
  dir_.Write("m/v003_text.sql", "INSERT INTO words VALUES ('d\xc3\xa9j\xc3\xa0'), (COALESCE(@marker, 'unset'));\n");
  dir_.Write("m/v004_orphan.sql", "INSERT INTO child VALUES (1, 99);\n");
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 4) << "the orphan row went in: foreign key checks were still off\n" << Describe(r);
  EXPECT_TRUE(Contains(r.err, "v004_orphan.sql:1:")) << Describe(r);
  EXPECT_EQ(History(), "1:applied,2:applied,3:applied");
  // UTF-8 stored as sent, not read as latin1 ('dÃ©jÃ ').
  EXPECT_EQ(One("SELECT group_concat(HEX(w) ORDER BY w) FROM words"), "64C3A96AC3A0,756E736574");
  EXPECT_EQ(One("SELECT count(*) FROM child"), "0");
}

// `USE other` in a migration moves its session, not strata: the history rows, the run log and the
// lease's fence stay in the URL's database, and the next migration starts there again.
TEST_F(CliMariadb, AMigrationThatRunsUseMovesNeitherTheHistoryNorTheNextMigration) {
  MariadbDatabase other;
  const std::string use = "USE `" + other.name() + "`;\n";
  dir_.Write("m/v001_a.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n");
  dir_.Write("m/v002_b_elsewhere.sql", use + "CREATE TABLE b (id INT PRIMARY KEY);\n");
  dir_.Write("m/v003_rows_here.sql", "INSERT INTO a VALUES (1);\n");
  dir_.Write("m/v004_rows_elsewhere.sql", use + "INSERT INTO b VALUES (1);\n");
  dir_.Write("m/v005_c.sql", "CREATE TABLE c (id INT PRIMARY KEY);\n");
  ProcessResult r = Strata({"up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(History(), "1:applied,2:applied,3:applied,4:applied,5:applied");
  EXPECT_EQ(One("SELECT count(*) FROM a"), "1");
  EXPECT_TRUE(HasTable("c"));
  EXPECT_TRUE(HasTable("strata_schema_history_log"));
  auto tables_of_other = [&] {
    return other.Query("SELECT group_concat(table_name ORDER BY table_name) FROM information_schema.tables WHERE "
                       "table_schema = DATABASE()");
  };
  EXPECT_EQ(tables_of_other(), std::vector<std::string>{"b"});
  EXPECT_EQ(other.Query("SELECT count(*) FROM b"), std::vector<std::string>{"1"});

  // Under the lease the fence runs in the migration's session, after its USE.
  dir_.Write("m/v006_more_rows_elsewhere.sql", use + "INSERT INTO b VALUES (2);\n");
  dir_.Write("m/v007_d.sql", use + "CREATE TABLE d (id INT PRIMARY KEY);\n");
  dir_.Write("m/v008_rows_here.sql", "INSERT INTO a VALUES (2);\n");
  ProcessResult leased = Strata({"up", "--lock=table"});
  ASSERT_EQ(leased.exit_code, 0) << Describe(leased);
  EXPECT_EQ(History(), "1:applied,2:applied,3:applied,4:applied,5:applied,6:applied,7:applied,8:applied");
  EXPECT_EQ(One("SELECT count(*) FROM a"), "2");
  EXPECT_EQ(tables_of_other(), std::vector<std::string>{"b,d"});
  EXPECT_EQ(other.Query("SELECT count(*) FROM b"), std::vector<std::string>{"2"});
  EXPECT_TRUE(HasTable("strata_schema_history_lock"));
}

// A statement over max_allowed_packet (a generated INSERT): the server refuses it and closes the
// session. The error says what to change without printing megabytes, and the run is still logged.
TEST_F(CliMariadb, AStatementOverMaxAllowedPacketSaysSoBrieflyAndTheRunIsStillLogged) {
  const std::string limit = One("SELECT @@max_allowed_packet");
  const std::size_t bytes = static_cast<std::size_t>(std::stoull(limit)) + 1024;
  dir_.Write("m/v001_t.sql", "CREATE TABLE t (id INT PRIMARY KEY, v LONGTEXT);\n");
  dir_.Write("m/v002_seed.sql", "INSERT INTO t VALUES (1, '" + std::string(bytes, 'x') + "');\n");
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 4) << r.err.substr(0, 2000);
  EXPECT_TRUE(Contains(r.err, "v002_seed.sql:1:1:")) << r.err.substr(0, 2000);
  EXPECT_TRUE(Contains(r.err, "raise max_allowed_packet on the server, or split the statement"))
      << r.err.substr(0, 2000);
  EXPECT_LT(r.err.size(), 4000u) << "the error printed the statement whole";
  EXPECT_FALSE(Contains(r.err, "could not record the run")) << r.err.substr(0, 2000);
  EXPECT_EQ(History(), "1:applied");
  EXPECT_EQ(One("SELECT outcome FROM strata_schema_history_log ORDER BY id DESC LIMIT 1"), "failed");
}

TEST_F(CliMariadb, DelimiterBlocksAreNotTakenForTransactionControl) {
  dir_.Write("m/v001_trigger.sql",
             "CREATE TABLE t (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0);\n"
             "DELIMITER //\n"
             "CREATE TRIGGER t_bump BEFORE INSERT ON t FOR EACH ROW\n"
             "BEGIN\n"
             "  SET NEW.n = NEW.n + 1;\n"
             "END//\n"
             "DELIMITER ;\n"
             "INSERT INTO t (id) VALUES (1);\n");
  ProcessResult r = Strata({"up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(One("SELECT n FROM t WHERE id = 1"), "1");
  EXPECT_EQ(One("SELECT group_concat(concat(version, ':', state)) FROM strata_schema_history"), "1:applied");
}

// BEGIN NOT ATOMIC is a block of code, not a transaction: it runs. A transaction of the migration's
// own is refused, -- strata:no-transaction or not: strata records such a migration statement by
// statement, and the record would say statements were done that the server then rolled back.
TEST_F(CliMariadb, ABlockRunsAndATransactionOfTheMigrationsOwnIsRefused) {
  dir_.Write("m/v001_t.sql",
             "CREATE TABLE t (id INT PRIMARY KEY);\n"
             "DELIMITER //\n"
             "BEGIN NOT ATOMIC\n"
             "  IF NOT EXISTS (SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND\n"
             "                 TABLE_NAME = 't' AND COLUMN_NAME = 'v') THEN\n"
             "    ALTER TABLE t ADD COLUMN v INT;\n"
             "  END IF;\n"
             "END //\n"
             "DELIMITER ;\n");
  ProcessResult r = Strata({"up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                "TABLE_NAME = 't' AND COLUMN_NAME = 'v'"),
            "1");
  for (const std::string header : {"", "-- strata:no-transaction\n"}) {
    SCOPED_TRACE(header);
    dir_.Write("m/v002_pair.sql", header + "CREATE TABLE u (id INT PRIMARY KEY);\nSTART TRANSACTION;\n"
                                           "INSERT INTO t VALUES (1, 1);\nINSERT INTO t VALUES (2, 2);\nCOMMIT;\n");
    ProcessResult refused = Strata({"up"});
    EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
    EXPECT_TRUE(Contains(refused.err, "v002_pair.sql:" + std::string(header.empty() ? "2" : "3") + ":1:"))
        << refused.err;
    EXPECT_TRUE(Contains(refused.err, "recording each one as it completes")) << refused.err;
    EXPECT_FALSE(HasTable("u")) << "something ran";
    EXPECT_EQ(History(), "1:applied");
  }
}

// The server quotes the text from the error on ("near 'x\n)'"), line breaks and all: the column is
// where that text starts, though the message was put on one line.
TEST_F(CliMariadb, TheColumnOfASyntaxErrorIsRightWhenTheQuotedTextSpansLines) {
  dir_.Write("m/v001_b.sql",
             "-- two tables\nCREATE TABLE a (id int);\nCREATE TABLE b (\n  id int,\n  v varchar(10) DEFALT x\n);\n");
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "v001_b.sql:5:24: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "\n      v varchar(10) DEFALT x\n    " + std::string(23, ' ') + "^\n")) << r.err;
  // One statement ran: the message says so in the singular.
  EXPECT_TRUE(Contains(r.err, "statement 2 of 2 failed; statement 1 of 2 is applied and cannot be rolled back")) << r.err;
  EXPECT_TRUE(Contains(r.err, "as long as statement 1 stays byte for byte as it ran (or undo it by hand")) << r.err;
}

// A server message with bytes that are not UTF-8 (MariaDB quotes the statement's own bytes after
// "near", here a Latin-1 'é') still reaches the run log, with U+FFFD in their place; it used to be
// refused by the log's utf8mb4 column, and the run went unlogged.
TEST_F(CliMariadb, AnErrorMessageThatIsNotUtf8StillReachesTheRunLog) {
  dir_.Write("m/v001_a.sql", "CREATE TABLE a (id int);\nSELEC 'caf\xe9';\n");
  ProcessResult r = Strata({"up"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_FALSE(Contains(r.err, "run log")) << "the run was not logged\n" << Describe(r);
  EXPECT_EQ(One("SELECT count(*) FROM strata_schema_history_log WHERE outcome = 'failed'"), "1");
  EXPECT_EQ(One("SELECT LOCATE(_utf8mb4 'caf\xef\xbf\xbd', error) > 0 FROM strata_schema_history_log"), "1");
}

// Both seeds' schemas in the MariaDB dialect apply through strata, and a second run has nothing to do.
TEST(CliMariadbExamples, BothSeedsApplyAndASecondRunDoesNothing) {
  for (const std::string set : {"dataflow", "vibesurf"}) {
    SCOPED_TRACE(set);
    MariadbDatabase db;
    std::vector<std::string> base = {STRATA_BINARY, "--url", db.url(), "--dir",
                                     std::string(STRATA_SOURCE_DIR) + "/examples/" + set + "/mariadb"};
    auto with = [&](std::string command) {
      std::vector<std::string> argv = base;
      argv.push_back(std::move(command));
      return ::strata::testing::Run(argv);
    };
    ProcessResult up = with("up");
    ASSERT_EQ(up.exit_code, 0) << Describe(up);
    ProcessResult again = with("up");
    ASSERT_EQ(again.exit_code, 0) << Describe(again);
    EXPECT_TRUE(Contains(again.out, "nothing to do")) << Describe(again);
    auto rows = db.Query("SELECT count(*) FROM strata_schema_history WHERE state = 'applied'");
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows[0], set == "dataflow" ? "2" : "7");
    auto tables = db.Query("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND "
                           "table_name IN ('execution_history', 'execution_variables', 'tasks', 'llm_profiles')");
    ASSERT_FALSE(tables.empty());
    EXPECT_EQ(tables[0], "2");
  }
}

// 16 runners at once: every migration applied exactly once, every runner succeeds.
TEST_F(CliMariadb, SixteenConcurrentRunnersApplyEachMigrationOnce) {
  dir_.Write("m/v001_runs.sql", "CREATE TABLE runs (v INT NOT NULL);\nINSERT INTO runs VALUES (1);\n");
  for (int v = 2; v <= 10; ++v) {
    char name[64];
    std::snprintf(name, sizeof name, "m/v%03d_t%d.sql", v, v);
    dir_.Write(name, "INSERT INTO runs VALUES (" + std::to_string(v) + ");\n");
  }
  std::vector<int> pids;
  for (int i = 0; i < 16; ++i) {
    pids.push_back(StartLogged({STRATA_BINARY, "--url", db_.url(), "--dir", dir_.Path("m"), "up"},
                               dir_.Path("log" + std::to_string(i))));
  }
  for (std::size_t i = 0; i < pids.size(); ++i) {
    EXPECT_EQ(WaitExit(pids[i]), 0) << ReadText(dir_.Path("log" + std::to_string(i)));
  }
  EXPECT_EQ(One("SELECT count(*) FROM runs"), "10") << "a migration ran twice or not at all";
  EXPECT_EQ(One("SELECT count(DISTINCT v) FROM runs"), "10");
  EXPECT_EQ(One("SELECT count(*) FROM strata_schema_history WHERE state = 'applied'"), "10");
}

// A runner SIGKILLed while it holds the run lock (here: in a long statement of a DDL migration) does
// not block the next one: the server frees GET_LOCK with the session. The history says how far the
// killed migration got, `status` says so, and `up` resumes after the statements that ran.
TEST_F(CliMariadb, ARunnerKilledMidMigrationLeavesATruthfulStateThatUpResumes) {
  dir_.Write("m/v001_a.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n");
  // Sleeps while `a` is empty: the test fills it before the run that resumes.
  dir_.Write("m/v002_slow.sql",
             "CREATE TABLE b (id INT PRIMARY KEY);\n"
             "DO SLEEP(IF((SELECT count(*) FROM a) = 0, 30, 0));\n"
             "CREATE TABLE c (id INT PRIMARY KEY);\n");
  int pid = StartLogged({STRATA_BINARY, "--url", db_.url(), "--dir", dir_.Path("m"), "up"}, dir_.Path("killed.log"));
  ASSERT_TRUE(PollUntil(
      [&] {
        return One("SELECT count(*) FROM information_schema.processlist WHERE DB = DATABASE() AND info LIKE "
                   "'DO SLEEP%'") == "1";
      },
      std::chrono::seconds(20)))
      << ReadText(dir_.Path("killed.log"));
  // While it runs, `status` says that the partial migration may be in progress, not that it failed.
  ProcessResult live = Strata({"status"});
  EXPECT_TRUE(Contains(live.out, "migration 2 (slow) is partial: 1 of its 3 statements ran so far, and a run is in "
                                 "progress (the migration lock is held by session "))
      << Describe(live);
  EXPECT_FALSE(Contains(live.out, "failed or was interrupted")) << Describe(live);
  ::kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), -SIGKILL);
  // The statement before the kill stays; the history says the migration is partial, not applied.
  EXPECT_EQ(History(),
            "1:applied,2:dirty");
  EXPECT_EQ(One(TableCount("b")), "1");
  EXPECT_EQ(One(TableCount("c")), "0");
  ProcessResult status = Strata({"status"});
  EXPECT_TRUE(Contains(status.out, "partial")) << Describe(status);
  EXPECT_TRUE(Contains(status.out, "1 of its 3 statements ran")) << Describe(status);
  EXPECT_TRUE(Contains(status.out, "version:  1 ")) << Describe(status);
  // The next runner gets the lock at once (no wait for a dead holder) and resumes at statement 2:
  // CREATE TABLE b would fail if it ran again.
  db_.Query("INSERT INTO a VALUES (1)");
  auto start = std::chrono::steady_clock::now();
  ProcessResult next = Strata({"--lock-timeout", "10", "up"});
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(next.exit_code, 0) << Describe(next);
  EXPECT_LT(waited, 8.0) << "the dead runner's lock was still held";
  EXPECT_EQ(One(TableCount("c")), "1");
  EXPECT_EQ(History(),
            "1:applied,2:applied");
}

// SIGTERM during a DDL migration, which MariaDB cannot roll back: strata lets the running statement
// end, records it, and stops before the next one (exit 130); the migration is partial, `up`
// resumes it. A second signal ends the process at once.
TEST_F(CliMariadb, AnInterruptDuringADdlMigrationStopsAfterTheStatementAndUpResumes) {
  dir_.Write("m/v001_a.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n");
  dir_.Write("m/v002_ddl.sql",
             "CREATE TABLE b (id INT PRIMARY KEY);\n"
             "DO SLEEP(IF((SELECT count(*) FROM a) = 0, 2, 0));\n"
             "CREATE TABLE c (id INT PRIMARY KEY);\n");
  dir_.Write("m/v003_d.sql", "CREATE TABLE d (id INT PRIMARY KEY);\n");
  int pid = StartUpAndWaitFor("DO SLEEP", "stopped.log");
  ::kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid), 130) << ReadText(dir_.Path("stopped.log"));
  const std::string log = ReadText(dir_.Path("stopped.log"));
  EXPECT_TRUE(Contains(log, "v002_ddl.sql: interrupted: migration 2 (ddl) ran statement by statement, because "
                            "MariaDB commits each DDL statement at once, and stopped after statement 2 of 3: "
                            "statements 1 to 2 are applied and recorded, and the migration is left partial; "
                            "`strata up` resumes it at statement 3"))
      << log;
  EXPECT_EQ(History(), "1:applied,2:dirty");
  EXPECT_TRUE(HasTable("b"));
  EXPECT_FALSE(HasTable("c"));
  EXPECT_FALSE(HasTable("d"));
  ProcessResult status = Strata({"status"});
  EXPECT_TRUE(Contains(status.out, "2 of its 3 statements ran")) << Describe(status);

  ProcessResult resumed = Strata({"up"});
  EXPECT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_EQ(History(), "1:applied,2:applied,3:applied");
  EXPECT_TRUE(HasTable("c"));

  // Twice: the second signal does not wait for the statement.
  dir_.Write("m/v004_e.sql",
             "CREATE TABLE e (id INT PRIMARY KEY);\n"
             "DO SLEEP(IF((SELECT count(*) FROM a) = 0, 30, 0));\n"
             "CREATE TABLE f (id INT PRIMARY KEY);\n");
  pid = StartUpAndWaitFor("DO SLEEP", "killed.log");
  ::kill(pid, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid), -SIGTERM) << ReadText(dir_.Path("killed.log"));
  EXPECT_EQ(History(), "1:applied,2:applied,3:applied,4:dirty");
  EXPECT_FALSE(HasTable("f"));
}

// SIGINT during a migration of data statements, which runs in one transaction: strata has the
// server stop the running statement (KILL QUERY from a session of its own; SLEEP then returns at
// once), rolls the transaction back and exits 130 without waiting for the rest.
TEST_F(CliMariadb, AnInterruptDuringADataMigrationRollsItBackAtOnce) {
  dir_.Write("m/v001_a.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n");
  dir_.Write("m/v002_rows.sql", "INSERT INTO a VALUES (1);\nSELECT SLEEP(60);\nINSERT INTO a VALUES (2);\n");
  int pid = StartUpAndWaitFor("SELECT SLEEP(60)", "run.log");
  auto start = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);
  EXPECT_EQ(WaitExit(pid), 130) << ReadText(dir_.Path("run.log"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << "the SLEEP was waited for";
  const std::string log = ReadText(dir_.Path("run.log"));
  EXPECT_TRUE(Contains(log, "v002_rows.sql: interrupted during migration 2 (rows), which was rolled back; the "
                            "database is still at version 1"))
      << log;
  EXPECT_EQ(History(), "1:applied");
  EXPECT_EQ(One("SELECT count(*) FROM a"), "0");
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.processlist WHERE DB = DATABASE() AND ID <> "
                "CONNECTION_ID() AND INFO LIKE 'SELECT SLEEP%'"),
            "0")
      << "the statement still runs on the server";
}

// The session holding GET_LOCK killed mid-run (an operator's KILL, a proxy's timeout): another
// runner could take the lock, so the run stops before its next commit (exit 14) and that
// migration's transaction is rolled back.
TEST_F(CliMariadb, TheLockSessionKilledMidRunStopsTheRunBeforeTheCommit) {
  dir_.Write("m/v001_t.sql", "CREATE TABLE t (id INT PRIMARY KEY);\n");
  dir_.Write("m/v002_rows.sql", "INSERT INTO t VALUES (1);\nSELECT SLEEP(3);\n");
  ASSERT_NO_FATAL_FAILURE(RunAndKillTheLockSessionDuring("SLEEP(3)"));
  const std::string log = ReadText(dir_.Path("run.log"));
  EXPECT_TRUE(Contains(log, "held the migration lock")) << log;
  EXPECT_EQ(One("SELECT count(*) FROM t"), "0") << "the migration committed without the lock";
  EXPECT_EQ(History(),
            "1:applied");
}

// A migration with DDL writes its progress through the lock's own session: with that session
// killed, the next write fails and the run stops (exit 14) before another statement runs, leaving a
// partial migration that the next `up` resumes.
TEST_F(CliMariadb, TheLockSessionKilledDuringADdlMigrationStopsItBeforeItsNextStatement) {
  dir_.Write("m/v001_t.sql", "CREATE TABLE t (id INT PRIMARY KEY);\n");
  dir_.Write("m/v002_ddl.sql",
             "CREATE TABLE u (id INT PRIMARY KEY);\nDO SLEEP(3);\nCREATE TABLE w (id INT PRIMARY KEY);\n");
  ASSERT_NO_FATAL_FAILURE(RunAndKillTheLockSessionDuring("SLEEP(3)"));
  const std::string log = ReadText(dir_.Path("run.log"));
  EXPECT_TRUE(Contains(log, "the session that holds the migration lock")) << log;
  EXPECT_FALSE(HasTable("w")) << "a statement ran after the lock was lost";
  EXPECT_EQ(History(), "1:applied,2:dirty");
  ProcessResult resumed = Strata({"up"});
  EXPECT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_TRUE(Contains(resumed.err, "resumes at statement 2 of 3")) << resumed.err;
  EXPECT_TRUE(HasTable("w"));
  EXPECT_EQ(History(), "1:applied,2:applied");
}

TEST(CliMariadbErrors, WrongPasswordUnreachableAndMissingDatabaseHaveTheirExitCodesAndNoPassword) {
  TempDir dir;
  dir.Write("m/v001_a.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n");
  const std::string url = MariadbServerUrl();
  ASSERT_FALSE(url.empty());
  // mariadb://strata:PASSWORD@127.0.0.1:PORT/strata_test
  const std::size_t at = url.find('@'), colon = url.find(':', 11);
  ASSERT_NE(at, std::string::npos);
  const std::string password = url.substr(colon + 1, at - colon - 1);
  const std::string host_port = url.substr(at + 1, url.find('/', at) - at - 1);
  struct Case {
    std::string url;
    int code;
  };
  const std::vector<Case> cases = {
      {"mariadb://strata:wrong-" + password + "@" + host_port + "/strata_test", 10},
      {"mariadb://strata:" + password + "@127.0.0.1:1/strata_test?connect_timeout=3", 7},
      {"mariadb://strata:" + password + "@" + host_port + "/no_such_database_here", 7},
  };
  for (const Case& c : cases) {
    ProcessResult r = ::strata::testing::Run({STRATA_BINARY, "--url", c.url, "--dir", dir.Path("m"), "up"});
    EXPECT_EQ(r.exit_code, c.code) << Describe(r);
    EXPECT_FALSE(Contains(r.out + r.err, password)) << "password shown\n" << Describe(r);
    EXPECT_TRUE(Contains(r.err, "****")) << "the URL is not named, masked\n" << Describe(r);
  }
}

// TLS as sslmode asks: a migration records the cipher of its own session. A server whose
// certificate a CA the URL trusts did not sign, or whose CA is not among the system's, is refused;
// a client certificate gets in where the account requires one.
TEST(CliMariadbTls, EachSslmodeConnectsAsItSaysAndRefusesAServerItCannotTrust) {
  TempDir dir;
  dir.Write("m/v001_tls.sql",
            "CREATE TABLE tls AS SELECT VARIABLE_VALUE AS cipher FROM information_schema.SESSION_STATUS "
            "WHERE VARIABLE_NAME = 'SSL_CIPHER';\n");
  const std::string ca = MariadbServerFile("tls-ca.pem"), other = MariadbServerFile("tls-other-ca.pem");
  ASSERT_FALSE(ca.empty() || other.empty());
  struct Case {
    std::string params;
    bool tls;
  };
  for (const Case& c : std::vector<Case>{{"", false},
                                         {"?sslmode=disable", false},
                                         {"?sslmode=prefer", true},
                                         {"?sslmode=require", true},
                                         {"?sslmode=verify-ca&sslrootcert=" + ca, true},
                                         {"?sslmode=verify-full&sslrootcert=" + ca, true}}) {
    SCOPED_TRACE(c.params);
    MariadbDatabase db;
    ProcessResult r = ::strata::testing::Run({STRATA_BINARY, "--url", db.url() + c.params, "--dir", dir.Path("m"), "up"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    auto cipher = db.Query("SELECT cipher FROM tls");
    ASSERT_EQ(cipher.size(), 1u);
    EXPECT_EQ(!cipher[0].empty(), c.tls) << cipher[0];
  }
  const std::string server = MariadbServerUrl();  // mariadb://strata:PASSWORD@127.0.0.1:PORT/strata_test
  const std::size_t colon = server.find(':', 11);
  const std::string password = server.substr(colon + 1, server.find('@') - colon - 1);
  ASSERT_GT(password.size(), 8u);
  for (const std::string& params : {"?sslmode=verify-ca&sslrootcert=" + other, "?sslmode=verify-full&sslrootcert=" + other,
                                   std::string("?sslmode=verify-full")}) {
    SCOPED_TRACE(params);
    MariadbDatabase db;
    ProcessResult r = ::strata::testing::Run({STRATA_BINARY, "--url", db.url() + params, "--dir", dir.Path("m"), "up"});
    EXPECT_EQ(r.exit_code, 7) << Describe(r);
    EXPECT_TRUE(Contains(r.err, "cannot connect to mariadb://strata:****@")) << r.err;
    EXPECT_TRUE(Contains(r.err, "TLS/SSL error")) << r.err;
    EXPECT_TRUE(Contains(r.err, "checks the server's certificate against the")) << r.err;
    EXPECT_FALSE(Contains(r.out + r.err, password)) << Describe(r);
    EXPECT_TRUE(db.Query("SHOW TABLES").empty()) << "a migration ran over a connection it should have refused";
  }
  // An account that requires a client certificate: in with sslcert and sslkey, refused without.
  const std::string cert = MariadbServerFile("tls-client.pem"), key = MariadbServerFile("tls-client-key.pem");
  ASSERT_FALSE(cert.empty() || key.empty());
  {
    MariadbDatabase db;
    const std::string x509 = "mariadb://strata_x509" + db.url().substr(std::string("mariadb://strata").size());
    ProcessResult in = ::strata::testing::Run({STRATA_BINARY, "--url", x509 + "?sslmode=verify-full&sslrootcert=" + ca +
                                                                       "&sslcert=" + cert + "&sslkey=" + key,
                                               "--dir", dir.Path("m"), "up"});
    EXPECT_EQ(in.exit_code, 0) << Describe(in);
    EXPECT_EQ(db.Query("SELECT cipher <> '' FROM tls"), std::vector<std::string>{"1"});
    ProcessResult out = ::strata::testing::Run(
        {STRATA_BINARY, "--url", x509 + "?sslmode=verify-full&sslrootcert=" + ca, "--dir", dir.Path("m"), "status"});
    EXPECT_EQ(out.exit_code, 10) << Describe(out);
    EXPECT_FALSE(Contains(out.out + out.err, password)) << Describe(out);
  }
  // Another tool's spelling is refused with the one to use, before any connection.
  ProcessResult go = ::strata::testing::Run({STRATA_BINARY, "--url", MariadbServerUrl() + "?tls=true", "--dir", dir.Path("m"), "status"});
  EXPECT_EQ(go.exit_code, 3) << Describe(go);
  EXPECT_TRUE(Contains(go.err, "write sslmode=disable|prefer|require|verify-ca|verify-full")) << go.err;
}

// A server that offers no TLS (a man in the middle that hides the server's TLS looks the same):
// prefer and disable connect in plain text; require, verify-ca and verify-full refuse, with exit 7,
// and no password in what they say.
TEST(CliMariadbTls, RequireAndVerifyRefuseAServerThatOffersNoTls) {
  TempDir dir;
  dir.Write("m/v001_a.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n");
  const std::string script = std::string(STRATA_SOURCE_DIR) + "/scripts/mariadb-test-cluster.sh";
  const std::string state = dir.Path("plain");
  ProcessResult started = ::strata::testing::Run({script, "start", state, "notls"});
  struct Stop {
    std::string script, state;
    ~Stop() { ::strata::testing::Run({script, "stop", state}); }
  } stop{script, state};
  ASSERT_EQ(started.exit_code, 0) << Describe(started);
  std::string url = ReadText(state + "/url");
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  ASSERT_FALSE(url.empty());
  EXPECT_EQ(MariadbQuery(url, "SELECT @@have_ssl"), std::vector<std::string>{"DISABLED"});
  const std::string password = url.substr(url.find(':', 11) + 1, url.rfind('@') - url.find(':', 11) - 1);
  const std::string ca = "&sslrootcert=" + state + "/tls-ca.pem";
  const struct {
    std::string params;
    int exit_code;
    std::string message;
  } cases[] = {
      {"sslmode=disable", 0, ""},
      {"sslmode=prefer", 0, ""},
      {"sslmode=require", 7, "sslmode=require asks for TLS, and the server offers none"},
      {"sslmode=verify-ca" + ca, 7, "sslmode=verify-ca asks for TLS, and the server offers none"},
      {"sslmode=verify-full" + ca, 7, "SSL is required, but the server does not support it"},
  };
  for (const auto& c : cases) {
    ProcessResult r =
        ::strata::testing::Run({STRATA_BINARY, "--url", url + "?" + c.params, "--dir", dir.Path("m"), "status"});
    EXPECT_EQ(r.exit_code, c.exit_code) << c.params << "\n" << Describe(r);
    if (!c.message.empty()) {
      EXPECT_TRUE(Contains(r.err, c.message)) << c.params << "\n" << r.err;
    }
    EXPECT_FALSE(Contains(r.out + r.err, password)) << c.params;
  }
}

// The URL of the Galera node whose state directory is `state` (the cluster script's url file).
std::string NodeUrl(const std::string& state) {
  std::string url = ReadText(state + "/url");
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  return url;
}

// `url` with another database.
std::string OnDatabase(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}

// A real two-node Galera cluster (galera-4 and rsync come with Debian's mariadb-server). GET_LOCK
// keeps out one node's sessions only: a run says so, and points at the lease. The lease is a row of
// an InnoDB table, which both nodes have: a runner on the second node waits for the holder on the
// first and names it, runners spread over both nodes apply each migration once, and nothing warns.
TEST(CliMariadbGalera, GetLockHoldsOnOneNodeOnlyAndTheLeaseHoldsAcrossTwoNodes) {
  TempDir dir;
  const std::string script = std::string(STRATA_SOURCE_DIR) + "/scripts/mariadb-test-cluster.sh";
  struct Stop {
    std::string script, state;
    ~Stop() { ::strata::testing::Run({script, "stop", state}); }
  };
  const std::string first = dir.Path("node1"), second = dir.Path("node2");
  ProcessResult started = ::strata::testing::Run({script, "start", first, "galera"});
  Stop stop_first{script, first};
  ASSERT_EQ(started.exit_code, 0) << Describe(started);
  started = ::strata::testing::Run({script, "start", second, "galera-join", first});
  Stop stop_second{script, second};  // stopped before the first node
  ASSERT_EQ(started.exit_code, 0) << Describe(started);
  const std::string node1 = NodeUrl(first), node2 = NodeUrl(second);
  ASSERT_FALSE(node1.empty() || node2.empty());
  ASSERT_NE(node1, node2);
  EXPECT_EQ(MariadbQuery(node2, "SHOW STATUS LIKE 'wsrep_cluster_size'"), std::vector<std::string>{"wsrep_cluster_size|2"});

  dir.Write("g/v001_a.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n");
  const std::string warning = "is a node of a Galera cluster (wsrep_on is ON): GET_LOCK, strata's run lock on "
                              "MariaDB, holds on this node only";
  ProcessResult up = ::strata::testing::Run({STRATA_BINARY, "--url", node1, "--dir", dir.Path("g"), "up"});
  EXPECT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_TRUE(Contains(up.err, "strata: warning: mariadb://strata:****@127.0.0.1:")) << up.err;
  EXPECT_TRUE(Contains(up.err, warning)) << up.err;
  EXPECT_TRUE(Contains(up.err, "or use the lease lock (--lock=table), which holds across the cluster")) << up.err;
  // Replicated to the other node.
  EXPECT_EQ(MariadbQuery(node2, "SELECT COUNT(*) FROM a"), std::vector<std::string>{"0"});

  // The lease: runner A on node 1 holds it through a slow migration; B on node 2 waits for it.
  for (const char* db : {"lease_wait", "lease_many"}) MariadbQuery(node1, std::string("CREATE DATABASE ") + db);
  dir.Write("m/v001_runs.sql", "CREATE TABLE runs (v INT PRIMARY KEY);\nINSERT INTO runs VALUES (1);\n");
  dir.Write("m/v002_slow.sql", "INSERT INTO runs VALUES (2);\nSELECT SLEEP(3);\n");
  dir.Write("m/v003_c.sql", "CREATE TABLE c (x INT PRIMARY KEY);\nINSERT INTO runs VALUES (3);\n");
  const std::string wait1 = OnDatabase(node1, "lease_wait"), wait2 = OnDatabase(node2, "lease_wait");
  int a = StartLogged({STRATA_BINARY, "--url", wait1, "--dir", dir.Path("m"), "--lock=table", "up"}, dir.Path("a.log"));
  ASSERT_TRUE(PollUntil(
      [&] {
        return MariadbQuery(wait1, "SELECT COUNT(*) FROM information_schema.processlist WHERE INFO LIKE "
                                   "'SELECT SLEEP(3)%'") == std::vector<std::string>{"1"};
      },
      std::chrono::seconds(20)))
      << ReadText(dir.Path("a.log"));
  ProcessResult b = ::strata::testing::Run(
      {STRATA_BINARY, "--url", wait2, "--dir", dir.Path("m"), "--lock=table", "--lock-timeout", "30", "up"});
  EXPECT_EQ(b.exit_code, 0) << Describe(b);
  EXPECT_TRUE(Contains(b.err, "waiting up to 30.0 s for the migration lock (the lease in `strata_schema_history_lock` "
                              "on " +
                                  OnDatabase(node2.substr(0, node2.find("strata:") + 7) + "****" +
                                                 node2.substr(node2.find('@')),
                                             "lease_wait")))
      << b.err;
  EXPECT_TRUE(Contains(b.err, "pid " + std::to_string(a) + " ")) << b.err;
  EXPECT_FALSE(Contains(b.err, "Galera")) << b.err;
  EXPECT_EQ(WaitExit(a), 0) << ReadText(dir.Path("a.log"));
  EXPECT_EQ(MariadbQuery(wait2, "SELECT COUNT(*) FROM runs"), std::vector<std::string>{"3"});
  EXPECT_EQ(MariadbQuery(wait2, "SELECT COUNT(*) FROM strata_schema_history WHERE state = 'applied'"),
            std::vector<std::string>{"3"});

  // Eight runners, every other one on the other node: each migration once, no lease left.
  const std::string many[] = {OnDatabase(node1, "lease_many"), OnDatabase(node2, "lease_many")};
  std::vector<int> pids;
  for (int i = 0; i < 8; ++i) {
    pids.push_back(StartLogged({STRATA_BINARY, "--url", many[i % 2], "--dir", dir.Path("m"), "--lock=table", "up"},
                               dir.Path("many" + std::to_string(i) + ".log")));
  }
  for (std::size_t i = 0; i < pids.size(); ++i) {
    EXPECT_EQ(WaitExit(pids[i]), 0) << ReadText(dir.Path("many" + std::to_string(i) + ".log"));
  }
  EXPECT_EQ(MariadbQuery(many[0], "SELECT CONCAT(COUNT(*), ',', COUNT(DISTINCT v)) FROM runs"),
            std::vector<std::string>{"3,3"});
  // Galera certifies a write on every node before its COMMIT returns, but applies it on the others
  // a moment later: the last runner's release (maybe on node 1) shows on node 2 soon, not at once.
  EXPECT_TRUE(PollUntil(
      [&] {
        return MariadbQuery(many[1], "SELECT COUNT(*) FROM strata_schema_history_lock") ==
               std::vector<std::string>{"0"};
      },
      std::chrono::seconds(10)))
      << "a lease was left behind";

  // A server that is no Galera node: no such warning.
  MariadbDatabase plain;
  ProcessResult alone = ::strata::testing::Run({STRATA_BINARY, "--url", plain.url(), "--dir", dir.Path("g"), "up"});
  EXPECT_EQ(alone.exit_code, 0) << Describe(alone);
  EXPECT_FALSE(Contains(alone.err, "Galera")) << alone.err;
}

}  // namespace
}  // namespace strata::testing
