// AnalyzePostgres: walks libpg_query's JSON parse tree (sql/pg_parse.h).
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "base/text.h"
#include "sql/destructive.h"
#include "sql/pg_parse.h"

namespace strata::sql {

namespace {

using pg::Elements;
using pg::Field;
using pg::Json;
using pg::Str;

struct Name {
  std::string schema;
  std::string table;
};

Name RangeVarName(const Json* range_var) {
  return {Str(Field(range_var, "schemaname")), Str(Field(range_var, "relname"))};
}

// The names a `DROP` object list holds ([catalog.][schema.]name, a List of String nodes).
Name DropObjectName(const Json& object) {
  std::vector<std::string> parts;
  for (const Json& item : Elements(Field(Field(&object, "List"), "items"))) {
    parts.push_back(Str(Field(Field(&item, "String"), "sval")));
  }
  if (parts.empty()) return {};
  return {parts.size() >= 2 ? parts[parts.size() - 2] : "", parts.back()};
}

bool IsRelationType(const std::string& object_type) {
  return object_type == "OBJECT_TABLE" || object_type == "OBJECT_VIEW" || object_type == "OBJECT_MATVIEW" ||
         object_type == "OBJECT_FOREIGN_TABLE" || object_type == "OBJECT_SEQUENCE" || object_type == "OBJECT_INDEX";
}

// EXPLAIN runs its statement only with ANALYZE (written `ANALYZE`, `(ANALYZE)`, `(ANALYZE on)`...).
bool ExplainRuns(const Json& explain) {
  for (const Json& option : Elements(Field(&explain, "options"))) {
    const Json* def = Field(&option, "DefElem");
    if (Str(Field(def, "defname")) != "analyze") continue;
    const Json* arg = Field(def, "arg");
    if (arg == nullptr) return true;
    if (const Json* s = Field(arg, "String")) {
      std::string v = Str(Field(s, "sval"));
      return v != "false" && v != "off" && v != "no" && v != "0";
    }
    // Zero values are left out of the JSON: {"Integer":{}} is 0, {"Boolean":{}} is false.
    if (const Json* n = Field(arg, "Integer")) return Field(n, "ival") != nullptr;
    if (const Json* b = Field(arg, "Boolean")) return Field(b, "boolval") != nullptr;
    return true;
  }
  return false;
}

// An earlier statement that copied rows from `sources` into `target`.
struct Copy {
  std::string target;
  std::vector<Name> sources;
};

class Analyzer {
 public:
  void Statement(const Json& stmt, std::size_t offset, std::string text);
  Analysis Finish();

 private:
  void Add(DestructiveKind kind, Name name, std::string column = "");
  void Reference(const Name& name);
  void TopLevel(const std::string& type, const Json& node);
  void Walk(const Json& root);
  void AddCopy(const Json* target, std::initializer_list<const Json*> from);
  void AddWords(std::string_view body);

  Analysis analysis_;
  std::vector<Copy> copies_;
  std::size_t offset_ = 0;
  std::string statement_;
};

void Analyzer::Add(DestructiveKind kind, Name name, std::string column) {
  Destructive d;
  d.kind = kind;
  d.schema = std::move(name.schema);
  d.table = std::move(name.table);
  d.column = std::move(column);
  d.offset = offset_;
  d.statement = statement_;
  if (kind == DestructiveKind::kDropTable) {
    for (auto c = copies_.rbegin(); c != copies_.rend() && d.copied_into.empty(); ++c) {
      if (c->target == d.table) continue;  // INSERT INTO t SELECT ... FROM t
      for (const Name& s : c->sources) {
        if (s.table == d.table && (s.schema.empty() || d.schema.empty() || s.schema == d.schema)) {
          d.copied_into = c->target;
        }
      }
    }
  }
  analysis_.destructive.push_back(std::move(d));
}

void Analyzer::Reference(const Name& name) {
  if (name.table.empty()) return;
  analysis_.referenced.push_back(name.table);
  if (!name.schema.empty()) analysis_.referenced.push_back(name.schema + "." + name.table);
}

void Analyzer::Statement(const Json& stmt, std::size_t offset, std::string text) {
  offset_ = offset;
  statement_ = std::move(text);
  const Json::object_t* node = stmt.get_ptr<const Json::object_t*>();
  if (node != nullptr) {
    for (const auto& [type, body] : *node) TopLevel(type, body);
  }
  Walk(stmt);
}

// Statements that can only appear at the top: DROP, ALTER TABLE, TRUNCATE, RENAME.
void Analyzer::TopLevel(const std::string& type, const Json& node) {
  if (type == "DropStmt") {
    std::string remove_type = Str(Field(&node, "removeType"));
    for (const Json& object : Elements(Field(&node, "objects"))) {
      if (IsRelationType(remove_type)) {
        Name name = DropObjectName(object);
        Reference(name);
        if (remove_type == "OBJECT_TABLE" && !name.table.empty()) Add(DestructiveKind::kDropTable, std::move(name));
      } else if (remove_type == "OBJECT_SCHEMA" && Str(Field(&node, "behavior")) == "DROP_CASCADE") {
        std::string schema = Str(Field(Field(&object, "String"), "sval"));
        if (!schema.empty()) Add(DestructiveKind::kDropSchemaCascade, {std::move(schema), ""});
      }
    }
  } else if (type == "AlterTableStmt" && Str(Field(&node, "objtype")) == "OBJECT_TABLE") {
    Name table = RangeVarName(Field(&node, "relation"));
    for (const Json& cmd : Elements(Field(&node, "cmds"))) {
      const Json* alter = Field(&cmd, "AlterTableCmd");
      std::string column = Str(Field(alter, "name"));
      if (Str(Field(alter, "subtype")) == "AT_DropColumn" && !table.table.empty() && !column.empty()) {
        Add(DestructiveKind::kDropColumn, table, std::move(column));
      }
    }
  } else if (type == "TruncateStmt") {
    bool cascade = Str(Field(&node, "behavior")) == "DROP_CASCADE";
    for (const Json& relation : Elements(Field(&node, "relations"))) {
      Name name = RangeVarName(Field(&relation, "RangeVar"));
      if (name.table.empty()) continue;
      Add(DestructiveKind::kTruncate, std::move(name));
      analysis_.destructive.back().cascade = cascade;
    }
  } else if (type == "RenameStmt" && IsRelationType(Str(Field(&node, "renameType")))) {
    std::string renamed_to = Str(Field(&node, "newname"));
    Reference({"", renamed_to});
    Name table = RangeVarName(Field(&node, "relation"));
    if (Str(Field(&node, "renameType")) == "OBJECT_TABLE" && !table.table.empty() && !renamed_to.empty()) {
      Add(DestructiveKind::kRenameTable, std::move(table));
      analysis_.destructive.back().renamed_to = std::move(renamed_to);
    }
  }
}

void Analyzer::AddCopy(const Json* target, std::initializer_list<const Json*> from) {
  Copy copy{Str(Field(target, "relname")), {}};
  if (copy.target.empty()) return;
  std::vector<const Json*> stack(from.begin(), from.end());
  while (!stack.empty()) {
    const Json* node = stack.back();
    stack.pop_back();
    if (node == nullptr) continue;
    if (node->is_object()) {
      if (Field(node, "relname") != nullptr) copy.sources.push_back(RangeVarName(node));
      for (const auto& [key, child] : node->items()) stack.push_back(&child);
    } else if (node->is_array()) {
      for (const Json& child : *node) stack.push_back(&child);
    }
  }
  if (!copy.sources.empty()) copies_.push_back(std::move(copy));
}

// Function and DO bodies are strings the parser does not look into: every word in them might be a
// table's name.
void Analyzer::AddWords(std::string_view body) {
  auto word_char = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           c >= 0x80;
  };
  std::size_t i = 0;
  while (i < body.size()) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '"') {
      std::string name;
      for (++i; i < body.size(); ++i) {
        if (body[i] == '"' && (i + 1 >= body.size() || body[i + 1] != '"')) break;
        if (body[i] == '"') ++i;
        name.push_back(body[i]);
      }
      ++i;
      if (!name.empty()) analysis_.referenced.push_back(std::move(name));
    } else if (word_char(c) && !(c >= '0' && c <= '9') && c != '$') {
      std::size_t end = i;
      while (end < body.size() && word_char(static_cast<unsigned char>(body[end]))) ++end;
      analysis_.referenced.push_back(base::Lower(body.substr(i, end - i)));
      i = end;
    } else {
      while (i < body.size() && word_char(static_cast<unsigned char>(body[i]))) ++i;  // numbers, $1
      ++i;
    }
  }
}

// One pass over the whole tree, without recursion (parse trees can nest deeply): every RangeVar is
// referenced; DELETEs and copies count unless they sit where nothing runs now (`inert`).
void Analyzer::Walk(const Json& root) {
  struct Frame {
    const Json* node;
    bool inert;
  };
  std::vector<Frame> stack{{&root, false}};
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    if (f.node->is_array()) {
      for (auto it = f.node->rbegin(); it != f.node->rend(); ++it) stack.push_back({&*it, f.inert});
      continue;
    }
    if (!f.node->is_object()) continue;
    if (Field(f.node, "relname") != nullptr) Reference(RangeVarName(f.node));
    for (const auto& [key, child] : f.node->items()) {
      bool inert = f.inert || key == "RuleStmt" || key == "CreateFunctionStmt" || key == "PrepareStmt" ||
                   (key == "ExplainStmt" && !ExplainRuns(child));
      if (key == "DoStmt" || key == "CreateFunctionStmt") {
        for (const Json& option : Elements(Field(&child, key == "DoStmt" ? "args" : "options"))) {
          const Json* def = Field(&option, "DefElem");
          if (Str(Field(def, "defname")) != "as") continue;
          const Json* arg = Field(def, "arg");
          AddWords(Str(Field(Field(arg, "String"), "sval")));
          for (const Json& item : Elements(Field(Field(arg, "List"), "items"))) {
            AddWords(Str(Field(Field(&item, "String"), "sval")));
          }
        }
      }
      if (!inert && key == "DeleteStmt" && Field(&child, "whereClause") == nullptr) {
        Name name = RangeVarName(Field(&child, "relation"));
        if (!name.table.empty()) Add(DestructiveKind::kDeleteAll, std::move(name));
      } else if (!inert && key == "InsertStmt") {
        AddCopy(Field(&child, "relation"), {Field(&child, "selectStmt"), Field(&child, "withClause")});
      } else if (!inert && key == "CreateTableAsStmt") {
        AddCopy(Field(Field(&child, "into"), "rel"), {Field(&child, "query")});
      } else if (!inert && key == "SelectStmt" && Field(&child, "intoClause") != nullptr) {
        AddCopy(Field(Field(&child, "intoClause"), "rel"), {Field(&child, "fromClause"), Field(&child, "withClause")});
      }
      stack.push_back({&child, inert});
    }
  }
}

Analysis Analyzer::Finish() {
  std::vector<std::string>& r = analysis_.referenced;
  std::sort(r.begin(), r.end());
  r.erase(std::unique(r.begin(), r.end()), r.end());
  return std::move(analysis_);
}

}  // namespace

Result<Analysis> AnalyzePostgres(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(pg::Tree tree, pg::Parse(sql));
  Analyzer analyzer;
  for (const pg::Statement& stmt : tree.statements) {
    analyzer.Statement(*stmt.node, stmt.begin, std::string(sql.substr(stmt.begin, stmt.end - stmt.begin)));
  }
  return analyzer.Finish();
}

}  // namespace strata::sql
