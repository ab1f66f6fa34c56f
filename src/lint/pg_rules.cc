// The PostgreSQL rules, over libpg_query's parse tree (sql/pg_parse.h).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/text.h"
#include "lint/analyzers.h"
#include "sql/pg_parse.h"
#include "sql/pg_split.h"

namespace strata::lint {

namespace {

using sql::pg::Elements;
using sql::pg::Field;
using sql::pg::Flag;
using sql::pg::Int;
using sql::pg::Json;
using sql::pg::Str;
using sql::pg::Strings;

// Functions whose value differs per row: a DEFAULT that calls one makes ADD COLUMN rewrite the
// table (PostgreSQL 11+ stores a non-volatile default once, in the catalog).
constexpr std::string_view kVolatile[] = {"random",          "clock_timestamp",  "gen_random_uuid", "uuid_generate_v1",
                                          "uuid_generate_v1mc", "uuid_generate_v4", "timeofday",    "nextval",
                                          "setseed",         "txid_current",     "pg_current_xact_id"};
constexpr std::string_view kSerial[] = {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"};

template <std::size_t N>
bool OneOf(const std::string& s, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

bool CallsVolatile(const Json* expr) {
  std::vector<const Json*> stack{expr};
  while (!stack.empty()) {
    const Json* node = stack.back();
    stack.pop_back();
    if (node == nullptr) continue;
    if (node->is_object()) {
      if (const Json* call = Field(node, "FuncCall")) {
        std::vector<std::string> name = Strings(Field(call, "funcname"));
        if (!name.empty() && OneOf(name.back(), kVolatile)) return true;
      }
      for (const auto& [key, child] : node->items()) stack.push_back(&child);
    } else if (node->is_array()) {
      for (const Json& child : *node) stack.push_back(&child);
    }
  }
  return false;
}

PgAnalyzer::ColumnType TypeOf(const Json* type_name) {
  PgAnalyzer::ColumnType t;
  std::vector<std::string> names = Strings(Field(type_name, "names"));
  if (!names.empty()) t.name = names.back();
  for (const Json& mod : Elements(Field(type_name, "typmods"))) {
    t.typmods.push_back(Int(Field(Field(&mod, "A_Const"), "ival"), "ival", 0));
  }
  return t;
}

std::string TypeText(const PgAnalyzer::ColumnType& t) {
  std::string s = t.name;
  for (std::size_t i = 0; i < t.typmods.size(); ++i) s += fmt::format("{}{}", i == 0 ? "(" : ",", t.typmods[i]);
  if (!t.typmods.empty()) s += ")";
  return s;
}

// PostgreSQL changes these without touching a row: a longer or no length limit on varchar, varchar
// to text, more precision (same scale) or none on numeric, and no change at all.
bool BinaryCompatible(const PgAnalyzer::ColumnType& from, const PgAnalyzer::ColumnType& to) {
  if (from.name == to.name && from.typmods == to.typmods) return true;
  bool from_varchar = from.name == "varchar" || from.name == "text";
  if (to.name == "text") return from_varchar;
  if (to.name == "varchar") {
    if (to.typmods.empty()) return from_varchar;
    return from.name == "varchar" && !from.typmods.empty() && from.typmods[0] <= to.typmods[0];
  }
  if (to.name == "numeric" && from.name == "numeric") {
    if (to.typmods.empty()) return true;
    if (from.typmods.empty()) return false;
    long long from_scale = from.typmods.size() > 1 ? from.typmods[1] : 0;
    long long to_scale = to.typmods.size() > 1 ? to.typmods[1] : 0;
    return from_scale == to_scale && from.typmods[0] <= to.typmods[0];
  }
  return false;
}

// The text inside the parentheses that follow `keyword` at or after `from` (a CHECK's expression),
// read with PostgreSQL's lexical rules: strings, quoted names, dollar quotes and comments (nested
// block comments) may hold parentheses and quotes. "" when the parentheses do not close.
std::string ParenthesizedAfter(std::string_view text, std::size_t from, std::string_view keyword) {
  auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
  };
  std::string lower = base::Lower(text);
  std::size_t open = text.size();
  // The keyword as a word of its own, then '(' (a constraint named check_age is not it).
  for (std::size_t k = lower.find(keyword, from); k != std::string::npos; k = lower.find(keyword, k + 1)) {
    std::size_t end = k + keyword.size();
    if ((k > 0 && word_char(text[k - 1])) || (end < text.size() && word_char(text[end]))) continue;
    open = sql::SkipPgSpaceAndComments(text, end, text.size());
    if (open < text.size() && text[open] == '(') break;
    open = text.size();
  }
  if (open >= text.size()) return "";
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'' || c == '"') {
      for (++i; i < text.size() && text[i] != c; ++i) {
      }
    } else if ((c == '-' && i + 1 < text.size() && text[i + 1] == '-') ||
               (c == '/' && i + 1 < text.size() && text[i + 1] == '*')) {
      i = sql::SkipPgSpaceAndComments(text, i, text.size()) - 1;
    } else if (c == '$') {
      std::size_t tag_end = text.find('$', i + 1);
      std::string_view tag = tag_end == std::string_view::npos ? "" : text.substr(i, tag_end - i + 1);
      bool is_tag = !tag.empty() && std::all_of(tag.begin() + 1, tag.end() - 1, [](char t) {
        return (t >= 'a' && t <= 'z') || (t >= 'A' && t <= 'Z') || t == '_' || (t >= '0' && t <= '9');
      });
      if (is_tag && !(tag.size() > 2 && tag[1] >= '0' && tag[1] <= '9')) {
        std::size_t close = text.find(tag, tag_end + 1);
        if (close == std::string_view::npos) return "";
        i = close + tag.size() - 1;
      }
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return std::string(text.substr(open + 1, i - open - 1));
    }
  }
  return "";
}

class Walker {
 public:
  Walker(std::string_view sql, bool transactional, bool check,
         std::map<std::string, std::map<std::string, PgAnalyzer::ColumnType>>& types)
      : sql_(sql), transactional_(transactional), check_(check), types_(types) {}

  void Statement(const sql::pg::Statement& s);
  PartLint Take() { return std::move(out_); }

 private:
  void Hit(const char* rule, std::size_t offset, std::string message) {
    if (check_) out_.hits.push_back({rule, offset, begin_, end_, std::move(message)});
  }
  void Check(DataCheck c, std::size_t offset) {
    if (!check_) return;
    c.offset = offset;
    c.statement_begin = begin_;
    c.statement_end = end_;
    out_.checks.push_back(std::move(c));
  }
  std::size_t At(const Json* node) const {
    long long loc = Int(node, "location", -1);
    return loc >= 0 && static_cast<std::size_t>(loc) < sql_.size() ? static_cast<std::size_t>(loc) : begin_;
  }
  bool Existing(const std::string& table) const { return !table.empty() && !created_.contains(table); }

  void Index(const Json& n);
  void AlterTable(const Json& n);
  void AddColumn(const std::string& schema, const std::string& table, const Json* column);
  void AddConstraint(const std::string& schema, const std::string& table, const Json* constraint);
  void Learn(const std::string& table, const Json* column_def);

  std::string_view sql_;
  bool transactional_, check_;
  std::map<std::string, std::map<std::string, PgAnalyzer::ColumnType>>& types_;
  std::set<std::string> created_;
  std::size_t begin_ = 0, end_ = 0;
  PartLint out_;
};

void Walker::Learn(const std::string& table, const Json* column_def) {
  std::string column = Str(Field(column_def, "colname"));
  if (!column.empty()) types_[table][column] = TypeOf(Field(column_def, "typeName"));
}

void Walker::Statement(const sql::pg::Statement& s) {
  begin_ = s.begin;
  end_ = s.end;
  out_.statement_begins.push_back(s.begin);
  const Json::object_t* node = s.node->get_ptr<const Json::object_t*>();
  if (node == nullptr || node->size() != 1) return;
  const auto& [type, n] = *node->begin();
  if (type == "CreateStmt") {
    std::string table = Str(Field(Field(&n, "relation"), "relname"));
    created_.insert(table);
    types_.erase(table);
    for (const Json& elt : Elements(Field(&n, "tableElts"))) {
      if (const Json* col = Field(&elt, "ColumnDef")) Learn(table, col);
    }
  } else if (type == "CreateTableAsStmt") {
    created_.insert(Str(Field(Field(Field(&n, "into"), "rel"), "relname")));
  } else if (type == "SelectStmt" && Field(&n, "intoClause") != nullptr) {
    created_.insert(Str(Field(Field(Field(&n, "intoClause"), "rel"), "relname")));
  } else if (type == "IndexStmt") {
    Index(n);
  } else if (type == "AlterTableStmt" && Str(Field(&n, "objtype")) == "OBJECT_TABLE") {
    AlterTable(n);
  } else if (type == "DropStmt") {
    if (Flag(&n, "concurrent") && transactional_) {
      Hit("PG002", begin_, "DROP INDEX CONCURRENTLY cannot run inside a transaction block, and this migration runs in one");
    }
    if (Str(Field(&n, "removeType")) != "OBJECT_TABLE") return;
    for (const Json& object : Elements(Field(&n, "objects"))) {
      std::vector<std::string> name = Strings(Field(Field(&object, "List"), "items"));
      if (name.empty()) continue;
      if (Existing(name.back())) {
        Hit("M004", begin_, fmt::format("DROP TABLE {}: the application version still running may use it", name.back()));
      }
      types_.erase(name.back());
      created_.erase(name.back());
    }
  } else if (type == "ReindexStmt") {
    for (const Json& param : Elements(Field(&n, "params"))) {
      if (Str(Field(Field(&param, "DefElem"), "defname")) == "concurrently" && transactional_) {
        Hit("PG002", begin_, "REINDEX CONCURRENTLY cannot run inside a transaction block, and this migration runs in one");
      }
    }
  } else if (type == "RenameStmt") {
    std::string rename = Str(Field(&n, "renameType"));
    std::string table = Str(Field(Field(&n, "relation"), "relname"));
    std::string to = Str(Field(&n, "newname"));
    if (rename == "OBJECT_COLUMN" && Str(Field(&n, "relationType")) == "OBJECT_TABLE") {
      std::string from = Str(Field(&n, "subname"));
      if (Existing(table)) {
        Hit("M003", begin_, fmt::format("RENAME COLUMN {}.{} TO {}: the application version still running uses the old name",
                                        table, from, to));
      }
      auto t = types_.find(table);
      if (t != types_.end() && t->second.contains(from)) {
        t->second[to] = t->second[from];
        t->second.erase(from);
      }
    } else if (rename == "OBJECT_TABLE") {
      if (Existing(table)) {
        Hit("M003", begin_, fmt::format("RENAME TABLE {} TO {}: the application version still running uses the old name",
                                        table, to));
      } else {
        created_.insert(to);
      }
      if (auto t = types_.find(table); t != types_.end()) {
        auto columns = std::move(t->second);
        types_.erase(t);
        types_[to] = std::move(columns);
      }
    }
  } else if (type == "UpdateStmt" || type == "DeleteStmt") {
    std::string table = Str(Field(Field(&n, "relation"), "relname"));
    if (Field(&n, "whereClause") == nullptr && Existing(table)) {
      Hit("M005", begin_, fmt::format("{} without WHERE changes every row of {}", type == "UpdateStmt" ? "UPDATE" : "DELETE",
                                      table));
    }
  }
}

void Walker::Index(const Json& n) {
  const Json* relation = Field(&n, "relation");
  std::string table = Str(Field(relation, "relname"));
  bool concurrent = Flag(&n, "concurrent");
  if (concurrent && transactional_) {
    Hit("PG002", begin_, "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this migration runs in one");
  }
  if (!Existing(table)) return;
  if (!concurrent) {
    Hit("PG001", begin_, fmt::format("CREATE {}INDEX on {} without CONCURRENTLY blocks writes to {} until the index is built",
                                     Flag(&n, "unique") ? "UNIQUE " : "", table, table));
  }
  if (Flag(&n, "unique") && Field(&n, "whereClause") == nullptr) {
    DataCheck c;
    c.kind = DataCheckKind::kDuplicates;
    c.schema = Str(Field(relation, "schemaname"));
    c.table = table;
    c.constraint = Str(Field(&n, "idxname"));
    for (const Json& param : Elements(Field(&n, "indexParams"))) {
      std::string column = Str(Field(Field(&param, "IndexElem"), "name"));
      if (column.empty()) return;  // an expression index: not asked
      c.columns.push_back(std::move(column));
    }
    Check(std::move(c), begin_);
  }
}

void Walker::AlterTable(const Json& n) {
  const Json* relation = Field(&n, "relation");
  std::string schema = Str(Field(relation, "schemaname"));
  std::string table = Str(Field(relation, "relname"));
  bool existing = Existing(table);
  for (const Json& cmd_node : Elements(Field(&n, "cmds"))) {
    const Json* cmd = Field(&cmd_node, "AlterTableCmd");
    std::string subtype = Str(Field(cmd, "subtype"));
    std::string column = Str(Field(cmd, "name"));
    const Json* def = Field(cmd, "def");
    if (subtype == "AT_AddColumn") {
      AddColumn(schema, table, Field(def, "ColumnDef"));
    } else if (subtype == "AT_AddConstraint") {
      AddConstraint(schema, table, Field(def, "Constraint"));
    } else if (subtype == "AT_DetachPartition" && transactional_) {
      if (Flag(Field(def, "PartitionCmd"), "concurrent")) {
        Hit("PG002", begin_, "DETACH PARTITION CONCURRENTLY cannot run inside a transaction block, and this migration runs in one");
      }
    } else if (subtype == "AT_DropColumn") {
      if (existing) {
        Hit("M002", begin_, fmt::format("DROP COLUMN {}.{}: the application version still running may read it", table, column));
      }
      if (auto t = types_.find(table); t != types_.end()) t->second.erase(column);
    } else if (subtype == "AT_SetNotNull") {
      if (!existing) continue;
      Hit("PG005", begin_, fmt::format("SET NOT NULL on {}.{} scans every row of {} under an ACCESS EXCLUSIVE lock", table,
                                       column, table));
      DataCheck c;
      c.kind = DataCheckKind::kNulls;
      c.schema = schema;
      c.table = table;
      c.columns = {column};
      Check(std::move(c), begin_);
    } else if (subtype == "AT_AlterColumnType") {
      const Json* column_def = Field(def, "ColumnDef");
      PgAnalyzer::ColumnType to = TypeOf(Field(column_def, "typeName"));
      std::optional<PgAnalyzer::ColumnType> from;
      if (auto t = types_.find(table); t != types_.end()) {
        if (auto c = t->second.find(column); c != t->second.end()) from = c->second;
      }
      if (existing) {
        bool using_clause = Field(column_def, "raw_default") != nullptr;
        if (!from) {
          Hit("PG006", begin_, fmt::format("ALTER COLUMN {}.{} TYPE {} may rewrite {} (its current type is not known from "
                                           "the migrations): most type changes rewrite the table",
                                           table, column, TypeText(to), table));
        } else if (using_clause || !BinaryCompatible(*from, to)) {
          Hit("PG006", begin_, fmt::format("ALTER COLUMN {}.{} TYPE {} (from {}{}) rewrites {} and its indexes", table, column,
                                           TypeText(to), TypeText(*from), using_clause ? ", with USING" : "", table));
        }
      }
      if (!column.empty()) types_[table][column] = to;
    }
  }
}

void Walker::AddColumn(const std::string& schema, const std::string& table, const Json* column) {
  Learn(table, column);
  if (!Existing(table)) return;
  std::string name = Str(Field(column, "colname"));
  std::string type = TypeOf(Field(column, "typeName")).name;
  bool not_null = false, has_default = false, filled = OneOf(type, kSerial);
  std::string rewrite;
  if (filled) rewrite = fmt::format("a {} column (its default is nextval())", type);
  for (const Json& c : Elements(Field(column, "constraints"))) {
    const Json* constraint = Field(&c, "Constraint");
    std::string contype = Str(Field(constraint, "contype"));
    if (contype == "CONSTR_NOTNULL" || contype == "CONSTR_PRIMARY") not_null = true;
    if (contype == "CONSTR_DEFAULT") {
      has_default = true;
      if (CallsVolatile(Field(constraint, "raw_expr"))) rewrite = "a volatile DEFAULT (its value differs per row)";
    }
    if (contype == "CONSTR_IDENTITY") {
      filled = true;
      rewrite = "an identity column";
    }
    if (contype == "CONSTR_GENERATED") {
      filled = true;
      rewrite = "a stored generated column";
    }
    if (contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY") {
      Hit("PG008", At(constraint),
          fmt::format("ADD COLUMN {}.{} with {} builds its index while {} is locked against reads and writes", table, name,
                      contype == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY", table));
    }
  }
  if (!rewrite.empty()) {
    Hit("PG007", At(column), fmt::format("ADD COLUMN {}.{} as {} rewrites every row of {}", table, name, rewrite, table));
  }
  if (not_null && !has_default && !filled) {
    Hit("M001", At(column), fmt::format("ADD COLUMN {}.{} NOT NULL without a DEFAULT fails if {} has any row", table, name,
                                        table));
    DataCheck c;
    c.kind = DataCheckKind::kRows;
    c.schema = schema;
    c.table = table;
    c.columns = {name};
    Check(std::move(c), At(column));
  }
}

void Walker::AddConstraint(const std::string& schema, const std::string& table, const Json* constraint) {
  if (!Existing(table)) return;
  std::string contype = Str(Field(constraint, "contype"));
  std::string name = Str(Field(constraint, "conname"));
  std::string named = name.empty() ? "" : " " + name;
  bool validated = !Flag(constraint, "skip_validation");
  std::size_t at = At(constraint);
  DataCheck c;
  c.schema = schema;
  c.table = table;
  c.constraint = name;
  if (contype == "CONSTR_FOREIGN") {
    const Json* parent = Field(constraint, "pktable");
    if (!validated) return;
    Hit("PG003", at, fmt::format("ADD FOREIGN KEY{} on {} checks every row while {} and {} are locked against writes", named,
                                 table, table, Str(Field(parent, "relname"))));
    c.kind = DataCheckKind::kOrphans;
    c.columns = Strings(Field(constraint, "fk_attrs"));
    c.ref_schema = Str(Field(parent, "schemaname"));
    c.ref_table = Str(Field(parent, "relname"));
    c.ref_columns = Strings(Field(constraint, "pk_attrs"));
    Check(std::move(c), at);
  } else if (contype == "CONSTR_CHECK") {
    if (!validated) return;
    Hit("PG004", at, fmt::format("ADD CHECK{} on {} checks every row under an ACCESS EXCLUSIVE lock", named, table));
    c.kind = DataCheckKind::kCheckViolations;
    c.expression = ParenthesizedAfter(sql_, at, "check");
    if (!c.expression.empty()) Check(std::move(c), at);
  } else if (contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY") {
    if (!Str(Field(constraint, "indexname")).empty()) return;  // USING INDEX: built beforehand
    bool primary = contype == "CONSTR_PRIMARY";
    Hit("PG008", at, fmt::format("ADD {}{} on {} builds its index while {} is locked against reads and writes",
                                 primary ? "PRIMARY KEY" : "UNIQUE", named, table, table));
    c.kind = DataCheckKind::kDuplicates;
    c.columns = Strings(Field(constraint, "keys"));
    if (c.columns.empty()) return;
    if (primary) {
      for (const std::string& column : c.columns) {
        DataCheck nulls = c;
        nulls.kind = DataCheckKind::kNulls;
        nulls.columns = {column};
        Check(std::move(nulls), at);
      }
    }
    Check(std::move(c), at);
  }
}

}  // namespace

Result<PartLint> PgAnalyzer::Analyze(std::string_view sql, bool transactional, bool check) {
  STRATA_ASSIGN_OR_RETURN(sql::pg::Tree tree, sql::pg::Parse(sql));
  Walker walker(sql, transactional, check, types_);
  for (const sql::pg::Statement& s : tree.statements) walker.Statement(s);
  return walker.Take();
}

}  // namespace strata::lint
