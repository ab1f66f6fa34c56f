// Fuzzes the reader of the ALTER TABLE forms strata rebuilds on SQLite (sql/sqlite_rebuild.h):
// FindAlters on any text, then PlanRebuild against a table SQLite really made. The input is a
// CREATE TABLE, a line "--8<--", and the migration's text. Whatever PlanRebuild writes is run in a
// savepoint that is rolled back: SQLite may refuse it, but nothing may crash or read out of bounds.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "sql/sqlite_rebuild.h"
#include "fuzz_common.h"

namespace {

namespace rb = strata::sql::rebuild;

sqlite3* database = nullptr;

sqlite3* Database() {
  if (database == nullptr) {
    FUZZ_CHECK(sqlite3_open_v2(":memory:", &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr) == SQLITE_OK);
    sqlite3_limit(database, SQLITE_LIMIT_ATTACHED, 0);
  }
  return database;
}

std::string Text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

// The table the CREATE made, read the way core/rebuild.cc reads it.
bool ReadLive(sqlite3* db, rb::LiveTable* live) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql IS NOT NULL LIMIT 1", -1, &s,
                     nullptr);
  bool found = sqlite3_step(s) == SQLITE_ROW;
  if (found) {
    live->name = Text(s, 0);
    live->create_sql = Text(s, 1);
  }
  sqlite3_finalize(s);
  if (!found) return false;
  sqlite3_prepare_v2(db, "SELECT name, type, pk, hidden FROM pragma_table_xinfo(?1)", -1, &s, nullptr);
  sqlite3_bind_text(s, 1, live->name.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s) == SQLITE_ROW) {
    int hidden = sqlite3_column_int(s, 3);
    live->columns.push_back({Text(s, 0), hidden == 2 || hidden == 3, sqlite3_column_int(s, 2) != 0, Text(s, 1)});
  }
  sqlite3_finalize(s);
  return true;
}

void Plan(const std::string& create, const std::vector<rb::AlterStatement>& alters) {
  if (create.find('\0') != std::string::npos || create.size() > 4096) return;
  sqlite3* db = Database();
  FUZZ_CHECK(sqlite3_exec(db, "SAVEPOINT fuzz", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  rb::LiveTable live;
  if (sqlite3_prepare_v2(db, create.c_str(), static_cast<int>(create.size()), &stmt, nullptr) == SQLITE_OK &&
      stmt != nullptr && sqlite3_stmt_readonly(stmt) == 0 && sqlite3_step(stmt) == SQLITE_DONE) {
    sqlite3_finalize(stmt);
    stmt = nullptr;
    if (ReadLive(db, &live)) {
      for (const rb::AlterStatement& a : alters) {
        (void)rb::NeedsRebuildToDrop(live, a.commands.empty() ? "" : a.commands[0].column);
        auto plan = rb::PlanRebuild(live, a.commands);
        if (!plan.ok()) continue;
        FUZZ_CHECK(plan->copy_index < plan->statements.size());
        FUZZ_CHECK(plan->statements[0] == plan->create_sql);
        for (const std::string& st : plan->statements) {
          if (sqlite3_exec(db, st.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) break;
        }
      }
    }
  }
  sqlite3_finalize(stmt);
  if (sqlite3_exec(db, "ROLLBACK TO fuzz; RELEASE fuzz", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);
    database = nullptr;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::string cut = "\n--8<--\n";
  std::size_t at = input.find(cut);
  const std::string create = at == std::string::npos ? std::string() : input.substr(0, at);
  // A copy with exactly the text's size, so that ASan catches any read past its end.
  const std::string text = at == std::string::npos ? input : input.substr(at + cut.size());
  auto found = rb::FindAlters(text);
  if (!found.ok()) {
    FUZZ_CHECK(found.status().code() == strata::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(found.status().sql_offset().value_or(0) <= text.size());
    return 0;
  }
  for (const rb::AlterStatement& a : *found) {
    FUZZ_CHECK(a.begin < a.end && a.end <= text.size());
    FUZZ_CHECK(!a.commands.empty());
  }
  if (!create.empty() && !found->empty()) Plan(create, *found);
  return 0;
}
