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

}  // namespace strata::cli
