#include "flags.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

namespace strata::cli {

namespace {

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Edits that turn `a` into `b`: insertions, deletions, substitutions and swaps of two neighbours
// (optimal string alignment), ignoring ASCII case.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = LowerAscii(a[i - 1]) == LowerAscii(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && LowerAscii(a[i - 1]) == LowerAscii(b[j - 2]) &&
          LowerAscii(a[i - 2]) == LowerAscii(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::uint64_t> ParseWholeNumber(std::string_view text) {
  // std::from_chars takes no sign, space or base prefix and reports an overflow, unlike strtoull.
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseSeconds(std::string_view text) {
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  if ((!whole.empty() && !AllDigits(whole)) || (!fraction.empty() && !AllDigits(fraction))) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

CLI::Validator WholeNumber(std::uint64_t min, std::uint64_t max) {
  auto check = [min, max](std::string& text) -> std::string {
    std::optional<std::uint64_t> value = ParseWholeNumber(text);
    if (!value && !AllDigits(text)) {
      return fmt::format("'{}' is not a number from {} to {} (decimal digits only)", text, min, max);
    }
    if (!value || *value < min || *value > max) {
      return fmt::format("{} is out of range ({} to {})", text, min, max);
    }
    text = std::to_string(*value);
    return std::string();
  };
  return CLI::Validator(check, fmt::format("{}..{}", min, max));
}

CLI::Validator Seconds() {
  auto check = [](std::string& text) -> std::string {
    std::optional<double> value = ParseSeconds(text);
    if (!value) {
      return fmt::format("'{}' is not a number of seconds from 0 to {} (e.g. 30 or 0.5)", text, kMaxSeconds);
    }
    if (*value > kMaxSeconds) return fmt::format("{} is out of range (0 to {} seconds)", text, kMaxSeconds);
    return std::string();
  };
  return CLI::Validator(check, fmt::format("0..{}", kMaxSeconds));
}

std::chrono::milliseconds SecondsToMillis(double seconds) {
  auto ms = static_cast<std::int64_t>(std::llround(seconds * 1000));
  if (ms == 0 && seconds > 0) ms = 1;
  return std::chrono::milliseconds(ms);
}

std::string ClosestName(std::string_view typed, std::span<const std::string_view> names) {
  std::string_view best;
  std::size_t best_distance = 0;
  for (std::string_view name : names) {
    std::size_t d = EditDistance(typed, name);
    if (best.empty() || d < best_distance) {
      best = name;
      best_distance = d;
    }
  }
  // Two edits at most, and at most one for every two letters typed: "upp" -> "up", "stat" ->
  // "status", but "x" suggests nothing.
  if (best.empty() || best_distance > 2 || best_distance > typed.size() / 2) return std::string();
  return std::string(best);
}

}  // namespace strata::cli
