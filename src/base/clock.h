// The clock seam: wall time for history rows, monotonic time for durations.
#pragma once

#include <chrono>
#include <string>

namespace strata::base {

// Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string UtcNowIso8601();

// Current UTC time as "YYYYMMDDHHMMSS" (dbmate-style version).
std::string UtcNowCompact();

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double ElapsedMs() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace strata::base
