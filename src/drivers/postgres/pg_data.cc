// Row counts and content fingerprints on PostgreSQL (declared in pg_schema.h).
#include <fmt/format.h>

#include "base/text.h"
#include "drivers/postgres/pg_schema.h"

namespace strata::driver::pg {

namespace {

std::string Relation(const std::string& schema, const std::string& table) {
  using base::QuoteIdentifier;
  return schema.empty() ? QuoteIdentifier(table) : QuoteIdentifier(schema) + "." + QuoteIdentifier(table);
}

}  // namespace

Result<std::int64_t> CountPostgresRows(Connection& conn, const std::string& schema, const std::string& table) {
  std::string relation = Relation(schema, table);
  STRATA_ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT count(*) FROM " + relation));
  return Int64Field(r.get(), 0, 0, "the row count of " + relation);
}

// ROW(t.*), not t: a column named t would otherwise stand for the row.
// The server hashes each row's text form and adds the first 64 bits of every md5 as a numeric, so
// the result does not depend on row order and no row leaves the server.
Result<TableFingerprint> FingerprintPostgres(Connection& conn, const std::string& schema, const std::string& table) {
  STRATA_ASSIGN_OR_RETURN(
      auto r, conn.Exec(fmt::format("SELECT count(*), coalesce(sum(('x' || substr(md5(ROW(t.*)::text), 1, 16))::bit(64)::bigint::numeric), 0)"
                                    "::text || ':' || coalesce(sum(('x' || substr(md5(ROW(t.*)::text), 17, 16))::bit(64)::bigint::numeric), 0)::text "
                                    "FROM {} AS t",
                                    Relation(schema, table))));
  TableFingerprint out;
  STRATA_ASSIGN_OR_RETURN(out.rows, Int64Field(r.get(), 0, 0, "the row count of " + Relation(schema, table)));
  out.hash = PQgetvalue(r.get(), 0, 1);
  return out;
}

}  // namespace strata::driver::pg
