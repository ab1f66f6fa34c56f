// Backups and restores with SQLite's online backup API, and scratch databases in temporary files.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "drivers/driver.h"

namespace strata::driver {

// Copies the "main" database of `db` to a new file `path` (which must not exist yet).
Status BackupSqlite(sqlite3* db, const std::string& path);
// Checks that `path` is a SQLite database that passes PRAGMA integrity_check, then copies it over
// the "main" database of `db`.
Status RestoreSqlite(sqlite3* db, const std::string& path);

}  // namespace strata::driver
