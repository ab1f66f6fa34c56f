// What a flag's value means to strata, checked before CLI11 converts it, and the closest command to
// a mistyped one. strata.toml's numbers go through the same checks.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace CLI {
class Validator;
}  // namespace CLI

namespace strata::cli {

// Timeouts are at most a day, on the command line and in strata.toml alike.
inline constexpr double kMaxSeconds = 86400;

// A CLI11 transform for a whole number from `min` to `max`, written in decimal digits only: no
// sign, space, "0x" or exponent; leading zeros are decimal ("0010" is 10, as in a migration's file
// name). It rewrites the value without them, because CLI11's own conversion (strtoull, base 0)
// would read "-1" as 2^64-1, saturate on overflow and take "010" for octal. The error names the
// value; CLI11 puts the flag's name in front of it.
CLI::Validator WholeNumber(std::uint64_t min, std::uint64_t max);

// A CLI11 check for seconds from 0 to kMaxSeconds: digits with an optional fraction ("30", "0.5",
// ".25"), never a sign, an exponent, "nan", "inf" or trailing text.
CLI::Validator Seconds();

// `seconds` (finite, 0 to kMaxSeconds) in whole milliseconds. A positive value below half a
// millisecond becomes 1 ms, since 0 means "no timeout" (or "do not wait").
std::chrono::milliseconds SecondsToMillis(double seconds);

// The name in `names` that `typed` most likely misspells (a letter missing, added, changed or two
// swapped), or empty when none is close enough to suggest.
std::string ClosestName(std::string_view typed, std::span<const std::string_view> names);

}  // namespace strata::cli
