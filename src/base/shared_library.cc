#include "base/shared_library.h"

#include <dlfcn.h>
#include <fmt/format.h>

namespace strata::base {

Result<SharedLibrary> SharedLibrary::Open(const char* soname, std::string_view what, std::string_view package) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return Status(ErrorCode::kUnavailable,
                  fmt::format("{} needs {} (Debian package {}): {}", what, soname, package, why ? why : "not found"));
  }
  return SharedLibrary(handle, soname);
}

void* SharedLibrary::Symbol(const char* name) const { return dlsym(handle_, name); }

Status SharedLibrary::Missing(const char* name) const {
  return Status(ErrorCode::kUnavailable, fmt::format("{} has no {} (too old?)", soname_, name));
}

}  // namespace strata::base
