// The clock seam: wall time for history rows, the run log and backup names; monotonic time for
// durations. The engine takes a Clock so that tests can fix the time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace strata::base {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time: milliseconds since the Unix epoch, UTC.
  virtual std::int64_t UnixMillis() const = 0;
  // Monotonic time, for durations; unrelated to the wall time.
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
};

// The system's clocks. Thread-safe; lives as long as the program.
const Clock& RealClock();

// `clock`'s UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string UtcNowIso8601(const Clock& clock = RealClock());

// `clock`'s UTC time as "YYYYMMDDHHMMSS" (dbmate-style version).
std::string UtcNowCompact(const Clock& clock = RealClock());

class Stopwatch {
 public:
  explicit Stopwatch(const Clock& clock = RealClock()) : clock_(clock), start_(clock.Monotonic()) {}
  double ElapsedMs() const {
    return std::chrono::duration<double, std::milli>(clock_.Monotonic() - start_).count();
  }

 private:
  const Clock& clock_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace strata::base
