#include "drivers/postgres/pg_conn.h"

#include <fmt/format.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/text.h"

namespace strata::driver::pg {

namespace {

void IgnoreNotice(void*, const char*) {}

bool IsAuthFailure(const std::string& message) {
  return message.find("password authentication failed") != std::string::npos ||
         message.find("no password supplied") != std::string::npos ||
         message.find("authentication failed") != std::string::npos ||
         message.find("pg_hba.conf rejects") != std::string::npos;
}

}  // namespace

Result<Connection> Connection::Open(const base::DatabaseUrl& url) {
  STRATA_RETURN_IF_ERROR(LoadPq().status());
  Connection c;
  c.redacted_url_ = url.Redacted();
  c.secrets_ = url.Secrets();
  std::string target = url.conninfo.empty() ? url.raw : url.conninfo;
  // Defaults come before dbname so that the URL's own settings win.
  // Only the first dbname is expanded as a URL or conninfo; a second one is a plain database name
  // that overrides the first's.
  bool override_db = !url.database_override.empty();
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", override_db ? "dbname" : nullptr,
                        nullptr};
  const char* values[] = {"10", "strata", target.c_str(), override_db ? url.database_override.c_str() : nullptr,
                          nullptr};
  c.conn_.reset(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!c.conn_) return Status(ErrorCode::kUnavailable, "cannot connect: out of memory");
  if (PQstatus(c.conn_.get()) != CONNECTION_OK) {
    // Classified before masking, which could hide a word of it (a password "auth").
    bool auth = IsAuthFailure(PQerrorMessage(c.conn_.get()));
    return Status(auth ? ErrorCode::kUnauthenticated : ErrorCode::kUnavailable,
                  fmt::format("cannot connect to {}: {}", c.redacted_url_, base::OneLine(c.ErrorMessage(), 400)));
  }
  PQsetNoticeProcessor(c.conn_.get(), IgnoreNotice, nullptr);
  c.cancel_.reset(PQgetCancel(c.conn_.get()));
  return c;
}

void Connection::Cancel() const {
  if (!cancel_) return;
  char error[256];
  (void)PQcancel(cancel_.get(), error, sizeof error);
}

std::string Connection::Scrub(std::string_view text) const { return base::ScrubSecrets(text, secrets_); }

std::string Connection::ErrorMessage() const {
  return Scrub(base::Trim(conn_ ? PQerrorMessage(conn_.get()) : "the connection was closed"));
}

Status Connection::ErrorFrom(const PGresult* r, int* position) const {
  if (PQstatus(conn_.get()) == CONNECTION_BAD) {
    return Status(ErrorCode::kUnavailable,
                  fmt::format("lost the connection to {}: {}", redacted_url_, base::OneLine(ErrorMessage(), 400)));
  }
  auto field = [&](int code) -> std::string {
    const char* v = r ? PQresultErrorField(r, code) : nullptr;
    return v ? v : "";
  };
  std::string primary = field(PG_DIAG_MESSAGE_PRIMARY);
  std::string message = primary.empty() ? base::OneLine(ErrorMessage(), 400) : Scrub(primary);
  // The SQLSTATE is a five-character code that callers look for; the text around it is masked.
  if (std::string state = field(PG_DIAG_SQLSTATE); !state.empty()) message += " (SQLSTATE " + state + ")";
  if (std::string detail = field(PG_DIAG_MESSAGE_DETAIL); !detail.empty()) message += "; detail: " + Scrub(detail);
  if (std::string hint = field(PG_DIAG_MESSAGE_HINT); !hint.empty()) message += "; hint: " + Scrub(hint);
  if (position) {
    std::string pos = field(PG_DIAG_STATEMENT_POSITION);
    *position = pos.empty() ? 0 : std::atoi(pos.c_str());
  }
  return Status(ErrorCode::kSqlError, message);
}

Result<ResultPtr> Connection::Exec(const std::string& sql, int* position) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY) return r;
  return ErrorFrom(r.get(), position);
}

Result<ResultPtr> Connection::ExecParams(const std::string& sql,
                                         const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  ResultPtr r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                           nullptr, nullptr, 0));
  ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return r;
  return ErrorFrom(r.get(), nullptr);
}

Status Connection::ExecPipeline(const std::vector<std::string>& statements, std::size_t* failed, int* position,
                                const std::function<Status(std::size_t, const PGresult*)>& done) {
  PGconn* c = conn_.get();
  *failed = statements.size();
  if (position) *position = 0;
  if (PQenterPipelineMode(c) != 1) return ErrorFrom(nullptr, nullptr);
  if (PQsetnonblocking(c, 1) != 0) {
    Status st = ErrorFrom(nullptr, nullptr);
    (void)PQexitPipelineMode(c);  // nothing was sent yet
    return st;
  }
  bool sync_sent = false;
  // Leaves pipeline mode, which libpq refuses while results are still due: on an early exit with
  // the connection still up, the pipeline is ended with a sync (if it was not yet) and every result
  // up to it is read and dropped (blocking), so the connection can be used again. If even that
  // fails, the connection is closed rather than left half in pipeline mode.
  auto leave = [&](Status st) {
    if (PQstatus(c) != CONNECTION_OK) return st;
    (void)PQsetnonblocking(c, 0);
    if (PQexitPipelineMode(c) == 1) return st;
    bool drained = sync_sent || PQpipelineSync(c) == 1;
    while (drained) {
      ResultPtr r(PQgetResult(c));
      if (r && PQresultStatus(r.get()) == PGRES_PIPELINE_SYNC) break;
      if (!r && PQstatus(c) != CONNECTION_OK) drained = false;
    }
    if (!drained || PQexitPipelineMode(c) != 1) {
      conn_.reset();  // PQfinish: the next call reports a lost connection, never a wedged one
      return Status(ErrorCode::kUnavailable,
                    fmt::format("closed the connection to {} after a failed pipeline: {}", redacted_url_,
                                st.message()));
    }
    return st;
  };
  for (const std::string& sql : statements) {
    if (PQsendQueryParams(c, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
      return leave(ErrorFrom(nullptr, nullptr));
    }
  }
  if (PQpipelineSync(c) != 1) return leave(ErrorFrom(nullptr, nullptr));
  sync_sent = true;

  Status failure = Status::Ok();
  std::size_t index = 0;  // the statement whose results come next
  bool in_results = false;
  ResultPtr last;  // the current statement's last result
  while (true) {
    int flushed = PQflush(c);  // 0: all sent; 1: more to send once the socket takes it
    if (flushed < 0) return leave(ErrorFrom(nullptr, nullptr));
    bool synced = false;
    while (!synced && !PQisBusy(c)) {
      ResultPtr r(PQgetResult(c));
      if (!r && PQstatus(c) == CONNECTION_BAD) break;  // gone: no more results will come
      if (!r) {  // the end of one statement's results
        if (in_results && index < statements.size()) {
          if (failure.ok() && done) {
            failure = done(index, last.get());
            if (!failure.ok()) *failed = index;
          }
          ++index;
        }
        in_results = false;
        last.reset();
        continue;
      }
      in_results = true;
      const ExecStatusType status = PQresultStatus(r.get());
      switch (status) {
        case PGRES_PIPELINE_SYNC:
          synced = true;
          break;
        case PGRES_FATAL_ERROR:
          if (failure.ok()) {
            failure = ErrorFrom(r.get(), position);
            *failed = index;
          }
          break;
        default:  // rows, a command tag, PGRES_PIPELINE_ABORTED after a failure
          break;
      }
      if (status != PGRES_PIPELINE_SYNC) last = std::move(r);
    }
    if (synced) break;
    if (PQstatus(c) == CONNECTION_BAD) return leave(ErrorFrom(nullptr, nullptr));
    pollfd pfd{PQsocket(c), static_cast<short>(POLLIN | (flushed == 1 ? POLLOUT : 0)), 0};
    if (::poll(&pfd, 1, -1) < 0 && errno != EINTR) return leave(ErrorFrom(nullptr, nullptr));
    if ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) && PQconsumeInput(c) != 1) {
      return leave(ErrorFrom(nullptr, nullptr));
    }
  }
  return leave(std::move(failure));
}

bool Connection::InTransaction() const {
  PGTransactionStatusType t = PQtransactionStatus(conn_.get());
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

namespace {

// The field's text for a message: quoted and cut short, or NULL.
std::string Shown(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return "NULL";
  return "'" + base::OneLine(PQgetvalue(r, row, col), 40) + "'";
}

}  // namespace

Result<std::int64_t> Int64Field(const PGresult* r, int row, int col, std::string_view what) {
  if (!PQgetisnull(r, row, col)) {
    if (auto v = base::ParseInt64(PQgetvalue(r, row, col))) return *v;
  }
  return Status(ErrorCode::kInternal, fmt::format("{} is not an integer: {}", what, Shown(r, row, col)));
}

Result<double> DoubleField(const PGresult* r, int row, int col, std::string_view what) {
  if (!PQgetisnull(r, row, col)) {
    if (auto v = base::ParseDouble(PQgetvalue(r, row, col))) return *v;
  }
  return Status(ErrorCode::kInternal, fmt::format("{} is not a number: {}", what, Shown(r, row, col)));
}

}  // namespace strata::driver::pg
