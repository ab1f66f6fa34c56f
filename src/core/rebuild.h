// SQLite's table rebuild for the ALTER TABLE forms it lacks (the SQL is sql/sqlite_rebuild.h's):
// which migrations need one, foreign keys switched off around their transaction, and running a
// migration's text with each rebuild in its place. The engine decides; the driver only runs the
// statements and answers read-only queries.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/run_context.h"
#include "drivers/driver.h"
#include "source/migration.h"
#include "sql/sqlite_rebuild.h"

namespace strata::core {

// The statements of `script` that strata rewrites (SQLite only; empty for another engine and for
// text without them). kInvalidArgument located at file:line:col for a form it cannot rewrite.
Result<std::vector<sql::rebuild::AlterStatement>> FindRebuilds(const RunContext& ctx, const source::Script& script);

// Foreign keys off on ctx.driver from construction (outside any transaction) until destruction,
// which rolls back a transaction still open and switches them back as the connection was opened,
// whatever happened. Not copyable or movable.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(driver::Driver* driver) : driver_(driver) {}
  ~ForeignKeysOff() {
    if (on_) driver_->ResumeForeignKeys();
  }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;
  Status Suspend() {
    on_ = true;
    return driver_->SuspendForeignKeys();
  }

 private:
  driver::Driver* driver_;
  bool on_ = false;
};

// Runs `script`'s statements inside the open transaction, each run of consecutive statements in
// `alters` as one rebuild per table (a lone DROP COLUMN that SQLite can do itself runs as
// written). A constraint that existing rows break fails with its name, the count and a few row
// ids; errors carry the byte offset of the ALTER TABLE they come from.
// `foreign_keys_off` says that the caller switched them off (NeedsForeignKeysOff); a rebuild found
// necessary only now, with foreign keys on, is refused (kFailedPrecondition) rather than cascading.
Status ExecuteWithRebuilds(RunContext& ctx, std::string_view sql,
                           const std::vector<sql::rebuild::AlterStatement>& alters, bool foreign_keys_off,
                           const driver::StatementObserver& observer);

// Whether running `alters` needs foreign keys off: any rewritten form but a lone DROP COLUMN, and
// a DROP COLUMN that the live table (read inside the open transaction) says SQLite would refuse.
Result<bool> NeedsForeignKeysOff(RunContext& ctx, const std::vector<sql::rebuild::AlterStatement>& alters);

// What `plan` shows for each rebuild of `script`, in order: the ALTER TABLE statements it replaces,
// then the statements strata will run for it, computed from the live table when no earlier
// statement of the script names the table (else they are computed when it runs).
struct RebuildPreview {
  std::string table;
  std::vector<std::string> alters;
  std::vector<std::string> statements;  // empty when they depend on earlier statements
};
Result<std::vector<RebuildPreview>> PreviewRebuilds(const RunContext& ctx, const source::Script& script);

}  // namespace strata::core
