// The SQLite driver: the conformance suite plus what is peculiar to SQLite (files, user_version,
// foreign keys).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <climits>

#include "driver_conformance.h"
#include "drivers/registry.h"
#include "test_util.h"

namespace strata::testing {
namespace {

class SqliteHarness : public DriverHarness {
 public:
  Result<std::unique_ptr<driver::Driver>> Open(const driver::OpenOptions& options) override {
    auto url = base::ParseDatabaseUrl("sqlite:" + path());
    if (!url.ok()) return url.status();
    return driver::OpenDriver(*url, options);
  }
  bool DatabaseExists() const override {
    struct stat st {};
    return ::stat(path().c_str(), &st) == 0;
  }
  std::string path() const { return dir_.Path("test.db"); }

 private:
  TempDir dir_;
};

// A file beside the data: backups, user_version (31 bits), and the file appears on the first
// writable open; transactional DDL and partial indexes. No invalid indexes.
INSTANTIATE_TEST_SUITE_P(Sqlite, DriverConformance,
                         ::testing::Values(ConformanceParams{
                             .name = "sqlite",
                             .harness = [] { return std::make_unique<SqliteHarness>(); },
                             .can = {.backups = true,
                                     .max_mirrored_version = INT_MAX,
                                     .open_creates_database = true,
                                     .transactional_ddl = true,
                                     .partial_indexes = true},
                             .spelling = {.default_schema = "",
                                          .integer_type = "INTEGER",
                                          .text_type = "TEXT",
                                          .key_text_type = "TEXT",
                                          .primary_key_names = true,
                                          .unique_indexes_are_constraints = false,
                                          .unspecified_fk_action = "NO ACTION",
                                          .foreign_keys_make_indexes = false,
                                          .view_definition_start = "SELECT"},
                             .sql = {.identifier_quote = '"',
                                     .key_text = "text",
                                     .outside_transaction_only = "VACUUM;"},
                         }),
                         ConformanceName);

TEST(SqliteDriver, MirrorsVersionIntoUserVersionWhenItFits) {
  SqliteHarness h;
  auto d = h.Open({}).value();
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->MirrorVersion(7).ok());
  ASSERT_TRUE(d->Commit().ok());
  EXPECT_EQ(QueryOne(h.path(), "PRAGMA user_version"), "7");
  EXPECT_EQ(*d->LegacyVersion(), 7u);
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->MirrorVersion(20250130100000ull).ok());  // does not fit in 31 bits: left alone
  ASSERT_TRUE(d->Commit().ok());
  EXPECT_EQ(QueryOne(h.path(), "PRAGMA user_version"), "7");
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->MirrorVersion(9).ok());
  d->Rollback();
  EXPECT_EQ(QueryOne(h.path(), "PRAGMA user_version"), "7") << "user_version must be transactional";
}

TEST(SqliteDriver, ForeignKeyCheckBlamesOnlyNewViolations) {
  SqliteHarness h;
  // A legacy database with a violation made while foreign keys were off.
  Exec(h.path(),
       "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p(id));"
       "INSERT INTO c VALUES (99);");
  auto d = h.Open({}).value();
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->Execute("CREATE TABLE other (x INTEGER);", {.in_transaction = true}, nullptr).ok());
  EXPECT_TRUE(d->CheckIntegrity().ok()) << "a pre-existing violation was blamed on the migration";
  ASSERT_TRUE(d->Commit().ok());

  ASSERT_TRUE(d->BeginWrite().ok());
  // Foreign keys are enforced on the connection, so a direct insert fails at once...
  EXPECT_FALSE(d->Execute("INSERT INTO c VALUES (5);", {.in_transaction = true}, nullptr).ok());
  // ...and deferred checks (legacy_alter_table-style rebuilds) are caught by foreign_key_check.
  ASSERT_TRUE(d->Execute("PRAGMA defer_foreign_keys = ON; INSERT INTO c VALUES (6);", {.in_transaction = true}, nullptr).ok());
  Status st = d->CheckIntegrity();
  d->Rollback();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kSqlError);
  EXPECT_NE(st.message().find("found 1 row(s)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("has no matching row in p"), std::string::npos) << st.message();
}

TEST(SqliteDriver, ForeignKeyCheckSeesTablesTheMigrationNeverNames) {
  SqliteHarness h;
  Exec(h.path(),
       "PRAGMA foreign_keys = ON; CREATE TABLE p (id INTEGER PRIMARY KEY); "
       "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p(id)); "
       "CREATE TABLE gc (cid INTEGER REFERENCES c(id)); "
       "INSERT INTO p VALUES (1), (2); INSERT INTO c VALUES (1, 1), (2, 2); INSERT INTO gc VALUES (1);");
  auto d = h.Open({}).value();
  ASSERT_TRUE(d->BeginWrite().ok());
  // SQLite's table rebuild, done carelessly: the new parent loses row 1, which c still references.
  Status st = d->Execute(
      "PRAGMA defer_foreign_keys = ON;\n"
      "CREATE TABLE p_new (id INTEGER PRIMARY KEY);\n"
      "INSERT INTO p_new SELECT id FROM p WHERE id <> 1;\n"
      "DROP TABLE p;\n"
      "ALTER TABLE p_new RENAME TO p;\n",
      {.in_transaction = true}, nullptr);
  ASSERT_TRUE(st.ok()) << st.ToString();
  Status check = d->CheckIntegrity();
  d->Rollback();
  ASSERT_FALSE(check.ok()) << "an orphaned row in a table the migration never named went unnoticed";
  EXPECT_NE(check.message().find("c row 1 has no matching row in p"), std::string::npos) << check.message();
  EXPECT_EQ(QueryOne(h.path(), "SELECT count(*) FROM p"), "2") << "the rebuild must have been rolled back";
}

TEST(SqliteDriver, ForeignKeysCanBeTurnedOff) {
  SqliteHarness h;
  driver::OpenOptions off;
  off.foreign_keys = false;
  auto d = h.Open(off).value();
  ASSERT_TRUE(d->Execute("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p(id));"
                         "INSERT INTO c VALUES (1);",
                         {.in_transaction = false}, nullptr)
                  .ok());
  EXPECT_TRUE(d->CheckIntegrity().ok());
}

TEST(SqliteDriver, NotADatabaseIsUnavailable) {
  TempDir dir;
  dir.Write("junk.db", std::string(4096, 'x'));
  auto url = base::ParseDatabaseUrl("sqlite:" + dir.Path("junk.db"));
  auto d = driver::OpenDriver(*url, {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(d.status().message().find("file is not a database"), std::string::npos) << d.status().message();
}

TEST(SqliteDriver, MissingDirectoryIsUnavailable) {
  auto url = base::ParseDatabaseUrl("sqlite:/nonexistent-dir-for-strata/x.db");
  auto d = driver::OpenDriver(*url, {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kUnavailable);
}

TEST(SqliteDriver, ExplainsStatementsThatCannotRunInATransaction) {
  SqliteHarness h;
  auto d = h.Open({}).value();
  ASSERT_TRUE(d->BeginWrite().ok());
  Status st = d->Execute("VACUUM;", {.in_transaction = true}, nullptr);
  d->Rollback();
  ASSERT_FALSE(st.ok());
  // The driver classifies; the engine words the advice (MigratorTest.StatementThatCannotRunInATransactionSaysSo).
  EXPECT_TRUE(d->CannotRunInTransaction(st)) << st.message();
  EXPECT_TRUE(d->Execute("VACUUM;", {.in_transaction = false}, nullptr).ok());
}

}  // namespace
}  // namespace strata::testing
