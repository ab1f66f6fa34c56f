#include "sql/sqlite_lexer.h"

namespace strata::sql {

namespace {

constexpr std::size_t kNpos = std::string_view::npos;

// SQLite's character classes (sqlite3Isspace, sqlite3IsIdChar): ASCII only, so that bytes >= 0x80
// are identifier characters and UTF-8 names work.
bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsIdStart(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
bool IsIdChar(unsigned char c) { return IsIdStart(c) || IsDigit(c) || c == '$'; }
bool IsQuote(char c) { return c == '\'' || c == '"' || c == '`' || c == '['; }
char CloseOf(char open) { return open == '[' ? ']' : open; }

// One past the comment that starts at s[i], or i when none does. An unterminated /* runs to the end
// of the text, as in SQLite; a -- comment leaves its newline to the whitespace.
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

// One past the closing quote of the quoted run opening at s[i]; kNpos when it is unterminated.
// A doubled quote character stands for itself, except inside [...].
std::size_t QuotedEnd(std::string_view s, std::size_t i) {
  const char open = s[i];
  const char close = CloseOf(open);
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

// One past the variable whose sigil is s[i], or i + 1 when no name follows a ':', '@', '$' or '#'.
// '?' takes digits only; the others take identifier characters and Tcl's "::" and "(...)".
std::size_t VariableEnd(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (s[i] == '?') {
    while (j < s.size() && IsDigit(s[j])) ++j;
    return j;
  }
  bool named = false;
  while (j < s.size()) {
    if (IsIdChar(s[j])) {
      named = true;
      ++j;
    } else if (s[j] == '(' && named) {
      while (j < s.size() && !IsSpace(s[j]) && s[j] != ')') ++j;
      return j < s.size() && s[j] == ')' ? j + 1 : j;
    } else if (s[j] == ':' && j + 1 < s.size() && s[j + 1] == ':') {
      j += 2;
    } else {
      break;
    }
  }
  return named ? j : i + 1;
}

bool IsSigil(char c) { return c == '?' || c == ':' || c == '@' || c == '$' || c == '#'; }

// The token that starts at s[i], which is neither whitespace nor a comment.
SqliteToken TokenAt(std::string_view s, std::size_t i) {
  using K = SqliteTokenKind;
  const auto c = static_cast<unsigned char>(s[i]);
  SqliteToken t{K::kPunct, i, i + 1, false};
  if (IsQuote(static_cast<char>(c)) || ((c == 'x' || c == 'X') && i + 1 < s.size() && s[i + 1] == '\'')) {
    const bool blob = !IsQuote(static_cast<char>(c));
    t.kind = blob ? K::kBlob : c == '\'' ? K::kString : K::kQuotedName;
    t.end = QuotedEnd(s, blob ? i + 1 : i);
    t.unterminated = t.end == kNpos;
    if (t.unterminated) t.end = s.size();
  } else if (IsDigit(c) || (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
    t.kind = K::kNumber;
    t.end = NumberEnd(s, i);
  } else if (IsIdStart(c)) {
    t.kind = K::kWord;
    while (t.end < s.size() && IsIdChar(s[t.end])) ++t.end;
  } else if (IsSigil(static_cast<char>(c))) {
    t.end = VariableEnd(s, i);
    if (c == '?' || t.end > i + 1) t.kind = K::kVariable;
  } else if (c < 0x20 || c == 0x7f) {
    t.kind = K::kIllegal;
  }
  return t;
}

// `body` (a quoted token without its opening quote, and without its closing one if it has one)
// with each doubled `close` read as one; inside [...] nothing is doubled.
std::string Undouble(std::string_view body, char close, bool bracket) {
  std::string out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    out += body[i];
    if (!bracket && body[i] == close && i + 1 < body.size() && body[i + 1] == close) ++i;
  }
  return out;
}

}  // namespace

std::size_t SkipSpaceAndComments(std::string_view text, std::size_t from) {
  std::size_t i = from;
  while (i < text.size()) {
    if (IsSpace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (std::size_t e = CommentEnd(text, i); e != i) {
      i = e;
    } else {
      return i;
    }
  }
  return text.size();
}

std::optional<SqliteToken> NextSqliteToken(std::string_view text, std::size_t from) {
  std::size_t i = SkipSpaceAndComments(text, from);
  if (i >= text.size()) return std::nullopt;
  return TokenAt(text, i);
}

std::vector<SqliteToken> TokenizeSqlite(std::string_view text) {
  std::vector<SqliteToken> tokens;
  for (auto t = NextSqliteToken(text, 0); t; t = NextSqliteToken(text, t->end)) tokens.push_back(*t);
  return tokens;
}

std::string Dequote(std::string_view t) {
  if (t.size() < 2 || !IsQuote(t.front()) || t.back() != CloseOf(t.front())) return std::string(t);
  return Undouble(t.substr(1, t.size() - 2), t.back(), t.front() == '[');
}

std::string SqliteTokenName(std::string_view text, const SqliteToken& token) {
  std::string_view t = text.substr(token.begin, token.end - token.begin);
  if (!token.unterminated || t.empty()) return Dequote(t);
  return Undouble(t.substr(1), CloseOf(t.front()), t.front() == '[');
}

}  // namespace strata::sql
