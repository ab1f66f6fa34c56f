// Shared bits of the libFuzzer targets: strict sanitizer defaults and an invariant check that
// crashes (so that libFuzzer records the input) with a readable message.
#pragma once

#include <cstdio>
#include <cstdlib>

// Every UBSan report is fatal (the libraries are built with -fno-sanitize-recover=all); say so
// here too, with a stack trace, so that a target run by hand stops at the first report.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
