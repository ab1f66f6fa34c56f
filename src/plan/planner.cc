#include "plan/planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace strata::plan {

namespace {

std::string Label(std::uint64_t version, const std::string& name) {
  return name.empty() ? fmt::format("{}", version) : fmt::format("{} ({})", version, name);
}

// Whether `a` is a partial migration whose file is there: it can resume (or be rolled back).
bool Resumable(const Applied& a, const std::vector<Available>& available) {
  if (!a.partial()) return false;
  return std::any_of(available.begin(), available.end(), [&](const Available& m) { return m.version == a.version; });
}

// A dirty version blocks every plan, except a partial one that can resume (`skip_partial`).
Status CheckDirty(const std::vector<Applied>& applied, const std::vector<Available>& available,
                  bool skip_partial) {
  for (const Applied& a : applied) {
    if (a.state == AppliedState::kDirty && !(skip_partial && Resumable(a, available))) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("migration {} is dirty: it runs outside a transaction and did not "
                                "finish, so the database may be half-migrated. Inspect the database and "
                                "finish or undo its statements by hand, then run `strata repair` "
                                "(it will run again) or `strata repair --mark-applied`",
                                Label(a.version, a.name)));
    }
  }
  return Status::Ok();
}

// One version known from either side: its history row and its file, either of which may be
// missing, and its state. The pointers point into the planner's arguments.
struct Slot {
  std::uint64_t version = 0;
  const Applied* applied = nullptr;
  const Available* file = nullptr;
  EntryState state = EntryState::kPending;

  const std::string& name() const { return file ? file->name : applied->name; }
};

template <typename T>
std::vector<const T*> ByVersion(const std::vector<T>& items) {
  std::vector<const T*> out;
  out.reserve(items.size());
  for (const T& item : items) out.push_back(&item);
  // By version, then by place in `items` (so that of two with one version the later stays later).
  auto before = [](const T* a, const T* b) { return a->version < b->version || (a->version == b->version && a < b); };
  // Both sides usually come sorted already (the loader sorts the files, the drivers the history).
  if (!std::is_sorted(out.begin(), out.end(), before)) std::sort(out.begin(), out.end(), before);
  return out;
}

EntryState StateOf(std::uint64_t version, const Applied* a, const Available* file, std::uint64_t current) {
  if (!a) return version < current ? EntryState::kOutOfOrder : EntryState::kPending;
  if (a->state == AppliedState::kDirty) return a->partial() && file ? EntryState::kPartial : EntryState::kDirty;
  // A baseline marker stands for versions that never had files here; it is not "missing".
  if (!file) return a->state == AppliedState::kBaseline ? EntryState::kBaseline : EntryState::kMissingFile;
  if (!a->checksum.empty() && a->checksum != file->checksum) return EntryState::kChanged;
  return a->state == AppliedState::kBaseline ? EntryState::kBaseline : EntryState::kApplied;
}

// Every version known from either side, ascending, classified: a merge of the two sorted sides,
// with no copy of a name or a path (an up-to-date run classifies every migration it has).
std::vector<Slot> Slots(const std::vector<Available>& available, const std::vector<Applied>& applied) {
  const std::vector<const Applied*> rows = ByVersion(applied);
  const std::vector<const Available*> files = ByVersion(available);
  const std::uint64_t current = CurrentVersion(applied);
  std::vector<Slot> out;
  out.reserve(std::max(rows.size(), files.size()));
  std::size_t i = 0, j = 0;
  while (i < rows.size() || j < files.size()) {
    std::uint64_t v = i == rows.size()    ? files[j]->version
                      : j == files.size() ? rows[i]->version
                                          : std::min(rows[i]->version, files[j]->version);
    Slot slot{.version = v};
    // Of two rows or two files with one version, the last counts.
    for (; i < rows.size() && rows[i]->version == v; ++i) slot.applied = rows[i];
    for (; j < files.size() && files[j]->version == v; ++j) slot.file = files[j];
    slot.state = StateOf(v, slot.applied, slot.file, current);
    out.push_back(slot);
  }
  return out;
}

Status CheckChecksums(const std::vector<Slot>& slots) {
  std::string changed;
  for (const Slot& e : slots) {
    if (e.state == EntryState::kChanged) {
      changed += fmt::format("\n  {} ({})", Label(e.version, e.name()), e.file->file);
    }
  }
  if (changed.empty()) return Status::Ok();
  return Status(ErrorCode::kFailedPrecondition,
                fmt::format("applied migrations were edited after they ran (checksum differs):{}\n"
                            "Restore the original files, or write a new migration for the change. "
                            "If the edit is harmless (a comment), run `strata repair --checksums`.",
                            changed));
}

}  // namespace

const char* EntryStateName(EntryState state) {
  switch (state) {
    case EntryState::kApplied: return "applied";
    case EntryState::kBaseline: return "baseline";
    case EntryState::kPending: return "pending";
    case EntryState::kOutOfOrder: return "out-of-order";
    case EntryState::kChanged: return "changed";
    case EntryState::kMissingFile: return "missing";
    case EntryState::kDirty: return "dirty";
    case EntryState::kPartial: return "partial";
  }
  return "unknown";
}

std::uint64_t CurrentVersion(const std::vector<Applied>& applied) {
  std::uint64_t v = 0;
  for (const Applied& a : applied) {
    if (a.state != AppliedState::kDirty) v = std::max(v, a.version);
  }
  return v;
}

std::vector<Entry> Classify(const std::vector<Available>& available, const std::vector<Applied>& applied) {
  const std::vector<Slot> slots = Slots(available, applied);
  std::vector<Entry> out;
  out.reserve(slots.size());
  for (const Slot& slot : slots) {
    out.push_back({.version = slot.version,
                   .name = slot.name(),
                   .file = slot.file ? slot.file->file : std::string(),
                   .state = slot.state,
                   .applied = slot.applied});
  }
  return out;
}

Result<std::vector<std::uint64_t>> PlanUp(const std::vector<Available>& available,
                                          const std::vector<Applied>& applied, const UpRequest& request) {
  STRATA_RETURN_IF_ERROR(CheckDirty(applied, available, /*skip_partial=*/true));
  const std::vector<Slot> entries = Slots(available, applied);
  STRATA_RETURN_IF_ERROR(CheckChecksums(entries));
  std::uint64_t current = CurrentVersion(applied);
  for (const Slot& e : entries) {
    if (e.state != EntryState::kPartial || !request.target || e.version <= *request.target) continue;
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("migration {} is partial (it stopped half way), and the target {} leaves it out: "
                              "run `strata up --to {}` or higher to resume it first",
                              Label(e.version, e.name()), *request.target, e.version));
  }
  if (request.target && *request.target < current) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("target version {} is below the current version {}; use `strata down --to {}` "
                              "to roll back",
                              *request.target, current, *request.target));
  }
  std::vector<std::uint64_t> plan;
  std::string out_of_order;
  for (const Slot& e : entries) {
    if (e.state == EntryState::kPartial) {
      plan.push_back(e.version);
      continue;
    }
    if (e.state != EntryState::kPending && e.state != EntryState::kOutOfOrder) continue;
    if (request.target && e.version > *request.target) continue;
    if (e.state == EntryState::kOutOfOrder && !request.allow_out_of_order) {
      out_of_order += fmt::format("\n  {} ({})", Label(e.version, e.name()), e.file->file);
    }
    plan.push_back(e.version);
  }
  if (!out_of_order.empty()) {
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("pending migrations are older than the current version {} (merged from another "
                              "branch?):{}\nRenumber them above {}, or pass --allow-out-of-order to apply them "
                              "anyway",
                              current, out_of_order, current));
  }
  return plan;
}

Result<CheckpointPlan> PlanCheckpoint(const std::vector<CheckpointEntry>& checkpoints,
                                      const std::vector<Available>& available, const std::vector<Applied>& applied,
                                      const UpRequest& request) {
  CheckpointPlan out;
  out.applied = applied;
  if (checkpoints.empty()) return out;
  if (applied.empty()) {
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
      if (request.target && checkpoints[i].version > *request.target) continue;
      if (!out.apply || checkpoints[i].version > checkpoints[*out.apply].version) out.apply = i;
    }
  } else if (applied.size() == 1 && applied[0].partial()) {
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
      if (request.target && checkpoints[i].version > *request.target) continue;
      if (checkpoints[i].version == applied[0].version && checkpoints[i].checksum == applied[0].checksum) out.apply = i;
    }
  }
  if (out.apply) out.applied = checkpoints[*out.apply].covers;
  std::uint64_t from = CurrentVersion(out.applied);
  std::set<std::uint64_t> known;  // versions with a file, or that the run starts with
  for (const Available& m : available) known.insert(m.version);
  for (const Applied& a : out.applied) known.insert(a.version);
  std::map<std::uint64_t, std::pair<const Applied*, const CheckpointEntry*>> missing;
  for (const CheckpointEntry& c : checkpoints) {
    for (const Applied& covered : c.covers) {
      if (covered.version <= from || known.count(covered.version)) continue;
      if (request.target && covered.version > *request.target) continue;
      missing.emplace(covered.version, std::make_pair(&covered, &c));
    }
  }
  if (missing.empty()) return out;
  std::string list;
  std::size_t shown = 0;
  for (const auto& [v, m] : missing) {
    if (++shown > 10) {
      list += fmt::format("\n  ... and {} more", missing.size() - 10);
      break;
    }
    list += fmt::format("\n  {} (only in the checkpoint {})", Label(v, m.first->name), m.second->file);
  }
  std::string where = from == 0 ? std::string("a fresh database") : fmt::format("the database at version {}", from);
  std::string why = from == 0 && request.target && applied.empty()
                        ? fmt::format("a checkpoint applies only up to the target {}", *request.target)
                        : std::string("a checkpoint applies only to a fresh database");
  return Status(ErrorCode::kFailedPrecondition,
                fmt::format("{} needs migrations whose files are gone ({}):{}\nRestore those files (for example "
                            "with `git checkout <an older commit> -- <their paths>`), then run the command again",
                            where, why, list));
}

Result<std::vector<std::uint64_t>> PlanDown(const std::vector<Available>& available,
                                            const std::vector<Applied>& applied, const DownRequest& request) {
  STRATA_RETURN_IF_ERROR(CheckDirty(applied, available, /*skip_partial=*/true));
  const std::vector<Slot> entries = Slots(available, applied);
  STRATA_RETURN_IF_ERROR(CheckChecksums(entries));

  std::vector<const Slot*> done;  // newest first
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
    if (e->applied) done.push_back(&*e);
  }

  std::size_t count = 0;
  if (request.to) {
    while (count < done.size() && done[count]->version > *request.to) ++count;
  } else {
    count = std::min<std::size_t>(done.size(), request.steps.value_or(1));
  }
  std::vector<std::uint64_t> plan;
  for (std::size_t i = 0; i < count; ++i) {
    const Slot& e = *done[i];
    if (!e.file) {
      if (e.applied->state == AppliedState::kBaseline) {
        return Status(ErrorCode::kFailedPrecondition,
                      fmt::format("cannot roll back below the baseline at version {}", e.version));
      }
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("cannot roll back {}: its migration file is missing", Label(e.version, e.name())));
    }
    if (!e.file->has_down) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("migration {} has no down migration ({}), so it cannot be rolled back.\n"
                                "Fix forward instead: `strata new fix_{}` creates a migration that corrects "
                                "it, and `strata up` applies it.",
                                Label(e.version, e.name()), e.file->file, e.name()));
    }
    if (e.state == EntryState::kPartial && !request.partial) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("migration {} is partial: some of its statements ran before it stopped, and the "
                                "engine cannot roll them back. Its down part is written for the whole migration, "
                                "so it runs against what ran only once you confirm it (or fix the failing "
                                "statement and run `strata up` to resume the migration).",
                                Label(e.version, e.name())))
          .WithRemedy(Remedy::kForce);
    }
    plan.push_back(e.version);
  }
  return plan;
}

}  // namespace strata::plan
