// One statement's tokens as SQLite's lexer reads them (sql/sqlite_lexer.h), for the rules that
// read statements token by token: SQLite's own text, and MariaDB's once MysqlAsSqliteText has
// blanked its comments and strings. Offsets are within the text the tokens were read from.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "sql/sqlite_lexer.h"
#include "sql/statement.h"

namespace strata::lint {

class Tokens {
 public:
  // The tokens of [span.begin, span.end) of `text`; `string_names`: a 'string' may stand for a
  // name (SQLite's reading); `drop_semicolons`: trailing `;` tokens are left out.
  Tokens(std::string_view text, sql::StatementSpan span, bool string_names, bool drop_semicolons)
      : text_(text), string_names_(string_names) {
    std::size_t from = span.begin;
    while (auto t = sql::NextSqliteToken(text.substr(0, span.end), from)) {
      tokens_.push_back(*t);
      from = t->end;
    }
    while (drop_semicolons && !tokens_.empty() && Punct(tokens_.size() - 1, ';')) tokens_.pop_back();
  }
  std::size_t size() const { return tokens_.size(); }
  const sql::SqliteToken& operator[](std::size_t i) const { return tokens_[i]; }
  // The upper-cased word at `i`; "" for anything else or past the end.
  std::string Word(std::size_t i) const {
    if (i >= tokens_.size() || tokens_[i].kind != sql::SqliteTokenKind::kWord) return "";
    std::string w(text_.substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin));
    for (char& c : w) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    return w;
  }
  bool Is(std::size_t i, std::string_view word) const { return Word(i) == word; }
  bool Punct(std::size_t i, char c) const {
    return i < tokens_.size() && tokens_[i].kind == sql::SqliteTokenKind::kPunct && text_[tokens_[i].begin] == c;
  }
  bool Number(std::size_t i) const { return i < tokens_.size() && tokens_[i].kind == sql::SqliteTokenKind::kNumber; }
  bool IsName(std::size_t i) const {
    if (i >= tokens_.size()) return false;
    const auto kind = tokens_[i].kind;
    return kind == sql::SqliteTokenKind::kWord || kind == sql::SqliteTokenKind::kQuotedName ||
           (string_names_ && kind == sql::SqliteTokenKind::kString);
  }
  // The name at `i` (`name` or `schema.name`: the last part), lower-cased unless `as_written`;
  // advances `i` past it. "" when there is none.
  std::string Name(std::size_t& i, bool as_written = false) const {
    if (!IsName(i)) return "";
    std::string name = sql::SqliteTokenName(text_, tokens_[i]);
    ++i;
    if (Punct(i, '.') && IsName(i + 1)) {
      name = sql::SqliteTokenName(text_, tokens_[i + 1]);
      i += 2;
    }
    return as_written ? name : base::Lower(name);
  }
  std::size_t Begin(std::size_t i) const { return i < tokens_.size() ? tokens_[i].begin : text_.size(); }
  std::size_t End(std::size_t i) const { return i < tokens_.size() ? tokens_[i].end : text_.size(); }
  // The index of the first ',' at parenthesis depth 0 at or after `i` (size() when none).
  std::size_t NextComma(std::size_t i) const {
    for (int depth = 0; i < tokens_.size(); ++i) {
      if (Punct(i, '(')) ++depth;
      if (Punct(i, ')')) --depth;
      if (depth == 0 && Punct(i, ',')) return i;
    }
    return tokens_.size();
  }
  // Whether `word` stands at parenthesis depth 0 in [from, to).
  bool HasTopLevel(std::size_t from, std::size_t to, std::string_view word) const {
    for (int depth = 0; from < to && from < tokens_.size(); ++from) {
      if (Punct(from, '(')) ++depth;
      if (Punct(from, ')')) --depth;
      if (depth == 0 && Is(from, word)) return true;
    }
    return false;
  }

 private:
  std::string_view text_;
  bool string_names_;
  std::vector<sql::SqliteToken> tokens_;
};

}  // namespace strata::lint
