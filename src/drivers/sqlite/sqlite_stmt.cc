#include "drivers/sqlite/sqlite_stmt.h"

#include <fmt/format.h>

namespace strata::driver {

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status(ErrorCode::kSqlError, fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

Result<StmtPtr> PrepareStmt(sqlite3* db, std::string_view sql, std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteError(db, what);
  return stmt;
}

Result<bool> StepStmt(sqlite3_stmt* stmt, std::string_view what) {
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(sqlite3_db_handle(stmt), what);
}

void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* stmt, int index) {
  const unsigned char* text = sqlite3_column_text(stmt, index);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt, index)));
}

}  // namespace strata::driver
