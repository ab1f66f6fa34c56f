// How the command-line tool sets up glibc's allocator for a run that lives for milliseconds
// (docs/benchmarks.md, "Start-up"). The library leaves an embedding application's allocator alone.
#pragma once

#include <string>

namespace strata::cli {

// Keeps freed memory in the process for the next allocation. Call first thing in main.
void KeepFreedMemory();

// Before one run reads the migration directory `dir`: every thread allocates from one heap, and the
// part of it such a run fills is faulted in by one system call. Not for a fleet (many threads).
void PrepareHeapFor(const std::string& dir);

}  // namespace strata::cli
