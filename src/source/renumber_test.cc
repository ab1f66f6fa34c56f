#include "source/renumber.h"

#include <gtest/gtest.h>

#include "source/sum_file.h"

namespace strata::source {
namespace {

std::string Renames(const Result<std::vector<Rename>>& r) {
  if (!r.ok()) return "error: " + r.status().message();
  std::string out;
  for (const Rename& x : *r) out += x.from + " -> " + x.to + "\n";
  return out;
}

std::string SumOf(const std::vector<std::string>& names) {
  std::vector<SumInput> in;
  for (const std::string& n : names) in.push_back({n, ""});
  return FormatSum(ComputeSum(in));
}

// The text git leaves when both sides appended to the same sum.
std::string Conflicted(const std::string& ours, const std::string& theirs) {
  return "<<<<<<< HEAD\n" + ours + "=======\n" + theirs + ">>>>>>> other\n";
}

TEST(PlanRenumber, ConflictMarkersTellThisBranchsFilesFromTheIncomingOnes) {
  RenumberRequest r;
  r.dir = "m";
  r.names = {"v001_init.sql", "v002_mine.sql", "v003_also_mine.sql", "v002_theirs.sql", "v003_theirs_too.sql"};
  r.sum_text = Conflicted(SumOf({"v001_init.sql", "v002_mine.sql", "v003_also_mine.sql"}),
                          SumOf({"v001_init.sql", "v002_theirs.sql", "v003_theirs_too.sql"}));
  EXPECT_EQ(Renames(PlanRenumber(r)),
            "v002_mine.sql -> v004_mine.sql\nv003_also_mine.sql -> v005_also_mine.sql\n");
}

TEST(PlanRenumber, PairedFilesMoveTogetherAndKeepTheirWidth) {
  RenumberRequest r;
  r.dir = "m";
  r.names = {"0001_a.up.sql", "0001_a.down.sql", "0002_b.up.sql", "0002_b.down.sql", "0002_c.up.sql",
             "0002_c.down.sql"};
  r.sum_text = SumOf({"0001_a.up.sql", "0001_a.down.sql", "0002_c.up.sql", "0002_c.down.sql"});
  EXPECT_EQ(Renames(PlanRenumber(r)),
            "0002_b.up.sql -> 0003_b.up.sql\n0002_b.down.sql -> 0003_b.down.sql\n");
}

TEST(PlanRenumber, FlywayAndTimestamps) {
  RenumberRequest r;
  r.dir = "m";
  r.names = {"V9__a.sql", "U9__a.sql", "V9__b.sql"};
  r.sum_text = SumOf({"V9__b.sql"});
  EXPECT_EQ(Renames(PlanRenumber(r)), "V9__a.sql -> V10__a.sql\nU9__a.sql -> U10__a.sql\n");

  r.names = {"20250101000000_mine.sql", "20250102000000_theirs.sql"};
  r.sum_text = SumOf({"20250102000000_theirs.sql"});
  r.now = 20260101120000;
  EXPECT_EQ(Renames(PlanRenumber(r)), "20250101000000_mine.sql -> 20260101120000_mine.sql\n");
  r.now = 20240101000000;  // a clock behind the newest file: the next number
  EXPECT_EQ(Renames(PlanRenumber(r)), "20250101000000_mine.sql -> 20250102000001_mine.sql\n");
}

TEST(PlanRenumber, NothingWhenThisBranchAlreadyFollows) {
  RenumberRequest r;
  r.dir = "m";
  r.names = {"v001_a.sql", "v002_b.sql"};
  r.sum_text = SumOf({"v001_a.sql"});
  EXPECT_EQ(Renames(PlanRenumber(r)), "");
}

TEST(PlanRenumber, NamedFilesMoveAfterEveryOtherFile) {
  RenumberRequest r;
  r.dir = "m";
  r.names = {"v001_a.sql", "v002_b.sql", "v003_c.sql"};
  r.named = {"v001_a.sql"};
  EXPECT_EQ(Renames(PlanRenumber(r)), "v001_a.sql -> v004_a.sql\n");
}

TEST(PlanRenumber, Refusals) {
  RenumberRequest r;
  r.dir = "m";
  r.names = {"v001_a.sql", "v002_b.sql", "v002_c.sql"};
  EXPECT_EQ(Renames(PlanRenumber(r)),
            "error: m has no strata.sum to tell this branch's migrations from the ones that came in: "
            "name the files to renumber");
  r.named = {"v009_x.sql"};
  EXPECT_EQ(Renames(PlanRenumber(r)), "error: 'v009_x.sql' is not a migration file of m");
  r.named = {};
  r.sum_text = SumOf({"v001_a.sql", "v002_c.sql"});
  r.applied = {{2, "b"}};
  EXPECT_EQ(Renames(PlanRenumber(r)),
            "error: m/v002_b.sql: migration 2 (b) is recorded as applied in the database; renumbered, it would run a "
            "second time. Renumber the other migration with that version instead");
  r.applied = {{2, "c"}};  // the incoming one is applied: fine
  EXPECT_EQ(Renames(PlanRenumber(r)), "v002_b.sql -> v003_b.sql\n");
}

}  // namespace
}  // namespace strata::source
