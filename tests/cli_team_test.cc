// Working in a team, through the real binary on temporary directories and git repositories:
// strata.sum (hash, new, the check every command makes first), strata rebase after a conflicting
// merge, and verify --git-base.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = STRATA_BINARY;
const std::string kGit = "/usr/bin/git";

constexpr int kOk = 0;
constexpr int kInvalidInput = 3;
constexpr int kPrecondition = 5;
constexpr int kIntegrity = 16;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CliTeamTest : public ::testing::Test {
 protected:
  // `strata --dir m ARGS...` in the temporary directory, without DATABASE_URL.
  ProcessResult Strata(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {kBinary, "--dir", "m"};
    argv.insert(argv.end(), args.begin(), args.end());
    return strata::testing::Run(argv, {"DATABASE_URL="}, tmp_.path());
  }
  ProcessResult Git(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {kGit};
    argv.insert(argv.end(), args.begin(), args.end());
    return strata::testing::Run(argv, {"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}, tmp_.path());
  }
  void GitOk(const std::vector<std::string>& args) const {
    ProcessResult r = Git(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }
  void InitRepo() const {
    GitOk({"init", "-q", "-b", "main"});
    GitOk({"config", "user.name", "Test"});
    GitOk({"config", "user.email", "test@example.com"});
  }
  void Commit(const std::string& message) const {
    GitOk({"add", "-A"});
    GitOk({"commit", "-q", "-m", message});
  }
  std::string Url() const { return "sqlite:" + tmp_.Path("app.db"); }
  bool Exists(const std::string& name) const { return fs::exists(tmp_.Path(name)); }

  TempDir tmp_;
};

constexpr char kChanged[] =
    "strata: error: m/strata.sum does not match the migration files: they changed since it was written\n"
    "  added:   m/v003_c.sql\n"
    "  removed: m/v002_b.sql\n"
    "  edited:  m/v001_a.sql\n"
    "If these changes are intended, run strata hash to accept them.\n";

TEST_F(CliTeamTest, EveryCommandThatReadsTheDirectoryRefusesAChangeSinceHashNamingEachFile) {
  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
  tmp_.Write("m/v002_b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n");
  ProcessResult hash = Strata({"hash"});
  ASSERT_EQ(hash.exit_code, kOk) << Describe(hash);
  EXPECT_EQ(hash.out, "wrote m/strata.sum\n");
  std::string sum = ReadFile(tmp_.Path("m/strata.sum"));
  EXPECT_EQ(sum.substr(0, 3), "h1:");
  EXPECT_NE(sum.find("\nv001_a.sql h1:"), std::string::npos) << sum;
  EXPECT_NE(sum.find("\nv002_b.sql h1:"), std::string::npos) << sum;
  ProcessResult up = Strata({"--url", Url(), "up"});
  ASSERT_EQ(up.exit_code, kOk) << Describe(up);

  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY); -- edited\n");
  fs::remove(tmp_.Path("m/v002_b.sql"));
  tmp_.Write("m/v003_c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n");
  const std::vector<std::vector<std::string>> commands = {
      {"--url", Url(), "status"}, {"--url", Url(), "up"},    {"--url", Url(), "down"},
      {"--url", Url(), "plan"},   {"--url", Url(), "verify"}, {"--url", Url(), "drift"},
      {"lint"},                   {"check"},                  {"schema", "dump", "m"},
      {"new", "d"}};
  for (const auto& args : commands) {
    ProcessResult r = Strata(args);
    EXPECT_EQ(r.exit_code, kIntegrity) << args.back() << "\n" << Describe(r);
    // schema says which input it was reading.
    std::string expected = kChanged;
    if (args.front() == "schema") expected.insert(15, "replaying m on a scratch database: ");
    EXPECT_EQ(r.err, expected) << args.back();
  }
  EXPECT_FALSE(Exists("m/v004_d.sql"));  // new refused before creating anything
  EXPECT_EQ(ReadFile(tmp_.Path("m/strata.sum")), sum);

  // strata hash accepts the change.
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  ProcessResult status = Strata({"--url", Url(), "status"});
  EXPECT_EQ(status.exit_code, kOk) << Describe(status);
}

TEST_F(CliTeamTest, JsonErrorCodeIsIntegrity) {
  tmp_.Write("m/v001_a.sql", "SELECT 1;\n");
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  tmp_.Write("m/v002_b.sql", "SELECT 2;\n");
  ProcessResult r = Strata({"--json", "--url", Url(), "up"});
  EXPECT_EQ(r.exit_code, kIntegrity) << Describe(r);
  EXPECT_NE(r.out.find("\"code\":\"integrity\""), std::string::npos) << r.out;
}

TEST_F(CliTeamTest, AHandEditedOrConflictedSumHasItsOwnMessage) {
  tmp_.Write("m/v001_a.sql", "SELECT 1;\n");
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  std::string sum = ReadFile(tmp_.Path("m/strata.sum"));
  tmp_.Write("m/strata.sum", "<<<<<<< HEAD\n" + sum + "=======\n" + sum + ">>>>>>> other\n");
  ProcessResult r = Strata({"--url", Url(), "up"});
  EXPECT_EQ(r.exit_code, kIntegrity) << Describe(r);
  EXPECT_EQ(r.err,
            "strata: error: m/strata.sum: merge conflict in strata.sum: run strata rebase (to renumber this branch's "
            "migrations after the ones that came in) or strata hash (when no version collides)\n");

  tmp_.Write("m/strata.sum", "h1:" + std::string(64, '0') + sum.substr(67));
  r = Strata({"lint"});
  EXPECT_EQ(r.exit_code, kIntegrity) << Describe(r);
  EXPECT_EQ(r.err,
            "strata: error: m/strata.sum:1:1: the directory hash does not match the lines below it: strata.sum was "
            "edited by hand; run strata hash to write it again\n"
            "    h1:" + std::string(64, '0') + "\n    ^\n");
}

TEST_F(CliTeamTest, NewKeepsAnExistingSumAndCreatesNoneOtherwise) {
  ProcessResult r = Strata({"new", "init"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_FALSE(Exists("m/strata.sum"));
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  r = Strata({"new", "second"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(r.out, "created m/0002_second.up.sql\ncreated m/0002_second.down.sql\n");
  std::string sum = ReadFile(tmp_.Path("m/strata.sum"));
  EXPECT_NE(sum.find("\n0002_second.up.sql h1:"), std::string::npos) << sum;
  EXPECT_NE(sum.find("\n0002_second.down.sql h1:"), std::string::npos) << sum;
  r = Strata({"--url", Url(), "up"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
}

TEST_F(CliTeamTest, HashRefusesADirectoryThatDoesNotLoad) {
  tmp_.Write("m/v001_a.sql", "SELECT 1;\n");
  tmp_.Write("m/v001_b.sql", "SELECT 1;\n");
  ProcessResult r = Strata({"hash"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: duplicate migration version 1: m/v001_a.sql and m/v001_b.sql\n");
  EXPECT_FALSE(Exists("m/strata.sum"));
}

TEST_F(CliTeamTest, RebaseRefusesToRenumberAnAppliedMigration) {
  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER);\n");
  tmp_.Write("m/v002_mine.sql", "CREATE TABLE mine (id INTEGER);\n");
  ASSERT_EQ(Strata({"--url", Url(), "up"}).exit_code, kOk);
  // The incoming side's sum lists v002_theirs; this branch's v002_mine was applied locally.
  fs::rename(tmp_.Path("m/v002_mine.sql"), tmp_.Path("mine.sql"));
  tmp_.Write("m/v002_theirs.sql", "CREATE TABLE theirs (id INTEGER);\n");
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  fs::rename(tmp_.Path("mine.sql"), tmp_.Path("m/v002_mine.sql"));

  ProcessResult r = Strata({"--url", Url(), "rebase"});
  EXPECT_EQ(r.exit_code, kPrecondition) << Describe(r);
  EXPECT_EQ(r.err,
            "strata: error: m/v002_mine.sql: migration 2 (mine) is recorded as applied in the database; renumbered, it "
            "would run a second time. Renumber the other migration with that version instead\n");
  EXPECT_TRUE(Exists("m/v002_mine.sql"));

  // Named, the incoming file moves instead.
  r = Strata({"--url", Url(), "rebase", "m/v002_theirs.sql"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(r.out, "renamed m/v002_theirs.sql -> m/v003_theirs.sql\nwrote m/strata.sum\n");
  r = Strata({"--url", Url(), "up"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(QueryOne(tmp_.Path("app.db"), "SELECT group_concat(version) FROM strata_schema_history"), "1,2,3");
}

// This branch's v002_x and v003_x both move up one: v002_x -> v003_x must not replace this
// branch's own v003_x before that one moved to v004_x.
TEST_F(CliTeamTest, RebaseMovesAChainOfFilesWithoutLosingOne) {
  tmp_.Write("m/v001_base.sql", "CREATE TABLE base (id INTEGER PRIMARY KEY);\n");
  tmp_.Write("m/v002_in.sql", "CREATE TABLE incoming (id INTEGER PRIMARY KEY);\n");
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  tmp_.Write("m/v003_x.sql", "CREATE TABLE third (id INTEGER PRIMARY KEY);\n");
  tmp_.Write("m/v004_x.sql", "CREATE TABLE fourth (id INTEGER PRIMARY KEY);\n");
  // Both of this branch's files were numbered 2 and 3 before the incoming v002_in arrived.
  fs::rename(tmp_.Path("m/v003_x.sql"), tmp_.Path("m/v002_x.sql"));
  fs::rename(tmp_.Path("m/v004_x.sql"), tmp_.Path("m/v003_x.sql"));
  ProcessResult r = Strata({"rebase"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(ReadFile(tmp_.Path("m/v003_x.sql")), "CREATE TABLE third (id INTEGER PRIMARY KEY);\n");
  EXPECT_EQ(ReadFile(tmp_.Path("m/v004_x.sql")), "CREATE TABLE fourth (id INTEGER PRIMARY KEY);\n");
  EXPECT_FALSE(Exists("m/v002_x.sql"));
  for (const auto& entry : fs::directory_iterator(tmp_.Path("m"))) {
    EXPECT_EQ(entry.path().filename().string().find(".strata-rebase"), std::string::npos) << entry.path();
  }
  ProcessResult up = Strata({"--url", Url(), "up"});
  EXPECT_EQ(up.exit_code, kOk) << Describe(up);
}

TEST_F(CliTeamTest, RebaseRefusals) {
  tmp_.Write("m/v001_a.sql", "SELECT 1;\n");
  ProcessResult r = Strata({"rebase"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
  EXPECT_EQ(r.err,
            "strata: error: m has no strata.sum to tell this branch's migrations from the ones that came in: name "
            "the files to renumber\n");
  r = Strata({"rebase", "v009_x.sql"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: 'v009_x.sql' is not a migration file of m\n");
}

TEST_F(CliTeamTest, VerifyGitBaseNamesEveryOffender) {
  InitRepo();
  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER);\n");
  tmp_.Write("m/v002_b.sql", "CREATE TABLE b (id INTEGER);\n");
  tmp_.Write("m/v003_c.sql", "CREATE TABLE c (id INTEGER);\n");
  tmp_.Write("m/README.md", "not a migration\n");
  Commit("three migrations");
  GitOk({"checkout", "-q", "-b", "feature"});
  ProcessResult r = Strata({"verify", "--git-base", "main"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);

  tmp_.Write("m/v004_d.sql", "CREATE TABLE d (id INTEGER);\n");
  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER, x TEXT);\n");
  tmp_.Write("m/v003_c.sql", "CREATE TABLE c (id INTEGER);\r\n");  // line endings only: not an edit
  fs::remove(tmp_.Path("m/v002_b.sql"));
  tmp_.Write("m/v002_late.sql", "CREATE TABLE late (id INTEGER);\n");
  tmp_.Write("m/README.md", "edited\n");
  r = Strata({"verify", "--git-base", "main"});
  EXPECT_EQ(r.exit_code, kIntegrity) << Describe(r);
  EXPECT_EQ(r.out,
            "3 problems since main:\n"
            "  m/v001_a.sql: edited since main\n"
            "  m/v002_b.sql: deleted since main\n"
            "  m/v002_late.sql: added since main with version 2, not above its newest version 3 (m/v003_c.sql)\n");

  r = Strata({"verify", "--git-base", "no-such-branch"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
  EXPECT_NE(r.err.find("strata: error: git rev-parse failed in 'm'"), std::string::npos) << r.err;
}

// The "done when": two branches each run `strata new`, the merge conflicts in strata.sum,
// `strata rebase` resolves it, `up` applies everything exactly once.
TEST_F(CliTeamTest, TwoBranchesMergeConflictInStrataSumRebaseResolvesItUpAppliesEachOnce) {
  InitRepo();
  ASSERT_EQ(Strata({"new", "init"}).exit_code, kOk);
  tmp_.Write("m/0001_init.up.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
  tmp_.Write("m/0001_init.down.sql", "DROP TABLE users;\n");
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  Commit("init");

  auto branch = [&](const std::string& name, const std::string& table) {
    GitOk({"checkout", "-q", "-b", name, "main"});
    ProcessResult r = Strata({"new", "add_" + table});
    ASSERT_EQ(r.exit_code, kOk) << Describe(r);
    EXPECT_EQ(r.out, "created m/0002_add_" + table + ".up.sql\ncreated m/0002_add_" + table + ".down.sql\n");
    tmp_.Write("m/0002_add_" + table + ".up.sql", "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY);\n");
    tmp_.Write("m/0002_add_" + table + ".down.sql", "DROP TABLE " + table + ";\n");
    // The edit is refused until it is hashed.
    EXPECT_EQ(Strata({"--url", Url(), "status"}).exit_code, kIntegrity);
    ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
    Commit("add " + table);
  };
  branch("teams", "teams");
  branch("billing", "billing");

  // On billing, merge teams: git sees the conflict in strata.sum.
  ProcessResult merge = Git({"merge", "--no-edit", "teams"});
  EXPECT_NE(merge.exit_code, 0) << Describe(merge);
  ProcessResult conflicts = Git({"diff", "--name-only", "--diff-filter=U"});
  EXPECT_EQ(conflicts.out, "m/strata.sum\n");
  ProcessResult up = Strata({"--url", Url(), "up"});
  EXPECT_EQ(up.exit_code, kIntegrity) << Describe(up);
  EXPECT_NE(up.err.find("merge conflict in strata.sum: run strata rebase"), std::string::npos) << up.err;

  ProcessResult rebase = Strata({"rebase"});
  ASSERT_EQ(rebase.exit_code, kOk) << Describe(rebase);
  EXPECT_EQ(rebase.out,
            "renamed m/0002_add_billing.up.sql -> m/0003_add_billing.up.sql\n"
            "renamed m/0002_add_billing.down.sql -> m/0003_add_billing.down.sql\n"
            "wrote m/strata.sum\n");
  Commit("merge teams");
  EXPECT_EQ(Strata({"verify", "--git-base", "teams"}).exit_code, kOk);

  up = Strata({"--url", Url(), "up"});
  ASSERT_EQ(up.exit_code, kOk) << Describe(up);
  const std::string db = tmp_.Path("app.db");
  EXPECT_EQ(QueryOne(db, "SELECT group_concat(version || ':' || name, ' ') FROM strata_schema_history"),
            "1:init 2:add_teams 3:add_billing");
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'teams', 'billing')"), "3");
  up = Strata({"--url", Url(), "up"});
  EXPECT_EQ(up.exit_code, kOk) << Describe(up);
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM strata_schema_history"), "3");
}

TEST_F(CliTeamTest, CheckpointWritesTheFileAndTheSumAndAFreshDatabaseStartsFromIt) {
  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO a (v) VALUES ('x');\n");
  tmp_.Write("m/v002_b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n");
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  ProcessResult written = Strata({"checkpoint"});
  ASSERT_EQ(written.exit_code, kOk) << Describe(written);
  EXPECT_EQ(written.out,
            "wrote m/v002_checkpoint.sql: versions up to 2 (2 migrations), 2 tables, 1 row\n"
            "updated m/strata.sum\n"
            "A fresh database now applies it instead of those migrations; keep their files while any database is "
            "still below version 2\n");
  std::string text = ReadFile(tmp_.Path("m/v002_checkpoint.sql"));
  EXPECT_TRUE(text.starts_with("-- strata:checkpoint\n")) << text;
  EXPECT_NE(text.find("INSERT INTO \"a\" (\"id\", \"v\") VALUES\n  (1, 'x');\n"), std::string::npos) << text;
  // strata.sum now lists it: every command still reads the directory.
  ProcessResult plan = Strata({"--url", Url(), "plan"});
  ASSERT_EQ(plan.exit_code, kOk) << Describe(plan);
  EXPECT_EQ(plan.out.substr(0, plan.out.find('\n')), "-- up 2 checkpoint (m/v002_checkpoint.sql)");
  ProcessResult up = Strata({"--url", Url(), "up"});
  ASSERT_EQ(up.exit_code, kOk) << Describe(up);
  EXPECT_NE(up.out.find("done: version 0 -> 2 (1 migration"), std::string::npos) << up.out;
  ProcessResult json = Strata({"--json", "checkpoint"});
  ASSERT_EQ(json.exit_code, kOk) << Describe(json);
  EXPECT_EQ(json.out, "{\"checkpoint\":\"m/v002_checkpoint.sql\",\"migrations\":2,\"replaced\":true,\"rows\":1,"
                      "\"sum_written\":true,\"tables\":2,\"version\":2}\n");
  ProcessResult missing = Strata({"checkpoint", "--to", "9"});
  EXPECT_EQ(missing.exit_code, kInvalidInput) << Describe(missing);
  EXPECT_EQ(missing.err, "strata: error: no migration of m has version 9\n");
  // An edit to a file it stands for makes the checkpoint stale: a fresh database runs the files and
  // says why, and strata checkpoint writes it again.
  tmp_.Write("m/v001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT, w TEXT);\n");
  ASSERT_EQ(Strata({"hash"}).exit_code, kOk);
  ProcessResult stale = Strata({"--url", "sqlite:" + tmp_.Path("fresh.db"), "up"});
  ASSERT_EQ(stale.exit_code, kOk) << Describe(stale);
  EXPECT_NE(stale.err.find("the checkpoint m/v002_checkpoint.sql is stale: it stands for version 1 (a), but "
                           "m/v001_a.sql was edited since; run `strata checkpoint --to 2` to write it again; this "
                           "fresh database runs the files instead"),
            std::string::npos)
      << Describe(stale);
  EXPECT_NE(stale.out.find("done: version 0 -> 2 (2 migrations"), std::string::npos) << stale.out;
  ProcessResult again = Strata({"checkpoint"});
  ASSERT_EQ(again.exit_code, kOk) << Describe(again);
  EXPECT_NE(ReadFile(tmp_.Path("m/v002_checkpoint.sql")).find("\"w\" TEXT"), std::string::npos);
  // Sharing version 2 with v002_b.sql is no collision for rebase; two files of version 3 are.
  tmp_.Write("m/v003_c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n");
  tmp_.Write("m/v003_d.sql", "CREATE TABLE d (id INTEGER PRIMARY KEY);\n");
  ProcessResult rebase = Strata({"rebase", "m/v003_d.sql"});
  ASSERT_EQ(rebase.exit_code, kOk) << Describe(rebase);
  EXPECT_EQ(rebase.out, "renamed m/v003_d.sql -> m/v004_d.sql\nwrote m/strata.sum\n");
  EXPECT_TRUE(Exists("m/v002_checkpoint.sql"));
}

}  // namespace
}  // namespace strata::testing
