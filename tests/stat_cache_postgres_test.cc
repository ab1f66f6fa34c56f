// Up's stat cache for a PostgreSQL database: kept in Options::stat_cache_dir, and an edit that keeps
// the size and the mtime is still found.
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "pg_test_util.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

TEST(StatCachePostgres, CacheLivesInTheCacheDirectoryAndHidesNoEdit) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/v1_a.sql", "CREATE TABLE a (x int);\n");
  const std::string file = dir.Path("m/v1_a.sql");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past the racily clean window
  Options options;
  options.stat_cache_dir = dir.Path("cache/strata");
  auto up = [&] {
    auto m = Migrator::Open(db.url(), Source::Directory(dir.Path("m")), options);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? (*m)->Up() : Result<RunReport>(m.status());
  };
  ASSERT_TRUE(up().ok());
  std::vector<std::filesystem::path> caches;
  for (const auto& e : std::filesystem::directory_iterator(options.stat_cache_dir)) caches.push_back(e.path());
  ASSERT_EQ(caches.size(), 1u);
  EXPECT_EQ(caches[0].extension(), ".stat");
  std::ifstream in(caches[0]);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(" v1_a.sql\n"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("postgres"), std::string::npos) << "the URL is only in the key's hash";
  auto again = up();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->migrations.empty());

  struct ::stat before {};
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  std::ofstream(file, std::ios::trunc) << "CREATE TABLE a (y int);\n";
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
  auto edited = up();
  ASSERT_FALSE(edited.ok()) << "the edit was hidden by the cache";
  EXPECT_EQ(edited.status().code(), ErrorCode::kFailedPrecondition) << edited.status().ToString();
}

}  // namespace
}  // namespace strata::testing
