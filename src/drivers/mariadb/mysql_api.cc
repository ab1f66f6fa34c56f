#define STRATA_MYSQL_API_IMPLEMENTATION
#include "drivers/mariadb/mysql_api.h"

#include <dlfcn.h>

#include <string>

namespace strata::driver::mariadb {

namespace {
MysqlApi g_api;
}  // namespace

Result<const MysqlApi*> LoadMysql() {
  static const Status loaded = [] {
    void* lib = dlopen("libmariadb.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = dlerror();
      return Status(ErrorCode::kUnavailable, std::string("MariaDB and MySQL support needs MariaDB Connector/C "
                                                         "(Debian package libmariadb3): ") +
                                                 (why ? why : "not found"));
    }
    // Never dlclose: connections may live until exit.
#define STRATA_MYSQL_LOAD(name)                                                 \
  g_api.name##_ = reinterpret_cast<decltype(&::name)>(dlsym(lib, #name));      \
  if (!g_api.name##_) {                                                         \
    return Status(ErrorCode::kUnavailable, "libmariadb.so.3 has no " #name " (too old?)"); \
  }
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
