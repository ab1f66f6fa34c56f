// A test-only FileSystem: files in memory, failures on demand (see base/fs.h for the contract).
#pragma once

#include <map>
#include <string>

#include "base/fs.h"

namespace strata::base {

// In-memory file system for tests: paths are plain strings, directories are implied by prefixes.
// `FailReadsAfter(n)` makes every ReadFile after the n-th fail with kUnavailable (a code the real
// one never returns, so a test sees whether a failure is passed on unchanged).
class MemFileSystem : public FileSystem {
 public:
  void Add(const std::string& path, std::string contents) { files_[path] = std::move(contents); }
  // An entry that is not a file (a broken link, a FIFO...), listed as DirEntry::Type::kOther.
  void AddOther(const std::string& path, std::string problem) { others_[path] = std::move(problem); }
  // ReadFile(path) fails with `error` (the file is still listed).
  void FailRead(const std::string& path, Status error) { read_errors_[path] = std::move(error); }
  void FailReadsAfter(int n) { fail_after_ = n; }
  const std::map<std::string, std::string>& files() const { return files_; }
  // Gives `path` a stat (listed in DirEntry::stat, returned by Stat); files without one have none.
  void SetStat(const std::string& path, FileStat stat) { stats_[path] = stat; }
  // Every ReadFile so far, failed ones included.
  int reads() const { return all_reads_; }

  Result<std::vector<DirEntry>> ListDirectory(const std::string& dir) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Status CreateFile(const std::string& path, std::string_view contents) override;
  Result<FileStat> Stat(const std::string& path) override;
  // Replaces (or adds) the file; its stat is left as set by SetStat.
  Status ReplaceFile(const std::string& path, std::string_view contents) override;

 private:
  std::map<std::string, std::string> files_;
  std::map<std::string, std::string> others_;
  std::map<std::string, Status> read_errors_;
  std::map<std::string, FileStat> stats_;
  int fail_after_ = -1;
  int reads_ = 0;
  int all_reads_ = 0;
};

}  // namespace strata::base
