// One owner for a prepared SQLite statement, and the prepare/step/column calls that the SQLite
// driver's files share, with SQLite's own message in every error.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::driver {

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
// A prepared statement, finalized by its destructor. Not thread-safe, like its connection.
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// kSqlError "<what>: <SQLite's message about the last failed call on db>".
Status SqliteError(sqlite3* db, std::string_view what);

// Prepares the first statement of `sql` on `db`, which must outlive the statement. On failure
// SqliteError(db, what); sqlite3_errcode(db) still tells the cause. Text without a statement
// (only comments or spaces) gives a null StmtPtr.
Result<StmtPtr> PrepareStmt(sqlite3* db, std::string_view sql, std::string_view what);

// One sqlite3_step: true when a row is ready, false when the statement is done, SqliteError of
// the statement's connection otherwise.
Result<bool> StepStmt(sqlite3_stmt* stmt, std::string_view what);

// Binds `text` to parameter `index` (1-based); SQLite keeps its own copy.
void BindText(sqlite3_stmt* stmt, int index, std::string_view text);

// Column `index` of the current row as text, every byte kept; empty for NULL.
std::string ColumnText(sqlite3_stmt* stmt, int index);

}  // namespace strata::driver
