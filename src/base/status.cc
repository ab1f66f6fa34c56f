#include "strata/engine.h"
#include "strata/status.h"

#include "base/text.h"

namespace strata {

const char* EngineName(Engine engine) {
  switch (engine) {
    case Engine::kSqlite: return "sqlite";
    case Engine::kPostgres: return "postgres";
    case Engine::kMariadb: return "mariadb";
  }
  return "sqlite";
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kAborted: return "aborted";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kSqlError: return "sql_error";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kDataAtRisk: return "data_at_risk";
    case ErrorCode::kDataChanged: return "data_changed";
    case ErrorCode::kLockLost: return "lock_lost";
    case ErrorCode::kIntegrity: return "integrity";
    case ErrorCode::kInterrupted: return "interrupted";
  }
  return "unknown";
}

Status::Status(ErrorCode code, std::string message) {
  if (code == ErrorCode::kOk) return;
  rep_ = std::make_shared<Rep>(Rep{code, std::move(message), std::nullopt, std::nullopt});
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

const std::optional<SourceLocation>& Status::location() const {
  static const std::optional<SourceLocation> kNone;
  return rep_ ? rep_->location : kNone;
}

const std::vector<Remedy>& Status::remedies() const {
  static const std::vector<Remedy> kNone;
  return rep_ ? rep_->remedies : kNone;
}

// Status is shared and immutable once handed out; the With* helpers copy on write.
Status&& Status::WithRemedy(Remedy remedy) && {
  if (rep_) {
    rep_ = std::make_shared<Rep>(*rep_);
    rep_->remedies.push_back(remedy);
  }
  return std::move(*this);
}

Status&& Status::WithLocation(SourceLocation location) && {
  if (rep_) {
    rep_ = std::make_shared<Rep>(*rep_);
    rep_->location = std::move(location);
  }
  return std::move(*this);
}

Status&& Status::WithSqlOffset(std::size_t offset) && {
  if (rep_) {
    rep_ = std::make_shared<Rep>(*rep_);
    rep_->sql_offset = offset;
  }
  return std::move(*this);
}

Status&& Status::WithPrefix(const std::string& prefix) && {
  if (rep_) {
    rep_ = std::make_shared<Rep>(*rep_);
    rep_->message = prefix + rep_->message;
  }
  return std::move(*this);
}

std::string Status::ToString() const {
  if (!rep_) return "OK";
  if (!rep_->location) return rep_->message;
  return base::FormatLocated(*rep_->location, rep_->message);
}

}  // namespace strata
