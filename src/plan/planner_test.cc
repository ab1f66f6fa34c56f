#include "plan/planner.h"

#include <gtest/gtest.h>

namespace strata::plan {
namespace {

Available File(std::uint64_t v, bool down = true) {
  return {v, "m" + std::to_string(v), "sha256:" + std::to_string(v), "dir/v" + std::to_string(v) + ".sql", down};
}
Applied Done(std::uint64_t v, AppliedState s = AppliedState::kApplied) {
  return {v, "m" + std::to_string(v), "sha256:" + std::to_string(v), s, "2025-01-01T00:00:00.000Z", 1.0};
}
using V = std::vector<std::uint64_t>;

TEST(PlanUp, AppliesPendingInOrderUpToTarget) {
  std::vector<Available> files = {File(10), File(2), File(1), File(3)};
  std::vector<Applied> applied = {Done(1)};
  auto all = PlanUp(files, applied, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (V{2, 3, 10}));
  auto to3 = PlanUp(files, applied, {3, false});
  ASSERT_TRUE(to3.ok());
  EXPECT_EQ(*to3, (V{2, 3}));
  auto to5 = PlanUp(files, applied, {5, false});  // a target between files is fine
  EXPECT_EQ(*to5, (V{2, 3}));
}

TEST(PlanUp, NothingToDoIsAnEmptyPlan) {
  auto r = PlanUp({File(1)}, {Done(1)}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  auto none = PlanUp({}, {}, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(PlanUp, RefusesDirty) {
  auto r = PlanUp({File(1), File(2)}, {Done(1), Done(2, AppliedState::kDirty)}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("migration 2 (m2) is dirty"), std::string::npos);
  EXPECT_NE(r.status().message().find("strata repair"), std::string::npos);
}

Applied Partial(std::uint64_t v, std::string progress) {
  Applied a = Done(v, AppliedState::kDirty);
  a.progress = std::move(progress);
  return a;
}

TEST(PlanUp, APartialMigrationResumesInOrderEvenWithItsFileEdited) {
  Available fixed = File(2);
  fixed.checksum = "sha256:fixed";  // the failing statement was corrected
  auto r = PlanUp({File(1), fixed, File(3)}, {Done(1), Partial(2, "aaaa bbbb")}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, (V{2, 3}));
  std::vector<Applied> applied = {Done(1), Partial(2, "")};
  std::vector<Entry> entries = Classify({File(1), fixed, File(3)}, applied);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].state, EntryState::kPartial);
  EXPECT_STREQ(EntryStateName(entries[1].state), "partial");
  EXPECT_EQ(CurrentVersion(applied), 1u) << "a partial migration is not applied";
}

TEST(PlanUp, APartialMigrationWithoutItsFileOrLeftOutByTheTargetIsRefused) {
  auto gone = PlanUp({File(1)}, {Done(1), Partial(2, "aaaa")}, {});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(gone.status().message().find("migration 2 (m2) is dirty"), std::string::npos) << gone.status().message();
  auto below = PlanUp({File(1), File(2), File(3)}, {Done(1), Partial(3, "aaaa")}, {2, false});
  ASSERT_FALSE(below.ok());
  EXPECT_NE(below.status().message().find("migration 3 (m3) is partial"), std::string::npos)
      << below.status().message();
  EXPECT_NE(below.status().message().find("--to 3"), std::string::npos) << below.status().message();
}

TEST(PlanDown, APartialMigrationIsRolledBackOnlyWhenConfirmed) {
  std::vector<Available> files = {File(1), File(2)};
  std::vector<Applied> applied = {Done(1), Partial(2, "aaaa")};
  auto refused = PlanDown(files, applied, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("migration 2 (m2) is partial"), std::string::npos);
  ASSERT_EQ(refused.status().remedies().size(), 1u);
  EXPECT_EQ(refused.status().remedies()[0], Remedy::kForce);
  DownRequest confirmed;
  confirmed.partial = true;
  auto r = PlanDown(files, applied, confirmed);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, (V{2}));
  // A plain dirty migration still blocks, confirmed or not.
  EXPECT_FALSE(PlanDown(files, {Done(1), Done(2, AppliedState::kDirty)}, confirmed).ok());
}

TEST(PlanUp, RefusesEditedAppliedMigration) {
  Available edited = File(1);
  edited.checksum = "sha256:other";
  auto r = PlanUp({edited, File(2)}, {Done(1)}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "applied migrations were edited after they ran (checksum differs):\n  1 (m1) (dir/v1.sql)\n"
            "Restore the original files, or write a new migration for the change. If the edit is harmless (a "
            "comment), run `strata repair --checksums`.");
}

TEST(PlanUp, OutOfOrderNeedsPermission) {
  std::vector<Available> files = {File(1), File(2), File(3)};
  std::vector<Applied> applied = {Done(1), Done(3)};
  auto refused = PlanUp(files, applied, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            "pending migrations are older than the current version 3 (merged from another branch?):\n  2 (m2) "
            "(dir/v2.sql)\nRenumber them above 3, or pass --allow-out-of-order to apply them anyway");
  auto allowed = PlanUp(files, applied, {std::nullopt, true});
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(*allowed, (V{2}));
}

TEST(PlanUp, TargetBelowCurrentIsAnError) {
  auto r = PlanUp({File(1), File(2)}, {Done(1), Done(2)}, {1, false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "target version 1 is below the current version 2; use `strata down --to 1` to roll back");
}

TEST(PlanUp, BaselineMarkerWithoutFileCountsAsApplied) {
  Applied marker = Done(5, AppliedState::kBaseline);
  marker.checksum = "";
  auto r = PlanUp({File(6)}, {marker}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (V{6}));
}

TEST(PlanDown, DefaultsToOneStepNewestFirst) {
  std::vector<Available> files = {File(1), File(2), File(3)};
  std::vector<Applied> applied = {Done(3), Done(1), Done(2)};
  EXPECT_EQ(*PlanDown(files, applied, {}), (V{3}));
  EXPECT_EQ(*PlanDown(files, applied, {std::nullopt, 2}), (V{3, 2}));
  EXPECT_EQ(*PlanDown(files, applied, {std::nullopt, 10}), (V{3, 2, 1}));
  EXPECT_EQ(*PlanDown(files, applied, {1, std::nullopt}), (V{3, 2}));
  EXPECT_EQ(*PlanDown(files, applied, {0, std::nullopt}), (V{3, 2, 1}));
  EXPECT_TRUE(PlanDown(files, {}, {})->empty());
}

TEST(PlanDown, RefusesWithoutDownPartAndExplainsForwardFix) {
  auto r = PlanDown({File(1), File(2, /*down=*/false)}, {Done(1), Done(2)}, {std::nullopt, 2});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "migration 2 (m2) has no down migration (dir/v2.sql), so it cannot be rolled back.\n"
            "Fix forward instead: `strata new fix_m2` creates a migration that corrects it, and `strata up` "
            "applies it.");
}

TEST(PlanDown, RefusesMissingFileAndBaselineMarker) {
  auto missing = PlanDown({File(1)}, {Done(1), Done(2)}, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "cannot roll back 2 (m2): its migration file is missing");
  Applied marker = Done(5, AppliedState::kBaseline);
  marker.checksum = "";
  auto base = PlanDown({}, {marker}, {});
  ASSERT_FALSE(base.ok());
  EXPECT_EQ(base.status().message(), "cannot roll back below the baseline at version 5");
}

TEST(Classify, EveryState) {
  Available changed = File(2);
  changed.checksum = "sha256:new";
  Applied marker = Done(0, AppliedState::kBaseline);
  marker.checksum = "";
  std::vector<Available> files = {File(1), changed, File(4), File(6), File(3)};
  std::vector<Applied> applied = {marker, Done(1), Done(2), Done(3, AppliedState::kDirty), Done(5)};
  auto entries = Classify(files, applied);
  std::vector<std::pair<std::uint64_t, EntryState>> got;
  for (const Entry& e : entries) got.emplace_back(e.version, e.state);
  std::vector<std::pair<std::uint64_t, EntryState>> want = {
      {0, EntryState::kBaseline}, {1, EntryState::kApplied},     {2, EntryState::kChanged},
      {3, EntryState::kDirty},    {4, EntryState::kOutOfOrder}, {5, EntryState::kMissingFile},
      {6, EntryState::kPending}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(CurrentVersion(applied), 5u);
  EXPECT_STREQ(EntryStateName(EntryState::kOutOfOrder), "out-of-order");
}

TEST(Classify, NamesFromTheFileElseTheRowAndTheLastOfTwoRowsCounts) {
  Available renamed = File(2);
  renamed.name = "renamed";
  Applied first = Done(3, AppliedState::kDirty);
  Applied again = Done(3);  // the same version twice (a hand-edited history): the later row counts
  again.name = "later";
  std::vector<Applied> applied = {Done(7), first, Done(2), again};  // any order
  auto entries = Classify({File(1), renamed}, applied);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].version, 1u);
  EXPECT_EQ(entries[0].state, EntryState::kOutOfOrder);  // below the current version 7
  EXPECT_EQ(entries[0].file, "dir/v1.sql");
  EXPECT_EQ(entries[1].name, "renamed");  // the file's name, not the row's
  EXPECT_EQ(entries[1].state, EntryState::kApplied);
  EXPECT_EQ(entries[2].name, "later");
  EXPECT_EQ(entries[2].state, EntryState::kMissingFile);  // the applied row counts, not the dirty one
  std::swap(applied[1], applied[3]);
  auto swapped = Classify({File(1), renamed}, applied);
  ASSERT_EQ(swapped.size(), 4u);
  EXPECT_EQ(swapped[2].name, "m3");
  EXPECT_EQ(swapped[2].state, EntryState::kDirty);
  EXPECT_EQ(entries[3].name, "m7");  // no file: the row's name
  EXPECT_EQ(entries[3].file, "");
  EXPECT_EQ(entries[3].state, EntryState::kMissingFile);
  ASSERT_NE(entries[3].applied, nullptr);
  EXPECT_EQ(entries[3].applied->version, 7u);
}

}  // namespace
}  // namespace strata::plan

namespace strata::plan {
namespace {

CheckpointEntry Checkpoint(std::uint64_t upto) {
  CheckpointEntry c{upto, "dir/v" + std::to_string(upto) + "_checkpoint.sql", {}};
  for (std::uint64_t v = 1; v <= upto; ++v) {
    Applied a = Done(v, AppliedState::kBaseline);
    a.applied_at.clear();
    c.covers.push_back(a);
  }
  return c;
}

TEST(PlanCheckpoint, AFreshDatabaseStartsFromTheNewestCheckpointAtOrBelowTheTarget) {
  std::vector<Available> files = {File(1), File(2), File(3), File(4), File(5)};
  std::vector<CheckpointEntry> checkpoints = {Checkpoint(2), Checkpoint(4)};
  auto all = PlanCheckpoint(checkpoints, files, {}, {});
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_TRUE(all->apply);
  EXPECT_EQ(*all->apply, 1u);
  EXPECT_EQ(CurrentVersion(all->applied), 4u);
  auto rest = PlanUp(files, all->applied, {});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, (V{5}));

  auto to3 = PlanCheckpoint(checkpoints, files, {}, {3, false});
  ASSERT_TRUE(to3.ok());
  ASSERT_TRUE(to3->apply);
  EXPECT_EQ(*to3->apply, 0u);
  EXPECT_EQ(*PlanUp(files, to3->applied, {3, false}), (V{3}));
}

// A checkpoint cut short (MariaDB commits each DDL statement) leaves the only row, partial, with its
// version and checksum: it resumes, and the rest is planned from what it covers.
TEST(PlanCheckpoint, APartialRowOfACheckpointResumesIt) {
  std::vector<Available> files = {File(1), File(2), File(3), File(4)};
  CheckpointEntry c = Checkpoint(3);
  c.checksum = "sha256:checkpoint";
  Applied cut{3, "checkpoint", c.checksum, AppliedState::kDirty, "", 0, std::string("h1 h2")};
  auto r = PlanCheckpoint({Checkpoint(2), c}, files, {cut}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->apply);
  EXPECT_EQ(*r->apply, 1u);
  EXPECT_EQ(*PlanUp(files, r->applied, {}), (V{4}));
  // The partial row of v003's own file (another checksum), or a target below it: no checkpoint.
  Applied file_cut = cut;
  file_cut.checksum = "sha256:3";
  auto own = PlanCheckpoint({c}, files, {file_cut}, {});
  ASSERT_TRUE(own.ok());
  EXPECT_FALSE(own->apply);
  auto below = PlanCheckpoint({c}, files, {cut}, {2, false});
  ASSERT_TRUE(below.ok());
  EXPECT_FALSE(below->apply);
  // Not alone in the history: the database is not fresh.
  auto more = PlanCheckpoint({c}, files, {Done(1), cut}, {});
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(more->apply);
}

TEST(PlanCheckpoint, ADatabaseWithHistoryIgnoresCheckpoints) {
  std::vector<Available> files = {File(1), File(2), File(3)};
  auto r = PlanCheckpoint({Checkpoint(3)}, files, {Done(1)}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->apply);
  EXPECT_EQ(*PlanUp(files, r->applied, {}), (V{2, 3}));
  // Past the checkpoint: nothing to do, whether or not the old files are still there.
  auto past = PlanCheckpoint({Checkpoint(3)}, {File(4)}, {Done(1), Done(2), Done(3)}, {});
  ASSERT_TRUE(past.ok()) << past.status().message();
  EXPECT_FALSE(past->apply);
}

TEST(PlanCheckpoint, ADatabaseBetweenNamesEveryVersionWhoseFileIsGone) {
  // Files 2 and 3 were deleted after the checkpoint; the database stopped at 1.
  auto r = PlanCheckpoint({Checkpoint(3)}, {File(4)}, {Done(1)}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "the database at version 1 needs migrations whose files are gone (a checkpoint applies only to a fresh "
            "database):\n  2 (m2) (only in the checkpoint dir/v3_checkpoint.sql)\n  3 (m3) (only in the checkpoint "
            "dir/v3_checkpoint.sql)\nRestore those files (for example with `git checkout <an older commit> -- <their "
            "paths>`), then run the command again");
  // A fresh database with a target below the checkpoint needs them too.
  auto below = PlanCheckpoint({Checkpoint(3)}, {File(4)}, {}, {2, false});
  ASSERT_FALSE(below.ok());
  EXPECT_NE(below.status().message().find("a fresh database needs migrations whose files are gone (a checkpoint "
                                          "applies only up to the target 2)"),
            std::string::npos)
      << below.status().message();
}

}  // namespace
}  // namespace strata::plan
