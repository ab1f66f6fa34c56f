#include "source/checkpoint.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "base/text.h"
#include "source/sections.h"

namespace strata::source {

namespace {

Status ErrorAt(std::size_t offset, std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message)).WithSqlOffset(offset);
}

constexpr std::string_view kPrefix = "-- strata:covers";
constexpr std::string_view kForm = "expected '-- strata:covers VERSION NAME sha256:<64 hex digits>'";

bool IsChecksum(std::string_view s) {
  if (!s.starts_with("sha256:") || s.size() != 7 + 64) return false;
  for (char c : s.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The next blank-separated word of `rest`, removed from it.
std::string_view NextWord(std::string_view& rest) {
  rest = base::Trim(rest);
  std::size_t end = rest.find_first_of(" \t");
  std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return word;
}

}  // namespace

Result<std::vector<Covered>> ReadCovers(std::string_view text, std::size_t begin, std::size_t end) {
  std::vector<Covered> out;
  std::string_view part = text.substr(begin, end - begin);
  for (const base::TextLine& line : base::SplitLines(part)) {
    std::string_view t = base::Trim(line.text);
    if (!t.starts_with(kPrefix)) continue;
    std::size_t offset = begin + line.begin + static_cast<std::size_t>(t.data() - line.text.data());
    std::string_view rest = t.substr(kPrefix.size());
    if (!rest.empty() && rest[0] != ' ' && rest[0] != '\t') continue;  // another word, left to the directive reader
    std::string_view version = NextWord(rest);
    std::string_view name = NextWord(rest);
    std::string_view checksum = NextWord(rest);
    auto v = base::ParseUint64(version);
    bool printable = std::none_of(name.begin(), name.end(),
                                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (!v || name.empty() || !printable || !IsChecksum(checksum) || !base::Trim(rest).empty()) {
      return ErrorAt(offset, fmt::format("malformed covers line: {}", kForm));
    }
    if (!out.empty() && *v <= out.back().version) {
      return ErrorAt(offset, fmt::format("covers version {} after version {}: the versions must ascend", *v,
                                         out.back().version));
    }
    out.push_back({*v, std::string(name), std::string(checksum)});
  }
  if (out.empty()) {
    return ErrorAt(begin, "a checkpoint lists the migrations it stands for in '-- strata:covers' lines, and this "
                          "one lists none");
  }
  return out;
}

namespace {

std::optional<SectionRange> CheckpointPart(std::string_view name, std::string_view text) {
  auto parsed = ParseFileName(name);
  if (!parsed.ok() || !parsed->has_value() || (*parsed)->role == FileRole::kDown) return std::nullopt;
  auto sections = SplitSections(text, (*parsed)->role == FileRole::kSectioned);
  if (!sections.ok() || !sections->up || !sections->up->checkpoint) return std::nullopt;
  return *sections->up;
}

}  // namespace

bool IsCheckpoint(std::string_view name, std::string_view contents) {
  return CheckpointPart(name, base::StripBom(contents)).has_value();
}

std::vector<Covered> CoversOf(std::string_view name, std::string_view contents) {
  std::string_view text = base::StripBom(contents);
  auto part = CheckpointPart(name, text);
  if (!part) return {};
  auto covers = ReadCovers(text, part->begin, part->end);
  return covers.ok() ? std::move(*covers) : std::vector<Covered>{};
}

std::string CheckpointHeader(const std::vector<Covered>& covers) {
  std::string out = "-- strata:checkpoint\n";
  if (!covers.empty()) {
    out += fmt::format(
        "-- Written by `strata checkpoint`: the schema and rows of versions {} to {} ({} migrations).\n"
        "-- A fresh database applies this file instead of them; a database that has any of them ignores it.\n"
        "-- Do not edit it: write a new migration, then `strata checkpoint` again.\n",
        covers.front().version, covers.back().version, covers.size());
  }
  for (const Covered& c : covers) out += fmt::format("{} {} {} {}\n", kPrefix, c.version, c.name, c.checksum);
  out += "\n";
  return out;
}

std::string CheckpointFileName(Convention convention, std::string_view version_text) {
  switch (convention) {
    case Convention::kSeed: return fmt::format("v{}_checkpoint.sql", version_text);
    case Convention::kPaired: return fmt::format("{}_checkpoint.up.sql", version_text);
    case Convention::kSectioned: return fmt::format("{}_checkpoint.sql", version_text);
    case Convention::kFlyway: return fmt::format("V{}__checkpoint.sql", version_text);
  }
  return fmt::format("v{}_checkpoint.sql", version_text);
}

}  // namespace strata::source
