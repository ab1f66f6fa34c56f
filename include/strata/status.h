// strata's error values: every fallible call in the public API returns a Status or a Result<T>.
// No exception crosses the API (but std::bad_alloc when memory runs out); the code says what the
// caller should do next.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace strata {

// What went wrong, chosen by what the caller should do next.
enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument,     // bad argument, URL, file name or migration file: fix the input
  kNotFound,            // a named thing (file, version, database) does not exist
  kFailedPrecondition,  // state forbids it (dirty database, edited applied migration,
                        // out-of-order version, baseline needed): fix state, e.g. `repair`
  kAborted,             // the migration lock could not be taken in time: retry later
  kUnavailable,         // cannot open or connect to the database: check the URL/server, retry
  kUnauthenticated,     // the server rejected the credentials: fix the password, do not retry
  kSqlError,            // a migration's SQL failed; its transaction was rolled back
  kInternal,            // a bug or an unexpected engine state
  kDataAtRisk,          // the run would destroy rows and nobody confirmed it: pass force, or
                        // write a migration that keeps the data
  kDataChanged,         // `verify_data`: a migration changed a table it does not name; rolled back
  kLockLost,            // the run lost its migration lock (its connection ended, its lock file was
                        // replaced); the migration in progress was not committed: check, then retry
  kIntegrity,           // the migrations directory does not match its strata.sum (a file was added,
                        // removed or edited since it was written, or it has merge conflict markers),
                        // or a branch's migrations do not follow its base's: renumber or re-hash
  kInterrupted,         // Migrator::Interrupt stopped the run where the database was clean: the
                        // migration in progress was rolled back, or left partial after a statement
};

// Returns a stable lower-case name for `code` ("invalid_argument", ...).
const char* ErrorCodeName(ErrorCode code);

// A setting the caller can change to get past an error. The message says what happened in the
// library's terms; a front end adds the remedy in its own (the CLI names its flag, an application
// its option), so library messages never quote command-line flags.
enum class Remedy : int {
  kForce = 0,         // SafetyOptions::force: run statements that destroy rows anyway
  kNoForeignKeys,     // Options::foreign_keys = false: rebuild a SQLite parent table
  kLockTimeout,       // Options::lock_timeout: wait longer for the migration lock
  kPgLockTimeout,     // Options::pg_lock_timeout: wait longer for table locks inside a migration
  kHistoryTable,      // Options::history_table (PostgreSQL: or Options::schema): another name
};

// Where in a migration file an error happened. `line` and `column` are 1-based (column counts
// characters, not bytes); 0 means unknown.
struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string source_line;  // the file's text on `line`, for a caret display
  std::string statement;    // the failing statement, trimmed
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  ErrorCode code() const { return rep_ ? rep_->code : ErrorCode::kOk; }
  // The message without location; empty when ok().
  const std::string& message() const;
  // Set for errors that point into a migration file.
  const std::optional<SourceLocation>& location() const;
  // Byte offset of the error inside the SQL text a driver was given (drivers set it; the engine
  // turns it into a SourceLocation).
  std::optional<std::size_t> sql_offset() const { return rep_ ? rep_->sql_offset : std::nullopt; }

  // The remedies the caller may apply, in the order they are best tried; empty for most errors.
  const std::vector<Remedy>& remedies() const;

  Status&& WithLocation(SourceLocation location) &&;
  Status&& WithRemedy(Remedy remedy) &&;
  Status&& WithSqlOffset(std::size_t offset) &&;
  Status&& WithPrefix(const std::string& prefix) &&;

  // "file:line:col: message" followed by the source line and a caret when a location is set.
  std::string ToString() const;

 private:
  struct Rep {
    ErrorCode code;
    std::string message;
    std::optional<SourceLocation> location;
    std::optional<std::size_t> sql_offset;
    std::vector<Remedy> remedies;
  };
  std::shared_ptr<Rep> rep_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status(ErrorCode::kInternal, "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace strata

// Internal convenience: return early on error.
#define STRATA_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::strata::Status strata_status_ = (expr);   \
    if (!strata_status_.ok()) return strata_status_; \
  } while (0)

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)
#define STRATA_ASSIGN_OR_RETURN(lhs, expr)                               \
  auto STRATA_CONCAT_(strata_result_, __LINE__) = (expr);                \
  if (!STRATA_CONCAT_(strata_result_, __LINE__).ok())                    \
    return STRATA_CONCAT_(strata_result_, __LINE__).status();            \
  lhs = std::move(STRATA_CONCAT_(strata_result_, __LINE__)).value()
