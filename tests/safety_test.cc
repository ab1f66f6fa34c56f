// The data guard, backups, restore, check and --verify-data through the real binary on SQLite:
// a rollback over rows is refused, then forced with a backup that restore brings back; a run
// without a terminal never waits; on a terminal "type yes" decides.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "test_util.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

const std::string kFixtures = std::string(STRATA_SOURCE_DIR) + "/tests/fixtures/safety";

std::vector<std::string> Args(const std::string& db, const std::string& dir, std::vector<std::string> rest) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", "sqlite:" + db, "--dir", dir};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

// Two migrations with down parts: users, then posts (posts.user_id -> users ON DELETE CASCADE).
void WriteUsersPosts(const TempDir& dir) {
  dir.Write("m/0001_users.up.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n");
  dir.Write("m/0001_users.down.sql", "DROP TABLE users;\n");
  dir.Write("m/0002_posts.up.sql",
            "CREATE TABLE posts (id INTEGER PRIMARY KEY,\n"
            "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, title TEXT);\n");
  dir.Write("m/0002_posts.down.sql", "-- posts go\nDROP TABLE posts;\n");
}

std::vector<std::string> Backups(const TempDir& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().extension() == ".bak") out.push_back(e.path().string());
  }
  return out;
}

TEST(DataGuard, RollbackOverRowsIsRefusedThenForcedWithABackupThatRestoreBringsBack) {
  TempDir dir;
  WriteUsersPosts(dir);
  std::string db = dir.Path("app.db");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up"})).exit_code, 0);
  Exec(db, "INSERT INTO users VALUES (1, 'ada'), (2, 'bob'), (3, 'cy'); INSERT INTO posts VALUES (1, 1, 'hi');");

  ProcessResult refused = strata::testing::Run(Args(db, dir.Path("m"), {"down", "--to", "0"}));
  EXPECT_EQ(refused.exit_code, 11) << refused.err;
  EXPECT_NE(refused.err.find("refusing to run: 2 statements would destroy rows that exist now"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("m/0002_posts.down.sql:2:1: down 2 destroys 1 row of posts"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("m/0001_users.down.sql:1:1: down 1 destroys 3 rows of users"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos);
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM users"), "3");
  EXPECT_EQ(QueryOne(db, "SELECT max(version) FROM strata_schema_history"), "2");
  EXPECT_TRUE(Backups(dir).empty()) << "a refused run writes no backup";

  ProcessResult forced = strata::testing::Run(Args(db, dir.Path("m"), {"down", "--to", "0", "--force"}));
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('users', 'posts')"), "0");
  std::vector<std::string> backups = Backups(dir);
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_TRUE(std::regex_match(backups[0], std::regex(".*/app\\.db\\.2\\.[0-9]{14}\\.bak"))) << backups[0];
  EXPECT_NE(forced.out.find("backup before the run: " + backups[0]), std::string::npos) << forced.out;

  ProcessResult restored = strata::testing::Run(Args(db, dir.Path("m"), {"restore", backups[0]}));
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  // What the database held just before the restore is kept too, in case it was the wrong file.
  std::vector<std::string> after = Backups(dir);
  ASSERT_EQ(after.size(), 2u);
  std::string saved = after[0] == backups[0] ? after[1] : after[0];
  EXPECT_TRUE(std::regex_match(saved, std::regex(".*/app\\.db\\.0\\.[0-9]{14}\\.pre-restore\\.bak"))) << saved;
  EXPECT_NE(restored.out.find("backup: " + saved), std::string::npos) << restored.out;
  EXPECT_EQ(QueryOne(saved, "SELECT count(*) FROM sqlite_schema WHERE name = 'users'"), "0");
  EXPECT_EQ(Query(db, "SELECT id || name FROM users ORDER BY id"), (std::vector<std::string>{"1ada", "2bob", "3cy"}));
  EXPECT_EQ(QueryOne(db, "SELECT title FROM posts"), "hi");
  EXPECT_EQ(QueryOne(db, "SELECT max(version) FROM strata_schema_history"), "2");

  // The log survived the restore: up, the refusal, the forced rollback with its backup, the restore.
  EXPECT_EQ(Query(db, "SELECT command || ':' || outcome || ':' || (backup_file <> '') FROM strata_schema_history_log "
                      "ORDER BY id"),
            (std::vector<std::string>{"up:success:0", "down:refused:0", "down:success:1", "restore:success:1"}));
  EXPECT_EQ(QueryOne(db, "SELECT backup_file FROM strata_schema_history_log WHERE command = 'restore'"), backups[0]);
}

// The author accepts the loss in the file itself (reviewed with it), so CI and applications
// starting up need no --force; the rows are still backed up and reported.
TEST(DataGuard, AllowDataLossInTheHeaderRunsWithoutForceButStillBacksUp) {
  TempDir dir;
  std::string db = dir.Path("app.db");
  dir.Write("m/0001_users.up.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n"
                                   "CREATE TABLE legacy (id INTEGER);\n");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up"})).exit_code, 0);
  Exec(db, "INSERT INTO legacy VALUES (1), (2); INSERT INTO users VALUES (1, 'ada')");
  dir.Write("m/0002_drop_legacy.up.sql",
            "-- legacy was replaced by users in 2024; nothing reads it.\n-- strata:allow-data-loss\n"
            "DROP TABLE legacy;\n");
  dir.Write("m/0003_wipe_users.up.sql", "DELETE FROM users;\n");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"up", "--json"}));
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_EQ(r.err.find("legacy"), std::string::npos) << "an accepted loss is not asked about: " << r.err;
  EXPECT_NE(r.err.find("0003_wipe_users.up.sql:1:1: up 3 destroys 1 row of users"), std::string::npos) << r.err;

  r = strata::testing::Run(Args(db, dir.Path("m"), {"up", "--to", "2", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'legacy'"), "0");
  ASSERT_EQ(Backups(dir).size(), 1u);
  EXPECT_EQ(QueryOne(Backups(dir)[0], "SELECT count(*) FROM legacy"), "2");
  EXPECT_NE(r.out.find("\"acknowledged\":true"), std::string::npos) << r.out;
}

TEST(DataGuard, RestoreRefusesAFileThatIsNotADatabaseAndChangesNothing) {
  TempDir dir;
  WriteUsersPosts(dir);
  std::string db = dir.Path("app.db");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up"})).exit_code, 0);
  Exec(db, "INSERT INTO users VALUES (1, 'ada')");
  dir.Write("junk.bak", "this is not a database\n");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"restore", dir.Path("junk.bak")}));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("junk.bak is not a usable backup"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the database was not changed"), std::string::npos) << r.err;
  EXPECT_EQ(QueryOne(db, "SELECT name FROM users"), "ada");
  EXPECT_TRUE(Backups(dir).size() == 1 && Backups(dir)[0] == dir.Path("junk.bak")) << "no copy left behind";
}

TEST(DataGuard, EachDestructiveKindIsCaughtAndHarmlessOnesPass) {
  struct Case {
    const char* sql;
    const char* finding;  // empty: must run
  };
  const Case cases[] = {
      {"DELETE FROM users;", "destroys 2 rows of users"},
      {"DELETE FROM users WHERE id = 99;", ""},
      {"ALTER TABLE users DROP COLUMN nick;", "destroys 2 rows of users (column nick)"},
      {"DROP TABLE IF EXISTS \"Users\";", "destroys 2 rows of users"},
      {"DROP TABLE empty_one;", ""},
      {"CREATE TABLE t2 (x); DROP TABLE t2;", ""},
      {"CREATE TABLE users_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, nick TEXT);\n"
       "INSERT INTO users_new SELECT id, name, nick FROM users;\nDROP TABLE users;\n"
       "ALTER TABLE users_new RENAME TO users;",
       ""},
      {"-- DROP TABLE users;\nSELECT 'DROP TABLE users';", ""},
      // Renamed first, dropped under the new name: followed to it.
      {"ALTER TABLE users RENAME TO old_users;\nDROP TABLE old_users;", "destroys 2 rows of old_users"},
      // A copy that is not renamed into the dropped table's place does not keep its rows.
      {"INSERT INTO empty_one SELECT count(*) FROM users;\nDROP TABLE users;", "destroys 2 rows of users"},
      {"CREATE TABLE tmp AS SELECT * FROM users;\nDROP TABLE users;\nDROP TABLE tmp;", "destroys 2 rows of users"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    TempDir dir;
    std::string db = dir.Path("app.db");
    dir.Write("m/0001_users.up.sql",
              "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, nick TEXT);\n"
              "CREATE TABLE empty_one (x);\n");
    ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up"})).exit_code, 0);
    Exec(db, "INSERT INTO users VALUES (1, 'a', 'x'), (2, 'b', NULL)");
    dir.Write("m/0002_change.up.sql", std::string(c.sql) + "\n");
    ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"up"}));
    if (*c.finding) {
      EXPECT_EQ(r.exit_code, 11) << r.err;
      EXPECT_NE(r.err.find(c.finding), std::string::npos) << r.err;
      EXPECT_EQ(QueryOne(db, "SELECT max(version) FROM strata_schema_history"), "1");
    } else {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_TRUE(Backups(dir).empty());
    }
  }
}

// stdin is a pipe that stays open and never delivers anything: a prompt would hang forever.
TEST(DataGuard, WithoutATerminalItNeverWaitsForInput) {
  TempDir dir;
  WriteUsersPosts(dir);
  std::string db = dir.Path("app.db");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up"})).exit_code, 0);
  Exec(db, "INSERT INTO users VALUES (1, 'ada')");
  int in[2];
  ASSERT_EQ(pipe(in), 0);
  std::vector<std::string> argv = Args(db, dir.Path("m"), {"down", "--to", "0"});
  pid_t pid = Start(argv, in[0]);
  close(in[0]);
  int status = 0;
  bool exited = false;
  for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  close(in[1]);
  ASSERT_TRUE(exited) << "strata waited for input without a terminal";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 11);
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM users"), "1");
}

// On a terminal the seed's prompt decides: "yes" goes ahead (with a backup), anything else refuses.
ProcessResult RunOnTerminal(const std::vector<std::string>& argv, const std::string& answer) {
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  ProcessResult r;
  std::string seen;
  bool answered = false;
  char buf[4096];
  fcntl(master, F_SETFL, O_NONBLOCK);
  for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n > 0) seen.append(buf, static_cast<std::size_t>(n));
    if (!answered && seen.find("Type yes to continue: ") != std::string::npos) {
      std::string line = answer + "\n";
      EXPECT_EQ(write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
      answered = true;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      while ((n = read(master, buf, sizeof buf)) > 0) seen.append(buf, static_cast<std::size_t>(n));
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  if (r.exit_code == -1) kill(pid, SIGKILL), waitpid(pid, nullptr, 0);
  close(master);
  r.out = seen;
  EXPECT_TRUE(answered) << "no prompt on the terminal:\n" << seen;
  return r;
}

TEST(DataGuard, OnATerminalTypingYesGoesAheadAndAnythingElseRefuses) {
  TempDir dir;
  WriteUsersPosts(dir);
  std::string db = dir.Path("app.db");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up"})).exit_code, 0);
  Exec(db, "INSERT INTO users VALUES (1, 'ada'); INSERT INTO posts VALUES (1, 1, 'hi')");

  ProcessResult no = RunOnTerminal(Args(db, dir.Path("m"), {"down"}), "y");
  EXPECT_EQ(no.exit_code, 11) << no.out;
  EXPECT_NE(no.out.find("DROP TABLE destroys 1 row of posts"), std::string::npos) << no.out;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM posts"), "1");

  ProcessResult yes = RunOnTerminal(Args(db, dir.Path("m"), {"down"}), "yes");
  EXPECT_EQ(yes.exit_code, 0) << yes.out;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'posts'"), "0");
  EXPECT_EQ(Backups(dir).size(), 1u);
}

TEST(DataGuard, BackupFlagBacksUpARunThatRisksNothing) {
  TempDir dir;
  WriteUsersPosts(dir);
  std::string db = dir.Path("app.db");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up", "--to", "1"})).exit_code, 0);
  Exec(db, "INSERT INTO users VALUES (1, 'ada')");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"up", "--backup", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> backups = Backups(dir);
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_NE(r.out.find("\"event\":\"backup\""), std::string::npos) << r.out;
  EXPECT_EQ(QueryOne(backups[0], "SELECT name FROM users"), "ada");
  EXPECT_EQ(QueryOne(backups[0], "SELECT count(*) FROM sqlite_schema WHERE name = 'posts'"), "0");
}

TEST(DataGuard, BackupCommandRunsFirstAndItsFailureStopsTheRun) {
  TempDir dir;
  WriteUsersPosts(dir);
  std::string db = dir.Path("app.db");
  ProcessResult failed = strata::testing::Run(Args(db, dir.Path("m"), {"up", "--backup-command", "echo backing up; exit 3"}));
  EXPECT_EQ(failed.exit_code, 5) << failed.err;
  EXPECT_NE(failed.err.find("the backup command failed (exit code 3), so nothing was changed"), std::string::npos)
      << failed.err;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'users'"), "0");

  ProcessResult ok = strata::testing::Run(Args(db, dir.Path("m"),
                              {"up", "--backup-command", "echo v{version} > " + dir.Path("marker")}));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM users"), "0");
  EXPECT_TRUE(std::filesystem::exists(dir.Path("marker")));
  EXPECT_EQ(QueryOne(db, "SELECT backup_file FROM strata_schema_history_log WHERE outcome = 'success'"),
            "echo v0 > " + dir.Path("marker"));
}

TEST(Check, PassesOnBothExamplesAndCatchesAWrongDownMigration) {
  for (const char* example : {"vibesurf", "dataflow"}) {
    ProcessResult r = strata::testing::Run({STRATA_BINARY, "--dir", std::string(STRATA_SOURCE_DIR) + "/examples/" + example, "check"});
    EXPECT_EQ(r.exit_code, 0) << example << ": " << r.out << r.err;
    EXPECT_NE(r.out.find("ok: "), std::string::npos) << r.out;
  }
  ProcessResult dataflow =
      strata::testing::Run({STRATA_BINARY, "--dir", std::string(STRATA_SOURCE_DIR) + "/examples/dataflow", "check"});
  EXPECT_NE(dataflow.out.find("2 reversible"), std::string::npos) << dataflow.out;

  TempDir dir;
  ProcessResult wrong = strata::testing::Run({STRATA_BINARY, "--url", "sqlite:" + dir.Path("never.db"), "--dir",
                             kFixtures + "/wrong_down", "check", "--json"});
  EXPECT_EQ(wrong.exit_code, 13) << wrong.out << wrong.err;
  EXPECT_NE(wrong.out.find("\"ok\":false"), std::string::npos) << wrong.out;
  EXPECT_NE(wrong.out.find("up then down does not give back the schema it started from"), std::string::npos);
  EXPECT_NE(wrong.out.find("column \\\"users\\\".\\\"email\\\""), std::string::npos) << wrong.out;
  EXPECT_FALSE(std::filesystem::exists(dir.Path("never.db"))) << "check must not touch --url";
}

TEST(VerifyData, CatchesRowsDeletedThroughACascadeFromATableTheMigrationRebuilds) {
  TempDir dir;
  std::string db = dir.Path("app.db");
  std::string m = kFixtures + "/cascade/sqlite";
  ASSERT_EQ(strata::testing::Run(Args(db, m, {"up", "--to", "1"})).exit_code, 0);
  Exec(db, "INSERT INTO parent VALUES (1, 'a'), (2, NULL); INSERT INTO child VALUES (1, 1, 'x'), (2, 2, 'y')");

  // The data guard already sees the cascade: DROP TABLE deletes every parent row first.
  ProcessResult guarded = strata::testing::Run(Args(db, m, {"up"}));
  EXPECT_EQ(guarded.exit_code, 11) << guarded.err;
  EXPECT_NE(guarded.err.find("0002_rebuild_parent.up.sql:10:1: up 2 destroys 2 rows of child: DROP TABLE of parent "
                             "(ON DELETE CASCADE)"),
            std::string::npos)
      << guarded.err;
  EXPECT_EQ(guarded.err.find("rows of parent"), std::string::npos) << "the parent's rows were copied first";

  ProcessResult r = strata::testing::Run(Args(db, m, {"up", "--verify-data", "--force"}));
  EXPECT_EQ(r.exit_code, 12) << r.err;
  EXPECT_NE(r.err.find("changed 1 table that it does not name (--verify-data):\n  child: 2 rows before, 0 after"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM child"), "2");
  EXPECT_EQ(QueryOne(db, "SELECT max(version) FROM strata_schema_history"), "1");
  EXPECT_EQ(QueryOne(db, "SELECT outcome || ':' || (instr(error, 'child: 2 rows before') > 0) FROM "
                         "strata_schema_history_log ORDER BY id DESC LIMIT 1"),
            "failed:1");

  // Without the flag the same migration goes through and the children are gone: what the flag is for.
  ASSERT_EQ(strata::testing::Run(Args(db, m, {"up", "--force"})).exit_code, 0);
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM child"), "0");
}

TEST(VerifyData, TheRebuildWithForeignKeysOffKeepsTheChildrenAndPasses) {
  TempDir dir;
  std::string db = dir.Path("app.db");
  std::string m = kFixtures + "/cascade/sqlite";
  ASSERT_EQ(strata::testing::Run(Args(db, m, {"up", "--to", "1"})).exit_code, 0);
  Exec(db, "INSERT INTO parent VALUES (1, 'a'), (2, NULL); INSERT INTO child VALUES (1, 1, 'x'), (2, 2, 'y')");
  ProcessResult r = strata::testing::Run(Args(db, m, {"--no-foreign-keys", "up", "--verify-data"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM child"), "2");
  EXPECT_EQ(Query(db, "SELECT id || name FROM parent ORDER BY id"), (std::vector<std::string>{"1a", "2"}));
}

// A column that shares a table's name does not make the migration "name" that table.
TEST(VerifyData, AColumnNamedLikeATableDoesNotHideIt) {
  TempDir dir;
  std::string db = dir.Path("app.db");
  dir.Write("m/0001_init.up.sql",
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent ON DELETE CASCADE);\n");
  dir.Write("m/0002_prune.up.sql", "ALTER TABLE parent ADD COLUMN notes TEXT;\nDELETE FROM parent WHERE id > 0;\n");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up", "--to", "1"})).exit_code, 0);
  Exec(db, "INSERT INTO parent VALUES (1); INSERT INTO notes VALUES (1, 1), (2, 1)");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"up", "--verify-data"}));
  EXPECT_EQ(r.exit_code, 12) << r.err;
  EXPECT_NE(r.err.find("notes: 2 rows before, 0 after"), std::string::npos) << r.err;
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM notes"), "2");
}

TEST(VerifyData, PassesAMigrationThatLeavesOtherTablesAlone) {
  TempDir dir;
  WriteUsersPosts(dir);
  dir.Write("m/0003_nick.up.sql", "ALTER TABLE users ADD COLUMN nick TEXT;\nUPDATE users SET nick = name;\n");
  std::string db = dir.Path("app.db");
  ASSERT_EQ(strata::testing::Run(Args(db, dir.Path("m"), {"up", "--to", "2"})).exit_code, 0);
  Exec(db, "INSERT INTO users VALUES (1, 'ada'); INSERT INTO posts VALUES (1, 1, 'hi')");
  ProcessResult r = strata::testing::Run(Args(db, dir.Path("m"), {"up", "--verify-data"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryOne(db, "SELECT nick FROM users"), "ada");
}

}  // namespace
}  // namespace strata::testing
