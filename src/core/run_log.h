// The run log (`<history table>_log`): turning a finished run into a row, rows into the public
// LogEntry, and carrying entries over a restore.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "drivers/driver.h"
#include "strata/migrator.h"

namespace strata::core {

// A run being recorded: what it is and when it started.
struct RunRecord {
  RunRecord(const char* command, std::uint64_t from, const base::Clock& clock)
      : command(command), from(from), clock(clock), started_at(base::UtcNowIso8601(clock)), watch(clock) {}
  const char* command;
  std::uint64_t from;
  const base::Clock& clock;
  std::string started_at;
  base::Stopwatch watch;
};

// The log row of a finished run: `outcome` gives success, refused (the data guard) or failed,
// with a password-free error; `actions` are repair's one-line actions.
driver::LogRow MakeLogRow(const RunRecord& record, const RunReport& report, const Status& outcome,
                          const std::string& actor, const std::vector<std::string>& actions);

std::vector<LogEntry> ToLogEntries(std::vector<driver::LogRow> rows);

// After a restore: appends the entries of `before` (the log as it was, newest first) that the
// restored log does not have, so the log keeps what happened since the backup.
Status CarryOverLog(driver::Driver& driver, const std::vector<driver::LogRow>& before);

}  // namespace strata::core
