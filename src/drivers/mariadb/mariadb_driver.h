// The MariaDB/MySQL driver: history table and run log in the same layout as the other engines, the
// run lock as a GET_LOCK held by a connection of its own, and migrations run statement by
// statement through sql::SplitMysql. DDL commits implicitly on this engine; what to do about a
// migration that fails half-way is the engine's decision (src/core), not this driver's.
#pragma once

#include <memory>

#include "base/url.h"
#include "drivers/driver.h"

namespace strata::driver {

// Connects to the URL's database (see mariadb::Connection::Open for the errors). Introspection and
// scratch databases are in mariadb_schema.h; templates (`strata testdb`) are not supported.
Result<std::unique_ptr<Driver>> OpenMariadb(const base::DatabaseUrl& url, const OpenOptions& options);

}  // namespace strata::driver
