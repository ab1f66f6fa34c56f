// libpg_query (PostgreSQL's parser), loaded on first use as libpq and libmariadb are: linking it
// would make every strata process, SQLite-only ones and `strata --version` included, load and
// relocate it at start-up. Only sql/pg_parse.cc and sql/pg_split.cc use it.
#pragma once

#include <pg_query.h>

#include "strata/status.h"

namespace strata::sql {

struct PgQueryApi {
  decltype(&::pg_query_parse) parse = nullptr;
  decltype(&::pg_query_free_parse_result) free_parse_result = nullptr;
  decltype(&::pg_query_split_with_parser) split_with_parser = nullptr;
  decltype(&::pg_query_free_split_result) free_split_result = nullptr;
};

// The loaded functions (thread-safe, loaded once). kUnavailable, naming the package to install,
// when the library is missing.
Result<const PgQueryApi*> LoadPgQuery();

}  // namespace strata::sql
