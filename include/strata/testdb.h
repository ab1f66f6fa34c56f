// Test databases in milliseconds (docs/library.md, "Test databases"): a fresh, fully migrated
// database per test, cloned from a template that is built once per set of migrations.
#pragma once

#include <string>
#include <string_view>

#include "strata/migrator.h"
#include "strata/status.h"

namespace strata {

struct TestDatabaseOptions {
  // Where: a `sqlite:` URL such as the default (its path is ignored: templates and test databases are files in `dir`)
  // or a PostgreSQL URL naming a server and a database to connect to there; the user needs the
  // CREATEDB privilege.
  std::string url = "sqlite::memory:";
  // The options the template is migrated with (history table, schema, foreign keys, ...), and
  // lock_timeout: how long to wait for another process that is building the same template.
  Options options;
  // SQLite: the directory that holds the templates and the test databases (created if missing).
  // Empty: $TMPDIR/strata-testdb, else /tmp/strata-testdb.
  std::string dir;
};

struct CreatedTestDatabase {
  // The new database, ready to open (a PostgreSQL URL keeps the password the options' URL had).
  std::string url;
  // `url` without its password, safe to print (libpq then reads the password from PGPASSWORD or
  // ~/.pgpass); the same as `url` for SQLite and for a URL without a password.
  std::string printable_url;
  bool password_left_out = false;  // printable_url lacks a password that url has
  std::string name;           // its file name without ".db" (SQLite) or database name (PostgreSQL)
  std::string template_name;  // "strata_tpl_" + 16 hex digits of the migrations' fingerprint
  bool template_built = false;  // this call built the template (the migrations were new)
  double ms = 0;                // the whole call
};

// A new database with every migration of `source` applied, history included: a copy of the
// template for this set of migrations, which is built first (on a scratch database of that name,
// then renamed into place) when no template of that fingerprint exists. The fingerprint covers the
// migrations' versions, names and checksums, the checkpoints, the options that shape the result
// (history table, schema, foreign keys) and strata's version, so an edited, added or removed
// migration gives a new template; old templates are left in place (DropTestTemplates removes
// them). Many processes may call this at once: one builds, under a lock, the others wait for it
// (options.lock_timeout, then kAborted) and clone. Test databases are named
// "strata_test_<8 hex of the fingerprint>_<pid>_<random>". Errors: those of loading the
// migrations, of applying them (the location of the failing statement; no template is left), and
// of the server (kUnavailable, kUnauthenticated; a missing CREATEDB privilege is kSqlError).
Result<CreatedTestDatabase> CreateTestDatabase(const Source& source, const TestDatabaseOptions& options = {});

// Removes a test database that CreateTestDatabase made, given its URL (a PostgreSQL URL's server
// is reached through its "postgres" database). Refuses (kInvalidArgument) any database whose
// name does not start with "strata_test_", so that a wrong URL cannot drop a real database. A test
// database that is already gone is no error.
Status DropTestDatabase(std::string_view url);

// Removes every template (and with `instances`, every test database) that strata made in the
// place `options` names; returns how many databases were removed.
Result<std::size_t> DropTestTemplates(const TestDatabaseOptions& options, bool instances);

// A test database for the lifetime of this object: created by Create, removed (DropTestDatabase)
// by the destructor, unless Keep() was called (e.g. to look at it after a failing test).
//
//   TEST(Orders, Insert) {
//     auto db = strata::TestDatabase::Create(strata::Source::Directory("migrations"));
//     ASSERT_TRUE(db.ok()) << db.status().ToString();
//     Connect(db->url());  ...
//   }
class TestDatabase {
 public:
  static Result<TestDatabase> Create(const Source& source, const TestDatabaseOptions& options = {});

  TestDatabase(TestDatabase&& other) noexcept;
  TestDatabase& operator=(TestDatabase&& other) noexcept;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase();

  const std::string& url() const { return created_.url; }
  const CreatedTestDatabase& info() const { return created_; }
  // Removes the database now and reports how that went; the destructor then does nothing.
  Status Drop();
  // Leaves the database in place when this object is destroyed.
  void Keep() { keep_ = true; }

 private:
  explicit TestDatabase(CreatedTestDatabase created) : created_(std::move(created)) {}
  CreatedTestDatabase created_;
  bool keep_ = false;
};

}  // namespace strata
