#include "drivers/postgres/pg_lease.h"

#include <fmt/format.h>
#include <unistd.h>

#include "base/text.h"

namespace strata::driver::pg {

namespace {

// What the fence's cast error carries, to tell its failure from any other.
constexpr std::string_view kLostMarker = "strata_lease_lost";

std::string Text(const PGresult* r, int row, int col) {
  return PQgetisnull(r, row, col) ? std::string() : std::string(PQgetvalue(r, row, col));
}

// Literals in the fence are strata's own: an identifier-like key and a hex token.
std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string LeaseTableDdl(const std::string& qualified) {
  return fmt::format("CREATE TABLE IF NOT EXISTS {} (\n"
                     "  lock_key text PRIMARY KEY,\n"
                     "  owner text NOT NULL,\n"
                     "  host text NOT NULL,\n"
                     "  pid bigint NOT NULL,\n"
                     "  acquired_at timestamptz NOT NULL,\n"
                     "  heartbeat_at timestamptz NOT NULL,\n"
                     "  expires_at timestamptz NOT NULL\n"
                     ")",
                     qualified);
}

Lease::Lease(Connection conn, const base::DatabaseUrl& url, const LeaseSettings& settings, std::string owner)
    : conn_(std::move(conn)),
      url_(url),
      settings_(settings),
      table_(base::QuoteIdentifier(settings_.schema) + "." + base::QuoteIdentifier(settings_.table)),
      owner_(std::move(owner)),
      keeper_(settings_.lease, table_) {
  // The cast of a text chosen at run time fails only when no row was renewed; a failed statement
  // aborts the transaction, so that the COMMIT after it cannot commit, also in a pipeline where the
  // COMMIT is already on its way. (A plain UPDATE that matched no row would be no error.)
  fence_sql_ = fmt::format(
      "WITH renewed AS (UPDATE {} SET heartbeat_at = clock_timestamp(), expires_at = clock_timestamp() + {} * "
      "interval '1 millisecond' WHERE lock_key = {} AND owner = {} AND expires_at > clock_timestamp() RETURNING 1) "
      "SELECT (CASE WHEN count(*) = 1 THEN '1' ELSE '{}' END)::int FROM renewed",
      table_, settings_.lease.count(), Quote(settings_.key), Quote(owner_), kLostMarker);
}

Result<std::unique_ptr<Lease>> Lease::Acquire(const base::DatabaseUrl& url, const LeaseSettings& settings) {
  STRATA_ASSIGN_OR_RETURN(Connection conn, Connection::Open(url));
  std::unique_ptr<Lease> lease(new Lease(std::move(conn), url, settings, base::LeaseOwnerToken()));
  Connection& c = *lease->conn_;
  const std::string& table = lease->table_;
  // Taken when the row is missing or expired by the server's clock; a live row is left alone, and
  // RETURNING then returns nothing. One statement: no transaction stays open while waiting.
  const std::string take = fmt::format(
      "INSERT INTO {0} AS l (lock_key, owner, host, pid, acquired_at, heartbeat_at, expires_at) "
      "VALUES ($1, $2, $3, $4::bigint, clock_timestamp(), clock_timestamp(), clock_timestamp() + $5::bigint * "
      "interval '1 millisecond') "
      "ON CONFLICT (lock_key) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid, "
      "acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at "
      "WHERE l.expires_at < clock_timestamp() RETURNING l.owner",
      table);
  const std::vector<std::optional<std::string>> params = {settings.key, lease->owner_, base::LeaseHostName(),
                                                          std::to_string(getpid()),
                                                          std::to_string(settings.lease.count())};
  std::int64_t sent = 0;
  STRATA_RETURN_IF_ERROR(base::WaitForLease(
      base::LeaseWait{.table = table, .redacted_url = c.redacted_url(), .timeout = settings.timeout,
                      .waiting = settings.waiting},
      [&]() -> Result<bool> {
        sent = base::LeaseKeeper::Now();
        auto r = c.ExecParams(take, params);
        if (!r.ok()) return Status(r.status()).WithPrefix("cannot take the migration lease in " + table + ": ");
        return PQntuples(r->get()) == 1;
      },
      [&] { return lease->Holder(c); }));
  Lease* raw = lease.get();
  lease->keeper_.Start(sent, [raw](std::int64_t* at, std::string* why) { return raw->Renew(at, why); });
  return lease;
}

Lease::~Lease() {
  keeper_.Stop();
  std::lock_guard<std::mutex> lock(conn_mu_);
  if (keeper_.lost() || !conn_ || PQstatus(conn_->get()) != CONNECTION_OK) return;  // it expires by itself
  (void)conn_->ExecParams(fmt::format("DELETE FROM {} WHERE lock_key = $1 AND owner = $2", table_),
                          {settings_.key, owner_});
}

Status Lease::ExplainFence(const Status& failure) const {
  if (failure.message().find(kLostMarker) == std::string::npos) return failure;
  Status held = Held();
  std::string why = held.ok() ? fmt::format("the migration lock's lease in {} expired or was taken over by another "
                                            "runner",
                                            table_)
                              : held.message();
  return Status(ErrorCode::kLockLost, why + "; the transaction was not committed");
}

std::string Lease::Holder(Connection& conn) const {
  auto r = conn.ExecParams(
      fmt::format("SELECT owner, host, pid::text, to_char(acquired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), "
                  "round(extract(epoch FROM clock_timestamp() - heartbeat_at)::numeric, 1)::text, "
                  "round(extract(epoch FROM expires_at - clock_timestamp())::numeric, 1)::text FROM {} "
                  "WHERE lock_key = $1",
                  table_),
      {settings_.key});
  if (!r.ok()) return "held by another runner (" + r.status().message() + ")";
  const PGresult* res = r->get();
  if (PQntuples(res) == 0) return "no runner holds it now (it was just released)";
  return base::DescribeLeaseHolder(Text(res, 0, 0), Text(res, 0, 1), Text(res, 0, 2), Text(res, 0, 3),
                                   Text(res, 0, 4), Text(res, 0, 5));
}

// One renewal: a connection that cannot be made again is retried by the keeper; a row that is no
// longer ours ends the lease for good.
base::Renewal Lease::Renew(std::int64_t* sent, std::string* why) {
  std::lock_guard<std::mutex> lock(conn_mu_);
  if (!conn_ || PQstatus(conn_->get()) != CONNECTION_OK) {
    conn_.reset();
    auto c = Connection::Open(url_);
    if (!c.ok()) return base::Renewal::kUnreachable;
    conn_.emplace(std::move(*c));
  }
  *sent = base::LeaseKeeper::Now();
  auto r = conn_->ExecParams(
      fmt::format("UPDATE {} SET heartbeat_at = clock_timestamp(), expires_at = clock_timestamp() + $3::bigint * "
                  "interval '1 millisecond' WHERE lock_key = $1 AND owner = $2 AND expires_at > clock_timestamp() "
                  "RETURNING 1",
                  table_),
      {settings_.key, owner_, std::to_string(settings_.lease.count())});
  if (!r.ok()) return base::Renewal::kUnreachable;
  if (PQntuples(r->get()) == 1) return base::Renewal::kRenewed;
  *why = fmt::format("the migration lock's lease in {} is no longer this run's: it expired or another runner took "
                     "it over (now {})",
                     table_, Holder(*conn_));
  return base::Renewal::kLost;
}

}  // namespace strata::driver::pg
