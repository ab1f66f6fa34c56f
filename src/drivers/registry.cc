#include "drivers/registry.h"

#include "base/sha256.h"
#include "drivers/mariadb/mariadb_driver.h"
#include "drivers/mariadb/mariadb_schema.h"
#include "drivers/postgres/postgres_driver.h"
#include "drivers/sqlite/sqlite_driver.h"

namespace strata::driver {

const char* RowStateName(RowState state) {
  switch (state) {
    case RowState::kApplied: return "applied";
    case RowState::kDirty: return "dirty";
    case RowState::kBaseline: return "baseline";
  }
  return "applied";
}

std::string StatementHash(std::string_view statement) { return base::Sha256Hex(statement).substr(0, 16); }

Result<std::unique_ptr<Driver>> AdoptSqlite(sqlite3* connection, const OpenOptions& options) {
  return WrapSqlite(connection, options);
}

Result<std::unique_ptr<ScratchDatabase>> CreateScratch(const base::DatabaseUrl& like) {
  switch (like.kind) {
    case base::DatabaseUrl::Kind::kSqlite:
      return CreateSqliteScratch();
    case base::DatabaseUrl::Kind::kPostgres:
      return CreatePostgresScratch(like);
    case base::DatabaseUrl::Kind::kMariadb:
      return CreateMariadbScratch(like);
  }
  return Status(ErrorCode::kInternal, "unknown database kind");
}

Result<std::unique_ptr<TemplateStore>> OpenTemplateStore(const base::DatabaseUrl& where, const std::string& sqlite_dir) {
  switch (where.kind) {
    case base::DatabaseUrl::Kind::kSqlite:
      return OpenSqliteTemplates(sqlite_dir);
    case base::DatabaseUrl::Kind::kPostgres:
      return OpenPostgresTemplates(where);
    case base::DatabaseUrl::Kind::kMariadb:
      return OpenMariadbTemplates(where);
  }
  return Status(ErrorCode::kInternal, "unknown database kind");
}

Result<std::unique_ptr<Driver>> OpenDriver(const base::DatabaseUrl& url, const OpenOptions& options) {
  switch (url.kind) {
    case base::DatabaseUrl::Kind::kSqlite:
      return OpenSqlite(url, options);
    case base::DatabaseUrl::Kind::kPostgres:
      return OpenPostgres(url, options);
    case base::DatabaseUrl::Kind::kMariadb:
      return OpenMariadb(url, options);
  }
  return Status(ErrorCode::kInternal, "unknown database kind");
}

}  // namespace strata::driver
