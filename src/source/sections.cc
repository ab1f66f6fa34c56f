#include "source/sections.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "base/text.h"

namespace strata::source {

namespace {

struct Line {
  std::size_t begin, end;  // without the newline
  std::size_t next;        // start of the following line
  std::string_view text;
};

std::vector<Line> Lines(std::string_view text) {
  std::vector<Line> lines;
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

// "-- strata:foo" -> "strata:foo" when the line is a comment; otherwise nullopt.
std::optional<std::string_view> CommentBody(std::string_view line) {
  std::string_view t = base::Trim(line);
  if (!t.starts_with("--")) return std::nullopt;
  return base::Trim(t.substr(2));
}

Status ErrorAt(std::size_t offset, std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message)).WithSqlOffset(offset);
}

// Applies the directives found in lines [first, last) to `range`.
Status ScanPart(std::string_view text, const std::vector<Line>& lines, std::size_t first, std::size_t last,
                const SectionRange& inherited, SectionRange& range) {
  range.no_transaction = range.no_transaction || inherited.no_transaction;
  range.no_split = range.no_split || inherited.no_split;
  range.allow_data_loss = range.allow_data_loss || inherited.allow_data_loss;
  bool in_header = true;
  for (std::size_t i = first; i < last; ++i) {
    const Line& l = lines[i];
    auto body = CommentBody(l.text);
    std::string_view trimmed = base::Trim(l.text);
    if (body && body->starts_with("strata:")) {
      std::size_t col = l.text.find("strata:");
      if (!in_header) {
        return ErrorAt(l.begin + col,
                       "strata directives must come before the first statement of the migration");
      }
      std::string_view name = base::Trim(body->substr(7));
      if (name == "no-transaction") {
        range.no_transaction = true;
      } else if (name == "no-split") {
        range.no_split = true;
      } else if (name == "allow-data-loss") {
        range.allow_data_loss = true;
      } else {
        return ErrorAt(l.begin + col, fmt::format("unknown directive 'strata:{}' (known: strata:no-transaction, "
                                                  "strata:no-split, strata:allow-data-loss)",
                                                  name));
      }
      continue;
    }
    if (!trimmed.empty() && !body) in_header = false;
  }
  (void)text;
  return Status::Ok();
}

enum class Marker { kNone, kUp, kDown };

Result<Marker> ParseMarker(const Line& l, bool& no_tx) {
  auto body = CommentBody(l.text);
  if (!body || !body->starts_with("migrate:")) return Marker::kNone;
  std::string_view rest = body->substr(8);
  Marker m;
  if (rest.starts_with("up")) {
    m = Marker::kUp;
    rest.remove_prefix(2);
  } else if (rest.starts_with("down")) {
    m = Marker::kDown;
    rest.remove_prefix(4);
  } else {
    return ErrorAt(l.begin + l.text.find("migrate:"), "unknown section marker (expected -- migrate:up or -- migrate:down)");
  }
  rest = base::Trim(rest);
  no_tx = false;
  while (!rest.empty()) {
    std::size_t sp = rest.find_first_of(" \t");
    std::string_view opt = rest.substr(0, sp);
    if (opt == "transaction:false") {
      no_tx = true;
    } else if (opt != "transaction:true") {
      return ErrorAt(l.begin + static_cast<std::size_t>(opt.data() - l.text.data()),
                     fmt::format("unknown section option '{}' (known: transaction:false)", opt));
    }
    rest = sp == std::string_view::npos ? std::string_view{} : base::Trim(rest.substr(sp));
  }
  return m;
}

}  // namespace

Result<FileSections> SplitSections(std::string_view text, bool sectioned) {
  // Both engines read SQL as C strings: they would stop at a NUL and the rest of the file would
  // be recorded as applied without ever running.
  if (std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return ErrorAt(nul, "NUL byte in a migration file: a migration must be text (the database engines would "
                        "stop reading the SQL here)");
  }
  std::vector<Line> lines = Lines(text);
  FileSections out;
  if (!sectioned) {
    SectionRange up{0, text.size(), false};
    STRATA_RETURN_IF_ERROR(ScanPart(text, lines, 0, lines.size(), SectionRange{}, up));
    out.up = up;
    return out;
  }

  struct Found { Marker marker; std::size_t line; bool no_tx; };
  std::vector<Found> markers;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    bool no_tx = false;
    STRATA_ASSIGN_OR_RETURN(Marker m, ParseMarker(lines[i], no_tx));
    if (m == Marker::kNone) continue;
    for (const Found& f : markers) {
      if (f.marker == m) {
        return ErrorAt(lines[i].begin, fmt::format("duplicate -- migrate:{} marker", m == Marker::kUp ? "up" : "down"));
      }
    }
    markers.push_back({m, i, no_tx});
  }
  if (markers.empty()) {
    SectionRange up{0, text.size(), false};
    STRATA_RETURN_IF_ERROR(ScanPart(text, lines, 0, lines.size(), SectionRange{}, up));
    out.up = up;
    return out;
  }
  bool has_up = false;
  for (const Found& f : markers) has_up = has_up || f.marker == Marker::kUp;
  if (!has_up) return ErrorAt(lines[markers[0].line].begin, "-- migrate:down without a -- migrate:up section");

  // The file header (before the first marker) may hold only comments and directives.
  std::size_t first_marker = markers[0].line;
  for (std::size_t i = 0; i < first_marker; ++i) {
    std::string_view t = base::Trim(lines[i].text);
    if (!t.empty() && !t.starts_with("--")) {
      return ErrorAt(lines[i].begin + (t.data() - lines[i].text.data()),
                     "SQL before the first -- migrate: marker would never run; move it into a section");
    }
  }
  SectionRange header;
  STRATA_RETURN_IF_ERROR(ScanPart(text, lines, 0, first_marker, SectionRange{}, header));

  for (std::size_t k = 0; k < markers.size(); ++k) {
    std::size_t first = markers[k].line + 1;
    std::size_t last = k + 1 < markers.size() ? markers[k + 1].line : lines.size();
    SectionRange r;
    r.begin = lines[markers[k].line].next;
    r.end = last < lines.size() ? lines[last].begin : text.size();
    r.no_transaction = markers[k].no_tx;
    STRATA_RETURN_IF_ERROR(ScanPart(text, lines, first, last, header, r));
    (markers[k].marker == Marker::kUp ? out.up : out.down) = r;
  }
  return out;
}

}  // namespace strata::source
