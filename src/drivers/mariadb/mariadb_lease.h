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

using base::kLeaseColumns;
using base::LeaseSettings;  // the table is in the connection's database: no schema

// CREATE TABLE IF NOT EXISTS for the lock table `quoted`.
std::string LeaseTableDdl(const std::string& quoted);

// A held lease. Every statement it sends on its own connection is one autocommit statement; every
// time is the server's UTC_TIMESTAMP(6), never this machine's clock or the session's time zone.
// Turns off innodb_snapshot_isolation for the session of `conn`, where the server has it, so that a
// fenced transaction that read rows before its fence does not fail (error 1020) because the
// keeper renewed the lease row meanwhile.
Status DisableSnapshotIsolation(Connection& conn);

class Lease {
 public:
  // Opens a connection to `url` and takes the lease for `settings.key`: inserted, or taken over
  // when the row there has expired. Polls with backoff until settings.timeout; kAborted then,
  // naming the holder. kUnavailable when the server cannot be reached; kSqlError naming the table
  // otherwise. On success a thread renews the lease every third of its length until the Lease is
  // destroyed.
  // Its connection times out reads and writes after a third of the lease unless the URL sets
  // read_timeout and write_timeout.
  static Result<std::unique_ptr<Lease>> Acquire(const base::DatabaseUrl& url, const LeaseSettings& settings);

  // Stops renewing and deletes the row if it is still this lease's. Never fails loudly.
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // As base::LeaseKeeper::Held: no round trip. Thread-safe.
  Status Held() const { return keeper_.Held(); }

  // Inside a transaction on `conn`, right before its COMMIT: an UPDATE of the lease row that
  // changes it only while it is this run's and unexpired, and takes the row's lock until that
  // COMMIT, so that no other runner can take the lease over between this check and the commit (on
  // a Galera cluster, a takeover on another node makes one of the two commits fail
  // certification). It writes no time: a session's SET timestamp cannot move the expiry.
  // kLockLost when the lease is no longer this run's: the caller then rolls back.
  Status Fence(Connection& conn) const;
  // `failure` of a fenced transaction on `conn` (rolled back), as kLockLost when it is Galera's
  // certification failure (error 1213) and the lease row has another owner now; unchanged otherwise.
  Status ExplainConflict(Connection& conn, const Status& failure) const;

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
  std::string table_;  // quoted, with its database: for SQL
  std::string name_;   // quoted, without: for messages, which name the database in the URL
  std::string owner_;
  std::string renew_sql_;     // the keeper's: affects one row exactly when the lease is still ours
  std::string fence_sql_;     // the same condition, writing no time
  base::LeaseKeeper keeper_;  // last: its thread uses the members above
};

}  // namespace strata::driver::mariadb
