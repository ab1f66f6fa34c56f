// The SQLite rules: a token-level reading of each statement (sql/sqlite_lexer.h) for what the text
// says, and a replay of every migration on an in-memory database for what only SQLite itself can
// tell (SQ002's double-quoted strings, ALTER TABLE forms SQLite refuses on the schema at hand).
#include <fmt/format.h>
#include <sqlite3.h>

#include <set>

#include "base/text.h"
#include "lint/analyzers.h"
#include "lint/tokens.h"
#include "sql/sqlite_ddl.h"
#include "sql/sqlite_lexer.h"
#include "sql/sqlite_rebuild.h"
#include "sql/sqlite_split.h"
#include "sql/statement.h"

namespace strata::lint {

namespace {

using sql::SqliteToken;
using sql::SqliteTokenKind;

}  // namespace

// The schema so far, in an in-memory database that nothing else can see or write through.
struct SqliteAnalyzer::Replay {
  sqlite3* db = nullptr;
  bool broken = false;  // a statement failed: the schema is no longer what the migrations make

  Replay() {
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      broken = true;
      return;
    }
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);  // no statement may reach a file
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  }
  ~Replay() { sqlite3_close_v2(db); }

  void Dqs(int on) {
    if (on == dqs) return;
    dqs = on;
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, on, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, on, nullptr);
  }
  int dqs = -1;  // unknown until first set

  // Prepares the statement and, unless it only reads or writes rows, runs it. "" when it worked,
  // else SQLite's message.
  std::string Run(std::string_view statement, bool step) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, statement.data(), static_cast<int>(statement.size()), &stmt, nullptr);
    if (rc == SQLITE_OK && stmt != nullptr && step) {
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      }
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    std::string error = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    return error;
  }
};

SqliteAnalyzer::SqliteAnalyzer() : replay_(std::make_unique<Replay>()) {}
SqliteAnalyzer::~SqliteAnalyzer() = default;

namespace {

class StatementRules {
 public:
  StatementRules(std::string_view text, bool transactional, std::set<std::string>& created, PartLint& out)
      : text_(text), transactional_(transactional), created_(created), out_(out) {}

  // Returns true when an SQ003 was reported for the statement.
  bool Run(sql::StatementSpan span);

 private:
  void Hit(const char* rule, std::size_t offset, std::string message) {
    out_.hits.push_back({rule, offset, span_.begin, span_.end, std::move(message)});
  }
  bool Existing(const std::string& table) const { return !table.empty() && !created_.contains(table); }
  bool AlterTable(const Tokens& t);
  void AddColumn(const Tokens& t, std::size_t i, const std::string& table);

  std::string_view text_;
  bool transactional_;
  std::set<std::string>& created_;
  PartLint& out_;
  sql::StatementSpan span_;
  bool sq003_ = false;
};

bool StatementRules::Run(sql::StatementSpan span) {
  span_ = span;
  Tokens t(text_, span, /*string_names=*/true, /*drop_semicolons=*/false);
  std::string first = t.Word(0);
  if (first == "CREATE") {
    std::size_t i = 1;
    if (t.Is(i, "TEMP") || t.Is(i, "TEMPORARY")) ++i;
    if (t.Is(i, "TABLE") || t.Is(i, "VIRTUAL")) {
      i += t.Is(i, "VIRTUAL") ? 2 : 1;
      if (t.Is(i, "IF") && t.Is(i + 1, "NOT") && t.Is(i + 2, "EXISTS")) i += 3;
      created_.insert(t.Name(i));
    } else if (t.Is(i, "UNIQUE") && t.Is(i + 1, "INDEX")) {
      auto index = sql::sqlite_ddl::ParseCreateIndex(text_.substr(span.begin, span.end - span.begin));
      if (!index.ok() || !Existing(base::Lower(index->table)) || !index->where.empty()) return false;
      DataCheck c;
      c.kind = DataCheckKind::kDuplicates;
      c.table = index->table;
      c.constraint = index->name;
      for (const auto& key : index->keys) {
        if (!key.is_name) return false;
        c.columns.push_back(key.name);
      }
      c.offset = c.statement_begin = span.begin;
      c.statement_end = span.end;
      out_.checks.push_back(std::move(c));
    }
  } else if (first == "ALTER" && t.Is(1, "TABLE")) {
    AlterTable(t);
  } else if (first == "DROP" && t.Is(1, "TABLE")) {
    std::size_t i = 2;
    if (t.Is(i, "IF") && t.Is(i + 1, "EXISTS")) i += 2;
    std::string table = t.Name(i);
    if (Existing(table)) {
      Hit("M004", span.begin, fmt::format("DROP TABLE {}: the application version still running may use it", table));
    }
    created_.erase(table);
  } else if (first == "UPDATE" || first == "DELETE") {
    std::size_t i = 1;
    if (first == "DELETE" && t.Is(i, "FROM")) ++i;
    if (first == "UPDATE" && t.Is(i, "OR")) i += 2;
    std::string table = t.Name(i);
    int depth = 0;
    bool where = false;
    for (std::size_t k = i; k < t.size() && !where; ++k) {
      if (t.Punct(k, '(')) ++depth;
      if (t.Punct(k, ')')) --depth;
      where = depth == 0 && t.Is(k, "WHERE");
    }
    if (!where && Existing(table)) {
      Hit("M005", span.begin, fmt::format("{} without WHERE changes every row of {}", first, table));
    }
  } else if (first == "PRAGMA" && transactional_) {
    std::size_t i = 1;
    std::string name = t.Name(i);
    if (name == "foreign_keys" && (t.Punct(i, '=') || t.Punct(i, '('))) {
      std::size_t value = i + 1;
      std::string v = t.Word(value);
      bool on = v == "ON" || v == "TRUE" || v == "YES" ||
                (value < t.size() && t[value].kind == SqliteTokenKind::kNumber && text_[t[value].begin] != '0');
      if (on) {
        // Harmless: strata has already turned foreign keys on (unless told not to).
        Hit("SQ001", span.begin,
            "PRAGMA foreign_keys = ON is a no-op inside a transaction, and strata runs this migration in one (strata "
            "turns foreign keys on itself)");
        out_.hits.back().lesser = true;
      } else {
        Hit("SQ001", span.begin,
            "PRAGMA foreign_keys is a no-op inside a transaction, and strata runs this migration in one: foreign keys "
            "stay ON, so a table rebuild here would still cascade deletes and check every key");
      }
    }
  }
  return sq003_;
}

bool StatementRules::AlterTable(const Tokens& t) {
  std::size_t i = 2;
  std::string table = t.Name(i);
  bool existing = Existing(table);
  std::string action = t.Word(i);
  if (action == "RENAME") {
    if (t.Is(i + 1, "TO")) {
      std::size_t j = i + 2;
      std::string to = t.Name(j);
      if (existing) {
        Hit("M003", span_.begin,
            fmt::format("RENAME TABLE {} TO {}: the application version still running uses the old name", table, to));
      } else {
        created_.erase(table);
        created_.insert(to);
      }
    } else if (existing) {
      std::size_t j = i + 1 + (t.Is(i + 1, "COLUMN") ? 1 : 0);
      std::string from = t.Name(j);
      ++j;  // TO
      std::string to = t.Name(j);
      Hit("M003", span_.begin,
          fmt::format("RENAME COLUMN {}.{} TO {}: the application version still running uses the old name", table, from,
                      to));
    }
  } else if (action == "ADD") {
    std::string what = t.Word(i + 1);
    if (what == "CONSTRAINT" || what == "PRIMARY" || what == "UNIQUE" || what == "FOREIGN" || what == "CHECK") {
      sq003_ = true;
      Hit("SQ003", t.Begin(i), fmt::format("SQLite's ALTER TABLE cannot ADD {}", what == "PRIMARY" ? "PRIMARY KEY" : what));
    } else {
      AddColumn(t, i + 1 + (what == "COLUMN" ? 1 : 0), table);
    }
  } else if (action == "DROP") {
    std::string what = t.Word(i + 1);
    if (what == "CONSTRAINT" || what == "PRIMARY" || what == "UNIQUE" || what == "FOREIGN" || what == "CHECK" ||
        what == "DEFAULT") {
      sq003_ = true;
      Hit("SQ003", t.Begin(i), fmt::format("SQLite's ALTER TABLE cannot DROP {}", what));
    } else if (existing) {
      std::size_t j = i + 1 + (what == "COLUMN" ? 1 : 0);
      if (t.Word(j) == "IF" && t.Word(j + 1) == "EXISTS") j += 2;
      Hit("M002", span_.begin,
          fmt::format("DROP COLUMN {}.{}: the application version still running may read it", table, t.Name(j)));
    }
  } else if (!action.empty() && action != "RENAME") {
    sq003_ = true;
    Hit("SQ003", t.Begin(i), fmt::format("SQLite's ALTER TABLE has no {} (only RENAME, ADD COLUMN and DROP COLUMN)", action));
  }
  return sq003_;
}

void StatementRules::AddColumn(const Tokens& t, std::size_t i, const std::string& table) {
  std::size_t name_at = i;
  std::string column = t.Name(i);
  bool not_null = false, has_default = false;
  std::string refused;  // why SQLite refuses this column when the table has rows, or always
  bool always = false;
  int depth = 0;
  for (std::size_t k = i; k < t.size(); ++k) {
    if (t.Punct(k, '(')) ++depth;
    if (t.Punct(k, ')')) --depth;
    if (depth != 0) continue;
    std::string w = t.Word(k);
    if (w == "NOT" && t.Is(k + 1, "NULL")) not_null = true;
    if (w == "PRIMARY" || w == "UNIQUE") {
      refused = fmt::format("SQLite cannot add a {} column", w == "PRIMARY" ? "PRIMARY KEY" : "UNIQUE");
      always = true;
    }
    if (w == "STORED" && !always) refused = "SQLite cannot add a STORED generated column to a table that has rows";
    if (w == "DEFAULT") {
      has_default = true;
      std::string v = t.Word(k + 1);
      bool call = false;
      if (t.Punct(k + 1, '(')) {
        for (std::size_t j = k + 2; j + 1 < t.size() && !call; ++j) call = !t.Word(j).empty() && t.Punct(j + 1, '(');
      }
      if ((v == "CURRENT_TIME" || v == "CURRENT_DATE" || v == "CURRENT_TIMESTAMP" || call) && !always) {
        refused = "SQLite cannot add a column with a non-constant DEFAULT to a table that has rows";
      }
    }
  }
  bool existing = Existing(table);
  if (!refused.empty() && (always || existing)) {
    sq003_ = true;
    Hit("SQ003", t.Begin(name_at), fmt::format("ADD COLUMN {}.{}: {}", table, column, refused));
  }
  if (not_null && !has_default && existing) {
    Hit("M001", t.Begin(name_at),
        fmt::format("ADD COLUMN {}.{} NOT NULL without a DEFAULT fails if {} has any row", table, column, table));
    DataCheck c;
    c.kind = DataCheckKind::kRows;
    c.table = table;
    c.columns = {column};
    c.offset = t.Begin(name_at);
    c.statement_begin = span_.begin;
    c.statement_end = span_.end;
    out_.checks.push_back(std::move(c));
  }
}

// `name` as the first double-quoted token of the statement that spells it (any double-quoted token
// when `name` is empty), else the statement.
std::size_t QuotedNameOffset(std::string_view text, sql::StatementSpan span, std::string_view name) {
  Tokens t(text, span, /*string_names=*/true, /*drop_semicolons=*/false);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != SqliteTokenKind::kQuotedName || text[t[i].begin] != '"') continue;
    if (name.empty() || base::Lower(sql::SqliteTokenName(text, t[i])) == base::Lower(name)) return t[i].begin;
  }
  return span.begin;
}

bool Rewritten(std::string_view statement) {
  if (!base::ContainsAnyIgnoringCase(statement, {"alter"})) return false;
  auto alters = sql::rebuild::FindAlters(statement);
  return alters.ok() && !alters->empty() && !alters->front().maybe_native;
}

bool OnlyTouchesRows(std::string_view keyword) {
  return keyword == "INSERT" || keyword == "UPDATE" || keyword == "DELETE" || keyword == "REPLACE" ||
         keyword == "SELECT" || keyword == "WITH" || keyword == "VALUES";
}

bool NeverReplayed(std::string_view keyword) {
  return keyword == "VACUUM" || keyword == "ATTACH" || keyword == "DETACH" || keyword == "BEGIN" ||
         keyword == "COMMIT" || keyword == "END" || keyword == "ROLLBACK" || keyword == "SAVEPOINT" ||
         keyword == "RELEASE";
}

}  // namespace

bool SqliteAnalyzer::NeedsReplay(std::string_view sql) {
  return sql.find('"') != std::string_view::npos || base::ContainsAnyIgnoringCase(sql, {"alter"});
}

PartLint SqliteAnalyzer::Analyze(std::string_view sql, bool transactional, bool check, bool replaying) {
  PartLint out;
  std::set<std::string> created;
  Replay& replay = *replay_;
  // SQLite reads SQL as a C string: stop at a NUL, as the source loader already refuses one.
  if (!sql::RejectNul(sql).ok()) return out;
  for (const sql::StatementSpan& span : sql::SplitSqlite(sql)) {
    out.statement_begins.push_back(span.begin);
    bool refused = false;
    if (check) refused = StatementRules(sql, transactional, created, out).Run(span);
    std::string_view statement = sql.substr(span.begin, span.end - span.begin);
    // strata runs these forms itself as a table rebuild (core/rebuild.h), inside the migration's
    // transaction only; the replay leaves the table as it was.
    if (Rewritten(statement)) {
      if (transactional) {
        std::erase_if(out.hits, [&](const Hit& h) { return h.rule == "SQ003" && h.statement_begin == span.begin; });
      }
      continue;
    }
    if (!replaying || replay.broken) continue;
    char buffer[16];
    std::string_view keyword = sql::FirstKeyword(statement, buffer);
    bool rows_only = OnlyTouchesRows(keyword);
    if (NeverReplayed(keyword) || (rows_only && !check)) continue;
    replay.Dqs(0);
    std::string error = replay.Run(statement, !rows_only);
    if (!error.empty() && statement.find('"') != std::string_view::npos) {
      // Runs only when SQLite may read a double-quoted word as a string: "no such column: x" in
      // a query, other messages in DDL (a DEFAULT "x" is "not constant" without the misfeature).
      replay.Dqs(1);
      if (replay.Run(statement, !rows_only).empty()) {
        if (check) {
          constexpr std::string_view kNoSuchColumn = "no such column: ";
          std::string name = error.starts_with(kNoSuchColumn) ? error.substr(kNoSuchColumn.size()) : "";
          std::size_t at = QuotedNameOffset(sql, span, name);
          if (name.empty() && at != span.begin) name = sql::SqliteTokenName(sql, *sql::NextSqliteToken(sql, at));
          Hit hit{"SQ002", at, span.begin, span.end,
                  fmt::format("\"{}\" is not a column here: SQLite reads it as the string '{}'", name, name)};
          out.hits.push_back(std::move(hit));
        }
        continue;
      }
    }
    if (error.empty()) continue;
    if (keyword == "ALTER") {
      // SQLite refused the ALTER on the schema the earlier statements made (and changed nothing).
      if (check && !refused) {
        out.hits.push_back({"SQ003", span.begin, span.begin, span.end, "SQLite refuses this ALTER TABLE: " + error});
      }
      continue;
    }
    if (rows_only) continue;  // a query changes no schema: the replay can go on
    if (check) {
      out.hits.push_back({"L002", span.begin, span.begin, span.end,
                          "SQLite refuses this statement on the schema the earlier migrations make (" + error +
                              "): SQ002 and SQ003 are not checked from here on"});
    }
    replay.broken = true;  // the schema is no longer what the migrations make: stop replaying
  }
  return out;
}

}  // namespace strata::lint
