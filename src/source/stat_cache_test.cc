#include "source/stat_cache.h"

#include <gtest/gtest.h>

#include "mem_file_system.h"
#include "source/loader.h"

namespace strata::source {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
const std::string kCache = "cache/m.stat";
const std::string kKey = "k1";

// A directory whose files were written an hour before the cache, each with its own inode.
class StatCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Put("m/v1_a.sql", "CREATE TABLE a (x);\n", 1);
    Put("m/v2_b.sql", "CREATE TABLE b (x);\n", 2);
    Put("m/0003_c.up.sql", "CREATE TABLE c (x);\n", 3);
    Put("m/0003_c.down.sql", "DROP TABLE c;\n", 4);
    fs_.Add("m/README.md", "not a migration");
  }
  // A new file system with the files of SetUp and no cache.
  void Reset() {
    fs_ = base::MemFileSystem();
    SetUp();
  }
  void Put(const std::string& path, const std::string& text, std::uint64_t inode) {
    fs_.Add(path, text);
    stats_[path] = {text.size(), kOld, kOld, inode};
    fs_.SetStat(path, stats_[path]);
  }
  // Loads, then gives the cache file (if written) the write time `cache_time`.
  CachedLoad Load(std::int64_t cache_time = kOld + 3600 * kSecond) {
    auto r = LoadDirectoryCached(fs_, "m", kCache, kKey);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (fs_.files().count(kCache)) fs_.SetStat(kCache, {0, cache_time, cache_time, 99});
    return r.ok() ? std::move(*r) : CachedLoad{};
  }
  std::string ChecksumOf(const CachedLoad& l, std::uint64_t version) {
    for (const Migration& m : l.migrations) {
      if (m.version == version) return m.checksum;
    }
    return "missing";
  }
  // Rewrites the file with other contents of the same size; its stat stays as it was unless the
  // test changes it.
  void EditKeepingSize(const std::string& path) {
    std::string text = fs_.files().at(path);
    text[text.size() - 4] = 'y';  // "(x);" -> "(y);"
    fs_.Add(path, text);
  }

  static constexpr std::int64_t kOld = 1'700'000'000 * kSecond;
  base::MemFileSystem fs_;
  std::map<std::string, base::FileStat> stats_;
};

TEST_F(StatCacheTest, SecondLoadReadsNoMigrationFile) {
  CachedLoad first = Load();
  EXPECT_FALSE(first.from_cache);
  ASSERT_EQ(first.migrations.size(), 3u);
  int reads = fs_.reads();
  CachedLoad second = Load();
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(fs_.reads() - reads, 1) << "only the cache itself is read";
  ASSERT_EQ(second.migrations.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(second.migrations[i].version, first.migrations[i].version);
    EXPECT_EQ(second.migrations[i].name, first.migrations[i].name);
    EXPECT_EQ(second.migrations[i].checksum, first.migrations[i].checksum);
    EXPECT_EQ(second.migrations[i].up.path, first.migrations[i].up.path);
  }
}

// What the cache trusts is the stat: an edit that changes no field of it is not seen. This is
// the control for the tests below, which change one field each.
TEST_F(StatCacheTest, AnEditThatChangesNoStatFieldIsTrustedToTheCache) {
  std::string before = ChecksumOf(Load(), 1);
  EditKeepingSize("m/v1_a.sql");
  CachedLoad l = Load();
  EXPECT_TRUE(l.from_cache);
  EXPECT_EQ(ChecksumOf(l, 1), before);
}

TEST_F(StatCacheTest, EachStatFieldInvalidatesTheEntry) {
  struct Case {
    const char* field;
    void (*change)(base::FileStat&);
  };
  const Case cases[] = {
      {"size", [](base::FileStat& s) { s.size += 1; }},
      {"mtime", [](base::FileStat& s) { s.mtime_ns += 1; }},
      {"ctime", [](base::FileStat& s) { s.ctime_ns += 1; }},
      {"inode", [](base::FileStat& s) { s.inode += 100; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    Reset();
    std::string before = ChecksumOf(Load(), 2);
    EditKeepingSize("m/v2_b.sql");
    base::FileStat st = stats_["m/v2_b.sql"];
    c.change(st);
    fs_.SetStat("m/v2_b.sql", st);
    CachedLoad l = Load();
    EXPECT_FALSE(l.from_cache);
    EXPECT_EQ(ChecksumOf(l, 2), Checksum("CREATE TABLE b (y);\n"));
    EXPECT_NE(ChecksumOf(l, 2), before);
    // The rewritten cache now holds the new stat: the next load is served from it again.
    EXPECT_TRUE(Load().from_cache);
  }
}

// git's racily clean rule: a file whose mtime or ctime is not older than the cache's own write time
// minus the granularity could have changed in the same tick without changing its stat.
TEST_F(StatCacheTest, RacilyCleanEntriesAreReadAgain) {
  for (bool ctime : {false, true}) {
    SCOPED_TRACE(ctime ? "ctime" : "mtime");
    Reset();
    base::FileStat st = stats_["m/v1_a.sql"];
    std::int64_t cache_time = kOld + 3600 * kSecond;
    (ctime ? st.ctime_ns : st.mtime_ns) = cache_time - kStatCacheGranularityNs;
    fs_.SetStat("m/v1_a.sql", st);
    Load(cache_time);
    EditKeepingSize("m/v1_a.sql");
    CachedLoad l = Load(cache_time);
    EXPECT_FALSE(l.from_cache);
    EXPECT_EQ(ChecksumOf(l, 1), Checksum("CREATE TABLE a (y);\n"));
    // One nanosecond older than the limit is trusted.
    (ctime ? st.ctime_ns : st.mtime_ns) = cache_time - kStatCacheGranularityNs - 1;
    fs_.SetStat("m/v1_a.sql", st);
    Load(cache_time);
    EXPECT_TRUE(Load(cache_time).from_cache);
  }
}

TEST_F(StatCacheTest, AddedRemovedOrRenamedFilesAreNoticed) {
  Load();
  Put("m/v4_d.sql", "CREATE TABLE d (x);\n", 5);
  CachedLoad added = Load();
  EXPECT_FALSE(added.from_cache);
  EXPECT_EQ(added.migrations.size(), 4u);
  EXPECT_TRUE(Load().from_cache);

  Reset();
  Load();
  const std::string cache = fs_.files().at(kCache);
  fs_ = base::MemFileSystem();
  fs_.Add(kCache, cache);
  fs_.SetStat(kCache, {0, kOld + 3600 * kSecond, kOld + 3600 * kSecond, 99});
  Put("m/v1_a.sql", "CREATE TABLE a (x);\n", 1);
  Put("m/v2_b.sql", "CREATE TABLE b (x);\n", 2);
  // The cache (kept) still lists 0003_c: a load without it must not invent it.
  auto r = LoadDirectoryCached(fs_, "m", kCache, kKey);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->from_cache);
  EXPECT_EQ(r->migrations.size(), 2u);
}

TEST_F(StatCacheTest, CorruptUnreadableOrForeignCacheIsIgnoredAndRewritten) {
  Load();
  const std::string good = fs_.files().at(kCache);
  for (std::string bad : {std::string(), std::string("garbage\n"), good.substr(0, good.size() / 2),
                          good.substr(0, good.size() - 1)}) {
    ASSERT_TRUE(fs_.ReplaceFile(kCache, bad).ok());
    CachedLoad l = Load();
    EXPECT_FALSE(l.from_cache);
    EXPECT_EQ(l.migrations.size(), 3u);
    EXPECT_EQ(fs_.files().at(kCache), good) << "rewritten";
  }
  fs_.FailRead(kCache, Status(ErrorCode::kInvalidArgument, "cannot read"));
  EXPECT_FALSE(Load().from_cache);
  EXPECT_EQ(Load().migrations.size(), 3u);

  Reset();
  Load();
  auto foreign = LoadDirectoryCached(fs_, "m", kCache, "another-key");
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(foreign->from_cache);
}

TEST_F(StatCacheTest, FilesWithoutAStatAreAlwaysRead) {
  fs_ = base::MemFileSystem();
  fs_.Add("m/v1_a.sql", "CREATE TABLE a (x);\n");
  Load();
  EXPECT_FALSE(Load().from_cache);
  EXPECT_EQ(fs_.files().count(kCache), 0u) << "nothing to cache without a stat";
}

TEST_F(StatCacheTest, ProblemsAreReportedAsByLoadDirectory) {
  Load();
  Put("m/oops.sql", "", 6);
  auto r = LoadDirectoryCached(fs_, "m", kCache, kKey);
  ASSERT_FALSE(r.ok());
  auto plain = LoadDirectory(fs_, "m");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(r.status().ToString(), plain.status().ToString());
}

TEST(StatCacheFormat, RoundTrips) {
  StatCache c;
  c.key = "abc";
  c.entries.push_back({"v1_a b.sql", {12, 3, 4, 5}, "sha256:" + std::string(64, 'a')});
  c.entries.push_back({"v1_a.down.sql", {0, 0, 0, 0}, ""});
  auto text = SerializeStatCache(c);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "strata stat cache 1\nkey abc\n12 3 4 5 sha256:" + std::string(64, 'a') +
                       " v1_a b.sql\n0 0 0 0 - v1_a.down.sql\nend 2\n");
  auto back = ParseStatCache(*text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->key, "abc");
  ASSERT_EQ(back->entries.size(), 2u);
  EXPECT_EQ(back->entries[0].name, "v1_a b.sql");
  EXPECT_EQ(back->entries[0].stat, (base::FileStat{12, 3, 4, 5}));
  EXPECT_EQ(back->entries[1].checksum, "");
}

TEST(StatCacheFormat, RejectsAnythingElse) {
  const std::string sum = "sha256:" + std::string(64, 'a');
  const std::pair<std::string, std::string> cases[] = {
      {"", "stat cache line 1: not a strata stat cache (version 1)"},
      {"strata stat cache 2\nkey k\nend 0\n", "stat cache line 1: not a strata stat cache (version 1)"},
      {"strata stat cache 1\nkey k\nend 0", "stat cache line 3: no line break at the end"},
      {"strata stat cache 1\nkey \nend 0\n", "stat cache line 2: expected `key WORD`"},
      {"strata stat cache 1\nkey a b\nend 0\n", "stat cache line 2: expected `key WORD`"},
      {"strata stat cache 1\nkey k\nend 1\n", "stat cache line 3: expected `end COUNT` with the number of entries"},
      {"strata stat cache 1\nkey k\n1 2 3 4 - a.sql\n", "stat cache line 3: expected `end COUNT` with the number of entries"},
      {"strata stat cache 1\nkey k\n1 2 3 - a.sql\nend 1\n", "stat cache line 3: expected size, mtime, ctime and inode"},
      {"strata stat cache 1\nkey k\n01 2 3 4 - a.sql\nend 1\n", "stat cache line 3: expected size, mtime, ctime and inode"},
      {"strata stat cache 1\nkey k\n-1 2 3 4 - a.sql\nend 1\n", "stat cache line 3: expected size, mtime, ctime and inode"},
      {"strata stat cache 1\nkey k\n1 9223372036854775808 3 4 - a.sql\nend 1\n", "stat cache line 3: time out of range"},
      {"strata stat cache 1\nkey k\n1 2 3 4 sha256:ab a.sql\nend 1\n", "stat cache line 3: expected a checksum or -"},
      {"strata stat cache 1\nkey k\n1 2 3 4 -\nend 1\n", "stat cache line 3: expected a file name"},
      {"strata stat cache 1\nkey k\n1 2 3 4 - b.sql\n1 2 3 4 - a.sql\nend 2\n",
       "stat cache line 4: file names out of order or repeated"},
      {"strata stat cache 1\nkey k\n1 2 3 4 - a.sql\n1 2 3 4 " + sum + " a.sql\nend 2\n",
       "stat cache line 4: file names out of order or repeated"},
  };
  for (const auto& [text, error] : cases) {
    auto r = ParseStatCache(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), error) << text;
  }
}

TEST(StatCacheFormat, RefusesToWriteWhatItCouldNotReadBack) {
  StatCache c;
  c.key = "k";
  c.entries.push_back({"a\nb.sql", {}, ""});
  EXPECT_FALSE(SerializeStatCache(c).ok());
  c.entries = {{"a.sql", {}, "md5:1"}};
  EXPECT_FALSE(SerializeStatCache(c).ok());
  c.entries.clear();
  c.key = "two words";
  EXPECT_FALSE(SerializeStatCache(c).ok());
}

}  // namespace
}  // namespace strata::source
