#include "json_output.h"

#include <nlohmann/json.hpp>

namespace strata::cli {

namespace {
using nlohmann::json;

const char* DirectionName(Direction d) { return d == Direction::kUp ? "up" : "down"; }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
}  // namespace

std::string JsonEvent(const Event& e, const std::string& redacted_url) {
  json j;
  switch (e.kind) {
    case EventKind::kRunStarted:
      j = {{"event", "start"}, {"direction", DirectionName(e.direction)}, {"total", e.total}, {"database", redacted_url}};
      break;
    case EventKind::kMigrationStarted:
      j = {{"event", "migration_start"}, {"direction", DirectionName(e.direction)}, {"version", e.version},
           {"name", e.name}, {"file", e.file}, {"index", e.index}, {"total", e.total}};
      break;
    case EventKind::kStatementDone:
      j = {{"event", "statement"}, {"version", e.version}, {"statement", e.statement}, {"ms", e.ms}};
      break;
    case EventKind::kMigrationDone:
      j = {{"event", "migration"}, {"direction", DirectionName(e.direction)}, {"version", e.version},
           {"name", e.name}, {"file", e.file}, {"ms", e.ms}};
      break;
    case EventKind::kRunFinished:
      return {};  // JsonRunDone carries the summary
    case EventKind::kWarning:
      j = {{"event", "warning"}, {"message", e.message}};
      break;
  }
  return Dump(j);
}

std::string JsonError(const Status& status) {
  json j = {{"event", "error"}, {"code", ErrorCodeName(status.code())}, {"message", status.message()}};
  if (const auto& loc = status.location()) {
    j["file"] = loc->file;
    j["line"] = loc->line;
    j["column"] = loc->column;
    if (!loc->statement.empty()) j["statement"] = loc->statement;
  }
  return Dump(j);
}

std::string JsonRunDone(const RunReport& r, Direction direction) {
  json j = {{"event", "done"},          {"direction", DirectionName(direction)}, {"from_version", r.from_version},
            {"to_version", r.to_version}, {"count", r.migrations.size()},        {"ms", r.total_ms}};
  return Dump(j);
}

std::string JsonStatus(const StatusReport& r, const std::string& redacted_url) {
  json migrations = json::array();
  for (const MigrationStatus& m : r.migrations) {
    json item = {{"version", m.version}, {"name", m.name}, {"state", MigrationStateName(m.state)},
                 {"file", m.file},       {"has_down", m.has_down}};
    if (!m.applied_at.empty()) {
      item["applied_at"] = m.applied_at;
      item["execution_ms"] = m.execution_ms;
    }
    migrations.push_back(std::move(item));
  }
  json j = {{"database", redacted_url},       {"current_version", r.current_version},
            {"latest_version", r.latest_version}, {"pending", r.pending},
            {"history_exists", r.history_exists}, {"needs_baseline", r.needs_baseline},
            {"migrations", std::move(migrations)}};
  if (r.needs_baseline) j["legacy_version"] = r.legacy_version;
  j["invalid_indexes"] = r.invalid_indexes;
  return Dump(j);
}

std::string JsonVerify(const VerifyReport& r) {
  json problems = json::array();
  for (const VerifyProblem& p : r.problems) {
    problems.push_back({{"version", p.version}, {"name", p.name}, {"state", MigrationStateName(p.state)},
                        {"message", p.message}});
  }
  return Dump(json{{"ok", r.ok()}, {"problems", std::move(problems)}});
}

std::string JsonPlan(const std::vector<PlannedMigration>& plan) {
  json items = json::array();
  for (const PlannedMigration& p : plan) {
    items.push_back({{"version", p.version}, {"name", p.name}, {"file", p.file},
                     {"direction", DirectionName(p.direction)}, {"transaction", p.transactional}, {"sql", p.sql}});
  }
  return Dump(json{{"plan", std::move(items)}});
}

std::string JsonLog(const std::vector<LogEntry>& log) {
  json items = json::array();
  for (const LogEntry& e : log) {
    json migrations = json::parse(e.migrations, nullptr, /*allow_exceptions=*/false);
    if (migrations.is_discarded()) migrations = e.migrations;
    items.push_back({{"id", e.id},
                     {"started_at", e.started_at},
                     {"finished_at", e.finished_at},
                     {"command", e.command},
                     {"actor", e.actor},
                     {"from_version", e.from_version},
                     {"to_version", e.to_version},
                     {"migrations", std::move(migrations)},
                     {"duration_ms", e.duration_ms},
                     {"outcome", e.outcome},
                     {"error", e.error},
                     {"backup_file", e.backup_file},
                     {"strata_version", e.strata_version}});
  }
  return Dump(json{{"log", std::move(items)}});
}

std::string JsonStrings(const std::string& key, const std::vector<std::string>& values) {
  return Dump(json{{key, values}});
}

}  // namespace strata::cli
