// strata rebase's pure half: which migrations of a directory belong to this branch after a merge,
// and the new file names that put them after everything that came in. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/status.h"

namespace strata::source {

struct RenumberRequest {
  std::string dir;                       // the directory, for messages
  std::vector<std::string> names;        // every migration file name of the directory
  std::optional<std::string> sum_text;   // its strata.sum, conflict markers and all; nullopt: none
  std::vector<std::string> named;        // file names the user named; empty: find this branch's
  // (version, name) of the migrations a database records as applied: never renumbered.
  std::vector<std::pair<std::uint64_t, std::string>> applied;
  std::uint64_t now = 0;  // UTC yyyymmddHHMMSS, for timestamp versions
};

struct Rename {
  std::string from, to;  // file names
};

// The renames, in version order (empty: nothing to renumber). A migration is the set of files with
// one version and one name (an up and its down file move together). This branch's migrations are
// the named ones; else, with conflict markers in the sum, the migrations none of whose files the
// lower (incoming) side lists; else the migrations none of whose files the sum lists. When one of
// them has a version that another migration also has, or not above the newest of the others, all
// of them (named: the named ones) get new versions after the newest other one, in their order: the
// next number in the file's own width, or for 14-digit timestamps max(now, previous + 1).
// kInvalidArgument: no sum and no named files; kNotFound: a named file is not in `names`;
// kFailedPrecondition: a migration to renumber is recorded as applied (the message names it).
Result<std::vector<Rename>> PlanRenumber(const RenumberRequest& request);

}  // namespace strata::source
