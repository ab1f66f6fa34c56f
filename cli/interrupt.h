// While a scratch database exists, the first SIGINT/SIGTERM asks the work to stop at its next
// step (ScratchOptions::interrupted) so that the database is removed on the way out; a second one
// ends the process at once.
#pragma once

#include <signal.h>

#include "cli.h"

namespace strata::cli {

bool InterruptRequested();

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// 130, as shells report an interrupted command, when the work stopped because of a signal;
// otherwise ReportError's code.
int ReportUnlessInterrupted(const Invocation& inv, const Status& status);

}  // namespace strata::cli
