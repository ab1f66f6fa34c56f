#include "drivers/sqlite/sqlite_schema.h"

namespace strata::driver {

Result<schema::Schema> IntrospectSqlite(sqlite3*, const std::string&, const IntrospectOptions&) {
  return Status(ErrorCode::kInternal, "schema introspection is not implemented yet for SQLite");
}

}  // namespace strata::driver
