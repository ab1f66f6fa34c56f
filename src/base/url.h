// Database URLs: parsing for every supported engine, and redaction so that no password is ever
// printed. Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/status.h"

namespace strata::base {

struct DatabaseUrl {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;
  std::string scheme;  // as written: "sqlite", "sqlite3", "postgres", "postgresql", or "" for conninfo
  // SQLite: the file path (":memory:" for an in-memory database).
  std::string path;
  // PostgreSQL URL parts (percent-decoded). `conninfo` is set instead when the input was a libpq
  // "key=value ..." string.
  std::string user, password, host, port, database;
  std::vector<std::pair<std::string, std::string>> params;
  std::string conninfo;
  std::string raw;
  // PostgreSQL: connect to this database instead of the one the URL names (scratch databases on
  // the same server).
  std::string database_override;

  // The URL as given, with any password replaced by "****". Safe to print.
  std::string Redacted() const;
  // The password in every form this URL holds it (as decoded, as written, a password= parameter),
  // two characters or longer: what no message may show.
  std::vector<std::string> Secrets() const;
  // `text` (any message, e.g. one libpq wrote about this URL) with RedactSecrets applied and every
  // one of Secrets() masked.
  std::string Scrub(std::string_view text) const;
};

// Parses `sqlite:relative/path.db`, `sqlite:///abs/path.db`, `sqlite3:...`, `sqlite::memory:`,
// `postgres://user:pass@host:port/db?k=v`, `postgresql://...` and libpq "key=value" strings.
// Errors (kInvalidArgument) never contain the password.
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

// Masks secrets in free text: the password of any "scheme://user:password@" and the value of any
// "password=..." key (quoted or not). Used on every engine message before it is shown.
std::string RedactSecrets(std::string_view text);

// RedactSecrets, then every occurrence of each of `secrets` (and of each blank-separated part of
// one, four characters or longer) replaced by "****".
std::string ScrubSecrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace strata::base
