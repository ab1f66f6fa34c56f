// Fuzzes strata::base::ParseDatabaseUrl and strata::base::RedactSecrets, and checks the promise
// that matters most: a password that was parsed out of the input never shows in Redacted() (nor in
// a parse error).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "base/url.h"
#include "fuzz_common.h"

namespace {

std::size_t CountOccurrences(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + 1)) ++n;
  return n;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The password of a postgres:// (or mariadb://, mysql://) URL exactly as written, found the way a URL reader would:
// authority = text after "//" up to the first '?' or '/', userinfo = before its last '@',
// password = after userinfo's first ':'.
std::optional<std::string_view> WrittenUrlPassword(std::string_view raw) {
  std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string scheme = Lower(raw.substr(0, colon));
  if (scheme != "postgres" && scheme != "postgresql" && scheme != "mariadb" && scheme != "mysql") return std::nullopt;
  std::string_view rest = raw.substr(colon + 1);
  if (!rest.starts_with("//")) return std::nullopt;
  rest.remove_prefix(2);
  rest = rest.substr(0, rest.find('?'));
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view userinfo = authority.substr(0, at);
  std::size_t c = userinfo.find(':');
  if (c == std::string_view::npos) return std::nullopt;
  return userinfo.substr(c + 1);
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

struct Span {
  std::size_t begin = 0, end = 0;
};

// Where the value of the `password` key of a libpq "key=value ..." string is written (inside the
// quotes, escapes included), reading the string the way libpq's conninfo_parse does: whitespace
// around '=', single-quoted values, backslash escapes. nullopt if it does not parse that way or
// has no password key.
std::optional<Span> ConninfoPassword(std::string_view s) {
  std::optional<Span> password;
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i == s.size()) break;
    std::size_t kb = i;
    while (i < s.size() && s[i] != '=' && !IsSpace(s[i])) ++i;
    std::string_view key = s.substr(kb, i - kb);
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i == s.size() || s[i] != '=') return std::nullopt;
    ++i;
    while (i < s.size() && IsSpace(s[i])) ++i;
    Span value;
    if (i < s.size() && s[i] == '\'') {
      value.begin = ++i;
      while (true) {
        if (i == s.size()) return std::nullopt;  // unterminated quote
        if (s[i] == '\\' && i + 1 < s.size()) {
          i += 2;
        } else if (s[i] == '\'') {
          break;
        } else {
          ++i;
        }
      }
      value.end = i++;
    } else {
      value.begin = i;
      while (i < s.size() && !IsSpace(s[i])) i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
      value.end = i;
    }
    if (key == "password") password = value;
  }
  return password;
}

// C-style escaped, for the report.
std::string Escaped(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += ch;
    } else if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// The fixed text of ParseDatabaseUrl's error messages (src/base/url.cc): a secret that happens to
// be part of it is not a leak.
// Keep in step with the messages in src/base/url.cc (none of them echoes the input any more).
constexpr std::string_view kMessageText =
    "no database URL: pass --url, set DATABASE_URL, or put url = \"...\" in strata.toml\n"
    "invalid percent-encoding in the URL's query\n"
    "invalid percent-encoding in the URL's path\n"
    "invalid percent-encoding in the URL's database name\n"
    "invalid percent-encoding in the URL's user name\n"
    "invalid percent-encoding in the URL's password\n"
    "invalid percent-encoding in the URL's host\n"
    "empty parameter name in the URL's query\n"
    "SQLite URL has no file path (expected sqlite:path/to.db or sqlite:///abs/path.db)\n"
    "SQLite URL path contains a NUL byte\n"
    "PostgreSQL URL must look like postgresql://user@host:port/database (a password goes after the user, "
    "user:secret@)\n"
    "PostgreSQL URL must look like postgres://user@host:port/database (a password goes after the user, "
    "user:secret@)\n"
    "the database URL contains a NUL byte\n"
    "%00 (a NUL byte) in the URL's query\n"
    "%00 (a NUL byte) in the URL's path\n"
    "%00 (a NUL byte) in the URL's database name\n"
    "%00 (a NUL byte) in the URL's user name\n"
    "%00 (a NUL byte) in the URL's password\n"
    "%00 (a NUL byte) in the URL's host\n"
    "the PostgreSQL URL has more than one '@': write an '@' in the user name or password as %40\n"
    "the PostgreSQL URL has a space before the host: write it as %20\n"
    "the PostgreSQL URL has a control character: write it percent-encoded (a tab is %09)\n"
    "the PostgreSQL URL has a '?' in the user name or password: write it as %3F\n"
    "the PostgreSQL URL has an '@' after its first '/': write a '/' in the user name or password as %2F (and an "
    "'@' in the database name as %40)\n"
    "the PostgreSQL URL has a query parameter without '=': write a '&' in a value as %26\n"
    "the libpq key=value string is not a list of key=value settings: put a value with a space or a quote in "
    "single quotes, with \\' and \\\\ inside, as in application_name='nightly job'\n"
    "unterminated IPv6 address in the PostgreSQL URL\n"
    "unexpected text after the IPv6 address in the PostgreSQL URL\n"
    "invalid port in the PostgreSQL URL (expected digits after ':')\n"
    "unsupported database URL: expected sqlite:path/to.db, sqlite:///abs/path.db, postgres://..., a libpq "
    "key=value string, mariadb://... or mysql://...\n"
    "MariaDB URL must look like mariadb://user@host:port/database (a password goes after the user, user:secret@)\n"
    "MariaDB URL must look like mysql://user@host:port/database (a password goes after the user, user:secret@)\n"
    "the MariaDB URL has more than one '@': write an '@' in the user name or password as %40\n"
    "the MariaDB URL has a space before the host: write it as %20\n"
    "the MariaDB URL has a control character: write it percent-encoded (a tab is %09)\n"
    "the MariaDB URL has a '?' in the user name or password: write it as %3F\n"
    "the MariaDB URL has an '@' after its first '/': write a '/' in the user name or password as %2F (and an "
    "'@' in the database name as %40)\n"
    "the MariaDB URL has a query parameter without '=': write a '&' in a value as %26\n"
    "unterminated IPv6 address in the MariaDB URL\n"
    "unexpected text after the IPv6 address in the MariaDB URL\n"
    "invalid port in the MariaDB URL (expected digits after ':')\n"
    "the MariaDB URL uses the tcp(...) or unix(...) form of Go's MySQL driver: write "
    "mariadb://user@host:port/database, or mariadb://user@/database?socket=/path/to/socket\n"
    "the MariaDB URL has a socket that is not an absolute path\n"
    "the MariaDB URL has an invalid connect_timeout (expected whole seconds from 1 to 86400)\n"
    "the MariaDB URL has an invalid read_timeout (expected whole seconds from 1 to 86400)\n"
    "the MariaDB URL has an invalid write_timeout (expected whole seconds from 1 to 86400)\n"
    "the MariaDB URL has an unknown parameter (known: socket, connect_timeout, read_timeout, write_timeout, "
    "sslmode, sslrootcert, sslcert, sslkey)\n"
    "the MariaDB URL has an invalid sslmode (expected disable, prefer, require, verify-ca or verify-full)\n"
    "the MariaDB URL has an empty sslrootcert\n"
    "the MariaDB URL has an empty sslcert\n"
    "the MariaDB URL has an empty sslkey\n"
    "the MariaDB URL sets TLS with a parameter strata does not know: write sslmode=disable|prefer|require|"
    "verify-ca|verify-full, with sslrootcert=/path/to/ca.pem to trust a CA of your own and sslcert= and sslkey= "
    "for a client certificate\n"
    "the MariaDB URL names a certificate but no sslmode: add sslmode=verify-full (or verify-ca, require)\n"
    "the MariaDB URL names a certificate with sslmode=disable\n"
    "the MariaDB URL has sslrootcert, which only sslmode=verify-ca or verify-full use\n"
    "the MariaDB URL has sslmode=verify-ca without sslrootcert=/path/to/ca.pem (the CA to check the server's "
    "certificate against); verify-full checks against the system's CAs without one\n"
    "the MariaDB URL has one of sslcert and sslkey without the other\n"
    "the MariaDB URL has the parameter socket more than once\n"
    "the MariaDB URL has the parameter connect_timeout more than once\n"
    "the MariaDB URL has the parameter read_timeout more than once\n"
    "the MariaDB URL has the parameter write_timeout more than once\n"
    "the MariaDB URL has the parameter sslmode more than once\n"
    "the MariaDB URL has the parameter sslrootcert more than once\n"
    "the MariaDB URL has the parameter sslcert more than once\n"
    "the MariaDB URL has the parameter sslkey more than once\n"
    "the MariaDB URL has a port outside 1 to 65535\n"
    "the MariaDB URL names both a host or port and a socket: leave the host out, as in "
    "mariadb://user@/database?socket=/path/to/socket\n"
    "the MariaDB URL names no host: write mariadb://user@host:port/database, or "
    "mariadb://user@/database?socket=/path/to/socket for a unix socket\n"
    "the MariaDB URL names no database: write mariadb://user@host:port/database\n";

// Checks that no part of the secret written at input[begin, end) shows in `shown`. A piece counts
// when it is the whole secret or any 4 bytes of it, has no '*' (the mask), and occurs exactly once
// in the input (so it can only come from the secret: RedactSecrets keeps pieces of its input and
// inserts "****" between them). For an error message, pieces of the message's own fixed text do
// not count.
void CheckNoLeak(std::string_view input, std::size_t begin, std::size_t end, std::string_view shown,
                 bool is_message, const char* what) {
  std::string_view secret = input.substr(begin, end - begin);
  if (secret.size() < 4) return;
  auto leaked = [&](std::string_view piece) {
    if (piece.find('*') != std::string_view::npos) return false;
    if (CountOccurrences(input, piece) != 1) return false;
    if (is_message && kMessageText.find(piece) != std::string_view::npos) return false;
    return shown.find(piece) != std::string_view::npos;
  };
  std::optional<std::string_view> piece;
  if (leaked(secret)) {
    piece = secret;
  } else {
    for (std::size_t i = 0; i + 4 <= secret.size() && !piece; ++i) {
      if (leaked(secret.substr(i, 4))) piece = secret.substr(i, 4);
    }
  }
  if (!piece) return;
  std::fprintf(stderr,
               "password leaked in %s\n  input:    \"%s\"\n  password: \"%s\" (bytes %zu..%zu)\n"
               "  leaked:   \"%s\"\n  shown:    \"%s\"\n",
               what, Escaped(input).c_str(), Escaped(secret).c_str(), begin, end, Escaped(*piece).c_str(),
               Escaped(shown).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strata::base::DatabaseUrl;
  const std::string input(reinterpret_cast<const char*>(data), size);

  // RedactSecrets must cope with any text.
  std::string redacted_text = strata::base::RedactSecrets(input);

  auto parsed = strata::base::ParseDatabaseUrl(input);

  // postgres://user:password@host (and mariadb://, mysql://): the password never shows, on success
  // or failure.
  if (auto written = WrittenUrlPassword(input)) {
    std::size_t b = static_cast<std::size_t>(written->data() - input.data()), e = b + written->size();
    CheckNoLeak(input, b, e, redacted_text, false, "RedactSecrets()");
    if (parsed.ok()) {
      if (written->find('%') == std::string_view::npos) FUZZ_CHECK(parsed->password == *written);
      CheckNoLeak(input, b, e, parsed->Redacted(), false, "DatabaseUrl::Redacted()");
    } else {
      CheckNoLeak(input, b, e, parsed.status().message(), true, "the ParseDatabaseUrl error");
    }
  }
  // A libpq "key=value ..." string: the value of its password key never shows.
  if (auto pw = ConninfoPassword(input)) {
    CheckNoLeak(input, pw->begin, pw->end, redacted_text, false, "RedactSecrets()");
    if (parsed.ok()) {
      CheckNoLeak(input, pw->begin, pw->end, parsed->Redacted(), false, "DatabaseUrl::Redacted()");
    } else {
      CheckNoLeak(input, pw->begin, pw->end, parsed.status().message(), true, "the ParseDatabaseUrl error");
    }
  }

  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == strata::ErrorCode::kInvalidArgument);
    return 0;
  }
  const DatabaseUrl& url = *parsed;
  FUZZ_CHECK(url.raw == input);
  std::string shown = url.Redacted();
  // Redacted() masks RedactSecrets' patterns and, beyond them, the password in every form the URL
  // holds it (a password with a space, which RedactSecrets cuts short).
  const std::vector<std::string> secrets = url.Secrets();
  if (secrets.empty()) FUZZ_CHECK(shown == redacted_text);
  for (const std::string& secret : secrets) {
    if (secret.find('*') == std::string::npos) FUZZ_CHECK(shown.find(secret) == std::string::npos);
  }

  if (url.kind == DatabaseUrl::Kind::kSqlite) {
    FUZZ_CHECK(url.scheme == "sqlite" || url.scheme == "sqlite3");
    FUZZ_CHECK(!url.path.empty());
    FUZZ_CHECK(url.path.find('\0') == std::string::npos);
    return 0;
  }
  // The URL of a test database (strata testdb): it parses again, names the new database, and the
  // printable form holds no password.
  constexpr std::string_view kDb = "strata_test_f";
  const std::string printable = strata::base::UrlWithDatabase(url, kDb, false);
  const std::string usable = strata::base::UrlWithDatabase(url, kDb, true);
  for (const std::string& secret : secrets) {
    if (secret.size() < 4 || CountOccurrences(input, secret) != 1) continue;
    if (std::string_view("/strata_test_f dbname=strata_test_f").find(secret) != std::string_view::npos) continue;
    if (printable.find(secret) != std::string::npos) {
      std::fprintf(stderr, "password in the printable test URL\n  input: \"%s\"\n  shown: \"%s\"\n",
                   Escaped(input).c_str(), Escaped(printable).c_str());
      std::abort();
    }
  }
  auto reparsed = strata::base::ParseDatabaseUrl(printable);
  auto reparsed_usable = strata::base::ParseDatabaseUrl(usable);
  FUZZ_CHECK(reparsed_usable.ok() && reparsed_usable->kind == url.kind);
  if (url.kind == DatabaseUrl::Kind::kMariadb) {
    // The printable form may have lost what a MariaDB URL needs (a socket parameter that held a
    // secret, a host masked whole): then it is refused, but never leaks.
    FUZZ_CHECK(url.scheme == "mariadb" || url.scheme == "mysql");
    FUZZ_CHECK(!url.database.empty() && (!url.host.empty() || !url.params.empty()));
    FUZZ_CHECK(reparsed_usable->database == kDb && reparsed_usable->password == url.password);
    if (!reparsed.ok()) {
      FUZZ_CHECK(reparsed.status().code() == strata::ErrorCode::kInvalidArgument);
      return 0;
    }
    FUZZ_CHECK(reparsed->database == kDb && reparsed->password.empty());
    for (char c : url.port) FUZZ_CHECK(c >= '0' && c <= '9');
    return 0;
  }
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(reparsed->kind == DatabaseUrl::Kind::kPostgres);
  if (url.conninfo.empty()) {
    FUZZ_CHECK(reparsed->database == kDb && reparsed_usable->database == kDb);
    FUZZ_CHECK(reparsed->password.empty());
    FUZZ_CHECK(reparsed_usable->password == url.password);
    // Unless the last net masked a secret-looking piece of them.
    if (printable.find("****") == std::string::npos) {
      FUZZ_CHECK(reparsed->host == url.host && reparsed->port == url.port && reparsed->user == url.user);
    }
  }

  if (!url.conninfo.empty()) {
    FUZZ_CHECK(url.scheme.empty());
    FUZZ_CHECK(url.conninfo == input);
    return 0;
  }
  FUZZ_CHECK(url.scheme == "postgres" || url.scheme == "postgresql");
  for (char c : url.port) FUZZ_CHECK(c >= '0' && c <= '9');
  for (const auto& [key, value] : url.params) FUZZ_CHECK(!key.empty());
  return 0;
}
