// Machine-readable output (--json): one JSON object per line. The only user of nlohmann-json.
#pragma once

#include <string>

#include "strata/migrator.h"
#include "strata/team.h"
#include "strata/testdb.h"

namespace strata::cli {

std::string JsonEvent(const Event& event, const std::string& redacted_url);
std::string JsonError(const Status& status);
std::string JsonRunDone(const RunReport& report, Direction direction);
std::string JsonStatus(const StatusReport& report, const std::string& redacted_url);
std::string JsonVerify(const VerifyReport& report);
std::string JsonPlan(const std::vector<PlannedMigration>& plan);
std::string JsonLog(const std::vector<LogEntry>& log);
std::string JsonDataAtRisk(const std::vector<DataAtRisk>& risks);
std::string JsonSchema(const schema::Schema& schema);
// {"same": bool, <key>: [{"kind", "object", "before", "after"}...]}
std::string JsonChanges(const std::vector<schema::Change>& changes, const std::string& key = "changes");
std::string JsonCheck(const CheckReport& report);
// {"rule","severity","file","line","column","message","hint","version","statement"}; with
// `event`, an "event" key first (up and plan's lint events).
std::string JsonLintFinding(const LintFinding& finding, const char* event = nullptr);
// {"event":"trace","version","name","file","transactional","locks":[{table,mode,location,
// statement,pre_existing}],"rewritten":[{table,location,statement}]}
std::string JsonLockTrace(const MigrationTrace& trace);
std::string JsonCheckpoint(const CheckpointResult& result);
// strata testdb create: the new database's printable URL, name, template and timing.
std::string JsonTestDatabase(const CreatedTestDatabase& created);
std::string JsonStrings(const std::string& key, const std::vector<std::string>& values);

// Fleets: `line` (one JSON object) with "target" (password masked) and "schema" put first.
std::string JsonTagged(const std::string& line, const std::string& target, const std::string& schema);
// One target's outcome in a fleet run.
struct FleetLine {
  std::string target, schema;
  std::string outcome;  // "succeeded", "failed", "not_started"
  int exit_code = 0;
  std::uint64_t from_version = 0, to_version = 0;
  std::size_t count = 0;  // migrations applied (up), pending (status, plan), problems (verify), findings (lint)
  double ms = 0;
  std::string error;  // password-free
};
// {"event":"target_done","target","schema","outcome","exit_code","from_version","to_version","count","ms","error"}
std::string JsonTargetDone(const FleetLine& line);
// {"event":"fleet_done","command","targets","succeeded","failed","not_started","ms","exit_code"}
std::string JsonFleetDone(const std::string& command, const std::vector<FleetLine>& lines, double ms, int exit_code);

}  // namespace strata::cli
