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
    case EventKind::kBackup:
      j = {{"event", "backup"}, {"file", e.file}, {"how", e.message}};
      break;
  }
  return Dump(j);
}

std::string JsonLintFinding(const LintFinding& f, const char* event) {
  json j = json::object();
  if (event != nullptr) j["event"] = event;
  j["rule"] = f.rule;
  j["severity"] = LintSeverityName(f.severity);
  j["file"] = f.file;
  j["line"] = f.line;
  j["column"] = f.column;
  j["message"] = f.message;
  j["hint"] = f.hint;
  j["version"] = f.version;
  j["statement"] = f.statement;
  return Dump(j);
}

std::string JsonLockTrace(const MigrationTrace& m) {
  json locks = json::array();
  for (const TracedLock& l : m.locks) {
    locks.push_back({{"table", l.table}, {"mode", l.mode}, {"location", l.location}, {"statement", l.statement},
                     {"pre_existing", l.pre_existing}});
  }
  json rewritten = json::array();
  for (const TracedRewrite& r : m.rewritten) {
    rewritten.push_back({{"table", r.table}, {"location", r.location}, {"statement", r.statement}});
  }
  json j = {{"event", "trace"}, {"version", m.version},         {"name", m.name},   {"file", m.file},
            {"transactional", m.transactional}, {"locks", locks}, {"rewritten", rewritten}};
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

json RisksJson(const std::vector<DataAtRisk>& risks) {
  json out = json::array();
  for (const DataAtRisk& r : risks) {
    out.push_back({{"version", r.version}, {"name", r.name}, {"direction", DirectionName(r.direction)},
                   {"location", r.location}, {"statement", r.statement}, {"what", r.what}, {"table", r.table},
                   {"column", r.column}, {"rows", r.rows}, {"acknowledged", r.acknowledged}});
  }
  return out;
}

std::string JsonRunDone(const RunReport& r, Direction direction) {
  json j = {{"event", "done"},          {"direction", DirectionName(direction)}, {"from_version", r.from_version},
            {"to_version", r.to_version}, {"count", r.migrations.size()},        {"ms", r.total_ms}};
  if (!r.backup_file.empty()) j["backup_file"] = r.backup_file;
  if (!r.data_at_risk.empty()) j["data_destroyed"] = RisksJson(r.data_at_risk);
  if (!r.replicas_target_lsn.empty()) {
    json replicas = json::array();
    for (const ReplicaState& s : r.replicas) {
      replicas.push_back({{"name", s.name}, {"address", s.address}, {"replay_lsn", s.replay_lsn},
                          {"caught_up", s.caught_up}, {"waited_ms", s.waited_ms}});
    }
    j["replicas"] = {{"target_lsn", r.replicas_target_lsn}, {"standbys", replicas}};
  }
  return Dump(j);
}

std::string JsonDataAtRisk(const std::vector<DataAtRisk>& risks) {
  return Dump(json{{"event", "data_at_risk"}, {"statements", RisksJson(risks)}});
}

namespace {

json ChangesJson(const std::vector<schema::Change>& changes) {
  json out = json::array();
  for (const schema::Change& c : changes) {
    const char* kind = c.kind == schema::Change::Kind::kAdded     ? "added"
                       : c.kind == schema::Change::Kind::kRemoved ? "removed"
                                                                  : "changed";
    json item = {{"kind", kind}, {"object", c.object}};
    if (!c.before.empty()) item["before"] = c.before;
    if (!c.after.empty()) item["after"] = c.after;
    out.push_back(std::move(item));
  }
  return out;
}

json ColumnsJson(const std::vector<schema::Column>& columns) {
  json out = json::array();
  for (const schema::Column& c : columns) {
    json item = {{"name", c.name}, {"type", c.type}, {"not_null", c.not_null}};
    if (c.default_value) item["default"] = *c.default_value;
    if (!c.collation.empty()) item["collation"] = c.collation;
    if (!c.generated.empty()) item["generated"] = {{"expression", c.generated}, {"stored", c.generated_stored}};
    if (!c.identity.empty()) item["identity"] = c.identity;
    out.push_back(std::move(item));
  }
  return out;
}

json TableJson(const schema::Table& t) {
  json j = {{"schema", t.schema}, {"name", t.name}, {"columns", ColumnsJson(t.columns)}};
  if (t.primary_key) {
    j["primary_key"] = {{"name", t.primary_key->name}, {"columns", t.primary_key->columns},
                        {"autoincrement", t.primary_key->autoincrement}};
  }
  json uniques = json::array(), checks = json::array(), fks = json::array();
  for (const auto& u : t.uniques) uniques.push_back({{"name", u.name}, {"columns", u.columns}});
  for (const auto& c : t.checks) checks.push_back({{"name", c.name}, {"expression", c.expression}});
  for (const auto& f : t.foreign_keys) {
    fks.push_back({{"name", f.name}, {"columns", f.columns}, {"ref_schema", f.ref_schema},
                   {"ref_table", f.ref_table}, {"ref_columns", f.ref_columns}, {"on_delete", f.on_delete},
                   {"on_update", f.on_update}, {"deferrable", f.deferrable},
                   {"initially_deferred", f.initially_deferred}});
  }
  j["uniques"] = std::move(uniques);
  j["checks"] = std::move(checks);
  j["foreign_keys"] = std::move(fks);
  if (t.without_rowid) j["without_rowid"] = true;
  if (t.strict) j["strict"] = true;
  return j;
}

}  // namespace

std::string JsonSchema(const schema::Schema& s) {
  json tables = json::array(), indexes = json::array(), views = json::array(), triggers = json::array(),
       sequences = json::array(), enums = json::array(), functions = json::array();
  for (const auto& t : s.tables) tables.push_back(TableJson(t));
  for (const auto& i : s.indexes) {
    indexes.push_back({{"schema", i.schema}, {"name", i.name}, {"table", i.table}, {"unique", i.unique},
                       {"keys", i.keys}, {"where", i.where}, {"method", i.method}, {"include", i.include}});
  }
  for (const auto& v : s.views) {
    views.push_back({{"schema", v.schema}, {"name", v.name}, {"definition", v.definition},
                     {"materialized", v.materialized}});
  }
  for (const auto& t : s.triggers) {
    triggers.push_back({{"schema", t.schema}, {"name", t.name}, {"table", t.table}, {"definition", t.definition}});
  }
  for (const auto& q : s.sequences) {
    sequences.push_back({{"schema", q.schema}, {"name", q.name}, {"type", q.type}, {"start", q.start},
                         {"increment", q.increment}, {"min_value", q.min_value}, {"max_value", q.max_value},
                         {"cache", q.cache}, {"cycle", q.cycle}, {"owned_by", q.owned_by}});
  }
  json virtual_tables = json::array();
  for (const auto& v : s.virtual_tables) {
    virtual_tables.push_back({{"name", v.name}, {"definition", v.definition}});
  }
  for (const auto& e : s.enums) enums.push_back({{"schema", e.schema}, {"name", e.name}, {"labels", e.labels}});
  for (const auto& f : s.functions) {
    functions.push_back({{"schema", f.schema}, {"name", f.name}, {"arguments", f.arguments},
                         {"definition", f.definition}});
  }
  json j = {{"dialect", s.dialect}, {"schemas", s.schemas}, {"tables", std::move(tables)},
            {"indexes", std::move(indexes)}, {"views", std::move(views)}, {"triggers", std::move(triggers)}};
  if (s.dialect == "sqlite") j["virtual_tables"] = std::move(virtual_tables);
  if (s.dialect == "postgres") {
    json extensions = json::array(), domains = json::array();
    for (const auto& e : s.extensions) extensions.push_back({{"name", e.name}, {"schema", e.schema}});
    for (const auto& d : s.domains) {
      json checks = json::array();
      for (const auto& c : d.checks) checks.push_back({{"name", c.name}, {"expression", c.expression}});
      json item = {{"schema", d.schema}, {"name", d.name}, {"type", d.type}, {"not_null", d.not_null},
                   {"checks", std::move(checks)}};
      if (d.default_value) item["default"] = *d.default_value;
      domains.push_back(std::move(item));
    }
    j["extensions"] = std::move(extensions);
    j["domains"] = std::move(domains);
    j["sequences"] = std::move(sequences);
    j["enums"] = std::move(enums);
    j["functions"] = std::move(functions);
  }
  return Dump(j);
}

std::string JsonChanges(const std::vector<schema::Change>& changes, const std::string& key) {
  return Dump(json{{"same", changes.empty()}, {key, ChangesJson(changes)}});
}

std::string JsonCheck(const CheckReport& r) {
  json problems = json::array();
  for (const ReversibilityProblem& p : r.problems) {
    problems.push_back({{"version", p.version}, {"name", p.name}, {"message", p.message},
                        {"changes", ChangesJson(p.changes)}});
  }
  return Dump(json{{"ok", r.ok()}, {"migrations", r.migrations}, {"reversible", r.reversible},
                   {"without_down", r.without_down}, {"problems", std::move(problems)}});
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
    if (m.state == MigrationState::kPartial) {
      item["statements_done"] = m.statements_done;
      if (m.checkpoint) item["checkpoint"] = true;
      item["statements"] = m.statements;
    }
    migrations.push_back(std::move(item));
  }
  json j = {{"database", redacted_url},       {"current_version", r.current_version},
            {"latest_version", r.latest_version}, {"pending", r.pending},
            {"history_exists", r.history_exists}, {"needs_baseline", r.needs_baseline},
            {"migrations", std::move(migrations)}};
  if (r.needs_baseline) j["legacy_version"] = r.legacy_version;
  j["invalid_indexes"] = r.invalid_indexes;
  if (!r.run_in_progress.empty()) j["run_in_progress"] = r.run_in_progress;
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
    json rebuilds = json::array();
    for (const PlannedRebuild& r : p.rebuilds) {
      rebuilds.push_back({{"table", r.table}, {"replaces", r.replaces}, {"statements", r.statements}});
    }
    items.push_back({{"version", p.version}, {"name", p.name}, {"file", p.file},
                     {"direction", DirectionName(p.direction)}, {"transaction", p.transactional}, {"sql", p.sql},
                     {"rebuilds", std::move(rebuilds)}});
    if (p.resumes_at != 0) items.back()["resumes_at"] = p.resumes_at;
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

std::string JsonCheckpoint(const CheckpointResult& r) {
  return Dump(json{{"checkpoint", r.path},   {"version", r.version}, {"migrations", r.migrations},
                   {"tables", r.tables},     {"rows", r.rows},       {"replaced", r.replaced},
                   {"sum_written", r.sum_written}});
}

std::string JsonTestDatabase(const CreatedTestDatabase& c) {
  return Dump(json{{"url", c.printable_url},
                   {"password_left_out", c.password_left_out},
                   {"name", c.name},
                   {"template", c.template_name},
                   {"template_built", c.template_built},
                   {"ms", c.ms}});
}

std::string JsonStrings(const std::string& key, const std::vector<std::string>& values) {
  return Dump(json{{key, values}});
}

std::string JsonTagged(const std::string& line, const std::string& target, const std::string& schema) {
  std::string head = "{\"target\":" + Dump(json(target)) + ",\"schema\":" + Dump(json(schema));
  if (line.size() >= 2 && line.front() == '{') {
    std::string_view rest(line);
    rest.remove_prefix(1);
    bool empty = rest.find_first_not_of(" }") == std::string_view::npos;
    return head + (empty ? "}" : "," + std::string(rest));
  }
  return head + ",\"value\":" + line + "}";
}

namespace {
json TargetJson(const FleetLine& l) {
  return {{"target", l.target},         {"schema", l.schema},   {"outcome", l.outcome},
          {"exit_code", l.exit_code},   {"from_version", l.from_version}, {"to_version", l.to_version},
          {"count", l.count},           {"ms", l.ms},           {"error", l.error}};
}
}  // namespace

std::string JsonTargetDone(const FleetLine& l) {
  json j = TargetJson(l);
  j["event"] = "target_done";
  return Dump(j);
}

std::string JsonFleetDone(const std::string& command, const std::vector<FleetLine>& lines, double ms, int exit_code) {
  std::size_t succeeded = 0, failed = 0, not_started = 0;
  for (const FleetLine& l : lines) {
    if (l.outcome == "succeeded") ++succeeded;
    if (l.outcome == "failed") ++failed;
    if (l.outcome == "not_started") ++not_started;
  }
  return Dump(json{{"event", "fleet_done"},     {"command", command}, {"targets", lines.size()},
                   {"succeeded", succeeded},      {"failed", failed},   {"not_started", not_started},
                   {"ms", ms},                    {"exit_code", exit_code}});
}

}  // namespace strata::cli
