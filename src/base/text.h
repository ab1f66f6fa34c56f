// Text helpers shared by every module: byte offsets to line:column, caret displays, trimming,
// identifier quoting, ASCII case and checked number parsing. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::base {

struct LineColumn {
  std::uint32_t line = 1;    // 1-based
  std::uint32_t column = 1;  // 1-based, in UTF-8 characters
  std::string_view line_text;
};

// Line and column of byte `offset` in `text` (an offset past the end points after the last
// character). '\r' before '\n' is not part of the line text.
LineColumn LocateOffset(std::string_view text, std::size_t offset);

// "file:line:col: message", then the source line and a caret under the column.
std::string FormatLocated(const SourceLocation& location, const std::string& message);

// Builds a SourceLocation for byte `offset` of `text` (a file named `file`). A NUL byte in the
// source line is shown as U+2400 (SYMBOL FOR NULL).
SourceLocation MakeLocation(std::string_view file, std::string_view text, std::size_t offset,
                            std::string_view statement = {});

std::string_view Trim(std::string_view s);

// One line of a text: bytes [begin, end) without its '\n'; `next` is where the following line
// starts (text.size() after the last one).
struct TextLine {
  std::size_t begin = 0, end = 0, next = 0;
  std::string_view text;
};

// The lines of `text`, split at '\n' ("a\n" is one line, "" none).
std::vector<TextLine> SplitLines(std::string_view text);

// True when `text` contains one of `lower_words` (each lower-case), ignoring ASCII case, anywhere
// (not only as whole words). A cheap filter before parsing.
bool ContainsAnyIgnoringCase(std::string_view text, std::initializer_list<std::string_view> lower_words);

// Collapses runs of whitespace and trims; used to show a statement on one line.
std::string OneLine(std::string_view s, std::size_t max_chars = 200);

// `text` with every byte that is not part of a well-formed UTF-8 character (a stray continuation
// byte, a cut or overlong sequence, a surrogate, a code point above U+10FFFF) replaced by U+FFFD,
// so that a column of UTF-8 text (PostgreSQL, utf8mb4) takes it: a server's message in another
// encoding, a file name in Latin-1. Well-formed text comes back unchanged.
std::string ValidUtf8(std::string_view text);

// Removes a leading UTF-8 byte-order mark.
std::string_view StripBom(std::string_view text);

// Replaces every "\r\n" with "\n".
std::string NormalizeNewlines(std::string_view text);

// `name` as an SQL identifier in double quotes, every embedded '"' doubled: a"b -> "a""b". Valid
// for SQLite and PostgreSQL alike; any byte other than '"' is kept as it is.
std::string QuoteIdentifier(std::string_view name);

// `s` with ASCII 'A'-'Z' lowered; every other byte (UTF-8 included) is kept. Independent of the
// C++ locale, as SQL's case-insensitive names are.
std::string Lower(std::string_view s);

// `sql` with every run of whitespace outside quotes collapsed to one space, the ends trimmed and a
// final ';' dropped: how a server's stored definition (a view, a CHECK) is compared. `quotes` open
// and close a quoted run; with `backslash_escapes` a backslash inside a quote other than '`'
// escapes the next character (MariaDB's strings); without, doubled quotes simply toggle twice.
std::string CollapseSqlWhitespace(std::string_view sql, std::string_view quotes, bool backslash_escapes);

// A 128-bit fingerprint of `text` as 32 lowercase hex digits (two FNV-1a 64 hashes with different
// offsets), for naming and matching caches: cheap, deterministic across runs and machines, and
// not for integrity (use Sha256 where a change must be detected against an adversary).
std::string FingerprintHex(std::string_view text);

// Checked conversions of a whole string: std::nullopt for an empty string, any character that
// does not belong to the number (leading or trailing spaces, a '+' sign included) and a value out
// of range. Never throw.
// Decimal, with an optional leading '-'.
std::optional<std::int64_t> ParseInt64(std::string_view text);
// `base` 2..36 (16: hexadecimal digits in either case, no "0x" prefix); no sign.
std::optional<std::uint64_t> ParseUint64(std::string_view text, int base = 10);
// Decimal or exponent notation, with an optional leading '-'; also "inf", "infinity" and "nan" in
// any case (as PostgreSQL prints them: "Infinity", "NaN").
std::optional<double> ParseDouble(std::string_view text);

}  // namespace strata::base
