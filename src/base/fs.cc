#include "base/fs.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace strata::base {

namespace {

// kNotFound for a missing path, kInvalidArgument for anything else (see FileSystem).
Status PathError(int err, std::string message) {
  return Status(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument, std::move(message));
}

const char* NonFileKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "an unknown kind of entry";
}

// The target of the symbolic link at `path`; nullopt when it is not one.
std::optional<std::string> LinkTarget(const std::string& path) {
  std::vector<char> buf(4096);
  ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) return std::nullopt;
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

FileStat ToFileStat(const struct stat& st) {
  return {static_cast<std::uint64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec,
          static_cast<std::uint64_t>(st.st_ino)};
}

// Writes all of `contents` to `fd`; errno is set on failure.
bool WriteAll(int fd, std::string_view contents) {
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// What the entry `name` of `dir` (open as `dir_fd`) is, links followed. nullopt when it vanished
// meanwhile. Relative to the open directory, the kernel resolves one name, not the whole path.
std::optional<DirEntry> Examine(int dir_fd, const std::string& dir, std::string name) {
  DirEntry e;
  e.name = std::move(name);
  struct stat st;
  if (::fstatat(dir_fd, e.name.c_str(), &st, 0) == 0) {
    if (S_ISREG(st.st_mode)) {
      e.type = DirEntry::Type::kFile;
      e.stat = ToFileStat(st);
    } else if (S_ISDIR(st.st_mode)) {
      e.type = DirEntry::Type::kDirectory;
    } else {
      e.type = DirEntry::Type::kOther;
      e.problem = fmt::format("not a regular file but {}", NonFileKind(st.st_mode));
    }
    return e;
  }
  int err = errno;
  e.type = DirEntry::Type::kOther;
  if (std::optional<std::string> target = LinkTarget(JoinPath(dir, e.name))) {
    e.problem = err == ENOENT
                    ? fmt::format("broken symbolic link to '{}' (the target does not exist)", *target)
                    : fmt::format("symbolic link to '{}' that cannot be followed: {}", *target, std::strerror(err));
  } else if (err == ENOENT) {
    return std::nullopt;  // removed since it was listed
  } else {
    e.problem = fmt::format("cannot be examined: {}", std::strerror(err));
  }
  return e;
}

class RealFs : public FileSystem {
 public:
  Result<std::vector<DirEntry>> ListDirectory(const std::string& dir) override {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
    if (!d) {
      int err = errno;
      if (err == ENOENT) {
        return Status(ErrorCode::kNotFound, fmt::format("migrations directory '{}' does not exist", dir));
      }
      if (err == ENOTDIR) return Status(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a directory", dir));
      return PathError(err, fmt::format("cannot list '{}': {}", dir, std::strerror(err)));
    }
    std::vector<DirEntry> entries;
    for (;;) {
      errno = 0;
      const dirent* ent = ::readdir(d.get());
      if (ent == nullptr) {
        if (errno != 0) return PathError(errno, fmt::format("cannot list '{}': {}", dir, std::strerror(errno)));
        break;
      }
      std::string_view name = ent->d_name;
      if (name == "." || name == "..") continue;
      if (auto e = Examine(::dirfd(d.get()), dir, std::string(name))) entries.push_back(std::move(*e));
    }
    std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return entries;
  }

  Result<std::string> ReadFile(const std::string& path) override {
    // O_NONBLOCK: a FIFO put in place of the file since it was listed must not hang the run.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      int err = errno;
      return PathError(err, fmt::format("cannot read '{}': {}", path, std::strerror(err)));
    }
    struct stat st;
    int stat_rc = ::fstat(fd, &st);
    if (stat_rc != 0 || !S_ISREG(st.st_mode)) {
      int err = stat_rc != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
      ::close(fd);
      std::string why = err != 0 ? std::strerror(err) : fmt::format("not a regular file but {}", NonFileKind(st.st_mode));
      return Status(ErrorCode::kInvalidArgument, fmt::format("cannot read '{}': {}", path, why));
    }
    // Straight into the string, sized by the stat (one more byte to see the end in one read); a
    // file that grew meanwhile is read to its end all the same.
    std::string out(static_cast<std::size_t>(st.st_size) + 1, '\0');
    std::size_t size = 0;
    for (;;) {
      if (size == out.size()) out.resize(out.size() * 2);
      ssize_t n = ::read(fd, out.data() + size, out.size() - size);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return PathError(err, fmt::format("cannot read '{}': {}", path, std::strerror(err)));
      }
      size += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(size);
    return out;
  }

  Status CreateFile(const std::string& path, std::string_view contents) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      int err = errno;
      if (err == EEXIST) {
        return Status(ErrorCode::kFailedPrecondition, fmt::format("cannot create '{}': {}", path, std::strerror(err)));
      }
      return PathError(err, fmt::format("cannot create '{}': {}", path, std::strerror(err)));
    }
    std::size_t done = 0;
    while (done < contents.size()) {
      ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return PathError(err, fmt::format("cannot write '{}': {}", path, std::strerror(err)));
      }
      done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
      return PathError(errno, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    }
    return Status::Ok();
  }

  Result<FileStat> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      int err = errno;
      return PathError(err, fmt::format("cannot examine '{}': {}", path, std::strerror(err)));
    }
    return ToFileStat(st);
  }

  Status ReplaceFile(const std::string& path, std::string_view contents) override {
    // Unique per process and call, so that two writers never share a temporary file.
    static std::atomic<unsigned> calls{0};
    std::string tmp = fmt::format("{}.tmp.{}.{}", path, ::getpid(), calls.fetch_add(1));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      int err = errno;
      return PathError(err, fmt::format("cannot create '{}': {}", tmp, std::strerror(err)));
    }
    bool written = WriteAll(fd, contents);
    int err = errno;
    if (::close(fd) != 0 && written) {
      written = false;
      err = errno;
    }
    if (written && ::rename(tmp.c_str(), path.c_str()) != 0) {
      written = false;
      err = errno;
    }
    if (!written) {
      ::unlink(tmp.c_str());
      return PathError(err, fmt::format("cannot write '{}': {}", path, std::strerror(err)));
    }
    return Status::Ok();
  }

  Status CreateDirectories(const std::string& dir) override {
    std::string path = dir + "/";
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      std::string part = path.substr(0, slash);
      if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
        int err = errno;
        return PathError(err, fmt::format("cannot create directory '{}': {}", part, std::strerror(err)));
      }
    }
    return Status::Ok();
  }
};

}  // namespace

Result<FileStat> FileSystem::Stat(const std::string& path) {
  return Status(ErrorCode::kFailedPrecondition, fmt::format("cannot examine '{}' on this file system", path));
}

Status FileSystem::ReplaceFile(const std::string& path, std::string_view) {
  return Status(ErrorCode::kFailedPrecondition, fmt::format("cannot replace '{}' on this file system", path));
}

Status FileSystem::CreateDirectories(const std::string& dir) {
  return Status(ErrorCode::kFailedPrecondition, fmt::format("cannot create directory '{}' on this file system", dir));
}

FileSystem& RealFileSystem() {
  static RealFs fs;
  return fs;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

}  // namespace strata::base
