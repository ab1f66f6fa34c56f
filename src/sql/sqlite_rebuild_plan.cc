// PlanRebuild and NeedsRebuildToDrop: the stored CREATE TABLE text cut into columns (each with its
// constraints) and table constraints, edited by the commands, and written out again.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/text.h"
#include "sql/sqlite_ddl.h"
#include "sql/sqlite_lexer.h"
#include "sql/sqlite_rebuild.h"

namespace strata::sql::rebuild {

namespace {

using sqlite_ddl::Token;
using TK = SqliteTokenKind;

bool IsNameToken(const SqliteToken& t) {
  return t.kind == TK::kWord || t.kind == TK::kQuotedName || t.kind == TK::kString;
}
bool Same(std::string_view a, std::string_view b) { return base::Lower(a) == base::Lower(b); }

// One piece of a column definition after its type: `[CONSTRAINT name] NOT NULL`, `DEFAULT 0`...
struct Segment {
  std::string kind;  // the first keyword after CONSTRAINT name, lower case
  std::string name;  // from CONSTRAINT name
  std::string text;
  std::vector<std::string> words;  // every name token in it, lower case
};

struct Item {
  bool column = false;
  std::string name;     // the column's (dequoted), or the table constraint's CONSTRAINT name
  std::string head;     // a column: its name as written, then its type
  std::string type;
  std::vector<Segment> segments;  // a column's constraints
  std::string kind;               // a table constraint: primary, unique, check, foreign
  std::string text;               // a table constraint's text
  std::vector<std::string> local;  // a table constraint's own columns (PRIMARY/UNIQUE/FOREIGN KEY), lower case
  std::vector<std::string> words;  // every name token of a table constraint, lower case
};

struct Table {
  std::vector<Item> items;
  std::string tail;  // after the closing parenthesis: WITHOUT ROWID, STRICT
  bool without_rowid = false;
};

class Cutter {
 public:
  Cutter(std::string_view sql, std::vector<Token> t) : sql_(sql), t_(std::move(t)) {}

  bool Word(std::size_t i, std::string_view w) const {
    return i < t_.size() && t_[i].kind == TK::kWord && Same(Raw(i), w);
  }
  bool Punct(std::size_t i, char c) const { return i < t_.size() && t_[i].kind == TK::kPunct && sql_[t_[i].begin] == c; }
  std::string_view Raw(std::size_t i) const { return sql_.substr(t_[i].begin, t_[i].end - t_[i].begin); }
  std::string Text(std::size_t from, std::size_t to) const {
    if (from >= to) return "";
    return std::string(sql_.substr(t_[from].begin, t_[to - 1].end - t_[from].begin));
  }
  std::vector<std::string> Words(std::size_t from, std::size_t to) const {
    std::vector<std::string> out;
    for (std::size_t i = from; i < to; ++i) {
      if (IsNameToken(t_[i])) out.push_back(base::Lower(SqliteTokenName(sql_, t_[i])));
    }
    return out;
  }

  Result<Table> Cut() {
    std::size_t open = 0;
    while (open < t_.size() && !Punct(open, '(')) ++open;
    if (open >= t_.size()) return Status(ErrorCode::kInvalidArgument, "the table's stored CREATE text has no column list");
    const std::size_t close = t_[open].match;
    Table table;
    if (close + 1 < t_.size()) table.tail = std::string(base::Trim(sql_.substr(t_[close].end)));
    for (std::size_t i = close + 1; i < t_.size(); ++i) table.without_rowid |= Word(i, "without");
    std::size_t start = open + 1;
    for (std::size_t i = open + 1; i <= close; ++i) {
      bool boundary = i == close || Punct(i, ',');
      // Table constraints need no comma between them.
      bool split = !boundary && i > start && IsConstraintStart(start) && IsConstraintStart(i);
      if (boundary || split) {
        if (start < i) AddItem(start, i, &table);
        start = boundary ? i + 1 : i;
        continue;
      }
      if (Punct(i, '(')) i = t_[i].match;
    }
    return table;
  }

 private:
  bool IsConstraintStart(std::size_t i) const {
    if (Word(i, "constraint") || Word(i, "primary") || Word(i, "unique") || Word(i, "check") || Word(i, "foreign")) {
      return !(i >= 2 && Word(i - 2, "constraint"));
    }
    return false;
  }

  bool IsSegmentStart(std::size_t i) const {
    static const char* const kStarts[] = {"constraint", "primary", "not",      "null",      "unique", "check",
                                          "default",    "collate", "references", "generated", "as"};
    bool start = false;
    for (const char* w : kStarts) start |= Word(i, w);
    if (!start || i == 0) return start;
    if (Word(i - 1, "default") || Word(i - 1, "collate") || Word(i - 1, "set")) return false;
    if (Word(i, "null") && Word(i - 1, "not")) return false;
    if (Word(i, "not") && Word(i + 1, "deferrable")) return false;
    if (Word(i, "as") && Word(i - 1, "always")) return false;
    if (i >= 2 && Word(i - 2, "constraint")) return false;
    return true;
  }

  void AddItem(std::size_t from, std::size_t to, Table* table) {
    Item it;
    std::size_t k = from;
    if (IsConstraintStart(from)) {
      if (Word(k, "constraint")) {
        it.name = SqliteTokenName(sql_, t_[k + 1]);
        k += 2;
      }
      it.kind = base::Lower(Raw(std::min(k, to - 1)));
      it.text = Text(from, to);
      it.words = Words(from, to);
      for (std::size_t i = k; i < to; ++i) {
        if (!Punct(i, '(')) continue;
        if (it.kind != "check") {
          bool first = true;
          for (std::size_t j = i + 1; j < t_[i].match; ++j) {
            if (first && IsNameToken(t_[j])) it.local.push_back(base::Lower(SqliteTokenName(sql_, t_[j])));
            first = Punct(j, ',');
          }
        }
        break;
      }
      table->items.push_back(std::move(it));
      return;
    }
    it.column = true;
    it.name = SqliteTokenName(sql_, t_[from]);
    std::size_t i = from + 1;
    while (i < to && !IsSegmentStart(i)) i = Punct(i, '(') ? t_[i].match + 1 : i + 1;
    it.head = std::string(Raw(from));
    it.type = Text(from + 1, i);
    while (i < to) {
      std::size_t s = i++;
      while (i < to && !IsSegmentStart(i)) i = Punct(i, '(') ? t_[i].match + 1 : i + 1;
      Segment seg;
      std::size_t k = s;
      if (Word(k, "constraint") && k + 2 <= i) {
        seg.name = SqliteTokenName(sql_, t_[k + 1]);
        k += 2;
      }
      seg.kind = k < i ? base::Lower(Raw(k)) : "";
      seg.text = Text(s, i);
      seg.words = Words(s, i);
      it.segments.push_back(std::move(seg));
    }
    table->items.push_back(std::move(it));
  }

  std::string_view sql_;
  std::vector<Token> t_;
};

Result<Table> CutTable(std::string_view create_sql) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, sqlite_ddl::Tokenize(create_sql));
  Cutter cutter(create_sql, std::move(tokens));
  return cutter.Cut();
}

bool Mentions(const std::vector<std::string>& words, std::string_view name) {
  std::string lower = base::Lower(name);
  return std::find(words.begin(), words.end(), lower) != words.end();
}

// Name tokens of `sql` after its first top-level ON (an index's key and WHERE), lower case.
std::vector<std::string> IndexWords(std::string_view sql) {
  std::vector<std::string> out;
  bool after_on = false;
  for (const SqliteToken& t : TokenizeSqlite(sql)) {
    if (!IsNameToken(t)) continue;
    std::string w = base::Lower(SqliteTokenName(sql, t));
    if (after_on) out.push_back(w);
    if (t.kind == TK::kWord && w == "on") after_on = true;
  }
  return out;
}

std::vector<std::string> AllWords(std::string_view sql) {
  std::vector<std::string> out;
  for (const SqliteToken& t : TokenizeSqlite(sql)) {
    if (IsNameToken(t)) out.push_back(base::Lower(SqliteTokenName(sql, t)));
  }
  return out;
}

Item* FindColumn(Table& table, std::string_view name) {
  for (Item& it : table.items) {
    if (it.column && Same(it.name, name)) return &it;
  }
  return nullptr;
}

// A DEFAULT value as SQLite accepts it: a literal or signed number as written, anything else in
// parentheses.
std::string DefaultClause(std::string_view expr) {
  auto tokens = TokenizeSqlite(expr);
  bool literal = tokens.size() == 1 && tokens[0].kind != TK::kPunct;
  bool signed_number = tokens.size() == 2 && tokens[0].kind == TK::kPunct &&
                       (expr[tokens[0].begin] == '-' || expr[tokens[0].begin] == '+') && tokens[1].kind == TK::kNumber;
  if (literal || signed_number) return fmt::format("DEFAULT {}", expr);
  return fmt::format("DEFAULT ({})", expr);
}

std::string Render(const Item& it) {
  if (!it.column) return it.text;
  std::string out = it.head;
  if (!it.type.empty()) out += " " + it.type;
  for (const Segment& s : it.segments) out += " " + s.text;
  return out;
}

Status NoSuch(const char* what, std::string_view name, std::string_view table) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("{} \"{}\" of table \"{}\" does not exist", what, name, table));
}

struct Edits {
  std::set<std::string> dropped;       // columns, lower case
  std::set<std::string> added;         // columns, lower case
  std::vector<std::pair<std::string, std::string>> using_exprs;  // column (lower case) -> expression
};

Status DropColumn(Table& table, const AlterCommand& c, Edits& e, const std::string& table_name) {
  Item* col = FindColumn(table, c.column);
  if (col == nullptr) return c.if_exists ? Status::Ok() : NoSuch("column", c.column, table_name);
  std::string lower = base::Lower(col->name);
  std::erase_if(table.items, [&](const Item& it) {
    if (it.column) return Same(it.name, lower);
    return it.kind == "check" ? Mentions(it.words, lower) : Mentions(it.local, lower);
  });
  for (Item& it : table.items) {
    std::erase_if(it.segments, [&](const Segment& s) { return s.kind == "check" && Mentions(s.words, lower); });
  }
  if (std::none_of(table.items.begin(), table.items.end(), [](const Item& it) { return it.column; })) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("cannot drop \"{}\": it is the only column of \"{}\"",
                                                           c.column, table_name));
  }
  e.dropped.insert(lower);
  return Status::Ok();
}

Status DropConstraint(Table& table, const AlterCommand& c, const std::string& table_name) {
  auto named = std::find_if(table.items.begin(), table.items.end(),
                            [&](const Item& it) { return !it.column && Same(it.name, c.name); });
  if (named != table.items.end()) {
    table.items.erase(named);
    return Status::Ok();
  }
  for (Item& it : table.items) {
    auto seg = std::find_if(it.segments.begin(), it.segments.end(), [&](const Segment& s) { return Same(s.name, c.name); });
    if (seg != it.segments.end()) {
      it.segments.erase(seg);
      return Status::Ok();
    }
  }
  return c.if_exists ? Status::Ok() : NoSuch("constraint", c.name, table_name);
}

Status Apply(Table& table, const AlterCommand& c, Edits& e, const std::string& table_name) {
  switch (c.kind) {
    case AlterKind::kAddColumn: {
      auto last = std::find_if(table.items.rbegin(), table.items.rend(), [](const Item& it) { return it.column; });
      Item it;
      it.column = true;
      it.head = c.text;
      auto words = TokenizeSqlite(c.text);
      it.name = words.empty() ? "" : SqliteTokenName(c.text, words[0]);
      if (FindColumn(table, it.name)) return Status(ErrorCode::kInvalidArgument, fmt::format("column \"{}\" of table \"{}\" already exists", it.name, table_name));
      e.added.insert(base::Lower(it.name));
      table.items.insert(last.base(), std::move(it));
      return Status::Ok();
    }
    case AlterKind::kAddConstraint: {
      Item it;
      it.name = c.name;
      it.text = c.text;
      it.kind = c.constraint == ConstraintKind::kCheck ? "check" : c.constraint == ConstraintKind::kUnique ? "unique" : "foreign";
      for (const std::string& col : c.columns) it.local.push_back(base::Lower(col));
      it.words = AllWords(c.text);
      if (!c.name.empty()) {
        for (const Item& other : table.items) {
          if (Same(other.name, c.name) && !other.column) {
            return Status(ErrorCode::kInvalidArgument,
                          fmt::format("constraint \"{}\" of table \"{}\" already exists", c.name, table_name));
          }
        }
      }
      table.items.push_back(std::move(it));
      return Status::Ok();
    }
    case AlterKind::kDropConstraint:
      return DropConstraint(table, c, table_name);
    case AlterKind::kDropColumn:
      return DropColumn(table, c, e, table_name);
    default:
      break;
  }
  Item* col = FindColumn(table, c.column);
  if (col == nullptr) return NoSuch("column", c.column, table_name);
  auto erase_kind = [&](const char* kind) {
    std::erase_if(col->segments, [&](const Segment& s) { return s.kind == kind; });
  };
  if (c.kind == AlterKind::kSetType) {
    col->type = c.text;
    if (!c.using_expr.empty()) e.using_exprs.emplace_back(base::Lower(col->name), c.using_expr);
  } else if (c.kind == AlterKind::kSetNotNull) {
    if (std::none_of(col->segments.begin(), col->segments.end(), [](const Segment& s) { return s.kind == "not"; })) {
      col->segments.push_back({"not", "", "NOT NULL", {}});
    }
  } else if (c.kind == AlterKind::kDropNotNull) {
    erase_kind("not");
  } else if (c.kind == AlterKind::kSetDefault) {
    erase_kind("default");
    col->segments.push_back({"default", "", DefaultClause(c.text), {}});
  } else if (c.kind == AlterKind::kDropDefault) {
    erase_kind("default");
  }
  return Status::Ok();
}

std::string Quote(std::string_view name) { return base::QuoteIdentifier(name); }

std::string QuoteLiteral(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The rows of `table` that `condition` picks: their count and first five ids.
std::string DiagnosticQuery(const LiveTable& live, bool without_rowid, const std::string& condition) {
  std::string id = "rowid";
  if (without_rowid) {
    id.clear();
    for (const auto& c : live.columns) {
      if (c.primary_key) id += (id.empty() ? "" : " || ',' || ") + fmt::format("quote({})", Quote(c.name));
    }
  }
  std::string t = Quote(live.name);
  return fmt::format("SELECT count(*), (SELECT group_concat(r, ', ') FROM (SELECT {} AS r FROM {} WHERE {} ORDER BY 1 "
                     "LIMIT 5)) FROM {} WHERE {}",
                     id, t, condition, t, condition);
}

void AddDiagnostics(const LiveTable& live, bool without_rowid, const std::vector<AlterCommand>& commands,
                    Plan* plan) {
  for (const AlterCommand& c : commands) {
    std::string condition, what, name = c.name;
    if (c.kind == AlterKind::kAddConstraint && c.constraint == ConstraintKind::kUnique && !c.columns.empty()) {
      std::string cols, not_null;
      for (const std::string& col : c.columns) {
        cols += (cols.empty() ? "" : ", ") + Quote(col);
        not_null += (not_null.empty() ? "" : " AND ") + Quote(col) + " IS NOT NULL";
      }
      condition = fmt::format("({}) IN (SELECT {} FROM {} WHERE {} GROUP BY {} HAVING count(*) > 1)", cols, cols,
                              Quote(live.name), not_null, cols);
      what = "share a value with another row";
      if (name.empty()) name = fmt::format("UNIQUE ({})", cols);
    } else if (c.kind == AlterKind::kAddConstraint && c.constraint == ConstraintKind::kCheck) {
      condition = fmt::format("NOT ({})", c.check);
      what = "fail it";
      if (name.empty()) name = fmt::format("CHECK ({})", c.check);
    } else if (c.kind == AlterKind::kSetNotNull) {
      condition = Quote(c.column) + " IS NULL";
      what = "hold NULL";
      name = fmt::format("NOT NULL on {}.{}", live.name, c.column);
    } else {
      continue;
    }
    plan->diagnostics.push_back({name, what, DiagnosticQuery(live, without_rowid, condition)});
  }
}

}  // namespace

Result<Plan> PlanRebuild(const LiveTable& live, const std::vector<AlterCommand>& commands) {
  STRATA_ASSIGN_OR_RETURN(Table table, CutTable(live.create_sql));
  Edits e;
  for (const AlterCommand& c : commands) STRATA_RETURN_IF_ERROR(Apply(table, c, e, live.name));

  Plan plan;
  plan.table = live.name;
  plan.new_table = live.name + "__strata_rebuild";
  std::string body;
  for (const Item& it : table.items) body += (body.empty() ? "\n  " : ",\n  ") + Render(it);
  plan.create_sql = fmt::format("CREATE TABLE {} ({}\n){}", Quote(plan.new_table), body,
                                table.tail.empty() ? "" : " " + table.tail);
  plan.statements.push_back(plan.create_sql);

  // The rows, with their rowids (a rowid table whose primary key is not its rowid would otherwise
  // renumber them, and every reference to a rowid with them).
  std::size_t pk = 0;
  bool alias = false;
  for (const auto& c : live.columns) {
    if (c.primary_key) {
      ++pk;
      alias = Same(c.type, "integer");
    }
  }
  std::string into, select;
  if (!table.without_rowid && !(pk == 1 && alias)) into = select = "rowid";
  for (const auto& c : live.columns) {
    std::string lower = base::Lower(c.name);
    if (c.generated || e.dropped.count(lower)) continue;
    std::string expr = Quote(c.name);
    for (const auto& [col, using_expr] : e.using_exprs) {
      if (col == lower) expr = "(" + using_expr + ")";
    }
    into += (into.empty() ? "" : ", ") + Quote(c.name);
    select += (select.empty() ? "" : ", ") + expr;
  }
  plan.copy_index = plan.statements.size();
  plan.statements.push_back(
      fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", Quote(plan.new_table), into, select, Quote(live.name)));

  // Views, and triggers of other tables, that name the table would stop the rename ("error in view
  // v: no such table"): dropped before and made again after, with the table's indexes and triggers,
  // which DROP TABLE removes. An index on a dropped column goes with it, as in PostgreSQL.
  std::vector<const LiveTable::Object*> again;
  for (const LiveTable::Object& o : live.objects) {
    bool own = Same(o.table, live.name) && o.type != "view";
    if (own) {
      bool uses_dropped = false;
      if (o.type == "index") {
        auto words = IndexWords(o.sql);
        for (const std::string& d : e.dropped) uses_dropped |= Mentions(words, d);
      }
      if (!uses_dropped) again.push_back(&o);
    } else if ((o.type == "view" || o.type == "trigger") && Mentions(AllWords(o.sql), live.name)) {
      plan.statements.push_back(fmt::format("DROP {} {}", o.type == "view" ? "VIEW" : "TRIGGER", Quote(o.name)));
      again.push_back(&o);
    }
  }
  plan.statements.push_back(fmt::format("DROP TABLE {}", Quote(live.name)));
  plan.statements.push_back(fmt::format("ALTER TABLE {} RENAME TO {}", Quote(plan.new_table), Quote(live.name)));
  for (const LiveTable::Object* o : again) plan.statements.push_back(std::string(base::Trim(o->sql)));
  if (live.sequence && Mentions(AllWords(plan.create_sql), "autoincrement")) {
    // DROP TABLE took the table's row; the copy's is only as high as the highest rowid left.
    plan.statements.push_back(fmt::format("DELETE FROM sqlite_sequence WHERE name = {}", QuoteLiteral(live.name)));
    plan.statements.push_back(fmt::format("INSERT INTO sqlite_sequence (name, seq) VALUES ({}, {})",
                                          QuoteLiteral(live.name), *live.sequence));
  }
  AddDiagnostics(live, table.without_rowid, commands, &plan);
  return plan;
}

bool NeedsRebuildToDrop(const LiveTable& live, std::string_view column) {
  for (const auto& c : live.columns) {
    if (c.primary_key && Same(c.name, column)) return true;
  }
  auto table = CutTable(live.create_sql);
  if (!table.ok()) return false;
  std::string lower = base::Lower(column);
  for (const Item& it : table->items) {
    if (!it.column) {
      if (Mentions(it.kind == "check" ? it.words : it.local, lower)) return true;
      continue;
    }
    for (const Segment& s : it.segments) {
      bool own = Same(it.name, column);
      if (own && (s.kind == "unique" || s.kind == "primary" || s.kind == "references" || s.kind == "check")) return true;
      if ((s.kind == "check" || s.kind == "generated" || s.kind == "as") && Mentions(s.words, lower)) return true;
    }
  }
  for (const LiveTable::Object& o : live.objects) {
    if (o.type == "index" && Same(o.table, live.name) && Mentions(IndexWords(o.sql), lower)) return true;
  }
  return false;
}

}  // namespace strata::sql::rebuild
