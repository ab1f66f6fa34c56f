#include "drivers/mariadb/mariadb_lease.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace strata::driver::mariadb {

namespace {

// The server's time in UTC: a session's time_zone moves NOW(), and two runners may have set
// different ones.
constexpr const char* kNow = "UTC_TIMESTAMP(6)";

}  // namespace

std::string LeaseTableDdl(const std::string& quoted) {
  return fmt::format("CREATE TABLE IF NOT EXISTS {} (\n"
                     "  lock_key VARCHAR(191) NOT NULL PRIMARY KEY,\n"
                     "  owner VARCHAR(64) NOT NULL,\n"
                     "  host VARCHAR(255) NOT NULL,\n"
                     "  pid BIGINT NOT NULL,\n"
                     "  acquired_at DATETIME(6) NOT NULL,\n"
                     "  heartbeat_at DATETIME(6) NOT NULL,\n"
                     "  expires_at DATETIME(6) NOT NULL\n"
                     ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                     quoted);
}

Lease::Lease(Connection conn, const base::DatabaseUrl& url, const LeaseSettings& settings, std::string owner)
    : conn_(std::move(conn)),
      url_(url),
      settings_(settings),
      // Named with its database: the fence runs in the migration's session, which `USE` may have
      // moved to another.
      table_(settings_.schema.empty() ? QuoteName(settings_.table)
                                      : QuoteName(settings_.schema) + "." + QuoteName(settings_.table)),
      name_(QuoteName(settings_.table)),
      owner_(std::move(owner)),
      keeper_(settings_.lease, name_) {
  // Changes the row (so affects one) exactly when it is still ours and unexpired: the new times
  // always differ from the old ones. Sent only on the lease's own connection, whose session no
  // migration touches.
  const std::string ours =
      fmt::format("lock_key = {} AND owner = {} AND expires_at > {}", conn_->Quote(settings_.key), conn_->Quote(owner_), kNow);
  renew_sql_ = fmt::format("UPDATE {0} SET heartbeat_at = {1}, expires_at = {1} + INTERVAL {2} MICROSECOND WHERE {3}",
                           table_, kNow, settings_.lease.count() * 1000, ours);
  // The fence runs in sessions that a migration may have changed (SET timestamp moves
  // UTC_TIMESTAMP): it never writes a time, so no session can move the lease's expiry. It still
  // changes the row, so that it takes the row's lock and, on Galera, certifies against a takeover.
  fence_sql_ = fmt::format("UPDATE {} SET heartbeat_at = heartbeat_at + INTERVAL 1 MICROSECOND WHERE {}", table_, ours);
}

Result<std::unique_ptr<Lease>> Lease::Acquire(const base::DatabaseUrl& server, const LeaseSettings& settings) {
  // A renewal that hangs on a server gone without a word (a failover behind a virtual IP) would
  // keep the run from ending: the lease's connection gives up after a third of the lease, unless
  // the URL says otherwise.
  base::DatabaseUrl url = server;
  const std::string third = std::to_string(std::max<std::int64_t>(1, settings.lease.count() / 3000));
  for (const char* key : {"read_timeout", "write_timeout"}) {
    if (std::none_of(url.params.begin(), url.params.end(), [&](const auto& p) { return p.first == key; })) {
      url.params.emplace_back(key, third);
    }
  }
  STRATA_ASSIGN_OR_RETURN(Connection conn, Connection::Open(url));
  std::unique_ptr<Lease> lease(new Lease(std::move(conn), url, settings, base::LeaseOwnerToken()));
  Connection& c = *lease->conn_;
  const std::string& table = lease->table_;
  // Inserted, or taken over when the row there has expired by the server's clock; a live row keeps
  // its values, and the statement then changes nothing (0 rows affected; 1 for an insert, 2 for a
  // takeover). expires_at is assigned last: each IF reads the row's values as assigned so far. One
  // autocommit statement: no transaction stays open while waiting.
  auto taken_over = [&](const char* column) {
    return fmt::format("{0} = IF(expires_at < {1}, VALUES({0}), {0})", column, kNow);
  };
  const std::string take = fmt::format(
      "INSERT INTO {0} (lock_key, owner, host, pid, acquired_at, heartbeat_at, expires_at) VALUES ({1}, {2}, {3}, {4}, "
      "{5}, {5}, {5} + INTERVAL {6} MICROSECOND) ON DUPLICATE KEY UPDATE {7}, {8}, {9}, {10}, {11}, {12}",
      table, c.Quote(settings.key), c.Quote(lease->owner_), c.Quote(base::LeaseHostName()), getpid(), kNow,
      settings.lease.count() * 1000, taken_over("owner"), taken_over("host"), taken_over("pid"),
      taken_over("acquired_at"), taken_over("heartbeat_at"), taken_over("expires_at"));
  std::int64_t sent = 0;
  STRATA_RETURN_IF_ERROR(base::WaitForLease(
      base::LeaseWait{.table = lease->name_, .redacted_url = c.redacted_url(), .timeout = settings.timeout,
                      .waiting = settings.waiting},
      [&]() -> Result<bool> {
        sent = base::LeaseKeeper::Now();
        auto r = c.Query(take);
        // Two runners inserting at once on two nodes of a Galera cluster: one of them loses the
        // certification (a deadlock error, 1213) and asks again.
        constexpr unsigned kDeadlock = 1213;
        if (!r.ok() && c.last_error() == kDeadlock) return false;
        if (!r.ok()) return Status(r.status()).WithPrefix("cannot take the migration lease in " + lease->name_ + ": ");
        return r->affected_rows > 0;
      },
      [&] { return lease->Holder(c); }));
  Lease* raw = lease.get();
  lease->keeper_.Start(sent, [raw](std::int64_t* at, std::string* why) { return raw->Renew(at, why); });
  return lease;
}

Lease::~Lease() {
  keeper_.Stop();
  std::lock_guard<std::mutex> lock(conn_mu_);
  if (keeper_.lost() || !conn_) return;  // it expires by itself
  (void)conn_->Exec(fmt::format("DELETE FROM {} WHERE lock_key = {} AND owner = {}", table_,
                                conn_->Quote(settings_.key), conn_->Quote(owner_)));
}

Status Lease::Fence(Connection& conn) const {
  auto r = conn.Query(fence_sql_);
  if (!r.ok()) return r.status();
  if (r->affected_rows == 1) return Status::Ok();
  Status held = Held();
  return Status(ErrorCode::kLockLost,
                (held.ok() ? fmt::format("the migration lock's lease in {} expired or was taken over by another runner",
                                         name_)
                           : held.message()) +
                    "; the transaction was not committed");
}

std::string Lease::Holder(Connection& conn) const {
  auto r = conn.Query(fmt::format(
      "SELECT owner, host, pid, DATE_FORMAT(acquired_at, '%Y-%m-%d %H:%i:%s'), "
      "ROUND(TIMESTAMPDIFF(MICROSECOND, heartbeat_at, {0}) / 1e6, 1), "
      "ROUND(TIMESTAMPDIFF(MICROSECOND, {0}, expires_at) / 1e6, 1) FROM {1} WHERE lock_key = {2}",
      kNow, table_, conn.Quote(settings_.key)));
  if (!r.ok()) return "held by another runner (" + r.status().message() + ")";
  if (r->rows.empty()) return "no runner holds it now (it was just released)";
  return base::DescribeLeaseHolder(Cell(*r, 0, 0), Cell(*r, 0, 1), Cell(*r, 0, 2), Cell(*r, 0, 3), Cell(*r, 0, 4),
                                   Cell(*r, 0, 5));
}

Status Lease::ExplainConflict(Connection& conn, const Status& failure) const {
  constexpr unsigned kDeadlock = 1213;
  if (failure.ok() || conn.last_error() != kDeadlock) return failure;
  auto r = conn.Query(fmt::format("SELECT owner FROM {} WHERE lock_key = {}", table_, conn.Quote(settings_.key)));
  if (!r.ok() || (!r->rows.empty() && Cell(*r, 0, 0) == owner_)) return failure;
  return Status(ErrorCode::kLockLost,
                fmt::format("the migration lock's lease in {} was taken over by another runner while this commit "
                            "was certified ({}); the transaction was not committed",
                            name_, failure.message()));
}

Status DisableSnapshotIsolation(Connection& conn) {
  // MariaDB 11.6.2 turned it on by default: a fence's UPDATE of the lease row, which the keeper
  // renews meanwhile, would then fail a transaction that read anything before (error 1020).
  // Servers without the variable (1193) have no such check.
  constexpr unsigned kUnknownVariable = 1193;
  Status st = conn.Exec("SET SESSION innodb_snapshot_isolation = OFF");
  if (!st.ok() && conn.last_error() == kUnknownVariable) return Status::Ok();
  return st;
}

// One renewal: a connection that is gone is opened again (the keeper retries when that fails); a
// row that is no longer ours ends the lease for good.
base::Renewal Lease::Renew(std::int64_t* sent, std::string* why) {
  std::lock_guard<std::mutex> lock(conn_mu_);
  if (!conn_) {
    auto c = Connection::Open(url_);
    if (!c.ok()) return base::Renewal::kUnreachable;
    conn_.emplace(std::move(*c));
  }
  *sent = base::LeaseKeeper::Now();
  auto r = conn_->Query(renew_sql_);
  if (!r.ok()) {
    if (r.status().code() == ErrorCode::kUnavailable) conn_.reset();
    return base::Renewal::kUnreachable;
  }
  if (r->affected_rows == 1) return base::Renewal::kRenewed;
  *why = fmt::format("the migration lock's lease in {} is no longer this run's: it expired or another runner took "
                     "it over (now {})",
                     name_, Holder(*conn_));
  return base::Renewal::kLost;
}

}  // namespace strata::driver::mariadb
