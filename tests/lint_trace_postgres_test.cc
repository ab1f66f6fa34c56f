// The lock trace (strata::TraceLocks) on a real PostgreSQL server (the `pg` ctest fixture): an index
// build, a column type change and a foreign key report the locks and rewrites PostgreSQL documents,
// a no-transaction migration and a table created in the same migration are reported honestly, and
// the scratch database is gone afterwards, also after a failure or an interruption.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "pg_test_util.h"
#include "strata/migrator.h"

namespace strata::testing {
namespace {

const std::vector<Source::File> kFiles = {
    {"v001_base.sql",
     "CREATE TABLE parent (id int PRIMARY KEY);\n"
     "CREATE TABLE child (id int PRIMARY KEY, p_id int);\n"
     "CREATE TABLE t (id int PRIMARY KEY, c int);\n"
     "INSERT INTO parent SELECT g FROM generate_series(1, 100) g;\n"
     "INSERT INTO child SELECT g, g FROM generate_series(1, 100) g;\n"
     "INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;\n"},
    {"v002_index.sql",
     "-- an index build blocks writes, not reads\n"
     "CREATE INDEX t_c ON t (c);\n"},
    {"v003_type.sql",
     "ALTER TABLE t ALTER COLUMN c TYPE bigint;\n"
     "UPDATE t SET c = c + 1;\n"},
    {"v004_fk.sql", "ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (p_id) REFERENCES parent (id);\n"},
    {"v005_concurrently.sql",
     "-- strata:no-transaction\n"
     "CREATE INDEX CONCURRENTLY child_p ON child (p_id);\n"
     "VACUUM FULL parent;\n"},
    {"v006_new_table.sql",
     "CREATE TABLE audit (id int PRIMARY KEY, t_id int);\n"
     "ALTER TABLE audit ALTER COLUMN t_id TYPE bigint;\n"
     "INSERT INTO audit VALUES (1, 1);\n"},
};

ScratchOptions OnServer() {
  ScratchOptions scratch;
  scratch.url = PgServerUrl();
  return scratch;
}

// This process's scratch databases (their names carry the pid).
std::string ScratchDatabases() {
  return PgQuery(PgServerUrl(), "SELECT count(*) FROM pg_database WHERE datname LIKE 'strata\\_scratch\\_" +
                                    std::to_string(::getpid()) + "\\_%'")[0];
}

std::vector<std::string> Locks(const MigrationTrace& m) {
  std::vector<std::string> out;
  for (const TracedLock& l : m.locks) {
    out.push_back(l.table + " " + l.mode + " from " + l.location + (l.pre_existing ? "" : " (new)") + ": " +
                  l.statement);
  }
  return out;
}

std::vector<std::string> Rewrites(const MigrationTrace& m) {
  std::vector<std::string> out;
  for (const TracedRewrite& r : m.rewritten) out.push_back(r.table + " at " + r.location + ": " + r.statement);
  return out;
}

std::vector<std::string> Findings(const MigrationTrace& m) {
  std::vector<std::string> out;
  for (const LintFinding& f : m.findings) {
    out.push_back(f.rule + " " + LintSeverityName(f.severity) + " " + f.file + ":" + std::to_string(f.line) + ":" +
                  std::to_string(f.column) + " v" + std::to_string(f.version) + ": " + f.message + " [" + f.statement +
                  "]");
  }
  return out;
}

const MigrationTrace& Version(const LockTraceReport& report, std::uint64_t version) {
  for (const MigrationTrace& m : report.migrations) {
    if (m.version == version) return m;
  }
  static const MigrationTrace kNone;
  ADD_FAILURE() << "no trace of version " << version;
  return kNone;
}

TEST(PgLockTrace, ReportsTheDocumentedLocksAndRewritesOfEachMigration) {
  ASSERT_EQ(ScratchDatabases(), "0");
  auto report = TraceLocks(Source::Embedded(kFiles), OnServer(), {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->migrations.size(), 6u);
  EXPECT_EQ(ScratchDatabases(), "0");

  // v001 creates its tables: locked, but new, so nothing to warn about.
  const MigrationTrace& base = Version(*report, 1);
  EXPECT_TRUE(base.transactional);
  EXPECT_EQ(base.file, "embedded/v001_base.sql");
  EXPECT_EQ(Locks(base),
            (std::vector<std::string>{
                "public.parent AccessExclusiveLock from embedded/v001_base.sql:1 (new): CREATE TABLE parent (id "
                "int PRIMARY KEY)",
                "public.child AccessExclusiveLock from embedded/v001_base.sql:2 (new): CREATE TABLE child (id int "
                "PRIMARY KEY, p_id int)",
                "public.t AccessExclusiveLock from embedded/v001_base.sql:3 (new): CREATE TABLE t (id int PRIMARY "
                "KEY, c int)",
            }));
  EXPECT_TRUE(base.rewritten.empty());
  EXPECT_TRUE(base.findings.empty());

  // CREATE INDEX: SHARE on the table (writes wait, reads go on), no rewrite.
  const MigrationTrace& index = Version(*report, 2);
  EXPECT_EQ(Locks(index), (std::vector<std::string>{
                              "public.t ShareLock from embedded/v002_index.sql:2: CREATE INDEX t_c ON t (c)",
                          }));
  EXPECT_TRUE(index.rewritten.empty());
  EXPECT_TRUE(index.findings.empty());

  // ALTER COLUMN TYPE int -> bigint: ACCESS EXCLUSIVE and a rewrite, held across the UPDATE.
  const MigrationTrace& type = Version(*report, 3);
  EXPECT_EQ(Locks(type),
            (std::vector<std::string>{
                "public.t AccessExclusiveLock from embedded/v003_type.sql:1: ALTER TABLE t ALTER COLUMN c TYPE "
                "bigint",
            }));
  EXPECT_EQ(Rewrites(type), (std::vector<std::string>{
                                "public.t at embedded/v003_type.sql:1: ALTER TABLE t ALTER COLUMN c TYPE bigint",
                            }));
  EXPECT_EQ(Findings(type),
            (std::vector<std::string>{
                "PG100 warning embedded/v003_type.sql:1:1 v3: public.t is locked ACCESS EXCLUSIVE from this "
                "statement until the migration commits, while 1 later statement runs: no one can "
                "read or write it meanwhile [ALTER TABLE t ALTER COLUMN c TYPE bigint]",
            }));
  EXPECT_EQ(type.findings.at(0).hint, FindLintRule("PG100")->hint);

  // ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both the child and the parent, no rewrite.
  const MigrationTrace& fk = Version(*report, 4);
  EXPECT_EQ(Locks(fk),
            (std::vector<std::string>{
                "public.child ShareRowExclusiveLock from embedded/v004_fk.sql:1: ALTER TABLE child ADD CONSTRAINT "
                "child_parent_fk FOREIGN KEY (p_id) REFERENCES parent (id)",
                "public.parent ShareRowExclusiveLock from embedded/v004_fk.sql:1: ALTER TABLE child ADD CONSTRAINT "
                "child_parent_fk FOREIGN KEY (p_id) REFERENCES parent (id)",
            }));
  EXPECT_TRUE(fk.rewritten.empty());
  EXPECT_TRUE(fk.findings.empty());

  // Outside a transaction each statement releases its locks as it ends: none can be seen, but a
  // rewrite stays visible.
  const MigrationTrace& concurrently = Version(*report, 5);
  EXPECT_FALSE(concurrently.transactional);
  EXPECT_TRUE(concurrently.locks.empty());
  EXPECT_EQ(Rewrites(concurrently), (std::vector<std::string>{
                                        "public.parent at embedded/v005_concurrently.sql:3: VACUUM FULL parent",
                                    }));
  EXPECT_TRUE(concurrently.findings.empty());

  // A table made by the same migration blocks no one: reported as new, never rewritten, no PG100.
  const MigrationTrace& fresh = Version(*report, 6);
  EXPECT_EQ(Locks(fresh),
            (std::vector<std::string>{
                "public.audit AccessExclusiveLock from embedded/v006_new_table.sql:1 (new): CREATE TABLE audit "
                "(id int PRIMARY KEY, t_id int)",
            }));
  EXPECT_TRUE(fresh.rewritten.empty());
  EXPECT_TRUE(fresh.findings.empty());
}

TEST(PgLockTrace, AStrongerLockTakenLaterIsReportedAgainFromItsOwnStatement) {
  std::vector<Source::File> files = {kFiles[0],
                                     {"v002_both.sql",
                                      "CREATE INDEX t_c ON t (c);\n"
                                      "INSERT INTO parent VALUES (101);\n"
                                      "ALTER TABLE t ALTER COLUMN c TYPE bigint;\n"}};
  LintOptions options;
  options.files = {"v002_both.sql"};
  auto report = TraceLocks(Source::Embedded(files), OnServer(), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->migrations.size(), 1u);
  const MigrationTrace& both = report->migrations[0];
  EXPECT_EQ(Locks(both), (std::vector<std::string>{
                             "public.t ShareLock from embedded/v002_both.sql:1: CREATE INDEX t_c ON t (c)",
                             "public.t AccessExclusiveLock from embedded/v002_both.sql:3: ALTER TABLE t ALTER COLUMN c "
                             "TYPE bigint",
                         }));
  EXPECT_EQ(Rewrites(both), (std::vector<std::string>{
                                "public.t at embedded/v002_both.sql:3: ALTER TABLE t ALTER COLUMN c TYPE bigint",
                            }));
  EXPECT_TRUE(both.findings.empty()) << "the lock is taken by the last statement";
}

TEST(PgLockTrace, FilesSelectWhatIsReportedAndEarlierMigrationsOnlyBuildTheSchema) {
  LintOptions options;
  options.files = {"some/dir/v003_type.sql"};
  options.severity["PG100"] = LintSeverity::kError;
  auto report = TraceLocks(Source::Embedded(kFiles), OnServer(), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->migrations.size(), 1u);
  const MigrationTrace& type = report->migrations[0];
  EXPECT_EQ(type.version, 3u);
  EXPECT_EQ(type.name, "type");
  EXPECT_EQ(Rewrites(type), (std::vector<std::string>{
                                "public.t at embedded/v003_type.sql:1: ALTER TABLE t ALTER COLUMN c TYPE bigint",
                            }));
  ASSERT_EQ(type.findings.size(), 1u);
  EXPECT_EQ(type.findings[0].severity, LintSeverity::kError);
  EXPECT_EQ(ScratchDatabases(), "0");
}

TEST(PgLockTrace, Pg100TurnedOffGivesNoFindingButTheSameTrace) {
  LintOptions options;
  options.files = {"v003_type.sql"};
  options.severity["PG100"] = LintSeverity::kOff;
  auto report = TraceLocks(Source::Embedded(kFiles), OnServer(), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->migrations.size(), 1u);
  EXPECT_TRUE(report->migrations[0].findings.empty());
  EXPECT_EQ(report->migrations[0].locks.size(), 1u);
}

TEST(PgLockTrace, ALintIgnoreSilencesPg100ForItsStatementOnly) {
  std::vector<Source::File> files = {kFiles[0],
                                     {"v002_type.sql",
                                      "-- strata:lint-ignore PG100: t has 100 rows; the update is part of the change\n"
                                      "ALTER TABLE t ALTER COLUMN c TYPE bigint;\n"
                                      "ALTER TABLE parent ADD COLUMN note text DEFAULT random()::text;\n"
                                      "UPDATE t SET c = c + 1;\n"}};
  auto report = TraceLocks(Source::Embedded(files), OnServer(), {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const MigrationTrace& m = Version(*report, 2);
  ASSERT_EQ(m.findings.size(), 1u) << ::testing::PrintToString(Findings(m));
  EXPECT_EQ(m.findings[0].line, 3u);
  EXPECT_NE(m.findings[0].message.find("public.parent"), std::string::npos) << m.findings[0].message;
  EXPECT_EQ(m.locks.size(), 2u) << "the trace itself still lists both locks";
}

TEST(PgLockTrace, ANameThatIsNoMigrationIsNotFound) {
  LintOptions options;
  options.files = {"v009_missing.sql"};
  auto report = TraceLocks(Source::Embedded(kFiles), OnServer(), options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ScratchDatabases(), "0");
}

TEST(PgLockTrace, ASqliteScratchUrlIsRefused) {
  ScratchOptions scratch;
  scratch.url = "sqlite::memory:";
  auto report = TraceLocks(Source::Embedded(kFiles), scratch, {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(report.status().message(), "the lock trace needs PostgreSQL (--scratch-url)");
}

TEST(PgLockTrace, AFailingStatementStopsTheTraceAtItsLocationAndDropsTheScratchDatabase) {
  std::vector<Source::File> files = {kFiles[0],
                                     {"v002_bad.sql", "CREATE INDEX t_c ON t (c);\nALTER TABLE t ADD COLUMN c int;\n"}};
  auto report = TraceLocks(Source::Embedded(files), OnServer(), {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), ErrorCode::kSqlError);
  ASSERT_TRUE(report.status().location().has_value()) << report.status().ToString();
  EXPECT_EQ(report.status().location()->file, "embedded/v002_bad.sql");
  EXPECT_EQ(report.status().location()->line, 2u);
  EXPECT_EQ(report.status().location()->statement, "ALTER TABLE t ADD COLUMN c int");
  EXPECT_EQ(report.status().ToString(),
            "embedded/v002_bad.sql:2:1: column \"c\" of relation \"t\" already exists (SQLSTATE 42701) (migration 2 "
            "(bad) failed on the scratch database; the lock trace stops here)\n"
            "    ALTER TABLE t ADD COLUMN c int;\n"
            "    ^");
  EXPECT_EQ(ScratchDatabases(), "0");
}

TEST(PgLockTrace, TransactionControlInATransactionalMigrationIsRefusedBeforeAnythingRuns) {
  std::vector<Source::File> files = {kFiles[0], {"v002_commit.sql", "CREATE INDEX t_c ON t (c);\nCOMMIT;\n"}};
  auto report = TraceLocks(Source::Embedded(files), OnServer(), {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(report.status().location().has_value());
  EXPECT_EQ(report.status().location()->line, 2u);
  EXPECT_EQ(ScratchDatabases(), "0");
}

TEST(PgLockTrace, AnInterruptionStopsBeforeTheNextMigrationAndDropsTheScratchDatabase) {
  ScratchOptions scratch = OnServer();
  int asked = 0;
  scratch.interrupted = [&] { return ++asked == 2; };
  auto report = TraceLocks(Source::Embedded(kFiles), scratch, {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), ErrorCode::kAborted);
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(ScratchDatabases(), "0");
}

}  // namespace
}  // namespace strata::testing
