// The run log on SQLite: the table "<history table>_log", one row per run that changed something.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "drivers/driver.h"

namespace strata::driver {

// Appends `row` in its own transaction (BEGIN IMMEDIATE), creating the table if needed.
Status AppendSqliteLog(sqlite3* db, const std::string& table, const LogRow& row);
// Newest first; empty when the table does not exist.
Result<std::vector<LogRow>> ReadSqliteLog(sqlite3* db, const std::string& table, std::size_t limit);

}  // namespace strata::driver
