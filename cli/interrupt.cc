#include "interrupt.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>

namespace strata::cli {

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int sig) {
  if (g_interrupted.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  static const char kMessage[] =
      "\nstrata: interrupted; finishing the current step to remove the scratch database (again to quit now)\n";
  ssize_t ignored = ::write(2, kMessage, sizeof kMessage - 1);
  (void)ignored;
}

}  // namespace

bool InterruptRequested() { return g_interrupted.load(); }

InterruptGuard::InterruptGuard() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

int ReportUnlessInterrupted(const Invocation& inv, const Status& status) {
  if (!g_interrupted.load()) return ReportError(inv, status);
  fmt::print(stderr, "strata: interrupted; the scratch database was removed\n");
  return 130;
}

}  // namespace strata::cli
