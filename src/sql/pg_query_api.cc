#include "sql/pg_query_api.h"

#include "base/shared_library.h"

// The SONAME of the libpg_query strata was built against (CMakeLists.txt reads it from the library).
#ifndef STRATA_PG_QUERY_SONAME
#error "STRATA_PG_QUERY_SONAME must name libpg_query's SONAME"
#endif

namespace strata::sql {

Result<const PgQueryApi*> LoadPgQuery() {
  static PgQueryApi api;
  static const Status loaded = []() -> Status {
    STRATA_ASSIGN_OR_RETURN(base::SharedLibrary lib,
                            base::SharedLibrary::Open(STRATA_PG_QUERY_SONAME, "reading PostgreSQL SQL",
                                                      "libpg-query, the version strata was built with"));
    STRATA_RETURN_IF_ERROR(lib.Load(api.parse, "pg_query_parse"));
    STRATA_RETURN_IF_ERROR(lib.Load(api.free_parse_result, "pg_query_free_parse_result"));
    STRATA_RETURN_IF_ERROR(lib.Load(api.split_with_parser, "pg_query_split_with_parser"));
    return lib.Load(api.free_split_result, "pg_query_free_split_result");
  }();
  if (!loaded.ok()) return loaded;
  return &api;
}

}  // namespace strata::sql
