// Introspection and table contents on PostgreSQL: the schema model from pg_catalog, row counts,
// and content fingerprints (for the data guard and `up --verify-data`).
#pragma once

#include <string>

#include "drivers/driver.h"
#include "drivers/postgres/pg_conn.h"

namespace strata::driver::pg {

// Every schema except pg_catalog, information_schema, pg_toast and temporary ones; objects that
// belong to an extension are left out. `history_schema`.`history_table` and its "_log" table are
// left out unless options.include_strata_tables.
Result<schema::Schema> IntrospectPostgres(Connection& conn, const std::string& history_schema,
                                          const std::string& history_table, const IntrospectOptions& options);

// `CHECK ((x > 0)) NOT VALID` (pg_get_constraintdef) -> `(x > 0)`: the keyword, one pair of
// parentheses and the trailing options go (the model has no place for NOT VALID or NO INHERIT).
std::string CheckExpression(std::string def);

// Passes CHECK expressions, view definitions and partial-index predicates through the server once
// more (on temporary copies, rolled back) so that their text is the stable second deparse; see
// pg_canonical.cc. `normalize_view` is applied to the view text the server prints. A kind of
// object the server cannot copy keeps its first text; kInternal only when the server's answer
// about the copies is not what was asked for.
Status CanonicalizeExpressions(Connection& conn, schema::Schema& schema,
                               std::string (*normalize_view)(const std::string&));

// `schema` empty: the first schema of the search_path that has the table.
Result<std::int64_t> CountPostgresRows(Connection& conn, const std::string& schema, const std::string& table);
Result<TableFingerprint> FingerprintPostgres(Connection& conn, const std::string& schema, const std::string& table);
Status ReadPostgresRowsAsSql(Connection& conn, const std::string& schema, const std::string& table,
                             const std::vector<std::string>& columns,
                             const std::function<Status(std::string_view)>& row);
Result<std::vector<Driver::CounterState>> PostgresCounterStateSql(Connection& conn);

}  // namespace strata::driver::pg
