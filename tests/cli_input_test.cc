// End-to-end tests of hostile input in the migrations directory: bytes, spellings and directory
// entries that once slipped through (a NUL byte, markers in another case, broken symbolic links,
// unreadable files). Each runs the real binary on a temporary directory and checks stdout, stderr,
// the exit code and the database.
#include <gtest/gtest.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = STRATA_BINARY;

// The binary as nobody (65534) can run it: the build tree may sit in a directory only its owner
// can enter (a checkout under a mktemp -d directory), so under root the binary is copied once into
// a directory of its own that everyone may enter, removed when the tests end.
class UnprivilegedCopy {
 public:
  UnprivilegedCopy() {
    if (geteuid() != 0) return;
    char dir[] = "/tmp/strata-bin-XXXXXX";
    if (mkdtemp(dir) == nullptr) return;
    dir_ = dir;
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec, ec);
    path_ = dir_ + "/strata";
    fs::copy_file(kBinary, path_, ec);
    fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec, ec);
    if (ec) path_.clear();
  }
  ~UnprivilegedCopy() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // The copy, or the build's binary when none was needed (or made: the run then fails with 127).
  const std::string& path() const { return path_.empty() ? kBinary : path_; }

 private:
  std::string dir_, path_;
};

const std::string& UnprivilegedBinary() {
  static const UnprivilegedCopy copy;
  return copy.path();
}

// Exit codes (cli/cli.h).
constexpr int kOk = 0;
constexpr int kInvalidInput = 3;

const std::string kNul(1, '\0');

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class CliInputTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_); }

  void Write(const std::string& name, const std::string& contents) const {
    std::ofstream f(Path(name), std::ios::binary | std::ios::trunc);
    f << contents;
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Url() const { return "sqlite:" + db_; }

  // `strata --url sqlite:DB --dir DIR ARGS...`
  ProcessResult Strata(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {kBinary, "--url", Url(), "--dir", dir_};
    argv.insert(argv.end(), args.begin(), args.end());
    return strata::testing::Run(argv);
  }

  // The tables of the database, or nothing when the file does not exist (read without creating it).
  std::vector<std::string> Tables() const {
    if (!fs::exists(db_)) return {};
    return Query(db_, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  }
  std::vector<std::string> History() const {
    return Query(db_, "SELECT version || ':' || state FROM strata_schema_history ORDER BY version");
  }

  // `Strata` as a user whom file permissions apply to: the current one, or nobody (65534) when
  // the tests run as root, who reads a chmod 000 file anyway and so would test nothing.
  ProcessResult StrataUnprivileged(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {UnprivilegedBinary(), "--url", Url(), "--dir", dir_};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (const std::string& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
    c_argv.push_back(nullptr);
    const std::string out_path = tmp_.Path("stdout"), err_path = tmp_.Path("stderr");
    pid_t pid = fork();
    if (pid == 0) {
      int in = open("/dev/null", O_RDONLY);
      int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0 || err < 0) _exit(125);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      if (geteuid() == 0 && (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)) _exit(126);
      execv(c_argv[0], c_argv.data());
      _exit(127);
    }
    ProcessResult r;
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.out = ReadFile(out_path);
    r.err = ReadFile(err_path);
    return r;
  }

  // Every command that reads the migrations must refuse them the same way, before touching the
  // database: exit 3, nothing on stdout, exactly `error` on stderr.
  void ExpectEveryCommandRefuses(const std::string& error, bool unprivileged = false) const {
    for (const char* command : {"plan", "status", "verify", "up", "down"}) {
      SCOPED_TRACE(command);
      ProcessResult r = unprivileged ? StrataUnprivileged({command}) : Strata({command});
      EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
      EXPECT_EQ(r.out, "") << Describe(r);
      EXPECT_EQ(r.err, "strata: error: " + error + "\n") << Describe(r);
    }
  }

  TempDir tmp_;
  std::string db_ = tmp_.Path("test.db");
  std::string dir_ = tmp_.Path("migrations");
};

// ---------------------------------------------------------------------------------------------
// (a) A NUL byte: the engines read SQL as C strings, so everything after it was dropped while the
// migration was recorded as applied.

TEST_F(CliInputTest, NulByteInAMigrationIsRefusedByEveryCommand) {
  Write("v001_t.sql", "CREATE TABLE a(x);" + kNul + "CREATE TABLE b(y);\n");
  ExpectEveryCommandRefuses(Path("v001_t.sql") +
                            ":1:19: NUL byte in a migration file: a migration must be text (the database engines "
                            "would stop reading the SQL here)\n"
                            "    CREATE TABLE a(x);\xE2\x90\x80" "CREATE TABLE b(y);\n"
                            "                      ^");
  EXPECT_EQ(Tables(), std::vector<std::string>{});
}

TEST_F(CliInputTest, NulByteInADownPartStopsUpAndDownOfAnAppliedDatabase) {
  Write("0001_a.up.sql", "CREATE TABLE a(x);\n");
  Write("0001_a.down.sql", "DROP TABLE a;\n");
  ASSERT_EQ(Strata({"up"}).exit_code, kOk);
  Write("0002_b.up.sql", "CREATE TABLE b(y);\n");
  Write("0002_b.down.sql", "-- undo\nDROP TABLE b;\n" + kNul + "DROP TABLE a;\n");
  ExpectEveryCommandRefuses(Path("0002_b.down.sql") +
                            ":3:1: NUL byte in a migration file: a migration must be text (the database engines "
                            "would stop reading the SQL here)\n"
                            "    \xE2\x90\x80" "DROP TABLE a;\n"
                            "    ^");
  EXPECT_EQ(History(), std::vector<std::string>{"1:applied"});
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "strata_schema_history", "strata_schema_history_log"}));
}

TEST_F(CliInputTest, NulBytesAreReportedWithEveryOtherFileProblem) {
  Write("v001_a.sql", "SELECT 1;" + kNul);
  Write("abc.sql", "SELECT 2;\n");
  Write("v002_b.sql", "SELECT 3;\n\n  " + kNul + kNul + "\n");
  ProcessResult r = Strata({"status"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
  const std::string why =
      "NUL byte in a migration file: a migration must be text (the database engines would stop reading the SQL here)";
  EXPECT_EQ(r.err, "strata: error: " + Path("abc.sql") +
                       ": not a migration file name; expected one of: v001_name.sql, 0001_name.up.sql + "
                       "0001_name.down.sql, 20250130100000_name.sql (with -- migrate:up / -- migrate:down), "
                       "V1__name.sql + U1__name.sql\n" +
                       Path("v001_a.sql") + ":1:10: " + why + "\n    SELECT 1;\xE2\x90\x80\n             ^\n" +
                       Path("v002_b.sql") + ":3:3: " + why + "\n      \xE2\x90\x80\xE2\x90\x80\n      ^\n")
      << Describe(r);
}

// ---------------------------------------------------------------------------------------------
// (b) Markers and directives are case-sensitive (as dbmate's are). `-- MIGRATE:UP` and
// `-- Migrate:Down` were comments, so the down part ran as part of up; `-- Strata:No-Transaction`
// was ignored. A near-miss is refused with the exact spelling.

TEST_F(CliInputTest, UpperCaseMarkersAreRefusedInsteadOfRunningDownWithUp) {
  Write("20250101000000_x.sql", "-- MIGRATE:UP\nCREATE TABLE a(x);\n-- MIGRATE:DOWN\nDROP TABLE a;\n");
  ExpectEveryCommandRefuses(Path("20250101000000_x.sql") +
                            ":1:4: section marker 'MIGRATE:UP' must be written exactly '-- migrate:up' "
                            "(case-sensitive, no spaces around ':')\n"
                            "    -- MIGRATE:UP\n"
                            "       ^");
  EXPECT_EQ(Tables(), std::vector<std::string>{});
}

TEST_F(CliInputTest, MixedCaseDownMarkerIsRefused) {
  Write("20250101000000_x.sql", "-- migrate:up\nCREATE TABLE a(x);\n\n-- Migrate:Down\nDROP TABLE a;\n");
  ExpectEveryCommandRefuses(Path("20250101000000_x.sql") +
                            ":4:4: section marker 'Migrate:Down' must be written exactly '-- migrate:down' "
                            "(case-sensitive, no spaces around ':')\n"
                            "    -- Migrate:Down\n"
                            "       ^");
  // Spelled exactly, the same file migrates and rolls back.
  Write("20250101000000_x.sql", "-- migrate:up\nCREATE TABLE a(x);\n\n-- migrate:down\nDROP TABLE a;\n");
  ProcessResult r = Strata({"up"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "strata_schema_history", "strata_schema_history_log"}));
  r = Strata({"down"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(Tables(), (std::vector<std::string>{"strata_schema_history", "strata_schema_history_log"}));
}

TEST_F(CliInputTest, UpperCaseMarkerOptionIsRefused) {
  Write("20250101000000_x.sql", "-- migrate:up transaction:FALSE\nVACUUM;\n");
  ExpectEveryCommandRefuses(Path("20250101000000_x.sql") +
                            ":1:15: section option 'transaction:FALSE' must be written exactly 'transaction:false' "
                            "(case-sensitive, no spaces around ':')\n"
                            "    -- migrate:up transaction:FALSE\n"
                            "                  ^");
}

TEST_F(CliInputTest, DirectiveInAnotherCaseIsRefusedNotIgnored) {
  Write("v001_a.sql", "CREATE TABLE a(x);\n");
  Write("v002_vacuum.sql", "-- Compact the file.\n-- Strata:No-Transaction\nVACUUM;\n");
  Write("0003_c.up.sql", "--strata: allow-data-loss\nDROP TABLE a;\n");
  const std::string exactly = " (case-sensitive, no spaces around ':')";
  ExpectEveryCommandRefuses(Path("0003_c.up.sql") +
                            ":1:3: directive 'strata: allow-data-loss' must be written exactly "
                            "'-- strata:allow-data-loss'" + exactly + "\n"
                            "    --strata: allow-data-loss\n"
                            "      ^\n" +
                            Path("v002_vacuum.sql") +
                            ":2:4: directive 'Strata:No-Transaction' must be written exactly "
                            "'-- strata:no-transaction'" + exactly + "\n"
                            "    -- Strata:No-Transaction\n"
                            "       ^");
  EXPECT_EQ(Tables(), std::vector<std::string>{});
}

TEST_F(CliInputTest, MarkerInAFileWithoutSectionsIsRefused) {
  Write("v001_a.sql", "CREATE TABLE a(x);\n\n-- migrate:down\nDROP TABLE a;\n");
  ExpectEveryCommandRefuses(Path("v001_a.sql") +
                            ":3:4: section marker 'migrate:down' in a file without sections: only a file named like "
                            "20250130100000_name.sql is split at -- migrate: markers, this one would run whole\n"
                            "    -- migrate:down\n"
                            "       ^");
}

// ---------------------------------------------------------------------------------------------
// (c) Directory entries named like migrations that are not readable files: a dangling or looping
// symbolic link was skipped without a word, so the migration it stood for silently never ran.

TEST_F(CliInputTest, DanglingLoopingAndSpecialEntriesNamedLikeMigrationsAreErrors) {
  Write("v001_a.sql", "CREATE TABLE a(x);\n");
  fs::create_symlink("missing", Path("v002_x.sql"));
  fs::create_symlink("v003_y.sql", Path("v003_y.sql"));
  ASSERT_EQ(mkfifo(Path("v004_z.sql").c_str(), 0644), 0);  // opening it to read would wait forever
  ExpectEveryCommandRefuses(Path("v002_x.sql") + ": broken symbolic link to 'missing' (the target does not exist)\n" +
                            Path("v003_y.sql") +
                            ": symbolic link to 'v003_y.sql' that cannot be followed: Too many levels of symbolic "
                            "links\n" +
                            Path("v004_z.sql") + ": not a regular file but a FIFO (named pipe)");
  EXPECT_EQ(Tables(), std::vector<std::string>{});
}

TEST_F(CliInputTest, LinksToFilesAreMigrationsAndLinksToDirectoriesAreSkipped) {
  TempDir elsewhere;
  elsewhere.Write("shared.sql", "CREATE TABLE shared(x);\n");
  fs::create_directories(elsewhere.Path("dir"));
  fs::create_symlink(elsewhere.Path("shared.sql"), Path("v001_shared.sql"));
  fs::create_symlink(elsewhere.Path("dir"), Path("v002_dir.sql"));  // like a sub-directory: not scanned
  fs::create_symlink("missing", Path("README.md"));                 // not a migration name: ignored
  ProcessResult r = Strata({"up"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(History(), std::vector<std::string>{"1:applied"});
  EXPECT_EQ(Tables(), (std::vector<std::string>{"shared", "strata_schema_history", "strata_schema_history_log"}));
}

// ---------------------------------------------------------------------------------------------
// (e) docs/migrations.md said a `.SQL` file was ignored while strata applied it. The extension is
// matched in any case (as golang-migrate does, and as embedding always did): such a file is a
// migration, never silently left out; the parts of the name that carry meaning are exact.

TEST_F(CliInputTest, UpperCaseExtensionIsAMigrationAndSaysSoEverywhere) {
  Write("v001_a.sql", "CREATE TABLE a(x);\n");
  Write("v002_b.SQL", "CREATE TABLE b(x);\n");
  Write("0003_c.up.Sql", "CREATE TABLE c(x);\n");
  Write("0003_c.down.SQL", "DROP TABLE c;\n");
  ProcessResult r = Strata({"plan"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_NE(r.out.find(Path("v002_b.SQL")), std::string::npos) << Describe(r);
  r = Strata({"up"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(History(), (std::vector<std::string>{"1:applied", "2:applied", "3:applied"}));
  r = Strata({"down"});
  ASSERT_EQ(r.exit_code, kOk) << Describe(r);
  EXPECT_EQ(Tables(), (std::vector<std::string>{"a", "b", "strata_schema_history", "strata_schema_history_log"}));
}

TEST_F(CliInputTest, UpperCaseExtensionIsNeverASilentSkip) {
  Write("v001_a.sql", "CREATE TABLE a(x);\n");
  Write("v001_a.SQL", "CREATE TABLE a2(x);\n");  // a copy in another case is a second version 1
  Write("notes.SQL", "not a migration\n");
  Write("0002_b.UP.sql", "CREATE TABLE b(x);\n");
  Write("0002_b.Down.sql", "DROP TABLE b;\n");  // was an up migration named "b.Down"
  ExpectEveryCommandRefuses(
      Path("0002_b.Down.sql") +
      ": suffix '.Down' must be written exactly '.down' (case-sensitive: 0001_name.up.sql + 0001_name.down.sql)\n" +
      Path("0002_b.UP.sql") +
      ": suffix '.UP' must be written exactly '.up' (case-sensitive: 0001_name.up.sql + 0001_name.down.sql)\n" +
      Path("notes.SQL") +
      ": not a migration file name; expected one of: v001_name.sql, 0001_name.up.sql + 0001_name.down.sql, "
      "20250130100000_name.sql (with -- migrate:up / -- migrate:down), V1__name.sql + U1__name.sql\n"
      "duplicate migration version 1: " + Path("v001_a.SQL") + " and " + Path("v001_a.sql"));
}

// ---------------------------------------------------------------------------------------------
// (d) A migration file or directory that cannot be read exited 7, which means "cannot reach the
// database". It is the user's input to fix: exit 3, naming the path and the system's reason.

class UnreadableInputTest : public CliInputTest {
 protected:
  void SetUp() override {
    CliInputTest::SetUp();
    // The unprivileged runner must reach the migrations directory (mkdtemp made it 0700).
    fs::permissions(tmp_.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                     fs::perms::others_read | fs::perms::others_exec);
    Write("v001_a.sql", "CREATE TABLE a(x);\n");
    Write("v002_b.sql", "CREATE TABLE b(x);\n");
  }
  void TearDown() override {
    // Give everything back so that the temporary directory can be removed by any user.
    fs::permissions(dir_, fs::perms::owner_all);
    for (const auto& e : fs::directory_iterator(dir_)) fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write);
  }
};

TEST_F(UnreadableInputTest, UnreadableMigrationFileIsInvalidInputNotAConnectionError) {
  fs::permissions(Path("v002_b.sql"), fs::perms::none);
  ExpectEveryCommandRefuses("cannot read '" + Path("v002_b.sql") + "': Permission denied", /*unprivileged=*/true);
  // The same files, readable, are fine for that user: the refusal was about the file alone.
  fs::permissions(Path("v002_b.sql"), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  ProcessResult r = StrataUnprivileged({"plan"});
  EXPECT_EQ(r.exit_code, kOk) << Describe(r);
}

TEST_F(UnreadableInputTest, UnlistableMigrationsDirectoryIsInvalidInput) {
  fs::permissions(dir_, fs::perms::none);
  ExpectEveryCommandRefuses("cannot list '" + dir_ + "': Permission denied", /*unprivileged=*/true);
}

TEST_F(UnreadableInputTest, NewInAReadOnlyDirectoryIsInvalidInput) {
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                            fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  ProcessResult r = StrataUnprivileged({"new", "add_c"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << Describe(r);
  EXPECT_EQ(r.out, "") << Describe(r);
  EXPECT_EQ(r.err, "strata: error: cannot create '" + Path("v003_add_c.sql") + "': Permission denied\n") << Describe(r);
}

TEST_F(UnreadableInputTest, DirectoryWhoseEntriesCannotBeExaminedIsInvalidInput) {
  // Readable but not searchable: the names can be listed, the files cannot be looked at.
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  ExpectEveryCommandRefuses(Path("v001_a.sql") + ": cannot be examined: Permission denied\n" + Path("v002_b.sql") +
                                ": cannot be examined: Permission denied",
                            /*unprivileged=*/true);
}

}  // namespace
}  // namespace strata::testing
