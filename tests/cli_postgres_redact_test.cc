// The strata binary against PostgreSQL, for what a run shows: no password in any message, however
// the URL was written (against a closed port and against the test server, in text and --json),
// and the migration named when it breaks strata's history table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pg_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

constexpr int kSqlError = 4;

// `strata --url URL --dir DIR ARGS...`
ProcessResult Strata(const std::string& url, const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {STRATA_BINARY, "--url", url, "--dir", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, {"DATABASE_URL=", "PGPASSWORD=", "PGPASSFILE=/nonexistent"});
}

// ---------------------------------------------------------------------------------------------
// A migration that breaks strata's history table.

// On PostgreSQL the history row travels with COMMIT, so a migration that dropped the history table
// failed with `relation "public.strata_schema_history" does not exist`, naming no file.
TEST(CliPostgresHistory, MigrationDroppingTheHistoryTableIsNamedInTheError) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_drop.sql", "CREATE TABLE b (x int);\nDROP TABLE public.strata_schema_history;\n");
  const std::string path = dir.Path("m") + "/0002_drop.sql";
  ProcessResult r = Strata(db.url(), dir.Path("m"), {"up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + path +
                       ": migration 2 (drop) ran, but its outcome cannot be recorded in strata's history table; did "
                       "it drop, rename or alter that table? It did: after it, strata_schema_history is gone, and a "
                       "migration must leave that table alone (migration 2 (drop) was rolled back; the database is "
                       "still at version 1)\n")
      << Describe(r);
  EXPECT_EQ(db.QueryOne("SELECT string_agg(version::text || ':' || state, ',') FROM strata_schema_history"),
            "1:applied");
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), "0");

  // Renamed, or reshaped.
  dir.Write("m/0002_drop.sql", "ALTER TABLE strata_schema_history RENAME TO kept;\n");
  r = Strata(db.url(), dir.Path("m"), {"--json", "up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_NE(r.out.find("\"message\":\"" + path + ": migration 2 (drop) ran, but its outcome cannot be recorded"),
            std::string::npos)
      << Describe(r);
  EXPECT_NE(r.out.find("It did: after it, strata_schema_history is gone"), std::string::npos) << Describe(r);
  dir.Write("m/0002_drop.sql", "ALTER TABLE strata_schema_history DROP COLUMN checksum;\n");
  r = Strata(db.url(), dir.Path("m"), {"up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_NE(r.err.find("It did: after it, strata_schema_history no longer has its layout"), std::string::npos)
      << Describe(r);
}

// A migration that does not name the table (DROP SCHEMA ... CASCADE) is still named, with what the
// server said about the history write.
TEST(CliPostgresHistory, MigrationDroppingTheHistoryTableUnnamedIsNamedInTheError) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_reset.sql", "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n");
  ProcessResult r = Strata(db.url(), dir.Path("m"), {"up", "--force"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + dir.Path("m") +
                       "/0002_reset.sql: relation \"public.strata_schema_history\" does not exist (SQLSTATE 42P01) "
                       "(migration 2 (reset) was rolled back; the database is still at version 1)\n")
      << Describe(r);
  EXPECT_EQ(db.QueryOne("SELECT count(*) FROM strata_schema_history"), "1");
}

// Outside a transaction the change stays; dynamic SQL names no table, and the table is looked at
// after every such migration.
TEST(CliPostgresHistory, NoTransactionMigrationDroppingTheHistoryTableSaysTheChangeStays) {
  PgDatabase db;
  TempDir dir;
  dir.Write("m/0001_a.sql", "CREATE TABLE a (x int);\n");
  dir.Write("m/0002_drop.sql",
            "-- strata:no-transaction\nDO $$ BEGIN EXECUTE 'DROP TABLE strata_' || 'schema_history'; END $$;\n");
  ProcessResult r = Strata(db.url(), dir.Path("m"), {"up"});
  EXPECT_EQ(r.exit_code, kSqlError) << Describe(r);
  EXPECT_EQ(r.err, "strata: error: " + dir.Path("m") +
                       "/0002_drop.sql: migration 2 (drop) ran, but its outcome cannot be recorded in strata's "
                       "history table; did it drop, rename or alter that table? It did: after it, "
                       "strata_schema_history is gone, and a migration must leave that table alone (it ran outside "
                       "a transaction, so that change stays: put the table back as it was before running strata on "
                       "this database again)\n")
      << Describe(r);
}

}  // namespace
}  // namespace strata::testing
