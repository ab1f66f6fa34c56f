#include "base/fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace strata::base {
namespace {

namespace stdfs = std::filesystem;

// A fresh directory, removed with its contents afterwards.
class RealFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/strata-fs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    stdfs::remove_all(dir_, ec);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  void Write(const std::string& name, const std::string& contents) const {
    std::ofstream(Path(name), std::ios::binary) << contents;
  }

  std::string dir_;
  FileSystem& fs_ = RealFileSystem();
};

// Dangling and looping links named like migrations were left out of the listing, so the loader
// skipped them without a word. Every entry is listed now, with what it is.
TEST_F(RealFsTest, ListDirectorySaysWhatEachEntryIs) {
  Write("a_file.sql", "x");
  stdfs::create_directory(Path("b_dir.sql"));
  stdfs::create_symlink("a_file.sql", Path("c_link_to_file.sql"));
  stdfs::create_symlink("b_dir.sql", Path("d_link_to_dir.sql"));
  stdfs::create_symlink("missing", Path("e_dangling.sql"));
  stdfs::create_symlink("f_loop.sql", Path("f_loop.sql"));
  ASSERT_EQ(mkfifo(Path("g_fifo.sql").c_str(), 0644), 0);
  auto r = fs_.ListDirectory(dir_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  using T = DirEntry::Type;
  std::vector<std::tuple<std::string, T, std::string>> got;
  for (const DirEntry& e : *r) got.emplace_back(e.name, e.type, e.problem);
  EXPECT_EQ(got, (std::vector<std::tuple<std::string, T, std::string>>{
                     {"a_file.sql", T::kFile, ""},
                     {"b_dir.sql", T::kDirectory, ""},
                     {"c_link_to_file.sql", T::kFile, ""},
                     {"d_link_to_dir.sql", T::kDirectory, ""},
                     {"e_dangling.sql", T::kOther, "broken symbolic link to 'missing' (the target does not exist)"},
                     {"f_loop.sql", T::kOther,
                      "symbolic link to 'f_loop.sql' that cannot be followed: Too many levels of symbolic links"},
                     {"g_fifo.sql", T::kOther, "not a regular file but a FIFO (named pipe)"},
                 }));
}

TEST_F(RealFsTest, ListDirectoryErrors) {
  auto missing = fs_.ListDirectory(Path("nope"));
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "migrations directory '" + Path("nope") + "' does not exist");
  Write("file", "");
  auto file = fs_.ListDirectory(Path("file"));
  EXPECT_EQ(file.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(file.status().message(), "'" + Path("file") + "' is not a directory");
}

// A migration that cannot be read is the user's input to fix (exit 3), not an unreachable
// database (kUnavailable, exit 7). Reading a directory fails in read() even for root.
TEST_F(RealFsTest, ReadFailuresAreInvalidInputNamingThePathAndTheReason) {
  stdfs::create_directory(Path("dir.sql"));
  auto dir = fs_.ReadFile(Path("dir.sql"));
  EXPECT_EQ(dir.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(dir.status().message(), "cannot read '" + Path("dir.sql") + "': Is a directory");

  // A FIFO is refused at once instead of waiting for a writer.
  ASSERT_EQ(mkfifo(Path("fifo.sql").c_str(), 0644), 0);
  auto fifo = fs_.ReadFile(Path("fifo.sql"));
  EXPECT_EQ(fifo.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fifo.status().message(), "cannot read '" + Path("fifo.sql") + "': not a regular file but a FIFO (named pipe)");

  stdfs::create_symlink("loop.sql", Path("loop.sql"));
  auto loop = fs_.ReadFile(Path("loop.sql"));
  EXPECT_EQ(loop.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(loop.status().message(), "cannot read '" + Path("loop.sql") + "': Too many levels of symbolic links");

  auto missing = fs_.ReadFile(Path("missing.sql"));
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "cannot read '" + Path("missing.sql") + "': No such file or directory");

  Write("ok.sql", std::string("a\0b", 3));
  auto ok = fs_.ReadFile(Path("ok.sql"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, std::string("a\0b", 3));
}

TEST_F(RealFsTest, CreateFileErrors) {
  Write("exists.sql", "");
  EXPECT_EQ(fs_.CreateFile(Path("exists.sql"), "x").code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(fs_.CreateFile(Path("no/such/dir.sql"), "x").code(), ErrorCode::kNotFound);
  Status in_file = fs_.CreateFile(Path("exists.sql/x.sql"), "x");
  EXPECT_EQ(in_file.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(in_file.message(), "cannot create '" + Path("exists.sql/x.sql") + "': Not a directory");
}

}  // namespace
}  // namespace strata::base
