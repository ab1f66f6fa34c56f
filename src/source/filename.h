// Migration file names: the four conventions strata reads, and the errors for names that look
// like migrations but do not parse. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::source {

enum class Convention {
  kSeed,        // v001_name.sql              (up only)
  kPaired,      // 0001_name.up.sql / .down.sql (golang-migrate)
  kSectioned,   // 20250130100000_name.sql with -- migrate:up / -- migrate:down (dbmate)
  kFlyway,      // V1__name.sql / U1__name.sql
};

enum class FileRole { kUp, kDown, kSectioned };

struct FileName {
  std::uint64_t version = 0;
  std::string version_text;  // digits as written, leading zeros kept
  std::string name;
  FileRole role = FileRole::kUp;
  Convention convention = Convention::kSeed;
};

// Parses a file name (no directory part).
// - std::nullopt: not a migration candidate at all (no ".sql" ending in any letter case, or a
//   hidden file); ignore it. `.SQL` and `.Sql` are candidates like `.sql`.
// - kInvalidArgument: ends in ".sql" but is not a valid migration name; the message says why and
//   lists the accepted forms. It does not include the file name (the caller prefixes the path).
//   The role suffixes are case-sensitive: `0001_x.UP.sql` is refused, not read as a name "x.UP".
Result<std::optional<FileName>> ParseFileName(std::string_view file_name);

// The accepted forms, for error messages and help text.
inline constexpr std::string_view kAcceptedForms =
    "v001_name.sql, 0001_name.up.sql + 0001_name.down.sql, 20250130100000_name.sql (with "
    "-- migrate:up / -- migrate:down), V1__name.sql + U1__name.sql";

}  // namespace strata::source
