// The SQLite run lock: flock() on "<database>.strata-lock", the counterpart of PostgreSQL's session
// advisory lock. It excludes other threads and processes and is released by the kernel when the
// holder dies.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "drivers/driver.h"

namespace strata::driver {

// Takes the lock for the database at `database_path`, waiting at most `timeout` (then kAborted,
// naming the holder's pid). Where the lock file cannot be created (a read-only directory) it
// returns a lock that holds nothing: each migration's BEGIN IMMEDIATE still serializes writers.
Result<std::unique_ptr<RunLock>> LockDatabaseFile(const std::string& database_path, std::chrono::milliseconds timeout);

// A lock that holds nothing (in-memory databases, a database that does not exist yet).
std::unique_ptr<RunLock> NoRunLock();

}  // namespace strata::driver
