#include "source/sum_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "base/fs.h"
#include "base/sha256.h"
#include "base/text.h"
#include "source/checkpoint.h"
#include "source/filename.h"

namespace strata::source {

namespace {

constexpr std::string_view kPrefix = "h1:";
constexpr std::size_t kHexDigits = 64;

// Line i's hash from line i-1's (empty for the first line).
std::string ChainHash(std::string_view previous, std::string_view name, std::string_view contents) {
  base::Sha256 h;
  if (previous.starts_with(kPrefix)) previous.remove_prefix(kPrefix.size());
  h.Update(previous);
  h.Update("\n");
  h.Update(name);
  h.Update("\n");
  UpdateNormalized(h, base::StripBom(contents));
  return std::string(kPrefix) + h.HexDigest();
}

std::string BodyText(const std::vector<SumLine>& lines) {
  std::string body;
  for (const SumLine& l : lines) body += fmt::format("{} {}\n", l.name, l.hash);
  return body;
}

std::string HeaderOf(const std::vector<SumLine>& lines) {
  return std::string(kPrefix) + base::Sha256Hex(BodyText(lines));
}

// Sort key: version, up before down, name; names that are not migrations last.
auto SortKey(std::string_view name) {
  auto parsed = ParseFileName(name);
  if (!parsed.ok() || !parsed->has_value()) return std::make_tuple(1, std::uint64_t{0}, 0, std::string(name));
  const FileName& f = **parsed;
  return std::make_tuple(0, f.version, f.role == FileRole::kDown ? 1 : 0, std::string(name));
}

bool IsHash(std::string_view s) {
  if (!s.starts_with(kPrefix) || s.size() != kPrefix.size() + kHexDigits) return false;
  return std::all_of(s.begin() + kPrefix.size(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsConflictMarker(std::string_view line) {
  for (std::string_view m : {"<<<<<<<", "=======", ">>>>>>>", "|||||||"}) {
    if (line.starts_with(m) && (line.size() == m.size() || line[m.size()] == ' ' || line[m.size()] == '\r')) {
      return true;
    }
  }
  return false;
}

Status Malformed(std::string_view path, std::string_view text, std::size_t offset, const std::string& message) {
  return Status(ErrorCode::kIntegrity, base::FormatLocated(base::MakeLocation(path, text, offset), message));
}

}  // namespace

SumFile ComputeSum(const std::vector<SumInput>& files) {
  std::vector<const SumInput*> sorted;
  for (const SumInput& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const SumInput* a, const SumInput* b) { return SortKey(a->name) < SortKey(b->name); });
  SumFile sum;
  std::string previous;
  for (const SumInput* f : sorted) {
    previous = ChainHash(previous, f->name, f->contents);
    sum.lines.push_back({f->name, previous});
  }
  sum.header = HeaderOf(sum.lines);
  return sum;
}

std::string FormatSum(const SumFile& sum) { return sum.header + "\n" + BodyText(sum.lines); }

Result<SumFile> ParseSum(std::string_view path, std::string_view text) {
  std::vector<base::TextLine> lines = base::SplitLines(text);
  for (const base::TextLine& l : lines) {
    if (IsConflictMarker(l.text)) {
      return Status(ErrorCode::kIntegrity,
                    fmt::format("{}: merge conflict in strata.sum: run strata rebase (to renumber this branch's "
                                "migrations after the ones that came in) or strata hash (when no version collides)",
                                path));
    }
  }
  if (lines.empty()) return Malformed(path, text, 0, "empty strata.sum: its first line must be the directory hash");
  SumFile sum;
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i].text;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (i == 0) {
      if (!IsHash(line)) {
        return Malformed(path, text, 0, "the first line must be the directory hash: 'h1:' and 64 lower-case hex digits");
      }
      sum.header = std::string(line);
      continue;
    }
    std::size_t space = line.rfind(' ');
    if (space == std::string_view::npos || space == 0) {
      return Malformed(path, text, lines[i].begin, "expected '<file name> h1:<64 hex digits>'");
    }
    std::string_view name = line.substr(0, space), hash = line.substr(space + 1);
    if (!IsHash(hash)) {
      return Malformed(path, text, lines[i].begin + space + 1, "expected the file's hash: 'h1:' and 64 lower-case hex digits");
    }
    if (!seen.insert(std::string(name)).second) {
      return Malformed(path, text, lines[i].begin, fmt::format("'{}' is listed twice", name));
    }
    sum.lines.push_back({std::string(name), std::string(hash)});
  }
  if (HeaderOf(sum.lines) != sum.header) {
    return Malformed(path, text, 0,
                     "the directory hash does not match the lines below it: strata.sum was edited by hand; run strata "
                     "hash to write it again");
  }
  return sum;
}

SumDiff CompareSum(const SumFile& recorded, const std::vector<SumInput>& files) {
  std::map<std::string_view, std::string_view> present;
  for (const SumInput& f : files) present[f.name] = f.contents;
  SumDiff diff;
  std::set<std::string_view> listed;
  std::string_view previous;
  for (const SumLine& l : recorded.lines) {
    listed.insert(l.name);
    auto it = present.find(l.name);
    if (it == present.end()) {
      diff.removed.push_back(l.name);
    } else if (ChainHash(previous, l.name, it->second) != l.hash) {
      diff.edited.push_back(l.name);
    }
    previous = l.hash;
  }
  for (const SumLine& l : ComputeSum(files).lines) {
    if (!listed.count(l.name)) diff.added.push_back(l.name);
  }
  return diff;
}

std::optional<ConflictSides> SplitConflict(std::string_view text) {
  enum { kBoth, kOurs, kBase, kTheirs } where = kBoth;
  ConflictSides sides;
  bool conflict = false;
  for (const base::TextLine& l : base::SplitLines(text)) {
    std::string_view line = l.text;
    if (IsConflictMarker(line)) {
      conflict = true;
      switch (line[0]) {
        case '<': where = kOurs; break;
        case '|': where = kBase; break;
        case '=': where = kTheirs; break;
        default: where = kBoth; break;
      }
      continue;
    }
    std::string with_newline = std::string(line) + "\n";
    if (where == kBoth || where == kOurs) sides.ours += with_newline;
    if (where == kBoth || where == kTheirs) sides.theirs += with_newline;
  }
  if (!conflict) return std::nullopt;
  return sides;
}

std::vector<std::string> ListedNames(std::string_view text) {
  std::vector<std::string> names;
  std::vector<base::TextLine> lines = base::SplitLines(text);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = base::Trim(lines[i].text);
    std::size_t space = line.rfind(' ');
    if (space == std::string_view::npos || !line.substr(space + 1).starts_with(kPrefix)) continue;
    names.emplace_back(base::Trim(line.substr(0, space)));
  }
  return names;
}

std::vector<SumInput> SumInputs(const std::vector<RawFile>& files) {
  std::vector<SumInput> inputs;
  for (const RawFile& f : files) {
    auto parsed = ParseFileName(f.name);
    if (!f.problem.empty() || !parsed.ok() || !parsed->has_value()) continue;
    inputs.push_back({f.name, f.contents});
  }
  return inputs;
}

Status VerifySum(std::string_view dir, std::string_view sum_text, const std::vector<RawFile>& files) {
  const std::string path = base::JoinPath(dir, kSumFileName);
  STRATA_ASSIGN_OR_RETURN(SumFile recorded, ParseSum(path, sum_text));
  // A file that cannot be read is reported by BuildMigrations, not as removed.
  std::set<std::string, std::less<>> unreadable;
  for (const RawFile& f : files) {
    if (!f.problem.empty()) unreadable.insert(f.name);
  }
  SumDiff diff = CompareSum(recorded, SumInputs(files));
  std::erase_if(diff.removed, [&](const std::string& n) { return unreadable.count(n) > 0; });
  if (diff.empty()) return Status::Ok();
  std::string message = fmt::format("{} does not match the migration files: they changed since it was written", path);
  auto list = [&](const char* what, const std::vector<std::string>& names) {
    for (const std::string& n : names) message += fmt::format("\n  {} {}", what, base::JoinPath(dir, n));
  };
  list("added:  ", diff.added);
  list("removed:", diff.removed);
  list("edited: ", diff.edited);
  message += "\nIf these changes are intended, run strata hash to accept them.";
  return Status(ErrorCode::kIntegrity, std::move(message));
}

}  // namespace strata::source

namespace strata::source {

std::vector<std::string> CompareWithBase(std::string_view dir, const std::vector<SumInput>& base,
                                         const std::vector<SumInput>& head, std::string_view label) {
  auto normalized = [](std::string_view contents) { return Checksum(base::StripBom(contents)); };
  std::map<std::string_view, std::string_view> now, then;
  for (const SumInput& f : head) now[f.name] = f.contents;
  for (const SumInput& f : base) then[f.name] = f.contents;
  std::uint64_t newest = 0;
  std::string newest_file;
  std::vector<std::string> problems;
  // A checkpoint may be added, rewritten or removed at any time, and the files a checkpoint of the
  // head stands for may go: it takes their place for every fresh database.
  std::set<std::pair<std::uint64_t, std::string>> covered;
  for (const SumInput& f : head) {
    for (const Covered& c : CoversOf(f.name, f.contents)) covered.insert({c.version, c.name});
  }
  for (const SumLine& l : ComputeSum(base).lines) {
    if (IsCheckpoint(l.name, then[l.name])) continue;
    if (auto v = ParseFileName(l.name); v.ok() && v->has_value() && (newest_file.empty() || (*v)->version > newest)) {
      newest = (*v)->version;
      newest_file = l.name;
    }
    auto found = now.find(l.name);
    auto parsed = ParseFileName(l.name);
    bool stands_in = parsed.ok() && parsed->has_value() && covered.contains({(*parsed)->version, (*parsed)->name});
    if (found == now.end() && stands_in) continue;
    if (found == now.end()) {
      problems.push_back(fmt::format("{}: deleted since {}", base::JoinPath(dir, l.name), label));
    } else if (normalized(found->second) != normalized(then[l.name])) {
      problems.push_back(fmt::format("{}: edited since {}", base::JoinPath(dir, l.name), label));
    }
  }
  // A file added to a migration that REF has (its down part, say) adds no version.
  std::set<std::pair<std::uint64_t, std::string>> base_migrations;
  for (const SumInput& f : base) {
    if (auto v = ParseFileName(f.name); v.ok() && v->has_value()) base_migrations.insert({(*v)->version, (*v)->name});
  }
  for (const SumLine& l : ComputeSum(head).lines) {
    if (then.count(l.name) || IsCheckpoint(l.name, now[l.name])) continue;
    auto v = ParseFileName(l.name);
    if (newest_file.empty() || !v.ok() || !v->has_value() || (*v)->version > newest) continue;
    if (base_migrations.contains({(*v)->version, (*v)->name})) continue;
    problems.push_back(fmt::format("{}: added since {} with version {}, not above its newest version {} ({})",
                                   base::JoinPath(dir, l.name), label, (*v)->version, newest,
                                   base::JoinPath(dir, newest_file)));
  }
  return problems;
}

}  // namespace strata::source
