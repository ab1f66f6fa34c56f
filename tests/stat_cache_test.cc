// Up's stat cache on real files, through the public API: an up-to-date run is served from the
// cache, and an edit that keeps the size and the mtime (set back with utimensat) is still found.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

struct ::stat StatOf(const std::string& path) {
  struct ::stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Rewrites `path` with contents of the same size and sets its mtime (and atime) back, so that only
// its ctime says that it changed.
void EditKeepingSizeAndMtime(const std::string& path) {
  struct ::stat before = StatOf(path);
  std::string text = Read(path);
  std::size_t x = text.find("(x");
  ASSERT_NE(x, std::string::npos);
  text[x + 1] = 'y';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  struct ::stat after = StatOf(path);
  ASSERT_EQ(after.st_size, before.st_size);
  ASSERT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  ASSERT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  ASSERT_EQ(after.st_ino, before.st_ino);
}

// Files written just now are racily clean for the cache's granularity (one second): wait it out,
// so that the cache is really used and these tests can see it hide nothing.
void LetTheFilesAge() { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); }

class StatCacheSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("m/v1_a.sql", "CREATE TABLE a (x INTEGER);\n");
    dir_.Write("m/v2_b.sql", "CREATE TABLE b (x INTEGER);\n");
  }
  std::string db() const { return dir_.Path("app.db"); }
  std::string cache() const { return db() + ".strata-stat"; }
  Result<RunReport> Up(Options options = {}) {
    auto m = Migrator::Open("sqlite:" + db(), Source::Directory(dir_.Path("m")), options);
    if (!m.ok()) return m.status();
    return (*m)->Up();
  }
  Result<VerifyReport> Verify() {
    auto m = Migrator::Open("sqlite:" + db(), Source::Directory(dir_.Path("m")), {});
    if (!m.ok()) return m.status();
    return (*m)->Verify();
  }

  TempDir dir_;
};

TEST_F(StatCacheSqliteTest, UpToDateRunIsServedFromTheCacheAndAnEditKeepingSizeAndMtimeIsFound) {
  LetTheFilesAge();
  ASSERT_TRUE(Up().ok());
  struct ::stat written = StatOf(cache());
  auto again = Up();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->migrations.empty());
  struct ::stat kept = StatOf(cache());
  EXPECT_EQ(kept.st_ino, written.st_ino) << "a run served from the cache does not rewrite it";
  EXPECT_EQ(kept.st_mtim.tv_nsec, written.st_mtim.tv_nsec);

  EditKeepingSizeAndMtime(dir_.Path("m/v1_a.sql"));
  auto edited = Up();
  ASSERT_FALSE(edited.ok()) << "the edit was hidden by the cache";
  EXPECT_EQ(edited.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(edited.status().message().find("edited after they ran"), std::string::npos)
      << edited.status().ToString();
  auto verify = Verify();
  ASSERT_TRUE(verify.ok());
  EXPECT_FALSE(verify->ok());
}

TEST_F(StatCacheSqliteTest, CorruptCacheIsIgnoredAndRewritten) {
  LetTheFilesAge();
  ASSERT_TRUE(Up().ok());
  const std::string good = Read(cache());
  ASSERT_EQ(good.rfind("strata stat cache 1\n", 0), 0u) << good;
  std::ofstream(cache(), std::ios::trunc) << "strata stat cache 1\nkey x\n1 2 3";
  auto r = Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->migrations.empty());
  EXPECT_EQ(Read(cache()), good);
  // A cache that cannot even be opened is no error either.
  std::filesystem::remove(cache());
  std::filesystem::create_directory(cache());
  r = Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

TEST_F(StatCacheSqliteTest, PendingMigrationIsReadAndRunDespiteAFreshCache) {
  LetTheFilesAge();
  ASSERT_TRUE(Up().ok());
  dir_.Write("m/v3_c.sql", "-- strata:no-transaction\nCREATE TABLE c (x INTEGER);\n");
  auto r = Up();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->migrations.size(), 1u);
  EXPECT_EQ(QueryOne(db(), "SELECT count(*) FROM c"), "0");
}

TEST_F(StatCacheSqliteTest, TurnedOffItWritesNoCache) {
  Options options;
  options.stat_cache = false;
  ASSERT_TRUE(Up(options).ok());
  EXPECT_FALSE(std::filesystem::exists(cache()));
}

}  // namespace
}  // namespace strata::testing
