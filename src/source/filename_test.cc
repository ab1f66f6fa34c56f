#include "source/filename.h"

#include <gtest/gtest.h>

namespace strata::source {
namespace {

struct Accepted {
  const char* file;
  std::uint64_t version;
  const char* name;
  FileRole role;
  Convention convention;
};

TEST(ParseFileName, AcceptsEveryConvention) {
  const Accepted cases[] = {
      {"v001_initial_schema.sql", 1, "initial_schema", FileRole::kUp, Convention::kSeed},
      {"v10_ten.sql", 10, "ten", FileRole::kUp, Convention::kSeed},
      {"0001_create_users.up.sql", 1, "create_users", FileRole::kUp, Convention::kPaired},
      {"0001_create_users.down.sql", 1, "create_users", FileRole::kDown, Convention::kPaired},
      {"20250130100000_add_variable_tables.sql", 20250130100000ull, "add_variable_tables", FileRole::kSectioned,
       Convention::kSectioned},
      {"V1__init.sql", 1, "init", FileRole::kUp, Convention::kFlyway},
      {"U12__init.sql", 12, "init", FileRole::kDown, Convention::kFlyway},
      {"18446744073709551615_max.sql", 18446744073709551615ull, "max", FileRole::kSectioned, Convention::kSectioned},
      {"v002_名前.sql", 2, "名前", FileRole::kUp, Convention::kSeed},
      {"0003_upper.SQL", 3, "upper", FileRole::kSectioned, Convention::kSectioned},
      {"0004_a.b.up.sql", 4, "a.b", FileRole::kUp, Convention::kPaired},
  };
  for (const Accepted& c : cases) {
    auto r = ParseFileName(c.file);
    ASSERT_TRUE(r.ok()) << c.file << ": " << r.status().message();
    ASSERT_TRUE(r->has_value()) << c.file;
    const FileName& f = **r;
    EXPECT_EQ(f.version, c.version) << c.file;
    EXPECT_EQ(f.name, c.name) << c.file;
    EXPECT_EQ(f.role, c.role) << c.file;
    EXPECT_EQ(f.convention, c.convention) << c.file;
  }
}

TEST(ParseFileName, VersionsCompareNumericallyNotLexically) {
  auto v2 = ParseFileName("v2_b.sql");
  auto v10 = ParseFileName("v10_a.sql");
  ASSERT_TRUE(v2.ok() && v10.ok());
  EXPECT_LT((*v2)->version, (*v10)->version);
  EXPECT_EQ((*ParseFileName("v0007_x.sql"))->version_text, "0007");
}

TEST(ParseFileName, IgnoresNonCandidates) {
  for (const char* f : {"README.md", "notes.txt", ".hidden.sql", "schema.sql.bak", "", ".gitkeep"}) {
    auto r = ParseFileName(f);
    ASSERT_TRUE(r.ok()) << f;
    EXPECT_FALSE(r->has_value()) << f;
  }
}

TEST(ParseFileName, RejectsWithExactMessages) {
  const std::string forms =
      "not a migration file name; expected one of: v001_name.sql, 0001_name.up.sql + 0001_name.down.sql, "
      "20250130100000_name.sql (with -- migrate:up / -- migrate:down), V1__name.sql + U1__name.sql";
  const std::pair<const char*, std::string> cases[] = {
      {"abc.sql", forms},
      {"schema.sql", forms},
      {".sql", ""},  // hidden: ignored, checked separately below
      {"v1x_foo.sql", "expected '_' after the version (v001_name.sql)"},
      {"001.sql", "expected '_' after the version (0001_name.up.sql or 20250130100000_name.sql)"},
      {"v001_.sql", "missing description after the version (e.g. v001_create_users.sql)"},
      {"0001_.up.sql", "missing description after the version (e.g. v001_create_users.sql)"},
      {"V1.1__x.sql", "dotted Flyway versions (V1.1__name.sql, V1_1__name.sql) are not supported; versions are whole numbers"},
      {"V1_1__x.sql", "dotted Flyway versions (V1.1__name.sql, V1_1__name.sql) are not supported; versions are whole numbers"},
      {"V1_x.sql", "Flyway-style name needs two underscores after the version (V1__name.sql)"},
      {"R__views.sql", "repeatable migrations (R__name.sql) are not supported"},
      {"v001_x.up.sql", "v-prefixed migrations are up-only; name paired files 0001_name.up.sql / 0001_name.down.sql"},
      {"18446744073709551616_x.sql", "version 18446744073709551616 is too large (the largest is 18446744073709551615)"},
      {"99999999999999999999_x.sql", "version 99999999999999999999 is too large (the largest is 18446744073709551615)"},
      {"v001_a\tb.sql", "control character in the migration name"},
  };
  for (const auto& [file, message] : cases) {
    auto r = ParseFileName(file);
    if (message.empty()) {
      ASSERT_TRUE(r.ok() && !r->has_value()) << file;
      continue;
    }
    ASSERT_FALSE(r.ok()) << file << " was accepted";
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << file;
    EXPECT_EQ(r.status().message(), message) << file;
  }
}

// `0001_x.DOWN.sql` was a sectioned file without markers: an up migration named "x.DOWN", so the
// rollback ran as a migration. The role suffixes are case-sensitive; a near-miss is refused.
TEST(ParseFileName, RoleSuffixInAnotherCaseIsRefused) {
  const std::pair<const char*, std::string> cases[] = {
      {"0001_x.DOWN.sql", "suffix '.DOWN' must be written exactly '.down' (case-sensitive: 0001_name.up.sql + 0001_name.down.sql)"},
      {"0001_x.Up.sql", "suffix '.Up' must be written exactly '.up' (case-sensitive: 0001_name.up.sql + 0001_name.down.sql)"},
      {"0001_x.uP.SQL", "suffix '.uP' must be written exactly '.up' (case-sensitive: 0001_name.up.sql + 0001_name.down.sql)"},
      {"v001_x.Down.sql", "suffix '.Down' must be written exactly '.down' (case-sensitive: 0001_name.up.sql + 0001_name.down.sql)"},
  };
  for (const auto& [file, message] : cases) {
    auto r = ParseFileName(file);
    ASSERT_FALSE(r.ok()) << file << " was accepted";
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << file;
    EXPECT_EQ(r.status().message(), message) << file;
  }
  // The extension itself is matched in any case; the suffix before it is exact.
  auto upper = ParseFileName("0001_x.down.SQL");
  ASSERT_TRUE(upper.ok() && upper->has_value());
  EXPECT_EQ((*upper)->role, FileRole::kDown);
  auto mixed = ParseFileName("v002_y.Sql");
  ASSERT_TRUE(mixed.ok() && mixed->has_value());
  EXPECT_EQ((*mixed)->version, 2u);
}

}  // namespace
}  // namespace strata::source
