// The PostgreSQL driver: libpq behind the Driver interface. Statements are split by libpg_query
// (PostgreSQL's own grammar) and sent one at a time; the migration lock is a session-level
// advisory lock on the migration connection, or with LockKind::kLease a lease row (pg_lease.h).
#pragma once

#include <memory>

#include "base/url.h"
#include "drivers/driver.h"

namespace strata::driver {

// Connects to `url` (postgres://, postgresql:// or a libpq key=value string). kUnauthenticated
// when the server rejects the credentials, kUnavailable when it cannot be reached or the database
// does not exist. Messages never contain the password.
Result<std::unique_ptr<Driver>> OpenPostgres(const base::DatabaseUrl& url, const OpenOptions& options);

// A new empty database on `server`'s server, dropped by the returned object's destructor.
Result<std::unique_ptr<ScratchDatabase>> CreatePostgresScratch(const base::DatabaseUrl& server);

// Templates and test databases on `server`'s server, through a connection to the database it names.
Result<std::unique_ptr<TemplateStore>> OpenPostgresTemplates(const base::DatabaseUrl& server);

}  // namespace strata::driver
