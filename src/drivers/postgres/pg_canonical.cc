// PostgreSQL prints some expressions in a form that prints differently once parsed again: an IN
// list on a varchar column comes back as `(s)::text = ANY ((ARRAY['a'::character varying, ...])
// ::text[])`, which a second round turns into `ARRAY[('a'::character varying)::text, ...]`. A
// database and the same schema loaded from its dump would then disagree. So the introspected
// CHECK constraints, view definitions and partial-index predicates go through the server once more,
// on temporary copies inside a savepoint that is rolled back, and the model keeps that second
// form, which is stable. A kind of object that cannot be copied (a read-only standby, an odd
// definition) keeps the server's first answer.
#include <fmt/format.h>

#include <map>

#include "base/text.h"
#include "drivers/postgres/pg_schema.h"

namespace strata::driver::pg {

namespace {

std::string Text(const PGresult* r, int row, int col) {
  return PQgetisnull(r, row, col) ? std::string() : std::string(PQgetvalue(r, row, col));
}

std::string Relation(const std::string& schema, const std::string& name) {
  return base::QuoteIdentifier(schema) + "." + base::QuoteIdentifier(name);
}

// Runs `batch` then `query` inside a savepoint of its own; nullopt (and the savepoint rolled back)
// when either fails.
std::optional<ResultPtr> TryBatch(Connection& conn, const std::string& batch, const std::string& query) {
  if (!conn.Exec("SAVEPOINT strata_canon_kind").ok()) return std::nullopt;
  auto done = conn.Exec(batch + ";\n" + query);
  if (!done.ok()) {
    (void)conn.Exec("ROLLBACK TO SAVEPOINT strata_canon_kind");
    return std::nullopt;
  }
  return std::move(*done);
}

Status Checks(Connection& conn, schema::Schema& s) {
  std::string batch;
  std::map<std::string, schema::Table*> copies;
  for (schema::Table& t : s.tables) {
    if (t.checks.empty()) continue;
    std::string copy = fmt::format("strata_canon_t{}", copies.size());
    copies[copy] = &t;
    batch += fmt::format("CREATE TEMPORARY TABLE {} (LIKE {});\n", copy, Relation(t.schema, t.name));
    for (std::size_t i = 0; i < t.checks.size(); ++i) {
      batch += fmt::format("ALTER TABLE {} ADD CONSTRAINT c{} CHECK ({});\n", copy, i, t.checks[i].expression);
    }
  }
  if (copies.empty()) return Status::Ok();
  batch.resize(batch.size() - 2);  // the last ";\n": TryBatch adds its own
  auto r = TryBatch(conn, batch,
                    "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c "
                    "ON c.oid = k.conrelid WHERE c.relnamespace = pg_my_temp_schema() AND k.contype = 'c' "
                    "AND c.relname LIKE 'strata\\_canon\\_t%'");
  if (!r) return Status::Ok();
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    auto it = copies.find(Text(r->get(), row, 0));
    const std::string conname = Text(r->get(), row, 1);  // c<i>, as named above
    auto index = conname.starts_with('c') ? base::ParseUint64(std::string_view(conname).substr(1)) : std::nullopt;
    if (!index) {
      return Status(ErrorCode::kInternal,
                    fmt::format("a CHECK copied for canonicalization has an unexpected name: '{}'", conname));
    }
    if (it != copies.end() && *index < it->second->checks.size()) {
      it->second->checks[*index].expression = CheckExpression(Text(r->get(), row, 2));
    }
  }
  return Status::Ok();
}

Status Views(Connection& conn, schema::Schema& s, std::string (*normalize)(const std::string&)) {
  std::string batch;
  std::vector<schema::View*> views;
  for (schema::View& v : s.views) {
    batch += fmt::format("CREATE TEMPORARY VIEW strata_canon_v{} AS {};\n", views.size(), v.definition);
    views.push_back(&v);
  }
  if (views.empty()) return Status::Ok();
  batch.resize(batch.size() - 2);
  auto r = TryBatch(conn, batch,
                    "SELECT substr(c.relname, 15)::int, pg_get_viewdef(c.oid, true) FROM pg_class c "
                    "WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE 'strata\\_canon\\_v%'");
  if (!r) return Status::Ok();
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    STRATA_ASSIGN_OR_RETURN(std::int64_t index, Int64Field(r->get(), row, 0, "the number of a view copy"));
    if (index >= 0 && static_cast<std::size_t>(index) < views.size()) {
      views[static_cast<std::size_t>(index)]->definition = normalize(Text(r->get(), row, 1));
    }
  }
  return Status::Ok();
}

Status IndexPredicates(Connection& conn, schema::Schema& s) {
  std::string batch;
  std::map<std::pair<std::string, std::string>, std::string> copies;  // table -> its copy
  std::vector<schema::Index*> indexes;
  for (schema::Index& i : s.indexes) {
    if (i.where.empty()) continue;
    auto [it, added] = copies.emplace(std::make_pair(i.schema, i.table), fmt::format("strata_canon_p{}", copies.size()));
    if (added) batch += fmt::format("CREATE TEMPORARY TABLE {} (LIKE {});\n", it->second, Relation(i.schema, i.table));
    // The keys do not matter for the predicate; a plain first column keeps odd key syntax out.
    batch += fmt::format("CREATE INDEX strata_canon_i{} ON {} ((1)) WHERE {};\n", indexes.size(), it->second, i.where);
    indexes.push_back(&i);
  }
  if (indexes.empty()) return Status::Ok();
  batch.resize(batch.size() - 2);
  auto r = TryBatch(conn, batch,
                    "SELECT substr(c.relname, 15)::int, pg_get_expr(x.indpred, x.indrelid, true) FROM pg_index x "
                    "JOIN pg_class c ON c.oid = x.indexrelid WHERE c.relnamespace = pg_my_temp_schema() "
                    "AND c.relname LIKE 'strata\\_canon\\_i%'");
  if (!r) return Status::Ok();
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    STRATA_ASSIGN_OR_RETURN(std::int64_t index, Int64Field(r->get(), row, 0, "the number of an index copy"));
    if (index >= 0 && static_cast<std::size_t>(index) < indexes.size()) {
      indexes[static_cast<std::size_t>(index)]->where = Text(r->get(), row, 1);
    }
  }
  return Status::Ok();
}

}  // namespace

Status CanonicalizeExpressions(Connection& conn, schema::Schema& s,
                               std::string (*normalize_view)(const std::string&)) {
  bool nested = conn.InTransaction();
  if (!conn.Exec(nested ? "SAVEPOINT strata_canon" : "BEGIN").ok()) return Status::Ok();
  Status st = Checks(conn, s);
  if (st.ok()) st = Views(conn, s, normalize_view);
  if (st.ok()) st = IndexPredicates(conn, s);
  (void)conn.Exec(nested ? "ROLLBACK TO SAVEPOINT strata_canon; RELEASE SAVEPOINT strata_canon" : "ROLLBACK");
  return st;
}

}  // namespace strata::driver::pg
