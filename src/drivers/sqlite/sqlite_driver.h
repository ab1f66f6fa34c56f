// The SQLite driver: SQLite's C API behind the Driver interface. Statements run one by one
// through sqlite3_prepare_v2 and its tail; the write lock is BEGIN IMMEDIATE with a busy timeout.
#pragma once

#include <memory>

#include "base/url.h"
#include "drivers/driver.h"

struct sqlite3;

namespace strata::driver {

// Opens `url.path` (":memory:" for an in-memory database). With options.read_only and a file that
// does not exist, nothing is created: the driver reads as an empty database and refuses writes.
// kUnavailable when the file cannot be opened or is not a database.
Result<std::unique_ptr<Driver>> OpenSqlite(const base::DatabaseUrl& url, const OpenOptions& options);

// Uses `connection` (owned by the caller, never closed here): sets the busy timeout and
// PRAGMA foreign_keys on it. kFailedPrecondition if it is inside a transaction.
Result<std::unique_ptr<Driver>> WrapSqlite(sqlite3* connection, const OpenOptions& options);

// A temporary directory holding an empty database file; both removed by the destructor
// (sqlite_backup.cc).
Result<std::unique_ptr<ScratchDatabase>> CreateSqliteScratch();

// Templates and test databases as files in `dir` (created if missing; sqlite_backup.cc).
Result<std::unique_ptr<TemplateStore>> OpenSqliteTemplates(const std::string& dir);

}  // namespace strata::driver
