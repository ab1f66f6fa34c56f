#include "base/url.h"

#include <algorithm>

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "base/text.h"

namespace strata::base {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() + 0 && i + 2 > s.size() - 1 + 1) {
      return Status(ErrorCode::kInvalidArgument, fmt::format("invalid percent-encoding in the URL's {}", what));
    }
    int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Status(ErrorCode::kInvalidArgument, fmt::format("invalid percent-encoding in the URL's {}", what));
    }
    if (hi == 0 && lo == 0) {
      // libpq and SQLite take C strings: the value would silently end there.
      return Status(ErrorCode::kInvalidArgument, fmt::format("%00 (a NUL byte) in the URL's {}", what));
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!q.empty()) {
    std::size_t amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    STRATA_ASSIGN_OR_RETURN(std::string key, PercentDecode(item.substr(0, eq), "query"));
    std::string value;
    if (eq != std::string_view::npos) {
      STRATA_ASSIGN_OR_RETURN(value, PercentDecode(item.substr(eq + 1), "query"));
    }
    if (key.empty()) return Status(ErrorCode::kInvalidArgument, "empty parameter name in the URL's query");
    params.emplace_back(std::move(key), std::move(value));
  }
  return params;
}

Result<DatabaseUrl> ParseSqlite(std::string_view rest, DatabaseUrl url) {
  std::size_t qpos = rest.find('?');
  std::string_view path = rest.substr(0, qpos);
  if (qpos != std::string_view::npos) {
    STRATA_ASSIGN_OR_RETURN(url.params, ParseQuery(rest.substr(qpos + 1)));
  }
  if (path.starts_with("///")) {
    path.remove_prefix(2);  // keep one '/': absolute path
  } else if (path.starts_with("//")) {
    path.remove_prefix(2);  // golang-migrate style sqlite3://relative/path
  }
  STRATA_ASSIGN_OR_RETURN(url.path, PercentDecode(path, "path"));
  if (url.path.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "SQLite URL has no file path (expected sqlite:path/to.db or sqlite:///abs/path.db)");
  }
  if (url.path.find('\0') != std::string::npos) {
    return Status(ErrorCode::kInvalidArgument, "SQLite URL path contains a NUL byte");
  }
  return url;
}

// libpq reads a URL itself, up to the first '@' that comes before any '/' for the user name and
// password, and to ':', '/', '?' or ',' for the host; strata reads the user information up to the
// last '@' before the first '/' or '?'. Where the two readings differ, a piece of the password
// reaches libpq as a host, port, database name or parameter and comes back in its error message.
// ParsePostgres refuses a second '@' and a space before the host; these are the other ways.
// `rest` follows "scheme://".
Status RefuseWhatLibpqSplitsElsewhere(std::string_view rest, std::string_view engine) {
  auto refuse = [&](std::string_view why) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("the {} URL has {}", engine, why));
  };
  for (char c : rest) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != ' ') || u == 0x7f) {
      return refuse("a control character: write it percent-encoded (a tab is %09)");
    }
  }
  std::size_t first = rest.find_first_of("@/");
  if (first != std::string_view::npos && rest[first] == '@') {
    if (rest.substr(0, first).find('?') != std::string_view::npos) {
      return refuse("a '?' in the user name or password: write it as %3F");
    }
  } else if (first != std::string_view::npos) {
    std::string_view path = rest.substr(first);
    if (path.substr(0, path.find('?')).find('@') != std::string_view::npos) {
      return refuse("an '@' after its first '/': write a '/' in the user name or password "
                    "as %2F (and an '@' in the database name as %40)");
    }
  }
  if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
    for (std::string_view query = rest.substr(q + 1); !query.empty();) {
      std::string_view item = query.substr(0, query.find('&'));
      query.remove_prefix(std::min(query.size(), item.size() + 1));
      if (!item.empty() && item.find('=') == std::string_view::npos) {
        return refuse("a query parameter without '=': write a '&' in a value as %26");
      }
    }
  }
  return Status::Ok();
}

// A server URL, scheme://user:password@host:port/database?key=value&..., read the way libpq reads
// it; `engine` names the engine in messages.
Result<DatabaseUrl> ParseServerUrl(std::string_view rest, DatabaseUrl url, std::string_view engine) {
  if (!rest.starts_with("//")) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{} URL must look like {}://user@host:port/database (a password goes "
                              "after the user, user:secret@)",
                              engine, url.scheme));
  }
  rest.remove_prefix(2);
  STRATA_RETURN_IF_ERROR(RefuseWhatLibpqSplitsElsewhere(rest, engine));
  std::size_t qpos = rest.find('?');
  if (qpos != std::string_view::npos) {
    STRATA_ASSIGN_OR_RETURN(url.params, ParseQuery(rest.substr(qpos + 1)));
    rest = rest.substr(0, qpos);
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    STRATA_ASSIGN_OR_RETURN(url.database, PercentDecode(rest.substr(slash + 1), "database name"));
  }
  std::size_t at = authority.rfind('@');
  // libpq ends the user information at the first '@' and stops at a space: a password written
  // with either would be read as part of the host name, and echoed back in libpq's error.
  if (at != std::string_view::npos && authority.find('@') != at) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("the {} URL has more than one '@': write an '@' in the user name or password as %40",
                              engine));
  }
  if (authority.find(' ') != std::string_view::npos) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("the {} URL has a space before the host: write it as %20", engine));
  }
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    STRATA_ASSIGN_OR_RETURN(url.user, PercentDecode(userinfo.substr(0, colon), "user name"));
    if (colon != std::string_view::npos) {
      STRATA_ASSIGN_OR_RETURN(url.password, PercentDecode(userinfo.substr(colon + 1), "password"));
    }
  }
  if (authority.starts_with("[")) {  // IPv6 literal
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status(ErrorCode::kInvalidArgument, fmt::format("unterminated IPv6 address in the {} URL", engine));
    }
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (authority.starts_with(":")) url.port = std::string(authority.substr(1));
    else if (!authority.empty()) {
      return Status(ErrorCode::kInvalidArgument, fmt::format("unexpected text after the IPv6 address in the {} URL", engine));
    }
  } else {
    std::size_t colon = authority.rfind(':');
    STRATA_ASSIGN_OR_RETURN(url.host, PercentDecode(authority.substr(0, colon), "host"));
    if (colon != std::string_view::npos) url.port = std::string(authority.substr(colon + 1));
  }
  for (char c : url.port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("invalid port in the {} URL (expected digits after ':')", engine));
    }
  }
  return url;
}

// A MariaDB/MySQL URL: the server URL form, read as for PostgreSQL so that the same rules keep a
// password in its place, then the connector's own settings. The parts go to the connector one by
// one (it never reads a URL itself).
Result<DatabaseUrl> ParseMariadb(std::string_view rest, DatabaseUrl url) {
  auto refuse = [](std::string_view why) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("the MariaDB URL {}", why));
  };
  std::string_view authority = rest.substr(0, rest.find_first_of("/?", rest.starts_with("//") ? 2 : 0));
  if (authority.find("@tcp(") != std::string_view::npos || authority.find("@unix(") != std::string_view::npos) {
    return refuse("uses the tcp(...) or unix(...) form of Go's MySQL driver: write mariadb://user@host:port/database, "
                  "or mariadb://user@/database?socket=/path/to/socket");
  }
  STRATA_ASSIGN_OR_RETURN(url, ParseServerUrl(rest, std::move(url), "MariaDB"));
  std::string socket, sslmode, sslrootcert, sslcert, sslkey;
  std::vector<std::string_view> seen;
  for (const auto& [key, value] : url.params) {
    // The connection takes the first of a repeated key: refused, so that no check reads another
    // one. (Only a known key gets this far twice: an unknown one is refused below at once.)
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return refuse(fmt::format("has the parameter {} more than once", key));
    }
    seen.push_back(key);
    if (key == "sslmode") {
      if (value != "disable" && value != "prefer" && value != "require" && value != "verify-ca" &&
          value != "verify-full") {
        return refuse("has an invalid sslmode (expected disable, prefer, require, verify-ca or verify-full)");
      }
      sslmode = value;
    } else if (key == "sslrootcert" || key == "sslcert" || key == "sslkey") {
      if (value.empty()) return refuse(fmt::format("has an empty {}", key));
      (key == "sslrootcert" ? sslrootcert : key == "sslcert" ? sslcert : sslkey) = value;
    } else if (key == "socket") {
      if (!value.starts_with("/")) return refuse("has a socket that is not an absolute path");
      socket = value;
    } else if (key == "connect_timeout" || key == "read_timeout" || key == "write_timeout") {
      std::optional<std::int64_t> seconds = ParseInt64(value);
      if (!seconds || *seconds < 1 || *seconds > 86400) {
        return refuse(fmt::format("has an invalid {} (expected whole seconds from 1 to 86400)", key));
      }
    } else {
      std::string lower = key;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.find("ssl") != std::string::npos || lower.find("tls") != std::string::npos) {
        // Go's tls=, MySQL's ssl-mode=, JDBC's useSSL=: TLS is set as for a PostgreSQL URL.
        return refuse("sets TLS with a parameter strata does not know: write sslmode=disable|prefer|require|"
                      "verify-ca|verify-full, with sslrootcert=/path/to/ca.pem to trust a CA of your own and "
                      "sslcert= and sslkey= for a client certificate");
      }
      // Not named: like every parse error, this one never quotes the input, which may hold a
      // secret where no reader expects it.
      return refuse("has an unknown parameter (known: socket, connect_timeout, read_timeout, write_timeout, "
                    "sslmode, sslrootcert, sslcert, sslkey)");
    }
  }
  if (sslmode.empty() && (!sslrootcert.empty() || !sslcert.empty())) {
    return refuse("names a certificate but no sslmode: add sslmode=verify-full (or verify-ca, require)");
  }
  if (sslmode == "disable" && (!sslrootcert.empty() || !sslcert.empty() || !sslkey.empty())) {
    return refuse("names a certificate with sslmode=disable");
  }
  if (!sslrootcert.empty() && sslmode != "verify-ca" && sslmode != "verify-full") {
    return refuse("has sslrootcert, which only sslmode=verify-ca or verify-full use");
  }
  if (sslmode == "verify-ca" && sslrootcert.empty()) {
    return refuse("has sslmode=verify-ca without sslrootcert=/path/to/ca.pem (the CA to check the server's "
                  "certificate against); verify-full checks against the system's CAs without one");
  }
  if (sslcert.empty() != sslkey.empty()) return refuse("has one of sslcert and sslkey without the other");
  if (url.port.empty() && !url.host.empty() && socket.empty()) url.port = "3306";
  if (!url.port.empty()) {
    std::optional<std::int64_t> port = ParseInt64(url.port);
    if (!port || *port < 1 || *port > 65535) return refuse("has a port outside 1 to 65535");
  }
  if (!socket.empty() && ((!url.host.empty() && url.host != "localhost") || !url.port.empty())) {
    return refuse("names both a host or port and a socket: leave the host out, as in "
                  "mariadb://user@/database?socket=/path/to/socket");
  }
  if (url.host.empty() && socket.empty()) {
    return refuse("names no host: write mariadb://user@host:port/database, or "
                  "mariadb://user@/database?socket=/path/to/socket for a unix socket");
  }
  if (url.database.empty()) return refuse("names no database: write mariadb://user@host:port/database");
  return url;
}

// libpq's reading of a "key=value ..." string: a key, '=' (blanks around it allowed), and a value
// in single quotes or up to the next blank, backslash escapes in both. A string that does not read
// that way is refused here, as libpq would refuse it, but before libpq can quote it back: a
// password with an unquoted space ends at the space, and libpq's error names the word after it
// (`missing "=" after "w0rd"`).
Status RefuseMalformedConninfo(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  const Status malformed(ErrorCode::kInvalidArgument,
                         "the libpq key=value string is not a list of key=value settings: put a value with a space "
                         "or a quote in single quotes, with \\' and \\\\ inside, as in application_name='nightly job'");
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i == s.size()) return Status::Ok();
    std::size_t key = i;
    while (i < s.size() && s[i] != '=' && !is_space(s[i])) ++i;
    if (i == key) return malformed;
    while (i < s.size() && is_space(s[i])) ++i;
    if (i == s.size() || s[i] != '=') return malformed;
    ++i;
    while (i < s.size() && is_space(s[i])) ++i;
    if (i < s.size() && s[i] == '\'') {
      for (++i;; ++i) {
        if (i == s.size()) return malformed;  // unterminated quote
        if (s[i] == '\\' && i + 1 < s.size()) {
          ++i;
        } else if (s[i] == '\'') {
          ++i;
          break;
        }
      }
    } else {
      while (i < s.size() && !is_space(s[i])) i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
    }
  }
}

bool LooksLikeConninfo(std::string_view s) {
  std::size_t eq = s.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  for (std::size_t i = 0; i < eq; ++i) {
    char c = s[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ')) return false;
  }
  return true;
}

}  // namespace

std::string DatabaseUrl::Redacted() const { return Scrub(raw); }

namespace {

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

// The values of the password key of a libpq "key=value ..." string (one ParseDatabaseUrl
// accepted), as libpq reads them (quotes and backslash escapes undone) and as written.
void ConninfoPasswords(std::string_view s, const std::function<void(std::string)>& add) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t i = 0; i + 8 <= s.size(); ++i) {
    if (Lower(s.substr(i, 8)) != "password") continue;
    std::size_t j = i + 8;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j >= s.size() || s[j] != '=') continue;
    ++j;
    while (j < s.size() && is_space(s[j])) ++j;
    bool quoted = j < s.size() && s[j] == '\'';
    std::size_t begin = quoted ? ++j : j;
    std::string value;
    while (j < s.size() && (quoted ? s[j] != '\'' : !is_space(s[j]))) {
      if (s[j] == '\\' && j + 1 < s.size()) ++j;
      value += s[j++];
    }
    add(std::move(value));
    add(std::string(s.substr(begin, j - begin)));
  }
}

}  // namespace

// libpq parses the URL itself and may echo any part of it; RedactSecrets stops at a space.
std::vector<std::string> DatabaseUrl::Secrets() const {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (s.size() >= 2 && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  // As libpq reads them, and percent-encoded, the form a URL may hold them in.
  std::vector<std::string> read = {password};
  for (const auto& [key, value] : params) {
    if (key == "password") read.push_back(value);
  }
  for (const std::string& r : read) {
    add(r);
    add(PercentEncode(r));
  }
  if (!conninfo.empty()) ConninfoPasswords(conninfo, add);
  std::size_t scheme = conninfo.empty() ? raw.find("://") : std::string::npos;
  if (scheme != std::string::npos) {
    std::string_view rest = std::string_view(raw).substr(scheme + 3);
    std::string_view authority = rest.substr(0, rest.find('/'));
    std::size_t at = authority.rfind('@');
    std::size_t colon = at == std::string_view::npos ? std::string_view::npos : authority.substr(0, at).find(':');
    if (colon != std::string_view::npos) add(std::string(authority.substr(colon + 1, at - colon - 1)));
    std::size_t query = raw.find("password=");
    if (query != std::string::npos) {
      std::string_view value = std::string_view(raw).substr(query + 9);
      add(std::string(value.substr(0, value.find('&'))));
    }
  }
  return out;
}

std::string DatabaseUrl::Scrub(std::string_view text) const { return ScrubSecrets(text, Secrets()); }

std::string ScrubSecrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out = RedactSecrets(text);
  auto in_word = [&](std::size_t i) {
    auto c = static_cast<unsigned char>(out[i]);
    return std::isalnum(c) || c == '_' || c >= 0x80;
  };
  auto mask = [&](std::string_view secret, bool whole_words_only) {
    for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 1)) {
      std::size_t end = at + secret.size();
      if (whole_words_only && ((at > 0 && in_word(at - 1)) || (end < out.size() && in_word(end)))) continue;
      out.replace(at, secret.size(), "****");
      at += 3;
    }
  };
  // Pieces of a secret, four characters or longer, between the characters in `delimiters`.
  auto pieces = [&](std::string_view secret, const char* delimiters, bool whole_words_only) {
    for (std::size_t b = 0, e; b < secret.size(); b = e + 1) {
      e = secret.find_first_of(delimiters, b);
      if (e == std::string::npos) e = secret.size();
      if (e - b >= 4 && e - b < secret.size()) mask(secret.substr(b, e - b), whole_words_only);
    }
  };
  for (const std::string& secret : secrets) {
    mask(secret, false);
    // RedactSecrets ends a value at a blank: what it left of a password with a space in it.
    pieces(secret, " \t\n", false);
    // What a parser that split the password handed on as a host, port, database name or parameter
    // (`could not translate host name "w0rd@host"`). Such a piece is masked only where it stands
    // on its own, so that "pass" of "pass:w0rd" leaves "password authentication failed" readable.
    pieces(secret, " \t\n\r\f\v@/?#:&=,;'\"\\", true);
  }
  return out;
}

namespace {
Result<DatabaseUrl> Parse(std::string_view text) {
  DatabaseUrl url;
  url.raw = std::string(text);
  if (text.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "no database URL: pass --url, set DATABASE_URL, or put url = \"...\" in strata.toml");
  }
  std::size_t colon = text.find(':');
  std::string scheme = colon == std::string_view::npos ? std::string() : Lower(text.substr(0, colon));
  if (scheme == "sqlite" || scheme == "sqlite3") {
    url.kind = DatabaseUrl::Kind::kSqlite;
    url.scheme = scheme;
    return ParseSqlite(text.substr(colon + 1), std::move(url));
  }
  if (scheme == "postgres" || scheme == "postgresql") {
    url.kind = DatabaseUrl::Kind::kPostgres;
    url.scheme = scheme;
    return ParseServerUrl(text.substr(colon + 1), std::move(url), "PostgreSQL");
  }
  if (scheme == "mariadb" || scheme == "mysql") {
    url.kind = DatabaseUrl::Kind::kMariadb;
    url.scheme = scheme;
    return ParseMariadb(text.substr(colon + 1), std::move(url));
  }
  if (LooksLikeConninfo(text)) {
    STRATA_RETURN_IF_ERROR(RefuseMalformedConninfo(text));
    url.kind = DatabaseUrl::Kind::kPostgres;
    url.conninfo = std::string(text);
    return url;
  }
  // Parse errors never echo the input, not even its scheme: it may hold a secret in a form that
  // redaction does not recognise.
  return Status(ErrorCode::kInvalidArgument,
                "unsupported database URL: expected sqlite:path/to.db, sqlite:///abs/path.db, postgres://..., "
                "a libpq key=value string, mariadb://... or mysql://...");
}

}  // namespace

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    return Status(ErrorCode::kInvalidArgument, "the database URL contains a NUL byte");
  }
  auto parsed = Parse(text);
  // A last net: no parse error may echo a secret, whatever part of the input it quotes.
  if (!parsed.ok()) return Status(parsed.status().code(), RedactSecrets(parsed.status().message()));
  return parsed;
}

namespace {

// Whether `text` shows one of `secrets` anywhere but inside `own` (the text strata put in itself).
bool Leaks(const std::vector<std::string>& secrets, const std::string& text, const std::string& own) {
  for (const std::string& secret : secrets) {
    if (text.find(secret) != std::string::npos && own.find(secret) == std::string::npos) return true;
  }
  return false;
}

std::string WithDatabase(const DatabaseUrl& url, std::string_view database, bool keep_password) {
  // The secrets worth masking: four characters or more, and written once in the input (text that
  // also appears elsewhere in it, a port equal to the password, is not the password's to hide).
  const std::string& given = url.conninfo.empty() ? url.raw : url.conninfo;
  std::vector<std::string> secrets;
  for (std::string& secret : url.Secrets()) {
    std::size_t first = given.find(secret);
    if (secret.size() >= 4 && first != std::string::npos && given.find(secret, first + 1) == std::string::npos) {
      secrets.push_back(std::move(secret));
    }
  }
  if (!url.conninfo.empty()) {
    // Usable: the string as given, then a dbname, which wins over an earlier one.
    if (keep_password) return url.conninfo + " dbname=" + std::string(database);
    // Printable: the dbname first (so the text still reads as key=value settings), then every
    // setting but the database and those that mention a password anywhere (password, sslpassword,
    // a value that reads like one) or hold any of Secrets().
    std::string out = "dbname=" + std::string(database);
    std::string safe = out;  // the same with only where to connect and as whom
    const std::string& in = url.conninfo;
    auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    std::size_t i = 0;
    while (i < in.size()) {
      std::size_t j = i;
      while (j < in.size() && is_space(in[j])) ++j;
      std::size_t begin = j;
      while (j < in.size() && in[j] != '=' && !is_space(in[j])) ++j;
      std::string key = Lower(std::string_view(in).substr(begin, j - begin));
      while (j < in.size() && is_space(in[j])) ++j;
      if (j < in.size() && in[j] == '=') ++j;
      while (j < in.size() && is_space(in[j])) ++j;
      bool quoted = j < in.size() && in[j] == '\'';
      if (quoted) ++j;
      while (j < in.size() && (quoted ? in[j] != '\'' : !is_space(in[j]))) {
        if (in[j] == '\\' && j + 1 < in.size()) ++j;
        ++j;
      }
      if (quoted && j < in.size()) ++j;
      std::string setting = in.substr(begin, j - begin);
      bool secret = Lower(setting).find("password") != std::string::npos;
      for (const std::string& s : secrets) secret = secret || setting.find(s) != std::string::npos;
      if (!setting.empty() && key != "dbname" && !secret) {
        out += " " + setting;
        if (key == "host" || key == "hostaddr" || key == "port" || key == "user") safe += " " + setting;
      }
      if (j == i) break;
      i = j;
    }
    // A secret can also run across settings (a password value that reads as more settings): then
    // only where to connect and as whom is kept, and if need be the database alone.
    const std::string name = "dbname=" + std::string(database);
    if (!Leaks(secrets, out, name)) return out;
    if (!Leaks(secrets, safe, name)) return safe;
    return name;
  }
  std::string_view raw = url.raw;
  std::size_t scheme_end = raw.find("://");
  if (scheme_end == std::string_view::npos) return url.raw;
  std::size_t begin = scheme_end + 3;
  std::size_t query = raw.find('?', begin);
  std::size_t slash = raw.find('/', begin);
  if (slash != std::string_view::npos && query != std::string_view::npos && slash > query) slash = std::string_view::npos;
  std::size_t authority_end = slash != std::string_view::npos ? slash : (query != std::string_view::npos ? query : raw.size());
  std::string authority(raw.substr(begin, authority_end - begin));
  std::size_t at = authority.rfind('@');
  if (!keep_password && at != std::string::npos) {
    std::size_t colon = authority.find(':');
    if (colon < at) authority.erase(colon, at - colon);
  }
  // A last net for what the structure keeps (a host name that reads "password=..."): any secret
  // still in the URL's own parts is masked, never the database name put in.
  auto mask = [&](std::string text) {
    if (keep_password) return text;
    for (const std::string& secret : secrets) {
      for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 4)) {
        text.replace(at, secret.size(), "****");
      }
    }
    return text;
  };
  // (A host part that holds a secret is replaced whole: masking inside it could make a port of it.)
  if (mask(authority) != authority) authority = "****";
  std::string out = std::string(raw.substr(0, begin)) + authority + "/" + PercentEncode(database);
  // libpq lets a dbname query parameter override the path: it would name the old database again.
  std::string params;
  std::string_view rest = query == std::string_view::npos ? std::string_view() : raw.substr(query + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view param = rest.substr(0, amp);
    const bool names_database = Lower(param.substr(0, param.find('='))) == "dbname";
    const bool secret = Lower(param).find("password") != std::string::npos || mask(std::string(param)) != param;
    if (!param.empty() && !names_database && (keep_password || !secret)) {
      params += (params.empty() ? "" : "&") + std::string(param);
    }
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  }
  if (keep_password) return params.empty() ? out : out + "?" + params;
  // A secret can straddle the parts masked one by one (a password value that ran from the host
  // name into the query): then the query goes, and if need be the host too.
  const std::string name = "/" + PercentEncode(database);
  if (!params.empty() && !Leaks(secrets, out + "?" + params, name)) return out + "?" + params;
  if (!Leaks(secrets, out, name)) return out;
  return std::string(raw.substr(0, begin)) + "****" + name;
}

}  // namespace

std::string UrlWithDatabase(const DatabaseUrl& url, std::string_view database, bool keep_password) {
  return WithDatabase(url, database, keep_password);
}

std::string RedactSecrets(std::string_view text) {
  // Errs on the side of masking: over-masking an error message costs a little clarity, a missed
  // password costs a credential. Each rule marks what it would hide, independently, over the
  // whole text; the union is masked, so one rule can never skip text that another must see.
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  std::vector<bool> hide(text.size(), false);
  auto mark = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < hide.size(); ++k) hide[k] = true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    // scheme://user:password@host: the authority runs to the first '/' or '?' (as in
    // ParseDatabaseUrl); the password from the first ':' to the last '@' in it. When there is no
    // '@' before that '/' or '?', the password may contain one of them (a URL that
    // ParseDatabaseUrl refuses, quoted back by some message): the authority then runs to the
    // first blank or quote.
    if (text.compare(i, 3, "://") == 0) {
      std::size_t start = i + 3;
      std::size_t end = text.find_first_of("/?", start);
      if (end == std::string_view::npos) end = text.size();
      if (text.substr(start, end - start).find('@') == std::string_view::npos) {
        end = text.find_first_of(" \t\n\r\f\v\"'", start);
        if (end == std::string_view::npos) end = text.size();
      }
      std::string_view authority = text.substr(start, end - start);
      std::size_t at = authority.rfind('@');
      std::size_t colon = authority.find(':');
      if (at != std::string_view::npos && colon != std::string_view::npos && colon < at) {
        mark(start + colon + 1, start + at);
      }
    }
    // password = value, in libpq's key=value syntax: optional whitespace around '=', a value that
    // is '...' with backslash escapes or runs to unescaped whitespace.
    if (text.size() - i >= 8 && Lower(text.substr(i, 8)) == "password") {
      std::size_t j = i + 8;
      while (j < text.size() && is_space(text[j])) ++j;
      if (j >= text.size() || text[j] != '=') continue;
      ++j;
      while (j < text.size() && is_space(text[j])) ++j;
      std::size_t value = j;
      if (j < text.size() && text[j] == '\'') {
        ++j;
        while (j < text.size() && text[j] != '\'') {
          if (text[j] == '\\' && j + 1 < text.size()) ++j;
          ++j;
        }
        if (j < text.size()) ++j;
      } else {
        while (j < text.size() && !is_space(text[j])) {
          if (text[j] == '\\' && j + 1 < text.size()) ++j;
          ++j;
        }
      }
      mark(value, j);
    }
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (!hide[i]) {
      out += text[i++];
      continue;
    }
    out += "****";
    while (i < text.size() && hide[i]) ++i;
  }
  return out;
}

}  // namespace strata::base
