// The public entry points: Source factories, Migrator::Open / OpenSqlite and option checks.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "base/url.h"
#include "core/driver_handle.h"
#include "core/migrator_impl.h"
#include "drivers/registry.h"
#include "strata/migrator.h"

namespace strata {

Source Source::Directory(std::string path) {
  Source s;
  s.path_ = std::move(path);
  return s;
}

Source Source::Embedded(std::vector<File> files, std::string label) {
  Source s;
  s.path_ = std::move(label);
  s.embedded_ = true;
  s.files_ = std::move(files);
  return s;
}

std::string RedactSecrets(std::string_view text) { return base::RedactSecrets(text); }

Result<Engine> EngineOf(std::string_view url) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl parsed, base::ParseDatabaseUrl(url));
  switch (parsed.kind) {
    case base::DatabaseUrl::Kind::kSqlite: return Engine::kSqlite;
    case base::DatabaseUrl::Kind::kPostgres: return Engine::kPostgres;
    case base::DatabaseUrl::Kind::kMariadb: return Engine::kMariadb;
  }
  return Engine::kSqlite;
}

Result<std::string> SqlitePathOf(std::string_view url) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl parsed, base::ParseDatabaseUrl(url));
  if (parsed.kind != base::DatabaseUrl::Kind::kSqlite) {
    return Status(ErrorCode::kInvalidArgument, "not a SQLite URL: " + parsed.Redacted());
  }
  return std::move(parsed.path);
}

const char* MigrationStateName(MigrationState state) {
  switch (state) {
    case MigrationState::kApplied: return "applied";
    case MigrationState::kBaseline: return "baseline";
    case MigrationState::kPending: return "pending";
    case MigrationState::kOutOfOrder: return "out-of-order";
    case MigrationState::kChanged: return "changed";
    case MigrationState::kMissingFile: return "missing";
    case MigrationState::kDirty: return "dirty";
    case MigrationState::kPartial: return "partial";
  }
  return "unknown";
}

namespace core {
namespace {

// PostgreSQL cuts a longer name to 63 bytes without an error (MariaDB allows 64).
constexpr std::size_t kLongestName = 63;
// The history table lends its name to the run log and the lock table ("_log", "_lock"), which
// must fit as well: cut short, the lock table's name would be the history table's.
constexpr std::size_t kLongestHistoryTable = kLongestName - 5;

bool ValidIdentifier(std::string_view s, std::size_t longest = kLongestName) {
  if (s.empty() || s.size() > longest) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

Status ValidateOptions(const Options& options) {
  if (!ValidIdentifier(options.history_table, kLongestHistoryTable)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("invalid history table name '{}': use letters, digits and '_' (at most {}: the run log "
                              "and the lock table add _log and _lock to it)",
                              options.history_table, kLongestHistoryTable));
  }
  if (!ValidIdentifier(options.schema)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("invalid schema name '{}': use letters, digits and '_' (at most 63)", options.schema));
  }
  if (options.lock_timeout.count() < 0 || options.pg_lock_timeout.count() < 0 ||
      options.statement_timeout.count() < 0) {
    return Status(ErrorCode::kInvalidArgument, "timeouts cannot be negative");
  }
  if (options.lock_lease < std::chrono::seconds(1) || options.lock_lease > std::chrono::hours(24)) {
    return Status(ErrorCode::kInvalidArgument, "the lock lease must be from 1 s to a day");
  }
  return Status::Ok();
}

// The lease lock is for servers without session advisory locks; a SQLite database is one file
// that its own file lock guards, and a lease table there would only add a way to get it wrong.
Status RefuseTableLockOnSqlite(const Options& options, base::DatabaseUrl::Kind kind) {
  if (options.lock_mode != LockMode::kTable || kind != base::DatabaseUrl::Kind::kSqlite) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument,
                "the table lock (--lock=table, lock = \"table\") is for PostgreSQL, MariaDB and MySQL; SQLite uses "
                "its file lock: drop the setting for this database");
}

// The file system takes C strings: a path with a NUL byte would name another directory.
Status ValidateSource(const Source& source) {
  if (source.embedded() || source.label().find('\0') == std::string::npos) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument, "the migrations directory path contains a NUL byte");
}
}  // namespace
}  // namespace core

Result<std::unique_ptr<Migrator>> Migrator::Open(std::string_view url, Source source, Options options) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl parsed, base::ParseDatabaseUrl(url));
  STRATA_RETURN_IF_ERROR(core::ValidateOptions(options));
  STRATA_RETURN_IF_ERROR(core::RefuseTableLockOnSqlite(options, parsed.kind));
  STRATA_RETURN_IF_ERROR(core::ValidateSource(source));
  return std::unique_ptr<Migrator>(core::NewMigrator(std::move(parsed), std::move(source), std::move(options)));
}

Result<std::unique_ptr<Migrator>> Migrator::OpenSqlite(sqlite3* connection, Source source, Options options) {
  if (!connection) return Status(ErrorCode::kInvalidArgument, "OpenSqlite needs an open connection, not null");
  STRATA_RETURN_IF_ERROR(core::ValidateOptions(options));
  STRATA_RETURN_IF_ERROR(core::RefuseTableLockOnSqlite(options, base::DatabaseUrl::Kind::kSqlite));
  STRATA_RETURN_IF_ERROR(core::ValidateSource(source));
  base::DatabaseUrl url;
  url.kind = base::DatabaseUrl::Kind::kSqlite;
  url.raw = "sqlite:(application connection)";
  STRATA_ASSIGN_OR_RETURN(auto adopted, driver::AdoptSqlite(connection, core::OpenOptionsFor(options, false)));
  return std::unique_ptr<Migrator>(core::NewMigrator(std::move(url), std::move(source), std::move(options),
                                                     std::shared_ptr<driver::Driver>(std::move(adopted))));
}

}  // namespace strata
