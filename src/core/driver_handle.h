// How the engine gets its database connection: one function turns the public Options into the
// driver's OpenOptions, and one handle opens the database read-only (never creating it) and
// upgrades to a writable connection only when a call must write.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/url.h"
#include "drivers/driver.h"
#include "strata/migrator.h"

namespace strata::core {

// Every field of driver::OpenOptions, from `options`. The one place they are built: the
// Migrator, an application's own SQLite connection and scratch databases all open through it.
driver::OpenOptions OpenOptionsFor(const Options& options, bool read_only);

// The Migrator's connection. Not thread-safe (neither is the Migrator).
class DriverHandle {
 public:
  // `adopted`, when given (an application's own connection), is used for every call.
  // `lock_waiting` is told once per LockRun that the run waits for another runner, and by whom.
  DriverHandle(base::DatabaseUrl url, const Options& options, std::shared_ptr<driver::Driver> adopted = nullptr,
               std::function<void(const std::string&)> lock_waiting = nullptr);

  // The kept connection if there is one, else a new read-only one. A read-only open of a database
  // that does not exist creates nothing and returns a driver that is not Writable(). With
  // `keep_if_writable`, a writable result is kept for later calls. kUnavailable/kUnauthenticated
  // as the driver's Open.
  Result<std::shared_ptr<driver::Driver>> ForReading(bool keep_if_writable = false);
  // A writable connection, kept for later calls: the kept one, or a new one that may create the
  // database.
  Result<std::shared_ptr<driver::Driver>> ForWriting();
  // The kept connection, or null.
  const std::shared_ptr<driver::Driver>& kept() const { return kept_; }

 private:
  base::DatabaseUrl url_;
  driver::OpenOptions read_only_, writable_;
  std::shared_ptr<driver::Driver> kept_;
};

}  // namespace strata::core
