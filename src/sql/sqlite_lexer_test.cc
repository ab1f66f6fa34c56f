#include "sql/sqlite_lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::sql {
namespace {

using K = SqliteTokenKind;

const char* KindName(K kind) {
  switch (kind) {
    case K::kWord:
      return "word";
    case K::kNumber:
      return "number";
    case K::kString:
      return "string";
    case K::kQuotedName:
      return "quoted";
    case K::kBlob:
      return "blob";
    case K::kVariable:
      return "variable";
    case K::kPunct:
      return "punct";
    case K::kIllegal:
      return "illegal";
  }
  return "?";
}

// "kind:text" per token; an unterminated token is marked with a trailing '~'.
std::vector<std::string> Lex(std::string_view text) {
  std::vector<std::string> out;
  for (const SqliteToken& t : TokenizeSqlite(text)) {
    out.push_back(std::string(KindName(t.kind)) + ":" + std::string(text.substr(t.begin, t.end - t.begin)) +
                  (t.unterminated ? "~" : ""));
  }
  return out;
}

using Tokens = std::vector<std::string>;

TEST(SqliteLexer, TokensAsSqliteDelimitsThem) {
  struct Case {
    std::string text;
    Tokens tokens;
  };
  const std::vector<Case> cases = {
      {"", {}},
      {" \t\n\v\f\r-- only a comment", {}},
      {"SELECT a_1$x, _b, été FROM t;",
       {"word:SELECT", "word:a_1$x", "punct:,", "word:_b", "punct:,", "word:été", "word:FROM", "word:t", "punct:;"}},
      {"'it''s' \"a\"\"b\" `c``d` [e\"\"f] x'0A' X''",
       {"string:'it''s'", "quoted:\"a\"\"b\"", "quoted:`c``d`", "quoted:[e\"\"f]", "blob:x'0A'", "blob:X''"}},
      {"12 1.5e-3 .5 0x1F 1e 12abc 1.2.3 1..a",
       {"number:12", "number:1.5e-3", "number:.5", "number:0x1F", "number:1e", "number:12abc", "number:1.2",
        "number:.3", "number:1.", "punct:.", "word:a"}},
      {"? ?12 :a @b $c #d $a::b $x(y z) ?from",
       {"variable:?", "variable:?12", "variable::a", "variable:@b", "variable:$c", "variable:#d", "variable:$a::b",
        "variable:$x(y", "word:z", "punct:)", "variable:?", "word:from"}},
      {": @ $ # a<=b||c->>'$'",
       {"punct::", "punct:@", "punct:$", "punct:#", "word:a", "punct:<", "punct:=", "word:b", "punct:|", "punct:|",
        "word:c", "punct:-", "punct:>", "punct:>", "string:'$'"}},
      {"a--x\nb/* c */d/* open", {"word:a", "word:b", "word:d"}},
      {"1-/**/-1 a/**/b", {"number:1", "punct:-", "punct:-", "number:1", "word:a", "word:b"}},
      {std::string("a\x01\x7f", 3), {"word:a", "illegal:\x01", "illegal:\x7f"}},
  };
  for (const Case& c : cases) EXPECT_EQ(Lex(c.text), c.tokens) << c.text;
}

// Text SQLite refuses still gives tokens, so that readers that must not fail can go on.
TEST(SqliteLexer, UnterminatedRunsToTheEnd) {
  EXPECT_EQ(Lex("a 'b;c"), (Tokens{"word:a", "string:'b;c~"}));
  EXPECT_EQ(Lex("\"x\"\""), (Tokens{"quoted:\"x\"\"~"}));
  EXPECT_EQ(Lex("[a b"), (Tokens{"quoted:[a b~"}));
  EXPECT_EQ(Lex("x'00"), (Tokens{"blob:x'00~"}));
  EXPECT_EQ(Lex("`"), (Tokens{"quoted:`~"}));
}

TEST(SqliteLexer, SkipSpaceAndComments) {
  EXPECT_EQ(SkipSpaceAndComments(""), 0u);
  EXPECT_EQ(SkipSpaceAndComments("  x"), 2u);
  EXPECT_EQ(SkipSpaceAndComments("-- a\n/* b */ x"), 13u);
  EXPECT_EQ(SkipSpaceAndComments("/* never closed"), 15u);
  EXPECT_EQ(SkipSpaceAndComments("x  y", 1), 3u);
  EXPECT_EQ(SkipSpaceAndComments("x", 5), 1u);
  EXPECT_EQ(SkipSpaceAndComments("- -"), 0u);
  EXPECT_FALSE(NextSqliteToken(" -- c", 0).has_value());
  EXPECT_FALSE(NextSqliteToken("a", 1).has_value());
}

TEST(SqliteLexer, Names) {
  EXPECT_EQ(Dequote("\"a\"\"b\""), "a\"b");
  EXPECT_EQ(Dequote("[a\"\"b]"), "a\"\"b");
  EXPECT_EQ(Dequote("'it''s'"), "it's");
  EXPECT_EQ(Dequote("\"open"), "\"open");
  const std::string text = "Word \"a\"\"b\" [c] \"open\"\"";
  std::vector<std::string> names;
  for (const SqliteToken& t : TokenizeSqlite(text)) names.push_back(SqliteTokenName(text, t));
  EXPECT_EQ(names, (std::vector<std::string>{"Word", "a\"b", "c", "open\""}));
}

}  // namespace
}  // namespace strata::sql
