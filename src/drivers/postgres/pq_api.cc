#define STRATA_PQ_API_IMPLEMENTATION
#include "drivers/postgres/pq_api.h"

#include <dlfcn.h>

#include <string>

namespace strata::driver::pg {

namespace {
PqApi g_api;
}  // namespace

Result<const PqApi*> LoadPq() {
  static const Status loaded = [] {
    void* lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = dlerror();
      return Status(ErrorCode::kUnavailable,
                    std::string("PostgreSQL support needs libpq (Debian package libpq5): ") + (why ? why : "not found"));
    }
    // Never dlclose: connections may live until exit.
#define STRATA_PQ_LOAD(name)                                                                          \
  g_api.name##_ = reinterpret_cast<decltype(&::name)>(dlsym(lib, #name));                             \
  if (!g_api.name##_) return Status(ErrorCode::kUnavailable, "libpq.so.5 has no " #name " (too old?)");
    STRATA_PQ_FUNCTIONS(STRATA_PQ_LOAD)
#undef STRATA_PQ_LOAD
    return Status::Ok();
  }();
  if (!loaded.ok()) return loaded;
  return &g_api;
}

const PqApi& Pq() { return g_api; }

}  // namespace strata::driver::pg
