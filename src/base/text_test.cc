#include "base/text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

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

// A generated INSERT of megabytes on one line: the caret line shows the part around the column.
TEST(FormatLocated, ALongLineIsShownAroundTheCaretOnly) {
  const std::string line = std::string(1000, 'x') + "!" + std::string(1000, 'y');
  SourceLocation loc{"f.sql", 1, 1001, line, ""};
  EXPECT_EQ(FormatLocated(loc, "bad"), "f.sql:1:1001: bad\n    ..." + std::string(60, 'x') + "!" +
                                           std::string(119, 'y') + "...\n    " + std::string(63, ' ') + "^");
  SourceLocation near_start{"f.sql", 1, 3, line, ""};
  EXPECT_EQ(FormatLocated(near_start, "bad"), "f.sql:1:3: bad\n    " + std::string(122, 'x') + "...\n      ^");
  SourceLocation near_end{"f.sql", 1, 2000, line, ""};
  EXPECT_EQ(FormatLocated(near_end, "bad"),
            "f.sql:1:2000: bad\n    ..." + std::string(62, 'y') + "\n    " + std::string(63, ' ') + "^");
  // Cut between characters, never inside one.
  std::string wide = "\t";
  for (int i = 0; i < 600; ++i) wide += "\xC3\xA9";  // é
  SourceLocation utf8{"f.sql", 1, 300, wide, ""};
  const std::string shown = FormatLocated(utf8, "bad");
  std::string expected_line = "...";
  for (int i = 0; i < 180; ++i) expected_line += "\xC3\xA9";
  EXPECT_EQ(shown, "f.sql:1:300: bad\n    " + expected_line + "...\n    " + std::string(63, ' ') + "^");
  SourceLocation short_line{"f.sql", 1, 2, "SELEC 1", ""};
  EXPECT_EQ(FormatLocated(short_line, "bad"), "f.sql:1:2: bad\n    SELEC 1\n     ^");
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

// Every byte that is not part of a well-formed UTF-8 character becomes U+FFFD, one per byte, and
// the text after it is read afresh; well-formed text is unchanged.
TEST(Text, ValidUtf8ReplacesOnlyWhatIsNotUtf8) {
  const std::string kBad = "\xEF\xBF\xBD";
  EXPECT_EQ(ValidUtf8(""), "");
  EXPECT_EQ(ValidUtf8("plain ascii"), "plain ascii");
  const std::string good = "d\xC3\xA9j\xC3\xA0 \xE2\x82\xAC \xF0\x9F\x98\x80";  // déjà € 😀
  EXPECT_EQ(ValidUtf8(good), good);
  EXPECT_EQ(ValidUtf8("caf\xE9 ok"), "caf" + kBad + " ok");               // Latin-1 é
  EXPECT_EQ(ValidUtf8("\x80x"), kBad + "x");                               // stray continuation
  EXPECT_EQ(ValidUtf8("\xC3"), kBad);                                      // cut at the end
  EXPECT_EQ(ValidUtf8("\xE2\x82x"), kBad + kBad + "x");                    // cut in the middle
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), kBad + kBad);                          // overlong '/'
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), kBad + kBad + kBad);              // a surrogate
  EXPECT_EQ(ValidUtf8("\xF4\x90\x80\x80"), kBad + kBad + kBad + kBad);  // above U+10FFFF
  EXPECT_EQ(ValidUtf8("\xFF\xFE"), kBad + kBad);
  EXPECT_EQ(ValidUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));
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

TEST(QuoteIdentifier, DoublesEmbeddedQuotes) {
  EXPECT_EQ(QuoteIdentifier("users"), "\"users\"");
  EXPECT_EQ(QuoteIdentifier(""), "\"\"");
  EXPECT_EQ(QuoteIdentifier("my \"odd\" table"), "\"my \"\"odd\"\" table\"");
  EXPECT_EQ(QuoteIdentifier("\""), "\"\"\"\"");
  EXPECT_EQ(QuoteIdentifier("a.b"), "\"a.b\"");  // one name, not schema.table
  EXPECT_EQ(QuoteIdentifier("'x'"), "\"'x'\"");
  EXPECT_EQ(QuoteIdentifier("变量"), "\"变量\"");
}

TEST(Lower, AsciiOnly) {
  EXPECT_EQ(Lower("Users_2 TABLE"), "users_2 table");
  EXPECT_EQ(Lower(""), "");
  EXPECT_EQ(Lower("ÄÖ"), "ÄÖ");  // bytes beyond ASCII are kept
  EXPECT_EQ(Lower("\xC4x"), "\xC4x");
}

TEST(ParseNumbers, WholeStringOrNothing) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("-42"), -42);
  EXPECT_EQ(ParseInt64("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(ParseInt64("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(ParseUint64("18446744073709551615"), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(ParseUint64("ff", 16), 255u);
  EXPECT_EQ(ParseUint64("DEADbeef", 16), 0xdeadbeefu);
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("-2e-3"), -0.002);
  EXPECT_EQ(ParseDouble("12"), 12.0);
  EXPECT_EQ(ParseDouble("Infinity"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseDouble("-Infinity"), -std::numeric_limits<double>::infinity());
  ASSERT_TRUE(ParseDouble("NaN").has_value());
  EXPECT_TRUE(std::isnan(*ParseDouble("NaN")));
}

TEST(ParseNumbers, Rejected) {
  for (const char* bad : {"", " 1", "1 ", "+1", "1x", "x", "1.0", "0x10", "--1", "9223372036854775808",
                          "-9223372036854775809"}) {
    EXPECT_EQ(ParseInt64(bad), std::nullopt) << bad;
  }
  for (const char* bad : {"", "-1", "18446744073709551616", "1 "}) {
    EXPECT_EQ(ParseUint64(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(ParseUint64("fg", 16), std::nullopt);
  EXPECT_EQ(ParseUint64("0x10", 16), std::nullopt);
  EXPECT_EQ(ParseUint64("1", 1), std::nullopt);
  EXPECT_EQ(ParseUint64("1", 37), std::nullopt);
  for (const char* bad : {"", " 1.5", "1.5 ", "1.5ms", "+1", "e5", "0x1p3", "1e999"}) {
    EXPECT_EQ(ParseDouble(bad), std::nullopt) << bad;
  }
}

TEST(SplitLines, OffsetsOfEachLine) {
  auto lines = SplitLines("a\nbc\r\n\nd");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "bc\r");
  EXPECT_EQ(lines[1].begin, 2u);
  EXPECT_EQ(lines[1].next, 6u);
  EXPECT_EQ(lines[2].text, "");
  EXPECT_EQ(lines[3].text, "d");
  EXPECT_EQ(lines[3].next, 8u);
  EXPECT_TRUE(SplitLines("").empty());
  EXPECT_EQ(SplitLines("x\n").size(), 1u);
}

TEST(CollapseSqlWhitespace, OutsideQuotesOnlyWithEachEnginesEscapes) {
  struct Case {
    std::string_view in, quotes;
    bool backslash;
    std::string_view out;
  };
  const Case cases[] = {
      {"  select\n\t a ,  b ;  ", "'\"", false, "select a , b"},
      {"a  'x  y'  \"p  q\"  b", "'\"", false, "a 'x  y' \"p  q\" b"},
      // PostgreSQL doubles a quote inside a string: toggling twice keeps the spaces after it quoted.
      {"'it''s  so'  x", "'\"", false, "'it''s  so' x"},
      // MariaDB escapes with a backslash, except inside `names`.
      {"'it\\'s  so'  x", "'\"`", true, "'it\\'s  so' x"},
      {"`a\\`  b", "'\"`", true, "`a\\` b"},
      // Without backslash escapes the same text ends the string at the escaped quote.
      {"'it\\'s  so'  x", "'\"", false, "'it\\'s so'  x"},
      {"", "'", false, ""},
      {" ; ", "'", false, ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CollapseSqlWhitespace(c.in, c.quotes, c.backslash), c.out) << c.in;
  }
}

}  // namespace
TEST(FingerprintHex, IsFnv1aWithTwoOffsetsAndTellsNearbyTextsApart) {
  // FNV-1a 64 of "" is its offset basis and of "a" the published 0xaf63dc4c8601ec8c.
  EXPECT_EQ(FingerprintHex(""), "cbf29ce48422232584222325cbf29ce4");
  EXPECT_EQ(FingerprintHex("a").substr(0, 16), "af63dc4c8601ec8c");
  std::set<std::string> seen;
  using namespace std::string_literals;
  for (const std::string& s : {"migrations\0sqlite://a.db"s, "migrations\0sqlite://b.db"s, "migration\0ssqlite://a.db"s,
                               "migrations"s, "migrations "s}) {
    std::string f = FingerprintHex(s);
    EXPECT_EQ(f.size(), 32u);
    EXPECT_EQ(f.find_first_not_of("0123456789abcdef"), std::string::npos) << f;
    EXPECT_TRUE(seen.insert(f).second) << s;
  }
}

}  // namespace strata::base
