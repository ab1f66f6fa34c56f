// The file-system seam: the real disk, and an in-memory fake that can fail on demand for tests.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::base {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Names (not paths) of the regular files directly inside `dir`, sorted. kNotFound when `dir`
  // does not exist, kInvalidArgument when it is not a directory.
  virtual Result<std::vector<std::string>> ListFiles(const std::string& dir) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Creates `path` with `contents`; fails with kFailedPrecondition if it already exists.
  virtual Status CreateFile(const std::string& path, std::string_view contents) = 0;
};

// The process-wide real file system. Thread-safe.
FileSystem& RealFileSystem();

// Joins a directory and a file name with exactly one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

// In-memory file system for tests: paths are plain strings, directories are implied by prefixes.
// `FailReadsAfter(n)` makes every ReadFile after the n-th fail with kUnavailable.
class MemFileSystem : public FileSystem {
 public:
  void Add(const std::string& path, std::string contents) { files_[path] = std::move(contents); }
  void FailReadsAfter(int n) { fail_after_ = n; }
  const std::map<std::string, std::string>& files() const { return files_; }

  Result<std::vector<std::string>> ListFiles(const std::string& dir) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Status CreateFile(const std::string& path, std::string_view contents) override;

 private:
  std::map<std::string, std::string> files_;
  int fail_after_ = -1;
  int reads_ = 0;
};

}  // namespace strata::base
