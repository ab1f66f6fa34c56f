#include "drivers/postgres/postgres_driver.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <thread>
#include <utility>
#include <cstring>
#include <set>

#include "base/sha256.h"
#include "base/text.h"
#include "drivers/postgres/pg_conn.h"
#include "drivers/postgres/pg_lease.h"
#include "drivers/postgres/pg_schema.h"
#include "sql/pg_split.h"
#include "sql/sqlite_lexer.h"
#include "sql/statement.h"

namespace strata::driver {

namespace {

using base::QuoteIdentifier;
using pg::Connection;

std::string Text(const PGresult* r, int row, int col) {
  return PQgetisnull(r, row, col) ? std::string() : std::string(PQgetvalue(r, row, col));
}

// One advisory-lock key per history table, so two projects sharing a database do not block
// each other. Kept positive so that pg_locks' (classid, objid) split is easy to match.
std::int64_t LockKey(const std::string& schema, const std::string& table) {
  std::string digest = base::Sha256Hex("strata\n" + schema + "\n" + table);
  // A SHA-256 hex digest always parses; were the hasher ever broken, every runner would still
  // agree on the key.
  std::uint64_t v = base::ParseUint64(std::string_view(digest).substr(0, 16), 16).value_or(0);
  return static_cast<std::int64_t>(v & 0x7fffffffffffffffULL);
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + "ms"; }

// The session advisory lock lives on the migration connection itself: a migration can then only
// commit in the session that holds the lock, and whatever ends that session (a crash, an
// administrator's pg_terminate_backend, a server-side timeout, a failover) ends the lock and the
// uncommitted migration together. A lock on a second connection could vanish while the first one
// went on committing.
class PostgresRunLock : public RunLock {
 public:
  PostgresRunLock(Connection* conn, std::int64_t key, bool* held) : conn_(conn), key_(key), held_(held) {
    *held_ = true;
  }
  ~PostgresRunLock() override {
    *held_ = false;
    if (PQstatus(conn_->get()) != CONNECTION_OK) return;  // the server already released it
    // Whatever the run left open is abandoned here, as it would be if the session ended.
    if (conn_->InTransaction()) (void)conn_->Exec("ROLLBACK");
    (void)conn_->Exec(fmt::format("SELECT pg_advisory_unlock({})", key_));
  }

  Status Held() const override {
    if (PQstatus(conn_->get()) == CONNECTION_OK) return Status::Ok();
    return Status(ErrorCode::kLockLost,
                  fmt::format("the connection holding the migration lock on {} was closed; another runner may hold "
                              "the lock now",
                              conn_->redacted_url()));
  }

 private:
  Connection* conn_;
  std::int64_t key_;
  bool* held_;
};

// The lease lock: the row lives in a table, so nothing ends it with a session; instead it expires
// unless renewed (pg_lease.h), and the driver makes each commit conditional on it (FenceSql).
class PostgresLeaseLock : public RunLock {
 public:
  PostgresLeaseLock(Connection* conn, std::unique_ptr<pg::Lease> lease, pg::Lease** active, bool* held)
      : conn_(conn), lease_(std::move(lease)), active_(active), held_(held) {
    *active_ = lease_.get();
    *held_ = true;
  }
  ~PostgresLeaseLock() override {
    *active_ = nullptr;
    *held_ = false;
    // Whatever the run left open is abandoned before the lease goes, as with the advisory lock.
    if (PQstatus(conn_->get()) == CONNECTION_OK && conn_->InTransaction()) (void)conn_->Exec("ROLLBACK");
  }

  Status Held() const override { return lease_->Held(); }

 private:
  Connection* conn_;
  std::unique_ptr<pg::Lease> lease_;
  pg::Lease** active_;
  bool* held_;
};

// Puts the tenant's schema first in the session's search_path, ahead of what it was. The schema
// name is a plain identifier (checked when the Migrator was opened), so quoting it is enough.
std::string TenantSearchPath(const std::string& schema) {
  return fmt::format("SELECT set_config('search_path', '{}, ' || current_setting('search_path'), false)",
                     QuoteIdentifier(schema));
}

// strata's settings for its session (set when it connects, again after a migration reset it): it
// notices a lost client at once, and neither idle timeout ends a run that waits.
constexpr const char* kSessionSettings =
    "SELECT set_config(name, CASE name WHEN 'client_connection_check_interval' THEN '1s' ELSE '0' END, false) "
    "FROM pg_settings WHERE name IN ('client_connection_check_interval', 'idle_session_timeout', "
    "'idle_in_transaction_session_timeout')";

// Whether one statement may leave its session changed for what runs after it: SET (but SET LOCAL,
// SET TRANSACTION and SET CONSTRAINTS, which end with the transaction), RESET, or set_config() or
// search_path named anywhere (pg_dump's header calls set_config('search_path', '', false)). A false
// alarm costs a few statements sent with the next BEGIN.
bool ChangesSession(std::string_view statement) {
  if (base::ContainsAnyIgnoringCase(statement, {"set_config", "search_path"})) return true;
  auto word = [&](const sql::SqliteToken& t) { return base::Lower(statement.substr(t.begin, t.end - t.begin)); };
  std::optional<sql::SqliteToken> first = sql::NextSqliteToken(statement, 0);
  if (!first) return false;
  const std::string verb = word(*first);
  if (verb == "reset") return true;
  if (verb != "set") return false;
  std::optional<sql::SqliteToken> second = sql::NextSqliteToken(statement, first->end);
  if (!second) return true;
  const std::string what = word(*second);
  return what != "local" && what != "transaction" && what != "constraints";
}

class PostgresDriver : public Driver {
 public:
  PostgresDriver(Connection conn, base::DatabaseUrl url, OpenOptions options)
      : conn_(std::move(conn)), url_(std::move(url)), options_(std::move(options)) {
    table_ = QuoteIdentifier(options_.schema) + "." + QuoteIdentifier(options_.history_table);
  }

  ~PostgresDriver() override { Rollback(); }

  Engine engine() const override { return Engine::kPostgres; }

  Result<bool> HistoryExists() override {
    return TableExists(options_.history_table, std::begin(kHistoryColumns), std::end(kHistoryColumns));
  }

  Status CreateHistory() override {
    STRATA_RETURN_IF_ERROR(RefuseReadOnly());
    STRATA_RETURN_IF_ERROR(BeginWrite());
    STRATA_RETURN_IF_ERROR(Flush());
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists, which
    // managed servers often withhold: only ask for it when the schema is really missing.
    auto schema = conn_.ExecParams("SELECT 1 FROM pg_namespace WHERE nspname = $1", {options_.schema});
    Status st = schema.ok() ? Status::Ok() : schema.status();
    if (st.ok() && PQntuples(schema->get()) == 0) {
      st = conn_.Exec("CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(options_.schema)).status();
    }
    if (st.ok()) {
      st = conn_
               .Exec(fmt::format("CREATE TABLE IF NOT EXISTS {} (\n"
                                 "  version bigint PRIMARY KEY,\n"
                                 "  name text NOT NULL,\n"
                                 "  checksum text NOT NULL,\n"
                                 "  applied_at timestamptz NOT NULL,\n"
                                 "  execution_ms double precision NOT NULL,\n"
                                 "  state text NOT NULL CHECK (state IN ('applied', 'dirty', 'baseline')),\n"
                                 "  strata_version text NOT NULL\n"
                                 ")",
                                 table_))
               .status();
    }
    if (!st.ok()) {
      Rollback();
      return std::move(st).WithPrefix("cannot create the history table " + table_ + ": ");
    }
    return Commit();
  }

  Result<std::vector<HistoryRow>> ReadHistory() override {
    STRATA_ASSIGN_OR_RETURN(auto r, Send(HistorySelect()));
    return ParseHistory(r.get());
  }

  // The layout question and the rows in one pipeline: one round trip where there were two. When the
  // table is absent the second statement fails, which the first one's answer explains.
  Result<std::optional<std::vector<HistoryRow>>> ReadHistoryIfExists() override {
    STRATA_RETURN_IF_ERROR(Flush());
    // Schema and table are plain identifiers (checked when the Migrator was opened): as literals,
    // quoting is enough.
    std::vector<std::string> items = {
        LayoutQuery(fmt::format("'{}'", options_.schema), fmt::format("'{}'", options_.history_table)),
        HistorySelect()};
    std::optional<Result<bool>> layout;
    std::optional<Result<std::vector<HistoryRow>>> rows;
    std::size_t failed = 0;
    Status st = conn_.ExecPipeline(items, &failed, nullptr, [&](std::size_t i, const PGresult* r) -> Status {
      if (i == 0) {
        layout = CheckLayout(r, options_.history_table, std::begin(kHistoryColumns), std::end(kHistoryColumns));
      } else {
        rows = ParseHistory(r);
      }
      return Status::Ok();
    });
    if (!layout) return st.ok() ? Status(ErrorCode::kInternal, "no answer about the history table") : st;
    if (!layout->ok()) return layout->status();
    if (!**layout) return std::optional<std::vector<HistoryRow>>();
    if (!st.ok()) return st;
    if (!rows) return Status(ErrorCode::kInternal, "no rows from the history table");
    if (!rows->ok()) return rows->status();
    return std::optional<std::vector<HistoryRow>>(std::move(**rows));
  }

  std::string HistorySelect() const {
    return fmt::format("SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', "
                       "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), execution_ms, state, strata_version FROM {}",
                       table_);
  }

  Result<std::vector<HistoryRow>> ParseHistory(const PGresult* r) const {
    std::vector<HistoryRow> rows;
    int n = PQntuples(r);
    rows.reserve(static_cast<std::size_t>(n));
    const std::string a_version = "a version in " + table_;
    const std::string an_execution_ms = "an execution_ms in " + table_;
    for (int i = 0; i < n; ++i) {
      HistoryRow row;
      STRATA_ASSIGN_OR_RETURN(std::int64_t key, pg::Int64Field(r, i, 0, a_version));
      row.version = KeyToVersion(key);
      row.name = Text(r, i, 1);
      row.checksum = Text(r, i, 2);
      row.applied_at = Text(r, i, 3);
      STRATA_ASSIGN_OR_RETURN(row.execution_ms, pg::DoubleField(r, i, 4, an_execution_ms));
      row.state = ParseRowState(Text(r, i, 5));
      row.strata_version = Text(r, i, 6);
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<std::int64_t> ChangeToken() override {
    // Every writer of the history holds the advisory lock, so while we hold it nothing else can
    // change the history.
    if (lock_held_) return std::int64_t{0};
    STRATA_ASSIGN_OR_RETURN(auto r, Send(fmt::format("SELECT count(*), coalesce(max(version), 0) FROM {}", table_)));
    STRATA_ASSIGN_OR_RETURN(std::int64_t count, pg::Int64Field(r.get(), 0, 0, "the row count of " + table_));
    STRATA_ASSIGN_OR_RETURN(std::int64_t newest, pg::Int64Field(r.get(), 0, 1, "the highest version in " + table_));
    return count * 1000003 ^ newest;
  }

  Result<std::uint64_t> LegacyVersion() override { return std::uint64_t{0}; }

  Result<std::unique_ptr<RunLock>> LockRun() override {
    STRATA_RETURN_IF_ERROR(Flush());
    STRATA_RETURN_IF_ERROR(RefuseReadOnly());
    if (options_.lock_kind == LockKind::kLease) return LockLease();
    std::int64_t key = LockKey(options_.schema, options_.history_table);
    auto start = std::chrono::steady_clock::now();
    bool got = false;
    if (options_.lock_timeout.count() == 0) {
      STRATA_ASSIGN_OR_RETURN(auto r, conn_.Exec(fmt::format("SELECT pg_try_advisory_lock({})", key)));
      got = Text(r.get(), 0, 0) == "t";
    } else {
      // SET LOCAL: the wait's lock_timeout must not stay on the session, where it would apply to
      // no-transaction migrations. A session lock taken inside a transaction outlives its COMMIT.
      auto r = conn_.Exec(fmt::format("BEGIN; SET LOCAL lock_timeout = '{}'; SELECT pg_advisory_lock({}); COMMIT",
                                      Millis(options_.lock_timeout), key));
      if (r.ok()) {
        got = true;
      } else {
        Rollback();
        if (r.status().message().find("SQLSTATE 55P03") == std::string::npos) return r.status();
      }
    }
    if (!got) {
      double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return Status(ErrorCode::kAborted,
                    fmt::format("could not take the migration lock on {} within {:.1f} s: {}", conn_.redacted_url(),
                                waited, Holder(conn_, key)))
          .WithRemedy(Remedy::kLockTimeout);
    }
    return std::unique_ptr<RunLock>(std::make_unique<PostgresRunLock>(&conn_, key, &lock_held_));
  }

  // BEGIN and the history writes are not sent on their own: they travel with the next statement
  // (one round trip instead of two), which keeps a migration at the same number of round trips as
  // hand-written libpq code.
  // Under a lease the transaction is READ COMMITTED whatever the server's default: the fence's
  // UPDATE of the lease row, which the heartbeat renews meanwhile, would fail with a serialization
  // error under REPEATABLE READ or SERIALIZABLE.
  Status BeginWrite() override {
    fenced_ = lease_ != nullptr;
    deferred_ = {fenced_ ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN"};
    // Each migration starts with the session it would have in a run of its own, whatever the one
    // before set (pg_dump's output sets search_path to ''; a SET ROLE or SET
    // session_replication_role would go on): as Flyway restores it. It goes with BEGIN, before the
    // SET LOCALs that RESET ALL would undo: no round trip.
    if (std::exchange(session_changed_, false)) {
      reset_in_tx_ = true;
      reset_authorization_in_tx_ = authorization_changed_;
      for (std::string& reset : SessionReset()) deferred_.push_back(std::move(reset));
    }
    deferred_.push_back("SET LOCAL lock_timeout = '" + Millis(options_.pg_lock_timeout) + "'");
    deferred_.push_back("SET LOCAL statement_timeout = '" + Millis(options_.statement_timeout) + "'");
    return Status::Ok();
  }

  Status Commit() override {
    const bool fence = std::exchange(fenced_, false) && lease_ != nullptr;
    if (fence) {
      // The fence travels with whatever was deferred (the history writes); COMMIT follows.
      auto renewed = Send(lease_->FenceSql());
      if (!renewed.ok()) {
        Status st = lease_->ExplainFence(renewed.status());
        Rollback();
        return st;
      }
    }
    auto r = Send("COMMIT");
    // COMMIT of a failed transaction "succeeds" with the tag ROLLBACK.
    const bool committed = r.ok() && std::strcmp(PQcmdStatus(r->get()), "COMMIT") == 0;
    ResetEnded(committed);
    if (!r.ok()) return r.status();
    if (!committed) {
      return Status(ErrorCode::kSqlError, "the transaction was rolled back by the server instead of committed");
    }
    return Status::Ok();
  }

  void Rollback() override {
    ResetEnded(/*committed=*/false);
    fenced_ = false;
    deferred_.clear();
    if (conn_.get() && conn_.InTransaction()) (void)conn_.Exec("ROLLBACK");
  }

  void CancelOnServer() override { conn_.Cancel(); }

  Status Execute(std::string_view sql, const ExecOptions& options, const StatementObserver& observer) override {
    STRATA_RETURN_IF_ERROR(sql::RejectNul(sql));
    std::vector<sql::StatementSpan> spans;
    if (options.no_split) {
      std::string_view t = base::Trim(sql);
      if (!t.empty()) {
        std::size_t b = static_cast<std::size_t>(t.data() - sql.data());
        spans.push_back({b, b + t.size()});
      }
    } else {
      STRATA_ASSIGN_OR_RETURN(spans, sql::SplitPostgres(sql));
    }
    NoteSession(sql, spans, options.no_split);
    if (options.in_transaction && !options.no_split && spans.size() > 1 &&
        std::none_of(spans.begin(), spans.end(), [&](const sql::StatementSpan& span) {
          return base::Lower(sql.substr(span.begin, std::min<std::size_t>(4, span.end - span.begin))) == "copy";
        })) {
      return ExecutePipelined(sql, spans, observer);
    }
    for (const sql::StatementSpan& span : spans) {
      std::string text(sql.substr(span.begin, span.end - span.begin));
      if (Cancelled()) return StatementFailure(Status(ErrorCode::kSqlError, "cancelled before this statement"),
                                               span.begin, std::move(text));
      auto t0 = std::chrono::steady_clock::now();
      int position = 0;
      auto r = Send(text, &position);
      if (!r.ok()) {
        return StatementFailure(r.status(), span.begin + (position > 0 ? sql::CharPositionToOffset(text, position) : 0),
                                std::move(text));
      }
      if (observer) {
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        observer(span.begin, span.end, ms);
      }
    }
    return Status::Ok();
  }

  // SQLSTATE 25001, active_sql_transaction: "... cannot run inside a transaction block".
  bool CannotRunInTransaction(const Status& failure) const override {
    return failure.message().find("SQLSTATE 25001") != std::string::npos;
  }

  Status CheckIntegrity() override { return Status::Ok(); }  // constraints are enforced by the server

  Status InsertHistory(const HistoryRow& row) override {
    STRATA_ASSIGN_OR_RETURN(std::string insert, InsertText(row, false));
    deferred_.push_back(std::move(insert));
    return Status::Ok();
  }

  bool CommitsInOneTrip() const override { return true; }

  Status ExecuteAndCommit(std::string_view sql, const HistoryRow& row, const StatementObserver& observer) override {
    STRATA_RETURN_IF_ERROR(sql::RejectNul(sql));
    STRATA_ASSIGN_OR_RETURN(std::vector<sql::StatementSpan> spans, sql::SplitPostgres(sql));
    NoteSession(sql, spans, /*one_piece=*/false);
    bool copy = std::any_of(spans.begin(), spans.end(), [&](const sql::StatementSpan& span) {
      return base::Lower(sql.substr(span.begin, std::min<std::size_t>(4, span.end - span.begin))) == "copy";
    });
    if (copy) {  // COPY cannot go in a pipeline: one step after the other, as the engine would
      Status st = Execute(sql, {.in_transaction = true}, observer);
      if (st.ok()) {  // the row's time from the server, as on the pipelined path
        auto insert = InsertText(row, true);
        if (insert.ok()) deferred_.push_back(std::move(*insert));
        st = insert.status();
      }
      if (st.ok()) return Commit();  // a failed COMMIT ends the transaction
      Rollback();
      return st;
    }
    STRATA_ASSIGN_OR_RETURN(std::string insert, InsertText(row, true));
    // Under a lease the fence goes in the same pipeline, right before COMMIT: when it fails, the
    // server skips the COMMIT with everything else up to the pipeline's end.
    std::vector<std::string> tail = {std::move(insert)};
    if (std::exchange(fenced_, false) && lease_ != nullptr) tail.push_back(lease_->FenceSql());
    tail.push_back("COMMIT");
    Status st = ExecutePipelined(sql, spans, observer, std::move(tail));
    ResetEnded(st.ok());
    if (!st.ok() && conn_.get() && PQstatus(conn_.get()) == CONNECTION_OK && conn_.InTransaction()) {
      (void)conn_.Exec("ROLLBACK");
    }
    if (!st.ok() && lease_ != nullptr) return lease_->ExplainFence(st);
    return st;
  }

  Status UpdateHistory(const HistoryRow& row) override {
    STRATA_RETURN_IF_ERROR(Flush());
    return conn_
        .ExecParams(fmt::format("UPDATE {} SET name = $2, checksum = $3, applied_at = $4::timestamptz, "
                                "execution_ms = $5::double precision, state = $6, strata_version = $7 "
                                "WHERE version = $1::bigint",
                                table_),
                    Params(row))
        .status();
  }

  Status DeleteHistory(std::uint64_t version) override {
    STRATA_RETURN_IF_ERROR(Flush());
    return conn_.ExecParams(fmt::format("DELETE FROM {} WHERE version = $1::bigint", table_),
                            {std::to_string(VersionToKey(version))})
        .status();
  }

  Status MirrorVersion(std::uint64_t) override { return Status::Ok(); }

  Status AppendLog(const LogRow& row) override {
    Status st = AppendLogOnce(row);
    if (st.code() != ErrorCode::kUnavailable) return st;
    // The run's session is gone (the connection lost, the backend terminated): the run is still
    // logged, on a new one. Nothing runs after the log, and the lock went with the old session.
    auto fresh = Connection::Open(url_);
    if (!fresh.ok()) return st;
    conn_ = std::move(*fresh);
    deferred_.clear();
    session_changed_ = authorization_changed_ = reset_in_tx_ = reset_authorization_in_tx_ = false;
    return AppendLogOnce(row);
  }

  Status AppendLogOnce(const LogRow& row) {
    std::string name = options_.history_table + "_log";
    STRATA_RETURN_IF_ERROR(Flush());
    // The last migration's SET ROLE could keep the row out (the role may not write the log).
    std::string begin = "BEGIN";
    if (std::exchange(session_changed_, false)) begin = fmt::format("{}; BEGIN", fmt::join(SessionReset(), "; "));
    STRATA_RETURN_IF_ERROR(conn_.Exec(begin).status());
    auto fail = [&](Status st) {
      Rollback();
      return st;
    };
    auto exists = TableExists(name, std::begin(kLogColumns), std::end(kLogColumns));
    if (!exists.ok()) return fail(exists.status());
    std::string table = QuoteIdentifier(options_.schema) + "." + QuoteIdentifier(name);
    if (!*exists) {
      Status st = conn_
                      .Exec(fmt::format("CREATE TABLE {} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                                        "started_at timestamptz NOT NULL, finished_at timestamptz NOT NULL, command "
                                        "text NOT NULL, actor text NOT NULL, from_version bigint NOT NULL, to_version "
                                        "bigint NOT NULL, migrations text NOT NULL, duration_ms double precision NOT "
                                        "NULL, outcome text NOT NULL, error text NOT NULL, backup_file text NOT NULL, "
                                        "strata_version text NOT NULL)",
                                        table))
                      .status();
      if (!st.ok()) return fail(std::move(st));
    }
    Status st = conn_
                    .ExecParams(fmt::format("INSERT INTO {} (started_at, finished_at, command, actor, from_version, "
                                            "to_version, migrations, duration_ms, outcome, error, backup_file, "
                                            "strata_version) VALUES ($1::timestamptz, $2::timestamptz, $3, $4, "
                                            "$5::bigint, $6::bigint, $7, $8::double precision, $9, $10, $11, $12)",
                                            table),
                                {row.started_at, row.finished_at, row.command, row.actor,
                                 std::to_string(VersionToKey(row.from_version)),
                                 std::to_string(VersionToKey(row.to_version)), row.migrations,
                                 fmt::format("{}", row.duration_ms), row.outcome, row.error, row.backup_file,
                                 row.strata_version})
                    .status();
    if (!st.ok()) return fail(std::move(st));
    return Commit();
  }

  Result<std::vector<LogRow>> ReadLog(std::size_t limit) override {
    std::string name = options_.history_table + "_log";
    STRATA_ASSIGN_OR_RETURN(bool exists, TableExists(name, std::begin(kLogColumns), std::end(kLogColumns)));
    std::vector<LogRow> rows;
    if (!exists) return rows;
    const char* iso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";
    STRATA_ASSIGN_OR_RETURN(
        auto r, conn_.Exec(fmt::format("SELECT id, to_char(started_at AT TIME ZONE 'UTC', {0}), to_char(finished_at "
                                       "AT TIME ZONE 'UTC', {0}), command, actor, from_version, to_version, "
                                       "migrations, duration_ms, outcome, error, backup_file, strata_version FROM "
                                       "{1}.{2} ORDER BY id DESC LIMIT {3}",
                                       iso, QuoteIdentifier(options_.schema), QuoteIdentifier(name), limit)));
    const std::string in_log = " in " + QuoteIdentifier(options_.schema) + "." + QuoteIdentifier(name);
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      LogRow row;
      STRATA_ASSIGN_OR_RETURN(row.id, pg::Int64Field(r.get(), i, 0, "an id" + in_log));
      row.started_at = Text(r.get(), i, 1);
      row.finished_at = Text(r.get(), i, 2);
      row.command = Text(r.get(), i, 3);
      row.actor = Text(r.get(), i, 4);
      STRATA_ASSIGN_OR_RETURN(std::int64_t from, pg::Int64Field(r.get(), i, 5, "a from_version" + in_log));
      STRATA_ASSIGN_OR_RETURN(std::int64_t to, pg::Int64Field(r.get(), i, 6, "a to_version" + in_log));
      row.from_version = KeyToVersion(from);
      row.to_version = KeyToVersion(to);
      row.migrations = Text(r.get(), i, 7);
      STRATA_ASSIGN_OR_RETURN(row.duration_ms, pg::DoubleField(r.get(), i, 8, "a duration_ms" + in_log));
      row.outcome = Text(r.get(), i, 9);
      row.error = Text(r.get(), i, 10);
      row.backup_file = Text(r.get(), i, 11);
      row.strata_version = Text(r.get(), i, 12);
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<schema::Schema> Introspect(const IntrospectOptions& options) override {
    STRATA_RETURN_IF_ERROR(Flush());
    return IntrospectPostgres(conn_, options_.schema, options_.history_table, options);
  }
  Result<std::int64_t> CountRows(const std::string& schema, const std::string& table) override {
    STRATA_RETURN_IF_ERROR(Flush());
    return CountPostgresRows(conn_, schema, table);
  }
  Result<TableFingerprint> Fingerprint(const std::string& schema, const std::string& table) override {
    STRATA_RETURN_IF_ERROR(Flush());
    return FingerprintPostgres(conn_, schema, table);
  }

  Status ReadRowsAsSql(const std::string& schema, const std::string& table, const std::vector<std::string>& columns,
                       const std::function<Status(std::string_view)>& row) override {
    STRATA_RETURN_IF_ERROR(Flush());
    return ReadPostgresRowsAsSql(conn_, schema, table, columns, row);
  }
  Result<std::vector<CounterState>> CounterStateSql() override {
    STRATA_RETURN_IF_ERROR(Flush());
    return PostgresCounterStateSql(conn_);
  }

  Result<std::vector<Row>> Query(const std::string& sql, std::chrono::milliseconds timeout) override {
    STRATA_RETURN_IF_ERROR(Flush());
    STRATA_RETURN_IF_ERROR(sql::RejectNul(sql));
    bool own = !conn_.InTransaction();
    if (own) {
      STRATA_RETURN_IF_ERROR(conn_.Exec("BEGIN READ ONLY").status());
      Status set = conn_.Exec(fmt::format("SET LOCAL statement_timeout = {}", timeout.count())).status();
      if (!set.ok()) {
        (void)conn_.Exec("ROLLBACK");
        return set;
      }
    }
    // The extended protocol takes exactly one statement: a text such as "SELECT 1; COMMIT; ..." is
    // refused instead of ending the READ ONLY transaction.
    auto r = conn_.ExecParams(sql, {});
    if (own) (void)conn_.Exec(r.ok() ? "COMMIT" : "ROLLBACK");
    STRATA_RETURN_IF_ERROR(r.status());
    std::vector<Row> rows;
    PGresult* res = r->get();
    for (int i = 0; i < PQntuples(res); ++i) {
      Row row;
      for (int c = 0; c < PQnfields(res); ++c) {
        if (PQgetisnull(res, i, c)) row.emplace_back(std::nullopt);
        else row.emplace_back(std::string(PQgetvalue(res, i, c), static_cast<std::size_t>(PQgetlength(res, i, c))));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<std::vector<std::string>> InvalidIndexes() override {
    STRATA_RETURN_IF_ERROR(Flush());
    STRATA_ASSIGN_OR_RETURN(
        auto r, conn_.Exec("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_index i "
                           "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE NOT i.indisvalid ORDER BY 1"));
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(Text(r.get(), i, 0));
    return out;
  }

  Status DropIndex(const std::string& qualified_name) override {
    STRATA_RETURN_IF_ERROR(Flush());
    return conn_.Exec("DROP INDEX CONCURRENTLY IF EXISTS " + qualified_name).status();
  }

  Result<std::vector<Replica>> WaitForReplicas(std::chrono::milliseconds timeout, std::string* target) override {
    STRATA_RETURN_IF_ERROR(Flush());
    // The insert position, not pg_current_wal_lsn() (the write position): with synchronous_commit
    // off a COMMIT returns before its record is written, and the write position can lie before it.
    STRATA_ASSIGN_OR_RETURN(auto at, conn_.Exec("SELECT pg_current_wal_insert_lsn()::text"));
    const std::string lsn = Text(at.get(), 0, 0);
    if (target) *target = lsn;
    const auto start = std::chrono::steady_clock::now();
    std::map<std::string, Replica> seen;  // by pid: the standbys seen so far, and when each caught up
    while (true) {
      STRATA_ASSIGN_OR_RETURN(
          auto r, conn_.ExecParams("SELECT pid::text, coalesce(application_name, ''), coalesce(host(client_addr), 'local'), "
                                   "coalesce(replay_lsn::text, ''), coalesce(replay_lsn >= $1::pg_lsn, false) "
                                   "FROM pg_stat_replication ORDER BY application_name, client_addr",
                                   {lsn}));
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      bool all = true;
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        Replica& rep = seen[Text(r.get(), i, 0)];
        rep.name = Text(r.get(), i, 1);
        rep.address = Text(r.get(), i, 2);
        rep.replay_lsn = Text(r.get(), i, 3);
        if (!rep.caught_up) rep.waited_ms = ms;
        rep.caught_up = rep.caught_up || Text(r.get(), i, 4) == "t";
        all = all && rep.caught_up;
      }
      if (all || std::chrono::steady_clock::now() - start >= timeout) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::vector<Replica> out;
    for (auto& [pid, rep] : seen) out.push_back(std::move(rep));
    return out;
  }

 private:
  // Before the first write on this connection: a standby (or a server or database that only allows
  // reading) is refused with its host named, instead of failing on the first CREATE. A multi-host
  // URL with target_session_attrs=read-write lets libpq find the primary itself.
  Status RefuseReadOnly() {
    if (checked_writable_) return Status::Ok();
    STRATA_ASSIGN_OR_RETURN(auto r, conn_.Exec("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"));
    const bool standby = Text(r.get(), 0, 0) == "t";
    const bool read_only = Text(r.get(), 0, 1) == "on";
    if (!standby && !read_only) {
      checked_writable_ = true;
      return Status::Ok();
    }
    const char* host = PQhost(conn_.get());
    const char* port = PQport(conn_.get());
    std::string where = fmt::format("{}:{}", host ? host : "?", port ? port : "?");
    std::string why = standby ? "is a standby (pg_is_in_recovery() is true): it only replays the primary's changes"
                              : "only allows reading here (transaction_read_only is on)";
    return Status(ErrorCode::kUnavailable,
                  fmt::format("the server at {} {}; nothing was changed. Point the URL at the primary, or list "
                              "every host with target_session_attrs=read-write "
                              "(postgres://host1:5432,host2:5432/db?target_session_attrs=read-write) so that the "
                              "connection goes to the one that accepts writes",
                              conn_.Scrub(where), why));
  }

  // A statement's failure at byte `offset` of the executed text, with the lock_timeout advice.
  Status StatementFailure(const Status& failure, std::size_t offset, std::string text) const {
    std::string message = failure.message();
    const bool lock_timeout = message.find("SQLSTATE 55P03") != std::string::npos;
    if (lock_timeout) {
      message += fmt::format(" (the migration waited longer than the PostgreSQL lock_timeout of {} for a lock; "
                             "raise it, or run when the table is less busy)",
                             Millis(options_.pg_lock_timeout));
    }
    Status failed =
        Status(failure.code(), message).WithSqlOffset(offset).WithLocation(SourceLocation{.statement = std::move(text)});
    if (lock_timeout) return std::move(failed).WithRemedy(Remedy::kPgLockTimeout);
    return failed;
  }

  // The statements of a transactional migration (after whatever was deferred: BEGIN and its
  // settings), then `tail` (strata's own statements), as one libpq pipeline: one round trip instead
  // of one per statement. Each statement still succeeds or fails on its own, and a failure points at
  // its statement as before; a failure in `tail` is returned as the server gave it. A `tail` that
  // ends with COMMIT must see the tag COMMIT (a failed transaction "commits" as ROLLBACK).
  Status ExecutePipelined(std::string_view sql, const std::vector<sql::StatementSpan>& spans,
                          const StatementObserver& observer, std::vector<std::string> tail = {}) {
    std::vector<std::string> items = std::move(deferred_);
    deferred_.clear();
    const std::size_t first = items.size();
    for (const sql::StatementSpan& span : spans) items.emplace_back(sql.substr(span.begin, span.end - span.begin));
    const std::size_t end = items.size();
    const bool commits = !tail.empty() && tail.back() == "COMMIT";
    for (std::string& t : tail) items.push_back(std::move(t));
    auto last = std::chrono::steady_clock::now();
    std::size_t next = first;  // the first statement without a result yet
    std::size_t failed = 0;
    int position = 0;
    Status st = conn_.ExecPipeline(items, &failed, &position, [&](std::size_t i, const PGresult* r) -> Status {
      next = i + 1;
      if (commits && i + 1 == items.size() && (!r || std::strcmp(PQcmdStatus(const_cast<PGresult*>(r)), "COMMIT") != 0)) {
        return Status(ErrorCode::kSqlError, "the transaction was rolled back by the server instead of committed");
      }
      if (i < first || i >= end || !observer) return Status::Ok();
      auto now = std::chrono::steady_clock::now();
      observer(spans[i - first].begin, spans[i - first].end,
               std::chrono::duration<double, std::milli>(now - last).count());
      last = now;
      return Status::Ok();
    });
    if (st.ok()) return st;
    // The connection went without the server reporting an error: the results still to come may
    // include the COMMIT's, so no statement is blamed (the engine says the outcome is unknown).
    if (commits && st.code() == ErrorCode::kUnavailable && failed >= items.size()) return st;
    // A statement's failure, or (the connection lost) the statement that was waiting for its result.
    std::size_t at = failed < items.size() ? failed : std::min(next, items.size() - 1);
    if (at >= end || spans.empty()) return st;  // strata's own statements: no place in the file
    std::size_t k = at < first ? 0 : at - first;
    std::size_t offset = spans[k].begin;
    if (at >= first && failed == at && position > 0) offset += sql::CharPositionToOffset(items[at], position);
    return StatementFailure(st, offset, std::move(items[first + k]));
  }

  // Sends `sql` after whatever was deferred, as one simple-protocol string; the server's error
  // position is made relative to `sql` again (0 when the error is in the deferred part).
  Result<pg::ResultPtr> Send(const std::string& sql, int* position = nullptr) {
    if (deferred_.empty()) return conn_.Exec(sql, position);
    std::string prefix = TakeDeferred() + "; ";
    std::string all = prefix + sql;
    int prefix_chars = 0;
    for (char c : prefix) prefix_chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    int pos = 0;
    auto r = conn_.Exec(all, &pos);
    if (position) *position = pos > prefix_chars ? pos - prefix_chars : 0;
    return r;
  }

  Status Flush() {
    if (deferred_.empty()) return Status::Ok();
    return conn_.Exec(TakeDeferred()).status();
  }

  // Notes whether the statements `spans` of `sql` may change the session (ChangesSession). Text
  // run in one piece is taken to when it has "set" anywhere.
  void NoteSession(std::string_view sql, const std::vector<sql::StatementSpan>& spans, bool one_piece) {
    // SET SESSION AUTHORIZATION is undone only where it was named: the undoing is one more thing a
    // managed server could refuse.
    if (!authorization_changed_) authorization_changed_ = base::ContainsAnyIgnoringCase(sql, {"authorization"});
    if (session_changed_) return;
    if (one_piece) {
      session_changed_ = base::ContainsAnyIgnoringCase(sql, {"set"});
      return;
    }
    session_changed_ = std::any_of(spans.begin(), spans.end(), [&](const sql::StatementSpan& span) {
      return ChangesSession(sql.substr(span.begin, span.end - span.begin));
    });
  }

  // The transaction that carried a session reset ended: rolled back (or never sent), the reset is
  // undone with it and is due again with the next BEGIN or the run log's row.
  void ResetEnded(bool committed) {
    if (!committed && reset_in_tx_) {
      session_changed_ = true;
      authorization_changed_ = authorization_changed_ || reset_authorization_in_tx_;
    }
    reset_in_tx_ = reset_authorization_in_tx_ = false;
  }

  // The statements that put the session back as it was when strata connected: the authenticated
  // user and its role, every setting at its default (search_path included), strata's own settings,
  // and a tenant's schema first.
  std::vector<std::string> SessionReset() {
    std::vector<std::string> out;
    if (std::exchange(authorization_changed_, false)) out.push_back("SET SESSION AUTHORIZATION DEFAULT");
    for (const char* s : {"RESET ROLE", "RESET ALL", kSessionSettings}) out.push_back(s);
    if (options_.schema_first_in_search_path) out.push_back(TenantSearchPath(options_.schema));
    return out;
  }

  // The deferred statements as one simple-protocol string; none are left deferred.
  std::string TakeDeferred() {
    std::string sql;
    for (const std::string& s : deferred_) sql += (sql.empty() ? "" : "; ") + s;
    deferred_.clear();
    return sql;
  }

  // The INSERT of `row` into the history table. With `server_time`, execution_ms is the time the
  // server measures from BEGIN (now()) to the insert, for a row sent before the statements ran.
  Result<std::string> InsertText(const HistoryRow& row, bool server_time) {
    STRATA_ASSIGN_OR_RETURN(auto v, Literals(row));
    std::string ms = server_time ? "extract(epoch FROM clock_timestamp() - now()) * 1000" : v[4];
    return fmt::format("INSERT INTO {} (version, name, checksum, applied_at, execution_ms, state, strata_version) "
                       "VALUES ({}::bigint, {}, {}, {}::timestamptz, ({})::double precision, {}, {})",
                       table_, v[0], v[1], v[2], v[3], ms, v[5], v[6]);
  }

  // The row's values as SQL literals, escaped by libpq for this connection's encoding.
  Result<std::vector<std::string>> Literals(const HistoryRow& r) {
    std::vector<std::string> out;
    for (const auto& p : Params(r)) {
      char* lit = PQescapeLiteral(conn_.get(), p->data(), p->size());
      if (!lit) return Status(ErrorCode::kSqlError, conn_.ErrorMessage());
      out.emplace_back(lit);
      PQfreemem(lit);
    }
    return out;
  }

  std::vector<std::optional<std::string>> Params(const HistoryRow& r) const {
    return {std::to_string(VersionToKey(r.version)), r.name, r.checksum, r.applied_at, fmt::format("{}", r.execution_ms),
            RowStateName(r.state), r.strata_version};
  }

  // True when `name` exists in the schema with exactly the columns [first, last); false when absent.
  template <typename It>
  Result<bool> TableExists(const std::string& name, It first, It last) {
    STRATA_RETURN_IF_ERROR(Flush());
    STRATA_ASSIGN_OR_RETURN(auto r, conn_.ExecParams(LayoutQuery("$1", "$2"), {options_.schema, name}));
    return CheckLayout(r.get(), name, first, last);
  }

  // The kind and columns of table `table` in schema `schema` (SQL expressions: parameters or literals).
  static std::string LayoutQuery(const std::string& schema, const std::string& table) {
    return fmt::format("SELECT c.relkind, array_to_string(ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid "
                       "= c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attname), ',') FROM pg_class c "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = {} AND c.relname = {}",
                       schema, table);
  }

  // LayoutQuery's answer: false when there is no such table; kFailedPrecondition when one of that
  // name is not a table or has other columns than [first, last).
  template <typename It>
  Result<bool> CheckLayout(const PGresult* r, const std::string& name, It first, It last) {
    if (PQntuples(r) == 0) return false;
    std::string kind = Text(r, 0, 0);
    if (kind != "r" && kind != "p") return WrongLayout(name, fmt::format("it is not a table (relkind '{}')", kind));
    std::set<std::string> have;
    std::string cols = Text(r, 0, 1);
    for (std::size_t pos = 0; pos <= cols.size();) {
      std::size_t comma = cols.find(',', pos);
      if (comma == std::string::npos) comma = cols.size();
      have.insert(cols.substr(pos, comma - pos));
      pos = comma + 1;
    }
    if (have != std::set<std::string>(first, last)) return WrongLayout(name, fmt::format("its columns are ({})", cols));
    return true;
  }

  Status WrongLayout(const std::string& name, const std::string& why) {
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("a table named {}.{} exists but is not a strata {} ({}); strata will not reuse it.",
                              QuoteIdentifier(options_.schema), QuoteIdentifier(name),
                              name == options_.history_table ? "history table"
                              : name == options_.history_table + "_lock" ? "lock table"
                                                                         : "run log",
                              why))
        .WithRemedy(Remedy::kHistoryTable);
  }

  // LockRun with LockKind::kLease: the lock table beside the history table (created if missing),
  // then the lease on a connection of its own.
  Result<std::unique_ptr<RunLock>> LockLease() {
    const std::string name = options_.history_table + "_lock";
    const std::string table = QuoteIdentifier(options_.schema) + "." + QuoteIdentifier(name);
    STRATA_ASSIGN_OR_RETURN(bool exists, TableExists(name, std::begin(pg::kLeaseColumns), std::end(pg::kLeaseColumns)));
    if (!exists) {
      // Runners starting together all find it missing; IF NOT EXISTS still lets two CREATEs collide
      // in the catalog (unique violation), so a failure is forgiven when the table is there after.
      auto schema = conn_.ExecParams("SELECT 1 FROM pg_namespace WHERE nspname = $1", {options_.schema});
      Status st = schema.ok() ? Status::Ok() : schema.status();
      if (st.ok() && PQntuples(schema->get()) == 0) {
        st = conn_.Exec("CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(options_.schema)).status();
      }
      if (st.ok()) st = conn_.Exec(pg::LeaseTableDdl(table)).status();
      if (!st.ok()) {
        auto again = TableExists(name, std::begin(pg::kLeaseColumns), std::end(pg::kLeaseColumns));
        if (!again.ok()) return again.status();
        if (!*again) return std::move(st).WithPrefix("cannot create the lock table " + table + ": ");
      }
    }
    pg::LeaseSettings settings{.schema = options_.schema,
                               .table = name,
                               .key = options_.history_table,
                               .lease = options_.lock_lease,
                               .timeout = options_.lock_timeout,
                               .waiting = options_.lock_waiting};
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<pg::Lease> lease, pg::Lease::Acquire(url_, settings));
    return std::unique_ptr<RunLock>(std::make_unique<PostgresLeaseLock>(&conn_, std::move(lease), &lease_, &lock_held_));
  }

  Result<std::string> RunLockHolder() override {
    if (options_.lock_kind == LockKind::kLease) return std::string();
    STRATA_ASSIGN_OR_RETURN(std::optional<std::string> holder,
                            HolderIfAny(conn_, LockKey(options_.schema, options_.history_table)));
    return holder.value_or(std::string());
  }

  // Who holds the advisory lock, from pg_locks and pg_stat_activity; std::nullopt when nobody does.
  static Result<std::optional<std::string>> HolderIfAny(Connection& conn, std::int64_t key) {
    STRATA_ASSIGN_OR_RETURN(
        auto r, conn.Exec(fmt::format(
                    "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.client_addr::text, 'local socket'), "
                    "to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), coalesce(a.state, ''), "
                    "to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
                    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND "
                    "l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND l.classid = {} AND l.objid = {} AND l.objsubid = 1",
                    static_cast<std::uint32_t>(static_cast<std::uint64_t>(key) >> 32),
                    static_cast<std::uint32_t>(static_cast<std::uint64_t>(key) & 0xffffffffu))));
    const PGresult* res = r.get();
    if (PQntuples(res) == 0) return std::optional<std::string>();
    return std::optional<std::string>(
        fmt::format("held by pid {} (application_name '{}', client {}, connected since {} UTC, {} since {} UTC)",
                    Text(res, 0, 0), Text(res, 0, 1), Text(res, 0, 2), Text(res, 0, 3), Text(res, 0, 4),
                    Text(res, 0, 5)));
  }

  // HolderIfAny for a message about a lock that was just seen taken.
  static std::string Holder(Connection& conn, std::int64_t key) {
    auto holder = HolderIfAny(conn, key);
    if (!holder.ok() || !*holder) return "held by another session (it may have just finished)";
    return **holder;
  }

  Connection conn_;
  base::DatabaseUrl url_;
  OpenOptions options_;
  std::string table_;
  bool lock_held_ = false;
  pg::Lease* lease_ = nullptr;  // while a PostgresLeaseLock made here is alive
  bool fenced_ = false;         // BeginWrite's transaction commits only while the lease is ours
  bool checked_writable_ = false;  // RefuseReadOnly found the server writable
  std::vector<std::string> deferred_;  // statements to send ahead of the next one (BEGIN, history writes)
  bool session_changed_ = false;       // a migration's statement may have changed the session (SET, RESET)
  bool authorization_changed_ = false;  // ... and named SESSION AUTHORIZATION
  bool reset_in_tx_ = false;              // the open transaction carries the reset (BeginWrite)
  bool reset_authorization_in_tx_ = false;
};

}  // namespace

Result<std::unique_ptr<Driver>> OpenPostgres(const base::DatabaseUrl& url, const OpenOptions& options) {
  STRATA_ASSIGN_OR_RETURN(Connection conn, Connection::Open(url));
  // client_connection_check_interval: a runner killed mid-statement would otherwise leave its
  // backend working (and holding locks) until the statement ends; the server notices the dead
  // client within a second. The idle timeouts: this session holds the migration lock, and sits
  // idle while the data guard waits for a typed "yes"; a database-wide idle_session_timeout must
  // not end it. Set where the server has them (PostgreSQL 14+), in one round trip.
  const std::string settings = kSessionSettings;
  if (!options.schema_first_in_search_path) {
    (void)conn.Exec(settings);
  } else {
    // A schema per tenant: the migrations' unqualified names are the tenant's.
    STRATA_RETURN_IF_ERROR(conn.Exec(settings + "; " + TenantSearchPath(options.schema)).status());
  }
  return std::unique_ptr<Driver>(std::make_unique<PostgresDriver>(std::move(conn), url, options));
}

}  // namespace strata::driver
