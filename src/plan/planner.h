// The pure planner: from the migrations on disk, the rows of the history table and a request,
// decide what to run, or why nothing may run. No I/O at all, so every policy is unit-tested here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/status.h"

namespace strata::plan {

struct Available {
  std::uint64_t version = 0;
  std::string name;
  std::string checksum;
  std::string file;
  bool has_down = false;
};

enum class AppliedState { kApplied, kDirty, kBaseline };

struct Applied {
  std::uint64_t version = 0;
  std::string name;
  std::string checksum;  // empty for a baseline marker that has no file
  AppliedState state = AppliedState::kApplied;
  std::string applied_at;
  double execution_ms = 0;
  // A dirty row that says how far its migration got (engines whose DDL commits by itself, see
  // driver::HistoryRow::progress): the hash of each statement that ran. Such a migration is
  // `partial`: `up` resumes it after the last statement that ran, and `down` can roll it back.
  std::optional<std::string> progress;

  bool partial() const { return state == AppliedState::kDirty && progress.has_value(); }
};

struct UpRequest {
  std::optional<std::uint64_t> target;  // apply pending versions <= target; all when unset
  bool allow_out_of_order = false;
};

struct DownRequest {
  std::optional<std::uint64_t> to;     // roll back every applied version > to
  std::optional<std::uint32_t> steps;  // roll back the newest `steps` versions
  // Also roll back a partial migration with its down part (the user confirmed it); otherwise a
  // partial migration among those to roll back is refused.
  bool partial = false;
  // When neither is set, one step.
};

// Versions to apply, in ascending order, a partial migration among them (it resumes; its file may
// have changed since it started, which the engine checks statement by statement). `available` and
// `applied` may be in any order. Errors, in this order of precedence:
// - kFailedPrecondition: a dirty version (a partial one whose file is gone, or that the target
//   leaves out, counts as dirty); an applied migration whose file changed; a pending version below
//   the highest applied one (unless allow_out_of_order).
// - kInvalidArgument: a target below the highest applied version.
// An empty vector means there is nothing to do.
Result<std::vector<std::uint64_t>> PlanUp(const std::vector<Available>& available,
                                          const std::vector<Applied>& applied, const UpRequest& request);

// Versions to roll back, newest first. Every one must have a file with a down part; otherwise
// kFailedPrecondition names it and explains the forward-fix alternative. kFailedPrecondition also
// for a dirty database, a changed checksum, or a baseline marker that has no file. A partial
// migration counts as applied here (its down part undoes what ran) but only with request.partial;
// without it, kFailedPrecondition says so.
Result<std::vector<std::uint64_t>> PlanDown(const std::vector<Available>& available,
                                            const std::vector<Applied>& applied, const DownRequest& request);

// A checkpoint migration (docs/migrations.md, "Checkpoints"): one file that stands for the
// migrations in `covers` and is applied only to a fresh database.
struct CheckpointEntry {
  std::uint64_t version = 0;    // the newest covered version
  std::string file;
  std::vector<Applied> covers;  // version, name, checksum of each migration it stands for; ascending
  std::string checksum;         // the checkpoint file's own, as its history row records it
};

struct CheckpointPlan {
  // Index into the checkpoints: a fresh database (no history row at all) starts from the newest
  // checkpoint at or below the target; a database whose only row is a partial one with a
  // checkpoint's version and checksum (that checkpoint was cut short) resumes it. Unset: no
  // checkpoint applies.
  std::optional<std::size_t> apply;
  // The history once that checkpoint ran (its covered migrations as baseline rows), for PlanUp;
  // the `applied` argument when none applies.
  std::vector<Applied> applied;
};

// Whether a checkpoint starts this run, and the history PlanUp then plans from. kFailedPrecondition
// when the run needs a migration whose file is gone and that only a checkpoint stands for (a
// database between two versions a checkpoint covers, or a fresh one with a target below the
// checkpoint): the message names each such version and the checkpoint.
Result<CheckpointPlan> PlanCheckpoint(const std::vector<CheckpointEntry>& checkpoints,
                                      const std::vector<Available>& available, const std::vector<Applied>& applied,
                                      const UpRequest& request);

enum class EntryState { kApplied, kBaseline, kPending, kOutOfOrder, kChanged, kMissingFile, kDirty, kPartial };

const char* EntryStateName(EntryState state);

struct Entry {
  std::uint64_t version = 0;
  std::string name;
  std::string file;  // empty when the file is missing
  EntryState state = EntryState::kPending;
  const Applied* applied = nullptr;  // points into the `applied` argument
};

// Every version known from either side, ascending, with its state.
std::vector<Entry> Classify(const std::vector<Available>& available, const std::vector<Applied>& applied);

// Highest version recorded as applied or baseline (dirty rows do not count); 0 when none.
std::uint64_t CurrentVersion(const std::vector<Applied>& applied);

}  // namespace strata::plan
