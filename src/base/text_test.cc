#include "base/text.h"

#include <gtest/gtest.h>

namespace strata::base {
namespace {

TEST(LocateOffset, LinesColumnsAndUtf8) {
  std::string text = "ab\r\ncd\n-- 变量\nxyz";
  auto a = LocateOffset(text, 0);
  EXPECT_EQ(a.line, 1u);
  EXPECT_EQ(a.column, 1u);
  EXPECT_EQ(a.line_text, "ab");
  auto d = LocateOffset(text, 5);
  EXPECT_EQ(d.line, 2u);
  EXPECT_EQ(d.column, 2u);
  std::size_t x = text.find("xyz");
  auto after_cjk = LocateOffset(text, text.find("\n", 8));  // end of "-- 变量"
  EXPECT_EQ(after_cjk.line, 3u);
  EXPECT_EQ(after_cjk.column, 6u);  // "-- " + 2 characters, caret after them
  EXPECT_EQ(LocateOffset(text, x + 2).column, 3u);
  EXPECT_EQ(LocateOffset(text, 9999).line, 4u);
}

TEST(FormatLocated, CaretUnderColumnKeepsTabs) {
  SourceLocation loc{"m/v1_x.sql", 2, 5, "\tSELEC 1;", ""};
  EXPECT_EQ(FormatLocated(loc, "syntax error"), "m/v1_x.sql:2:5: syntax error\n    \tSELEC 1;\n    \t   ^");
}

// A NUL in the caret line printed as nothing, so the caret pointed at the character after it.
TEST(MakeLocation, ShowsNulAsOneVisibleCharacter) {
  std::string text("ab\n\tc\0d\n", 8);
  SourceLocation loc = MakeLocation("f.sql", text, 5);
  EXPECT_EQ(loc.line, 2u);
  EXPECT_EQ(loc.column, 3u);
  EXPECT_EQ(loc.source_line, "\tc\xE2\x90\x80" "d");
  EXPECT_EQ(FormatLocated(loc, "NUL"), "f.sql:2:3: NUL\n    \tc\xE2\x90\x80" "d\n    \t ^");
}

TEST(Text, TrimOneLineBomNewlines) {
  EXPECT_EQ(Trim("  a b \n"), "a b");
  EXPECT_EQ(Trim(" \t\n"), "");
  EXPECT_EQ(OneLine("CREATE TABLE\n  t (\n x )"), "CREATE TABLE t ( x )");
  EXPECT_EQ(OneLine("abcdef", 3), "abc...");
  EXPECT_EQ(StripBom("\xEF\xBB\xBFx"), "x");
  EXPECT_EQ(StripBom("x"), "x");
  EXPECT_EQ(NormalizeNewlines("a\r\nb\rc\n"), "a\nb\rc\n");
}

}  // namespace
}  // namespace strata::base
