// Restore: putting a SQLite backup back over the database under the run lock, keeping a copy of
// what it replaces and the run log written since the backup.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/run_context.h"
#include "strata/migrator.h"

namespace strata::core {

// Puts the backup at `path` over the database of `ctx` (SQLite), under the lock the caller holds:
// saves the database as it is first (`<db>.<version>.<time>.pre-restore.bak`, removed again when
// the file was refused), carries the run-log entries written since the backup over, and re-reads
// the history. `actions` receives what to record in the run log. kInvalidArgument / kNotFound
// when the file is refused (nothing changed); kFailedPrecondition on PostgreSQL.
Status RestoreBackup(RunContext& ctx, const std::string& path, std::vector<std::string>& actions,
                     const std::function<void(const Event&)>& emit);

}  // namespace strata::core
