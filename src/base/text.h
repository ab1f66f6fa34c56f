// Text helpers shared by every module: byte offsets to line:column, caret displays, trimming.
// Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

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

// True when `text` contains one of `lower_words` (each lower-case), ignoring ASCII case, anywhere
// (not only as whole words). A cheap filter before parsing.
bool ContainsAnyIgnoringCase(std::string_view text, std::initializer_list<std::string_view> lower_words);

// Collapses runs of whitespace and trims; used to show a statement on one line.
std::string OneLine(std::string_view s, std::size_t max_chars = 200);

// Removes a leading UTF-8 byte-order mark.
std::string_view StripBom(std::string_view text);

// Replaces every "\r\n" with "\n".
std::string NormalizeNewlines(std::string_view text);

}  // namespace strata::base
