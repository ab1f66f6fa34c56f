#include "source/sum_file.h"

#include <gtest/gtest.h>

#include "mem_file_system.h"

namespace strata::source {
namespace {

// Pinned from an independent implementation (Python's hashlib) of the format in
// docs/migrations.md: a change here breaks every team's committed strata.sum.
constexpr char kTwoFiles[] =
    "h1:978b28ffea5e529455ea0ce218f8097177b9bfb788bd376f967a5ed1382a71bb\n"
    "v001_a.sql h1:7cff616c60085c2b577999cbb4e86a3596d5e7be20b31c7f3cb8e99e790b161f\n"
    "v002_b.sql h1:6b5939a65591bdb16a530b8646f9eefc9166cc647d460d8237e51b79ba1dc9ef\n";

TEST(SumFile, FormatIsPinnedAndNormalizesBomAndCrlf) {
  // Listed out of order: the sum is in version order.
  std::vector<SumInput> files = {{"v002_b.sql", "\xEF\xBB\xBFSELECT 2;\r\n"}, {"v001_a.sql", "SELECT 1;\n"}};
  EXPECT_EQ(FormatSum(ComputeSum(files)), kTwoFiles);
  files[0].contents = "SELECT 2;\n";
  EXPECT_EQ(FormatSum(ComputeSum(files)), kTwoFiles);
}

TEST(SumFile, OrdersByVersionThenUpBeforeDown) {
  std::vector<SumInput> files = {{"0010_c.up.sql", ""},  {"0002_b.down.sql", ""}, {"0002_b.up.sql", ""},
                                 {"U1__a.sql", ""},      {"V1__a.sql", ""}};
  SumFile sum = ComputeSum(files);
  std::vector<std::string> names;
  for (const SumLine& l : sum.lines) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"V1__a.sql", "U1__a.sql", "0002_b.up.sql", "0002_b.down.sql",
                                             "0010_c.up.sql"}));
}

TEST(SumFile, ParseRoundTripsAndReadsCrlf) {
  auto sum = ParseSum("m/strata.sum", kTwoFiles);
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(FormatSum(*sum), kTwoFiles);
  std::string crlf;
  for (char c : std::string(kTwoFiles)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  auto again = ParseSum("m/strata.sum", crlf);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(FormatSum(*again), kTwoFiles);
  EXPECT_TRUE(ParseSum("m/strata.sum", FormatSum(ComputeSum({}))).ok());
}

TEST(SumFile, RejectsMalformedText) {
  const std::string line1 = "v001_a.sql h1:7cff616c60085c2b577999cbb4e86a3596d5e7be20b31c7f3cb8e99e790b161f\n";
  struct Case {
    std::string text, error;
  } cases[] = {
      {"", "m/strata.sum:1:1: empty strata.sum: its first line must be the directory hash"},
      {"sha256:00\n",
       "m/strata.sum:1:1: the first line must be the directory hash: 'h1:' and 64 lower-case hex digits\n"
       "    sha256:00\n    ^"},
      {"h1:978b28ffea5e529455ea0ce218f8097177b9bfb788bd376f967a5ed1382a71bb\nv001_a.sql\n",
       "m/strata.sum:2:1: expected '<file name> h1:<64 hex digits>'\n    v001_a.sql\n    ^"},
      {"h1:978b28ffea5e529455ea0ce218f8097177b9bfb788bd376f967a5ed1382a71bb\nv001_a.sql h1:XYZ\n",
       "m/strata.sum:2:12: expected the file's hash: 'h1:' and 64 lower-case hex digits\n    v001_a.sql h1:XYZ\n"
       "               ^"},
      {"h1:978b28ffea5e529455ea0ce218f8097177b9bfb788bd376f967a5ed1382a71bb\n" + line1 + line1,
       "m/strata.sum:3:1: 'v001_a.sql' is listed twice\n    " + line1 + "    ^"},
      {"h1:0000000000000000000000000000000000000000000000000000000000000000\n" + line1,
       "m/strata.sum:1:1: the directory hash does not match the lines below it: strata.sum was edited by hand; run "
       "strata hash to write it again\n    h1:0000000000000000000000000000000000000000000000000000000000000000\n    ^"},
      {"<<<<<<< HEAD\nh1:aa\n=======\nh1:bb\n>>>>>>> other\n",
       "m/strata.sum: merge conflict in strata.sum: run strata rebase (to renumber this branch's migrations after "
       "the ones that came in) or strata hash (when no version collides)"},
  };
  for (const Case& c : cases) {
    auto r = ParseSum("m/strata.sum", c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
    EXPECT_EQ(r.status().message(), c.error) << c.text;
  }
}

TEST(SumFile, CompareNamesOnlyTheEditedFileNotTheOnesAfterIt) {
  std::vector<SumInput> files = {{"v001_a.sql", "a"}, {"v002_b.sql", "b"}, {"v003_c.sql", "c"}};
  SumFile recorded = ComputeSum(files);
  EXPECT_TRUE(CompareSum(recorded, files).empty());
  files[1].contents = "b edited";
  files[2].name = "v004_c.sql";
  files.push_back({"v005_d.sql", "d"});
  SumDiff diff = CompareSum(recorded, files);
  EXPECT_EQ(diff.added, (std::vector<std::string>{"v004_c.sql", "v005_d.sql"}));
  EXPECT_EQ(diff.removed, (std::vector<std::string>{"v003_c.sql"}));
  EXPECT_EQ(diff.edited, (std::vector<std::string>{"v002_b.sql"}));
}

TEST(SumFile, TwoBranchesThatEachAddAFileChangeTheFirstAndTheLastLine) {
  std::vector<SumInput> base = {{"v001_a.sql", "a"}};
  std::vector<SumInput> left = base, right = base;
  left.push_back({"v002_left.sql", "l"});
  right.push_back({"v002_right.sql", "r"});
  std::string b = FormatSum(ComputeSum(base)), l = FormatSum(ComputeSum(left)), r = FormatSum(ComputeSum(right));
  EXPECT_NE(l.substr(0, 67), b.substr(0, 67));
  EXPECT_NE(r.substr(0, 67), b.substr(0, 67));
  EXPECT_NE(l.substr(0, 67), r.substr(0, 67));
  EXPECT_EQ(l.substr(67, b.size() - 67), b.substr(67));  // the shared line is unchanged
}

TEST(SumFile, SplitConflictGivesBothSidesAndSkipsTheDiff3Base) {
  auto sides = SplitConflict("<<<<<<< HEAD\nh1:a\n||||||| base\nh1:o\n=======\nh1:b\n>>>>>>> other\nv001 h1:x\n");
  ASSERT_TRUE(sides);
  EXPECT_EQ(sides->ours, "h1:a\nv001 h1:x\n");
  EXPECT_EQ(sides->theirs, "h1:b\nv001 h1:x\n");
  EXPECT_FALSE(SplitConflict(kTwoFiles));
  EXPECT_EQ(ListedNames(kTwoFiles), (std::vector<std::string>{"v001_a.sql", "v002_b.sql"}));
}

TEST(SumFile, VerifySumNamesEveryChangeWithItsPath) {
  base::MemFileSystem fs;
  fs.Add("m/v001_a.sql", "SELECT 1;\n");
  fs.Add("m/v002_b.sql", "SELECT 2;\n");
  fs.Add("m/strata.sum", kTwoFiles);
  ASSERT_TRUE(LoadDirectory(fs, "m").ok());
  fs.Add("m/v002_b.sql", "SELECT 2; -- edited\n");
  fs.Add("m/v003_c.sql", "");
  auto r = LoadDirectory(fs, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(r.status().message(),
            "m/strata.sum does not match the migration files: they changed since it was written\n"
            "  added:   m/v003_c.sql\n"
            "  edited:  m/v002_b.sql\n"
            "If these changes are intended, run strata hash to accept them.");
}

TEST(SumFile, CompareWithBaseNamesEveryOffender) {
  std::vector<SumInput> base = {{"v001_a.sql", "a"}, {"v002_b.sql", "b"}, {"v003_c.sql", "c"}};
  std::vector<SumInput> head = {{"v001_a.sql", "a\r\n"}, {"v002_b.sql", "b edited"}, {"v003_c.sql", "c"},
                                {"v002_late.sql", "x"}, {"v004_new.sql", "y"}};
  head[0].contents = "a";
  auto problems = CompareWithBase("m", base, head, "origin/main");
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "m/v002_b.sql: edited since origin/main",
                          "m/v002_late.sql: added since origin/main with version 2, not above its newest version 3 "
                          "(m/v003_c.sql)"}));
  head.erase(head.begin());
  EXPECT_EQ(CompareWithBase("m", base, head, "main").front(), "m/v001_a.sql: deleted since main");
  EXPECT_TRUE(CompareWithBase("m", {}, head, "main").empty());
}

TEST(SumFile, CompareWithBaseLetsACheckpointArriveAndTheFilesItStandsForGo) {
  const std::string sum(64, '0');
  std::vector<SumInput> base = {{"v001_a.sql", "a"}, {"v002_b.sql", "b"}, {"v003_c.sql", "c"}};
  std::string checkpoint = "-- strata:checkpoint\n-- strata:covers 1 a sha256:" + sum + "\n-- strata:covers 2 b sha256:" +
                           sum + "\n\nCREATE TABLE a (id int);\n";
  // The checkpoint of version 2 is added with a version below the base's newest, and v001/v002 go.
  std::vector<SumInput> head = {{"v002_checkpoint.sql", checkpoint}, {"v003_c.sql", "c"}};
  EXPECT_TRUE(CompareWithBase("m", base, head, "main").empty());
  // A file it does not stand for still may not go, and an ordinary file at version 2 may not come.
  head = {{"v002_checkpoint.sql", checkpoint}, {"v002_other.sql", "x"}};
  EXPECT_EQ(CompareWithBase("m", base, head, "main"),
            (std::vector<std::string>{"m/v003_c.sql: deleted since main",
                                      "m/v002_other.sql: added since main with version 2, not above its newest "
                                      "version 3 (m/v003_c.sql)"}));
}

TEST(SumFile, CompareWithBaseAcceptsADownPartAddedToAnExistingMigration) {
  std::vector<SumInput> base = {{"0001_a.up.sql", "a"}, {"0002_b.up.sql", "b"}};
  std::vector<SumInput> head = {{"0001_a.up.sql", "a"}, {"0001_a.down.sql", "undo a"}, {"0002_b.up.sql", "b"}};
  EXPECT_TRUE(CompareWithBase("m", base, head, "main").empty());
  head.push_back({"0001_other.up.sql", "x"});
  EXPECT_EQ(CompareWithBase("m", base, head, "main"),
            (std::vector<std::string>{"m/0001_other.up.sql: added since main with version 1, not above its newest "
                                      "version 2 (m/0002_b.up.sql)"}));
}

}  // namespace
}  // namespace strata::source
