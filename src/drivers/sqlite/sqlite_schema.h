// Introspection and table contents on SQLite: the schema model from sqlite_schema and the table
// pragmas, row counts, and content fingerprints (for the data guard and `up --verify-data`).
#pragma once

#include <sqlite3.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/driver.h"

namespace strata::driver {

// `history_table`: strata's history table; it and "<history_table>_log" are left out unless
// options.include_strata_tables. SQLite's internal tables (sqlite_%) are always left out.
Result<schema::Schema> IntrospectSqlite(sqlite3* db, const std::string& history_table,
                                        const IntrospectOptions& options);

Result<std::int64_t> CountSqliteRows(sqlite3* db, const std::string& table);
Result<TableFingerprint> FingerprintSqlite(sqlite3* db, const std::string& table);
Status ReadSqliteRowsAsSql(sqlite3* db, const std::string& table, const std::vector<std::string>& columns,
                           const std::function<Status(std::string_view)>& row);
Result<std::vector<Driver::CounterState>> SqliteCounterStateSql(sqlite3* db);

}  // namespace strata::driver
