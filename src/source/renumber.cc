#include "source/renumber.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "source/filename.h"
#include "source/sum_file.h"

namespace strata::source {

namespace {

struct Group {
  std::uint64_t version = 0;
  std::string name;
  std::string version_text;
  Convention convention = Convention::kSeed;
  std::vector<std::string> files;
};

// The file name with its version digits replaced by `version`.
std::string WithVersion(const std::string& file, const std::string& old_text, const std::string& version) {
  std::size_t at = file.find(old_text);
  return file.substr(0, at) + version + file.substr(at + old_text.size());
}

std::set<std::string> Set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

bool AnyListed(const Group& g, const std::set<std::string>& listed) {
  return std::any_of(g.files.begin(), g.files.end(), [&](const std::string& f) { return listed.count(f) > 0; });
}

// Which groups are this branch's (true) and which came in.
Result<std::vector<bool>> Ours(const RenumberRequest& r, const std::vector<Group>& groups) {
  std::vector<bool> ours(groups.size(), false);
  if (!r.named.empty()) {
    for (const std::string& n : r.named) {
      auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
        return std::find(g.files.begin(), g.files.end(), n) != g.files.end();
      });
      if (it == groups.end()) {
        return Status(ErrorCode::kNotFound, fmt::format("'{}' is not a migration file of {}", n, r.dir));
      }
      ours[it - groups.begin()] = true;
    }
    return ours;
  }
  if (!r.sum_text) {
    return Status(ErrorCode::kInvalidArgument,
                  r.dir + " has no strata.sum to tell this branch's migrations from the ones that came in: "
                  "name the files to renumber");
  }
  std::set<std::string> theirs;
  if (auto sides = SplitConflict(*r.sum_text)) {
    theirs = Set(ListedNames(sides->theirs));
  } else {
    theirs = Set(ListedNames(*r.sum_text));
  }
  for (std::size_t i = 0; i < groups.size(); ++i) ours[i] = !AnyListed(groups[i], theirs);
  return ours;
}

// The migrations of `names`, in version order, each with its files up before down.
std::vector<Group> Groups(const std::vector<std::string>& names) {
  std::map<std::pair<std::uint64_t, std::string>, Group> by_key;
  for (const std::string& n : names) {
    auto parsed = ParseFileName(n);
    if (!parsed.ok() || !parsed->has_value()) continue;
    const FileName& f = **parsed;
    Group& g = by_key[{f.version, f.name}];
    g.version = f.version;
    g.name = f.name;
    g.version_text = f.version_text;
    g.convention = f.convention;
    g.files.push_back(n);
  }
  std::vector<Group> groups;
  for (auto& [_, g] : by_key) {
    // Up before down, as strata.sum lists them.
    std::sort(g.files.begin(), g.files.end(), [](const std::string& a, const std::string& b) {
      auto down = [](const std::string& n) { return (*ParseFileName(n))->role == FileRole::kDown; };
      return std::make_pair(down(a), a) < std::make_pair(down(b), b);
    });
    groups.push_back(std::move(g));
  }
  return groups;
}

}  // namespace

Result<std::vector<Rename>> PlanRenumber(const RenumberRequest& r) {
  const std::vector<Group> groups = Groups(r.names);
  STRATA_ASSIGN_OR_RETURN(std::vector<bool> ours, Ours(r, groups));

  std::uint64_t newest_other = 0;
  std::map<std::uint64_t, int> count;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    ++count[groups[i].version];
    if (!ours[i]) newest_other = std::max(newest_other, groups[i].version);
  }
  bool move = !r.named.empty();
  for (std::size_t i = 0; i < groups.size() && !move; ++i) {
    move = ours[i] && (count[groups[i].version] > 1 || groups[i].version <= newest_other);
  }
  if (!move) return std::vector<Rename>{};

  std::vector<Rename> renames;
  std::uint64_t previous = newest_other;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (!ours[i]) continue;
    const Group& g = groups[i];
    for (const auto& [version, name] : r.applied) {
      if (version == g.version && name == g.name) {
        return Status(ErrorCode::kFailedPrecondition,
                      fmt::format("{}/{}: migration {} ({}) is recorded as applied in the database; renumbered, it would "
                                  "run a second time. Renumber the other migration with that version instead",
                                  r.dir, g.files.front(), g.version, g.name));
      }
    }
    std::uint64_t next = previous + 1;
    bool timestamp = g.convention == Convention::kSectioned && g.version_text.size() == 14;
    if (timestamp) next = std::max(next, r.now);
    previous = next;
    std::string text = fmt::format("{:0{}}", next, g.convention == Convention::kFlyway ? 1 : g.version_text.size());
    for (const std::string& f : g.files) renames.push_back({f, WithVersion(f, g.version_text, text)});
  }
  return renames;
}

}  // namespace strata::source
