// One command's working state: the loaded migrations, the driver, the history as last read, and
// the steps that apply, roll back, baseline or repair a migration with its bookkeeping.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "core/interruption.h"
#include "drivers/driver.h"
#include "plan/planner.h"
#include "source/checkpoint.h"
#include "source/migration.h"
#include "strata/migrator.h"

namespace strata::core {

class WriteTransaction;  // core/step.h

// A history row for migration `m`, applied now (UTC) by this version of strata.
driver::HistoryRow MakeHistoryRow(const source::Migration& m, driver::RowState state, double ms,
                                  const base::Clock& clock);
// The row a checkpoint records for a migration it stands for: a baseline, with that file's
// checksum (the checkpoint's own SQL ran instead of the file's).
driver::HistoryRow CoveredRow(const source::Covered& c, double ms, const base::Clock& clock);
plan::Applied ToApplied(const driver::HistoryRow& row);
plan::Applied ToApplied(driver::HistoryRow&& row);  // moves the text out of `row`

using Checkpoints = std::shared_ptr<const std::vector<source::Checkpoint>>;

// Reads and checks every migration of `source` (a directory through `fs`), ascending versions;
// its checkpoints go to `*checkpoints` when asked for.
Result<std::shared_ptr<const std::vector<source::Migration>>> LoadMigrations(
    const Source& source, base::FileSystem& fs = base::RealFileSystem(), Checkpoints* checkpoints = nullptr);

// Where a stat cache lives: its file, the key tying it to a directory and URL, and whether its
// directory may be created (a user's cache directory, never a database's).
struct StatCacheFile {
  std::string path;  // empty: no cache
  std::string key;
  bool make_dir = false;
};

// LoadMigrations through the stat cache `cache` (see source/stat_cache.h); `plan_only` says that
// the migrations came from the cache and carry no text.
Result<std::shared_ptr<const std::vector<source::Migration>>> LoadMigrationsCached(const Source& source,
                                                                                   base::FileSystem& fs,
                                                                                   const StatCacheFile& cache,
                                                                                   bool& plan_only,
                                                                                   Checkpoints* checkpoints = nullptr);

struct RunContext {
  // Shared with the Migrator, which keeps both across calls (an embedded source is parsed once,
  // the connection stays open).
  std::shared_ptr<const std::vector<source::Migration>> source;  // ascending versions
  Checkpoints checkpoints;                                       // ascending versions; may be null
  // UpOptions::safety.verify_data: a SQLite table rebuild also proves the rebuilt table's rows
  // unchanged where its ALTER keeps them (constraints, NOT NULL, defaults), and their count always.
  bool verify_data = false;
  // The migrations came from the stat cache: versions, names and checksums only, no SQL. Good for
  // deciding that there is nothing to do; anything more reads the files first.
  bool plan_only_source = false;
  std::shared_ptr<driver::Driver> driver;
  std::unique_ptr<driver::RunLock> lock;  // after `driver`: released before it
  // The history table's name (Options::history_table), for messages about it.
  std::string history_table;
  const base::Clock* clock = &base::RealClock();
  // Driver change token read just before the history was read (unset without a history table).
  std::optional<std::int64_t> read_token;
  bool history_exists = false;
  std::uint64_t legacy_version = 0;
  std::vector<plan::Available> available;
  std::vector<plan::Applied> applied;
  // Driver change token as of our last read of the history or our last write; unset until the
  // first write transaction, which always re-reads.
  std::optional<std::int64_t> token;
  // The Migrator's (Migrator::Interrupt); null for work that cannot be interrupted.
  Interruption* interruption = nullptr;

  const std::vector<source::Migration>& migrations() const { return *source; }
  bool Interrupted() const { return interruption != nullptr && interruption->requested(); }
  const source::Migration* Find(std::uint64_t version) const;

  // Reads the history (if any) and the legacy version into `applied` / `legacy_version`; with
  // `with_token`, also `read_token` (one more query on PostgreSQL, so only when it will be used).
  Status ReadDatabase(bool with_token = false);
  // Fills `available` from `migrations`.
  void IndexMigrations();
  // The checkpoints as the planner sees them (stale ones left out).
  std::vector<plan::CheckpointEntry> CheckpointEntries() const;
  // The checkpoint that was cut short here, if any: on an engine that commits each DDL statement,
  // a checkpoint that fails half way on a fresh database leaves the history's only row, partial,
  // with the checkpoint's version and checksum (the version of a file it covers too). nullptr when
  // the history is anything else, or that checkpoint is stale now (`even_stale`: stale or not).
  const source::Checkpoint* PartialCheckpoint(bool even_stale = false) const;
  // Whether the history's only row is such a checkpoint cut short, even when the directory no longer
  // has that checkpoint as it ran (deleted, edited): the row then has the checkpoint's name while the
  // file of its version has another (or is gone). Such a row is never that file's.
  bool CheckpointCutShort() const;
  // kFailedPrecondition when CheckpointCutShort() but no checkpoint of the directory matches it:
  // `what` (resume it, mark it applied) needs the checkpoint as it ran.
  Status RefuseUnknownCheckpoint(std::string_view what) const;
  // Takes the migration lock and reads the history again under it.
  Status LockAndReread();
  // `failure` as kLockLost, its message kept, when the run has lost its lock meanwhile (the
  // failure is then most likely that loss: a closed connection); `failure` unchanged otherwise.
  Status BlameLostLock(Status failure) const;
  bool NeedsBaseline() const { return !history_exists && legacy_version > 0; }
  Status RefuseIfNeedsBaseline() const;
  // Creates the history table if it does not exist yet.
  Status EnsureHistory();
  // Inside `tx` (from WriteTransaction::Begin); both commit it when they changed something.
  Status RecordBaseline(std::uint64_t version, RunReport& report, WriteTransaction& tx);
  Status Repair(const RepairOptions& options, RepairReport& report, WriteTransaction& tx);
  // Drops INVALID indexes when asked, else lists them in the report.
  Status RepairIndexes(const RepairOptions& options, RepairReport& report);
};

}  // namespace strata::core
