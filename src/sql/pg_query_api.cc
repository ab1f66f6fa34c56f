#include "sql/pg_query_api.h"

#include <dlfcn.h>

#include <string>

// The SONAME of the libpg_query strata was built against (CMakeLists.txt reads it from the library).
#ifndef STRATA_PG_QUERY_SONAME
#error "STRATA_PG_QUERY_SONAME must name libpg_query's SONAME"
#endif

namespace strata::sql {

Result<const PgQueryApi*> LoadPgQuery() {
  static PgQueryApi api;
  static const Status loaded = [] {
    void* lib = dlopen(STRATA_PG_QUERY_SONAME, RTLD_NOW | RTLD_LOCAL);  // never closed
    if (!lib) {
      const char* why = dlerror();
      return Status(ErrorCode::kUnavailable,
                    std::string("reading PostgreSQL SQL needs libpg_query, PostgreSQL's parser (" STRATA_PG_QUERY_SONAME
                                "; Debian package libpg-query): ") +
                        (why ? why : "not found"));
    }
    auto load = [lib](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      return fn != nullptr;
    };
    if (!load(api.parse, "pg_query_parse") || !load(api.free_parse_result, "pg_query_free_parse_result") ||
        !load(api.split_with_parser, "pg_query_split_with_parser") ||
        !load(api.free_split_result, "pg_query_free_split_result")) {
      return Status(ErrorCode::kUnavailable, STRATA_PG_QUERY_SONAME " lacks a function strata needs (too old?)");
    }
    return Status::Ok();
  }();
  if (!loaded.ok()) return loaded;
  return &api;
}

}  // namespace strata::sql
