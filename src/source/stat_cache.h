// The stat cache of a migrations directory: each file's stat when it was last read and hashed, so
// that an up-to-date `up` need not read files that cannot have changed (git's index, in small).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "source/checkpoint.h"
#include "source/migration.h"

namespace strata::source {

struct StatCacheEntry {
  std::string name;  // the file name inside the directory (strata.sum included)
  base::FileStat stat;
  std::string checksum;  // Migration::checksum of the up part it holds; empty when it holds none
};

struct StatCache {
  std::string key;                      // what the cache describes (one line, no spaces)
  std::vector<StatCacheEntry> entries;  // sorted by name, names unique
};

// An entry is trusted only when both its mtime and ctime are older than the cache file's own mtime
// minus this much: a file written in the same tick as the cache could have changed again without
// changing its stat (git's "racily clean" rule), so it is read and hashed again.
inline constexpr std::int64_t kStatCacheGranularityNs = 1'000'000'000;

// The cache file's text; kInvalidArgument when an entry cannot be written (a name with a line
// break, a key with a space or line break).
Result<std::string> SerializeStatCache(const StatCache& cache);
// The cache back from its text; kInvalidArgument for anything that is not exactly what
// SerializeStatCache writes (the caller then ignores the file).
Result<StatCache> ParseStatCache(std::string_view text);

struct CachedLoad {
  std::vector<Migration> migrations;  // ascending versions
  // True when every migration came from the cache without reading its file: each carries
  // version, version_text, name, convention, checksum and up.path, an empty text and no down part.
  // That is enough to plan and to compare checksums with the history, not to run or lint.
  bool from_cache = false;
};

// LoadDirectory (same results and errors) with the stat cache at `cache_path` for `key`. When
// the directory lists exactly the files of the cache, each with the recorded stat and none
// racily clean, nothing is read (from_cache). Otherwise every file is read and hashed, and after a
// successful load the cache is rewritten (atomically; a failure to write it is ignored), creating
// its directory first when `make_cache_dir` (never for a cache beside a database, whose missing
// directory is the database's error to report). A cache that is missing, unreadable, corrupt or
// for another key is ignored, never an error. A directory with a checkpoint is never cached (the
// cache knows only migrations); its checkpoints go to `*checkpoints` as LoadDirectory's do.
Result<CachedLoad> LoadDirectoryCached(base::FileSystem& fs, const std::string& dir, const std::string& cache_path,
                                       const std::string& key, bool make_cache_dir = false,
                                       std::vector<Checkpoint>* checkpoints = nullptr);

}  // namespace strata::source
