#include "drivers/sqlite/sqlite_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
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
  explicit FileRunLock(int fd) : fd_(fd) {}
  ~FileRunLock() override {
    if (fd_ >= 0) {
      flock(fd_, LOCK_UN);
      ::close(fd_);
    }
  }

 private:
  int fd_;
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

std::unique_ptr<RunLock> NoRunLock() { return std::make_unique<FileRunLock>(-1); }

Result<std::unique_ptr<RunLock>> LockDatabaseFile(const std::string& database_path, std::chrono::milliseconds timeout) {
  std::string lock_path = database_path + ".strata-lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return NoRunLock();
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + timeout;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      ::close(fd);
      return NoRunLock();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string holder = ReadHolder(fd);
      ::close(fd);
      double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return Status(ErrorCode::kAborted,
                    fmt::format("could not take the migration lock on {} within {:.1f} s: {} (raise --lock-timeout "
                                "to wait longer)",
                                database_path, waited, holder));
    }
    ::usleep(20'000);
  }
  std::string holder = fmt::format("pid {} (since {})", ::getpid(), base::UtcNowIso8601());
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, holder.data(), holder.size(), 0);
  return std::unique_ptr<RunLock>(std::make_unique<FileRunLock>(fd));
}

}  // namespace strata::driver
