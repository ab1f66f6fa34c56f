// The lease lock on MariaDB and MySQL (`--lock=table`): a row in `<history table>_lock` that names
// its owner and expires unless renewed. GET_LOCK, the default, is not replicated by a Galera
// cluster, so it keeps out the runners of one node only; the lease is a row of an InnoDB table,
// which every node has, and a commit fenced on it cannot succeed on two nodes at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/lease.h"
#include "base/url.h"
#include "drivers/mariadb/mariadb_conn.h"
#include "strata/status.h"

namespace strata::driver::mariadb {

struct LeaseSettings {
  std::string table;  // unquoted: the lock table's name
  std::string key;    // the row's lock_key: one lease per key
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds timeout{60'000};  // how long Acquire waits; 0: try once
  std::function<void(const std::string&)> waiting;  // called once when Acquire starts to wait
};

// The lock table's columns, sorted (the layout check compares them as a set).
inline constexpr const char* kLeaseColumns[] = {"acquired_at", "expires_at", "heartbeat_at", "host",
                                                "lock_key",    "owner",      "pid"};

// CREATE TABLE IF NOT EXISTS for the lock table `quoted`.
std::string LeaseTableDdl(const std::string& quoted);

// A held lease. Every statement it sends on its own connection is one autocommit statement; every
// time is the server's UTC_TIMESTAMP(6), never this machine's clock or the session's time zone.
class Lease {
 public:
  // Opens a connection to `url` and takes the lease for `settings.key`: inserted, or taken over
  // when the row there has expired. Polls with backoff until settings.timeout; kAborted then,
  // naming the holder. kUnavailable when the server cannot be reached; kSqlError naming the table
  // otherwise. On success a thread renews the lease every third of its length until the Lease is
  // destroyed.
  static Result<std::unique_ptr<Lease>> Acquire(const base::DatabaseUrl& url, const LeaseSettings& settings);

  // Stops renewing and deletes the row if it is still this lease's. Never fails loudly.
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // As base::LeaseKeeper::Held: no round trip. Thread-safe.
  Status Held() const { return keeper_.Held(); }

  // Inside a transaction on `conn`, right before its COMMIT: renews the lease, which takes the
  // row's lock until that COMMIT, so that no other runner can take the lease over between this
  // check and the commit (on a Galera cluster, a takeover on another node makes one of the two
  // commits fail certification). kLockLost when the lease is no longer this run's: the caller
  // then rolls back.
  Status Fence(Connection& conn) const;

  const std::string& quoted_table() const { return table_; }

 private:
  Lease(Connection conn, const base::DatabaseUrl& url, const LeaseSettings& settings, std::string owner);

  // Who holds the row now ("held by host H pid P since ..."), or why that cannot be said.
  std::string Holder(Connection& conn) const;
  base::Renewal Renew(std::int64_t* sent, std::string* why);

  std::mutex conn_mu_;  // the connection: the keeper's thread, then the destructor
  std::optional<Connection> conn_;
  base::DatabaseUrl url_;
  LeaseSettings settings_;
  std::string table_;  // quoted
  std::string owner_;
  std::string renew_sql_;     // affects one row exactly when the lease is still ours
  base::LeaseKeeper keeper_;  // last: its thread uses the members above
};

}  // namespace strata::driver::mariadb
