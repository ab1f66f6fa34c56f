// The database engines strata drives.
#pragma once

namespace strata {

enum class Engine { kSqlite, kPostgres };

// "sqlite" or "postgres", as schema::Schema::dialect spells it. Never null.
const char* EngineName(Engine engine);

}  // namespace strata
