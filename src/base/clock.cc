#include "base/clock.h"

#include <fmt/format.h>

#include <ctime>

namespace strata::base {

namespace {

class SystemClock : public Clock {
 public:
  std::int64_t UnixMillis() const override {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  }
  std::chrono::steady_clock::time_point Monotonic() const override { return std::chrono::steady_clock::now(); }
};

std::tm Utc(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

const Clock& RealClock() {
  static const SystemClock clock;
  return clock;
}

std::string UtcNowIso8601(const Clock& clock) {
  std::int64_t ms = clock.UnixMillis();
  std::tm tm = Utc(ms);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::string UtcNowCompact(const Clock& clock) {
  std::tm tm = Utc(clock.UnixMillis());
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace strata::base
