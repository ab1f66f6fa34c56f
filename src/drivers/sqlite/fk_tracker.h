// Foreign-key checking proportional to what a migration touches. SQLite's authorizer reports, when
// each statement is prepared and before it runs, which tables it writes; the tracker snapshots the
// existing violations of those tables and of the tables that reference them, and after the
// migration reports only violations that were not there before. A full PRAGMA foreign_key_check
// after every migration scans every child table in the database, which on a large file costs
// minutes per migration.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "strata/status.h"

namespace strata::driver {

// (child table, rowid, parent table, foreign key index), as PRAGMA foreign_key_check reports it.
using Violation = std::tuple<std::string, std::int64_t, std::string, std::int64_t>;

class ForeignKeyTracker {
 public:
  // Installs an authorizer on `db` for the tracker's lifetime; `db` must outlive it and must not
  // have an authorizer of its own.
  explicit ForeignKeyTracker(sqlite3* db);
  ~ForeignKeyTracker();
  ForeignKeyTracker(const ForeignKeyTracker&) = delete;
  ForeignKeyTracker& operator=(const ForeignKeyTracker&) = delete;

  // Between Begin and Finish, statements prepared on `db` are watched.
  Status Begin();
  // The migration's transaction was rolled back: forget what the schema looked like.
  void Invalidate() { graph_valid_ = false; }
  // After each prepare, before stepping the statement: snapshots tables seen for the first time.
  Status SnapshotNewTables();
  // Violations now present in the touched tables (and those referencing them, transitively) that
  // were not in the snapshots. Ends the migration's tracking.
  Result<std::vector<Violation>> Finish();

 private:
  static int Authorize(void* self, int action, const char* a1, const char* a2, const char*, const char*);
  Result<std::set<Violation>> Check(const std::string& table);
  std::set<std::string> WithReferencingTables(const std::set<std::string>& tables) const;
  // The schema's (child, parent) foreign-key edges, kept across migrations: read in full once,
  // then updated from the tables a migration created or dropped (in full again after ALTER TABLE,
  // which can rewrite other tables' references, or when another connection changed the schema).
  Status LoadGraph();
  Status UpdateGraph();
  Result<std::vector<std::pair<std::string, std::string>>> EdgesOf(const std::string& table);
  Result<std::int64_t> SchemaVersion();

  sqlite3* db_;
  bool watching_ = false;
  std::set<std::string> seen_;     // written by this migration (lower case)
  std::set<std::string> pending_;  // seen by the authorizer, not yet snapshotted
  std::set<std::string> snapshotted_;
  std::set<Violation> before_;
  std::set<std::string> created_, dropped_;
  bool altered_ = false;
  bool graph_valid_ = false;
  std::int64_t graph_schema_version_ = -1;
  std::vector<std::pair<std::string, std::string>> edges_;
};

}  // namespace strata::driver
