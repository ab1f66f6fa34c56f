#include "sql/sqlite_ddl.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/text.h"

namespace strata::sql::sqlite_ddl {
namespace {

std::vector<std::string> Texts(std::string_view sql) {
  std::vector<std::string> out;
  auto tokens = Tokenize(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
  if (!tokens.ok()) return out;
  for (const Token& t : *tokens) out.emplace_back(sql.substr(t.begin, t.end - t.begin));
  return out;
}

// The error the way the introspector shows it: message, source line, caret.
std::string Shown(std::string_view sql, const Status& status) {
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(status.sql_offset().has_value());
  return base::FormatLocated(base::MakeLocation("ddl", sql, status.sql_offset().value_or(0)), status.message());
}

TEST(SqliteDdlTokenize, QuotesCommentsAndParenthesesInStrings) {
  std::string sql =
      "CREATE TABLE \"we\"\"ird\" ([a b] INT, `c``d` TEXT DEFAULT ')(' /* ( */ -- )\n, e BLOB DEFAULT x'0A', "
      "f REAL DEFAULT 1.5e-3, g DEFAULT .5)";
  EXPECT_EQ(Texts(sql), (std::vector<std::string>{"CREATE", "TABLE",   "\"we\"\"ird\"", "(",       "[a b]", "INT",
                                                  ",",      "`c``d`",  "TEXT",          "DEFAULT", "')('",  ",",
                                                  "e",      "BLOB",    "DEFAULT",       "x'0A'",   ",",     "f",
                                                  "REAL",   "DEFAULT", "1.5e-3",        ",",       "g",     "DEFAULT",
                                                  ".5",     ")"}));
  auto tokens = Tokenize(sql).value();
  EXPECT_EQ(tokens[2].kind, TokenKind::kQuotedName);
  EXPECT_EQ(tokens[10].kind, TokenKind::kString);
  EXPECT_EQ(tokens[15].kind, TokenKind::kBlob);
  EXPECT_EQ(tokens[20].kind, TokenKind::kNumber);
  EXPECT_EQ(tokens[3].match, tokens.size() - 1);
  EXPECT_EQ(tokens.back().match, 3u);
  EXPECT_EQ(Texts("a--x"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Texts("a /* unterminated comment runs to the end"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(Texts("").empty());
}

TEST(SqliteDdlTokenize, RejectsWhatItCannotDelimit) {
  struct Case {
    std::string sql, shown;
  };
  const std::vector<Case> cases = {
      {"SELECT 'abc", "ddl:1:8: unterminated string\n    SELECT 'abc\n           ^"},
      {"a \"b", "ddl:1:3: unterminated quoted name\n    a \"b\n      ^"},
      {"a [b", "ddl:1:3: unterminated quoted name\n    a [b\n      ^"},
      {"x'00", "ddl:1:1: unterminated blob literal\n    x'00\n    ^"},
      {"f((a)", "ddl:1:2: '(' is never closed\n    f((a)\n     ^"},
      {"a)", "ddl:1:2: ')' without a matching '('\n    a)\n     ^"},
      {std::string("a\x01", 2), "ddl:1:2: unexpected byte 0x01\n    a\x01\n     ^"},
  };
  for (const Case& c : cases) {
    auto r = Tokenize(c.sql);
    ASSERT_FALSE(r.ok()) << c.sql;
    EXPECT_EQ(Shown(c.sql, r.status()), c.shown);
  }
}

TEST(SqliteDdlNormalize, CollapsesWhitespaceAndDropsComments) {
  EXPECT_EQ(NormalizeWhitespace("  SELECT  a ,\n\t b -- trailing ( comment\n FROM /* x */ t  \n"),
            "SELECT a , b FROM t");
  EXPECT_EQ(NormalizeWhitespace("SELECT 'a  b\n c', \"x  y\", [p  q], `r  s` FROM t"),
            "SELECT 'a  b\n c', \"x  y\", [p  q], `r  s` FROM t");
  EXPECT_EQ(NormalizeWhitespace("a/**/b"), "a b");
  EXPECT_EQ(NormalizeWhitespace("1-/**/-1"), "1- -1");
  EXPECT_EQ(NormalizeWhitespace("'it''s  here'  x"), "'it''s  here' x");
  EXPECT_EQ(NormalizeWhitespace("SELECT 'unterminated  "), "SELECT 'unterminated  ");
  EXPECT_EQ(NormalizeWhitespace(" -- only a comment"), "");
}

TEST(SqliteDdlStripEnclosingParens, OnlyOnePairAroundEverything) {
  EXPECT_EQ(StripEnclosingParens("(a + b)"), "a + b");
  EXPECT_EQ(StripEnclosingParens("((1))"), "(1)");
  EXPECT_EQ(StripEnclosingParens(" ( datetime('now') ) "), "datetime('now')");
  EXPECT_EQ(StripEnclosingParens("(a) + (b)"), "(a) + (b)");
  EXPECT_EQ(StripEnclosingParens("'(x)'"), "'(x)'");
  EXPECT_EQ(StripEnclosingParens("(')')"), "')'");
  EXPECT_EQ(StripEnclosingParens("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
  EXPECT_EQ(StripEnclosingParens("('unterminated"), "('unterminated");
  EXPECT_EQ(StripEnclosingParens(""), "");
}

TEST(SqliteDdlDequote, EveryQuoteStyle) {
  EXPECT_EQ(Dequote("\"a\"\"b\""), "a\"b");
  EXPECT_EQ(Dequote("[a\"\"b]"), "a\"\"b");
  EXPECT_EQ(Dequote("`a``b`"), "a`b");
  EXPECT_EQ(Dequote("'it''s'"), "it's");
  EXPECT_EQ(Dequote("plain"), "plain");
  EXPECT_EQ(Dequote("\""), "\"");
}

TEST(SqliteDdlCreateTable, EveryConstraintKind) {
  auto t = ParseCreateTable(
      "CREATE TABLE IF NOT EXISTS main.\"Or\"\"ders\" (\n"
      "  id INTEGER CONSTRAINT pk_orders PRIMARY KEY AUTOINCREMENT,\n"
      "  code VARCHAR(10, 2) NOT NULL ON CONFLICT REPLACE COLLATE NOCASE CONSTRAINT code_u UNIQUE,\n"
      "  note TEXT DEFAULT ')(' CHECK (note <> ')' /* not a paren */) CONSTRAINT note_len CHECK (length(note) < 5),\n"
      "  qty INT DEFAULT -1 NULL,\n"
      "  total GENERATED ALWAYS AS (qty  *\n 2) STORED,\n"
      "  half REAL AS (qty / 2.0),\n"
      "  cust INTEGER REFERENCES customers ON DELETE SET NULL MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED,\n"
      "  [desc] TEXT,\n"
      "  CONSTRAINT chk_qty CHECK (qty > 0)\n"
      "  UNIQUE (code COLLATE NOCASE ASC, \"desc\"),\n"
      "  CONSTRAINT fk_self FOREIGN KEY (cust, code) REFERENCES \"Or\"\"ders\" (id, code)\n"
      "    ON UPDATE CASCADE ON DELETE NO ACTION NOT DEFERRABLE INITIALLY DEFERRED,\n"
      "  FOREIGN KEY (qty) REFERENCES q DEFERRABLE\n"
      ") WITHOUT ROWID, STRICT;");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->name, "Or\"ders");
  ASSERT_EQ(t->columns.size(), 8u);
  EXPECT_EQ(t->columns[0].name, "id");
  EXPECT_EQ(t->columns[4].name, "total");
  EXPECT_EQ(t->columns[4].generated, "qty * 2");
  EXPECT_TRUE(t->columns[4].generated_stored);
  EXPECT_EQ(t->columns[5].generated, "qty / 2.0");
  EXPECT_FALSE(t->columns[5].generated_stored);
  EXPECT_EQ(t->columns[7].name, "desc");
  EXPECT_TRUE(t->columns[7].generated.empty());
  EXPECT_EQ(t->primary_key_name, "pk_orders");
  ASSERT_EQ(t->checks.size(), 3u);
  EXPECT_EQ(t->checks[0].name, "");
  EXPECT_EQ(t->checks[0].expression, "note <> ')'");
  EXPECT_EQ(t->checks[1].name, "note_len");
  EXPECT_EQ(t->checks[1].expression, "length(note) < 5");
  EXPECT_EQ(t->checks[2].name, "chk_qty");
  ASSERT_EQ(t->uniques.size(), 2u);
  EXPECT_EQ(t->uniques[0].name, "code_u");
  EXPECT_EQ(t->uniques[0].columns, (std::vector<std::string>{"code"}));
  EXPECT_EQ(t->uniques[1].name, "");
  EXPECT_EQ(t->uniques[1].columns, (std::vector<std::string>{"code", "desc"}));
  ASSERT_EQ(t->foreign_keys.size(), 3u);
  const ForeignKeyDef& cust = t->foreign_keys[0];
  EXPECT_EQ(cust.name, "");
  EXPECT_EQ(cust.columns, (std::vector<std::string>{"cust"}));
  EXPECT_EQ(cust.ref_table, "customers");
  EXPECT_TRUE(cust.ref_columns.empty());
  EXPECT_TRUE(cust.deferrable);
  EXPECT_TRUE(cust.initially_deferred);
  const ForeignKeyDef& self = t->foreign_keys[1];
  EXPECT_EQ(self.name, "fk_self");
  EXPECT_EQ(self.columns, (std::vector<std::string>{"cust", "code"}));
  EXPECT_EQ(self.ref_table, "Or\"ders");
  EXPECT_EQ(self.ref_columns, (std::vector<std::string>{"id", "code"}));
  EXPECT_FALSE(self.deferrable);
  EXPECT_FALSE(self.initially_deferred);
  EXPECT_TRUE(t->foreign_keys[2].deferrable);
  EXPECT_FALSE(t->foreign_keys[2].initially_deferred);
  EXPECT_TRUE(t->without_rowid);
  EXPECT_TRUE(t->strict);
}

TEST(SqliteDdlCreateTable, TextsSqliteWritesItself) {
  // ALTER TABLE ADD COLUMN splices ", <definition>" after the last column; RENAME COLUMN quotes.
  auto t = ParseCreateTable(
      "CREATE TABLE \"t 2\" (a INTEGER PRIMARY KEY, \"b b\" TEXT CHECK (length(\"b b\") < 10), c INTEGER "
      "REFERENCES \"t 2\"(a) DEFERRABLE INITIALLY DEFERRED, d INTEGER CONSTRAINT d_pos CHECK (d > 0),\n"
      "  CONSTRAINT t_u UNIQUE (\"b b\"))");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->columns.size(), 4u);
  EXPECT_EQ(t->columns[1].name, "b b");
  EXPECT_EQ(t->checks[0].expression, "length(\"b b\") < 10");
  EXPECT_EQ(t->checks[1].name, "d_pos");
  EXPECT_EQ(t->uniques[0].columns, (std::vector<std::string>{"b b"}));
  EXPECT_EQ(t->foreign_keys[0].ref_table, "t 2");
  // CREATE TABLE ... AS SELECT is stored as a plain column list; types may be missing.
  auto ctas = ParseCreateTable("CREATE TABLE x(a INT,\"b c\" TEXT,d,\"\"\"e\"\"\")");
  ASSERT_TRUE(ctas.ok()) << ctas.status().ToString();
  ASSERT_EQ(ctas->columns.size(), 4u);
  EXPECT_EQ(ctas->columns[3].name, "\"e\"");
  // A type may swallow words SQLite also uses as keywords elsewhere.
  auto types = ParseCreateTable(
      "CREATE TABLE y (a UNSIGNED BIG INT, b 'odd type', c GENERATED, d GENERATED ALWAYS AED, e GENERATED ALWAYS)");
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  EXPECT_EQ(types->columns.size(), 5u);
  EXPECT_TRUE(types->columns[3].generated.empty());
}

TEST(SqliteDdlCreateTable, RejectsWhatItDoesNotUnderstand) {
  struct Case {
    std::string sql, shown;
  };
  const std::vector<Case> cases = {
      {"", "ddl:1:1: expected CREATE, found the end of the text"},
      {"CREATE VIRTUAL TABLE t USING fts5(a)",
       "ddl:1:8: expected TABLE, found 'VIRTUAL'\n    CREATE VIRTUAL TABLE t USING fts5(a)\n           ^"},
      {"CREATE TABLE t AS SELECT 1",
       "ddl:1:16: expected '(' after the table name, found 'AS'\n    CREATE TABLE t AS SELECT 1\n                   ^"},
      {"CREATE TABLE t ()",
       "ddl:1:17: expected a column name, found ')'\n    CREATE TABLE t ()\n                    ^"},
      {"CREATE TABLE t (a INT CHECK)",
       "ddl:1:28: expected '(' after CHECK, found ')'\n    CREATE TABLE t (a INT CHECK)\n                              "
       " ^"},
      {"CREATE TABLE t (a CHECK ())",
       "ddl:1:26: expected an expression in CHECK, found ')'\n    CREATE TABLE t (a CHECK ())\n"
       "                             ^"},
      {"CREATE TABLE t (a INT PRIMARY)",
       "ddl:1:30: expected KEY, found ')'\n    CREATE TABLE t (a INT PRIMARY)\n                                 ^"},
      {"CREATE TABLE t (PRIMARY KEY (a))",
       "ddl:1:17: expected a column definition, found 'PRIMARY'\n    CREATE TABLE t (PRIMARY KEY (a))\n"
       "                    ^"},
      {"CREATE TABLE t (a, CONSTRAINT c FOO)",
       "ddl:1:33: expected PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY, found 'FOO'\n"
       "    CREATE TABLE t (a, CONSTRAINT c FOO)\n                                    ^"},
      {"CREATE TABLE t (a INT NULL b)",
       "ddl:1:28: unexpected token in the definition of column \"a\", found 'b'\n"
       "    CREATE TABLE t (a INT NULL b)\n                               ^"},
      {"CREATE TABLE t (a INT DEFAULT)",
       "ddl:1:30: expected a default value, found ')'\n    CREATE TABLE t (a INT DEFAULT)\n"
       "                                 ^"},
      {"CREATE TABLE t (a REFERENCES p ON DELETE NOTHING)",
       "ddl:1:42: expected SET NULL, SET DEFAULT, CASCADE, RESTRICT or NO ACTION, found 'NOTHING'\n"
       "    CREATE TABLE t (a REFERENCES p ON DELETE NOTHING)\n                                             ^"},
      {"CREATE TABLE t (a) WITHOUT OIDS",
       "ddl:1:28: expected ROWID, found 'OIDS'\n    CREATE TABLE t (a) WITHOUT OIDS\n                               ^"},
      {"CREATE TABLE t (a) STRICT, STRICT x",
       "ddl:1:35: expected ',' or the end of the statement, found 'x'\n    CREATE TABLE t (a) STRICT, STRICT x\n"
       "                                      ^"},
      {"CREATE TABLE t (a INT", "ddl:1:16: '(' is never closed\n    CREATE TABLE t (a INT\n                   ^"},
      {"CREATE TABLE t (a); CREATE TABLE u (b)",
       "ddl:1:19: expected WITHOUT ROWID or STRICT, found ';'\n    CREATE TABLE t (a); CREATE TABLE u (b)\n"
       "                      ^"},
  };
  for (const Case& c : cases) {
    auto r = ParseCreateTable(c.sql);
    ASSERT_FALSE(r.ok()) << c.sql;
    EXPECT_EQ(Shown(c.sql, r.status()), c.shown) << c.sql;
  }
}

TEST(SqliteDdlCreateIndex, KeysAsWrittenAndPredicate) {
  auto i = ParseCreateIndex(
      "CREATE UNIQUE INDEX IF NOT EXISTS \"ix\" ON \"my table\" (\n"
      "  \"e\"\"mail\" COLLATE NOCASE DESC, lower( name )  ASC, desc, [key] DESC, substr(a, 1, 2) COLLATE \"rtrim\"\n"
      ") WHERE  deleted_at IS NULL -- live rows\n  AND name <> 'a  b';");
  ASSERT_TRUE(i.ok()) << i.status().ToString();
  EXPECT_TRUE(i->unique);
  EXPECT_EQ(i->name, "ix");
  EXPECT_EQ(i->table, "my table");
  ASSERT_EQ(i->keys.size(), 5u);
  EXPECT_TRUE(i->keys[0].is_name);
  EXPECT_EQ(i->keys[0].name, "e\"mail");
  EXPECT_EQ(i->keys[0].collation, "NOCASE");
  EXPECT_TRUE(i->keys[0].desc);
  EXPECT_FALSE(i->keys[1].is_name);
  EXPECT_EQ(i->keys[1].expression, "lower(name)");  // canonical (CanonicalSql)
  EXPECT_FALSE(i->keys[1].desc);
  EXPECT_TRUE(i->keys[2].is_name);  // a column called desc
  EXPECT_EQ(i->keys[2].name, "desc");
  EXPECT_FALSE(i->keys[2].desc);
  EXPECT_EQ(i->keys[3].name, "key");
  EXPECT_TRUE(i->keys[3].desc);
  EXPECT_EQ(i->keys[4].expression, "substr(a, 1, 2)");
  EXPECT_EQ(i->keys[4].collation, "\"rtrim\"");
  EXPECT_EQ(i->where, "deleted_at IS NULL AND name <> 'a  b'");

  for (const char* bad : {"CREATE INDEX i ON t ()", "CREATE INDEX i ON t (a,)", "CREATE INDEX i ON t (a) b",
                          "CREATE INDEX i ON t (a) WHERE", "CREATE INDEX i t (a)", "CREATE TABLE t (a)"}) {
    auto r = ParseCreateIndex(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_EQ(Shown("CREATE INDEX i ON t (a) b", ParseCreateIndex("CREATE INDEX i ON t (a) b").status()),
            "ddl:1:25: expected WHERE or the end of the statement, found 'b'\n    CREATE INDEX i ON t (a) b\n"
            "                            ^");
}

TEST(SqliteDdlView, DefinitionAfterAs) {
  EXPECT_EQ(ParseViewDefinition("CREATE VIEW v AS SELECT 1").value(), "SELECT 1");
  EXPECT_EQ(ParseViewDefinition("CREATE TEMP VIEW IF NOT EXISTS s.\"v (as)\" (a, \"as\") AS\n"
                                "  SELECT x AS a, 'as  is' AS \"as\" -- note\n  FROM t /* c */ WHERE (y)")
                .value(),
            "SELECT x AS a, 'as  is' AS \"as\" FROM t WHERE (y)");
  auto r = ParseViewDefinition("CREATE VIEW v SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Shown("CREATE VIEW v SELECT 1", r.status()),
            "ddl:1:15: expected AS, found 'SELECT'\n    CREATE VIEW v SELECT 1\n                  ^");
  EXPECT_FALSE(ParseViewDefinition("CREATE VIEW v AS").ok());
}

// The same definition in two styles must compare equal: `schema diff` and `drift` would
// otherwise report a view or a CHECK whose author only changed case or spacing.
TEST(SqliteDdlCanonical, StylesOfTheSameSqlAgree) {
  const char* const pairs[][2] = {
      {"select a,b from t where x<>1", "SELECT a, b\nFROM t  WHERE x <> 1"},
      {"lower( email )", "LOWER(email)"},
      {"count(*) filter (where n>=2)", "COUNT( * ) FILTER (WHERE n >= 2)"},
      {"t.a||'-'||t.b", "t . a || '-' || t . b"},
      {"doc->>'$.k' is not null", "doc ->> '$.k' IS NOT NULL -- why\n"},
      {"x in ('a','b')", "x IN ( 'a' , 'b' )"},
  };
  for (const auto& [a, b] : pairs) EXPECT_EQ(CanonicalSql(a), CanonicalSql(b)) << a << " | " << b;
  EXPECT_EQ(CanonicalSql("select a,b from t where x<>1"), "SELECT a, b FROM t WHERE x <> 1");
  EXPECT_EQ(CanonicalSql("LOWER( email )"), "lower(email)");
  EXPECT_EQ(CanonicalSql("x in ('a','b')"), "x IN ('a', 'b')");
  // Literals and names keep their case and inner spaces; distinct SQL stays distinct.
  EXPECT_EQ(CanonicalSql("name = 'Select  Me' AND \"Odd Col\" > 1"), "name = 'Select  Me' AND \"Odd Col\" > 1");
  EXPECT_NE(CanonicalSql("a < > b"), CanonicalSql("a <> b"));
  EXPECT_NE(CanonicalSql("x = 1"), CanonicalSql("x = 2"));
  // Text that does not tokenize is still whitespace-normalized, never lost.
  EXPECT_EQ(CanonicalSql("x = 'open  "), "x = 'open  ");
}

}  // namespace
}  // namespace strata::sql::sqlite_ddl
