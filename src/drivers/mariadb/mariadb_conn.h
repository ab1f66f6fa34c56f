// One connection to a MariaDB (or MySQL) server through Connector/C, loaded at run time
// (mysql_api.h). The handle and results own themselves; every error becomes a Status whose code
// says what to do next, with the server's error number and SQLSTATE, and no message ever carries a
// password.
#pragma once

#include "drivers/mariadb/mysql_api.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/url.h"
#include "strata/status.h"

namespace strata::driver::mariadb {

struct ConnCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};

// What a statement returned: the rows of its (first) result set, NULL as std::nullopt, and the rows
// it changed (0 for a query).
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::uint64_t affected_rows = 0;
};

// The text of a cell, "" for NULL (rows.at and at: out of range throws, which is a bug here).
std::string Cell(const QueryResult& r, std::size_t row, std::size_t col);

// `name` as an identifier: in backticks, a backtick doubled.
std::string QuoteName(std::string_view name);

// One row of a result as it arrives: each cell's text, std::nullopt for NULL. Valid only while the
// callback that receives it runs.
using RowView = std::span<const std::optional<std::string_view>>;

class Connection {
 public:
  // Connects to the URL's server and database (`database_override` instead when set): over TCP to
  // the host when there is one, else through the `socket` parameter. The session uses utf8mb4,
  // never sends several statements in one string (no CLIENT_MULTI_STATEMENTS), never reconnects
  // behind the caller's back and refuses LOAD DATA LOCAL. connect_timeout is 10 s unless the URL
  // sets it; read_timeout and write_timeout are unset (a migration may run for hours) unless it sets
  // them. kUnauthenticated when the server refuses the credentials (wrong user or password, no
  // access to that database); kUnavailable when it cannot be reached, or the database does not
  // exist (as on PostgreSQL). Messages name the redacted URL.
  static Result<Connection> Open(const base::DatabaseUrl& url);

  // Runs one statement and reads all it returns (a CALL can return several result sets; the
  // first is kept). kSqlError for an error of the server, with "(error N, SQLSTATE S)";
  // kUnavailable when the connection is gone. last_error() gives the error number.
  Result<QueryResult> Query(std::string_view sql);
  // Query without keeping the rows: the first result set's column names go to `on_columns`, then
  // each of its rows to `on_row` as it comes off the wire. The first error either returns stops
  // the calls; everything the statement returns is still read, and that error is returned. On
  // success, the rows the statement changed (0 for a query).
  Result<std::uint64_t> Stream(std::string_view sql,
                               const std::function<Status(const std::vector<std::string>& columns)>& on_columns,
                               const std::function<Status(RowView row)>& on_row);
  // Query, for a statement whose rows do not matter.
  Status Exec(std::string_view sql);
  // Begins a transaction lazily: START TRANSACTION goes out just before this session's next
  // statement, so a transaction that ends before it ran one costs no round trip.
  void BeginLazily() { begin_pending_ = true; }
  // Whether a lazily begun transaction never started (it then ends here, with nothing to send).
  bool TakePendingBegin() { return std::exchange(begin_pending_, false); }

  // Puts the session back as it was when it connected, in one round trip and a second for the
  // character set: session variables to the server's defaults (COM_RESET_CONNECTION), user
  // variables, temporary tables and prepared statements gone, utf8mb4 again. The default database
  // and the server's locks of other sessions are untouched.
  Status ResetSession();

  // The server's error number of the last failed call (0 after a success).
  unsigned last_error() const { return last_error_; }
  // `value` as a string literal for this connection's character set ('...', escaped).
  std::string Quote(std::string_view value) const;
  // The server's id for this session (CONNECTION_ID(), the processlist's ID).
  std::uint64_t ThreadId() const;
  std::string ServerVersion() const;
  MYSQL* get() const { return conn_.get(); }
  const std::string& redacted_url() const { return redacted_url_; }

  // `text` (from the connector or the server) with every form of the URL's password masked.
  std::string Scrub(std::string_view text) const;

 private:
  Status Failure();

  std::unique_ptr<MYSQL, ConnCloser> conn_;
  std::string redacted_url_;
  std::vector<std::string> secrets_;
  unsigned last_error_ = 0;
  bool begin_pending_ = false;
};

}  // namespace strata::driver::mariadb
