#include "base/text.h"

#include <cctype>
#include <charconv>
#include <system_error>

#include <fmt/format.h>

namespace strata::base {

namespace {
bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
}  // namespace

LineColumn LocateOffset(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  LineColumn lc;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      line_start = i + 1;
    }
  }
  for (std::size_t i = line_start; i < offset; ++i) {
    if (!IsContinuationByte(text[i])) ++lc.column;
  }
  std::size_t line_end = text.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = text.size();
  if (line_end > line_start && text[line_end - 1] == '\r') --line_end;
  lc.line_text = text.substr(line_start, line_end - line_start);
  return lc;
}

SourceLocation MakeLocation(std::string_view file, std::string_view text, std::size_t offset,
                            std::string_view statement) {
  LineColumn lc = LocateOffset(text, offset);
  SourceLocation loc;
  loc.file = std::string(file);
  loc.line = lc.line;
  loc.column = lc.column;
  // A NUL would print as nothing (or end the line for a C-string reader): show it as U+2400, one
  // character, so that the caret still lines up under it.
  for (char c : lc.line_text) {
    if (c == '\0') loc.source_line += "\xE2\x90\x80";
    else loc.source_line += c;
  }
  loc.statement = OneLine(statement);
  return loc;
}

std::string FormatLocated(const SourceLocation& location, const std::string& message) {
  std::string out = fmt::format("{}:{}:{}: {}", location.file, location.line, location.column, message);
  const std::string_view line = location.source_line;
  if (line.empty()) return out;
  // Columns count characters, not bytes. The caret's byte, and the line's length in characters.
  std::size_t caret = 0, chars = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (IsContinuationByte(line[i])) continue;
    if (chars + 1 < location.column) caret = i + 1;
    ++chars;
  }
  while (caret < line.size() && IsContinuationByte(line[caret])) ++caret;
  // A long line (a generated INSERT of megabytes on one line) is shown around the caret only.
  constexpr std::size_t kLongest = 200, kBefore = 60, kAfter = 120;
  std::size_t begin = 0, end = line.size();
  if (chars > kLongest) {
    begin = caret;
    for (std::size_t n = 0; n < kBefore && begin > 0;) {
      --begin;
      if (!IsContinuationByte(line[begin])) ++n;
    }
    end = caret;
    for (std::size_t n = 0; n < kAfter && end < line.size();) {
      ++end;
      if (end == line.size() || !IsContinuationByte(line[end])) ++n;
    }
  }
  // Tabs are kept in the padding so that the caret lines up under tab-indented SQL.
  std::string pad = begin > 0 ? "   " : "";
  for (std::size_t i = begin; i < caret; ++i) {
    if (!IsContinuationByte(line[i])) pad += line[i] == '\t' ? '\t' : ' ';
  }
  out += fmt::format("\n    {}{}{}\n    {}^", begin > 0 ? "..." : "", line.substr(begin, end - begin),
                     end < line.size() ? "..." : "", pad);
  return out;
}

bool ContainsAnyIgnoringCase(std::string_view text, std::initializer_list<std::string_view> lower_words) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    for (std::string_view w : lower_words) {
      if (w.empty() || w[0] != c || text.size() - i < w.size()) continue;
      std::size_t k = 1;
      while (k < w.size() && std::tolower(static_cast<unsigned char>(text[i + k])) == w[k]) ++k;
      if (k == w.size()) return true;
    }
  }
  return false;
}

std::vector<TextLine> SplitLines(std::string_view text) {
  std::vector<TextLine> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back({pos, end, next, text.substr(pos, end - pos)});
    pos = next;
  }
  return lines;
}

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string OneLine(std::string_view s, std::size_t max_chars) {
  std::string out;
  bool in_space = false;
  for (char c : Trim(s)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out += ' ';
    in_space = false;
    out += c;
  }
  if (out.size() > max_chars) {
    std::size_t cut = max_chars;
    while (cut > 0 && IsContinuationByte(out[cut])) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    std::size_t len = 0;
    std::uint32_t min = 0, cp = 0;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      ok = (s[i + k] & 0xC0) == 0x80;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");  // U+FFFD for the one byte; the next starts afresh
      ++i;
    }
  }
  return out;
}

std::string_view StripBom(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

std::string NormalizeNewlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {
// std::from_chars over the whole of `text`: a value only when every character was used.
template <typename T, typename... Args>
std::optional<T> ParseWhole(std::string_view text, Args... args) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, args...);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}
}  // namespace

std::optional<std::int64_t> ParseInt64(std::string_view text) { return ParseWhole<std::int64_t>(text, 10); }

std::optional<std::uint64_t> ParseUint64(std::string_view text, int base) {
  if (base < 2 || base > 36) return std::nullopt;
  return ParseWhole<std::uint64_t>(text, base);
}

std::string CollapseSqlWhitespace(std::string_view sql, std::string_view quotes, bool backslash_escapes) {
  std::string out;
  char quote = 0;
  bool space = false, escaped = false;
  for (char c : sql) {
    if (quote == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    if (escaped) {
      escaped = false;
    } else if (quote == 0 && quotes.find(c) != std::string_view::npos) {
      quote = c;
    } else if (backslash_escapes && quote != 0 && quote != '`' && c == '\\') {
      escaped = true;
    } else if (c == quote) {
      quote = 0;
    }
    out += c;
  }
  if (!out.empty() && out.back() == ';') out.pop_back();
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string FingerprintHex(std::string_view text) {
  constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  std::uint64_t a = 0xcbf29ce484222325ULL;  // FNV-1a's offset basis
  std::uint64_t b = 0x84222325cbf29ce4ULL;  // the same, halves swapped: a second, independent hash
  for (unsigned char c : text) {
    a = (a ^ c) * kPrime;
    b = (b ^ c) * kPrime;
  }
  return fmt::format("{:016x}{:016x}", a, b);
}

std::optional<double> ParseDouble(std::string_view text) {
  return ParseWhole<double>(text, std::chars_format::general);
}

}  // namespace strata::base
