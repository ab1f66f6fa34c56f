// Shared bits of the libFuzzer targets: strict sanitizer defaults and an invariant check that
// crashes (so that libFuzzer records the input) with a readable message.
#pragma once

#include <cstdio>
#include <cstdlib>

// The libraries are compiled with recoverable UBSan checks (the top-level STRATA_FUZZ flags);
// make every report fatal so that libFuzzer saves the input, also when a target is run by hand.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
