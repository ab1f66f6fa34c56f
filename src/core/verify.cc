#include "core/verify.h"

#include <fmt/format.h>

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
      case MigrationState::kPartial:
        why = fmt::format("partial: {} of its {} statements ran before it stopped; `strata up` resumes it", s.statements_done,
                          s.statements);
        break;
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

}  // namespace strata::core
