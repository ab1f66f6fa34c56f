// The half of the lease lock (`--lock=table`) that does not depend on the engine: who this run is,
// waiting for a held lease, and the thread that renews it and says whether it is still this run's.
// Each driver supplies the statements (drivers/postgres/pg_lease.h, drivers/mariadb/mariadb_lease.h).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "strata/status.h"

namespace strata::base {

// What a lease lock is: its table, its row and how long it lasts.
struct LeaseSettings {
  std::string schema;  // the lock table's schema (PostgreSQL) or database (MariaDB), unquoted
  std::string table;   // unquoted: the lock table's name
  std::string key;     // the row's lock_key: one lease per key
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds timeout{60'000};  // how long Acquire waits; 0: try once
  std::function<void(const std::string&)> waiting;  // called once when Acquire starts to wait
};

// The lock table's columns on every engine, sorted (the layout check compares them as a set).
inline constexpr const char* kLeaseColumns[] = {"acquired_at", "expires_at", "heartbeat_at", "host",
                                                "lock_key",    "owner",      "pid"};

// The holder of a lease row as a wait or a timeout names it, from the row's text:
// "held by host H pid P (owner 1234abcd) since ... UTC, last renewed 1.5 s ago, expires in 28.5 s".
// `expires_in` is in seconds, negative once expired.
std::string DescribeLeaseHolder(const std::string& owner, const std::string& host, const std::string& pid,
                                const std::string& since, const std::string& renewed_ago,
                                const std::string& expires_in);

// 128 random bits in hex: two runners never share an owner, even on one host with one pid
// (containers).
std::string LeaseOwnerToken();
// This machine's host name, or "unknown".
std::string LeaseHostName();

// What the lease is, for the messages: `table` (quoted as the engine writes it) on `redacted_url`.
struct LeaseWait {
  std::string table;
  std::string redacted_url;
  std::chrono::milliseconds timeout{60'000};  // 0: try once
  std::function<void(const std::string&)> waiting;  // called once when the wait starts, with the holder
};

// Calls `take` (one attempt: true when this run now holds the lease) until it succeeds, with
// backoff (50 ms doubling to 1 s), until `wait.timeout`. Before each wait it asks `holder` who holds
// the lease, for the message given to `wait.waiting` once and for the final kAborted (with the
// lock-timeout remedy). An error of `take` ends the wait at once.
Status WaitForLease(const LeaseWait& wait, const std::function<Result<bool>()>& take,
                    const std::function<std::string()>& holder);

// One attempt to renew a held lease.
enum class Renewal {
  kRenewed,      // the server extended it
  kUnreachable,  // it could not be asked: try again soon (Held() says when it has been too long)
  kLost,         // the row is gone, expired or another runner's: the lease is over for good
};

// Keeps a lease: renews it on a thread of its own every third of its length, and answers Held()
// without a round trip.
class LeaseKeeper {
 public:
  // `table` names the lease in messages.
  LeaseKeeper(std::chrono::milliseconds lease, std::string table);
  // Stops the thread (waiting for a renewal in flight).
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // steady_clock ticks, the unit of Start's and Renew's "sent" times.
  static std::int64_t Now();

  // The lease was taken by a statement sent at `sent`; `renew` is then called from the keeper's
  // thread, never concurrently with itself; on kLost it sets `why`.
  void Start(std::int64_t sent, std::function<Renewal(std::int64_t* sent, std::string* why)> renew);
  // Ends the renewals (before the row is deleted). Idempotent.
  void Stop();

  // Ok while the lease is this run's as far as can be told without a round trip: kLockLost once a
  // renewal found it lost, or when the last successful renewal was sent longer ago than the lease
  // minus a sixth of it (the server's expiry is at least a lease after the send). Thread-safe.
  Status Held() const;
  bool lost() const { return lost_; }

 private:
  void Loop();

  std::chrono::milliseconds lease_;
  std::string table_;
  std::function<Renewal(std::int64_t*, std::string*)> renew_;
  std::atomic<std::int64_t> renewed_at_{0};
  std::atomic<bool> lost_{false};
  mutable std::mutex lost_mu_;
  std::string lost_why_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace strata::base
