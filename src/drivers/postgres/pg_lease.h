// The lease lock (`--lock=table`): a row in `<history table>_lock` that names its owner and
// expires unless renewed, for servers and poolers where a session advisory lock cannot be held.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/lease.h"
#include "base/url.h"
#include "drivers/postgres/pg_conn.h"
#include "strata/status.h"

namespace strata::driver::pg {

using base::kLeaseColumns;
using base::LeaseSettings;  // schema and table name the lock table

// CREATE TABLE IF NOT EXISTS for the lock table `qualified` (already quoted).
std::string LeaseTableDdl(const std::string& qualified);

// A held lease. Every statement it sends is one autocommit statement on a connection of its own
// (no session state, no advisory lock, no SET), so that it works through a transaction-mode
// pooler; all times are the server's clock_timestamp(), never this machine's.
class Lease {
 public:
  // Opens a connection to `url` and takes the lease for `settings.key`: inserted, or taken over
  // when the row there has expired. Polls with backoff (50 ms doubling to 1 s) until
  // settings.timeout; kAborted then, naming the holder (host, pid, since when, when it expires).
  // kUnavailable when the server cannot be reached; kSqlError naming the table otherwise. On
  // success a thread renews the lease every third of its duration until the Lease is destroyed.
  static Result<std::unique_ptr<Lease>> Acquire(const base::DatabaseUrl& url, const LeaseSettings& settings);

  // Stops renewing and deletes the row if it is still this lease's. Never fails loudly.
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Ok while the lease is this run's as far as can be told without a round trip: kLockLost once a
  // renewal found the row gone, expired or another runner's, or when the last successful renewal
  // was sent longer ago than the lease minus a sixth of it (the server's expiry is at least a
  // lease after the send). Thread-safe.
  Status Held() const { return keeper_.Held(); }

  // One statement that, inside a migration's transaction just before COMMIT, renews the lease and
  // makes the transaction fail unless the row is still this lease's and unexpired. It takes the
  // row's lock until COMMIT, so that no other runner can take the lease over between the check
  // and the commit.
  const std::string& FenceSql() const { return fence_sql_; }
  // `failure` as kLockLost with an explanation when it came from FenceSql; unchanged otherwise.
  Status ExplainFence(const Status& failure) const;

  const std::string& qualified_table() const { return table_; }

 private:
  Lease(Connection conn, const base::DatabaseUrl& url, const LeaseSettings& settings, std::string owner);

  // Who holds the row now ("held by host H pid P since ..."), or why that cannot be said.
  std::string Holder(Connection& conn) const;
  base::Renewal Renew(std::int64_t* sent, std::string* why);

  std::mutex conn_mu_;  // the connection: the keeper's thread, then the destructor
  std::optional<Connection> conn_;
  base::DatabaseUrl url_;
  LeaseSettings settings_;
  std::string table_;  // quoted, schema-qualified
  std::string owner_;
  std::string fence_sql_;
  base::LeaseKeeper keeper_;  // last: its thread uses the members above
};

}  // namespace strata::driver::pg
