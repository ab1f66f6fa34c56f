#include "core/driver_handle.h"

#include "drivers/registry.h"

namespace strata::core {

driver::OpenOptions OpenOptionsFor(const Options& options, bool read_only) {
  driver::OpenOptions open;
  open.read_only = read_only;
  open.foreign_keys = options.foreign_keys;
  open.lock_timeout = options.lock_timeout;
  open.lock_kind = options.lock_mode == LockMode::kTable ? driver::LockKind::kLease : driver::LockKind::kSession;
  open.lock_lease = options.lock_lease;
  open.history_table = options.history_table;
  open.strata_version = kVersion;
  open.schema = options.schema;
  open.schema_first_in_search_path = options.schema_first_in_search_path;
  open.pg_lock_timeout = options.pg_lock_timeout;
  open.statement_timeout = options.statement_timeout;
  return open;
}

DriverHandle::DriverHandle(base::DatabaseUrl url, const Options& options, std::shared_ptr<driver::Driver> adopted,
                           std::function<void(const std::string&)> lock_waiting)
    : url_(std::move(url)),
      read_only_(OpenOptionsFor(options, true)),
      writable_(OpenOptionsFor(options, false)),
      kept_(std::move(adopted)) {
  read_only_.lock_waiting = lock_waiting;
  writable_.lock_waiting = std::move(lock_waiting);
}

Result<std::shared_ptr<driver::Driver>> DriverHandle::ForReading(bool keep_if_writable) {
  if (kept_) return kept_;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<driver::Driver> opened, driver::OpenDriver(url_, read_only_));
  std::shared_ptr<driver::Driver> d = std::move(opened);
  if (keep_if_writable && d->Writable()) kept_ = d;
  return d;
}

Result<std::shared_ptr<driver::Driver>> DriverHandle::ForWriting() {
  if (kept_ && kept_->Writable()) return kept_;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<driver::Driver> opened, driver::OpenDriver(url_, writable_));
  kept_ = std::move(opened);
  return kept_;
}

}  // namespace strata::core
