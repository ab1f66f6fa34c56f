// The database engines strata drives.
#pragma once

namespace strata {

enum class Engine { kSqlite, kPostgres, kMariadb };

// "sqlite", "postgres" or "mariadb", as schema::Schema::dialect spells it. Never null.
const char* EngineName(Engine engine);

}  // namespace strata
