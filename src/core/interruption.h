// Migrator::Interrupt: a request, from another thread, that a running Up or Down stop where the
// database is clean. The engine asks requested() between migrations (and between the statements
// of a migration it records statement by statement), and marks with a Cancellable the stretches
// in which the server may cancel the running statement because a rollback follows it.
#pragma once

#include <atomic>
#include <mutex>

#include "drivers/driver.h"

namespace strata::core {

class Interruption {
 public:
  // Any thread but a signal handler. Sticky: once asked, every later check says so.
  void Request() {
    requested_.store(true);
    std::lock_guard<std::mutex> hold(mu_);
    if (cancellable_ != nullptr) cancellable_->Cancel();
  }
  bool requested() const { return requested_.load(); }

  // While alive, a Request cancels the statement `driver` runs. The engine asks requested() once
  // more after making one and before it starts the statement: a request that came in between
  // found nothing to cancel.
  class Cancellable {
   public:
    Cancellable(Interruption* in, driver::Driver* driver) : in_(in) {
      if (in_ == nullptr) return;
      std::lock_guard<std::mutex> hold(in_->mu_);
      in_->cancellable_ = driver;
      driver->ClearCancel();  // an earlier stretch's cancel is not this one's
    }
    ~Cancellable() {
      if (in_ == nullptr) return;
      std::lock_guard<std::mutex> hold(in_->mu_);
      in_->cancellable_ = nullptr;
    }
    Cancellable(const Cancellable&) = delete;
    Cancellable& operator=(const Cancellable&) = delete;

   private:
    Interruption* in_;
  };

 private:
  std::atomic<bool> requested_{false};
  std::mutex mu_;
  driver::Driver* cancellable_ = nullptr;  // guarded by mu_
};

}  // namespace strata::core
