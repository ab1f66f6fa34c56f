#include "drivers/mariadb/mariadb_driver.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/sha256.h"
#include "base/text.h"
#include "drivers/mariadb/mariadb_conn.h"
#include "drivers/mariadb/mariadb_lease.h"
#include "drivers/mariadb/mariadb_schema.h"
#include "sql/mysql_split.h"
#include "sql/statement.h"

namespace strata::driver {

namespace {

using mariadb::Cell;
using mariadb::Connection;
using mariadb::QueryResult;
using mariadb::QuoteName;
using mariadb::RowView;

// The other engines' history columns and `progress` (HistoryRow::progress): DDL commits by itself
// here, so a migration that fails half way records how far it got.
constexpr const char* kMariadbHistoryColumns[] = {"version",      "name",  "checksum",       "applied_at",
                                                  "execution_ms", "state", "strata_version", "progress"};

// strata chose the column's type, so a NULL or text that is not a number is kInternal.
Result<std::int64_t> IntCell(const QueryResult& r, std::size_t row, std::size_t col, std::string_view what) {
  const auto& v = r.rows.at(row).at(col);
  if (v) {
    if (auto n = base::ParseInt64(*v)) return *n;
  }
  return Status(ErrorCode::kInternal,
                fmt::format("{} is not an integer: {}", what, v ? "'" + base::OneLine(*v, 40) + "'" : "NULL"));
}

Result<double> DoubleCell(const QueryResult& r, std::size_t row, std::size_t col, std::string_view what) {
  const auto& v = r.rows.at(row).at(col);
  if (v) {
    if (auto n = base::ParseDouble(*v)) return *n;
  }
  return Status(ErrorCode::kInternal,
                fmt::format("{} is not a number: {}", what, v ? "'" + base::OneLine(*v, 40) + "'" : "NULL"));
}

// The engine's UTC timestamps ("2024-05-01T10:00:00.123Z") as a DATETIME(3) literal's text.
std::string ToDatetime(std::string_view iso) {
  std::string out(iso);
  if (!out.empty() && (out.back() == 'Z' || out.back() == 'z')) out.pop_back();
  if (out.size() > 10 && (out[10] == 'T' || out[10] == 't')) out[10] = ' ';
  return out;
}

// A DATETIME(3) column read back in the engine's form.
std::string IsoColumn(std::string_view column) {
  return fmt::format("DATE_FORMAT({0}, '%Y-%m-%dT%H:%i:%s.%f')", column);
}
std::string FromIsoColumn(std::string text) {
  // DATE_FORMAT gives microseconds; the other engines give milliseconds.
  if (text.size() == 26) text.resize(23);
  return text.empty() ? text : text + "Z";
}

// One lock name per database and history table, so that two projects sharing a server do not
// block each other. GET_LOCK names are at most 64 characters.
std::string LockName(const std::string& database, const std::string& table) {
  return "strata_" + base::Sha256Hex("strata\n" + database + "\n" + table).substr(0, 40);
}

// The byte offset inside `statement` that a server error points at: MariaDB says
// "... near 'text' at line N" (N counted from the statement's first line).
std::size_t ErrorOffset(std::string_view statement, std::string_view message) {
  std::size_t at_line = message.rfind(" at line ");
  if (at_line == std::string_view::npos) return 0;
  auto line = base::ParseInt64(message.substr(at_line + 9, message.find_first_not_of("0123456789", at_line + 9) -
                                                              (at_line + 9)));
  if (!line || *line < 1) return 0;
  std::size_t offset = 0;
  for (std::int64_t n = 1; n < *line; ++n) {
    std::size_t nl = statement.find('\n', offset);
    if (nl == std::string_view::npos) return 0;
    offset = nl + 1;
  }
  std::size_t near = message.find("near '");
  if (near != std::string_view::npos && near + 7 <= at_line) {
    std::string_view quoted = message.substr(near + 6, at_line - near - 7);
    std::string_view head = quoted.substr(0, std::min<std::size_t>(quoted.size(), 16));
    // The message came through OneLine: a run of blanks there (one space) may be a line break and
    // an indent in the statement.
    auto matches_at = [&](std::size_t p) {
      for (char c : head) {
        if (c == ' ') {
          if (p >= statement.size() || !std::isspace(static_cast<unsigned char>(statement[p]))) return false;
          while (p < statement.size() && std::isspace(static_cast<unsigned char>(statement[p]))) ++p;
        } else if (p >= statement.size() || statement[p++] != c) {
          return false;
        }
      }
      return true;
    };
    for (std::size_t p = offset; !head.empty() && p < statement.size(); ++p) {
      if (matches_at(p)) return p;
    }
  }
  return offset;
}

// GET_LOCK on a connection of its own: DDL commits implicitly on this engine, and a lock held by
// a session of its own stays put whatever the migration's session does. The server releases it
// when that session ends, so a killed runner never blocks the next one.
class MariadbRunLock : public RunLock {
 public:
  MariadbRunLock(Connection* lock_conn, Connection* conn, std::string name, std::string session, bool* held,
                 std::string caveat)
      : lock_conn_(lock_conn),
        conn_(conn),
        name_(std::move(name)),
        session_(std::move(session)),
        held_(held),
        caveat_(std::move(caveat)) {
    *held_ = true;
  }
  ~MariadbRunLock() override {
    *held_ = false;
    (void)lock_conn_->Exec("DO RELEASE_LOCK(" + lock_conn_->Quote(name_) + ")");
  }

  // Asked on the migration's own connection, so that a lock session that died (killed by an
  // operator, dropped by a proxy) is seen before the next commit: the server then says another
  // session, or none, holds the lock. A question that cannot be asked is left to the commit, which
  // fails on the same connection.
  std::string Caveat() const override { return caveat_; }

  Status Held() const override {
    auto r = conn_->Query("SELECT IS_USED_LOCK(" + conn_->Quote(name_) + ")");
    if (!r.ok() || r->rows.empty()) return Status::Ok();
    const auto& holder = r->rows[0][0];
    if (holder && *holder == session_) return Status::Ok();
    return Status(ErrorCode::kLockLost,
                  fmt::format("the session that held the migration lock on {} (session {}) is gone{}; another "
                              "runner may hold the lock now",
                              conn_->redacted_url(), session_,
                              holder ? fmt::format(" and session {} holds the lock", *holder) : std::string()));
  }

 private:
  Connection* lock_conn_;
  Connection* conn_;
  std::string name_;
  std::string session_;  // the lock connection's CONNECTION_ID()
  bool* held_;
  std::string caveat_;
};

// The lease lock (--lock=table): a row in a table, which a Galera cluster replicates, where
// GET_LOCK keeps out one node's runners only. Nothing ends it with a session; it expires unless
// renewed (mariadb_lease.h), and the driver makes each commit conditional on it (Lease::Fence).
class MariadbLeaseLock : public RunLock {
 public:
  MariadbLeaseLock(std::unique_ptr<mariadb::Lease> lease, mariadb::Lease** active, bool* held)
      : lease_(std::move(lease)), active_(active), held_(held) {
    *active_ = lease_.get();
    *held_ = true;
  }
  ~MariadbLeaseLock() override {
    *held_ = false;
    *active_ = nullptr;
  }

  Status Held() const override { return lease_->Held(); }

 private:
  std::unique_ptr<mariadb::Lease> lease_;
  mariadb::Lease** active_;
  bool* held_;
};

class MariadbDriver : public Driver {
 public:
  MariadbDriver(Connection conn, base::DatabaseUrl url, OpenOptions options)
      : conn_(std::move(conn)), url_(std::move(url)), options_(std::move(options)) {
    // strata's own tables are named with their database: a migration's `USE other` changes the
    // session's default database, and its history row must not follow it there.
    database_ = url_.database_override.empty() ? url_.database : url_.database_override;
    table_ = Qualified(database_, options_.history_table);
    log_table_ = Qualified(database_, options_.history_table + "_log");
    session_id_ = conn_.ThreadId();
  }

  ~MariadbDriver() override { Rollback(); }

  Engine engine() const override { return Engine::kMariadb; }

  Result<bool> HistoryExists() override {
    return TableExists(options_.history_table, std::begin(kMariadbHistoryColumns), std::end(kMariadbHistoryColumns));
  }

  Status CreateHistory() override {
    // DDL commits by itself here; IF NOT EXISTS makes a concurrent runner's creation harmless.
    Status st = conn_.Exec(fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (\n"
        "  version BIGINT NOT NULL PRIMARY KEY,\n"
        "  name TEXT NOT NULL,\n"
        "  checksum VARCHAR(128) NOT NULL,\n"
        "  applied_at DATETIME(3) NOT NULL,\n"
        "  execution_ms DOUBLE NOT NULL,\n"
        "  state VARCHAR(16) NOT NULL CHECK (state IN ('applied', 'dirty', 'baseline')),\n"
        "  strata_version VARCHAR(64) NOT NULL,\n"
        "  progress MEDIUMTEXT NULL\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        table_));
    if (!st.ok()) return std::move(st).WithPrefix("cannot create the history table " + table_ + ": ");
    return Status::Ok();
  }

  Result<std::vector<HistoryRow>> ReadHistory() override {
    std::vector<HistoryRow> rows;
    Status parsed = Status::Ok();
    auto streamed = conn_.Stream(
        fmt::format("SELECT version, name, checksum, {}, execution_ms, state, strata_version, progress FROM {}",
                    IsoColumn("applied_at"), table_),
        [](const std::vector<std::string>&) { return Status::Ok(); },
        [&](RowView cells) {
          parsed = ParseHistoryRow(cells, {0, 1, 2, 3, 4, 5, 6, 7}, rows.emplace_back());
          return parsed;
        });
    if (!parsed.ok()) return parsed;
    if (!streamed.ok()) return streamed.status();
    return rows;
  }

  // The layout and the rows in one round trip, where the layout question and the read were two (an
  // up-to-date run costs this and nothing more): `SELECT *` names the table's columns. When the table
  // is absent, or its columns are not strata's, the information_schema question says what is wrong.
  // The rows are parsed as they arrive, never kept as text.
  Result<std::optional<std::vector<HistoryRow>>> ReadHistoryIfExists() override {
    std::array<std::size_t, std::size(kMariadbHistoryColumns)> at{};
    bool ours = false;
    std::vector<HistoryRow> rows;
    Status parsed = Status::Ok();
    auto streamed = conn_.Stream(
        "SELECT * FROM " + table_,
        [&](const std::vector<std::string>& columns) {
          ours = columns.size() == at.size();
          for (std::size_t i = 0; ours && i < at.size(); ++i) {
            auto it = std::find_if(columns.begin(), columns.end(),
                                   [&](const std::string& c) { return base::Lower(c) == kMariadbHistoryColumns[i]; });
            ours = it != columns.end();
            if (ours) at[i] = static_cast<std::size_t>(it - columns.begin());
          }
          // Not strata's layout: stop here, and let the slower questions below say what is wrong.
          return ours ? Status::Ok() : Status(ErrorCode::kFailedPrecondition, "not the history's layout");
        },
        [&](RowView cells) {
          parsed = ParseHistoryRow(cells, at, rows.emplace_back());
          return parsed;
        });
    if (!ours) {
      constexpr unsigned kNoSuchTable = 1146;
      if (!streamed.ok() && conn_.last_error() == kNoSuchTable) return std::optional<std::vector<HistoryRow>>();
      if (!streamed.ok() && streamed.status().code() == ErrorCode::kUnavailable) return streamed.status();
      return Driver::ReadHistoryIfExists();
    }
    if (!parsed.ok()) return parsed;
    if (!streamed.ok()) return streamed.status();
    return std::optional<std::vector<HistoryRow>>(std::move(rows));
  }

  Result<std::int64_t> ChangeToken() override {
    // Every writer of the history holds the run lock, so while we hold it nothing else changes it.
    if (lock_held_) return std::int64_t{0};
    STRATA_ASSIGN_OR_RETURN(QueryResult r,
                            conn_.Query(fmt::format("SELECT COUNT(*), COALESCE(MAX(version), 0) FROM {}", table_)));
    STRATA_ASSIGN_OR_RETURN(std::int64_t count, IntCell(r, 0, 0, "the row count of " + table_));
    STRATA_ASSIGN_OR_RETURN(std::int64_t newest, IntCell(r, 0, 1, "the highest version in " + table_));
    return count * 1000003 ^ newest;
  }

  Result<std::uint64_t> LegacyVersion() override { return std::uint64_t{0}; }

  Result<std::unique_ptr<RunLock>> LockRun() override {
    if (options_.lock_kind == LockKind::kLease) return LockLease();
    if (!lock_conn_) {
      STRATA_ASSIGN_OR_RETURN(Connection c, Connection::Open(url_));
      lock_conn_ = std::make_unique<Connection>(std::move(c));
    }
    const std::string name = LockName(url_.database, options_.history_table);
    const std::string quoted = lock_conn_->Quote(name);
    auto start = std::chrono::steady_clock::now();
    // First without waiting, so that a wait can be announced with the holder's name.
    auto first = lock_conn_->Query(fmt::format("SELECT GET_LOCK({}, 0)", quoted));
    if (!first.ok() && first.status().message().find("GET_LOCK in cluster") != std::string::npos) {
      // Releases of 2023 (MDEV-30473, since reverted) refuse GET_LOCK on a Galera node.
      return Status(first.status().code(),
                    fmt::format("cannot take the migration lock on {}: the server is a node of a Galera cluster, and "
                                "its version refuses GET_LOCK, strata's run lock on MariaDB ({}); a later MariaDB "
                                "release allows it again, on one node at a time",
                                conn_.redacted_url(), first.status().message()));
    }
    STRATA_ASSIGN_OR_RETURN(QueryResult r, std::move(first));
    if (Cell(r, 0, 0) != "1" && options_.lock_timeout.count() > 0) {
      if (options_.lock_waiting) options_.lock_waiting(Holder(quoted));
      STRATA_ASSIGN_OR_RETURN(
          r, lock_conn_->Query(fmt::format("SELECT GET_LOCK({}, {:.3f})", quoted,
                                           static_cast<double>(options_.lock_timeout.count()) / 1000.0)));
    }
    if (Cell(r, 0, 0) != "1") {
      double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return Status(ErrorCode::kAborted, fmt::format("could not take the migration lock on {} within {:.1f} s: {}",
                                                     conn_.redacted_url(), waited, Holder(quoted)))
          .WithRemedy(Remedy::kLockTimeout);
    }
    // Galera replicates neither GET_LOCK nor its release: the lock keeps out this node's sessions only.
    std::string caveat;
    auto wsrep = lock_conn_->Query("SHOW VARIABLES LIKE 'wsrep_on'");
    if (wsrep.ok() && !wsrep->rows.empty() && wsrep->rows[0].size() > 1 && Cell(*wsrep, 0, 1) == "ON") {
      caveat = fmt::format("{} is a node of a Galera cluster (wsrep_on is ON): GET_LOCK, strata's run lock on "
                           "MariaDB, holds on this node only, so a runner connected to another node is not kept "
                           "out and could run the same migration at once; point every runner at the same node, or "
                           "use the lease lock (--lock=table), which holds across the cluster",
                           conn_.redacted_url());
    }
    return std::unique_ptr<RunLock>(std::make_unique<MariadbRunLock>(lock_conn_.get(), &conn_, name,
                                                                     std::to_string(lock_conn_->ThreadId()),
                                                                     &lock_held_, std::move(caveat)));
  }

  // START TRANSACTION goes out with the transaction's first statement: a migration that runs
  // statement by statement ends the transaction before it sends one (FencesHistoryWrites).
  Status BeginWrite() override {
    STRATA_RETURN_IF_ERROR(RestoreSession());
    conn_.BeginLazily();
    in_transaction_ = true;
    return Status::Ok();
  }

  Status Commit() override {
    in_transaction_ = false;
    if (conn_.TakePendingBegin()) return Status::Ok();  // nothing was sent in it
    Status st = lease_ ? lease_->Fence(conn_) : Status::Ok();
    if (st.ok()) st = conn_.Exec("COMMIT");
    if (!st.ok() && conn_.get()) (void)conn_.Exec("ROLLBACK");
    if (!st.ok() && lease_) st = lease_->ExplainConflict(conn_, st);
    return st;
  }

  void Rollback() override {
    if (in_transaction_ && !conn_.TakePendingBegin() && conn_.get()) (void)conn_.Exec("ROLLBACK");
    in_transaction_ = false;
  }

  // KILL QUERY from a session of its own: the statement stops with error 1317 (or, for SLEEP(),
  // returns at once) and the transaction stays open for the engine to roll back. Only a session
  // of the same user is killed: behind a proxy, the id could name another client's session on
  // another server.
  void CancelOnServer() override {
    const std::uint64_t id = session_id_.load();
    if (id == 0) return;
    auto killer = Connection::Open(url_);
    if (!killer.ok()) return;
    auto same = killer->Query(fmt::format(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = {} AND USER = (SELECT USER FROM "
        "information_schema.PROCESSLIST WHERE ID = CONNECTION_ID())",
        id));
    if (!same.ok() || Cell(*same, 0, 0) != "1") return;
    (void)killer->Exec(fmt::format("KILL QUERY {}", id));
  }

  Status Execute(std::string_view sql, const ExecOptions& options, const StatementObserver& observer) override {
    (void)options;  // the session's transaction, if any, was opened by BeginWrite
    STRATA_RETURN_IF_ERROR(sql::RejectNul(sql));
    std::vector<sql::StatementSpan> spans;
    if (options.no_split) {
      std::string_view t = base::Trim(sql);
      if (!t.empty()) {
        std::size_t b = static_cast<std::size_t>(t.data() - sql.data());
        spans.push_back({b, b + t.size()});
      }
    } else {
      STRATA_ASSIGN_OR_RETURN(sql::MysqlQuoting quoting, Quoting());
      STRATA_ASSIGN_OR_RETURN(spans, sql::SplitMysql(sql, quoting));
    }
    for (const sql::StatementSpan& span : spans) {
      std::string_view text = sql.substr(span.begin, span.end - span.begin);
      // Both are short statements: the first 4 KiB tell (a multi-megabyte INSERT is not lexed twice).
      const std::string_view lead = text.substr(0, 4096);
      if (sql::IsMysqlUse(lead)) {
        database_changed_ = true;
      } else if (sql::IsMysqlSessionSetting(lead)) {
        session_changed_ = true;
      }
      if (!in_transaction_) non_transactional_.reset();  // DDL may make or change a table
      if (Cancelled()) return Status(ErrorCode::kSqlError, "cancelled before this statement").WithSqlOffset(span.begin);
      auto t0 = std::chrono::steady_clock::now();
      Status st = conn_.Exec(text);
      if (!st.ok()) {
        std::size_t offset = span.begin + ErrorOffset(text, st.message());
        constexpr unsigned kPacketTooLarge = 1153;  // the server then closes the session
        if (conn_.last_error() == kPacketTooLarge) {
          st = Status(st.code(), fmt::format("{}; the statement is {} bytes: raise max_allowed_packet on the server, "
                                             "or split the statement",
                                             st.message(), text.size()));
        }
        return Status(st.code(), st.message())
            .WithSqlOffset(offset)
            .WithLocation(SourceLocation{.statement = std::string(text)});
      }
      if (observer) {
        observer(span.begin, span.end,
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
    }
    return Status::Ok();
  }

  // DDL ends a transaction instead, implicitly; what fails for being inside one is what would change
  // the transaction itself (SET TRANSACTION ..., error 1568), which the server reports with SQLSTATE
  // 25001 as PostgreSQL does.
  bool CannotRunInTransaction(const Status& failure) const override {
    return failure.message().find("SQLSTATE 25001") != std::string::npos;
  }

  Status CheckIntegrity() override { return Status::Ok(); }  // InnoDB enforces the constraints

  Status InsertHistory(const HistoryRow& row) override {
    return WriteHistory(fmt::format(
        "INSERT INTO {} (version, name, checksum, applied_at, execution_ms, state, strata_version, progress) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        table_, VersionToKey(row.version), conn_.Quote(row.name), conn_.Quote(row.checksum),
        conn_.Quote(ToDatetime(row.applied_at)), fmt::format("{}", row.execution_ms),
        conn_.Quote(RowStateName(row.state)), conn_.Quote(row.strata_version), Progress(row)));
  }

  Status UpdateHistory(const HistoryRow& row) override {
    return WriteHistory(fmt::format(
        "UPDATE {} SET name = {}, checksum = {}, applied_at = {}, execution_ms = {}, state = {}, strata_version = {}, "
        "progress = {} WHERE version = {}",
        table_, conn_.Quote(row.name), conn_.Quote(row.checksum), conn_.Quote(ToDatetime(row.applied_at)),
        fmt::format("{}", row.execution_ms), conn_.Quote(RowStateName(row.state)), conn_.Quote(row.strata_version),
        Progress(row), VersionToKey(row.version)));
  }

  Result<std::vector<std::string>> NonTransactionalTables() override {
    // Read once, and again only after a statement outside a transaction (DDL) may have made or
    // changed a table: a run of data migrations costs one query, not one each.
    if (!non_transactional_) {
      const std::string schema = database_.empty() ? std::string("DATABASE()") : conn_.Quote(database_);
      STRATA_ASSIGN_OR_RETURN(QueryResult r,
                              conn_.Query("SELECT LOWER(t.TABLE_NAME) FROM information_schema.TABLES t JOIN "
                                          "information_schema.ENGINES e ON e.ENGINE = t.ENGINE WHERE t.TABLE_SCHEMA = " +
                                          schema + " AND e.TRANSACTIONS <> 'YES'"));
      std::vector<std::string> tables;
      for (std::size_t i = 0; i < r.rows.size(); ++i) tables.push_back(Cell(r, i, 0));
      std::sort(tables.begin(), tables.end());  // by bytes, not by the server's collation
      non_transactional_ = std::move(tables);
    }
    return *non_transactional_;
  }

  bool RecordsProgress() const override { return true; }
  bool FencesHistoryWrites() const override { return true; }

  Status RecordProgress(std::uint64_t version, const std::string& progress) override {
    return WriteHistory(fmt::format("UPDATE {} SET progress = {} WHERE version = {}", table_, conn_.Quote(progress),
                                  VersionToKey(version)));
  }

  Result<std::vector<std::pair<std::size_t, std::size_t>>> Statements(std::string_view sql) override {
    STRATA_ASSIGN_OR_RETURN(sql::MysqlQuoting quoting, Quoting());
    STRATA_ASSIGN_OR_RETURN(auto spans, sql::SplitMysql(sql, quoting));
    std::vector<std::pair<std::size_t, std::size_t>> out;
    out.reserve(spans.size());
    for (const sql::StatementSpan& span : spans) out.emplace_back(span.begin, span.end);
    return out;
  }

  Status DeleteHistory(std::uint64_t version) override {
    return conn_.Exec(fmt::format("DELETE FROM {} WHERE version = {}", table_, VersionToKey(version)));
  }

  Status MirrorVersion(std::uint64_t version) override {
    (void)version;  // no place for it outside the history table
    return Status::Ok();
  }

  Status AppendLog(const LogRow& row) override {
    Status st = RestoreSession();
    if (st.ok()) st = AppendLogOnce(row);
    if (st.code() != ErrorCode::kUnavailable) return st;
    // The run's session is gone (a lost connection, or a server that closed it after an error such
    // as a packet too large): the run is still logged, on a new one. Nothing runs after the log.
    STRATA_ASSIGN_OR_RETURN(Connection fresh, Connection::Open(url_));
    conn_ = std::move(fresh);
    session_id_ = conn_.ThreadId();
    database_changed_ = false;
    session_changed_ = false;
    return AppendLogOnce(row);
  }

  Status AppendLogOnce(const LogRow& row) {
    STRATA_ASSIGN_OR_RETURN(bool exists, TableExists(options_.history_table + "_log", std::begin(kLogColumns),
                                                     std::end(kLogColumns)));
    if (!exists) {
      STRATA_RETURN_IF_ERROR(conn_.Exec(fmt::format(
          "CREATE TABLE IF NOT EXISTS {} (id BIGINT AUTO_INCREMENT PRIMARY KEY, started_at DATETIME(3) NOT NULL, "
          "finished_at DATETIME(3) NOT NULL, command VARCHAR(64) NOT NULL, actor TEXT NOT NULL, "
          "from_version BIGINT NOT NULL, to_version BIGINT NOT NULL, migrations TEXT NOT NULL, "
          "duration_ms DOUBLE NOT NULL, outcome VARCHAR(32) NOT NULL, error TEXT NOT NULL, "
          "backup_file TEXT NOT NULL, strata_version VARCHAR(64) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
          log_table_)));
    }
    return conn_.Exec(fmt::format(
        "INSERT INTO {} (started_at, finished_at, command, actor, from_version, to_version, migrations, "
        "duration_ms, outcome, error, backup_file, strata_version) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
        "{}, {})",
        log_table_, conn_.Quote(ToDatetime(row.started_at)), conn_.Quote(ToDatetime(row.finished_at)),
        conn_.Quote(row.command), conn_.Quote(row.actor), VersionToKey(row.from_version),
        VersionToKey(row.to_version), conn_.Quote(row.migrations), fmt::format("{}", row.duration_ms),
        conn_.Quote(row.outcome), conn_.Quote(row.error), conn_.Quote(row.backup_file),
        conn_.Quote(row.strata_version)));
  }

  Result<std::vector<LogRow>> ReadLog(std::size_t limit) override {
    STRATA_ASSIGN_OR_RETURN(bool exists, TableExists(options_.history_table + "_log", std::begin(kLogColumns),
                                                     std::end(kLogColumns)));
    if (!exists) return std::vector<LogRow>();
    STRATA_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_.Query(fmt::format("SELECT id, {}, {}, command, actor, from_version, to_version, migrations, duration_ms, "
                                "outcome, error, backup_file, strata_version FROM {} ORDER BY id DESC LIMIT {}",
                                IsoColumn("started_at"), IsoColumn("finished_at"), log_table_, limit)));
    std::vector<LogRow> rows;
    const std::string in_log = " in " + log_table_;
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
      LogRow row;
      STRATA_ASSIGN_OR_RETURN(row.id, IntCell(r, i, 0, "an id" + in_log));
      row.started_at = FromIsoColumn(Cell(r, i, 1));
      row.finished_at = FromIsoColumn(Cell(r, i, 2));
      row.command = Cell(r, i, 3);
      row.actor = Cell(r, i, 4);
      STRATA_ASSIGN_OR_RETURN(std::int64_t from, IntCell(r, i, 5, "a from_version" + in_log));
      STRATA_ASSIGN_OR_RETURN(std::int64_t to, IntCell(r, i, 6, "a to_version" + in_log));
      row.from_version = KeyToVersion(from);
      row.to_version = KeyToVersion(to);
      row.migrations = Cell(r, i, 7);
      STRATA_ASSIGN_OR_RETURN(row.duration_ms, DoubleCell(r, i, 8, "a duration_ms" + in_log));
      row.outcome = Cell(r, i, 9);
      row.error = Cell(r, i, 10);
      row.backup_file = Cell(r, i, 11);
      row.strata_version = Cell(r, i, 12);
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<schema::Schema> Introspect(const IntrospectOptions& options) override {
    return mariadb::IntrospectMariadb(conn_, options_.history_table, options);
  }

  Result<std::int64_t> CountRows(const std::string& schema, const std::string& table) override {
    STRATA_ASSIGN_OR_RETURN(QueryResult r, conn_.Query("SELECT COUNT(*) FROM " + Qualified(schema, table)));
    return IntCell(r, 0, 0, "the row count of " + Qualified(schema, table));
  }

  // Each row's SHA-256 over QUOTE() of its columns (QUOTE(NULL) is the bare word NULL, unlike any
  // quoted string), and two 60-bit slices of it summed over the rows: a sum, unlike XOR, still sees
  // a row that is there twice, and no order of the rows changes it. Empty tables all give "0:0".
  Result<TableFingerprint> Fingerprint(const std::string& schema, const std::string& table) override {
    const std::string where_schema = schema.empty() ? "DATABASE()" : conn_.Quote(schema);
    STRATA_ASSIGN_OR_RETURN(
        QueryResult cols, conn_.Query("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " +
                                      where_schema + " AND TABLE_NAME = " + conn_.Quote(table) +
                                      " ORDER BY ORDINAL_POSITION"));
    if (cols.rows.empty()) {  // let the server say that the table does not exist
      STRATA_RETURN_IF_ERROR(CountRows(schema, table).status());
      return Status(ErrorCode::kSqlError, "table " + Qualified(schema, table) + " has no columns");
    }
    std::string values;
    for (std::size_t i = 0; i < cols.rows.size(); ++i) {
      values += (i ? ", " : "") + std::string("QUOTE(") + QuoteName(Cell(cols, i, 0)) + ")";
    }
    const std::string row_hash = "SHA2(CONCAT_WS(',', " + values + "), 256)";
    STRATA_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_.Query(fmt::format("SELECT COUNT(*), COALESCE(SUM(CONV(SUBSTR(h, 1, 15), 16, 10)), 0), "
                                "COALESCE(SUM(CONV(SUBSTR(h, 16, 15), 16, 10)), 0) FROM (SELECT {} AS h FROM {}) rows_",
                                row_hash, Qualified(schema, table))));
    TableFingerprint out;
    STRATA_ASSIGN_OR_RETURN(out.rows, IntCell(r, 0, 0, "the row count of " + Qualified(schema, table)));
    out.hash = Cell(r, 0, 1) + ":" + Cell(r, 0, 2);
    return out;
  }

  // Each row as "(v1, v2, ...)": QUOTE() of each column (the bare word NULL for NULL), except
  // binary columns, which come as X'hex' so that the text stays text, and BIT columns, as b'bits'.
  // Everything is converted to utf8mb4 (the connection's character set), so that columns of other
  // character sets mix.
  Status ReadRowsAsSql(const std::string& schema, const std::string& table, const std::vector<std::string>& columns,
                       const std::function<Status(std::string_view)>& row) override {
    const std::string where_schema = schema.empty() ? "DATABASE()" : conn_.Quote(schema);
    STRATA_ASSIGN_OR_RETURN(
        QueryResult types, conn_.Query("SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE "
                                       "TABLE_SCHEMA = " + where_schema + " AND TABLE_NAME = " + conn_.Quote(table)));
    std::map<std::string, std::string> type_of;
    for (std::size_t i = 0; i < types.rows.size(); ++i) type_of[Cell(types, i, 0)] = base::Lower(Cell(types, i, 1));
    std::vector<std::string> values;
    for (const std::string& c : columns) {
      const std::string& type = type_of[c];
      const bool binary = type == "binary" || type == "varbinary" || type.ends_with("blob") || type == "geometry" ||
                          type == "point" || type.ends_with("linestring") || type.ends_with("polygon") ||
                          type == "multipoint" || type == "geometrycollection";
      const std::string name = QuoteName(c);
      if (type == "bit") {  // b'101': its hex digits may be odd in number
        values.push_back(fmt::format("IF({0} IS NULL, 'NULL', CONCAT('b''', BIN({0} + 0), ''''))", name));
      } else if (binary) {
        values.push_back(fmt::format("IF({0} IS NULL, 'NULL', CONCAT('X''', HEX({0}), ''''))", name));
      } else {
        values.push_back(fmt::format("CONVERT(QUOTE({}) USING utf8mb4)", name));
      }
    }
    Status failed = Status::Ok();
    auto streamed = conn_.Stream(
        fmt::format("SELECT CONCAT('(', CONCAT_WS(', ', {}), ')') FROM {}", fmt::join(values, ", "),
                    Qualified(schema, table)),
        [](const std::vector<std::string>&) { return Status::Ok(); },
        [&](RowView cells) {
          failed = row(cells[0].value_or(std::string_view()));
          return failed;
        });
    if (!failed.ok()) return failed;
    return streamed.status();
  }

  // ALTER TABLE ... AUTO_INCREMENT = N for each table that has an AUTO_INCREMENT column.
  Result<std::vector<CounterState>> CounterStateSql() override {
    STRATA_ASSIGN_OR_RETURN(
        QueryResult r, conn_.Query("SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE "
                                   "TABLE_SCHEMA = DATABASE() AND AUTO_INCREMENT IS NOT NULL ORDER BY TABLE_NAME"));
    std::vector<CounterState> out;
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
      const std::string name = Cell(r, i, 0);
      out.push_back({name, fmt::format("ALTER TABLE {} AUTO_INCREMENT = {}", QuoteName(name), Cell(r, i, 1))});
    }
    return out;
  }

  Result<std::vector<Row>> Query(const std::string& sql, std::chrono::milliseconds timeout) override {
    if (in_transaction_) {
      STRATA_ASSIGN_OR_RETURN(QueryResult r, conn_.Query(sql));
      return std::move(r.rows);
    }
    // DDL would commit the read-only transaction below and run anyway: only reads get that far.
    char buffer[16];
    const std::string_view keyword = sql::FirstKeyword(sql, buffer);
    if (keyword != "SELECT" && keyword != "WITH" && keyword != "SHOW" && keyword != "EXPLAIN" &&
        keyword != "DESCRIBE" && keyword != "DESC" && keyword != "VALUES") {
      return Status(ErrorCode::kInvalidArgument, "only a statement that reads (SELECT, WITH, SHOW, EXPLAIN) may run "
                                                 "here on MariaDB");
    }
    // A read-only transaction refuses writes (error 1792) before they change anything.
    STRATA_RETURN_IF_ERROR(conn_.Exec(fmt::format("SET SESSION max_statement_time = {:.3f}",
                                                  static_cast<double>(timeout.count()) / 1000.0)));
    STRATA_RETURN_IF_ERROR(conn_.Exec("START TRANSACTION READ ONLY"));
    auto r = conn_.Query(sql);
    (void)conn_.Exec("ROLLBACK");
    (void)conn_.Exec("SET SESSION max_statement_time = 0");
    if (!r.ok()) return r.status();
    return std::move(r->rows);
  }

 private:
  // One row of a history query whose columns `at` holds, in kMariadbHistoryColumns' order, into
  // `row`; the applied_at column either as IsoColumn gives it or as the server prints a DATETIME(3).
  // strata chose the columns' types, so a NULL or text that is not a number is kInternal.
  Status ParseHistoryRow(RowView cells, const std::array<std::size_t, std::size(kMariadbHistoryColumns)>& at,
                         HistoryRow& row) const {
    auto text = [&](std::size_t i) { return std::string(cells[at[i]].value_or(std::string_view())); };
    auto bad = [&](std::string_view what, std::size_t i) {
      const auto& v = cells[at[i]];
      return Status(ErrorCode::kInternal, fmt::format("{} in {} is not a number: {}", what, table_,
                                                      v ? "'" + base::OneLine(*v, 40) + "'" : "NULL"));
    };
    auto key = cells[at[0]] ? base::ParseInt64(*cells[at[0]]) : std::nullopt;
    if (!key) return bad("a version", 0);
    row.version = KeyToVersion(*key);
    row.name = text(1);
    row.checksum = text(2);
    std::string applied_at = text(3);
    if (applied_at.size() > 10 && applied_at[10] == ' ') applied_at[10] = 'T';
    row.applied_at = FromIsoColumn(std::move(applied_at));
    auto ms = cells[at[4]] ? base::ParseDouble(*cells[at[4]]) : std::nullopt;
    if (!ms) return bad("an execution_ms", 4);
    row.execution_ms = *ms;
    row.state = ParseRowState(cells[at[5]].value_or(std::string_view()));
    row.strata_version = text(6);
    if (cells[at[7]]) row.progress = std::string(*cells[at[7]]);
    return Status::Ok();
  }

  // A history write. Outside a transaction, while this run holds the lock, it is fenced on its own
  // (FencesHistoryWrites) and never goes through the migration's session, whose state (LOCK TABLES,
  // a transaction of its own, SET timestamp) a migration that runs statement by statement may keep
  // from one statement to the next: with GET_LOCK it goes through the lock's own session, so it
  // commits on its own and can succeed only while that session, which holds the lock until it ends,
  // is alive; with the lease it is a fenced transaction of its own on a session kept for that.
  // Inside a transaction it belongs to it, and the engine checks the lock before the commit (which
  // the lease fences).
  Status WriteHistory(const std::string& sql) {
    if (!in_transaction_ && lease_) {
      if (!history_conn_) {
        STRATA_ASSIGN_OR_RETURN(Connection c, Connection::Open(url_));
        STRATA_RETURN_IF_ERROR(mariadb::DisableSnapshotIsolation(c));
        history_conn_ = std::make_unique<Connection>(std::move(c));
      }
      Connection& h = *history_conn_;
      Status st = h.Exec("START TRANSACTION");
      if (st.ok()) st = h.Exec(sql);
      if (st.ok()) st = lease_->Fence(h);
      if (st.ok()) st = h.Exec("COMMIT");
      if (!st.ok() && h.get()) (void)h.Exec("ROLLBACK");
      if (!st.ok()) st = lease_->ExplainConflict(h, st);
      return st;
    }
    if (in_transaction_ || !lock_held_ || !lock_conn_) return conn_.Exec(sql);
    Status st = lock_conn_->Exec(sql);
    if (st.code() != ErrorCode::kUnavailable) return st;
    return Status(ErrorCode::kLockLost,
                  fmt::format("the session that holds the migration lock on {} is gone ({}); another runner may "
                              "hold the lock now, so the history row was not written",
                              conn_.redacted_url(), st.message()));
  }

  std::string Progress(const HistoryRow& row) const {
    return row.progress ? conn_.Quote(*row.progress) : std::string("NULL");
  }

  std::string Qualified(const std::string& schema, const std::string& table) const {
    return schema.empty() ? QuoteName(table) : QuoteName(schema) + "." + QuoteName(table);
  }

  template <typename It>
  Result<bool> TableExists(const std::string& name, It first, It last) {
    // Constants, not a correlated subquery: information_schema then opens this one table's
    // definition instead of every table on the server (about 45 ms per call at 1,400 tables).
    const std::string quoted = conn_.Quote(name);
    const std::string schema = database_.empty() ? std::string("DATABASE()") : conn_.Quote(database_);
    STRATA_ASSIGN_OR_RETURN(QueryResult r,
                            conn_.Query("SELECT t.TABLE_TYPE, (SELECT GROUP_CONCAT(c.COLUMN_NAME ORDER BY "
                                        "c.COLUMN_NAME SEPARATOR ',') FROM information_schema.COLUMNS c WHERE "
                                        "c.TABLE_SCHEMA = " + schema + " AND c.TABLE_NAME = " +
                                        quoted +
                                        ") FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = " + schema + " AND "
                                        "t.TABLE_NAME = " +
                                        quoted));
    if (r.rows.empty()) return false;
    const std::string kind = Cell(r, 0, 0);
    if (kind != "BASE TABLE") return WrongLayout(name, fmt::format("it is not a table ({})", kind));
    std::set<std::string> have;
    const std::string cols = Cell(r, 0, 1);
    for (std::size_t pos = 0; pos <= cols.size();) {
      std::size_t comma = cols.find(',', pos);
      if (comma == std::string::npos) comma = cols.size();
      have.insert(base::Lower(cols.substr(pos, comma - pos)));
      pos = comma + 1;
    }
    if (have != std::set<std::string>(first, last)) return WrongLayout(name, fmt::format("its columns are ({})", cols));
    return true;
  }

  Status WrongLayout(const std::string& name, const std::string& why) const {
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("a table named {} exists but is not a strata {} ({}); strata will not reuse it.",
                              QuoteName(name),
                              name == options_.history_table            ? "history table"
                              : name == options_.history_table + "_lock" ? "lock table"
                                                                         : "run log",
                              why))
        .WithRemedy(Remedy::kHistoryTable);
  }

  // LockRun with LockKind::kLease: the lock table beside the history table (created if missing; IF
  // NOT EXISTS lets runners that start together all create it), then the lease on a connection of
  // its own.
  Result<std::unique_ptr<RunLock>> LockLease() {
    const std::string name = options_.history_table + "_lock";
    STRATA_ASSIGN_OR_RETURN(bool exists,
                            TableExists(name, std::begin(mariadb::kLeaseColumns), std::end(mariadb::kLeaseColumns)));
    if (!exists) {
      Status st = conn_.Exec(mariadb::LeaseTableDdl(Qualified(database_, name)));
      if (!st.ok()) return std::move(st).WithPrefix("cannot create the lock table " + Qualified(database_, name) + ": ");
    }
    mariadb::LeaseSettings settings{.schema = database_,
                                    .table = name,
                                    .key = options_.history_table,
                                    .lease = options_.lock_lease,
                                    .timeout = options_.lock_timeout,
                                    .waiting = options_.lock_waiting};
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<mariadb::Lease> lease, mariadb::Lease::Acquire(url_, settings));
    STRATA_RETURN_IF_ERROR(mariadb::DisableSnapshotIsolation(conn_));
    return std::unique_ptr<RunLock>(std::make_unique<MariadbLeaseLock>(std::move(lease), &lease_, &lock_held_));
  }

  Result<std::string> RunLockHolder() override {
    if (options_.lock_kind == LockKind::kLease) return std::string();
    const std::string quoted = conn_.Quote(LockName(url_.database, options_.history_table));
    STRATA_ASSIGN_OR_RETURN(QueryResult id, conn_.Query("SELECT IS_USED_LOCK(" + quoted + ")"));
    if (id.rows.empty() || !id.rows[0][0]) return std::string();
    std::string holder = Holder(quoted, &conn_);  // "session 12 holds it (user ...)"
    if (std::size_t at = holder.find(" holds it"); at != std::string::npos) holder.erase(at, 9);
    return "held by " + holder;
  }

  // Who holds the lock: its session from the process list, or why that cannot be told. Asked on
  // `on` (default: the lock's own session).
  std::string Holder(const std::string& quoted_name, Connection* on = nullptr) {
    Connection& c = on != nullptr ? *on : *lock_conn_;
    auto id = c.Query("SELECT IS_USED_LOCK(" + quoted_name + ")");
    if (!id.ok() || id->rows.empty() || !id->rows[0][0]) return "another runner holds it";
    const std::string session = *id->rows[0][0];
    auto who = c.Query(
        "SELECT USER, HOST, COALESCE(DB, ''), COMMAND, TIME FROM information_schema.PROCESSLIST WHERE ID = " + session);
    if (!who.ok() || who->rows.empty()) return fmt::format("session {} holds it", session);
    return fmt::format("session {} holds it (user {} from {}, database {}, {} for {} s)", session, Cell(*who, 0, 0),
                       Cell(*who, 0, 1), Cell(*who, 0, 2), Cell(*who, 0, 3), Cell(*who, 0, 4));
  }

  Connection conn_;
  std::atomic<std::uint64_t> session_id_{0};  // conn_'s id on the server, for Cancel from another thread
  std::unique_ptr<Connection> lock_conn_;  // opened by the first LockRun (GET_LOCK)
  mariadb::Lease* lease_ = nullptr;        // while a MariadbLeaseLock made here is alive
  std::unique_ptr<Connection> history_conn_;  // the lease's history writes outside a transaction
  base::DatabaseUrl url_;
  OpenOptions options_;
  // Statements are split as this session will read them: its sql_mode decides where strings end.
  // Asked before the first split, so before any migration of this session has run: a SET sql_mode
  // inside a migration does not change how the rest of that text, or the next file, is split. An
  // up-to-date run splits nothing and never asks.
  Result<sql::MysqlQuoting> Quoting() {
    if (!quoting_) {
      STRATA_ASSIGN_OR_RETURN(QueryResult mode, conn_.Query("SELECT @@SESSION.sql_mode"));
      quoting_ = sql::QuotingForSqlMode(mode.rows.empty() ? "" : Cell(mode, 0, 0));
    }
    return *quoting_;
  }

  std::optional<sql::MysqlQuoting> quoting_;
  std::string database_;  // the URL's: where strata's tables are, and where each migration starts
  std::string table_, log_table_;
  // Each migration (and the run log's row) starts with the session it would have in a run of its
  // own, as Flyway restores it: a `SET foreign_key_checks = 0` or `SET NAMES latin1` of the one
  // before (a dump's header) would otherwise go on, unchecked orphans or mangled text in every
  // later migration; and in the URL's database, whatever `USE` the one before ran.
  Status RestoreSession() {
    if (std::exchange(session_changed_, false)) {
      STRATA_RETURN_IF_ERROR(conn_.ResetSession());
      // What the lease set on this session for its fences (LockLease) is set again.
      if (lease_ != nullptr) STRATA_RETURN_IF_ERROR(mariadb::DisableSnapshotIsolation(conn_));
    }
    if (database_changed_ && !database_.empty()) {
      STRATA_RETURN_IF_ERROR(conn_.Exec("USE " + QuoteName(database_)));
      database_changed_ = false;
    }
    return Status::Ok();
  }

  bool database_changed_ = false;  // a statement ran `USE`
  bool session_changed_ = false;   // a statement set up its session (SET, SET NAMES, SET ROLE)
  std::optional<std::vector<std::string>> non_transactional_;  // NonTransactionalTables, while valid
  bool in_transaction_ = false;
  bool lock_held_ = false;
};

}  // namespace

Result<std::unique_ptr<Driver>> OpenMariadb(const base::DatabaseUrl& url, const OpenOptions& options) {
  STRATA_ASSIGN_OR_RETURN(Connection conn, Connection::Open(url));
  return std::unique_ptr<Driver>(std::make_unique<MariadbDriver>(std::move(conn), url, options));
}

}  // namespace strata::driver
