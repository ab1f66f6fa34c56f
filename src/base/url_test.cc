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
      {"oracle://root:hunter2@localhost/db",
       "unsupported database URL: expected sqlite:path/to.db, sqlite:///abs/path.db, postgres://..., a libpq "
       "key=value string, mariadb://... or mysql://..."},
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

TEST(ParseDatabaseUrl, MariadbForms) {
  auto r = ParseDatabaseUrl("mariadb://app:s%40cret@db.example.com:3307/prod?connect_timeout=5&read_timeout=60");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kind, DatabaseUrl::Kind::kMariadb);
  EXPECT_EQ(r->scheme, "mariadb");
  EXPECT_EQ(r->user, "app");
  EXPECT_EQ(r->password, "s@cret");
  EXPECT_EQ(r->host, "db.example.com");
  EXPECT_EQ(r->port, "3307");
  EXPECT_EQ(r->database, "prod");
  EXPECT_EQ(r->Redacted(), "mariadb://app:****@db.example.com:3307/prod?connect_timeout=5&read_timeout=60");

  auto mysql = ParseDatabaseUrl("MySQL://u@h/db");
  ASSERT_TRUE(mysql.ok()) << mysql.status().message();
  EXPECT_EQ(mysql->kind, DatabaseUrl::Kind::kMariadb);
  EXPECT_EQ(mysql->scheme, "mysql");
  EXPECT_EQ(mysql->port, "3306");

  auto socket = ParseDatabaseUrl("mariadb://u:p4ss@/db?socket=/run/mysqld/mysqld.sock");
  ASSERT_TRUE(socket.ok()) << socket.status().message();
  EXPECT_EQ(socket->host, "");
  EXPECT_EQ(socket->port, "");
  ASSERT_EQ(socket->params.size(), 1u);
  EXPECT_EQ(socket->params[0].second, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(socket->Redacted(), "mariadb://u:****@/db?socket=/run/mysqld/mysqld.sock");
  EXPECT_TRUE(ParseDatabaseUrl("mariadb://u@localhost/db?socket=/tmp/s").ok());

  auto v6 = ParseDatabaseUrl("mariadb://u:pw@[::1]:3310/db");
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "3310");
}

TEST(ParseDatabaseUrl, MariadbRejectsWithoutLeakingPasswords) {
  const char* const kOtherTls = "the MariaDB URL sets TLS with a parameter strata does not know: write "
                                "sslmode=disable|prefer|require|verify-ca|verify-full, with sslrootcert=/path/to/ca.pem "
                                "to trust a CA of your own and sslcert= and sslkey= for a client certificate";
  const std::pair<const char*, const char*> cases[] = {
      {"mariadb:app", "MariaDB URL must look like mariadb://user@host:port/database (a password goes after the user, "
                      "user:secret@)"},
      {"mariadb://u:hunter2@h/", "the MariaDB URL names no database: write mariadb://user@host:port/database"},
      {"mysql://u:hunter2@h", "the MariaDB URL names no database: write mariadb://user@host:port/database"},
      {"mariadb://u:hunter2@/db", "the MariaDB URL names no host: write mariadb://user@host:port/database, or "
                                  "mariadb://user@/database?socket=/path/to/socket for a unix socket"},
      {"mariadb://u:hunter2@h:99999/db", "the MariaDB URL has a port outside 1 to 65535"},
      {"mariadb://u:hunter2@h:0/db", "the MariaDB URL has a port outside 1 to 65535"},
      {"mariadb://u:hunter2@h:33x/db", "invalid port in the MariaDB URL (expected digits after ':')"},
      {"mariadb://u:hunter2@/db?socket=run/s.sock", "the MariaDB URL has a socket that is not an absolute path"},
      {"mariadb://u:hunter2@h:3306/db?socket=/s", "the MariaDB URL names both a host or port and a socket: leave the "
                                                  "host out, as in mariadb://user@/database?socket=/path/to/socket"},
      {"mysql://u:hunter2@tcp(h:3306)/db",
       "the MariaDB URL uses the tcp(...) or unix(...) form of Go's MySQL driver: write "
       "mariadb://user@host:port/database, or mariadb://user@/database?socket=/path/to/socket"},
      {"mariadb://u:hunter2@h/db?x9=1", "the MariaDB URL has an unknown parameter (known: socket, connect_timeout, "
                                        "read_timeout, write_timeout, sslmode, sslrootcert, sslcert, sslkey)"},
      {"mariadb://u:hunter2@h/db?sslmode=verify", "the MariaDB URL has an invalid sslmode (expected disable, prefer, "
                                                  "require, verify-ca or verify-full)"},
      {"mariadb://u:hunter2@h/db?sslmode=verify-ca", "the MariaDB URL has sslmode=verify-ca without "
                                                     "sslrootcert=/path/to/ca.pem (the CA to check the server's "
                                                     "certificate against); verify-full checks against the system's "
                                                     "CAs without one"},
      {"mariadb://u:hunter2@h/db?sslmode=require&sslrootcert=/ca.pem",
       "the MariaDB URL has sslrootcert, which only sslmode=verify-ca or verify-full use"},
      {"mariadb://u:hunter2@h/db?sslrootcert=/ca.pem",
       "the MariaDB URL names a certificate but no sslmode: add sslmode=verify-full (or verify-ca, require)"},
      {"mariadb://u:hunter2@h/db?sslmode=disable&sslcert=/c.pem&sslkey=/k.pem",
       "the MariaDB URL names a certificate with sslmode=disable"},
      {"mariadb://u:hunter2@h/db?sslmode=require&sslcert=/c.pem", "the MariaDB URL has one of sslcert and sslkey "
                                                                  "without the other"},
      {"mariadb://u:hunter2@h/db?sslmode=require&sslkey=", "the MariaDB URL has an empty sslkey"},
      {"mariadb://u:hunter2@h/db?sslmode=disable&sslmode=verify-full",
       "the MariaDB URL has the parameter sslmode more than once"},
      {"mysql://u:hunter2@h/db?tls=true", kOtherTls},
      {"mysql://u:hunter2@h/db?ssl-mode=REQUIRED", kOtherTls},
      {"mysql://u:hunter2@h/db?useSSL=true", kOtherTls},
      {"mysql://u:hunter2@h/db?ssl-ca=/ca.pem", kOtherTls},
      {"mariadb://u:hunter2@h/db?connect_timeout=0",
       "the MariaDB URL has an invalid connect_timeout (expected whole seconds from 1 to 86400)"},
      {"mariadb://u:hunter2@h/db?write_timeout=x",
       "the MariaDB URL has an invalid write_timeout (expected whole seconds from 1 to 86400)"},
      {"mariadb://u:hun@ter2@h/db",
       "the MariaDB URL has more than one '@': write an '@' in the user name or password as %40"},
      {"mariadb://u:hun/ter2@h/db", "the MariaDB URL has an '@' after its first '/': write a '/' in the user name or "
                                    "password as %2F (and an '@' in the database name as %40)"},
      {"mariadb://u:hun?ter2@h/db", "the MariaDB URL has a '?' in the user name or password: write it as %3F"},
  };
  for (const auto& [in, message] : cases) {
    auto r = ParseDatabaseUrl(in);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), message) << in;
    EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos);
    EXPECT_EQ(r.status().message().find("ter2"), std::string::npos);
  }
}

TEST(ParseDatabaseUrl, MariadbTlsSettings) {
  for (const char* ok : {"mariadb://u:p@h/db?sslmode=disable", "mariadb://u:p@h/db?sslmode=prefer",
                         "mariadb://u:p@h/db?sslmode=require&sslcert=/c.pem&sslkey=/k.pem",
                         "mariadb://u:p@h/db?sslmode=verify-ca&sslrootcert=/etc/ca.pem",
                         "mariadb://u:p@h/db?sslmode=verify-full", "mariadb://u:p@h/db?sslmode=verify-full&sslrootcert=ca.pem"}) {
    auto r = ParseDatabaseUrl(ok);
    ASSERT_TRUE(r.ok()) << ok << ": " << r.status().ToString();
    EXPECT_EQ(r->Redacted().find(":p@"), std::string::npos) << r->Redacted();
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

// libpq reads a URL's password up to the first '@' before any '/', strata up to the last '@' before
// the first '/' or '?': `postgres://u:ss/w0rd@h/db` reached libpq with "w0rd@h/db" as the database
// name, `postgres://u:ss?w0rd@h/db` with the password as a query parameter and shown unmasked by
// strata. Besides a second '@' and a space (above), every such URL is refused.
TEST(ParseDatabaseUrl, RefusesTheOtherUrlsThatLibpqWouldSplitElsewhere) {
  const std::string control = "the PostgreSQL URL has a control character: write it percent-encoded (a tab is %09)";
  const std::string question = "the PostgreSQL URL has a '?' in the user name or password: write it as %3F";
  const std::string slash = "the PostgreSQL URL has an '@' after its first '/': write a '/' in the user name or "
                            "password as %2F (and an '@' in the database name as %40)";
  const std::string query = "the PostgreSQL URL has a query parameter without '=': write a '&' in a value as %26";
  const std::pair<std::string, std::string> cases[] = {
      {"postgres://u:ss\tw0rd@h/db", control},
      {"postgres://u@h/db?password=s3cr3t\nx", control},
      {"postgres://u:ss?w0rd@h/db", question},
      {"postgres://h?user=a@b", question},
      {"postgres://u:ss/w0rd@127.0.0.1:1/db", slash},
      {"postgres://u:12/34@h:5/db", slash},
      {"postgres://h/db@x", slash},
      {"postgres://u:12/3?4@host/db", query},
      {"postgres://u@h/db?password=s3cr3t&x", query},
      {"postgres://u@h/db?sslmode", query},
  };
  for (const auto& [in, message] : cases) {
    auto r = ParseDatabaseUrl(in);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << in;
    EXPECT_EQ(r.status().message(), message) << in;
  }
}

// What libpq and strata read alike is accepted as before.
TEST(ParseDatabaseUrl, AcceptsUrlsThatLibpqSplitsTheSameWay) {
  const std::pair<const char*, const char*> cases[] = {
      {"postgres://u:ss#w0rd@h/db", "ss#w0rd"},
      {"postgres://u:pa:ss@h/db", "pa:ss"},
      {"postgres://u:p%40ss%2Fw%3F%20d@h/db", "p@ss/w? d"},
      {"postgres://u:pw@h1:5432,h2:5433/db?target_session_attrs=read-write", "pw"},
      {"postgres://u:pw@[::1]:5432/db", "pw"},
      {"postgres://h/db?user=a@b&password=x%20y", ""},
      {"postgres://h/db?application_name=nightly job", ""},
      {"postgres:///db?host=/var/run/postgresql", ""},
  };
  for (const auto& [in, password] : cases) {
    auto r = ParseDatabaseUrl(in);
    ASSERT_TRUE(r.ok()) << in << ": " << r.status().message();
    EXPECT_EQ(r->password, password) << in;
  }
}

// A libpq key=value string that libpq cannot read either is refused before libpq quotes it back:
// `password=ss w0rd` reached libpq, whose error named "w0rd".
TEST(ParseDatabaseUrl, RefusesKeyValueStringsThatLibpqCannotRead) {
  const std::string message = "the libpq key=value string is not a list of key=value settings: put a value with a "
                              "space or a quote in single quotes, with \\' and \\\\ inside, as in "
                              "application_name='nightly job'";
  for (const char* in : {"host=h password=ss w0rd", "host=h password='ss w0rd", "host=h password",
                         "host=h =w0rd", "host=h password=x y=z w0rd"}) {
    auto r = ParseDatabaseUrl(in);
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.status().message(), message) << in;
  }
  for (const char* in : {"host=h password='ss w0rd'", "host = h  password = 'it\\'s'", "host=h password=a\\ b",
                         "host=h dbname=x "}) {
    EXPECT_TRUE(ParseDatabaseUrl(in).ok()) << in;
  }
}

TEST(DatabaseUrl, SecretsHoldEveryFormOfThePassword) {
  auto url = ParseDatabaseUrl("postgres://u:p%40ss%3Aw0rd%23x@h/db");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->Secrets(), (std::vector<std::string>{"p@ss:w0rd#x", "p%40ss%3Aw0rd%23x"}));
  auto query = ParseDatabaseUrl("postgres://u@h/db?sslmode=disable&password=s3cr3t%2fpw");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->Secrets(), (std::vector<std::string>{"s3cr3t/pw", "s3cr3t%2Fpw", "s3cr3t%2fpw"}));
  auto conninfo = ParseDatabaseUrl("host=h password='ss w0rd' user=u");
  ASSERT_TRUE(conninfo.ok());
  EXPECT_EQ(conninfo->Secrets(), (std::vector<std::string>{"ss w0rd"}));
  auto escaped = ParseDatabaseUrl("host=h password=it\\'s");
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(escaped->Secrets(), (std::vector<std::string>{"it's", "it\\'s"}));
  EXPECT_TRUE(ParseDatabaseUrl("postgres://u@h/db")->Secrets().empty());
  EXPECT_TRUE(ParseDatabaseUrl("sqlite:a.db")->Secrets().empty());
}

// Messages from libpq: a piece of the password between a parser's delimiters is masked where it
// stands on its own, not inside a word (the whole password is masked everywhere).
TEST(ScrubSecrets, MasksPiecesOfThePasswordOutsideWords) {
  const std::vector<std::string> secrets = {"pass:w0rd@zebra42"};
  EXPECT_EQ(ScrubSecrets("could not translate host name \"zebra42@127.0.0.1\" to address", secrets),
            "could not translate host name \"****@127.0.0.1\" to address");
  EXPECT_EQ(ScrubSecrets("invalid integer value \"w0rd\" for connection option \"port\"", secrets),
            "invalid integer value \"****\" for connection option \"port\"");
  EXPECT_EQ(ScrubSecrets("FATAL: password authentication failed for user \"pass\"", secrets),
            "FATAL: password authentication failed for user \"****\"");
  EXPECT_EQ(ScrubSecrets("w0rds zebra42x x_zebra42 pass:w0rd@zebra42!", secrets), "w0rds zebra42x x_zebra42 ****!");
}

// Free text that quotes a URL which ParseDatabaseUrl refuses (a CLI usage error, a backup
// command): a '/' or '?' in the password used to end the authority before the '@'.
TEST(RedactSecrets, MasksAPasswordWithASlashOrQuestionMark) {
  EXPECT_EQ(RedactSecrets("'postgres://u:ss/w0rd@h/db' is not a strata command"),
            "'postgres://u:****@h/db' is not a strata command");
  EXPECT_EQ(RedactSecrets("pg_dump \"postgres://u:ss?w0rd@h:5/db\" > x"), "pg_dump \"postgres://u:****@h:5/db\" > x");
  EXPECT_EQ(RedactSecrets("see postgres://h:5432/db and postgres://u:pw@h/db"),
            "see postgres://h:5432/db and postgres://u:****@h/db");
}

// strata testdb's URLs: the same server and settings, another database; the printable form has no
// password in any of the places a URL or key=value string can hold one.
TEST(UrlWithDatabase, ReplacesTheDatabaseAndDropsThePasswordWhenAsked) {
  auto url = ParseDatabaseUrl("postgres://app:s3cret@db.example:6432/prod?sslmode=require&password=p4ss&application_name=x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(UrlWithDatabase(*url, "strata_test_1", true),
            "postgres://app:s3cret@db.example:6432/strata_test_1?sslmode=require&password=p4ss&application_name=x");
  EXPECT_EQ(UrlWithDatabase(*url, "strata_test_1", false),
            "postgres://app@db.example:6432/strata_test_1?sslmode=require&application_name=x");
  EXPECT_EQ(UrlWithDatabase(*ParseDatabaseUrl("postgresql://h"), "t", false), "postgresql://h/t");
  // A dbname parameter would override the path and name the old database again.
  EXPECT_EQ(UrlWithDatabase(*ParseDatabaseUrl("postgres://u:pw@h/?dbname=app&sslmode=require"), "t", true),
            "postgres://u:pw@h/t?sslmode=require");
  EXPECT_EQ(UrlWithDatabase(*ParseDatabaseUrl("postgres://u:pw@h/?DBNAME=app"), "t", false), "postgres://u@h/t");
  EXPECT_EQ(UrlWithDatabase(*ParseDatabaseUrl("postgres://u:pw@h?sslmode=disable"), "t", false),
            "postgres://u@h/t?sslmode=disable");
  EXPECT_EQ(UrlWithDatabase(*ParseDatabaseUrl("postgres://u:pw@[::1]:5/d"), "t", false), "postgres://u@[::1]:5/t");
  auto conninfo = ParseDatabaseUrl("host=h password='a b\\'' dbname=prod user=u");
  ASSERT_TRUE(conninfo.ok());
  EXPECT_EQ(UrlWithDatabase(*conninfo, "t", false), "dbname=t host=h user=u");
  EXPECT_EQ(UrlWithDatabase(*ParseDatabaseUrl("host=h sslpassword=k3y application_name=password_reset"), "t", false),
            "dbname=t host=h");
  EXPECT_EQ(UrlWithDatabase(*conninfo, "t", true), "host=h password='a b\\'' dbname=prod user=u dbname=t");
}

}  // namespace
}  // namespace strata::base
