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
  enum class Kind { kSqlite, kPostgres, kMariadb };
  Kind kind = Kind::kSqlite;
  // As written, lower-cased: "sqlite", "sqlite3", "postgres", "postgresql", "mariadb", "mysql", or
  // "" for conninfo.
  std::string scheme;
  // SQLite: the file path (":memory:" for an in-memory database).
  std::string path;
  // PostgreSQL and MariaDB URL parts (percent-decoded). `conninfo` is set instead when the input
  // was a libpq "key=value ..." string. MariaDB: `port` is "3306" when a host is given without
  // one, and empty with a unix socket (`params` has socket=/path; the host is then empty or
  // "localhost").
  std::string user, password, host, port, database;
  std::vector<std::pair<std::string, std::string>> params;
  std::string conninfo;
  std::string raw;
  // PostgreSQL: connect to this database instead of the one the URL names (scratch databases on
  // the same server).
  std::string database_override;

  // The URL as given, with any password replaced by "****". Safe to print.
  std::string Redacted() const;
  // The password in every form this URL holds it (as decoded, as written, percent-encoded, a
  // password= parameter, a key=value string's password), two characters or longer: what no
  // message may show.
  std::vector<std::string> Secrets() const;
  // `text` (any message, e.g. one libpq wrote about this URL) with RedactSecrets applied and every
  // one of Secrets() masked.
  std::string Scrub(std::string_view text) const;
};

// Parses `sqlite:relative/path.db`, `sqlite:///abs/path.db`, `sqlite3:...`, `sqlite::memory:`,
// `postgres://user:pass@host:port/db?k=v`, `postgresql://...`, libpq "key=value" strings, and
// `mariadb://user:pass@host:port/db` or `mysql://...` (also `mariadb://user:pass@/db?socket=/path`;
// the other parameters are connect_timeout, read_timeout and write_timeout in seconds; a database
// is required; Go's `tcp(host:port)` form is refused with the form to use instead).
// A PostgreSQL URL goes to libpq as written, so one that libpq would split elsewhere than strata
// is refused: a second '@' or a space before the host, a control character, a '?' in the user
// name or password, an '@' after the first '/' (a '/' in the password), a query parameter
// without '='; so is a key=value string that libpq cannot read either. MariaDB URLs are read by
// the same rules, so that the password is always where strata masks it.
// Errors (kInvalidArgument) never contain the password.
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

// A PostgreSQL `url` as text that names `database` instead of its own: a URL with its path
// replaced (user, host, port and parameters as written), a key=value string with a dbname added.
// Without `keep_password` the password is left out (libpq then takes it from PGPASSWORD or
// ~/.pgpass), and so is every other setting or query parameter that mentions "password" in its name
// or value (sslpassword), so that the text may be printed.
std::string UrlWithDatabase(const DatabaseUrl& url, std::string_view database, bool keep_password);

// Masks secrets in free text: the password of any "scheme://user:password@" and the value of any
// "password=..." key (quoted or not). Used on every engine message before it is shown.
std::string RedactSecrets(std::string_view text);

// RedactSecrets, then every occurrence of each of `secrets` (and of each blank-separated part of
// one, four characters or longer) replaced by "****"; also each part of one, four characters or
// longer, between the characters a URL or key=value parser splits on, where it is not inside a
// longer word (letters, digits, '_').
std::string ScrubSecrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace strata::base
