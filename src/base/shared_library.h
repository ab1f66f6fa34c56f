// A shared library opened when first needed rather than linked, so that a start that does not use
// it pays nothing for it (libpq, libmariadb, libpg_query, libcrypto). Never closed: what it
// returns may be used until exit.
#pragma once

#include <string_view>

#include "strata/status.h"

namespace strata::base {

class SharedLibrary {
 public:
  // Loads `soname`; kUnavailable saying `what` needs it and which Debian `package` to install.
  static Result<SharedLibrary> Open(const char* soname, std::string_view what, std::string_view package);

  // Points `fn` at the library's function `name`; kUnavailable when it has none (too old).
  template <class Fn>
  Status Load(Fn& fn, const char* name) const {
    fn = reinterpret_cast<Fn>(Symbol(name));
    return fn ? Status::Ok() : Missing(name);
  }

 private:
  SharedLibrary(void* handle, const char* soname) : handle_(handle), soname_(soname) {}
  void* Symbol(const char* name) const;
  Status Missing(const char* name) const;

  void* handle_;
  const char* soname_;
};

}  // namespace strata::base
