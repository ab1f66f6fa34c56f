#include "source/sections.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "base/text.h"

namespace strata::source {

namespace {

using Line = base::TextLine;

std::vector<Line> Lines(std::string_view text) { return base::SplitLines(text); }

// "-- strata:foo" -> "strata:foo" when the line is a comment; otherwise nullopt.
std::optional<std::string_view> CommentBody(std::string_view line) {
  std::string_view t = base::Trim(line);
  if (!t.starts_with("--")) return std::nullopt;
  return base::Trim(t.substr(2));
}

Status ErrorAt(std::size_t offset, std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message)).WithSqlOffset(offset);
}

// Markers and directives are case-sensitive, as dbmate's markers are: dbmate reads
// `-- MIGRATE:DOWN` as a comment and would run the down part with the up part. A comment that
// spells a marker, option or directive almost right is therefore refused rather than read as a
// comment (or as the wrong thing), and the error says the exact spelling.
constexpr std::string_view kMarkerWords[] = {"up", "down"};
constexpr std::string_view kOptions[] = {"transaction:false", "transaction:true"};
struct Directive {
  std::string_view name;  // after "strata:"
  bool SectionRange::*flag;
};
constexpr Directive kDirectives[] = {
    {"no-transaction", &SectionRange::no_transaction},
    {"no-split", &SectionRange::no_split},
    {"allow-data-loss", &SectionRange::allow_data_loss},
    {"checkpoint", &SectionRange::checkpoint},
};
constexpr std::string_view kExactly = " (case-sensitive, no spaces around ':')";
// What separates words on a comment line (base::Trim's set without the newline).
constexpr const char* kBlanks = " \t\r\f\v";

// `s` as near-misses are compared: ASCII lower case, blanks dropped, '_' read as '-'.
std::string Fold(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(kBlanks).find(c) != std::string_view::npos) continue;
    out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string_view NameOf(std::string_view word) { return word; }
std::string_view NameOf(const Directive& d) { return d.name; }

// The known word that `written` nearly spells (or spells exactly), if any.
template <typename T, std::size_t N>
std::optional<std::string_view> NearMiss(std::string_view written, const T (&known)[N]) {
  std::string folded = Fold(written);
  for (const T& k : known) {
    if (folded == NameOf(k)) return NameOf(k);
  }
  return std::nullopt;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A comment line of the form `-- PREFIX:WORD REST` whose prefix is `migrate` or `strata` in any
// case, with or without blanks around the ':'.
struct Keyword {
  bool directive = false;   // `strata:`, else `migrate:`
  bool exact = false;       // the prefix is written exactly ("migrate:" / "strata:", then the word)
  std::string_view body;    // the comment without `--`, trimmed
  std::string_view written; // from the prefix to the end of the word, for messages
  std::string_view word;    // after the ':' and any blanks, up to the next blank
  std::string_view rest;    // after the word, trimmed
  std::size_t offset = 0;   // of the prefix in the file
};

std::optional<Keyword> FindKeyword(const Line& l) {
  auto body = CommentBody(l.text);
  if (!body) return std::nullopt;
  std::size_t colon = body->find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string head = Lower(base::Trim(body->substr(0, colon)));
  if (head != "migrate" && head != "strata") return std::nullopt;
  Keyword k;
  k.directive = head == "strata";
  k.body = *body;
  std::string_view after = body->substr(colon + 1);
  std::size_t word_begin = std::min(after.find_first_not_of(kBlanks), after.size());
  std::size_t word_end = std::min(after.find_first_of(kBlanks, word_begin), after.size());
  k.word = after.substr(word_begin, word_end - word_begin);
  k.rest = base::Trim(after.substr(word_end));
  k.written = body->substr(0, colon + 1 + word_end);
  k.exact = body->starts_with(k.directive ? "strata:" : "migrate:") && word_begin == 0;
  k.offset = l.begin + static_cast<std::size_t>(body->data() - l.text.data());
  return k;
}

// The line is a directive-like comment. Sets the directive in `range`, or says what is wrong.
Status ApplyDirective(const Keyword& k, SectionRange& range) {
  for (const Directive& d : kDirectives) {
    if (k.exact && k.rest.empty() && k.word == d.name) {
      range.*d.flag = true;
      return Status::Ok();
    }
  }
  if (auto known = NearMiss(k.word, kDirectives); known && !(k.exact && k.word == *known)) {
    return ErrorAt(k.offset, fmt::format("directive '{}' must be written exactly '-- strata:{}'{}", k.written,
                                         *known, kExactly));
  }
  return ErrorAt(k.offset, fmt::format("unknown directive '{}' (known: strata:no-transaction, strata:no-split, "
                                       "strata:allow-data-loss, strata:lint-ignore, strata:checkpoint, "
                                       "strata:covers)",
                                       k.body));
}

// A directive-like comment: one starting exactly `strata:`, or a near-miss of a known directive.
// Another word after `Strata:` in another case is prose ("-- Strata: keep this idempotent").
bool LooksLikeDirective(const Keyword& k) {
  return k.directive && (k.body.starts_with("strata:") || NearMiss(k.word, kDirectives));
}

// Applies the directives found in lines [first, last) to `range`.
Status ScanPart(const std::vector<Line>& lines, std::size_t first, std::size_t last, const SectionRange& inherited,
                SectionRange& range) {
  range.no_transaction = range.no_transaction || inherited.no_transaction;
  range.no_split = range.no_split || inherited.no_split;
  range.allow_data_loss = range.allow_data_loss || inherited.allow_data_loss;
  range.checkpoint = range.checkpoint || inherited.checkpoint;
  bool in_header = true;
  for (std::size_t i = first; i < last; ++i) {
    const Line& l = lines[i];
    auto k = FindKeyword(l);
    if (k && k->directive && Fold(k->word) == "lint-ignore") {
      // Read by the linter (src/lint/ignore.h), anywhere in the part.
      if (!k->exact || k->word != "lint-ignore") {
        return ErrorAt(k->offset, fmt::format("directive '{}' must be written exactly '-- strata:lint-ignore RULE: "
                                              "reason'{}",
                                              k->written, kExactly));
      }
      continue;
    }
    if (k && k->directive && Fold(k->word) == "covers" && k->body.starts_with("strata:")) {
      // A checkpoint's list of versions, read by ReadCovers (source/checkpoint.h).
      if (!k->exact || k->word != "covers") {
        return ErrorAt(k->offset, fmt::format("directive '{}' must be written exactly '-- strata:covers VERSION "
                                              "NAME CHECKSUM'{}",
                                              k->written, kExactly));
      }
      if (!in_header) {
        return ErrorAt(k->offset, "strata directives must come before the first statement of the migration");
      }
      continue;
    }
    if (k && LooksLikeDirective(*k)) {
      if (!in_header) {
        return ErrorAt(k->offset, "strata directives must come before the first statement of the migration");
      }
      STRATA_RETURN_IF_ERROR(ApplyDirective(*k, range));
      continue;
    }
    if (!base::Trim(l.text).empty() && !CommentBody(l.text)) in_header = false;
  }
  return Status::Ok();
}

enum class Marker { kNone, kUp, kDown };

Status ParseOptions(const Keyword& k, bool& no_tx) {
  no_tx = false;
  std::string_view rest = k.rest;
  while (!rest.empty()) {
    std::size_t sp = rest.find_first_of(kBlanks);
    std::string_view opt = rest.substr(0, sp);
    std::size_t offset = k.offset + static_cast<std::size_t>(opt.data() - k.body.data());
    if (opt == "transaction:false") {
      no_tx = true;
    } else if (opt != "transaction:true") {
      if (auto known = NearMiss(opt, kOptions)) {
        return ErrorAt(offset, fmt::format("section option '{}' must be written exactly '{}'{}", opt, *known, kExactly));
      }
      return ErrorAt(offset, fmt::format("unknown section option '{}' (known: transaction:false)", opt));
    }
    rest = sp == std::string_view::npos ? std::string_view{} : base::Trim(rest.substr(sp));
  }
  return Status::Ok();
}

// kNone for a line that is not a marker (nor nearly one).
Result<Marker> ParseMarker(const Line& l, bool& no_tx) {
  auto k = FindKeyword(l);
  if (!k || k->directive) return Marker::kNone;
  if (k->exact && (k->word == "up" || k->word == "down")) {
    STRATA_RETURN_IF_ERROR(ParseOptions(*k, no_tx));
    return k->word == "up" ? Marker::kUp : Marker::kDown;
  }
  if (auto known = NearMiss(k->word, kMarkerWords)) {
    return ErrorAt(k->offset, fmt::format("section marker '{}' must be written exactly '-- migrate:{}'{}", k->written,
                                          *known, kExactly));
  }
  if (k->body.starts_with("migrate:")) {
    return ErrorAt(k->offset, "unknown section marker (expected -- migrate:up or -- migrate:down)");
  }
  return Marker::kNone;  // prose, such as "-- Migrate: the users table"
}

// A file that is not split into sections runs whole: a marker in it would be read as a comment and
// its down part would run with its up part.
Status RefuseMarkers(const std::vector<Line>& lines) {
  for (const Line& l : lines) {
    auto k = FindKeyword(l);
    if (!k || k->directive || !NearMiss(k->word, kMarkerWords)) continue;
    return ErrorAt(k->offset, fmt::format("section marker '{}' in a file without sections: only a file named like "
                                          "20250130100000_name.sql is split at -- migrate: markers, this one would "
                                          "run whole",
                                          k->written));
  }
  return Status::Ok();
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
    STRATA_RETURN_IF_ERROR(RefuseMarkers(lines));
    SectionRange up{0, text.size(), false};
    STRATA_RETURN_IF_ERROR(ScanPart(lines, 0, lines.size(), SectionRange{}, up));
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
    STRATA_RETURN_IF_ERROR(ScanPart(lines, 0, lines.size(), SectionRange{}, up));
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
  STRATA_RETURN_IF_ERROR(ScanPart(lines, 0, first_marker, SectionRange{}, header));

  for (std::size_t k = 0; k < markers.size(); ++k) {
    std::size_t first = markers[k].line + 1;
    std::size_t last = k + 1 < markers.size() ? markers[k + 1].line : lines.size();
    SectionRange r;
    r.begin = lines[markers[k].line].next;
    r.end = last < lines.size() ? lines[last].begin : text.size();
    r.no_transaction = markers[k].no_tx;
    STRATA_RETURN_IF_ERROR(ScanPart(lines, first, last, header, r));
    (markers[k].marker == Marker::kUp ? out.up : out.down) = r;
  }
  return out;
}

}  // namespace strata::source
