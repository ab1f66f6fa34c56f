#define STRATA_PQ_API_IMPLEMENTATION
#include "drivers/postgres/pq_api.h"

#include "base/shared_library.h"

namespace strata::driver::pg {

namespace {
PqApi g_api;
}  // namespace

Result<const PqApi*> LoadPq() {
  static const Status loaded = []() -> Status {
    STRATA_ASSIGN_OR_RETURN(base::SharedLibrary lib,
                            base::SharedLibrary::Open("libpq.so.5", "PostgreSQL support", "libpq5"));
#define STRATA_PQ_LOAD(name) STRATA_RETURN_IF_ERROR(lib.Load(g_api.name##_, #name));
    STRATA_PQ_FUNCTIONS(STRATA_PQ_LOAD)
#undef STRATA_PQ_LOAD
    return Status::Ok();
  }();
  if (!loaded.ok()) return loaded;
  return &g_api;
}

const PqApi& Pq() { return g_api; }

}  // namespace strata::driver::pg
