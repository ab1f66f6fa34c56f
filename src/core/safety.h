// What protects existing data during a run: the data guard (statements that would destroy rows,
// counted against the live database, refused unless confirmed), backups before the run, and
// `verify_data` fingerprints of the tables a migration does not name.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/run_context.h"
#include "strata/migrator.h"

namespace strata::core {

// The rows that running `versions` in `direction` would destroy, as the database is now. Tables
// that a DROP TABLE removes are not counted twice; a table dropped after its rows were copied
// into another one by an INSERT ... SELECT of the same migration is not at risk.
Result<std::vector<DataAtRisk>> FindDataAtRisk(RunContext& ctx, const std::vector<std::uint64_t>& versions,
                                               Direction direction);

// `<db>.<version>.<UTC yyyymmddhhmmss><suffix>.bak`, with -2, -3... before the suffix if taken.
std::string BackupPath(const std::string& db, std::uint64_t version, std::string_view suffix);

// The data guard's message: one line per statement with its location, table and row count.
std::string DescribeDataAtRisk(const std::vector<DataAtRisk>& risks);

// Runs the guard and the backups that `safety` asks for, before a run of `versions` changes
// anything: refuses (kDataAtRisk) unless forced or confirmed, then writes the backup and calls
// the backup hook. Fills report.backup_file and report.data_at_risk.
Status ProtectRun(RunContext& ctx, const std::vector<std::uint64_t>& versions, Direction direction,
                  const SafetyOptions& safety, RunReport& report, const std::function<void(const Event&)>& emit);

// Fingerprints of the tables a migration leaves alone, taken inside its transaction.
class DataWitness {
 public:
  // Every table of the live schema whose name `m`'s up part never mentions.
  static Result<DataWitness> Before(RunContext& ctx, const source::Migration& m);
  // kDataChanged naming each table whose rows changed since Before.
  Status After(RunContext& ctx, const source::Migration& m) const;

 private:
  struct Table {
    std::string schema, name;
    driver::TableFingerprint fingerprint;
  };
  std::vector<Table> tables_;
};

}  // namespace strata::core
