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

// quote_nullable() gives each value's text form as a literal; the INSERT reads it back through the
// column's type (float8 prints the shortest exact form since PostgreSQL 12).
Status ReadPostgresRowsAsSql(Connection& conn, const std::string& schema, const std::string& table,
                             const std::vector<std::string>& columns,
                             const std::function<Status(std::string_view)>& row) {
  std::vector<std::string> literals;
  for (const std::string& c : columns) literals.push_back("quote_nullable(t." + base::QuoteIdentifier(c) + ")");
  STRATA_ASSIGN_OR_RETURN(auto r, conn.Exec(fmt::format("SELECT '(' || concat_ws(', ', {}) || ')' FROM {} AS t",
                                                        fmt::join(literals, ", "), Relation(schema, table))));
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    STRATA_RETURN_IF_ERROR(row(std::string_view(PQgetvalue(r.get(), i, 0), PQgetlength(r.get(), i, 0))));
  }
  return Status::Ok();
}

Result<std::vector<Driver::CounterState>> PostgresCounterStateSql(Connection& conn) {
  STRATA_ASSIGN_OR_RETURN(
      auto r, conn.Exec("SELECT format('SELECT pg_catalog.setval(%L, %s, true)', "
                        "quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename), s.last_value), "
                        "coalesce((SELECT t.relname FROM pg_catalog.pg_depend d "
                        "JOIN pg_catalog.pg_class t ON t.oid = d.refobjid "
                        "WHERE d.classid = 'pg_catalog.pg_class'::regclass "
                        "AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i') "
                        "AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass LIMIT 1), '') "
                        "FROM pg_catalog.pg_sequences s WHERE s.last_value IS NOT NULL "
                        "AND s.schemaname NOT IN ('pg_catalog', 'information_schema') "
                        "ORDER BY s.schemaname, s.sequencename"));
  std::vector<Driver::CounterState> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back({PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 0)});
  return out;
}

}  // namespace strata::driver::pg
