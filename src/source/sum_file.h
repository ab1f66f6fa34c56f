// strata.sum, the integrity file of a migrations directory (docs/migrations.md, "Working in a
// team"): its format, parser, computation and comparison, and git's conflict markers. No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "source/loader.h"
#include "strata/status.h"

namespace strata::source {

inline constexpr std::string_view kSumFileName = "strata.sum";

// One migration file as the sum sees it: its file name and its bytes as they are on disk.
struct SumInput {
  std::string name;
  std::string_view contents;
};

struct SumLine {
  std::string name;  // file name, no directory
  std::string hash;  // "h1:" and 64 lower-case hex digits
};

struct SumFile {
  std::string header;  // "h1:<hex>": SHA-256 of every line below, as written
  std::vector<SumLine> lines;
};

// The sum of `files`, in version order (for one version, up before down, then by name; a name
// that does not parse as a migration sorts last by name). Line i's hash is SHA-256 of line i-1's
// hex digits (none for the first line), '\n', the file name, '\n' and the file's text with a
// byte-order mark dropped and "\r\n" read as "\n", exactly as checksums read it.
SumFile ComputeSum(const std::vector<SumInput>& files);

// The text of `sum`: the header line, then "<name> <hash>" lines, each ending in '\n'.
std::string FormatSum(const SumFile& sum);

// Parses the text of a strata.sum named `path` (used in messages). "\r\n" is read as "\n".
// kIntegrity with "path:line:col: message", the line and a caret, for a malformed line, a name
// listed twice, or a header that does not match the lines below (a hand edit); a text with git
// conflict markers is kIntegrity "merge conflict in strata.sum: ...".
Result<SumFile> ParseSum(std::string_view path, std::string_view text);

// What changed since a sum was written. Names only, in the order they sort in a sum.
struct SumDiff {
  std::vector<std::string> added, removed, edited;
  bool empty() const { return added.empty() && removed.empty() && edited.empty(); }
};

// Compares `recorded` with the files now present. A file is edited when its line's hash, chained
// from the line above it as recorded, differs: so an edit names that file only, not every later
// one.
SumDiff CompareSum(const SumFile& recorded, const std::vector<SumInput>& files);

// The two sides of a text with git conflict markers: lines outside a conflict go to both, lines
// between "<<<<<<<" and "=======" to `ours` (the merge-base part of a diff3 conflict, after
// "|||||||", to neither), lines between "=======" and ">>>>>>>" to `theirs`. std::nullopt when the
// text has no conflict marker.
struct ConflictSides {
  std::string ours, theirs;
};
std::optional<ConflictSides> SplitConflict(std::string_view text);

// The file names listed in a sum's text, leniently: every line but the first whose last
// space-separated word starts with "h1:". For the sides of a conflict, which need not parse.
std::vector<std::string> ListedNames(std::string_view text);

// Checks the directory `dir`'s migration files against the text of its strata.sum. Files that
// could not be read (RawFile::problem) or whose names do not parse are left to BuildMigrations,
// which reports them. kIntegrity naming every file added, removed or edited, or the error of
// ParseSum; OK when they match.
Status VerifySum(std::string_view dir, std::string_view sum_text, const std::vector<RawFile>& files);

// The inputs of a sum: `files` whose names are migrations and that were read.
std::vector<SumInput> SumInputs(const std::vector<RawFile>& files);

}  // namespace strata::source

namespace strata::source {

// verify --git-base: `head` (the directory `dir` now) against `base` (a base revision called
// `label`). One message per offender, in file-name order: a migration of the base deleted or
// edited (normalized as checksums are), a migration added with a version not above the base's
// newest.
std::vector<std::string> CompareWithBase(std::string_view dir, const std::vector<SumInput>& base,
                                         const std::vector<SumInput>& head, std::string_view label);

}  // namespace strata::source
