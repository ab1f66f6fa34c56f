// Row counts and content fingerprints on SQLite (declared in sqlite_schema.h).
#include <fmt/format.h>

#include <array>

#include "base/sha256.h"
#include "base/text.h"
#include "drivers/sqlite/sqlite_schema.h"

namespace strata::driver {

namespace {

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

Status Prepare(sqlite3* db, const std::string& sql, Stmt& q, const std::string& table) {
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q.s, nullptr) != SQLITE_OK) {
    return Status(ErrorCode::kSqlError,
                  fmt::format("cannot read table {}: {}", base::QuoteIdentifier(table), sqlite3_errmsg(db)));
  }
  return Status::Ok();
}

}  // namespace

Result<std::int64_t> CountSqliteRows(sqlite3* db, const std::string& table) {
  Stmt q;
  STRATA_RETURN_IF_ERROR(Prepare(db, "SELECT count(*) FROM " + base::QuoteIdentifier(table), q, table));
  if (sqlite3_step(q.s) != SQLITE_ROW) {
    return Status(ErrorCode::kSqlError,
                  fmt::format("cannot count rows of {}: {}", base::QuoteIdentifier(table), sqlite3_errmsg(db)));
  }
  return sqlite3_column_int64(q.s, 0);
}

// Each row is hashed on its own (type tag, length and bytes of every value) and the row digests
// are added as 4 x 64-bit lanes: the sum does not depend on the order rows are read in, and any
// change to a row, an added row or a removed row changes it.
Result<TableFingerprint> FingerprintSqlite(sqlite3* db, const std::string& table) {
  Stmt q;
  STRATA_RETURN_IF_ERROR(Prepare(db, "SELECT * FROM " + base::QuoteIdentifier(table), q, table));
  TableFingerprint out;
  std::array<std::uint64_t, 4> sum{};
  std::string row;
  base::Sha256 hasher;
  int columns = sqlite3_column_count(q.s);
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
    row.clear();
    for (int i = 0; i < columns; ++i) {
      int type = sqlite3_column_type(q.s, i);
      row += static_cast<char>('0' + type);
      switch (type) {
        case SQLITE_INTEGER:
          row += std::to_string(sqlite3_column_int64(q.s, i));
          break;
        case SQLITE_FLOAT:
          row += fmt::format("{}", sqlite3_column_double(q.s, i));
          break;
        case SQLITE_NULL:
          break;
        default: {
          const void* p = sqlite3_column_blob(q.s, i);
          int n = sqlite3_column_bytes(q.s, i);
          row += std::to_string(n) + ':';
          if (n > 0) row.append(static_cast<const char*>(p), static_cast<std::size_t>(n));
        }
      }
      row += '\x1f';
    }
    hasher.Update(row);
    std::string digest = hasher.HexDigest();
    for (std::size_t lane = 0; lane < 4; ++lane) sum[lane] += std::stoull(digest.substr(lane * 16, 16), nullptr, 16);
    ++out.rows;
  }
  if (rc != SQLITE_DONE) {
    return Status(ErrorCode::kSqlError,
                  fmt::format("cannot read table {}: {}", base::QuoteIdentifier(table), sqlite3_errmsg(db)));
  }
  out.hash = fmt::format("{:016x}{:016x}{:016x}{:016x}", sum[0], sum[1], sum[2], sum[3]);
  return out;
}

}  // namespace strata::driver
