// What a flag's value means to strata, checked before CLI11 converts it, and the closest command to
// a mistyped one. strata.toml's numbers go through the same checks.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace strata::cli {

// Timeouts are at most a day, on the command line and in strata.toml alike.
inline constexpr double kMaxSeconds = 86400;

// A whole number written in decimal digits only: no sign, space, "0x" or exponent; leading zeros
// are decimal ("0010" is 10, as in a migration's file name). Empty when `text` is anything else or
// does not fit in 64 bits.
std::optional<std::uint64_t> ParseWholeNumber(std::string_view text);

// Seconds as digits with an optional fraction ("30", "0.5", ".25"). Empty for anything else
// (a sign, an exponent, "nan", "inf", trailing text).
std::optional<double> ParseSeconds(std::string_view text);

// A CLI11 transform for a whole number from `min` to `max` (ParseWholeNumber). It rewrites the
// value without leading zeros, because CLI11's own conversion (strtoull, base 0) would read "-1" as
// 2^64-1, saturate on overflow and take "010" for octal. The error names the value; CLI11 puts the
// flag's name in front of it.
CLI::Validator WholeNumber(std::uint64_t min, std::uint64_t max);

// A CLI11 check for seconds from 0 to kMaxSeconds (ParseSeconds).
CLI::Validator Seconds();

// `seconds` (finite, 0 to kMaxSeconds) in whole milliseconds. A positive value below half a
// millisecond becomes 1 ms, since 0 means "no timeout" (or "do not wait").
std::chrono::milliseconds SecondsToMillis(double seconds);

// The name in `names` that `typed` most likely misspells (a letter missing, added, changed or two
// swapped), or empty when none is close enough to suggest.
std::string ClosestName(std::string_view typed, std::span<const std::string_view> names);

}  // namespace strata::cli
