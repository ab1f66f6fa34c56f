#include "drivers/sqlite/sqlite_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/clock.h"
#include "base/text.h"

namespace strata::driver {

namespace {

// The run lock: flock() on "<database>.strata-lock". flock locks belong to the open file
// description, so they exclude other threads of this process as well as other processes, and the
// kernel drops them when a runner dies. (Never a second descriptor on the database file itself:
// closing it would drop SQLite's own POSIX locks.)
class FileRunLock : public RunLock {
 public:
  FileRunLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileRunLock() override {
    if (fd_ >= 0) {
      flock(fd_, LOCK_UN);
      ::close(fd_);
    }
  }

  // A lock on a file that is no longer the one at the path excludes nobody: the next runner
  // creates a new file and locks that.
  Status Held() const override {
    if (fd_ < 0 || SameFile(fd_, path_)) return Status::Ok();
    return Status(ErrorCode::kLockLost,
                  fmt::format("the migration lock file {} was removed or replaced while this run held it; another "
                              "runner may hold the lock now",
                              path_));
  }

  static bool SameFile(int fd, const std::string& path) {
    struct stat by_fd {}, by_path {};
    return ::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_path) == 0 && by_fd.st_dev == by_path.st_dev &&
           by_fd.st_ino == by_path.st_ino;
  }

 private:
  int fd_;
  std::string path_;
};

std::string ReadHolder(int fd) {
  char buf[256];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "held by another strata run";
  buf[n] = '\0';
  std::string s = base::OneLine(buf);
  return s.empty() ? "held by another strata run" : "held by " + s;
}

}  // namespace

std::unique_ptr<RunLock> NoRunLock() { return std::make_unique<FileRunLock>(-1, std::string()); }

Result<std::unique_ptr<RunLock>> LockDatabaseFile(const std::string& database_path, std::chrono::milliseconds timeout) {
  std::string lock_path = database_path + ".strata-lock";
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + timeout;
  for (;;) {
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return NoRunLock();
    bool locked = false;
    while (!(locked = flock(fd, LOCK_EX | LOCK_NB) == 0)) {
      if (errno != EWOULDBLOCK && errno != EINTR) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        std::string holder = ReadHolder(fd);
        ::close(fd);
        double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return Status(ErrorCode::kAborted,
                      fmt::format("could not take the migration lock on {} within {:.1f} s: {}", database_path,
                                  waited, holder))
            .WithRemedy(Remedy::kLockTimeout);
      }
      ::usleep(20'000);
    }
    if (!locked) {
      ::close(fd);
      return NoRunLock();
    }
    // The file may have been removed (and another runner's created) between open and flock.
    if (!FileRunLock::SameFile(fd, lock_path)) {
      ::close(fd);
      continue;
    }
    std::string holder = fmt::format("pid {} (since {})", ::getpid(), base::UtcNowIso8601());
    if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, holder.data(), holder.size(), 0);
    return std::unique_ptr<RunLock>(std::make_unique<FileRunLock>(fd, lock_path));
  }
}

}  // namespace strata::driver
