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

Status CheckChecksums(const std::vector<Entry>& entries) {
  std::string changed;
  for (const Entry& e : entries) {
    if (e.state == EntryState::kChanged) {
      changed += fmt::format("\n  {} ({})", Label(e.version, e.name), e.file);
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
  std::map<std::uint64_t, Entry> entries;
  std::uint64_t current = CurrentVersion(applied);
  for (const Applied& a : applied) {
    Entry& e = entries[a.version];
    e.version = a.version;
    e.name = a.name;
    e.applied = &a;
  }
  for (const Available& m : available) {
    Entry& e = entries[m.version];
    e.version = m.version;
    e.name = m.name;
    e.file = m.file;
  }
  std::map<std::uint64_t, const Available*> files;
  for (const Available& m : available) files[m.version] = &m;
  std::vector<Entry> out;
  out.reserve(entries.size());
  for (auto& [v, e] : entries) {
    auto f = files.find(v);
    const Available* file = f == files.end() ? nullptr : f->second;
    if (!e.applied) {
      e.state = v < current ? EntryState::kOutOfOrder : EntryState::kPending;
    } else if (e.applied->state == AppliedState::kDirty) {
      e.state = e.applied->partial() && file ? EntryState::kPartial : EntryState::kDirty;
    } else if (!file) {
      // A baseline marker stands for versions that never had files here; it is not "missing".
      e.state = e.applied->state == AppliedState::kBaseline ? EntryState::kBaseline : EntryState::kMissingFile;
    } else if (!e.applied->checksum.empty() && e.applied->checksum != file->checksum) {
      e.state = EntryState::kChanged;
    } else {
      e.state = e.applied->state == AppliedState::kBaseline ? EntryState::kBaseline : EntryState::kApplied;
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<std::uint64_t>> PlanUp(const std::vector<Available>& available,
                                          const std::vector<Applied>& applied, const UpRequest& request) {
  STRATA_RETURN_IF_ERROR(CheckDirty(applied, available, /*skip_partial=*/true));
  std::vector<Entry> entries = Classify(available, applied);
  STRATA_RETURN_IF_ERROR(CheckChecksums(entries));
  std::uint64_t current = CurrentVersion(applied);
  for (const Entry& e : entries) {
    if (e.state != EntryState::kPartial || !request.target || e.version <= *request.target) continue;
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("migration {} is partial (it stopped half way), and the target {} leaves it out: "
                              "run `strata up --to {}` or higher to resume it first",
                              Label(e.version, e.name), *request.target, e.version));
  }
  if (request.target && *request.target < current) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("target version {} is below the current version {}; use `strata down --to {}` "
                              "to roll back",
                              *request.target, current, *request.target));
  }
  std::vector<std::uint64_t> plan;
  std::string out_of_order;
  for (const Entry& e : entries) {
    if (e.state == EntryState::kPartial) {
      plan.push_back(e.version);
      continue;
    }
    if (e.state != EntryState::kPending && e.state != EntryState::kOutOfOrder) continue;
    if (request.target && e.version > *request.target) continue;
    if (e.state == EntryState::kOutOfOrder && !request.allow_out_of_order) {
      out_of_order += fmt::format("\n  {} ({})", Label(e.version, e.name), e.file);
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
  std::vector<Entry> entries = Classify(available, applied);
  STRATA_RETURN_IF_ERROR(CheckChecksums(entries));
  std::map<std::uint64_t, const Available*> files;
  for (const Available& m : available) files[m.version] = &m;

  std::vector<const Entry*> done;
  for (const Entry& e : entries) {
    if (e.applied) done.push_back(&e);
  }
  std::sort(done.begin(), done.end(), [](const Entry* a, const Entry* b) { return a->version > b->version; });

  std::size_t count = 0;
  if (request.to) {
    while (count < done.size() && done[count]->version > *request.to) ++count;
  } else {
    count = std::min<std::size_t>(done.size(), request.steps.value_or(1));
  }
  std::vector<std::uint64_t> plan;
  for (std::size_t i = 0; i < count; ++i) {
    const Entry& e = *done[i];
    auto f = files.find(e.version);
    if (f == files.end()) {
      if (e.applied->state == AppliedState::kBaseline) {
        return Status(ErrorCode::kFailedPrecondition,
                      fmt::format("cannot roll back below the baseline at version {}", e.version));
      }
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("cannot roll back {}: its migration file is missing", Label(e.version, e.name)));
    }
    if (!f->second->has_down) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("migration {} has no down migration ({}), so it cannot be rolled back.\n"
                                "Fix forward instead: `strata new fix_{}` creates a migration that corrects "
                                "it, and `strata up` applies it.",
                                Label(e.version, e.name), f->second->file, e.name));
    }
    if (e.state == EntryState::kPartial && !request.partial) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("migration {} is partial: some of its statements ran before it stopped, and the "
                                "engine cannot roll them back. Its down part ({}) is written for the whole "
                                "migration, so it runs against what ran only once you confirm it (or fix the "
                                "failing statement and run `strata up` to resume the migration).",
                                Label(e.version, e.name), f->second->file))
          .WithRemedy(Remedy::kForce);
    }
    plan.push_back(e.version);
  }
  return plan;
}

}  // namespace strata::plan
