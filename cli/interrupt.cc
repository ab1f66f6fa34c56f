#include "interrupt.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace strata::cli {

namespace {

std::atomic<bool> g_interrupted{false};
// The guard's: what to print, and where to wake its thread (-1: none). Set before the handler is
// installed and cleared after it is removed.
std::atomic<const char*> g_message{nullptr};
std::atomic<int> g_wake_fd{-1};

extern "C" void OnInterrupt(int sig) {
  if (g_interrupted.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  const int saved = errno;
  if (const char* message = g_message.load()) {
    ssize_t ignored = ::write(2, message, std::strlen(message));
    (void)ignored;
  }
  if (int fd = g_wake_fd.load(); fd >= 0) {
    ssize_t ignored = ::write(fd, "i", 1);
    (void)ignored;
  }
  errno = saved;
}

// The pipe from the handler to a guard's thread: made once and never closed, so that a handler
// still running on another thread while a guard goes away never writes to a reused descriptor.
const int* WakePipe() {
  static int fds[2] = {-1, -1};
  static const bool made = ::pipe2(fds, O_CLOEXEC) == 0;
  return made ? fds : nullptr;
}

}  // namespace

bool InterruptRequested() { return g_interrupted.load(); }

InterruptGuard::InterruptGuard(const char* message, std::function<void()> on_interrupt) {
  g_message.store(message);
  const int* pipe = on_interrupt ? WakePipe() : nullptr;
  if (pipe != nullptr) {
    wake_[0] = pipe[0];
    wake_[1] = pipe[1];
    const int in = wake_[0];
    thread_ = std::thread([in, on_interrupt = std::move(on_interrupt)] {
      char c = 0;
      for (;;) {
        ssize_t n = ::read(in, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n != 1 || c != 'i') return;  // 'q' from the destructor, or the pipe closed
        on_interrupt();
      }
    });
    g_wake_fd.store(wake_[1]);
  }
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  g_wake_fd.store(-1);
  if (thread_.joinable()) {
    ssize_t ignored = ::write(wake_[1], "q", 1);
    (void)ignored;
    thread_.join();
  }
  g_message.store(nullptr);
}

int ReportUnlessInterrupted(const Invocation& inv, const Status& status) {
  if (!g_interrupted.load()) return ReportError(inv, status);
  fmt::print(stderr, "strata: interrupted; the scratch database was removed\n");
  return 130;
}

}  // namespace strata::cli
