// The MariaDB/MySQL rules. Statements are found by SplitMysql (the client's quoting and DELIMITER
// rules) and read token by token: MysqlAsSqliteText blanks MariaDB's comments and strings so that
// SQLite's lexer reads the rest (words, `names`, numbers, punctuation) as MariaDB does. What the
// data guard knows about a statement (DROP TABLE, DROP COLUMN, renames, DELETE without WHERE) comes
// from the same sql::AnalyzeMysql, so lint and the guard never disagree on what a statement is.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/text.h"
#include "lint/analyzers.h"
#include "lint/tokens.h"
#include "sql/destructive.h"
#include "sql/mysql_split.h"
#include "sql/sqlite_lexer.h"

namespace strata::lint {

namespace {

using sql::SqliteToken;
using sql::SqliteTokenKind;

// Words that end a column's type in its definition.
bool EndsType(const std::string& w) {
  static const std::set<std::string, std::less<>> kAttributes = {
      "NOT",     "NULL",    "DEFAULT",   "PRIMARY",       "UNIQUE",  "KEY",   "AUTO_INCREMENT", "COMMENT",
      "CHECK",   "REFERENCES", "GENERATED", "AS",          "ON",      "INVISIBLE", "COLUMN_FORMAT", "STORAGE",
      "FIRST",   "AFTER",   "CONSTRAINT", "WITH",         "WITHOUT", "PERSISTENT", "VIRTUAL",    "STORED"};
  return kAttributes.contains(w);
}

// A column's type as MariaDB compares it: lower case, one blank before a word that follows a word
// or a ')', none elsewhere, the display width of integer types and the spellings of one type made
// one.
std::string NormalizedType(std::string_view original) {
  std::string out;
  for (std::size_t i = 0; i < original.size(); ++i) {
    auto c = static_cast<unsigned char>(original[i]);
    if (std::isspace(c)) {
      bool word_before = !out.empty() && (std::isalnum(static_cast<unsigned char>(out.back())) || out.back() == '_' ||
                                          out.back() == ')');
      std::size_t next = i;
      while (next < original.size() && std::isspace(static_cast<unsigned char>(original[next]))) ++next;
      bool word_after = next < original.size() &&
                        (std::isalnum(static_cast<unsigned char>(original[next])) || original[next] == '_');
      if (word_before && word_after) out += ' ';
      i = next - 1;
      continue;
    }
    out += static_cast<char>(std::tolower(c));
  }
  static constexpr std::pair<std::string_view, std::string_view> kSpellings[] = {
      {"integer", "int"}, {"boolean", "tinyint"}, {"bool", "tinyint"}, {"double precision", "double"},
      {"numeric", "decimal"}, {"dec", "decimal"}, {"fixed", "decimal"}};
  for (const auto& [from, to] : kSpellings) {
    if (!out.starts_with(from)) continue;
    if (out.size() == from.size() || !std::isalpha(static_cast<unsigned char>(out[from.size()]))) {
      out = std::string(to) + out.substr(from.size());
      break;
    }
  }
  for (std::string_view integer : {"tinyint", "smallint", "mediumint", "bigint", "int"}) {
    if (out.starts_with(integer) && out.size() > integer.size() && out[integer.size()] == '(') {
      std::size_t close = out.find(')', integer.size());
      if (close != std::string::npos) out.erase(integer.size(), close + 1 - integer.size());
      break;
    }
  }
  return out;
}

// `varchar(n)` (or varbinary): n and the rest; false for any other type.
bool VarLength(const std::string& type, std::string_view* kind, long long* n, std::string* rest) {
  for (std::string_view k : {"varchar(", "varbinary("}) {
    if (!type.starts_with(k)) continue;
    std::size_t close = type.find(')', k.size());
    if (close == std::string::npos || close == k.size()) return false;
    std::string digits = type.substr(k.size(), close - k.size());
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    *kind = k;
    *n = std::stoll(digits);
    *rest = type.substr(close + 1);
    return true;
  }
  return false;
}

// Whether MariaDB changes a column from `from` to `to` without copying the table: the same type,
// values added at the end of an ENUM or SET, or a longer VARCHAR whose length prefix keeps its
// size (one byte up to 255 bytes: at most 63 characters of any character set; two bytes from 256
// characters on).
bool InPlace(const std::string& from, const std::string& to) {
  if (from == to) return true;
  if ((from.starts_with("enum(") || from.starts_with("set(")) && from.ends_with(")") && to.ends_with(")") &&
      to.starts_with(from.substr(0, from.size() - 1) + ",")) {
    return true;
  }
  std::string_view from_kind, to_kind;
  long long n = 0, m = 0;
  std::string from_rest, to_rest;
  if (!VarLength(from, &from_kind, &n, &from_rest) || !VarLength(to, &to_kind, &m, &to_rest)) return false;
  if (from_kind != to_kind || from_rest != to_rest || m < n) return false;
  return m <= (from_kind == "varchar(" ? 63 : 255) || n >= 256;
}

// `type` without its CHARACTER SET / CHARSET and COLLATE clauses.
std::string WithoutCharset(const std::string& type) {
  std::string out = type;
  for (std::string_view clause : {" character set ", " charset ", " collate "}) {
    for (std::size_t at = out.find(clause); at != std::string::npos; at = out.find(clause)) {
      std::size_t end = out.find(' ', at + clause.size());
      out.erase(at, (end == std::string::npos ? out.size() : end) - at);
    }
  }
  return out;
}

struct ColumnDef {
  std::string name;  // lower-cased
  std::size_t name_at = 0;
  std::string type;  // NormalizedType
  bool not_null = false, has_default = false, default_null = false, auto_increment = false, generated = false;
  bool unique = false;
  std::size_t unique_at = 0;
};

// The column definition at `i` (its name), up to `end`.
ColumnDef ReadColumn(const Tokens& t, std::string_view sql, std::size_t i, std::size_t end) {
  ColumnDef c;
  c.name_at = t.Begin(i);
  c.name = t.Name(i);
  std::size_t type_begin = i, k = i;
  for (int depth = 0; k < end; ++k) {
    if (t.Punct(k, '(')) ++depth;
    if (t.Punct(k, ')')) --depth;
    if (depth == 0 && EndsType(t.Word(k))) break;
  }
  if (k > type_begin) c.type = NormalizedType(sql.substr(t.Begin(type_begin), t.End(k - 1) - t.Begin(type_begin)));
  if (c.type == "serial") c.auto_increment = c.not_null = c.unique = true;
  for (int depth = 0; k < end; ++k) {
    if (t.Punct(k, '(')) ++depth;
    if (t.Punct(k, ')')) --depth;
    if (depth != 0) continue;
    std::string w = t.Word(k);
    if (w == "NOT" && t.Is(k + 1, "NULL")) c.not_null = true;
    if (w == "DEFAULT") {
      c.has_default = true;
      c.default_null = t.Is(k + 1, "NULL");
    }
    if (w == "AUTO_INCREMENT") c.auto_increment = true;
    if (w == "AS" || w == "GENERATED") c.generated = true;
    if (w == "UNIQUE" && !c.unique) {
      c.unique = true;
      c.unique_at = t.Begin(k);
    }
  }
  return c;
}

// A statement that writes to a table: the table and what the message calls the statement.
struct Target {
  std::string what;
  std::string table;
};

// Why an ALTER TABLE copies the table: where, what, and whether it surely does.
struct Copy {
  std::size_t at = 0;
  std::string what;
  bool certain = true;
};

class StatementRules {
 public:
  StatementRules(std::string_view sql, std::string_view lexed, bool check, std::set<std::string>& created,
                 std::map<std::string, std::map<std::string, std::string>>& types, PartLint& out)
      : sql_(sql), lexed_(lexed), check_(check), created_(created), types_(types), out_(out) {}

  // Applies the token rules to the statement; returns the existing table it changes, if any (MY001).
  std::optional<Target> Run(sql::StatementSpan span, const std::vector<const sql::Destructive*>& destructive);

 private:
  void Hit(const char* rule, std::size_t offset, std::string message, bool lesser = false) {
    if (check_) out_.hits.push_back({rule, offset, span_.begin, span_.end, std::move(message), lesser});
  }
  bool Existing(const std::string& table) const { return !table.empty() && !created_.contains(table); }
  void CreateTable(const Tokens& t, std::size_t i);
  void CreateIndex(const Tokens& t, std::size_t i, bool unique);
  void AlterTable(const Tokens& t, std::size_t i);
  void Unique(const std::string& table, std::size_t at, const std::vector<std::string>& columns, bool ignore,
              bool primary = false);
  void Duplicates(const std::string& table, std::size_t at, std::vector<std::string> columns, std::string name);
  // D002-D004's questions about the rows there now (see lint.h's DataCheckKind).
  void Ask(DataCheckKind kind, const std::string& table, std::size_t at, std::vector<std::string> columns,
           std::string constraint = "", std::string ref_table = "", std::vector<std::string> ref_columns = {},
           std::string expression = "");
  void ForeignKey(const Tokens& t, std::size_t j, const std::string& table, const std::string& constraint);
  void Check(const Tokens& t, std::size_t j, const std::string& table, const std::string& constraint);
  void TypeChange(const std::string& table, const std::string& column, const ColumnDef& def, std::size_t at,
                  std::vector<Copy>* copies);

  std::string_view sql_, lexed_;
  bool check_;
  bool foreign_key_checks_ = true;  // the session's, as the part's SET statements leave it
  std::set<std::string>& created_;
  std::map<std::string, std::map<std::string, std::string>>& types_;
  PartLint& out_;
  sql::StatementSpan span_;
};

// The names in the parentheses at or after `i` (index keys: a prefix length or ASC/DESC after a
// name is skipped; an expression key gives no names).
std::vector<std::string> KeyColumns(const Tokens& t, std::size_t i) {
  while (i < t.size() && !t.Punct(i, '(')) ++i;
  std::vector<std::string> names;
  if (!t.Punct(i, '(')) return names;
  ++i;
  while (i < t.size()) {
    std::size_t at = i;
    std::string name = t.Name(i, /*as_written=*/true);
    if (name.empty() || t.Punct(i, '.')) return {};
    names.push_back(name);
    if (t.Punct(i, '(')) i += 3;  // (prefix length)
    if (t.Is(i, "ASC") || t.Is(i, "DESC")) ++i;
    if (t.Punct(i, ')')) return names;
    if (!t.Punct(i, ',') || i == at) return {};
    ++i;
  }
  return {};
}

void StatementRules::Duplicates(const std::string& table, std::size_t at, std::vector<std::string> columns,
                                std::string name) {
  if (!columns.empty()) Ask(DataCheckKind::kDuplicates, table, at, std::move(columns), std::move(name));
}

void StatementRules::Ask(DataCheckKind kind, const std::string& table, std::size_t at, std::vector<std::string> columns,
                         std::string constraint, std::string ref_table, std::vector<std::string> ref_columns,
                         std::string expression) {
  if (!check_) return;
  DataCheck c;
  c.kind = kind;
  c.table = table;
  c.columns = std::move(columns);
  c.constraint = std::move(constraint);
  c.ref_table = std::move(ref_table);
  c.ref_columns = std::move(ref_columns);
  c.expression = std::move(expression);
  c.offset = at;
  c.statement_begin = span_.begin;
  c.statement_end = span_.end;
  out_.checks.push_back(std::move(c));
}

// FOREIGN KEY [name] (columns) REFERENCES parent [(columns)], at `j` (FOREIGN): while
// foreign_key_checks is on, every row must have its parent (D003).
void StatementRules::ForeignKey(const Tokens& t, std::size_t j, const std::string& table,
                                const std::string& constraint) {
  std::vector<std::string> columns = KeyColumns(t, j);
  std::size_t n = j;
  while (n < t.size() && !t.Is(n, "REFERENCES")) ++n;
  if (columns.empty() || n >= t.size()) return;
  ++n;
  std::string parent = t.Name(n, /*as_written=*/true);
  if (parent.empty() || t.Punct(n, '.')) return;  // a parent in another database is not asked about
  std::vector<std::string> ref_columns = t.Punct(n, '(') ? KeyColumns(t, n) : std::vector<std::string>{};
  Ask(DataCheckKind::kOrphans, table, t.Begin(j), std::move(columns), constraint, std::move(parent),
      std::move(ref_columns));
}

// CHECK (expression), at `j` (CHECK): MariaDB checks the rows there now (D004).
void StatementRules::Check(const Tokens& t, std::size_t j, const std::string& table, const std::string& constraint) {
  std::size_t open = j + 1;
  if (!t.Punct(open, '(')) return;
  int depth = 0;
  for (std::size_t m = open; m < t.size(); ++m) {
    if (t.Punct(m, '(')) ++depth;
    if (t.Punct(m, ')') && --depth == 0) {
      std::string expression(base::Trim(sql_.substr(t.End(open), t.Begin(m) - t.End(open))));
      if (!expression.empty()) {
        Ask(DataCheckKind::kCheckViolations, table, t.Begin(j), {}, constraint, "", {}, std::move(expression));
      }
      return;
    }
  }
}

void StatementRules::Unique(const std::string& table, std::size_t at, const std::vector<std::string>& columns,
                            bool ignore, bool primary) {
  const char* key = primary ? "primary key" : "unique key";
  std::string keys;
  for (const std::string& c : columns) keys += (keys.empty() ? "(" : ", ") + c;
  keys = keys.empty() ? "its key" : keys + ")";
  if (ignore) {
    Hit("MY003", at,
        fmt::format("ALTER IGNORE TABLE {} adding a {} {} silently deletes every row whose key duplicates an "
                    "earlier row's",
                    table, key, keys));
  } else {
    Hit("MY003", at,
        fmt::format("a {} on {}{} fails if the rows there now hold duplicates", key, table,
                    columns.empty() ? "" : keys));
  }
}

std::optional<Target> StatementRules::Run(sql::StatementSpan span,
                                          const std::vector<const sql::Destructive*>& destructive) {
  span_ = span;
  Tokens t(lexed_, span, /*string_names=*/false, /*drop_semicolons=*/true);
  std::optional<Target> target;
  std::string first = t.Word(0);
  std::size_t i = 1;
  if (first == "CREATE") {
    const bool replace = t.Is(i, "OR") && t.Is(i + 1, "REPLACE");
    if (replace) i += 2;
    if (t.Is(i, "TEMPORARY")) return target;  // a session's own table
    if (t.Is(i, "TABLE")) {
      // OR REPLACE drops a table of that name first, rows and all.
      std::size_t at = i + 1;
      const std::string table = t.Name(at);
      if (replace && Existing(table)) {
        Hit("M004", span.begin,
            fmt::format("CREATE OR REPLACE TABLE {} drops the table of that name first, if there is one: the "
                        "application version still running may use it (CREATE TABLE fails instead)",
                        table));
        target = Target{"CREATE OR REPLACE TABLE", table};
      }
      CreateTable(t, i + 1);
      return target;
    }
    if (t.Is(i, "ONLINE") || t.Is(i, "OFFLINE")) ++i;
    bool unique = t.Is(i, "UNIQUE");
    if (unique || t.Is(i, "FULLTEXT") || t.Is(i, "SPATIAL")) ++i;
    if (!t.Is(i, "INDEX")) return target;
    std::size_t on = i;
    while (on < t.size() && !t.Is(on, "ON")) ++on;
    std::size_t n = on + 1;
    std::string table = t.Name(n);
    CreateIndex(t, i + 1, unique);
    if (Existing(table)) target = Target{"CREATE INDEX on", table};
  } else if (first == "ALTER") {
    while (t.Is(i, "ONLINE") || t.Is(i, "IGNORE")) ++i;
    if (!t.Is(i, "TABLE")) return target;
    std::size_t n = i + 1;
    if (t.Is(n, "IF") && t.Is(n + 1, "EXISTS")) n += 2;
    std::size_t name_at = n;
    std::string table = t.Name(n);
    bool existing = Existing(table);
    AlterTable(t, name_at);
    if (existing) target = Target{"ALTER TABLE", table};
  } else if (first == "DROP" && t.Is(1, "INDEX")) {
    std::size_t on = 2;
    while (on < t.size() && !t.Is(on, "ON")) ++on;
    std::size_t n = on + 1;
    std::string table = t.Name(n);
    if (Existing(table)) target = Target{"DROP INDEX on", table};
  } else if (first == "UPDATE") {
    while (t.Is(i, "LOW_PRIORITY") || t.Is(i, "IGNORE")) ++i;
    std::string table = t.Name(i);
    if (Existing(table)) target = Target{"UPDATE", table};
    if (t.Is(i, "AS")) ++i;
    if (t.IsName(i) && !t.Is(i, "SET")) ++i;  // an alias
    // Only a single-table UPDATE: a join (`UPDATE a JOIN b ON ...`, `UPDATE a, b`) has its ON.
    if (t.Is(i, "SET") && !t.HasTopLevel(i, t.size(), "WHERE") && !t.HasTopLevel(i, t.size(), "LIMIT") &&
        Existing(table)) {
      Hit("M005", span.begin, fmt::format("UPDATE without WHERE changes every row of {}", table));
    }
  } else if (first == "SET") {
    // SET [SESSION] foreign_key_checks = 0: a foreign key is then added in place (MY002).
    for (std::size_t k = 1; k < t.size(); ++k) {
      std::size_t n = k;
      if (t.Name(n) != "foreign_key_checks" || !t.Punct(n, '=')) continue;
      std::string v = t.Word(n + 1);
      foreign_key_checks_ = !(v == "OFF" || v == "FALSE" || (t.Number(n + 1) && sql_[t.Begin(n + 1)] == '0'));
    }
  } else if (first == "INSERT" || first == "REPLACE") {
    while (t.Is(i, "LOW_PRIORITY") || t.Is(i, "DELAYED") || t.Is(i, "HIGH_PRIORITY") || t.Is(i, "IGNORE")) ++i;
    if (t.Is(i, "INTO")) ++i;
    std::string table = t.Name(i);
    if (Existing(table)) target = Target{first + " INTO", table};
  } else if (first == "DELETE") {
    while (t.Is(i, "LOW_PRIORITY") || t.Is(i, "QUICK") || t.Is(i, "IGNORE")) ++i;
    if (t.Is(i, "FROM")) {
      ++i;
      std::string table = t.Name(i);
      if (Existing(table)) target = Target{"DELETE FROM", table};
    }
  }
  // What the data guard's reading says, for the engine-neutral rules.
  for (const sql::Destructive* d : destructive) {
    std::string table = base::Lower(d->table);
    bool existing = Existing(table);
    switch (d->kind) {
      case sql::DestructiveKind::kDropTable:
        if (existing) {
          Hit("M004", span.begin,
              fmt::format("DROP TABLE {}: the application version still running may use it", d->table));
          if (!target) target = Target{"DROP TABLE", table};
        }
        created_.erase(table);
        types_.erase(table);
        break;
      case sql::DestructiveKind::kDropColumn:
        if (existing) {
          Hit("M002", span.begin,
              fmt::format("DROP COLUMN {}.{}: the application version still running may read it", d->table,
                          d->column));
        }
        if (auto it = types_.find(table); it != types_.end()) it->second.erase(base::Lower(d->column));
        break;
      case sql::DestructiveKind::kRenameTable: {
        std::string to = base::Lower(d->renamed_to);
        if (existing) {
          Hit("M003", span.begin,
              fmt::format("RENAME TABLE {} TO {}: the application version still running uses the old name", d->table,
                          d->renamed_to));
          if (!target) target = Target{"RENAME TABLE", table};
        } else {
          created_.erase(table);
          created_.insert(to);
        }
        if (auto it = types_.find(table); it != types_.end()) {
          auto columns = std::move(it->second);
          types_.erase(it);
          types_[to] = std::move(columns);
        }
        break;
      }
      case sql::DestructiveKind::kDeleteAll:
        if (existing && !t.HasTopLevel(0, t.size(), "LIMIT")) {
          Hit("M005", span.begin, fmt::format("DELETE without WHERE deletes every row of {}", d->table));
        }
        break;
      case sql::DestructiveKind::kTruncate:
        if (existing && !target) target = Target{"TRUNCATE", table};
        break;
      case sql::DestructiveKind::kDropSchemaCascade: break;
    }
  }
  return target;
}

void StatementRules::CreateTable(const Tokens& t, std::size_t i) {
  if (t.Is(i, "IF") && t.Is(i + 1, "NOT") && t.Is(i + 2, "EXISTS")) i += 3;
  std::string table = t.Name(i);
  if (table.empty()) return;
  created_.insert(table);
  types_.erase(table);
  if (!t.Punct(i, '(')) return;  // LIKE, AS SELECT: no columns to learn
  std::size_t k = i + 1;
  int depth = 1;
  std::size_t close = k;
  for (; close < t.size(); ++close) {
    if (t.Punct(close, '(')) ++depth;
    if (t.Punct(close, ')') && --depth == 0) break;
  }
  while (k < close) {
    std::size_t end = std::min(t.NextComma(k), close);
    static const std::set<std::string, std::less<>> kNotColumns = {
        "CONSTRAINT", "PRIMARY", "UNIQUE", "KEY", "INDEX", "FOREIGN", "CHECK", "FULLTEXT", "SPATIAL", "PERIOD",
        "SYSTEM"};
    if (!kNotColumns.contains(t.Word(k))) {
      ColumnDef c = ReadColumn(t, sql_, k, end);
      if (!c.name.empty()) types_[table][c.name] = c.type;
    }
    k = end + 1;
  }
}

void StatementRules::CreateIndex(const Tokens& t, std::size_t i, bool unique) {
  if (t.Is(i, "IF") && t.Is(i + 1, "NOT") && t.Is(i + 2, "EXISTS")) i += 3;
  std::size_t n = i;
  std::string index = t.Name(n, /*as_written=*/true);
  while (n < t.size() && !t.Is(n, "ON")) ++n;
  ++n;
  std::size_t table_at = n;
  std::string table = t.Name(n);
  if (!unique || !Existing(table)) return;
  std::vector<std::string> columns = KeyColumns(t, n);
  std::string as_written = t.Name(table_at, /*as_written=*/true);
  Unique(as_written, span_.begin, columns, false);
  Duplicates(as_written, span_.begin, columns, index);
}

void StatementRules::TypeChange(const std::string& table, const std::string& column, const ColumnDef& def,
                                std::size_t at, std::vector<Copy>* copies) {
  auto it = types_.find(table);
  const std::string* from = nullptr;
  if (it != types_.end()) {
    if (auto c = it->second.find(column); c != it->second.end() && !c->second.empty()) from = &c->second;
  }
  if (from == nullptr) {
    copies->push_back({at, fmt::format("{} to {}: the type before is not known from the migrations, and most type "
                                       "changes copy the table",
                                       column, def.type),
                       /*certain=*/false});
  } else if (!def.type.empty() && !InPlace(*from, def.type)) {
    // Only the character set or collation written differently: a clause on one side only may name
    // the table's default, which lint does not know.
    bool charset_only = InPlace(WithoutCharset(*from), WithoutCharset(def.type));
    copies->push_back({at, fmt::format("{} from {} to {}{}", column, *from, def.type,
                                       charset_only ? ": a character set or collation that differs from the "
                                                      "column's copies the table"
                                                    : ""),
                       /*certain=*/!charset_only});
  }
}

void StatementRules::AlterTable(const Tokens& t, std::size_t i) {
  bool ignore = t.Is(1, "IGNORE") || t.Is(2, "IGNORE");
  bool online = t.Is(1, "ONLINE") || t.Is(2, "ONLINE");
  std::size_t table_at = i;
  std::string table = t.Name(i);
  if (table.empty()) return;
  const std::string as_written = t.Name(table_at, /*as_written=*/true);
  bool existing = Existing(table);
  std::vector<Copy> copies;  // why the table is copied
  bool add_primary = false;
  std::optional<std::size_t> drop_primary;
  bool algorithm_ok = false, lock_none = false;
  for (std::size_t k = i; k < t.size();) {
    std::size_t end = t.NextComma(k);
    std::string w = t.Word(k);
    // ALGORITHM and LOCK may also follow other clauses of the command without a comma.
    for (std::size_t j = k; j < end; ++j) {
      std::size_t v = j + (t.Punct(j + 1, '=') ? 2 : 1);
      if (t.Is(j, "ALGORITHM")) algorithm_ok = algorithm_ok || t.Is(v, "INPLACE") || t.Is(v, "INSTANT") ||
                                               t.Is(v, "NOCOPY");
      if (t.Is(j, "LOCK")) lock_none = lock_none || t.Is(v, "NONE");
    }
    if (w == "ADD") {
      std::size_t j = k + 1;
      bool column = t.Is(j, "COLUMN");
      if (column) ++j;
      if (t.Is(j, "IF") && t.Is(j + 1, "NOT") && t.Is(j + 2, "EXISTS")) j += 3;
      std::string what = column ? "" : t.Word(j);
      std::string constraint;
      if (what == "CONSTRAINT") {
        ++j;
        if (t.Is(j, "IF") && t.Is(j + 1, "NOT") && t.Is(j + 2, "EXISTS")) j += 3;
        std::string next = t.Word(j);
        if (next != "PRIMARY" && next != "UNIQUE" && next != "FOREIGN" && next != "CHECK") {
          std::size_t n = j;
          constraint = t.Name(n, /*as_written=*/true);
          j = n;
        }
        what = t.Word(j);
      }
      if (what == "PRIMARY") {
        add_primary = true;
        // Built in place, but over the rows there now: a duplicate makes it fail as a UNIQUE would.
        if (existing) {
          std::vector<std::string> columns = KeyColumns(t, j);
          Unique(as_written, t.Begin(j), columns, ignore, /*primary=*/true);
          if (!ignore) Duplicates(as_written, t.Begin(j), columns, constraint);
          // A primary key's columns become NOT NULL: a NULL there fails it (D002).
          for (const std::string& column : columns) {
            Ask(DataCheckKind::kNulls, as_written, t.Begin(j), {column}, constraint);
          }
        }
      } else if (what == "UNIQUE") {
        if (constraint.empty()) {  // UNIQUE [KEY | INDEX] [IF NOT EXISTS] [name] (...)
          std::size_t n = j + 1;
          if (t.Is(n, "KEY") || t.Is(n, "INDEX")) ++n;
          if (t.Is(n, "IF") && t.Is(n + 1, "NOT") && t.Is(n + 2, "EXISTS")) n += 3;
          if (t.IsName(n) && !t.Is(n, "USING")) constraint = t.Name(n, /*as_written=*/true);
        }
        if (existing) {
          std::vector<std::string> columns = KeyColumns(t, j);
          Unique(as_written, t.Begin(j), columns, ignore);
          if (!ignore) Duplicates(as_written, t.Begin(j), columns, constraint);
        }
      } else if (what == "FOREIGN") {
        if (foreign_key_checks_) {
          copies.push_back({t.Begin(j), "ADD FOREIGN KEY, which checks every row while foreign_key_checks is on"});
          if (existing) ForeignKey(t, j, as_written, constraint);
        }
      } else if (what == "CHECK") {
        if (existing) Check(t, j, as_written, constraint);
      } else if (what == "KEY" || what == "INDEX" || what == "FULLTEXT" || what == "SPATIAL" ||
                 what == "PERIOD" || what == "SYSTEM" || what == "PARTITION" || t.Punct(j, '(')) {
        // indexes are built in place; the others are not read
      } else if (t.IsName(j)) {
        ColumnDef c = ReadColumn(t, sql_, j, end);
        if (!c.name.empty()) types_[table][c.name] = c.type;
        if (existing && c.not_null && !c.has_default && !c.auto_increment && !c.generated) {
          Hit("M001", c.name_at,
              fmt::format("ADD COLUMN {}.{} NOT NULL without a DEFAULT: MariaDB fills the rows {} has now with the "
                          "type's implicit default (0, '', a zero date) rather than failing",
                          as_written, c.name, as_written),
              /*lesser=*/true);
        }
        if (existing && c.auto_increment) copies.push_back({c.name_at, "ADD COLUMN " + c.name + " AUTO_INCREMENT"});
        // Every row gets the same value (the DEFAULT, or the implicit one): a second row collides.
        bool same_value = c.not_null || (c.has_default && !c.default_null);
        if (existing && c.unique && !c.auto_increment && !c.generated && same_value) {
          Hit("MY003", c.unique_at,
              fmt::format("ADD COLUMN {}.{} UNIQUE gives every row {} has now the same value: it fails as soon as "
                          "there are two",
                          as_written, c.name, as_written));
        }
      }
    } else if (w == "MODIFY" || w == "CHANGE") {
      std::size_t j = k + 1;
      if (t.Is(j, "COLUMN")) ++j;
      if (t.Is(j, "IF") && t.Is(j + 1, "EXISTS")) j += 2;
      std::size_t old_at = j;
      std::string old = w == "CHANGE" ? t.Name(j) : "";
      ColumnDef c = ReadColumn(t, sql_, j, end);
      if (w == "MODIFY") old = c.name;
      if (!old.empty() && !c.name.empty()) {
        if (existing) TypeChange(table, old, c, t.Begin(k), &copies);
        // NOT NULL now: a NULL in the column there fails the statement under a strict sql_mode (D002).
        if (existing && c.not_null) {
          std::size_t at = old_at;
          Ask(DataCheckKind::kNulls, as_written, t.Begin(k), {t.Name(at, /*as_written=*/true)});
        }
        if (existing && old != c.name) {
          Hit("M003", t.Begin(old_at),
              fmt::format("CHANGE COLUMN {}.{} renames it to {}: the application version still running uses the old "
                          "name",
                          as_written, old, c.name));
        }
        auto& columns = types_[table];
        columns.erase(old);
        columns[c.name] = c.type;
      }
    } else if (w == "RENAME" && t.Is(k + 1, "COLUMN")) {
      std::size_t j = k + 2;
      std::string from = t.Name(j);
      if (t.Is(j, "TO")) ++j;
      std::string to = t.Name(j);
      if (existing && !from.empty()) {
        Hit("M003", t.Begin(k),
            fmt::format("RENAME COLUMN {}.{} TO {}: the application version still running uses the old name",
                        as_written, from, to));
      }
      if (auto it = types_.find(table); it != types_.end() && it->second.contains(from)) {
        std::string type = it->second[from];
        it->second.erase(from);
        it->second[to] = type;
      }
    } else if (w == "DROP" && t.Is(k + 1, "PRIMARY")) {
      drop_primary = t.Begin(k);
    } else if (w == "CONVERT" && t.Is(k + 1, "TO")) {
      copies.push_back({t.Begin(k), "CONVERT TO CHARACTER SET"});
    } else if (w == "ENGINE") {
      std::size_t v = k + (t.Punct(k + 1, '=') ? 2 : 1);
      if (!t.Word(v).empty() && !t.Is(v, "INNODB")) copies.push_back({t.Begin(k), "ENGINE=" + t.Word(v)});
    }
    k = end + 1;
  }
  if (drop_primary && !add_primary) copies.push_back({*drop_primary, "DROP PRIMARY KEY without adding another"});
  if (!existing || copies.empty() || online || algorithm_ok || lock_none) return;
  std::sort(copies.begin(), copies.end(), [](const Copy& a, const Copy& b) { return a.at < b.at; });
  std::string why;
  bool certain = false;
  for (const Copy& c : copies) {
    why += (why.empty() ? "" : "; ") + c.what;
    certain = certain || c.certain;
  }
  Hit("MY002", copies.front().at,
      fmt::format("ALTER TABLE {} {} the table, and writes to it wait until the copy is done ({})", as_written,
                  certain ? "copies" : "may copy",
                  why));
}

}  // namespace

PartLint MysqlAnalyzer::Analyze(std::string_view sql, bool no_transaction, bool check) {
  PartLint out;
  auto spans = sql::SplitMysql(sql);
  if (!spans.ok()) {
    std::size_t at = spans.status().sql_offset().value_or(0);
    if (check) out.hits.push_back({"L002", at, at, at, "not linted: " + spans.status().message()});
    return out;
  }
  // The same text and the same spans as the data guard's reading: AnalyzeMysql cannot fail here.
  auto analysis = sql::AnalyzeMysql(sql);
  const std::string lexed = sql::MysqlAsSqliteText(sql);
  std::set<std::string> created;
  StatementRules rules(sql, lexed, check, created, types_, out);
  struct Change {
    sql::StatementSpan span;
    Target target;
  };
  std::vector<Change> changes;  // statements that change a table in use (MY001)
  bool has_ddl = false;
  std::size_t next = 0;  // the analysis' entries are in statement order, as the spans
  for (const sql::StatementSpan& span : *spans) {
    out.statement_begins.push_back(span.begin);
    std::vector<const sql::Destructive*> destructive;
    if (analysis.ok()) {
      const auto& entries = analysis->destructive;
      while (next < entries.size() && entries[next].offset < span.begin) ++next;
      while (next < entries.size() && entries[next].offset < std::max(span.end, span.begin + 1)) {
        destructive.push_back(&entries[next++]);
      }
    }
    if (!sql::MysqlRunsInTransaction(sql.substr(span.begin, span.end - span.begin))) has_ddl = true;
    if (auto target = rules.Run(span, destructive)) changes.push_back({span, std::move(*target)});
  }
  if (check && (has_ddl || no_transaction) && changes.size() >= 2) {
    const Change& first = changes[0];
    const Change& next = changes[1];
    std::size_t later = changes.size() - 1;
    out.hits.push_back(
        {"MY001", first.span.begin, first.span.begin, first.span.end,
         fmt::format("{} {} commits on its own, and {} later statement{} of this migration change{} a table in use too "
                     "(next: {} {}): {}, and a failure after this one leaves it partial",
                     first.target.what, first.target.table, later, later == 1 ? "" : "s", later == 1 ? "s" : "",
                     next.target.what, next.target.table,
                     has_ddl ? "MariaDB commits each DDL statement, so strata runs the migration statement by statement"
                             : "the migration runs outside a transaction (-- strata:no-transaction)")});
  }
  return out;
}

}  // namespace strata::lint
