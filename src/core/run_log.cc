#include "core/run_log.h"

#include <fmt/format.h>

#include "base/text.h"
#include "base/url.h"

namespace strata::core {

namespace {

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

driver::LogRow MakeLogRow(const RunRecord& record, const RunReport& report, const Status& outcome,
                          const std::string& actor, const std::vector<std::string>& actions) {
  driver::LogRow row;
  row.started_at = record.started_at;
  row.finished_at = base::UtcNowIso8601(record.clock);
  row.command = record.command;
  // The log's columns hold UTF-8 (PostgreSQL refuses other bytes, MariaDB's utf8mb4 too): a
  // server's message in another encoding or a Latin-1 file name must not cost the run its entry.
  row.actor = base::ValidUtf8(actor);
  row.from_version = record.from;
  row.to_version = report.to_version;
  row.migrations = "[";
  for (const AppliedMigration& m : report.migrations) {
    row.migrations += fmt::format("{}{{\"version\":{},\"name\":\"{}\",\"direction\":\"{}\",\"ms\":{:.3f}}}",
                                  row.migrations.size() > 1 ? "," : "", m.version, JsonEscape(m.name),
                                  m.direction == Direction::kUp ? "up" : "down", m.ms);
  }
  for (const std::string& a : actions) {
    row.migrations += fmt::format("{}{{\"action\":\"{}\"}}", row.migrations.size() > 1 ? "," : "", JsonEscape(a));
  }
  row.migrations += "]";
  row.migrations = base::ValidUtf8(row.migrations);
  row.duration_ms = record.watch.ElapsedMs();
  row.outcome = outcome.ok()                                     ? "success"
                : outcome.code() == ErrorCode::kDataAtRisk   ? "refused"
                : outcome.code() == ErrorCode::kInterrupted ? "interrupted"
                                                             : "failed";
  row.backup_file = base::ValidUtf8(report.backup_file);
  row.error = outcome.ok() ? "" : base::ValidUtf8(base::RedactSecrets(outcome.ToString()));
  row.strata_version = kVersion;
  return row;
}

std::vector<LogEntry> ToLogEntries(std::vector<driver::LogRow> rows) {
  std::vector<LogEntry> out;
  out.reserve(rows.size());
  for (driver::LogRow& r : rows) {
    out.push_back({r.id, std::move(r.started_at), std::move(r.finished_at), std::move(r.command), std::move(r.actor),
                   r.from_version, r.to_version, std::move(r.migrations), r.duration_ms, std::move(r.outcome),
                   std::move(r.error), std::move(r.backup_file), std::move(r.strata_version)});
  }
  return out;
}

Status CarryOverLog(driver::Driver& driver, const std::vector<driver::LogRow>& before) {
  STRATA_ASSIGN_OR_RETURN(auto after, driver.ReadLog(1));
  std::int64_t restored_max = after.empty() ? 0 : after.front().id;
  for (auto it = before.rbegin(); it != before.rend(); ++it) {
    if (it->id > restored_max) STRATA_RETURN_IF_ERROR(driver.AppendLog(*it));
  }
  return Status::Ok();
}

}  // namespace strata::core
