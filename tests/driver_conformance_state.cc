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
