#include "base/lease.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <random>

namespace strata::base {

using namespace std::chrono_literals;

std::string LeaseOwnerToken() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> bits;
  return fmt::format("{:016x}{:016x}", bits(rd), bits(rd));
}

std::string LeaseHostName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "unknown";
  return host;
}

std::string DescribeLeaseHolder(const std::string& owner, const std::string& host, const std::string& pid,
                                const std::string& since, const std::string& renewed_ago,
                                const std::string& expires_in) {
  std::string when = !expires_in.empty() && expires_in[0] == '-' ? fmt::format("expired {} s ago", expires_in.substr(1))
                                                                 : fmt::format("expires in {} s", expires_in);
  return fmt::format("held by host {} pid {} (owner {}) since {} UTC, last renewed {} s ago, {}", host, pid,
                     owner.substr(0, 8), since, renewed_ago, when);
}

Status WaitForLease(const LeaseWait& wait, const std::function<Result<bool>()>& take,
                    const std::function<std::string()>& holder) {
  const auto start = std::chrono::steady_clock::now();
  auto delay = 50ms;
  bool told = false;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool taken, take());
    if (taken) return Status::Ok();
    const auto waited = std::chrono::steady_clock::now() - start;
    const std::string who = holder();
    if (waited >= wait.timeout) {
      return Status(ErrorCode::kAborted,
                    fmt::format("could not take the migration lock (the lease in {} on {}) within {:.1f} s: {}",
                                wait.table, wait.redacted_url, std::chrono::duration<double>(waited).count(), who))
          .WithRemedy(Remedy::kLockTimeout);
    }
    if (!told && wait.waiting) {
      wait.waiting(fmt::format("waiting up to {:.1f} s for the migration lock (the lease in {} on {}): {}",
                               std::chrono::duration<double>(wait.timeout).count(), wait.table, wait.redacted_url,
                               who));
      told = true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(wait.timeout - waited);
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(delay, left));
    delay = std::min<std::chrono::milliseconds>(delay * 2, 1s);
  }
}

LeaseKeeper::LeaseKeeper(std::chrono::milliseconds lease, std::string table) : lease_(lease), table_(std::move(table)) {}

LeaseKeeper::~LeaseKeeper() { Stop(); }

std::int64_t LeaseKeeper::Now() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

void LeaseKeeper::Start(std::int64_t sent, std::function<Renewal(std::int64_t*, std::string*)> renew) {
  renewed_at_ = sent;
  renew_ = std::move(renew);
  thread_ = std::thread(&LeaseKeeper::Loop, this);
}

void LeaseKeeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status LeaseKeeper::Held() const {
  if (lost_) {
    std::lock_guard<std::mutex> lock(lost_mu_);
    return Status(ErrorCode::kLockLost, lost_why_);
  }
  const auto age = std::chrono::steady_clock::duration(Now() - renewed_at_.load());
  if (age <= lease_ - lease_ / 6) return Status::Ok();
  return Status(ErrorCode::kLockLost,
                fmt::format("the migration lock's lease in {} was last renewed {:.1f} s ago and lasts {:.1f} s, so "
                            "another runner may have taken it over (renewals failed: is the server reachable?)",
                            table_, std::chrono::duration<double>(age).count(),
                            std::chrono::duration<double>(lease_).count()));
}

// A failure to reach the server is retried sooner (Held() says when it has been too long); a lease
// found lost ends the loop for good.
void LeaseKeeper::Loop() {
  const auto every = std::max<std::chrono::milliseconds>(lease_ / 3, 1ms);
  const auto retry = std::max<std::chrono::milliseconds>(lease_ / 10, 100ms);
  auto wait = every;
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, wait, [this] { return stop_; })) {
    lock.unlock();
    std::int64_t sent = 0;
    std::string why;
    const Renewal r = renew_(&sent, &why);
    if (r == Renewal::kRenewed) renewed_at_ = sent;
    if (r == Renewal::kLost) {
      {
        std::lock_guard<std::mutex> guard(lost_mu_);
        lost_why_ = std::move(why);
      }
      lost_ = true;
      return;
    }
    lock.lock();
    wait = r == Renewal::kRenewed ? every : retry;
  }
}

}  // namespace strata::base
