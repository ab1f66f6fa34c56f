// The conformance suite, part three: what a driver keeps beside the history table (the run log,
// the mirrored version), backups, and read-only opens. Where engines differ in what they can do,
// the instantiating file declares it (Capabilities) and the suite checks the declaration.
#include <sys/stat.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "driver_conformance.h"
#include "strata/schema.h"
#include "test_util.h"

namespace strata::testing {
namespace {

using driver::LogRow;

LogRow Entry(int n) {
  LogRow r;
  r.started_at = "2025-01-30T10:00:0" + std::to_string(n) + ".000Z";
  r.finished_at = "2025-01-30T10:00:0" + std::to_string(n) + ".250Z";
  r.command = "up";
  r.actor = "deploy" + std::to_string(n);
  r.from_version = static_cast<std::uint64_t>(n);
  r.to_version = static_cast<std::uint64_t>(n) + 1;
  r.migrations = std::to_string(n + 1);
  r.duration_ms = 250;
  r.outcome = "ok";
  r.strata_version = "test";
  return r;
}

void ExpectSameEntry(const LogRow& got, const LogRow& want) {
  EXPECT_EQ(got.started_at, want.started_at);
  EXPECT_EQ(got.finished_at, want.finished_at);
  EXPECT_EQ(got.command, want.command);
  EXPECT_EQ(got.actor, want.actor);
  EXPECT_EQ(got.from_version, want.from_version);
  EXPECT_EQ(got.to_version, want.to_version);
  EXPECT_EQ(got.migrations, want.migrations);
  EXPECT_DOUBLE_EQ(got.duration_ms, want.duration_ms);
  EXPECT_EQ(got.outcome, want.outcome);
  EXPECT_EQ(got.error, want.error);
  EXPECT_EQ(got.backup_file, want.backup_file);
  EXPECT_EQ(got.strata_version, want.strata_version);
}

bool HasTable(driver::Driver& d, const std::string& name) {
  auto s = d.Introspect({.include_strata_tables = true, .canonical_expressions = false});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return false;
  for (const schema::Table& t : s->tables) {
    if (t.name == name) return true;
  }
  return false;
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

TEST_P(DriverConformance, RunLogIsEmptyUntilTheFirstAppendCreatesIt) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  auto empty = d->ReadLog(10);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(HasTable(*d, "strata_schema_history_log")) << "reading the log must not create it";

  // No history table is needed: a run that failed before creating it is logged too.
  Status appended = d->AppendLog(Entry(1));
  ASSERT_TRUE(appended.ok()) << appended.ToString();
  EXPECT_TRUE(HasTable(*d, "strata_schema_history_log"));
  EXPECT_FALSE(*d->HistoryExists());
  // Committed in a transaction of its own: another connection sees it at once.
  auto other = OpenOrDie();
  auto rows = other->ReadLog(10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  ExpectSameEntry((*rows)[0], Entry(1));

  // The log follows the history table's name.
  driver::OpenOptions team;
  team.history_table = "team_history";
  auto t = OpenOrDie(team);
  EXPECT_TRUE(t->ReadLog(10)->empty());
  ASSERT_TRUE(t->AppendLog(Entry(2)).ok());
  EXPECT_TRUE(HasTable(*t, "team_history_log"));
  EXPECT_EQ(d->ReadLog(10)->size(), 1u);
}

TEST_P(DriverConformance, RunLogRoundTripsEveryField) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  LogRow r;
  r.started_at = "2025-01-30T10:00:00.125Z";
  r.finished_at = "2025-01-30T10:00:01.500Z";
  r.command = "down";
  r.actor = "José O'Brien@ci-runner \"7\"";
  r.from_version = 20250130100000ull;
  r.to_version = std::numeric_limits<std::uint64_t>::max();
  r.migrations = "20250130100000_add_users.sql,20250131090000_drop \"legacy\".sql";
  r.duration_ms = 1375.5;
  r.outcome = "failed";
  r.error =
      "near \"SELEC\": syntax error; it's 'quoted' \\ back\\slashed -- ünïcödé ✓ 日本語 🚀\n"
      "  second line\ttab";
  r.backup_file = "/var/backups/app.db.20250130100000.bak";
  r.strata_version = "1.2.3-test+build.4";
  Status st = d->AppendLog(r);
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto rows = d->ReadLog(5);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  ExpectSameEntry((*rows)[0], r);
  EXPECT_GT((*rows)[0].id, 0) << "the driver numbers the entries";
}

TEST_P(DriverConformance, RunLogIsNewestFirstAndLimited) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  for (int n = 1; n <= 3; ++n) ASSERT_TRUE(d->AppendLog(Entry(n)).ok());
  auto all = d->ReadLog(100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  for (int i = 0; i < 3; ++i) ExpectSameEntry((*all)[i], Entry(3 - i));
  EXPECT_GT((*all)[0].id, (*all)[1].id);
  EXPECT_GT((*all)[1].id, (*all)[2].id);

  auto two = d->ReadLog(2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].actor, "deploy3");
  EXPECT_EQ((*two)[1].actor, "deploy2");
  auto none = d->ReadLog(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(DriverConformance, RunLogRefusesATableWithAnotherLayout) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, "CREATE TABLE strata_schema_history_log (id integer, note text);"
                      "INSERT INTO strata_schema_history_log VALUES (1, 'theirs');"));
  Status appended = d->AppendLog(Entry(1));
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.code(), ErrorCode::kFailedPrecondition) << appended.ToString();
  EXPECT_NE(appended.message().find("strata_schema_history_log"), std::string::npos) << appended.message();
  auto read = d->ReadLog(10);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kFailedPrecondition) << read.status().ToString();
  EXPECT_EQ(ValueOr(d->CountRows("", "strata_schema_history_log"), -1), 1) << "their table was changed";
  // The refusal left no transaction open behind it.
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->Execute("CREATE TABLE after_refusal (x integer);", {.in_transaction = true}, nullptr).ok());
  ASSERT_TRUE(d->Commit().ok());
  EXPECT_TRUE(HasTable(*OpenOrDie(), "after_refusal"));
}

TEST_P(DriverConformance, BackupThenRestoreGivesTheDataBack) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, "CREATE TABLE kept (x integer); INSERT INTO kept VALUES (1), (2), (3);"));
  if (!can().backups) {
    EXPECT_EQ(d->DatabasePath(), "");
    TempDir dir;
    const std::string path = dir.Path("backup.db");
    Status backup = d->BackupTo(path);
    EXPECT_EQ(backup.code(), ErrorCode::kFailedPrecondition) << backup.ToString();
    Status restore = d->RestoreFrom(path);
    EXPECT_EQ(restore.code(), ErrorCode::kFailedPrecondition) << restore.ToString();
    EXPECT_FALSE(FileExists(path));
    EXPECT_EQ(ValueOr(d->CountRows("", "kept"), -1), 3);
    return;
  }

  ASSERT_FALSE(d->DatabasePath().empty()) << "an engine with backups names its database file";
  const std::string path = d->DatabasePath() + ".conformance.bak";
  Status backup = d->BackupTo(path);
  ASSERT_TRUE(backup.ok()) << backup.ToString();
  EXPECT_TRUE(FileExists(path));
  Status again = d->BackupTo(path);
  EXPECT_EQ(again.code(), ErrorCode::kFailedPrecondition) << "an existing file must never be overwritten";

  ASSERT_TRUE(Run(*d, "DELETE FROM kept; CREATE TABLE added_later (y integer);"));
  Status restore = d->RestoreFrom(path);
  ASSERT_TRUE(restore.ok()) << restore.ToString();
  EXPECT_EQ(ValueOr(d->CountRows("", "kept"), -1), 3);
  EXPECT_FALSE(HasTable(*d, "added_later"));
  EXPECT_EQ(ValueOr(OpenOrDie()->CountRows("", "kept"), -1), 3) << "another connection sees the restored data";

  // What cannot be restored leaves the database as it is.
  Status missing = d->RestoreFrom(path + ".missing");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound) << missing.ToString();
  const std::string junk = d->DatabasePath() + ".junk";
  std::ofstream(junk) << std::string(8192, 'x');
  Status not_a_database = d->RestoreFrom(junk);
  EXPECT_EQ(not_a_database.code(), ErrorCode::kInvalidArgument) << not_a_database.ToString();
  EXPECT_EQ(ValueOr(d->CountRows("", "kept"), -1), 3);
}

// The mirror is for tools that read the engine's own version slot: it must be committed with the
// migration, so a new connection is what reads it back.
TEST_P(DriverConformance, MirroredVersionIsReadBackByTheNextConnection) {
  const std::uint64_t max = can().max_mirrored_version;
  const std::uint64_t kTop = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t expected = 0;
  auto legacy = [&] {
    auto fresh = OpenOrDie();
    if (!fresh) return kTop;
    auto v = fresh->LegacyVersion();
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : kTop;
  };
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  EXPECT_EQ(legacy(), 0u);

  std::vector<std::uint64_t> versions = {7, 20250130100000ull, kTop};
  if (max > 0) versions.insert(versions.begin() + 1, {max, max - 1});
  if (max < kTop) versions.push_back(max + 1);
  for (std::uint64_t v : versions) {
    SCOPED_TRACE(v);
    ASSERT_TRUE(d->BeginWrite().ok());
    Status st = d->MirrorVersion(v);
    ASSERT_TRUE(st.ok()) << "a version with no place to go is not an error: " << st.ToString();
    ASSERT_TRUE(d->Commit().ok());
    if (v <= max) expected = v;
    EXPECT_EQ(legacy(), expected);
    EXPECT_EQ(ValueOr(d->LegacyVersion(), kTop), expected);
  }

  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->MirrorVersion(9).ok());
  d->Rollback();
  EXPECT_EQ(legacy(), expected) << "the mirror must be part of the transaction";
}

TEST_P(DriverConformance, ReadOnlyOpenOfAMissingDatabaseCreatesNothing) {
  driver::OpenOptions read_only;
  read_only.read_only = true;
  if (can().open_creates_database) {
    ASSERT_FALSE(harness_->DatabaseExists()) << "the harness must start without a database";
    auto d = OpenOrDie(read_only);
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->Writable());
    // It reads as an empty database...
    EXPECT_FALSE(ValueOr(d->HistoryExists(), true));
    EXPECT_EQ(ValueOr(d->LegacyVersion(), 1), 0u);
    EXPECT_TRUE(ValueOr(d->ReadLog(10), std::vector<LogRow>{Entry(1)}).empty());
    auto s = d->Introspect({.include_strata_tables = true});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_TRUE(s->tables.empty());
    EXPECT_TRUE(ValueOr(d->InvalidIndexes(), std::vector<std::string>{"error"}).empty());
    // ...and refuses every write, rather than keeping it somewhere it will be lost.
    EXPECT_FALSE(d->BeginWrite().ok());
    EXPECT_FALSE(d->CreateHistory().ok());
    EXPECT_FALSE(d->AppendLog(Entry(1)).ok());
    EXPECT_FALSE(d->Execute("CREATE TABLE t (x integer);", {.in_transaction = false}, nullptr).ok());
    EXPECT_FALSE(ValueOr(d->HistoryExists(), true));
    d.reset();
    EXPECT_FALSE(harness_->DatabaseExists()) << "a read-only open created the database";
  }

  // A writable open makes (or finds) the database; a read-only open then reads it like any other.
  auto w = OpenOrDie();
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->Writable());
  ASSERT_TRUE(w->CreateHistory().ok());
  EXPECT_TRUE(harness_->DatabaseExists());
  auto r = OpenOrDie(read_only);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->Writable()) << "Writable() is false only where there is no database yet";
  EXPECT_TRUE(ValueOr(r->HistoryExists(), false));
}

}  // namespace
}  // namespace strata::testing
