#include "lint/ignore.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/text.h"

namespace strata::lint {

namespace {

constexpr std::string_view kPrefix = "strata:lint-ignore";

bool IsIdChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool IsCommentLine(std::string_view line) { return base::Trim(line).starts_with("--"); }

// Parses "RULE[,RULE]: reason" (after the prefix). Returns a problem message, or "" when fine.
std::string ParseBody(std::string_view body, Ignore& out, bool (*known_rule)(std::string_view)) {
  std::size_t i = 0;
  auto skip_blanks = [&] {
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t')) ++i;
  };
  if (i >= body.size() || (body[i] != ' ' && body[i] != '\t')) {
    return "expected `-- strata:lint-ignore RULE[,RULE]: reason`";
  }
  while (true) {
    skip_blanks();
    std::size_t start = i;
    while (i < body.size() && IsIdChar(body[i])) ++i;
    if (i == start) return "expected a rule ID such as PG001 (upper case) after strata:lint-ignore";
    std::string id(body.substr(start, i - start));
    if (!known_rule(id)) return fmt::format("unknown lint rule '{}'", id);
    out.rules.push_back(std::move(id));
    skip_blanks();
    if (i < body.size() && body[i] == ',') {
      ++i;
      continue;
    }
    break;
  }
  if (i >= body.size() || body[i] != ':') return "a lint-ignore needs a reason: `RULE: why this is safe here`";
  out.reason = std::string(base::Trim(body.substr(i + 1)));
  if (out.reason.empty()) return "a lint-ignore needs a reason after the ':'";
  return "";
}

}  // namespace

bool Ignores::Silences(std::string_view rule, std::size_t statement_begin) const {
  for (const Ignore& ig : ignores) {
    if (!ig.whole_part && ig.statement_begin != statement_begin) continue;
    if (std::find(ig.rules.begin(), ig.rules.end(), rule) != ig.rules.end()) return true;
  }
  return false;
}

Ignores ParseIgnores(std::string_view text, const std::vector<std::size_t>& statement_begins,
                     bool (*known_rule)(std::string_view id)) {
  Ignores out;
  std::vector<base::TextLine> lines = base::SplitLines(text);
  std::size_t first_statement = statement_begins.empty() ? text.size() : statement_begins.front();
  for (std::size_t li = 0; li < lines.size(); ++li) {
    std::string_view line = lines[li].text;
    std::string_view t = base::Trim(line);
    if (!t.starts_with("--")) continue;
    std::string_view comment = base::Trim(t.substr(2));
    if (!comment.starts_with(kPrefix)) continue;
    std::size_t offset = lines[li].begin + static_cast<std::size_t>(comment.data() - line.data());
    Ignore ig;
    std::string problem = ParseBody(comment.substr(kPrefix.size()), ig, known_rule);
    if (!problem.empty()) {
      out.problems.push_back({offset, problem});
      continue;
    }
    // The next line that is not a comment decides what the ignore applies to.
    std::size_t next = li + 1;
    while (next < lines.size() && IsCommentLine(lines[next].text)) {
      ++next;
    }
    bool blank = next >= lines.size() ||
                 base::Trim(lines[next].text).empty();
    if (blank || next >= lines.size()) {
      if (offset < first_statement) {
        ig.whole_part = true;
        out.ignores.push_back(std::move(ig));
      } else {
        out.problems.push_back({offset, "this lint-ignore precedes no statement: put it on the line just before "
                                        "the statement (only the file's top comment block, followed by a blank "
                                        "line, applies to the whole file)"});
      }
      continue;
    }
    auto begins = std::lower_bound(statement_begins.begin(), statement_begins.end(), lines[next].begin);
    if (begins == statement_begins.end() || *begins >= lines[next].end) {
      out.problems.push_back({offset, "this lint-ignore precedes no statement: the next line does not start one"});
      continue;
    }
    ig.statement_begin = *begins;
    out.ignores.push_back(std::move(ig));
  }
  return out;
}

}  // namespace strata::lint
