// strata version.
#include <fmt/format.h>

#include "../cli.h"

namespace strata::cli {

int RunVersion(const Invocation&) {
  fmt::print("strata {}\n", kVersion);
  return kExitOk;
}

}  // namespace strata::cli
