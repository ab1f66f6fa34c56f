#define STRATA_MYSQL_API_IMPLEMENTATION
#include "drivers/mariadb/mysql_api.h"

#include "base/shared_library.h"

namespace strata::driver::mariadb {

namespace {
MysqlApi g_api;
}  // namespace

Result<const MysqlApi*> LoadMysql() {
  static const Status loaded = []() -> Status {
    STRATA_ASSIGN_OR_RETURN(base::SharedLibrary lib, base::SharedLibrary::Open("libmariadb.so.3",
                                                                               "MariaDB and MySQL support", "libmariadb3"));
#define STRATA_MYSQL_LOAD(name) STRATA_RETURN_IF_ERROR(lib.Load(g_api.name##_, #name));
    STRATA_MYSQL_FUNCTIONS(STRATA_MYSQL_LOAD)
#undef STRATA_MYSQL_LOAD
    // mysql_init would do this on first use, but not safely when two threads connect at once.
    if (g_api.mysql_server_init_(0, nullptr, nullptr) != 0) {
      return Status(ErrorCode::kUnavailable, "MariaDB Connector/C failed to initialise");
    }
    return Status::Ok();
  }();
  if (!loaded.ok()) return loaded;
  return &g_api;
}

const MysqlApi& Mysql() { return g_api; }

}  // namespace strata::driver::mariadb
