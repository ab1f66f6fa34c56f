#include "drivers/mariadb/mariadb_conn.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysqld_error.h>

#include "base/text.h"

namespace strata::driver::mariadb {

namespace {

struct ResultFree {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using ResultPtr = std::unique_ptr<MYSQL_RES, ResultFree>;

// Errors at connect time that another password (or other grants) would fix; retrying would not.
bool IsAuthFailure(unsigned error) {
  return error == ER_ACCESS_DENIED_ERROR || error == ER_DBACCESS_DENIED_ERROR ||
         error == ER_ACCESS_DENIED_NO_PASSWORD_ERROR || error == ER_NOT_SUPPORTED_AUTH_MODE ||
         error == CR_AUTH_PLUGIN_CANNOT_LOAD;
}

// Client-side errors (CR_*, 2000 and up) that mean the server is gone or was never reached.
bool IsConnectionLost(unsigned error) {
  return error == CR_SERVER_GONE_ERROR || error == CR_SERVER_LOST || error == CR_CONNECTION_ERROR ||
         error == CR_CONN_HOST_ERROR || error == CR_SERVER_LOST_EXTENDED || error == ER_CONNECTION_KILLED ||
         error == ER_SERVER_SHUTDOWN;
}

std::optional<unsigned> Seconds(const base::DatabaseUrl& url, std::string_view key) {
  for (const auto& [k, v] : url.params) {
    if (k == key) {
      if (auto n = base::ParseInt64(v)) return static_cast<unsigned>(*n);
    }
  }
  return std::nullopt;
}

std::string Param(const base::DatabaseUrl& url, std::string_view key) {
  for (const auto& [k, v] : url.params) {
    if (k == key) return v;
  }
  return "";
}

}  // namespace

Result<Connection> Connection::Open(const base::DatabaseUrl& url) {
  STRATA_RETURN_IF_ERROR(LoadMysql().status());
  Connection c;
  c.redacted_url_ = url.Redacted();
  c.secrets_ = url.Secrets();
  c.conn_.reset(mysql_init(nullptr));
  if (!c.conn_) return Status(ErrorCode::kUnavailable, "cannot connect: out of memory");
  MYSQL* m = c.conn_.get();

  const std::string socket = Param(url, "socket");
  unsigned connect_timeout = Seconds(url, "connect_timeout").value_or(10);
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (auto t = Seconds(url, "read_timeout")) mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &*t);
  if (auto t = Seconds(url, "write_timeout")) mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &*t);
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // A host means TCP, even "localhost" (the connector would take its default socket instead).
  unsigned protocol = socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
  mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol);
  // A silent reconnect would lose the session's run lock and transaction without a word.
  my_bool no = 0;
  mysql_options(m, MYSQL_OPT_RECONNECT, &no);
  // A server could otherwise ask for any file this process can read.
  mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &no);
  // TLS, named as for PostgreSQL (the URL parser checked the combinations). Without sslmode the
  // connector's default: no TLS. A CA to check against makes the connector check the chain;
  // verify-full also checks the host name (without a CA: against the system's CAs).
  const std::string sslmode = Param(url, "sslmode");
  if (!sslmode.empty()) {
    my_bool use = sslmode == "disable" ? 0 : 1;
    mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &use);
    my_bool verify = sslmode == "verify-full" ? 1 : 0;
    mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    // Only verify-full makes the connector refuse, before logging in, a server that offers no TLS;
    // require and verify-ca find out after (below). Meanwhile a man in the middle that hid the
    // server's TLS could ask for the password itself (mysql_clear_password, dialog) or for an RSA
    // exchange with its own key: only challenge-response logins are allowed then.
    if (sslmode == "require" || sslmode == "verify-ca") {
      mysql_options(m, MARIADB_OPT_RESTRICTED_AUTH, "mysql_native_password,client_ed25519");
    }
    if (const std::string ca = Param(url, "sslrootcert"); !ca.empty()) mysql_options(m, MYSQL_OPT_SSL_CA, ca.c_str());
    if (const std::string cert = Param(url, "sslcert"); !cert.empty()) {
      mysql_options(m, MYSQL_OPT_SSL_CERT, cert.c_str());
      mysql_options(m, MYSQL_OPT_SSL_KEY, Param(url, "sslkey").c_str());
    }
  }

  const std::string& database = url.database_override.empty() ? url.database : url.database_override;
  auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
  const unsigned port = url.port.empty() ? 0 : static_cast<unsigned>(base::ParseInt64(url.port).value_or(0));
  const char* host = socket.empty() ? url.host.c_str() : "localhost";
  if (!mysql_real_connect(m, host, or_null(url.user), or_null(url.password), or_null(database), port,
                          // No CLIENT_FOUND_ROWS: an UPDATE counts the rows it changed, which the lease
                          // lock relies on (mariadb_lease.cc).
                          or_null(socket), /*client_flag=*/0)) {
    const unsigned error = mysql_errno(m);
    const ErrorCode code = IsAuthFailure(error) ? ErrorCode::kUnauthenticated : ErrorCode::kUnavailable;
    std::string what = base::OneLine(mysql_error(m), 400);
    if (error == ER_BAD_DB_ERROR) what = fmt::format("database {} does not exist ({})", database, what);
    if (error == CR_SSL_CONNECTION_ERROR && sslmode == "verify-full" &&
        what.find("Validation of SSL server certificate failed") != std::string::npos) {
      what += "; sslmode=verify-full also checks that the server's certificate names the host of the URL";
    } else if (error == CR_SSL_CONNECTION_ERROR && sslmode.starts_with("verify-") &&
               what.find("certificate") != std::string::npos) {
      what += fmt::format("; sslmode={} checks the server's certificate against {}", sslmode,
                          Param(url, "sslrootcert").empty() ? std::string("the system's CAs (sslrootcert= names another)")
                                                            : "the CA of sslrootcert");
    }
    return Status(code, fmt::format("cannot connect to {}: {} (error {})", c.redacted_url_, c.Scrub(what), error));
  }
  // The connector goes on without TLS when the server offers none, unless it is to check the
  // host name: prefer allows that, require and verify-ca do not.
  if ((sslmode == "require" || sslmode == "verify-ca") && mysql_get_ssl_cipher(m) == nullptr) {
    return Status(ErrorCode::kUnavailable,
                  fmt::format("cannot connect to {}: sslmode={} asks for TLS, and the server offers none",
                              c.redacted_url_, sslmode));
  }
  return c;
}

std::string Connection::Scrub(std::string_view text) const { return base::ScrubSecrets(text, secrets_); }

Status Connection::Failure() {
  MYSQL* m = conn_.get();
  last_error_ = mysql_errno(m);
  std::string message = base::OneLine(Scrub(mysql_error(m)), 2000);
  if (IsConnectionLost(last_error_)) {
    return Status(ErrorCode::kUnavailable,
                  fmt::format("lost the connection to {}: {} (error {})", redacted_url_, message, last_error_));
  }
  return Status(ErrorCode::kSqlError, fmt::format("{} (error {}, SQLSTATE {})", message, last_error_, mysql_sqlstate(m)));
}

Result<std::uint64_t> Connection::Stream(
    std::string_view sql, const std::function<Status(const std::vector<std::string>& columns)>& on_columns,
    const std::function<Status(RowView row)>& on_row) {
  MYSQL* m = conn_.get();
  last_error_ = 0;
  if (TakePendingBegin()) {
    constexpr std::string_view kBegin = "START TRANSACTION";
    if (mysql_real_query(m, kBegin.data(), kBegin.size()) != 0) return Failure();
  }
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) return Failure();
  std::uint64_t affected_rows = 0;
  Status stopped = Status::Ok();  // the first error of a callback
  bool first = true;
  while (true) {
    // Rows are read straight off the wire (use, not store): mysql_store_result would first copy
    // the whole result into the connector's memory.
    ResultPtr r(mysql_use_result(m));
    if (!r && mysql_field_count(m) != 0) return Failure();  // rows were due but could not be read
    if (first) {
      affected_rows = r ? 0 : mysql_affected_rows(m);
      if (r) {
        const unsigned n = mysql_num_fields(r.get());
        MYSQL_FIELD* fields = mysql_fetch_fields(r.get());
        std::vector<std::string> columns;
        columns.reserve(n);
        for (unsigned i = 0; i < n; ++i) columns.emplace_back(fields[i].name, fields[i].name_length);
        stopped = on_columns(columns);
        std::vector<std::optional<std::string_view>> cells(n);
        while (MYSQL_ROW row = mysql_fetch_row(r.get())) {
          if (!stopped.ok()) continue;  // read to the end all the same
          unsigned long* lengths = mysql_fetch_lengths(r.get());
          for (unsigned i = 0; i < n; ++i) {
            cells[i] = row[i] ? std::optional<std::string_view>(std::string_view(row[i], lengths[i])) : std::nullopt;
          }
          stopped = on_row(cells);
        }
        if (mysql_errno(m) != 0) return Failure();  // the rows stopped short: the connection failed
      }
      first = false;
    }
    // A CALL returns a status result after its result sets; all must be read before the next query.
    // Freeing a result that is being used reads the rest of its rows: before asking for the next.
    r.reset();
    if (!mysql_more_results(m)) break;
    if (int next = mysql_next_result(m); next > 0) return Failure();
    else if (next < 0) break;
  }
  if (!stopped.ok()) return stopped;
  return affected_rows;
}

Result<QueryResult> Connection::Query(std::string_view sql) {
  QueryResult out;
  STRATA_ASSIGN_OR_RETURN(
      out.affected_rows,
      Stream(
          sql,
          [&out](const std::vector<std::string>& columns) {
            out.columns = columns;
            return Status::Ok();
          },
          [&out](RowView row) {
            auto& values = out.rows.emplace_back();
            values.reserve(row.size());
            for (const auto& cell : row) {
              values.push_back(cell ? std::optional<std::string>(std::string(*cell)) : std::nullopt);
            }
            return Status::Ok();
          }));
  return out;
}

Status Connection::Exec(std::string_view sql) { return Query(sql).status(); }

Status Connection::ResetSession() {
  MYSQL* m = conn_.get();
  last_error_ = 0;
  begin_pending_ = false;
  // The connector keeps its own idea of the character set (for escaping): set both again.
  if (mysql_reset_connection(m) != 0 || mysql_set_character_set(m, "utf8mb4") != 0) return Failure();
  return Status::Ok();
}

std::string Connection::Quote(std::string_view value) const {
  std::string out(value.size() * 2 + 3, '\0');
  out[0] = '\'';
  unsigned long n = mysql_real_escape_string(conn_.get(), out.data() + 1, value.data(), value.size());
  out.resize(n + 1);
  out += '\'';
  return out;
}

std::uint64_t Connection::ThreadId() const { return mysql_thread_id(conn_.get()); }

std::string Connection::ServerVersion() const {
  const char* v = mysql_get_server_info(conn_.get());
  return v ? v : "";
}

std::string Cell(const QueryResult& r, std::size_t row, std::size_t col) {
  const auto& v = r.rows.at(row).at(col);
  return v ? *v : std::string();
}

std::string QuoteName(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

}  // namespace strata::driver::mariadb
