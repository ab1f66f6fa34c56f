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
      {"-- strata:no-transactoin\nVACUUM;", false, "unknown directive 'strata:no-transactoin' (known: strata:no-transaction, strata:no-split, strata:allow-data-loss, strata:lint-ignore, strata:checkpoint, strata:covers)", 3},
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

// dbmate markers in another case (`-- MIGRATE:UP`, `-- Migrate:Down`) were read as comments, so
// the down part ran as part of up; `-- Strata:No-Transaction` was ignored. Markers, their options
// and directives are case-sensitive, and a near-miss is refused with the exact spelling.
TEST(SplitSections, NearMissMarkersOptionsAndDirectivesAreRefusedWithTheExactSpelling) {
  const std::string exactly = " (case-sensitive, no spaces around ':')";
  const Rejected cases[] = {
      {"-- MIGRATE:UP\nCREATE TABLE a(x);\n-- MIGRATE:DOWN\nDROP TABLE a;\n", true,
       "section marker 'MIGRATE:UP' must be written exactly '-- migrate:up'" + exactly, 3},
      {"-- migrate:up\nCREATE TABLE a(x);\n-- Migrate:Down\nDROP TABLE a;\n", true,
       "section marker 'Migrate:Down' must be written exactly '-- migrate:down'" + exactly, 36},
      {"-- migrate:UP\nA;\n", true, "section marker 'migrate:UP' must be written exactly '-- migrate:up'" + exactly, 3},
      {"--   migrate: up\nA;\n", true, "section marker 'migrate: up' must be written exactly '-- migrate:up'" + exactly, 5},
      {"-- migrate : down\n-- migrate:up\nA;\n", true,
       "section marker 'migrate : down' must be written exactly '-- migrate:down'" + exactly, 3},
      {"  --migrate:Up transaction:false\nA;\n", true,
       "section marker 'migrate:Up' must be written exactly '-- migrate:up'" + exactly, 4},
      {"-- migrate:up transaction:FALSE\nA;\n", true,
       "section option 'transaction:FALSE' must be written exactly 'transaction:false'" + exactly, 14},
      {"-- migrate:up Transaction:True\nA;\n", true,
       "section option 'Transaction:True' must be written exactly 'transaction:true'" + exactly, 14},
      {"-- migrate:upward\nA;\n", true, "unknown section marker (expected -- migrate:up or -- migrate:down)", 3},
      {"-- Strata:No-Transaction\nVACUUM;\n", false,
       "directive 'Strata:No-Transaction' must be written exactly '-- strata:no-transaction'" + exactly, 3},
      {"-- STRATA:NO-SPLIT\nSELECT 1;\n", false,
       "directive 'STRATA:NO-SPLIT' must be written exactly '-- strata:no-split'" + exactly, 3},
      {"-- strata:Allow-Data-Loss\nDROP TABLE t;\n", false,
       "directive 'strata:Allow-Data-Loss' must be written exactly '-- strata:allow-data-loss'" + exactly, 3},
      {"-- strata: no-transaction\nVACUUM;\n", false,
       "directive 'strata: no-transaction' must be written exactly '-- strata:no-transaction'" + exactly, 3},
      {"-- strata :no_transaction\nVACUUM;\n", false,
       "directive 'strata :no_transaction' must be written exactly '-- strata:no-transaction'" + exactly, 3},
      {"-- strata:lint_ignore M005: all rows\nDELETE FROM t;\n", false,
       "directive 'strata:lint_ignore' must be written exactly '-- strata:lint-ignore RULE: reason'" + exactly, 3},
      {"-- strata:no-transaction please\nVACUUM;\n", false,
       "unknown directive 'strata:no-transaction please' (known: strata:no-transaction, strata:no-split, "
       "strata:allow-data-loss, strata:lint-ignore, strata:checkpoint, strata:covers)",
       3},
      {"-- migrate:up\nA;\n-- migrate:down\n-- STRATA:ALLOW-DATA-LOSS\nB;\n", true,
       "directive 'STRATA:ALLOW-DATA-LOSS' must be written exactly '-- strata:allow-data-loss'" + exactly, 36},
      {"SELECT 1;\n-- Strata:No-Transaction\n", false,
       "strata directives must come before the first statement of the migration", 13},
  };
  for (const Rejected& c : cases) {
    auto r = SplitSections(c.text, c.sectioned);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << c.text;
    EXPECT_EQ(r.status().message(), c.message) << c.text;
    EXPECT_EQ(r.status().sql_offset().value_or(999), c.offset) << c.text;
  }
}

// A marker in a file that is not split into sections (v001_x.sql, 0001_x.up.sql, V1__x.sql) was a
// comment: the "down" SQL under it ran as part of the migration.
TEST(SplitSections, MarkerInAFileWithoutSectionsIsRefused) {
  const Rejected cases[] = {
      {"CREATE TABLE a(x);\n-- migrate:down\nDROP TABLE a;\n", false,
       "section marker 'migrate:down' in a file without sections: only a file named like 20250130100000_name.sql "
       "is split at -- migrate: markers, this one would run whole",
       22},
      {"-- Migrate:Up\nCREATE TABLE a(x);\n", false,
       "section marker 'Migrate:Up' in a file without sections: only a file named like 20250130100000_name.sql "
       "is split at -- migrate: markers, this one would run whole",
       3},
  };
  for (const Rejected& c : cases) {
    auto r = SplitSections(c.text, c.sectioned);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().message(), c.message) << c.text;
    EXPECT_EQ(r.status().sql_offset().value_or(999), c.offset) << c.text;
  }
}

// The exact spellings still work, and prose that merely starts with the same word stays a comment.
TEST(SplitSections, ExactSpellingsAndProseComments) {
  std::string text =
      "-- Migrate: the users table to accounts, see strata: the docs\n"
      "-- strata:no-split\n"
      "--migrate:up   transaction:false\n"
      "-- Strata: this part is idempotent\n"
      "CREATE INDEX i ON a(x);\n"
      "--  migrate:down\t\n"
      "-- strata:allow-data-loss  \r\n"
      "DROP INDEX i;\n";
  auto r = SplitSections(text, true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->up->no_transaction);
  EXPECT_TRUE(r->up->no_split);
  EXPECT_FALSE(r->up->allow_data_loss);
  EXPECT_EQ(Part(text, *r->up), "-- Strata: this part is idempotent\nCREATE INDEX i ON a(x);\n");
  EXPECT_TRUE(r->down->no_split);
  EXPECT_TRUE(r->down->allow_data_loss);
  EXPECT_FALSE(r->down->no_transaction);
  // Another word after the prefix in another case is prose, not a misspelled keyword.
  for (bool sectioned : {false, true}) {
    auto prose = SplitSections("-- Migrate: later\n-- MIGRATE:SIDEWAYS\n-- Strata:nope\nSELECT 1;\n", sectioned);
    ASSERT_TRUE(prose.ok()) << prose.status().message();
    EXPECT_FALSE(prose->down);
  }
  // In a file without sections, an unknown `migrate:` word stays a comment as it always was.
  EXPECT_TRUE(SplitSections("-- migrate:sideways\nSELECT 1;\n", false).ok());
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
