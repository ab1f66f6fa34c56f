#include "core/maintenance.h"

#include <fmt/format.h>

#include <cstdio>

#include "core/run_log.h"
#include "core/safety.h"

namespace strata::core {

VerifyReport VerifyFromStatus(const StatusReport& status) {
  VerifyReport report;
  if (status.needs_baseline) {
    report.problems.push_back({status.legacy_version, "", MigrationState::kPending,
                               fmt::format("the database has PRAGMA user_version = {} but no history table; run "
                                           "`strata baseline`",
                                           status.legacy_version)});
  }
  for (const MigrationStatus& s : status.migrations) {
    std::string why;
    switch (s.state) {
      case MigrationState::kChanged: why = fmt::format("{} was edited after it was applied (checksum differs)", s.file); break;
      case MigrationState::kMissingFile: why = "applied, but its migration file is missing"; break;
      case MigrationState::kOutOfOrder: why = fmt::format("{} is pending but older than the current version {}", s.file, status.current_version); break;
      case MigrationState::kDirty: why = "dirty: a no-transaction migration did not finish; see `strata repair`"; break;
      default: continue;
    }
    report.problems.push_back({s.version, s.name, s.state, std::move(why)});
  }
  for (const std::string& index : status.invalid_indexes) {
    report.problems.push_back({0, index, MigrationState::kDirty,
                               fmt::format("index {} is INVALID (a failed CREATE INDEX CONCURRENTLY?); `strata "
                                           "repair --drop-invalid-indexes` drops it",
                                           index)});
  }
  return report;
}

Status RestoreBackup(RunContext& ctx, const std::string& path, std::vector<std::string>& actions,
                     const std::function<void(const Event&)>& emit) {
  // The run log is part of the database: keep the entries written since the backup was taken.
  auto log_before = ctx.driver->ReadLog(10'000'000);
  // Restoring the wrong file must not cost what the database holds now: keep a copy first.
  std::string saved;
  if (std::string db = ctx.driver->DatabasePath(); !db.empty()) {
    saved = BackupPath(db, plan::CurrentVersion(ctx.applied), ".pre-restore");
    STRATA_RETURN_IF_ERROR(ctx.driver->BackupTo(saved));
  }
  Status st = ctx.driver->RestoreFrom(path);
  if (!saved.empty() && (st.code() == ErrorCode::kInvalidArgument || st.code() == ErrorCode::kNotFound)) {
    std::remove(saved.c_str());  // nothing was changed: the copy is not needed
    saved.clear();
  }
  if (!saved.empty()) {
    actions.push_back("the database before the restore was saved as " + saved);
    emit({.kind = EventKind::kBackup, .file = saved, .message = "the database before the restore"});
  }
  if (st.code() == ErrorCode::kFailedPrecondition && ctx.driver->Dialect() == "postgres") {
    return std::move(st).WithPrefix("strata restore puts back SQLite backups; restore a pg_dump with pg_restore: ");
  }
  if (st.ok() && log_before.ok()) {
    if (Status kept = CarryOverLog(*ctx.driver, *log_before); !kept.ok()) {
      emit({.kind = EventKind::kWarning, .message = "could not carry the run log over the restore: " + kept.ToString()});
    }
  }
  if (st.ok()) st = ctx.ReadDatabase();
  return st;
}

}  // namespace strata::core
