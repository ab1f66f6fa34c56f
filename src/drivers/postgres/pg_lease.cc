#include "drivers/postgres/pg_lease.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "base/text.h"

namespace strata::driver::pg {

namespace {

using namespace std::chrono_literals;

// What the fence's cast error carries, to tell its failure from any other.
constexpr std::string_view kLostMarker = "strata_lease_lost";

std::int64_t Ticks() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

std::string Text(const PGresult* r, int row, int col) {
  return PQgetisnull(r, row, col) ? std::string() : std::string(PQgetvalue(r, row, col));
}

// 128 random bits: two runners never share an owner, even on one host with one pid (containers).
std::string RandomToken() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> bits;
  return fmt::format("{:016x}{:016x}", bits(rd), bits(rd));
}

std::string HostName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "unknown";
  return host;
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
    : conn_(std::move(conn)), url_(url), settings_(settings), owner_(std::move(owner)) {
  table_ = base::QuoteIdentifier(settings_.schema) + "." + base::QuoteIdentifier(settings_.table);
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
  std::unique_ptr<Lease> lease(new Lease(std::move(conn), url, settings, RandomToken()));
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
  const std::vector<std::optional<std::string>> params = {settings.key, lease->owner_, HostName(),
                                                          std::to_string(getpid()),
                                                          std::to_string(settings.lease.count())};
  const auto start = std::chrono::steady_clock::now();
  auto delay = 50ms;
  bool told = false;
  while (true) {
    const std::int64_t sent = Ticks();
    auto r = c.ExecParams(take, params);
    if (!r.ok()) return Status(r.status()).WithPrefix("cannot take the migration lease in " + table + ": ");
    if (PQntuples(r->get()) == 1) {
      lease->renewed_at_ = sent;
      lease->heartbeat_ = std::thread(&Lease::HeartbeatLoop, lease.get());
      return lease;
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    std::string holder = lease->Holder(c);
    if (waited >= settings.timeout) {
      return Status(ErrorCode::kAborted,
                    fmt::format("could not take the migration lock (the lease in {} on {}) within {:.1f} s: {}", table,
                                c.redacted_url(), std::chrono::duration<double>(waited).count(), holder))
          .WithRemedy(Remedy::kLockTimeout);
    }
    if (!told && settings.waiting) {
      settings.waiting(fmt::format("waiting up to {:.1f} s for the migration lock (the lease in {} on {}): {}",
                                   std::chrono::duration<double>(settings.timeout).count(), table, c.redacted_url(),
                                   holder));
      told = true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(settings.timeout - waited);
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(delay, left));
    delay = std::min<std::chrono::milliseconds>(delay * 2, 1s);
  }
}

Lease::~Lease() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  std::lock_guard<std::mutex> lock(conn_mu_);
  if (lost_ || !conn_ || PQstatus(conn_->get()) != CONNECTION_OK) return;  // it expires by itself
  (void)conn_->ExecParams(fmt::format("DELETE FROM {} WHERE lock_key = $1 AND owner = $2", table_),
                          {settings_.key, owner_});
}

Status Lease::Held() const {
  if (lost_) {
    std::lock_guard<std::mutex> lock(lost_mu_);
    return Status(ErrorCode::kLockLost, lost_why_);
  }
  const auto age = std::chrono::steady_clock::duration(Ticks() - renewed_at_.load());
  if (age <= settings_.lease - settings_.lease / 6) return Status::Ok();
  return Status(ErrorCode::kLockLost,
                fmt::format("the migration lock's lease in {} was last renewed {:.1f} s ago and lasts {:.1f} s, so "
                            "another runner may have taken it over (renewals failed: is the server reachable?)",
                            table_, std::chrono::duration<double>(age).count(),
                            std::chrono::duration<double>(settings_.lease).count()));
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
  std::string expires = Text(res, 0, 5);
  std::string when = !expires.empty() && expires[0] == '-' ? fmt::format("expired {} s ago", expires.substr(1))
                                                           : fmt::format("expires in {} s", expires);
  return fmt::format("held by host {} pid {} (owner {}) since {} UTC, last renewed {} s ago, {}", Text(res, 0, 1),
                     Text(res, 0, 2), Text(res, 0, 0).substr(0, 8), Text(res, 0, 3), Text(res, 0, 4), when);
}

void Lease::MarkLost(std::string why) {
  {
    std::lock_guard<std::mutex> lock(lost_mu_);
    lost_why_ = std::move(why);
  }
  lost_ = true;
}

// One renewal; a failure to reach the server is retried by the loop (Held() says when it has
// been too long), a row that is no longer ours ends the lease for good.
void Lease::Renew() {
  std::lock_guard<std::mutex> lock(conn_mu_);
  if (!conn_ || PQstatus(conn_->get()) != CONNECTION_OK) {
    conn_.reset();
    auto c = Connection::Open(url_);
    if (!c.ok()) return;
    conn_.emplace(std::move(*c));
  }
  const std::int64_t sent = Ticks();
  auto r = conn_->ExecParams(
      fmt::format("UPDATE {} SET heartbeat_at = clock_timestamp(), expires_at = clock_timestamp() + $3::bigint * "
                  "interval '1 millisecond' WHERE lock_key = $1 AND owner = $2 AND expires_at > clock_timestamp() "
                  "RETURNING 1",
                  table_),
      {settings_.key, owner_, std::to_string(settings_.lease.count())});
  if (!r.ok()) return;
  if (PQntuples(r->get()) == 1) {
    renewed_at_ = sent;
    return;
  }
  MarkLost(fmt::format("the migration lock's lease in {} is no longer this run's: it expired or another runner took "
                       "it over (now {})",
                       table_, Holder(*conn_)));
}

void Lease::HeartbeatLoop() {
  const auto every = std::max<std::chrono::milliseconds>(settings_.lease / 3, 1ms);
  const auto retry = std::max<std::chrono::milliseconds>(settings_.lease / 10, 100ms);
  auto wait = every;
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, wait, [this] { return stop_; })) {
    lock.unlock();
    const std::int64_t before = renewed_at_;
    Renew();
    lock.lock();
    if (lost_) return;
    wait = renewed_at_ != before ? every : retry;
  }
}

}  // namespace strata::driver::pg
