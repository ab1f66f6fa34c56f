#include "core/run_context.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/clock.h"
#include "base/text.h"
#include "core/step.h"
#include "source/loader.h"
#include "source/stat_cache.h"

namespace strata::core {

Result<std::shared_ptr<const std::vector<source::Migration>>> LoadMigrations(const Source& source,
                                                                             base::FileSystem& fs,
                                                                             Checkpoints* checkpoints) {
  std::vector<source::Checkpoint> found;
  auto keep = [&] {
    if (checkpoints) *checkpoints = std::make_shared<const std::vector<source::Checkpoint>>(std::move(found));
  };
  if (!source.embedded()) {
    STRATA_ASSIGN_OR_RETURN(auto loaded, source::LoadDirectory(fs, source.label(), &found));
    keep();
    return std::make_shared<const std::vector<source::Migration>>(std::move(loaded));
  }
  std::vector<source::RawFile> files;
  for (const Source::File& f : source.files()) {
    files.push_back({base::JoinPath(source.label(), f.name), f.name, std::string(f.contents)});
  }
  STRATA_ASSIGN_OR_RETURN(auto built, source::BuildMigrations(std::move(files), &found));
  keep();
  return std::make_shared<const std::vector<source::Migration>>(std::move(built));
}

Result<std::shared_ptr<const std::vector<source::Migration>>> LoadMigrationsCached(const Source& source,
                                                                                   base::FileSystem& fs,
                                                                                   const StatCacheFile& cache,
                                                                                   bool& plan_only,
                                                                                   Checkpoints* checkpoints) {
  plan_only = false;
  if (source.embedded() || cache.path.empty()) return LoadMigrations(source, fs, checkpoints);
  std::vector<source::Checkpoint> found;
  STRATA_ASSIGN_OR_RETURN(source::CachedLoad loaded, source::LoadDirectoryCached(fs, source.label(), cache.path,
                                                                                   cache.key, cache.make_dir, &found));
  if (checkpoints) *checkpoints = std::make_shared<const std::vector<source::Checkpoint>>(std::move(found));
  plan_only = loaded.from_cache;
  return std::make_shared<const std::vector<source::Migration>>(std::move(loaded.migrations));
}

namespace {

plan::AppliedState ToPlan(driver::RowState s) {
  switch (s) {
    case driver::RowState::kApplied: return plan::AppliedState::kApplied;
    case driver::RowState::kDirty: return plan::AppliedState::kDirty;
    case driver::RowState::kBaseline: return plan::AppliedState::kBaseline;
  }
  return plan::AppliedState::kApplied;
}

}  // namespace

driver::HistoryRow MakeHistoryRow(const source::Migration& m, driver::RowState state, double ms,
                                  const base::Clock& clock) {
  driver::HistoryRow r;
  r.version = m.version;
  r.name = m.name;
  r.checksum = m.checksum;
  r.applied_at = base::UtcNowIso8601(clock);
  r.execution_ms = ms;
  r.state = state;
  r.strata_version = kVersion;
  return r;
}

driver::HistoryRow CoveredRow(const source::Covered& c, double ms, const base::Clock& clock) {
  source::Migration covered;
  covered.version = c.version;
  covered.name = c.name;
  covered.checksum = c.checksum;
  return MakeHistoryRow(covered, driver::RowState::kBaseline, ms, clock);
}

plan::Applied ToApplied(const driver::HistoryRow& r) {
  return {r.version, r.name, r.checksum, ToPlan(r.state), r.applied_at, r.execution_ms, r.progress};
}

plan::Applied ToApplied(driver::HistoryRow&& r) {
  return {r.version,        std::move(r.name),   std::move(r.checksum), ToPlan(r.state), std::move(r.applied_at),
          r.execution_ms, std::move(r.progress)};
}

const source::Migration* RunContext::Find(std::uint64_t version) const {
  auto it = std::lower_bound(migrations().begin(), migrations().end(), version,
                             [](const source::Migration& m, std::uint64_t v) { return m.version < v; });
  return it != migrations().end() && it->version == version ? &*it : nullptr;
}

void RunContext::IndexMigrations() {
  available.clear();
  available.reserve(migrations().size());
  for (const source::Migration& m : migrations()) {
    available.push_back({m.version, m.name, m.checksum, m.up.path, m.down.has_value()});
  }
}

std::vector<plan::CheckpointEntry> RunContext::CheckpointEntries() const {
  std::vector<plan::CheckpointEntry> out;
  if (!checkpoints) return out;
  for (const source::Checkpoint& c : *checkpoints) {
    if (!c.stale.empty()) continue;  // the files say otherwise now: never applied
    plan::CheckpointEntry e{c.migration.version, c.migration.up.path, {}, c.migration.checksum};
    for (const source::Covered& covered : c.covers) {
      e.covers.push_back({covered.version, covered.name, covered.checksum, plan::AppliedState::kBaseline, "", 0});
    }
    out.push_back(std::move(e));
  }
  return out;
}

const source::Checkpoint* RunContext::PartialCheckpoint(bool even_stale) const {
  if (!checkpoints || applied.size() != 1 || !applied[0].partial()) return nullptr;
  for (const source::Checkpoint& c : *checkpoints) {
    if ((even_stale || c.stale.empty()) && c.migration.version == applied[0].version &&
        c.migration.checksum == applied[0].checksum) {
      return &c;
    }
  }
  return nullptr;
}

bool RunContext::CheckpointCutShort() const {
  if (applied.size() != 1 || !applied[0].partial()) return false;
  if (PartialCheckpoint(/*even_stale=*/true) != nullptr) return true;
  const plan::Applied& a = applied[0];
  if (a.name != source::kCheckpointName) return false;
  const source::Migration* m = Find(a.version);
  return m == nullptr || m->name != a.name;
}

Status RunContext::RefuseUnknownCheckpoint(std::string_view what) const {
  if (!CheckpointCutShort() || PartialCheckpoint() != nullptr) return Status::Ok();
  const plan::Applied& a = applied[0];
  const source::Checkpoint* stale = PartialCheckpoint(/*even_stale=*/true);
  const std::string why =
      stale != nullptr ? fmt::format("its file {} is stale now: {}", stale->migration.up.path, stale->stale)
                       : "no checkpoint of the directory matches it (deleted, or edited since it ran)";
  return Status(ErrorCode::kFailedPrecondition,
                fmt::format("the history's only row, version {}, is a checkpoint that stopped half way, and {}; "
                            "nothing was run. To {}, restore the checkpoint and the files it covers as they were "
                            "when it ran (`git checkout <that commit> -- <their paths>`); or finish it by hand and "
                            "run `strata repair --mark-applied` with the checkpoint restored, or undo it by hand and "
                            "run `strata repair` to forget the row",
                            a.version, why, what));
}

Status RunContext::ReadDatabase(bool with_token) {
  applied.clear();
  read_token.reset();
  if (!with_token) {  // no token to read in between: the driver may do both reads in one trip
    STRATA_ASSIGN_OR_RETURN(auto rows, driver->ReadHistoryIfExists());
    history_exists = rows.has_value();
    if (history_exists) {
      applied.reserve(rows->size());
      for (auto& r : *rows) applied.push_back(ToApplied(std::move(r)));
    } else {
      STRATA_ASSIGN_OR_RETURN(legacy_version, driver->LegacyVersion());
    }
    return Status::Ok();
  }
  STRATA_ASSIGN_OR_RETURN(history_exists, driver->HistoryExists());
  if (history_exists) {
    // The token first: a commit between the two reads then shows up as a changed token later.
    if (with_token) {
      STRATA_ASSIGN_OR_RETURN(read_token, driver->ChangeToken());
    }
    STRATA_ASSIGN_OR_RETURN(auto rows, driver->ReadHistory());
    applied.reserve(rows.size());
    for (auto& r : rows) applied.push_back(ToApplied(std::move(r)));
  } else {
    STRATA_ASSIGN_OR_RETURN(legacy_version, driver->LegacyVersion());
  }
  return Status::Ok();
}

Status RunContext::LockAndReread() {
  STRATA_ASSIGN_OR_RETURN(lock, driver->LockRun());
  return ReadDatabase();
}

Status RunContext::BlameLostLock(Status failure) const {
  if (!lock || failure.code() == ErrorCode::kLockLost) return failure;
  Status held = lock->Held();
  if (held.ok()) return failure;
  Status out(ErrorCode::kLockLost, held.message() + "; " + failure.message());
  if (failure.location()) return std::move(out).WithLocation(*failure.location());
  return out;
}

Status RunContext::RefuseIfNeedsBaseline() const {
  if (!NeedsBaseline()) return Status::Ok();
  return Status(ErrorCode::kFailedPrecondition,
                fmt::format("this database was migrated without strata: PRAGMA user_version = {} and there is no "
                            "history table. Run `strata baseline` to record versions up to {} as applied; `up` then "
                            "continues from the next one",
                            legacy_version, legacy_version));
}

Status RunContext::EnsureHistory() {
  if (history_exists) return Status::Ok();
  STRATA_RETURN_IF_ERROR(driver->CreateHistory());
  STRATA_ASSIGN_OR_RETURN(history_exists, driver->HistoryExists());
  if (!history_exists) return Status(ErrorCode::kInternal, "the history table was not created");
  // A concurrent runner may have created it first and written rows: BeginAndCheck re-reads.
  token.reset();
  return Status::Ok();
}

Status RunContext::RecordBaseline(std::uint64_t version, RunReport& report, WriteTransaction& tx) {
  bool exact = false;
  for (const source::Migration& m : migrations()) {
    if (m.version > version) break;
    exact = exact || m.version == version;
    STRATA_RETURN_IF_ERROR(driver->InsertHistory(MakeHistoryRow(m, driver::RowState::kBaseline, 0, *clock)));
    report.migrations.push_back({m.version, m.name, Direction::kUp, 0});
  }
  if (!exact) {
    source::Migration marker;
    marker.version = version;
    marker.name = "<< baseline >>";
    STRATA_RETURN_IF_ERROR(driver->InsertHistory(MakeHistoryRow(marker, driver::RowState::kBaseline, 0, *clock)));
    report.migrations.push_back({version, marker.name, Direction::kUp, 0});
  }
  STRATA_RETURN_IF_ERROR(driver->MirrorVersion(version));
  STRATA_RETURN_IF_ERROR(tx.Commit());
  report.to_version = version;
  return Status::Ok();
}

Status RunContext::RepairIndexes(const RepairOptions& options, RepairReport& report) {
  STRATA_ASSIGN_OR_RETURN(auto invalid, driver->InvalidIndexes());
  for (const std::string& index : invalid) {
    if (!options.drop_invalid_indexes) {
      report.invalid_indexes.push_back(index);
      continue;
    }
    STRATA_RETURN_IF_ERROR(driver->DropIndex(index));
    report.actions.push_back(fmt::format("dropped INVALID index {}", index));
  }
  return Status::Ok();
}

Status RunContext::Repair(const RepairOptions& options, RepairReport& report, WriteTransaction& tx) {
  std::size_t actions_before = report.actions.size();
  std::vector<plan::Applied> kept;
  for (const plan::Applied& a : applied) {
    const source::Migration* m = Find(a.version);
    if (a.state == plan::AppliedState::kDirty) {
      // A checkpoint cut short has the version of the last file it covers, but it is not that file:
      // finished by hand, it stands for every migration it covers, as when `up` completes it.
      // Stale or not, its covers lines say what it stands for.
      if (const source::Checkpoint* c = PartialCheckpoint(/*even_stale=*/true)) {
        if (options.mark_applied) {
          for (const source::Covered& covered : c->covers) {
            driver::HistoryRow row = CoveredRow(covered, 0, *clock);
            STRATA_RETURN_IF_ERROR(covered.version == a.version ? driver->UpdateHistory(row)
                                                                : driver->InsertHistory(row));
            kept.push_back(ToApplied(std::move(row)));
          }
          report.actions.push_back(fmt::format("marked the checkpoint {} as applied: recorded the {} migrations it "
                                               "stands for, up to version {}",
                                               c->migration.up.path, c->covers.size(), a.version));
        } else {
          STRATA_RETURN_IF_ERROR(driver->DeleteHistory(a.version));
          report.actions.push_back(fmt::format("removed the partial checkpoint {} from the history; `strata up` "
                                               "runs it again from its first statement",
                                               c->migration.up.path));
        }
        continue;
      }
      if (CheckpointCutShort()) {  // a checkpoint no longer in the directory: not the file of its version
        if (options.mark_applied) return RefuseUnknownCheckpoint("mark it applied");
        STRATA_RETURN_IF_ERROR(driver->DeleteHistory(a.version));
        report.actions.push_back(fmt::format("removed the partial checkpoint of version {} from the history; "
                                             "`strata up` starts the database afresh",
                                             a.version));
        continue;
      }
      if (options.mark_applied) {
        driver::HistoryRow row;
        row.version = a.version;
        row.name = a.name;
        row.checksum = m ? m->checksum : a.checksum;
        row.applied_at = a.applied_at;
        row.state = driver::RowState::kApplied;
        row.strata_version = kVersion;
        STRATA_RETURN_IF_ERROR(driver->UpdateHistory(row));
        report.actions.push_back(fmt::format("marked dirty migration {} ({}) as applied", a.version, a.name));
        kept.push_back(a);
        kept.back().state = plan::AppliedState::kApplied;
      } else {
        STRATA_RETURN_IF_ERROR(driver->DeleteHistory(a.version));
        report.actions.push_back(
            fmt::format("removed dirty migration {} ({}) from the history; `strata up` runs it again", a.version, a.name));
      }
      continue;
    }
    if (options.checksums && m && !a.checksum.empty() && a.checksum != m->checksum) {
      driver::HistoryRow row;
      row.version = a.version;
      row.name = m->name;
      row.checksum = m->checksum;
      row.applied_at = a.applied_at;
      row.execution_ms = a.execution_ms;
      row.state = a.state == plan::AppliedState::kBaseline ? driver::RowState::kBaseline : driver::RowState::kApplied;
      row.strata_version = kVersion;
      STRATA_RETURN_IF_ERROR(driver->UpdateHistory(row));
      report.actions.push_back(fmt::format("updated the checksum of {} ({}) to match {}", a.version, m->name, m->up.path));
    }
    kept.push_back(a);
  }
  if (report.actions.size() == actions_before) return Status::Ok();  // nothing to commit; rolled back on exit
  STRATA_RETURN_IF_ERROR(driver->MirrorVersion(plan::CurrentVersion(kept)));
  STRATA_RETURN_IF_ERROR(tx.Commit());
  applied = std::move(kept);
  return Status::Ok();
}

}  // namespace strata::core
