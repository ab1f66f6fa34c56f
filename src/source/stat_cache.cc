#include "source/stat_cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "source/filename.h"
#include "source/loader.h"
#include "source/sum_file.h"

namespace strata::source {

namespace {

constexpr std::string_view kMagic = "strata stat cache 1";

bool IsChecksum(std::string_view s) {
  constexpr std::string_view kPrefix = "sha256:";
  if (s.size() != kPrefix.size() + 64 || s.substr(0, kPrefix.size()) != kPrefix) return false;
  return std::all_of(s.begin() + kPrefix.size(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The next space-separated field of `line` (which loses it and the space after it).
std::string_view Field(std::string_view& line) {
  std::size_t sp = line.find(' ');
  std::string_view f = line.substr(0, sp);
  line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  return f;
}

template <typename T>
bool Number(std::string_view s, T& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0') || s[0] == '-' || s[0] == '+') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

Status Malformed(std::size_t line, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("stat cache line {}: {}", line, why));
}

bool IsCandidate(const base::DirEntry& e) {
  if (e.type == base::DirEntry::Type::kDirectory) return false;
  if (e.name == kSumFileName) return true;
  auto parsed = ParseFileName(e.name);
  return !parsed.ok() || parsed->has_value();
}

// Every migration of the cache, or nullopt when one file may have changed since it was written.
// The checksums are moved out of `cache`.
std::optional<std::vector<Migration>> FromCache(const std::string& dir, const std::vector<base::DirEntry>& listed,
                                                StatCache& cache, std::int64_t cache_mtime_ns) {
  if (listed.size() != cache.entries.size()) return std::nullopt;
  const std::int64_t trusted_before = cache_mtime_ns - kStatCacheGranularityNs;
  std::vector<Migration> out;
  out.reserve(listed.size());
  // No text was read: every migration shares one empty text.
  const auto no_text = std::make_shared<const std::string>();
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const base::DirEntry& e = listed[i];
    StatCacheEntry& c = cache.entries[i];
    if (e.name != c.name || e.type != base::DirEntry::Type::kFile || !e.stat || *e.stat != c.stat) return std::nullopt;
    if (c.stat.mtime_ns >= trusted_before || c.stat.ctime_ns >= trusted_before) return std::nullopt;
    if (c.checksum.empty()) continue;
    auto parsed = ParseFileName(c.name);
    if (!parsed.ok() || !parsed->has_value() || (*parsed)->role == FileRole::kDown) return std::nullopt;
    Migration m;
    m.version = (*parsed)->version;
    m.version_text = (*parsed)->version_text;
    m.name = (*parsed)->name;
    m.convention = (*parsed)->convention;
    m.checksum = std::move(c.checksum);
    m.up.path = base::JoinPath(dir, c.name);
    m.up.text = no_text;
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version) return std::nullopt;  // never written so; trust nothing
  }
  return out;
}

// The cache describing `listed` after `loaded` was built from it; nullopt when a file has no stat.
std::optional<StatCache> Describe(const std::string& dir, const std::string& key,
                                  const std::vector<base::DirEntry>& listed, const std::vector<Migration>& loaded) {
  std::map<std::string, const std::string*> checksums;
  for (const Migration& m : loaded) checksums[m.up.path] = &m.checksum;
  StatCache cache;
  cache.key = key;
  for (const base::DirEntry& e : listed) {
    if (!e.stat) return std::nullopt;
    auto it = checksums.find(base::JoinPath(dir, e.name));
    // An up file that is no migration is a checkpoint: the cache, which knows only migrations,
    // could not say when one applies (a fresh database), so a directory with one is not cached.
    auto parsed = ParseFileName(e.name);
    if (it == checksums.end() && parsed.ok() && parsed->has_value() && (*parsed)->role != FileRole::kDown) {
      return std::nullopt;
    }
    cache.entries.push_back({e.name, *e.stat, it == checksums.end() ? std::string() : *it->second});
  }
  return cache;
}

}  // namespace

Result<std::string> SerializeStatCache(const StatCache& cache) {
  if (cache.key.empty() || cache.key.find_first_of(" \n\r") != std::string::npos) {
    return Status(ErrorCode::kInvalidArgument, "a stat cache key must be one word");
  }
  std::string out = fmt::format("{}\nkey {}\n", kMagic, cache.key);
  for (const StatCacheEntry& e : cache.entries) {
    if (e.name.empty() || e.name.find_first_of("\n\r") != std::string::npos) {
      return Status(ErrorCode::kInvalidArgument, "a file name with a line break cannot be cached");
    }
    if (!e.checksum.empty() && !IsChecksum(e.checksum)) {
      return Status(ErrorCode::kInvalidArgument, fmt::format("not a checksum: {}", e.checksum));
    }
    if (e.stat.mtime_ns < 0 || e.stat.ctime_ns < 0) {
      return Status(ErrorCode::kInvalidArgument, "a file time before 1970 cannot be cached");
    }
    out += fmt::format("{} {} {} {} {} {}\n", e.stat.size, e.stat.mtime_ns, e.stat.ctime_ns, e.stat.inode,
                       e.checksum.empty() ? "-" : e.checksum, e.name);
  }
  out += fmt::format("end {}\n", cache.entries.size());
  return out;
}

Result<StatCache> ParseStatCache(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return Malformed(lines.size() + 1, "no line break at the end");
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() < 3 || lines[0] != kMagic) return Malformed(1, "not a strata stat cache (version 1)");
  StatCache cache;
  std::string_view key_line = lines[1];
  if (Field(key_line) != "key" || key_line.empty() || key_line.find_first_of(" \r") != std::string_view::npos) {
    return Malformed(2, "expected `key WORD`");
  }
  cache.key = std::string(key_line);
  cache.entries.reserve(lines.size() - 3);
  for (std::size_t i = 2; i + 1 < lines.size(); ++i) {
    std::string_view line = lines[i];
    StatCacheEntry e;
    std::uint64_t mtime = 0, ctime = 0;
    if (!Number(Field(line), e.stat.size) || !Number(Field(line), mtime) || !Number(Field(line), ctime) ||
        !Number(Field(line), e.stat.inode)) {
      return Malformed(i + 1, "expected size, mtime, ctime and inode");
    }
    constexpr std::uint64_t kMaxTime = static_cast<std::uint64_t>(INT64_MAX);
    if (mtime > kMaxTime || ctime > kMaxTime) return Malformed(i + 1, "time out of range");
    e.stat.mtime_ns = static_cast<std::int64_t>(mtime);
    e.stat.ctime_ns = static_cast<std::int64_t>(ctime);
    std::string_view checksum = Field(line);
    if (checksum != "-" && !IsChecksum(checksum)) return Malformed(i + 1, "expected a checksum or -");
    if (checksum != "-") e.checksum = std::string(checksum);
    if (line.empty() || line.find('\r') != std::string_view::npos) return Malformed(i + 1, "expected a file name");
    e.name = std::string(line);
    if (!cache.entries.empty() && cache.entries.back().name >= e.name) {
      return Malformed(i + 1, "file names out of order or repeated");
    }
    cache.entries.push_back(std::move(e));
  }
  std::string_view end = lines.back();
  std::size_t count = 0;
  if (Field(end) != "end" || !(end == "0" || Number(end, count)) || count != cache.entries.size()) {
    return Malformed(lines.size(), "expected `end COUNT` with the number of entries");
  }
  return cache;
}

Result<CachedLoad> LoadDirectoryCached(base::FileSystem& fs, const std::string& dir, const std::string& cache_path,
                                       const std::string& key, bool make_cache_dir,
                                       std::vector<Checkpoint>* checkpoints) {
  STRATA_ASSIGN_OR_RETURN(std::vector<base::DirEntry> listed, fs.ListDirectory(dir));
  std::erase_if(listed, [](const base::DirEntry& e) { return !IsCandidate(e); });
  // Stat the cache before reading it: a cache replaced in between looks older than it is, which
  // only makes more entries look racy.
  auto cache_stat = fs.Stat(cache_path);
  if (cache_stat.ok()) {
    auto text = fs.ReadFile(cache_path);
    auto cache = text.ok() ? ParseStatCache(*text) : Result<StatCache>(text.status());
    if (cache.ok() && cache->key == key) {
      if (auto migrations = FromCache(dir, listed, *cache, cache_stat->mtime_ns)) {
        return CachedLoad{std::move(*migrations), true};
      }
    }
  }
  // `listed` was stat'ed before any file is read below: a file that changes after its stat was
  // taken has another stat next time (or, in the same tick, is racily clean), so the checksum
  // recorded for that stat can never be of older contents than the stat describes.
  STRATA_ASSIGN_OR_RETURN(std::vector<Migration> loaded, LoadDirectory(fs, dir, checkpoints));
  if (auto cache = Describe(dir, key, listed, loaded)) {
    auto text = SerializeStatCache(*cache);
    std::size_t slash = cache_path.rfind('/');
    if (text.ok() && make_cache_dir && slash != std::string::npos && slash > 0) {
      (void)fs.CreateDirectories(cache_path.substr(0, slash));
    }
    if (text.ok()) (void)fs.ReplaceFile(cache_path, *text);
  }
  return CachedLoad{std::move(loaded), false};
}

}  // namespace strata::source
