// SQLite's lexical rules (the engine's tokenize.c) in one place, for every reader of SQLite text
// that has no database: the CREATE-text parser, the destructive-statement analysis and the splitter.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::sql {

enum class SqliteTokenKind {
  kWord,        // keyword or bare identifier: a letter, '_' or byte >= 0x80, then also digits and '$'
  kNumber,      // 12, 1.5e-3, .5, 0x1F; trailing identifier characters stay in it ("12abc"), as in SQLite
  kString,      // '...' ('' inside)
  kQuotedName,  // "..." ("" inside), `...` (`` inside), [...] (no escape)
  kBlob,        // x'...', X'...'
  kVariable,    // ?, ?12, :name, @name, $name, #name (also Tcl's $a::b and $a(x))
  kPunct,       // any other single byte: ( ) , . ; + - * ... and ':' '@' '$' '#' with no name after them.
                // Operators of several characters (<=, ||, ->>) are consecutive kPunct tokens.
  kIllegal,     // one control byte (below 0x20 and not whitespace, or 0x7f): SQLite refuses it
};

struct SqliteToken {
  SqliteTokenKind kind = SqliteTokenKind::kPunct;
  std::size_t begin = 0;  // byte range [begin, end) in the lexed text; never empty
  std::size_t end = 0;
  // kString, kQuotedName, kBlob only: the closing quote is missing and the token runs to the end
  // of the text (SQLite refuses such text; readers that never fail still get a token).
  bool unterminated = false;
};

// Offset of the first byte at or after `from` that is neither whitespace (space, \t \n \v \f \r)
// nor part of a comment (-- to the end of the line; /* to */ or to the end of the text; comments do
// not nest). text.size() when there is none; `from` past the end gives text.size().
std::size_t SkipSpaceAndComments(std::string_view text, std::size_t from = 0);

// The first token at or after `from`, past whitespace and comments; std::nullopt when only those
// (or nothing) remain. Never fails and never reads outside `text`: text SQLite would refuse gives
// unterminated or kIllegal tokens. Pure; thread-safe.
std::optional<SqliteToken> NextSqliteToken(std::string_view text, std::size_t from);

// Every token of `text`, in order (NextSqliteToken until it finds none).
std::vector<SqliteToken> TokenizeSqlite(std::string_view text);

// The name that the text of a quoted name, bare word or string stands for: "a""b" -> a"b,
// [x] -> x, `a``b` -> a`b, 'it''s' -> it's, word -> word. Text that is not enclosed in a matching
// pair of quotes is returned as it is.
std::string Dequote(std::string_view token_text);

// The name a kWord, kQuotedName or kString token of `text` stands for, as Dequote; an
// unterminated token is read as if it were closed at its end ("abc -> abc).
std::string SqliteTokenName(std::string_view text, const SqliteToken& token);

}  // namespace strata::sql
