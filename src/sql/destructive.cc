#include "sql/destructive.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "base/text.h"
#include "sql/mysql_split.h"
#include "sql/sqlite_lexer.h"
#include "sql/sqlite_split.h"
#include "sql/statement.h"

namespace strata::sql {

const char* DestructiveKindName(DestructiveKind kind) {
  switch (kind) {
    case DestructiveKind::kDropTable:
      return "DROP TABLE";
    case DestructiveKind::kDropColumn:
      return "DROP COLUMN";
    case DestructiveKind::kTruncate:
      return "TRUNCATE";
    case DestructiveKind::kDeleteAll:
      return "DELETE without WHERE";
    case DestructiveKind::kDropSchemaCascade:
      return "DROP SCHEMA ... CASCADE";
    case DestructiveKind::kRenameTable:
      return "RENAME";
  }
  return "?";
}

namespace {

using Tok = SqliteTokenKind;

// A lexer token with what the classifier compares: the name it stands for, lower-cased.
struct Token {
  Tok kind;
  std::size_t begin;  // byte offsets in the analyzed text
  std::size_t end;
  std::string name;   // kWord: as written; kQuotedName: without quotes, doubled quotes undone
  std::string lower;  // `name`, ASCII lower-cased (what SQLite compares)
  char punct = 0;     // kPunct only
};

// The tokens from `begin` to the end of `text`, which ends where the statement does.
std::vector<Token> StatementTokens(std::string_view text, std::size_t begin) {
  std::vector<Token> tokens;
  for (auto t = NextSqliteToken(text, begin); t; t = NextSqliteToken(text, t->end)) {
    Token token{t->kind, t->begin, t->end, {}, {}, 0};
    if (t->kind == Tok::kWord || t->kind == Tok::kQuotedName) token.name = SqliteTokenName(text, *t);
    if (t->kind == Tok::kPunct) token.punct = text[t->begin];
    token.lower = base::Lower(token.name);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

// A statement's tokens with bounds-checked look-ups: past the end is a token that matches nothing.
class Tokens {
 public:
  explicit Tokens(std::vector<Token> tokens) : v_(std::move(tokens)) {}
  std::size_t size() const { return v_.size(); }
  const Token& operator[](std::size_t i) const { return i < v_.size() ? v_[i] : none_; }
  bool Is(std::size_t i, std::string_view word) const {
    return (*this)[i].kind == Tok::kWord && (*this)[i].lower == word;
  }
  bool IsPunct(std::size_t i, char p) const { return (*this)[i].kind == Tok::kPunct && (*this)[i].punct == p; }
  bool IsName(std::size_t i) const { return (*this)[i].kind == Tok::kWord || (*this)[i].kind == Tok::kQuotedName; }

 private:
  std::vector<Token> v_;
  Token none_{Tok::kPunct, 0, 0, {}, {}, 0};
};

struct QualifiedName {
  std::string schema;
  std::string table;
  std::string table_lower;
  std::string schema_lower;
};

// Reads `[schema.]name` at `*i`; on success advances `*i` past it.
bool ReadName(const Tokens& t, std::size_t* i, QualifiedName* out) {
  if (!t.IsName(*i)) return false;
  if (t.IsPunct(*i + 1, '.') && t.IsName(*i + 2)) {
    *out = {t[*i].name, t[*i + 2].name, t[*i + 2].lower, t[*i].lower};
    *i += 3;
  } else {
    *out = {"", t[*i].name, t[*i].lower, ""};
    *i += 1;
  }
  return true;
}

// Words that end a FROM clause's comma-separated list of tables.
bool EndsFromList(const Token& t) {
  static constexpr std::string_view kEnd[] = {"where",     "group",  "order", "limit", "having", "window",    "union",
                                              "intersect", "except", "join",  "on",    "using",  "returning", "natural",
                                              "left",      "right",  "inner", "cross", "full",   "outer",     "select",
                                              "values",    "set",    "do",    "from"};
  return t.kind == Tok::kWord && std::find(std::begin(kEnd), std::end(kEnd), t.lower) != std::end(kEnd);
}

// Tables named after FROM and JOIN anywhere in the statement, including `FROM a, b` lists. One
// pass, with a flag per parenthesis depth that says whether a ',' there continues a FROM list.
std::vector<QualifiedName> FromTables(const Tokens& t) {
  std::vector<QualifiedName> out;
  std::vector<bool> in_list(1, false);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.IsPunct(i, '(')) {
      in_list.push_back(false);
    } else if (t.IsPunct(i, ')')) {
      if (in_list.size() > 1) in_list.pop_back();
    } else if (t.Is(i, "from") || t.Is(i, "join") || (t.IsPunct(i, ',') && in_list.back())) {
      in_list.back() = !t.Is(i, "join");
      std::size_t j = i + 1;
      QualifiedName name;
      if (ReadName(t, &j, &name)) {
        out.push_back(std::move(name));
        i = j - 1;
      }
    } else if (EndsFromList(t[i])) {
      in_list.back() = false;
    }
  }
  return out;
}

// Words after which SQLite expects a table's name, so that a keyword there is a name all the same.
bool IntroducesTable(const Token& t) {
  static constexpr std::string_view kIntro[] = {"from",       "join", "into", "update", "table",
                                                "references", "view", "on",   "exists", "to"};
  return t.kind == Tok::kWord && std::find(std::begin(kIntro), std::end(kIntro), t.lower) != std::end(kIntro);
}

bool IsStructural(const Token& t) {
  static constexpr std::string_view kWords[] = {"if", "not",  "exists",    "select", "values",   "default",
                                                "or", "temp", "temporary", "with",   "recursive"};
  return t.kind == Tok::kWord && std::find(std::begin(kWords), std::end(kWords), t.lower) != std::end(kWords);
}

// Names in a table's place only: a column or alias that happens to share a table's name must not
// keep --verify-data from watching that table.
void CollectReferenced(const Tokens& t, std::vector<std::string>* out) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!IntroducesTable(t[i])) continue;
    std::size_t j = i + 1;
    if (t.Is(i, "update") && t.Is(j, "or")) j += 2;  // UPDATE OR REPLACE t
    if (!t.IsName(j) || IsStructural(t[j])) continue;
    bool qualified = t.IsPunct(j + 1, '.') && t.IsName(j + 2);  // schema.table
    out->push_back(t[qualified ? j + 2 : j].lower);
  }
  for (QualifiedName& n : FromTables(t)) out->push_back(std::move(n.table_lower));
}

// An earlier statement that copied rows from `sources` into `target`.
struct Copy {
  std::string target;
  std::vector<QualifiedName> sources;
};

struct Statement {
  const Tokens& t;
  std::size_t offset;
  std::string text;
};

// Index of the first word among `words` at parenthesis depth 0, from `i` on; t.size() if none.
std::size_t FindTopLevel(const Tokens& t, std::size_t i, std::initializer_list<std::string_view> words) {
  int depth = 0;
  for (; i < t.size(); ++i) {
    if (t.IsPunct(i, '(')) ++depth;
    if (t.IsPunct(i, ')')) --depth;
    if (depth == 0 && t[i].kind == Tok::kWord && std::find(words.begin(), words.end(), t[i].lower) != words.end()) {
      return i;
    }
  }
  return t.size();
}

Destructive Entry(const Statement& s, DestructiveKind kind, QualifiedName name) {
  Destructive d;
  d.kind = kind;
  d.schema = std::move(name.schema);
  d.table = std::move(name.table);
  d.offset = s.offset;
  d.statement = s.text;
  return d;
}

// Appends the statement's destructive entry, if any; records a copy for the rebuild pattern.
void Classify(const Statement& s, std::vector<Destructive>* out, std::vector<Copy>* copies) {
  const Tokens& t = s.t;
  std::size_t i = 0;
  QualifiedName name;
  if (t.Is(0, "with")) {
    i = FindTopLevel(t, 1, {"delete", "insert", "replace", "update", "select", "values"});
  }
  if (t.Is(i, "drop") && t.Is(i + 1, "table")) {
    i += 2;
    if (t.Is(i, "if") && t.Is(i + 1, "exists")) i += 2;
    if (ReadName(t, &i, &name)) out->push_back(Entry(s, DestructiveKind::kDropTable, std::move(name)));
  } else if (t.Is(i, "alter") && t.Is(i + 1, "table")) {
    i += 2;
    if (!ReadName(t, &i, &name)) return;
    if (t.Is(i, "rename") && t.Is(i + 1, "to") && t.IsName(i + 2) && !t[i + 2].name.empty()) {
      Destructive d = Entry(s, DestructiveKind::kRenameTable, std::move(name));
      d.renamed_to = t[i + 2].name;
      out->push_back(std::move(d));
      return;
    }
    // PostgreSQL's commands separated by commas (`DROP COLUMN a, DROP COLUMN b`), which strata runs
    // itself on SQLite as a table rebuild: each command starts after a top-level comma.
    for (int depth = 0; i < t.size(); ++i) {
      if (t.IsPunct(i, '(')) ++depth;
      if (t.IsPunct(i, ')')) --depth;
      bool starts = i == 0 || (depth == 0 && (t.IsPunct(i - 1, ',') || t.Is(i - 1, name.table_lower) ||
                                              t[i - 1].name == name.table));
      if (!starts || !t.Is(i, "drop")) continue;
      // DROP CONSTRAINT name drops no column; `DROP constraint` alone drops a column named "constraint".
      if (t.Is(i + 1, "constraint") && t.IsName(i + 2)) continue;
      std::size_t k = i + (t.Is(i + 1, "column") ? 2 : 1);
      if (t.Is(k, "if") && t.Is(k + 1, "exists")) k += 2;
      if (!t.IsName(k)) continue;
      Destructive d = Entry(s, DestructiveKind::kDropColumn, name);
      d.column = t[k].name;
      out->push_back(std::move(d));
    }
  } else if (t.Is(i, "delete") && t.Is(i + 1, "from")) {
    i += 2;
    if (ReadName(t, &i, &name) && FindTopLevel(t, i, {"where"}) == t.size()) {
      out->push_back(Entry(s, DestructiveKind::kDeleteAll, std::move(name)));
    }
  } else if (t.Is(i, "insert") || t.Is(i, "replace")) {
    std::size_t into = FindTopLevel(t, i, {"into"}) + 1;
    if (ReadName(t, &into, &name)) copies->push_back({std::move(name.table), FromTables(t)});
  } else if (t.Is(i, "create")) {
    i += 1;
    if (t.Is(i, "temp") || t.Is(i, "temporary")) ++i;
    if (!t.Is(i, "table")) return;
    i += t.Is(i + 1, "if") && t.Is(i + 2, "not") && t.Is(i + 3, "exists") ? 4 : 1;
    if (ReadName(t, &i, &name) && t.Is(i, "as")) copies->push_back({std::move(name.table), FromTables(t)});
  }
}

bool SameTable(const QualifiedName& a, const Destructive& d) {
  if (a.table_lower != base::Lower(d.table)) return false;
  return a.schema_lower.empty() || d.schema.empty() || a.schema_lower == base::Lower(d.schema);
}

// MariaDB's own statements, classified before the forms it shares with SQLite; false when the
// statement is none of them.
bool ClassifyMysql(const Statement& s, std::vector<Destructive>* out) {
  const Tokens& t = s.t;
  QualifiedName name;
  std::size_t i = 0;
  // DROP TABLES is the same statement.
  auto table = [&](std::size_t k) { return t.Is(k, "table") || t.Is(k, "tables"); };
  if (t.Is(0, "drop") && (table(1) || (t.Is(1, "temporary") && table(2)))) {
    if (t.Is(1, "temporary")) return true;  // a session's own table, not one of the schema
    i = 2;
    if (t.Is(i, "if") && t.Is(i + 1, "exists")) i += 2;
    while (ReadName(t, &i, &name)) {
      out->push_back(Entry(s, DestructiveKind::kDropTable, std::move(name)));
      if (!t.IsPunct(i, ',')) break;
      ++i;
    }
    return true;
  }
  // CREATE OR REPLACE TABLE drops the table of that name first, rows and all.
  if (t.Is(0, "create") && t.Is(1, "or") && t.Is(2, "replace")) {
    if (t.Is(3, "temporary")) return true;
    if (!t.Is(3, "table")) return false;
    i = 4;
    if (ReadName(t, &i, &name)) out->push_back(Entry(s, DestructiveKind::kDropTable, std::move(name)));
    return true;
  }
  if (t.Is(0, "truncate")) {
    i = t.Is(1, "table") ? 2 : 1;
    if (ReadName(t, &i, &name)) out->push_back(Entry(s, DestructiveKind::kTruncate, std::move(name)));
    return true;
  }
  if (t.Is(0, "rename") && t.Is(1, "table")) {
    i = 2;
    while (ReadName(t, &i, &name) && t.Is(i, "to") && t.IsName(i + 1)) {
      QualifiedName to;
      ++i;
      ReadName(t, &i, &to);
      if (!to.table.empty()) {  // `` is no name the server takes
        Destructive d = Entry(s, DestructiveKind::kRenameTable, std::move(name));
        d.renamed_to = to.table;
        out->push_back(std::move(d));
      }
      if (!t.IsPunct(i, ',')) break;
      ++i;
    }
    return true;
  }
  if (t.Is(0, "delete")) {
    i = 1;
    while (t.Is(i, "low_priority") || t.Is(i, "quick") || t.Is(i, "ignore")) ++i;
    if (!t.Is(i, "from")) return true;  // DELETE t1, t2 FROM ...: not followed
    ++i;
    if (ReadName(t, &i, &name) && !t.IsPunct(i, ',') && !t.Is(i, "using") &&
        FindTopLevel(t, i, {"where"}) == t.size()) {
      out->push_back(Entry(s, DestructiveKind::kDeleteAll, std::move(name)));
    }
    return true;
  }
  if (t.Is(0, "alter")) {
    i = 1;
    while (t.Is(i, "online") || t.Is(i, "ignore")) ++i;
    if (!t.Is(i, "table")) return false;
    ++i;
    if (t.Is(i, "if") && t.Is(i + 1, "exists")) i += 2;
    if (!ReadName(t, &i, &name)) return true;
    // Each command starts after the name or after a top-level comma.
    const std::size_t first = i;
    for (int depth = 0; i < t.size(); ++i) {
      bool starts = depth == 0 && (i == first || t.IsPunct(i, ','));
      if (t.IsPunct(i, '(')) ++depth;
      if (t.IsPunct(i, ')')) --depth;
      if (!starts) continue;
      std::size_t k = i == first ? i : i + 1;
      if (t.Is(k, "rename") && !t.Is(k + 1, "column") && !t.Is(k + 1, "index") && !t.Is(k + 1, "key")) {
        std::size_t n = k + 1 + (t.Is(k + 1, "to") || t.Is(k + 1, "as") ? 1 : 0);
        QualifiedName to;
        if (ReadName(t, &n, &to) && !to.table.empty()) {
          Destructive d = Entry(s, DestructiveKind::kRenameTable, name);
          d.renamed_to = to.table;
          out->push_back(std::move(d));
        }
        continue;
      }
      if (!t.Is(k, "drop")) continue;
      ++k;
      static constexpr std::string_view kNotColumns[] = {"index",     "key",       "primary", "foreign", "check",
                                                         "constraint", "partition", "period",  "system",  "fulltext",
                                                         "spatial"};
      if (t[k].kind == Tok::kWord &&
          std::find(std::begin(kNotColumns), std::end(kNotColumns), t[k].lower) != std::end(kNotColumns)) {
        continue;
      }
      if (t.Is(k, "column")) ++k;
      if (t.Is(k, "if") && t.Is(k + 1, "exists")) k += 2;
      if (!t.IsName(k)) continue;
      Destructive d = Entry(s, DestructiveKind::kDropColumn, name);
      d.column = t[k].name;
      out->push_back(std::move(d));
    }
    return true;
  }
  return false;
}

// Classifies the statement of `lexed` at [begin, end); its text is taken from `original`.
void AnalyzeStatement(std::string_view lexed, std::string_view original, std::size_t begin, std::size_t end,
                      bool mysql, Analysis* analysis, std::vector<Copy>* copies) {
  std::vector<Token> raw = StatementTokens(lexed.substr(0, std::min(end, lexed.size())), begin);
  while (!raw.empty() && raw.back().kind == Tok::kPunct && raw.back().punct == ';') raw.pop_back();
  if (raw.empty()) return;
  Tokens tokens(std::move(raw));
  CollectReferenced(tokens, &analysis->referenced);
  if (tokens.Is(0, "explain")) return;  // EXPLAIN runs nothing
  const std::size_t first = tokens[0].begin;
  const Statement statement{tokens, first,
                            std::string(original.substr(first, tokens[tokens.size() - 1].end - first))};
  std::size_t first_new = analysis->destructive.size();
  if (!mysql || !ClassifyMysql(statement, &analysis->destructive)) {
    Classify(statement, &analysis->destructive, copies);
  }
  for (std::size_t k = first_new; k < analysis->destructive.size(); ++k) {
    Destructive& d = analysis->destructive[k];
    if (d.kind != DestructiveKind::kDropTable) continue;
    for (auto c = copies->rbegin(); c != copies->rend() && d.copied_into.empty(); ++c) {
      if (base::Lower(c->target) == base::Lower(d.table)) continue;  // INSERT INTO t SELECT ... FROM t
      if (std::any_of(c->sources.begin(), c->sources.end(), [&](const QualifiedName& n) { return SameTable(n, d); })) {
        d.copied_into = c->target;
      }
    }
  }
}

void SortReferenced(Analysis* analysis) {
  std::sort(analysis->referenced.begin(), analysis->referenced.end());
  analysis->referenced.erase(std::unique(analysis->referenced.begin(), analysis->referenced.end()),
                             analysis->referenced.end());
}

}  // namespace

Result<Analysis> AnalyzeSqlite(std::string_view sql) {
  STRATA_RETURN_IF_ERROR(RejectNul(sql));
  Analysis analysis;
  std::vector<Copy> copies;
  for (const StatementSpan& span : SplitSqlite(sql)) {
    AnalyzeStatement(sql, sql, span.begin, span.end, false, &analysis, &copies);
  }
  SortReferenced(&analysis);
  return analysis;
}

Result<Analysis> AnalyzeMysql(std::string_view sql, MysqlQuoting quoting) {
  STRATA_ASSIGN_OR_RETURN(std::vector<StatementSpan> spans, SplitMysql(sql, quoting));
  const std::string lexed = MysqlAsSqliteText(sql, quoting);
  Analysis analysis;
  std::vector<Copy> copies;
  for (const StatementSpan& span : spans) {
    AnalyzeStatement(lexed, sql, span.begin, span.end, true, &analysis, &copies);
  }
  SortReferenced(&analysis);
  return analysis;
}

}  // namespace strata::sql
