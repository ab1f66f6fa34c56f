// The text side of the SQLite DDL scanner: checked tokens, whitespace and canonical forms. The
// lexing itself is sqlite_lexer.cc's; the statement parsers are in sqlite_ddl.cc.
#include <fmt/format.h>
#include <sqlite3.h>

#include <cctype>
#include <utility>

#include "base/text.h"
#include "sql/sqlite_ddl.h"
#include "sql/sqlite_lexer.h"

namespace strata::sql::sqlite_ddl {

namespace {

Status ErrorAt(std::size_t offset, std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message)).WithSqlOffset(offset);
}

// Why SQLite would not have stored a text with token `t` in it.
Status Refused(std::string_view sql, const SqliteToken& t) {
  switch (t.kind) {
    case TokenKind::kIllegal:
      return ErrorAt(t.begin, fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(sql[t.begin])));
    case TokenKind::kString:
      return ErrorAt(t.begin, "unterminated string");
    case TokenKind::kBlob:
      return ErrorAt(t.begin, "unterminated blob literal");
    default:
      return ErrorAt(t.begin, "unterminated quoted name");
  }
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  std::vector<std::size_t> open;  // indexes of '(' not closed yet
  for (auto lexed = NextSqliteToken(sql, 0); lexed; lexed = NextSqliteToken(sql, lexed->end)) {
    if (lexed->unterminated || lexed->kind == TokenKind::kIllegal) return Refused(sql, *lexed);
    Token t{*lexed, 0};
    if (t.kind == TokenKind::kPunct && sql[t.begin] == '(') {
      open.push_back(tokens.size());
    } else if (t.kind == TokenKind::kPunct && sql[t.begin] == ')') {
      if (open.empty()) return ErrorAt(t.begin, "')' without a matching '('");
      t.match = open.back();
      tokens[open.back()].match = tokens.size();
      open.pop_back();
    }
    tokens.push_back(t);
  }
  if (!open.empty()) return ErrorAt(tokens[open.back()].begin, "'(' is never closed");
  return tokens;
}

std::string NormalizeWhitespace(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  std::size_t previous_end = 0;
  for (auto t = NextSqliteToken(sql, 0); t; t = NextSqliteToken(sql, t->end)) {
    // A comment separates tokens as whitespace does: "a/**/b" is "a b", never "ab".
    if (!out.empty() && t->begin != previous_end) out += ' ';
    out.append(sql.substr(t->begin, t->end - t->begin));
    previous_end = t->end;
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
      text = base::Lower(text);
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

}  // namespace strata::sql::sqlite_ddl
