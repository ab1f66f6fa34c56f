#include "source/sections.h"

#include <gtest/gtest.h>

namespace strata::source {
namespace {

std::string Part(std::string_view text, const SectionRange& r) { return std::string(text.substr(r.begin, r.end - r.begin)); }

TEST(SplitSections, PlainFileIsAllUp) {
  std::string text = "-- comment\nCREATE TABLE a(x);\n";
  auto r = SplitSections(text, false);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->up);
  EXPECT_FALSE(r->down);
  EXPECT_EQ(Part(text, *r->up), text);
  EXPECT_FALSE(r->up->no_transaction);
}

TEST(SplitSections, DbmateMarkers) {
  std::string text = "-- header\n-- migrate:up\nCREATE TABLE a(x);\n\n-- migrate:down\nDROP TABLE a;\n";
  auto r = SplitSections(text, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->up && r->down);
  EXPECT_EQ(Part(text, *r->up), "CREATE TABLE a(x);\n\n");
  EXPECT_EQ(Part(text, *r->down), "DROP TABLE a;\n");
}

TEST(SplitSections, DownBeforeUpAndTransactionOption) {
  std::string text = "-- migrate:down\nDROP INDEX i;\n-- migrate:up transaction:false\nCREATE INDEX i ON a(x);";
  auto r = SplitSections(text, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Part(text, *r->up), "CREATE INDEX i ON a(x);");
  EXPECT_TRUE(r->up->no_transaction);
  EXPECT_FALSE(r->down->no_transaction);
}

TEST(SplitSections, SectionedFileWithoutMarkersIsAllUp) {
  std::string text = "CREATE TABLE a(x);";
  auto r = SplitSections(text, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Part(text, *r->up), text);
  EXPECT_FALSE(r->down);
}

TEST(SplitSections, DirectiveInHeader) {
  std::string text = "-- Build the index without blocking writers.\n--strata:no-transaction\n\nVACUUM;\n";
  auto r = SplitSections(text, false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->up->no_transaction);
}

TEST(SplitSections, AllowDataLossBelongsToItsSectionOnly) {
  std::string text = "-- migrate:up\nCREATE TABLE t (x);\n-- migrate:down\n-- strata:allow-data-loss\nDROP TABLE t;\n";
  auto r = SplitSections(text, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->up->allow_data_loss);
  EXPECT_TRUE(r->down->allow_data_loss);
  EXPECT_FALSE(r->down->no_transaction);
}

TEST(SplitSections, FileHeaderDirectiveAppliesToBothSections) {
  std::string text = "-- strata:no-transaction\n-- migrate:up\nVACUUM;\n-- migrate:down\nVACUUM;\n";
  auto r = SplitSections(text, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->up->no_transaction);
  EXPECT_TRUE(r->down->no_transaction);
}

TEST(SplitSections, EmptyAndCommentOnlyFilesAreValid) {
  for (std::string text : {"", "-- nothing yet\n", "\n\n"}) {
    auto r = SplitSections(text, false);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->up);
  }
}

struct Rejected {
  std::string text;
  bool sectioned;
  std::string message;
  std::size_t offset;
};

TEST(SplitSections, RejectsWithMessageAndOffset) {
  const Rejected cases[] = {
      {"-- strata:no-transactoin\nVACUUM;", false, "unknown directive 'strata:no-transactoin' (known: strata:no-transaction, strata:no-split, strata:allow-data-loss)", 3},
      {"CREATE TABLE a(x);\n-- strata:no-transaction\n", false,
       "strata directives must come before the first statement of the migration", 22},
      {"-- migrate:down\nDROP TABLE a;\n", true, "-- migrate:down without a -- migrate:up section", 0},
      {"-- migrate:up\nA;\n-- migrate:up\nB;\n", true, "duplicate -- migrate:up marker", 17},
      {"CREATE TABLE lost(x);\n-- migrate:up\nCREATE TABLE a(x);\n", true,
       "SQL before the first -- migrate: marker would never run; move it into a section", 0},
      {"-- migrate:sideways\n", true, "unknown section marker (expected -- migrate:up or -- migrate:down)", 3},
      {"-- migrate:up transaction:maybe\nA;\n", true, "unknown section option 'transaction:maybe' (known: transaction:false)", 14},
  };
  for (const Rejected& c : cases) {
    auto r = SplitSections(c.text, c.sectioned);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().message(), c.message) << c.text;
    EXPECT_EQ(r.status().sql_offset().value_or(999), c.offset) << c.text;
  }
}

// The engines read SQL as C strings: a NUL made them drop the rest of the file while the migration
// was recorded as applied. Refused wherever it is, in either kind of file, at the first NUL.
TEST(SplitSections, NulByteIsRefusedAtTheFirstNul) {
  const std::string nul(1, '\0');
  const std::pair<std::string, std::size_t> cases[] = {
      {"CREATE TABLE a(x);" + nul + "CREATE TABLE b(y);\n", 18},
      {nul, 0},
      {"-- a comment " + nul + "\nSELECT 1;\n", 13},
      {"SELECT '" + nul + "';\n", 8},
      {"-- migrate:up\nCREATE TABLE a(x);\n-- migrate:down\nDROP TABLE a;" + nul + nul, 62},
      {"-- strata:no-transaction" + nul + "\nVACUUM;\n", 24},
  };
  for (const auto& [text, offset] : cases) {
    for (bool sectioned : {false, true}) {
      auto r = SplitSections(text, sectioned);
      ASSERT_FALSE(r.ok()) << "accepted a NUL at " << offset;
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
      EXPECT_EQ(r.status().message(),
                "NUL byte in a migration file: a migration must be text (the database engines would stop reading "
                "the SQL here)");
      EXPECT_EQ(r.status().sql_offset().value_or(999), offset);
    }
  }
}

}  // namespace
}  // namespace strata::source
