// Schema introspection on PostgreSQL: one pg_catalog query per kind of object (never one per
// table), each ordered, so that a database of hundreds of tables is read in a few round trips.
#include "drivers/postgres/pg_schema.h"

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/text.h"

namespace strata::driver::pg {

// `CHECK ((x > 0)) NOT VALID` -> `(x > 0)`: the keyword, one pair of parentheses and the trailing
// options go (the model has no place for NOT VALID or NO INHERIT).
std::string CheckExpression(std::string def) {
  for (std::string_view suffix : {" NOT VALID", " NO INHERIT"}) {
    if (def.size() >= suffix.size() && def.compare(def.size() - suffix.size(), suffix.size(), suffix) == 0) {
      def.resize(def.size() - suffix.size());
    }
  }
  constexpr std::string_view kPrefix = "CHECK (";
  if (def.size() > kPrefix.size() && def.compare(0, kPrefix.size(), kPrefix) == 0 && def.back() == ')') {
    return def.substr(kPrefix.size(), def.size() - kPrefix.size() - 1);
  }
  return def;
}

namespace {

// Schemas whose objects are described: not the system ones (the pg_ prefix is reserved, which
// covers pg_catalog, pg_toast* and pg_temp*), not information_schema, not an extension's.
constexpr const char* kUserNamespace =
    "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
    "WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')";

// Every relation-based query starts with this: `rel` holds the relations to describe. strata's own
// tables are hidden unless $1 (include_strata_tables) is true; $2 and $3 are the history table's
// schema and name.
std::string WithRelations() {
  return std::string(
             "WITH hidden AS (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE NOT $1::bool AND n.nspname = $2::text AND c.relname IN ($3::text, $3::text || '_log', $3::text || '_lock')), "
             "rel AS (SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_class c "
             "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
         kUserNamespace +
         " AND c.oid NOT IN (SELECT oid FROM hidden) AND NOT EXISTS (SELECT 1 FROM pg_depend d "
         "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')) ";
}

// Read access to a result, by row and column.
class Rows {
 public:
  explicit Rows(ResultPtr r) : r_(std::move(r)) {}
  int size() const { return PQntuples(r_.get()); }
  bool Null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string Str(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  std::optional<std::string> Opt(int row, int col) const {
    return Null(row, col) ? std::nullopt : std::optional<std::string>(Str(row, col));
  }
  bool Bool(int row, int col) const { return Str(row, col) == "t"; }
  Result<std::int64_t> Int(int row, int col, std::string_view what) const {
    return Int64Field(r_.get(), row, col, what);
  }
  // True when `row` starts a new group, i.e. differs from the row before in one of `cols`.
  bool NewGroup(int row, std::initializer_list<int> cols) const {
    if (row == 0) return true;
    for (int c : cols) {
      if (Str(row, c) != Str(row - 1, c)) return true;
    }
    return false;
  }

 private:
  ResultPtr r_;
};

// Runs the catalog queries of one introspection with the parameters of WithRelations.
class Catalog {
 public:
  Catalog(Connection& conn, const std::string& history_schema, const std::string& history_table,
          const IntrospectOptions& options)
      : conn_(conn), params_{options.include_strata_tables ? "true" : "false", history_schema, history_table} {}

  Result<Rows> Plain(const std::string& sql) {
    STRATA_ASSIGN_OR_RETURN(auto r, conn_.Exec(sql));
    return Rows(std::move(r));
  }
  Result<Rows> OverRelations(const std::string& sql) {
    STRATA_ASSIGN_OR_RETURN(auto r, conn_.ExecParams(WithRelations() + sql, params_));
    return Rows(std::move(r));
  }

 private:
  Connection& conn_;
  std::vector<std::optional<std::string>> params_;
};

using TableMap = std::map<std::pair<std::string, std::string>, schema::Table*>;

schema::Table* Find(const TableMap& tables, const Rows& rows, int row) {
  auto it = tables.find({rows.Str(row, 0), rows.Str(row, 1)});
  return it == tables.end() ? nullptr : it->second;
}

// Whitespace outside quotes collapsed. pg_get_viewdef writes string constants with doubled quotes
// only, so toggling on each quote is exact.
std::string NormalizeWhitespace(std::string_view sql) { return base::CollapseSqlWhitespace(sql, "'\"", false); }


// The key list of `CREATE INDEX name ON table USING am (k1, k2) ...` as pg_get_indexdef writes
// it: each key with its COLLATE, operator class and ordering options, an expression in
// parentheses unless it is a function call. Names before the list contain '(' only inside double
// quotes, and constants use doubled quotes, so a quote-aware scan finds the list exactly.
std::optional<std::vector<std::string>> IndexKeys(std::string_view def) {
  std::vector<std::string> keys;
  char quote = 0;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < def.size(); ++i) {
    char c = def[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      if (depth++ == 0) start = i + 1;
    } else if (depth == 1 && (c == ',' || c == ')')) {
      keys.emplace_back(base::Trim(def.substr(start, i - start)));
      start = i + 1;
      if (c == ')') return keys;
    } else if (c == ')') {
      --depth;
    }
  }
  return std::nullopt;
}

std::string FkAction(const std::string& code) {
  switch (code.empty() ? 'a' : code[0]) {
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return "NO ACTION";
  }
}

Status ReadSchemas(Catalog& catalog, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(Rows rows, catalog.Plain(std::string("SELECT n.nspname FROM pg_namespace n WHERE ") +
                                                   kUserNamespace + " AND n.nspname <> 'public' ORDER BY 1"));
  for (int i = 0; i < rows.size(); ++i) out.schemas.push_back(rows.Str(i, 0));
  return Status::Ok();
}

Status ReadTables(Catalog& catalog, schema::Schema& out, TableMap& by_name) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows, catalog.OverRelations("SELECT nspname, relname FROM rel WHERE relkind IN ('r', 'p') ORDER BY 1, 2"));
  out.tables.resize(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    schema::Table& t = out.tables[static_cast<std::size_t>(i)];
    t.schema = rows.Str(i, 0);
    t.name = rows.Str(i, 1);
    by_name[{t.schema, t.name}] = &t;
  }
  return Status::Ok();
}

// A collation is named only when it is not the type's own, as pg_dump does. Like every identifier
// in the model it is the raw name (the renderer quotes it); its schema is not kept.
Status ReadColumns(Catalog& catalog, const TableMap& tables) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows, catalog.OverRelations(
                     "SELECT r.nspname, r.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                     "pg_get_expr(ad.adbin, ad.adrelid), a.attgenerated, a.attidentity, "
                     "CASE WHEN a.attcollation <> t.typcollation THEN co.collname END "
                     "FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid JOIN pg_type t ON t.oid = a.atttypid "
                     "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
                     "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
                     "WHERE r.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
                     "ORDER BY r.nspname, r.relname, a.attnum"));
  for (int i = 0; i < rows.size(); ++i) {
    schema::Table* t = Find(tables, rows, i);
    if (t == nullptr) continue;
    schema::Column c;
    c.name = rows.Str(i, 2);
    c.type = rows.Str(i, 3);
    c.not_null = rows.Bool(i, 4);
    if (rows.Str(i, 6) == "s") {
      c.generated = rows.Str(i, 5);
      c.generated_stored = true;
    } else {
      c.default_value = rows.Opt(i, 5);
    }
    std::string identity = rows.Str(i, 7);
    if (identity == "a") c.identity = "ALWAYS";
    if (identity == "d") c.identity = "BY DEFAULT";
    c.collation = rows.Str(i, 8);
    t->columns.push_back(std::move(c));
  }
  return Status::Ok();
}

// Primary keys, unique constraints and foreign keys, one row per key column in key order.
// Constraints a partition inherits from its parent (conparentid) come back with the parent's.
Status ReadKeyConstraints(Catalog& catalog, const TableMap& tables) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows,
      catalog.OverRelations(
          "SELECT r.nspname, r.relname, k.conname, k.contype, a.attname, rn.nspname, rc.relname, ra.attname, "
          "k.confdeltype, k.confupdtype, k.condeferrable, k.condeferred "
          "FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid "
          "CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS ck(attnum, pos) "
          "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ck.attnum "
          "LEFT JOIN pg_class rc ON rc.oid = k.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
          "LEFT JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[ck.pos::int] "
          "WHERE r.relkind IN ('r', 'p') AND k.contype IN ('p', 'u', 'f') AND k.conparentid = 0 "
          "ORDER BY r.nspname, r.relname, k.conname, ck.pos"));
  for (int i = 0; i < rows.size(); ++i) {
    schema::Table* t = Find(tables, rows, i);
    if (t == nullptr) continue;
    bool first = rows.NewGroup(i, {0, 1, 2});
    std::string type = rows.Str(i, 3);
    std::string column = rows.Str(i, 4);
    if (type == "p") {
      if (first) t->primary_key = schema::PrimaryKey{.name = rows.Str(i, 2)};
      t->primary_key->columns.push_back(std::move(column));
    } else if (type == "u") {
      if (first) t->uniques.push_back({.name = rows.Str(i, 2)});
      t->uniques.back().columns.push_back(std::move(column));
    } else {
      if (first) {
        schema::ForeignKey fk;
        fk.name = rows.Str(i, 2);
        fk.ref_schema = rows.Str(i, 5);
        fk.ref_table = rows.Str(i, 6);
        fk.on_delete = FkAction(rows.Str(i, 8));
        fk.on_update = FkAction(rows.Str(i, 9));
        fk.deferrable = rows.Bool(i, 10);
        fk.initially_deferred = rows.Bool(i, 11);
        t->foreign_keys.push_back(std::move(fk));
      }
      t->foreign_keys.back().columns.push_back(std::move(column));
      t->foreign_keys.back().ref_columns.push_back(rows.Str(i, 7));
    }
  }
  return Status::Ok();
}

// Only the table's own checks: those inherited from a parent come back with the parent.
Status ReadChecks(Catalog& catalog, const TableMap& tables) {
  STRATA_ASSIGN_OR_RETURN(Rows rows,
                          catalog.OverRelations("SELECT r.nspname, r.relname, k.conname, pg_get_constraintdef(k.oid) "
                                                "FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid "
                                                "WHERE r.relkind IN ('r', 'p') AND k.contype = 'c' AND k.conislocal "
                                                "ORDER BY r.nspname, r.relname, k.conname"));
  for (int i = 0; i < rows.size(); ++i) {
    schema::Table* t = Find(tables, rows, i);
    if (t != nullptr) t->checks.push_back({.name = rows.Str(i, 2), .expression = CheckExpression(rows.Str(i, 3))});
  }
  return Status::Ok();
}

// Indexes of tables and materialized views, one row per INCLUDE column (or one row when there is
// none). Left out: those behind a constraint, and a partition's copies of its parent's indexes.
Status ReadIndexes(Catalog& catalog, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows,
      catalog.OverRelations(
          "SELECT r.nspname, ic.relname, r.relname, i.indisunique, am.amname, pg_get_indexdef(i.indexrelid, 0, true), "
          "pg_get_expr(i.indpred, i.indrelid, true), i.indnkeyatts, a.attname "
          "FROM rel r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ic ON ic.oid = i.indexrelid "
          "JOIN pg_am am ON am.oid = ic.relam "
          "LEFT JOIN LATERAL generate_series(i.indnkeyatts + 1, i.indnatts) AS inc(pos) ON true "
          "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[inc.pos - 1] "
          "WHERE r.relkind IN ('r', 'p', 'm') "
          "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
          "AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) "
          "AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) "
          "ORDER BY r.nspname, ic.relname, inc.pos"));
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.NewGroup(i, {0, 1})) {
      schema::Index index;
      index.schema = rows.Str(i, 0);
      index.name = rows.Str(i, 1);
      index.table = rows.Str(i, 2);
      index.unique = rows.Bool(i, 3);
      index.method = rows.Str(i, 4);
      std::string def = rows.Str(i, 5);
      const std::string name = base::QuoteIdentifier(index.schema) + "." + base::QuoteIdentifier(index.name);
      STRATA_ASSIGN_OR_RETURN(std::int64_t key_count, rows.Int(i, 7, "the key count of index " + name));
      auto keys = IndexKeys(def);
      if (!keys || static_cast<std::int64_t>(keys->size()) != key_count) {
        return Status(ErrorCode::kInternal, "cannot read the key columns of index " + name + " from: " + def);
      }
      index.keys = std::move(*keys);
      index.where = rows.Str(i, 6);
      out.indexes.push_back(std::move(index));
    }
    if (!rows.Null(i, 8)) out.indexes.back().include.push_back(rows.Str(i, 8));
  }
  return Status::Ok();
}

Status ReadViews(Catalog& catalog, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(Rows rows,
                          catalog.OverRelations("SELECT nspname, relname, relkind = 'm', pg_get_viewdef(oid, true) "
                                                "FROM rel WHERE relkind IN ('v', 'm') ORDER BY 1, 2"));
  for (int i = 0; i < rows.size(); ++i) {
    out.views.push_back({.schema = rows.Str(i, 0),
                         .name = rows.Str(i, 1),
                         .definition = NormalizeWhitespace(rows.Str(i, 3)),
                         .materialized = rows.Bool(i, 2)});
  }
  return Status::Ok();
}

// A partition's clones of its parent's triggers (tgparentid, PostgreSQL 13+; internal before) go.
Status ReadTriggers(Catalog& catalog, int server_version, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows,
      catalog.OverRelations(std::string("SELECT r.nspname, t.tgname, r.relname, pg_get_triggerdef(t.oid, true) "
                                        "FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid "
                                        "WHERE NOT t.tgisinternal") +
                            (server_version >= 130000 ? " AND t.tgparentid = 0" : "") +
                            " ORDER BY r.nspname, t.tgname, r.relname"));
  for (int i = 0; i < rows.size(); ++i) {
    out.triggers.push_back({.schema = rows.Str(i, 0),
                            .name = rows.Str(i, 1),
                            .table = rows.Str(i, 2),
                            .definition = NormalizeWhitespace(rows.Str(i, 3))});
  }
  return Status::Ok();
}

// Identity columns' sequences (internal dependency) are part of their column; SERIAL sequences and
// those given OWNED BY have an automatic dependency on their column.
Status ReadSequences(Catalog& catalog, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows,
      catalog.OverRelations(
          "SELECT r.nspname, r.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, "
          "s.seqmax, s.seqcache, s.seqcycle, "
          "(SELECT tc.relname || '.' || ta.attname FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid "
          "JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid "
          "WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass "
          "AND d.deptype = 'a' ORDER BY 1 LIMIT 1) "
          "FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid WHERE r.relkind = 'S' "
          "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
          "AND d.objid = r.oid AND d.deptype = 'i') ORDER BY 1, 2"));
  for (int i = 0; i < rows.size(); ++i) {
    schema::Sequence s;
    s.schema = rows.Str(i, 0);
    s.name = rows.Str(i, 1);
    s.type = rows.Str(i, 2);
    const std::string of = " of sequence " + base::QuoteIdentifier(s.schema) + "." + base::QuoteIdentifier(s.name);
    STRATA_ASSIGN_OR_RETURN(s.start, rows.Int(i, 3, "the start" + of));
    STRATA_ASSIGN_OR_RETURN(s.increment, rows.Int(i, 4, "the increment" + of));
    STRATA_ASSIGN_OR_RETURN(s.min_value, rows.Int(i, 5, "the minimum" + of));
    STRATA_ASSIGN_OR_RETURN(s.max_value, rows.Int(i, 6, "the maximum" + of));
    STRATA_ASSIGN_OR_RETURN(s.cache, rows.Int(i, 7, "the cache size" + of));
    s.cycle = rows.Bool(i, 8);
    s.owned_by = rows.Str(i, 9);
    out.sequences.push_back(std::move(s));
  }
  return Status::Ok();
}

Status ReadEnums(Catalog& catalog, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows, catalog.Plain(std::string("SELECT n.nspname, t.typname, e.enumlabel FROM pg_type t "
                                           "JOIN pg_namespace n ON n.oid = t.typnamespace "
                                           "JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typtype = 'e' AND ") +
                               kUserNamespace +
                               " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass "
                               "AND d.objid = t.oid AND d.deptype = 'e') "
                               "ORDER BY n.nspname, t.typname, e.enumsortorder"));
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.NewGroup(i, {0, 1})) out.enums.push_back({.schema = rows.Str(i, 0), .name = rows.Str(i, 1)});
    out.enums.back().labels.push_back(rows.Str(i, 2));
  }
  return Status::Ok();
}

Status ReadExtensions(Catalog& catalog, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(Rows rows, catalog.Plain("SELECT e.extname, n.nspname FROM pg_extension e "
                                                   "JOIN pg_namespace n ON n.oid = e.extnamespace "
                                                   "WHERE e.extname <> 'plpgsql' ORDER BY 1"));
  for (int i = 0; i < rows.size(); ++i) out.extensions.push_back({.name = rows.Str(i, 0), .schema = rows.Str(i, 1)});
  return Status::Ok();
}

// One row per CHECK (or one row when there is none).
Status ReadDomains(Catalog& catalog, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows, catalog.Plain(std::string("SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), "
                                           "t.typnotnull, pg_get_expr(t.typdefaultbin, 0), k.conname, "
                                           "pg_get_constraintdef(k.oid) FROM pg_type t "
                                           "JOIN pg_namespace n ON n.oid = t.typnamespace "
                                           "LEFT JOIN pg_constraint k ON k.contypid = t.oid AND k.contype = 'c' "
                                           "WHERE t.typtype = 'd' AND ") +
                               kUserNamespace +
                               " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass "
                               "AND d.objid = t.oid AND d.deptype = 'e') ORDER BY 1, 2, 6"));
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.NewGroup(i, {0, 1})) {
      schema::Domain d{.schema = rows.Str(i, 0), .name = rows.Str(i, 1), .type = rows.Str(i, 2),
                       .not_null = rows.Bool(i, 3)};
      if (!rows.Null(i, 4)) d.default_value = rows.Str(i, 4);
      out.domains.push_back(std::move(d));
    }
    if (!rows.Null(i, 5)) {
      out.domains.back().checks.push_back({.name = rows.Str(i, 5), .expression = CheckExpression(rows.Str(i, 6))});
    }
  }
  return Status::Ok();
}

Status ReadFunctions(Catalog& catalog, schema::Schema& out) {
  STRATA_ASSIGN_OR_RETURN(
      Rows rows,
      catalog.Plain(
          std::string("SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), "
                      "pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                      "WHERE p.prokind IN ('f', 'p') AND ") +
          kUserNamespace +
          " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
          "AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1, 2, 3"));
  for (int i = 0; i < rows.size(); ++i) {
    std::string definition = rows.Str(i, 3);
    while (!definition.empty() && std::string_view(" \t\r\n\f\v").find(definition.back()) != std::string_view::npos) {
      definition.pop_back();
    }
    out.functions.push_back({.schema = rows.Str(i, 0),
                             .name = rows.Str(i, 1),
                             .arguments = rows.Str(i, 2),
                             .definition = std::move(definition)});
  }
  return Status::Ok();
}

}  // namespace

Result<schema::Schema> IntrospectPostgres(Connection& conn, const std::string& history_schema,
                                          const std::string& history_table, const IntrospectOptions& options) {
  Catalog catalog(conn, history_schema, history_table, options);
  STRATA_ASSIGN_OR_RETURN(Rows version, catalog.Plain("SELECT current_setting('server_version_num')::int"));
  STRATA_ASSIGN_OR_RETURN(std::int64_t version_num, version.Int(0, 0, "the server's server_version_num"));
  int server_version = static_cast<int>(version_num);
  if (server_version < 120000) {
    return Status(ErrorCode::kFailedPrecondition, "schema introspection needs PostgreSQL 12 or newer (the server is " +
                                                      std::to_string(server_version / 10000) + ")");
  }
  schema::Schema out;
  out.dialect = "postgres";
  TableMap tables;
  STRATA_RETURN_IF_ERROR(ReadSchemas(catalog, out));
  STRATA_RETURN_IF_ERROR(ReadTables(catalog, out, tables));
  STRATA_RETURN_IF_ERROR(ReadColumns(catalog, tables));
  STRATA_RETURN_IF_ERROR(ReadKeyConstraints(catalog, tables));
  STRATA_RETURN_IF_ERROR(ReadChecks(catalog, tables));
  STRATA_RETURN_IF_ERROR(ReadIndexes(catalog, out));
  STRATA_RETURN_IF_ERROR(ReadViews(catalog, out));
  STRATA_RETURN_IF_ERROR(ReadTriggers(catalog, server_version, out));
  STRATA_RETURN_IF_ERROR(ReadSequences(catalog, out));
  STRATA_RETURN_IF_ERROR(ReadEnums(catalog, out));
  STRATA_RETURN_IF_ERROR(ReadFunctions(catalog, out));
  STRATA_RETURN_IF_ERROR(ReadExtensions(catalog, out));
  STRATA_RETURN_IF_ERROR(ReadDomains(catalog, out));
  if (options.canonical_expressions) {
    STRATA_RETURN_IF_ERROR(
        CanonicalizeExpressions(conn, out, [](const std::string& text) { return NormalizeWhitespace(text); }));
  }
  schema::Normalize(out);
  return out;
}

}  // namespace strata::driver::pg
