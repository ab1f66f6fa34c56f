// The file-system seam: the real disk here; tests/mem_file_system.h has an in-memory fake that can
// fail on demand.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::base {

// What stat(2) says about a file (links followed), for telling whether it may have changed: any
// write changes mtime or ctime (ctime also moves when mtime is set back by hand), a replacement
// changes the inode. Times in nanoseconds since the epoch.
struct FileStat {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  friend bool operator==(const FileStat&, const FileStat&) = default;
};

// One entry of a directory, symbolic links followed.
struct DirEntry {
  enum class Type {
    kFile,       // a regular file (or a link to one)
    kDirectory,  // a directory (or a link to one)
    kOther,      // anything that cannot be read as a file: `problem` says what it is
  };
  std::string name;  // not a path
  Type type = Type::kFile;
  // kOther only, for messages: "a FIFO, not a regular file", "a broken symbolic link: its target
  // 'x' does not exist", "a symbolic link that cannot be followed (x): Too many levels of ...".
  std::string problem;
  // kFile only: the file's stat at listing time, before any read of it; unset where the file
  // system cannot say (a file whose stat is unknown is always read).
  std::optional<FileStat> stat;
};

// Errors use the codes of strata/status.h by what the caller does next: a missing path is
// kNotFound; a path that exists but cannot be listed, read or written (permissions, wrong type,
// an I/O error) is kInvalidArgument, the message naming the path and the operating system's
// reason. The real file system never answers kUnavailable, which is about the database.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Every entry directly inside `dir` except "." and "..", sorted by name. kNotFound when `dir`
  // does not exist; kInvalidArgument when it is not a directory or cannot be listed.
  virtual Result<std::vector<DirEntry>> ListDirectory(const std::string& dir) = 0;
  // The whole contents of the file at `path`.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Creates `path` with `contents`; fails with kFailedPrecondition if it already exists.
  virtual Status CreateFile(const std::string& path, std::string_view contents) = 0;
  // The stat of the file at `path` (kNotFound when missing). Default: kFailedPrecondition, for file
  // systems that cannot say.
  virtual Result<FileStat> Stat(const std::string& path);
  // Writes `path` with `contents` as one atomic replacement (a reader sees the old file or the new
  // one, never a part): a temporary file beside it, then rename. Default: kFailedPrecondition.
  virtual Status ReplaceFile(const std::string& path, std::string_view contents);
  // Creates `dir` and any missing directory above it (mode 0700: it may be a user's cache); an
  // existing directory is no error. Default: kFailedPrecondition.
  virtual Status CreateDirectories(const std::string& dir);
};

// The process-wide real file system. Thread-safe.
FileSystem& RealFileSystem();

// Joins a directory and a file name with exactly one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace strata::base
