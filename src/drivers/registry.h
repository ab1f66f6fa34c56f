// The one place that names concrete drivers: picks one from a parsed URL.
#pragma once

#include <memory>

#include "base/url.h"
#include "drivers/driver.h"

struct sqlite3;

namespace strata::driver {

// kInvalidArgument for an engine this build does not support; kUnavailable when the database
// cannot be opened or reached. Messages never contain a password.
Result<std::unique_ptr<Driver>> OpenDriver(const base::DatabaseUrl& url, const OpenOptions& options);

// A fresh, empty database of the same engine as `like`: SQLite ignores the path and makes a
// temporary file; PostgreSQL and MariaDB connect to `like`'s server and create a database there.
Result<std::unique_ptr<ScratchDatabase>> CreateScratch(const base::DatabaseUrl& like);

// Templates and test databases (`strata testdb`) of the engine of `where`: SQLite keeps them as
// files in `sqlite_dir`; PostgreSQL on `where`'s server, connecting to the database it names.
Result<std::unique_ptr<TemplateStore>> OpenTemplateStore(const base::DatabaseUrl& where, const std::string& sqlite_dir);

// Wraps a SQLite connection the application owns (it is never closed by the driver).
Result<std::unique_ptr<Driver>> AdoptSqlite(sqlite3* connection, const OpenOptions& options);

}  // namespace strata::driver
