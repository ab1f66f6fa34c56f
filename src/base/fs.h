// The file-system seam: the real disk here; tests/mem_file_system.h has an in-memory fake that can
// fail on demand.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::base {

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
};

// The process-wide real file system. Thread-safe.
FileSystem& RealFileSystem();

// Writes `contents` to `path` through a temporary file beside it and one rename, so that a reader
// never sees half a file (the real file system; kInvalidArgument naming the path on failure).
Status ReplaceFile(const std::string& path, const std::string& contents);

// Joins a directory and a file name with exactly one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace strata::base
