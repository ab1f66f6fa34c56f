// A small RAII layer over libpq: connections and results own their handles, every error becomes a
// Status with the server's SQLSTATE, message, detail, hint and position, and no message ever
// carries a password.
#pragma once

#include "drivers/postgres/pq_api.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/url.h"
#include "strata/status.h"

namespace strata::driver::pg {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct CancelFree {
  void operator()(PGcancel* c) const { PQfreeCancel(c); }
};

struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClear>;

class Connection {
 public:
  // Connects (connect_timeout 10 s unless the URL says otherwise; application_name "strata"
  // unless set). kUnauthenticated when the server rejects the credentials, kUnavailable otherwise.
  static Result<Connection> Open(const base::DatabaseUrl& url);

  PGconn* get() const { return conn_.get(); }

  // Runs one SQL string (simple protocol). On failure: kSqlError (or kUnavailable when the
  // connection is gone) with the server's details; `position` receives the server's 1-based
  // character position when it reports one.
  Result<ResultPtr> Exec(const std::string& sql, int* position = nullptr);
  // Runs a parameterised statement (text parameters; std::nullopt is NULL).
  Result<ResultPtr> ExecParams(const std::string& sql, const std::vector<std::optional<std::string>>& params);

  // Runs `statements` (one SQL statement each, extended protocol) as one pipeline: all of them are
  // sent, then a single Sync, and the results are read as they arrive, with the socket in
  // non-blocking mode so that neither side can stall the other. The server skips everything after
  // a failure up to the Sync; the failure is returned with `*failed` set to its statement's index
  // and `*position` to the server's 1-based character position within it (0: none). `done` is
  // called with the index and the (last) result of each statement that succeeded, as it arrives;
  // an error it returns is returned once the pipeline has ended, with `*failed` at that statement
  // (the server has run the statements after it all the same: check only the last one this way).
  Status ExecPipeline(const std::vector<std::string>& statements, std::size_t* failed, int* position,
                      const std::function<Status(std::size_t, const PGresult*)>& done);

  bool InTransaction() const;

  // Asks the server to cancel the statement this connection runs, if any (PQcancel: a connection
  // of its own carrying this session's cancel key). Safe from another thread while this one runs a
  // statement; best effort, errors are dropped.
  void Cancel() const;
  const std::string& redacted_url() const { return redacted_url_; }

  // `text` (a message from libpq or the server) with every password of the URL masked, in any
  // form the URL holds it: libpq may echo a part of the URL it misread as a host name. The one way
  // such text enters strata.
  std::string Scrub(std::string_view text) const;
  // Scrub(PQerrorMessage(...)) without the trailing newline.
  std::string ErrorMessage() const;

 private:
  Status ErrorFrom(const PGresult* r, int* position) const;

  std::unique_ptr<PGconn, ConnCloser> conn_;
  std::unique_ptr<PGcancel, CancelFree> cancel_;  // made with the connection, for Cancel()
  std::string redacted_url_;
  std::vector<std::string> secrets_;  // the password as decoded and as written in the URL
};

// Field (`row`, `col`) of `r` as a number. strata chose the column's type, so NULL, a missing
// field or text that is not a number of that kind is kInternal: "<what> is not an integer: 'x'".
Result<std::int64_t> Int64Field(const PGresult* r, int row, int col, std::string_view what);
Result<double> DoubleField(const PGresult* r, int row, int col, std::string_view what);

}  // namespace strata::driver::pg
