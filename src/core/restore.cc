#include "core/restore.h"

#include <cstdio>

#include "core/run_log.h"
#include "core/safety.h"

namespace strata::core {

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
  if (st.code() == ErrorCode::kFailedPrecondition && ctx.driver->engine() == Engine::kPostgres) {
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
