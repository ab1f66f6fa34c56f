#include "drivers/postgres/pg_schema.h"

namespace strata::driver::pg {

Result<schema::Schema> IntrospectPostgres(Connection&, const std::string&, const std::string&, const IntrospectOptions&) {
  return Status(ErrorCode::kInternal, "schema introspection is not implemented yet for PostgreSQL");
}

}  // namespace strata::driver::pg
