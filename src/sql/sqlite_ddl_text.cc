// The text side of the SQLite DDL scanner: tokens, whitespace and canonical forms, quoting. The
// statement parsers are in sqlite_ddl.cc.
#include <fmt/format.h>
#include <sqlite3.h>

#include <utility>

#include "base/text.h"
#include "sql/sqlite_ddl.h"

namespace strata::sql::sqlite_ddl {

namespace {

constexpr std::size_t kNpos = std::string_view::npos;

// SQLite's own character classes (sqlite3Isspace, sqlite3IsIdChar): ASCII only, bytes >= 0x80 are
// identifier characters so that UTF-8 names work.
bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsIdStart(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
bool IsIdChar(unsigned char c) { return IsIdStart(c) || IsDigit(c) || c == '$'; }


Status ErrorAt(std::size_t offset, std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message)).WithSqlOffset(offset);
}

// One past the closing quote of the quoted run opening at s[i]; kNpos when it is unterminated.
// A doubled quote character stands for itself, except inside [...].
std::size_t QuotedEnd(std::string_view s, std::size_t i) {
  const char open = s[i];
  const char close = open == '[' ? ']' : open;
  for (std::size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] != close) continue;
    if (open != '[' && j + 1 < s.size() && s[j + 1] == close) {
      ++j;
      continue;
    }
    return j + 1;
  }
  return kNpos;
}

// One past the comment that starts at s[i], or i when none does. An unterminated /* runs to the end
// of the text, as in SQLite; a -- comment leaves its newline in place.
std::size_t CommentEnd(std::string_view s, std::size_t i) {
  if (i + 1 >= s.size()) return i;
  if (s[i] == '-' && s[i + 1] == '-') {
    std::size_t nl = s.find('\n', i + 2);
    return nl == kNpos ? s.size() : nl;
  }
  if (s[i] == '/' && s[i + 1] == '*') {
    std::size_t e = s.find("*/", i + 2);
    return e == kNpos ? s.size() : e + 2;
  }
  return i;
}

bool IsQuote(char c) { return c == '\'' || c == '"' || c == '`' || c == '['; }

std::size_t NumberEnd(std::string_view s, std::size_t i) {
  std::size_t j = i;
  if (s[j] == '0' && j + 1 < s.size() && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
    j += 2;
  } else {
    while (j < s.size() && IsDigit(s[j])) ++j;
    if (j < s.size() && s[j] == '.') {
      ++j;
      while (j < s.size() && IsDigit(s[j])) ++j;
    }
    if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
      std::size_t k = j + 1;
      if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
      if (k < s.size() && IsDigit(s[k])) j = k;
    }
  }
  // Trailing identifier characters (hex digits, "1_000", or junk like "12abc") stay in the token,
  // which is how SQLite delimits it too.
  while (j < s.size() && IsIdChar(s[j])) ++j;
  return j;
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  std::vector<std::size_t> open;  // indexes of '(' not closed yet
  std::size_t i = 0;
  while (i < sql.size()) {
    const auto c = static_cast<unsigned char>(sql[i]);
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (std::size_t e = CommentEnd(sql, i); e != i) {
      i = e;
      continue;
    }
    Token t;
    t.begin = i;
    if (IsQuote(static_cast<char>(c))) {
      t.end = QuotedEnd(sql, i);
      if (t.end == kNpos) return ErrorAt(i, c == '\'' ? "unterminated string" : "unterminated quoted name");
      t.kind = c == '\'' ? TokenKind::kString : TokenKind::kQuotedName;
    } else if ((c == 'x' || c == 'X') && i + 1 < sql.size() && sql[i + 1] == '\'') {
      t.end = QuotedEnd(sql, i + 1);
      if (t.end == kNpos) return ErrorAt(i, "unterminated blob literal");
      t.kind = TokenKind::kBlob;
    } else if (IsDigit(c) || (c == '.' && i + 1 < sql.size() && IsDigit(sql[i + 1]))) {
      t.end = NumberEnd(sql, i);
      t.kind = TokenKind::kNumber;
    } else if (IsIdStart(c)) {
      t.end = i + 1;
      while (t.end < sql.size() && IsIdChar(sql[t.end])) ++t.end;
      t.kind = TokenKind::kWord;
    } else if (c < 0x20 || c == 0x7f) {
      return ErrorAt(i, fmt::format("unexpected byte 0x{:02x}", c));
    } else {
      t.end = i + 1;
      t.kind = TokenKind::kPunct;
      if (c == '(') {
        open.push_back(tokens.size());
      } else if (c == ')') {
        if (open.empty()) return ErrorAt(i, "')' without a matching '('");
        t.match = open.back();
        tokens[open.back()].match = tokens.size();
        open.pop_back();
      }
    }
    i = t.end;
    tokens.push_back(t);
  }
  if (!open.empty()) return ErrorAt(tokens[open.back()].begin, "'(' is never closed");
  return tokens;
}

std::string NormalizeWhitespace(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool space = false;
  std::size_t i = 0;
  while (i < sql.size()) {
    if (IsSpace(static_cast<unsigned char>(sql[i]))) {
      space = true;
      ++i;
      continue;
    }
    if (std::size_t e = CommentEnd(sql, i); e != i) {
      space = true;  // a comment separates tokens: "a/**/b" is "a b", never "ab"
      i = e;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    std::size_t e = i + 1;
    if (IsQuote(sql[i])) {
      e = QuotedEnd(sql, i);
      if (e == kNpos) e = sql.size();
    }
    out.append(sql.substr(i, e - i));
    i = e;
  }
  return out;
}

namespace {

bool IsKeyword(std::string_view word) {
  return sqlite3_keyword_check(word.data(), static_cast<int>(word.size())) != 0;
}

// Two or three punctuation tokens written together that SQLite reads as one operator.
std::size_t OperatorLength(std::string_view sql, const std::vector<Token>& tokens, std::size_t i) {
  static constexpr std::string_view kOperators[] = {"->>", "<>", "<=", ">=", "==", "!=", "||", "<<", ">>", "->"};
  for (std::string_view op : kOperators) {
    if (i + op.size() > tokens.size()) continue;
    bool match = true;
    for (std::size_t k = 0; k < op.size() && match; ++k) {
      const Token& t = tokens[i + k];
      match = t.kind == TokenKind::kPunct && sql[t.begin] == op[k] && (k == 0 || tokens[i + k - 1].end == t.begin);
    }
    if (match) return op.size();
  }
  return 1;
}

}  // namespace

std::string CanonicalSql(std::string_view sql) {
  auto tokens = Tokenize(sql);
  if (!tokens.ok()) return NormalizeWhitespace(sql);
  const std::vector<Token>& t = *tokens;
  std::string out;
  char previous = 0;           // the previous token's last character when it was punctuation
  bool previous_name = false;  // the previous token was a non-keyword word or a quoted name
  for (std::size_t i = 0; i < t.size();) {
    std::size_t n = t[i].kind == TokenKind::kPunct ? OperatorLength(sql, t, i) : 1;
    std::string text(sql.substr(t[i].begin, t[i + n - 1].end - t[i].begin));
    char c = n == 1 && t[i].kind == TokenKind::kPunct ? text[0] : 0;
    bool keyword = t[i].kind == TokenKind::kWord && IsKeyword(text);
    bool call = t[i].kind == TokenKind::kWord && !keyword && i + 1 < t.size() &&
                t[i + 1].kind == TokenKind::kPunct && sql[t[i + 1].begin] == '(';
    if (keyword) {
      for (char& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    } else if (call) {  // function names are case-insensitive: lower(x), LOWER(x)
      for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    bool glue = out.empty() || previous == '(' || previous == '.' || c == ')' || c == ',' || c == ';' || c == '.' ||
                (c == '(' && previous_name);
    if (!glue) out += ' ';
    out += text;
    previous = c;
    previous_name = !keyword && (t[i].kind == TokenKind::kWord || t[i].kind == TokenKind::kQuotedName);
    i += n;
  }
  return out;
}

std::string StripEnclosingParens(std::string_view expr) {
  std::string_view text = base::Trim(expr);
  auto tokens = Tokenize(text);
  if (!tokens.ok() || tokens->size() < 2) return std::string(text);
  const Token& first = tokens->front();
  if (first.kind != TokenKind::kPunct || text[first.begin] != '(' || first.match != tokens->size() - 1) {
    return std::string(text);
  }
  return std::string(base::Trim(text.substr(first.end, tokens->back().begin - first.end)));
}

std::string Dequote(std::string_view t) {
  if (t.size() < 2 || !IsQuote(t.front())) return std::string(t);
  const char open = t.front();
  const char close = open == '[' ? ']' : open;
  if (t.back() != close) return std::string(t);
  std::string_view inner = t.substr(1, t.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    out += inner[i];
    if (open != '[' && inner[i] == close && i + 1 < inner.size() && inner[i + 1] == close) ++i;
  }
  return out;
}

}  // namespace strata::sql::sqlite_ddl
