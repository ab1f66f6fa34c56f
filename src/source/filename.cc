#include "source/filename.h"

#include <fmt/format.h>

#include <cctype>
#include <limits>

namespace strata::source {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Bad(std::string why) {
  return Status(ErrorCode::kInvalidArgument, std::move(why));
}

Status NotAName() {
  return Bad(fmt::format("not a migration file name; expected one of: {}", kAcceptedForms));
}

// Reads the leading digits of `s` as a version. Fails on overflow.
Result<std::uint64_t> ParseVersion(std::string_view digits) {
  std::uint64_t v = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (char c : digits) {
    std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (kMax - d) / 10) {
      return Bad(fmt::format("version {} is too large (the largest is {})", digits, kMax));
    }
    v = v * 10 + d;
  }
  return v;
}

std::size_t CountDigits(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  return n;
}

// `lower_suffix` is lower case.
bool EndsWithIgnoringCase(std::string_view s, std::string_view lower_suffix) {
  if (s.size() < lower_suffix.size()) return false;
  std::string_view end = s.substr(s.size() - lower_suffix.size());
  for (std::size_t i = 0; i < end.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(end[i])) != lower_suffix[i]) return false;
  }
  return true;
}

// The extension is matched in any case (`.SQL`, `.Sql`), as golang-migrate does and as
// case-insensitive file systems do: such a file is a migration, never silently left out.
bool EndsWithSqlIgnoringCase(std::string_view s) { return EndsWithIgnoringCase(s, ".sql"); }

Status CheckName(std::string_view name) {
  if (name.empty()) return Bad("missing description after the version (e.g. v001_create_users.sql)");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20) return Bad("control character in the migration name");
  }
  return Status::Ok();
}

Result<std::optional<FileName>> ParseFlyway(std::string_view stem) {
  FileName f;
  f.convention = Convention::kFlyway;
  f.role = stem[0] == 'V' ? FileRole::kUp : FileRole::kDown;
  std::string_view rest = stem.substr(1);
  std::size_t n = CountDigits(rest);
  if (n < rest.size() && (rest[n] == '.' || (rest[n] == '_' && n + 1 < rest.size() && IsDigit(rest[n + 1])))) {
    return Bad("dotted Flyway versions (V1.1__name.sql, V1_1__name.sql) are not supported; versions are whole numbers");
  }
  if (!rest.substr(n).starts_with("__")) {
    return Bad(fmt::format("Flyway-style name needs two underscores after the version ({}1__name.sql)", stem[0]));
  }
  f.version_text = std::string(rest.substr(0, n));
  STRATA_ASSIGN_OR_RETURN(f.version, ParseVersion(f.version_text));
  f.name = std::string(rest.substr(n + 2));
  STRATA_RETURN_IF_ERROR(CheckName(f.name));
  return std::optional<FileName>(std::move(f));
}

}  // namespace

Result<std::optional<FileName>> ParseFileName(std::string_view file) {
  if (file.empty() || file[0] == '.' || !EndsWithSqlIgnoringCase(file)) {
    return std::optional<FileName>();
  }
  std::string_view stem = file.substr(0, file.size() - 4);
  if (stem.empty()) return NotAName();

  if ((stem[0] == 'V' || stem[0] == 'U') && stem.size() > 1 && IsDigit(stem[1])) {
    return ParseFlyway(stem);
  }
  if (stem.starts_with("R__")) {
    return Bad("repeatable migrations (R__name.sql) are not supported");
  }

  FileName f;
  std::string_view rest = stem;
  if (stem[0] == 'v' && stem.size() > 1 && IsDigit(stem[1])) {
    f.convention = Convention::kSeed;
    rest.remove_prefix(1);
  } else if (IsDigit(stem[0])) {
    f.convention = Convention::kSectioned;
  } else {
    return NotAName();
  }
  std::size_t n = CountDigits(rest);
  f.version_text = std::string(rest.substr(0, n));
  STRATA_ASSIGN_OR_RETURN(f.version, ParseVersion(f.version_text));
  rest.remove_prefix(n);
  if (rest.empty() || rest[0] != '_') {
    if (f.convention == Convention::kSeed) return Bad("expected '_' after the version (v001_name.sql)");
    return Bad("expected '_' after the version (0001_name.up.sql or 20250130100000_name.sql)");
  }
  rest.remove_prefix(1);

  f.role = f.convention == Convention::kSeed ? FileRole::kUp : FileRole::kSectioned;
  // Read as part of the name, `.DOWN` would make 0001_x.DOWN.sql an up migration named "x.DOWN".
  for (std::string_view suffix : {".up", ".down"}) {
    if (EndsWithIgnoringCase(rest, suffix) && !rest.ends_with(suffix)) {
      return Bad(fmt::format("suffix '{}' must be written exactly '{}' (case-sensitive: 0001_name.up.sql + "
                             "0001_name.down.sql)",
                             rest.substr(rest.size() - suffix.size()), suffix));
    }
  }
  if (rest.ends_with(".up") || rest.ends_with(".down")) {
    if (f.convention == Convention::kSeed) {
      return Bad("v-prefixed migrations are up-only; name paired files 0001_name.up.sql / 0001_name.down.sql");
    }
    bool up = rest.ends_with(".up");
    f.convention = Convention::kPaired;
    f.role = up ? FileRole::kUp : FileRole::kDown;
    rest.remove_suffix(up ? 3 : 5);
  }
  f.name = std::string(rest);
  STRATA_RETURN_IF_ERROR(CheckName(f.name));
  return std::optional<FileName>(std::move(f));
}

}  // namespace strata::source
