// SIGINT and SIGTERM during work that must end cleanly: the first one asks the work to stop at its
// next safe point, a second one ends the process at once.
//
// - While a scratch database exists (check, schema tools, lint's live rules), the work asks
//   InterruptRequested() between its steps (ScratchOptions::interrupted), so that the database is
//   removed on the way out.
// - While `up` or `down` applies migrations, a thread of the guard's calls `on_interrupt`
//   (Migrator::Interrupt), which may cancel a statement on the server: more than a signal handler
//   may do.
#pragma once

#include <signal.h>

#include <functional>
#include <thread>

#include "cli.h"

namespace strata::cli {

bool InterruptRequested();

class InterruptGuard {
 public:
  // `message` is printed (to stderr, from the handler) on the first signal: what happens next.
  explicit InterruptGuard(const char* message = kScratchMessage, std::function<void()> on_interrupt = {});
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  static constexpr const char* kScratchMessage =
      "\nstrata: interrupted; finishing the current step to remove the scratch database (again to quit now)\n";

 private:
  struct sigaction old_int_ {}, old_term_ {};
  int wake_[2] = {-1, -1};  // the process's pipe (never closed): the handler writes to [1], the thread reads [0]
  std::thread thread_;
};

// 130, as shells report an interrupted command, when the work stopped because of a signal;
// otherwise ReportError's code.
int ReportUnlessInterrupted(const Invocation& inv, const Status& status);

}  // namespace strata::cli
