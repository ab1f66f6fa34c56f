#include "base/url.h"

#include <gtest/gtest.h>

namespace strata::base {
namespace {

TEST(ParseDatabaseUrl, SqliteForms) {
  const std::pair<const char*, const char*> cases[] = {
      {"sqlite:app.db", "app.db"},
      {"sqlite:data/app.db", "data/app.db"},
      {"sqlite:///abs/path.db", "/abs/path.db"},
      {"sqlite3://rel/path.db", "rel/path.db"},
      {"SQLITE:x.db", "x.db"},
      {"sqlite::memory:", ":memory:"},
      {"sqlite:my%20db.db", "my db.db"},
  };
  for (const auto& [in, path] : cases) {
    auto r = ParseDatabaseUrl(in);
    ASSERT_TRUE(r.ok()) << in << ": " << r.status().message();
    EXPECT_EQ(r->kind, DatabaseUrl::Kind::kSqlite) << in;
    EXPECT_EQ(r->path, path) << in;
  }
}

TEST(ParseDatabaseUrl, PostgresUrl) {
  auto r = ParseDatabaseUrl("postgres://app:s%40cret@db.example.com:6543/prod?sslmode=require&application_name=x");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kind, DatabaseUrl::Kind::kPostgres);
  EXPECT_EQ(r->user, "app");
  EXPECT_EQ(r->password, "s@cret");
  EXPECT_EQ(r->host, "db.example.com");
  EXPECT_EQ(r->port, "6543");
  EXPECT_EQ(r->database, "prod");
  ASSERT_EQ(r->params.size(), 2u);
  EXPECT_EQ(r->params[0].first, "sslmode");
  EXPECT_EQ(r->params[0].second, "require");
  EXPECT_EQ(r->Redacted(), "postgres://app:****@db.example.com:6543/prod?sslmode=require&application_name=x");
}

TEST(ParseDatabaseUrl, PostgresIpv6AndConninfo) {
  auto v6 = ParseDatabaseUrl("postgresql://u@[::1]:5432/db");
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "5432");
  auto ci = ParseDatabaseUrl("host=localhost dbname=app password='p w\\'x' user=me");
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->kind, DatabaseUrl::Kind::kPostgres);
  EXPECT_EQ(ci->Redacted(), "host=localhost dbname=app password=**** user=me");
}

TEST(ParseDatabaseUrl, RejectsWithoutLeakingPasswords) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "no database URL: pass --url, set DATABASE_URL, or put url = \"...\" in strata.toml"},
      {"mysql://root:hunter2@localhost/db",
       "unsupported database URL: expected sqlite:path/to.db, "
       "sqlite:///abs/path.db, postgres://... or a libpq key=value string"},
      {"sqlite:", "SQLite URL has no file path (expected sqlite:path/to.db or sqlite:///abs/path.db)"},
      {"postgres:app", "PostgreSQL URL must look like postgres://user@host:port/database (a password goes after the "
                       "user, user:secret@)"},
      {"postgres://u:hunter2@h:12x/db", "invalid port in the PostgreSQL URL (expected digits after ':')"},
      {"postgres://u:hunter2@h/db%zz", "invalid percent-encoding in the URL's database name"},
      {"sqlite:a%2", "invalid percent-encoding in the URL's path"},
  };
  for (const auto& [in, message] : cases) {
    auto r = ParseDatabaseUrl(in);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), message) << in;
    EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos);
  }
}

// libpq and SQLite take C strings: a NUL (raw or %00) used to end the value silently, so
// sqlite:a.db%00.bak opened a.db and a password or host was cut short.
TEST(ParseDatabaseUrl, RejectsANulByteRawOrPercentEncoded) {
  const std::pair<std::string, const char*> cases[] = {
      {"sqlite:a.db%00.bak", "%00 (a NUL byte) in the URL's path"},
      {"postgres://u:hun%00ter2@h/db", "%00 (a NUL byte) in the URL's password"},
      {"postgres://u@h/d%00b", "%00 (a NUL byte) in the URL's database name"},
      {std::string("sqlite:a.db\0.bak", 16), "the database URL contains a NUL byte"},
      {std::string("postgres://u:hunter2\0@h/db", 26), "the database URL contains a NUL byte"},
  };
  for (const auto& [in, message] : cases) {
    auto r = ParseDatabaseUrl(in);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), message) << in;
  }
}

// libpq reads the user information only up to the first '@' and stops at a space: it took the
// rest of the password for a host name and echoed it in its error ("ss w0rd@127.0.0.1").
TEST(ParseDatabaseUrl, RefusesWhatLibpqWouldReadAsAHostName) {
  const std::pair<const char*, const char*> cases[] = {
      {"postgres://u:ss w0rd@127.0.0.1/db", "the PostgreSQL URL has a space before the host: write it as %20"},
      {"postgres://u:pa@ss@127.0.0.1/db",
       "the PostgreSQL URL has more than one '@': write an '@' in the user name or password as %40"},
  };
  for (const auto& [in, message] : cases) {
    auto r = ParseDatabaseUrl(in);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), message) << in;
  }
  EXPECT_EQ(ParseDatabaseUrl("postgres://u:ss%20w0rd@127.0.0.1/db")->password, "ss w0rd");
  EXPECT_EQ(ParseDatabaseUrl("postgres://u:pa%40ss@127.0.0.1/db")->password, "pa@ss");
}

// Found by fuzz/fuzz_url: each of these used to print the password.
TEST(RedactSecrets, RegressionLeaksFoundByFuzzing) {
  const std::pair<const char*, const char*> cases[] = {
      {"postgres://app:pa ss1234@db/app", "postgres://app:****@db/app"},
      {"postgres://app:pa\"ss1234@db/app", "postgres://app:****@db/app"},
      {"postgres://app:pa'ss1234@db/app", "postgres://app:****@db/app"},
      {"postgres://app:pw\n1234@db/app", "postgres://app:****@db/app"},
      {"host=h password=ab&cdefg dbname=x", "host=h password=**** dbname=x"},
      {"host=h password=ab\\ cdefg dbname=x", "host=h password=**** dbname=x"},
      {"host=h password\t=hunter22", "host=h password\t=****"},
      {"dbpassword= password = 'hunter22'", "dbpassword= **** = ****"},
      {"postgres://u:pa@host x password = hunter22", "postgres://u:****@host x password = ****"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(RedactSecrets(in), want) << in;
  auto bad = ParseDatabaseUrl("host\t=h password=hunter22:1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("hunter22"), std::string::npos) << bad.status().message();
}

TEST(RedactSecrets, MasksUrlPasswordsAndKeyValues) {
  EXPECT_EQ(RedactSecrets("connect to postgres://bob:pa:ss@h/db failed"), "connect to postgres://bob:****@h/db failed");
  EXPECT_EQ(RedactSecrets("PASSWORD = secret host=x"), "PASSWORD = **** host=x");
  EXPECT_EQ(RedactSecrets("postgres://bob@h/db"), "postgres://bob@h/db");
  // A value runs to whitespace, as in libpq's key=value syntax ('&' may be part of a password).
  EXPECT_EQ(RedactSecrets("?password=abc&x=1"), "?password=****");
  EXPECT_EQ(RedactSecrets("PGPASSWORD=hunter2 psql"), "PGPASSWORD=**** psql");
  EXPECT_EQ(RedactSecrets("no secrets here"), "no secrets here");
}

}  // namespace
}  // namespace strata::base
