// Row counts and content fingerprints on SQLite (declared in sqlite_schema.h).
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "base/sha256.h"
#include "base/text.h"
#include "drivers/sqlite/sqlite_schema.h"
#include "drivers/sqlite/sqlite_stmt.h"

namespace strata::driver {

Result<std::int64_t> CountSqliteRows(sqlite3* db, const std::string& table) {
  const std::string table_sql = base::QuoteIdentifier(table);
  STRATA_ASSIGN_OR_RETURN(StmtPtr q,
                          PrepareStmt(db, "SELECT count(*) FROM " + table_sql, "cannot read table " + table_sql));
  const std::string counting = "cannot count rows of " + table_sql;
  STRATA_ASSIGN_OR_RETURN(bool row, StepStmt(q.get(), counting));
  if (!row) return SqliteError(db, counting);
  return sqlite3_column_int64(q.get(), 0);
}

// Each row is hashed on its own (type tag, length and bytes of every value) and the row digests
// are added as 4 x 64-bit lanes: the sum does not depend on the order rows are read in, and any
// change to a row, an added row or a removed row changes it.
Result<TableFingerprint> FingerprintSqlite(sqlite3* db, const std::string& table) {
  const std::string table_sql = base::QuoteIdentifier(table);
  const std::string what = "cannot read table " + table_sql;
  STRATA_ASSIGN_OR_RETURN(StmtPtr stmt, PrepareStmt(db, "SELECT * FROM " + table_sql, what));
  sqlite3_stmt* q = stmt.get();
  TableFingerprint out;
  std::array<std::uint64_t, 4> sum{};
  std::string row;
  base::Sha256 hasher;
  int columns = sqlite3_column_count(q);
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool more, StepStmt(q, what));
    if (!more) break;
    row.clear();
    for (int i = 0; i < columns; ++i) {
      int type = sqlite3_column_type(q, i);
      row += static_cast<char>('0' + type);
      switch (type) {
        case SQLITE_INTEGER:
          row += std::to_string(sqlite3_column_int64(q, i));
          break;
        case SQLITE_FLOAT:
          row += fmt::format("{}", sqlite3_column_double(q, i));
          break;
        case SQLITE_NULL:
          break;
        default: {
          const void* p = sqlite3_column_blob(q, i);
          int n = sqlite3_column_bytes(q, i);
          row += std::to_string(n) + ':';
          if (n > 0) row.append(static_cast<const char*>(p), static_cast<std::size_t>(n));
        }
      }
      row += '\x1f';
    }
    hasher.Update(row);
    std::string digest = hasher.HexDigest();
    for (std::size_t lane = 0; lane < 4; ++lane) {
      auto part = digest.size() == 64 ? base::ParseUint64(std::string_view(digest).substr(lane * 16, 16), 16)
                                      : std::nullopt;
      if (!part) return Status(ErrorCode::kInternal, "a row's SHA-256 digest is not 64 hex digits: " + digest);
      sum[lane] += *part;
    }
    ++out.rows;
  }
  out.hash = fmt::format("{:016x}{:016x}{:016x}{:016x}", sum[0], sum[1], sum[2], sum[3]);
  return out;
}

namespace {

void AppendHex(std::string& out, const unsigned char* p, int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
}

// The literal SQLite reads back as the same value and the same storage class: a real always has a
// '.' or an exponent (else it would come back an integer), text with a NUL byte goes through a
// blob (quote() would stop at the NUL).
void AppendLiteral(std::string& out, sqlite3_stmt* q, int i) {
  switch (sqlite3_column_type(q, i)) {
    case SQLITE_NULL:
      out += "NULL";
      return;
    case SQLITE_INTEGER:
      out += std::to_string(sqlite3_column_int64(q, i));
      return;
    case SQLITE_FLOAT: {
      double v = sqlite3_column_double(q, i);
      if (std::isinf(v)) {
        out += v > 0 ? "9e999" : "-9e999";
        return;
      }
      std::string text = fmt::format("{}", v);  // the shortest text that reads back as v
      if (text.find_first_of(".e") == std::string::npos) text += ".0";
      out += text;
      return;
    }
    case SQLITE_TEXT: {
      const char* p = reinterpret_cast<const char*>(sqlite3_column_text(q, i));
      std::string_view text(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(q, i)));
      if (text.find('\0') != std::string_view::npos) {
        out += "CAST(X'";
        AppendHex(out, reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
        out += "' AS TEXT)";
        return;
      }
      out += '\'';
      for (char c : text) {
        if (c == '\'') out += '\'';
        out += c;
      }
      out += '\'';
      return;
    }
    default: {
      out += "X'";
      AppendHex(out, static_cast<const unsigned char*>(sqlite3_column_blob(q, i)), sqlite3_column_bytes(q, i));
      out += '\'';
    }
  }
}

}  // namespace

Status ReadSqliteRowsAsSql(sqlite3* db, const std::string& table, const std::vector<std::string>& columns,
                           const std::function<Status(std::string_view)>& row) {
  std::vector<std::string> quoted;
  for (const std::string& c : columns) quoted.push_back(base::QuoteIdentifier(c));
  const std::string what = "cannot read table " + base::QuoteIdentifier(table);
  STRATA_ASSIGN_OR_RETURN(
      StmtPtr stmt,
      PrepareStmt(db, fmt::format("SELECT {} FROM {}", fmt::join(quoted, ", "), base::QuoteIdentifier(table)), what));
  std::string values;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool more, StepStmt(stmt.get(), what));
    if (!more) return Status::Ok();
    values = "(";
    for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
      if (i) values += ", ";
      AppendLiteral(values, stmt.get(), i);
    }
    values += ')';
    STRATA_RETURN_IF_ERROR(row(values));
  }
}

Result<std::vector<Driver::CounterState>> SqliteCounterStateSql(sqlite3* db) {
  std::vector<Driver::CounterState> out;
  STRATA_ASSIGN_OR_RETURN(StmtPtr exists, PrepareStmt(db, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'",
                                                      "cannot read sqlite_schema"));
  STRATA_ASSIGN_OR_RETURN(bool any, StepStmt(exists.get(), "cannot read sqlite_schema"));
  if (!any) return out;
  const std::string what = "cannot read sqlite_sequence";
  STRATA_ASSIGN_OR_RETURN(StmtPtr stmt, PrepareStmt(db, "SELECT name, quote(name), seq FROM sqlite_sequence ORDER BY name", what));
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool more, StepStmt(stmt.get(), what));
    if (!more) return out;
    auto text = [&](int i) {
      const unsigned char* t = sqlite3_column_text(stmt.get(), i);
      return std::string(t ? reinterpret_cast<const char*>(t) : "");
    };
    std::string quoted = text(1);
    out.push_back({text(0), fmt::format("DELETE FROM sqlite_sequence WHERE name = {}", quoted)});
    out.push_back({text(0), fmt::format("INSERT INTO sqlite_sequence (name, seq) VALUES ({}, {})", quoted,
                                        sqlite3_column_int64(stmt.get(), 2))});
  }
}

}  // namespace strata::driver
