// The live-data predictions of lint (D001-D004): each DataCheck becomes one read-only query, under
// a statement timeout, that counts what the statement would fail on and fetches a few samples.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <tuple>

#include "base/text.h"
#include "core/lint.h"
#include "sql/mysql_split.h"
#include "sql/pg_split.h"
#include "sql/sqlite_split.h"

namespace strata::core {

namespace {

using Rows = std::vector<driver::Driver::Row>;

constexpr std::size_t kSamples = 3;
constexpr std::size_t kValueChars = 40;
constexpr std::size_t kExpressionChars = 60;
// kRows counts no further: the answer is the same, and a huge table is not scanned to the end.
constexpr std::int64_t kRowCap = 10000;

std::string Literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A name in a question: "name" (SQLite, PostgreSQL), `name` on MariaDB, whose sessions read
// "..." as a string.
std::string Quote(Engine engine, std::string_view name) {
  if (engine != Engine::kMariadb) return base::QuoteIdentifier(name);
  std::string out = "`";
  for (char c : name) out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}

// A string in a question; MariaDB reads a backslash in a string as an escape.
std::string SqlLiteral(Engine engine, std::string_view s) {
  if (engine != Engine::kMariadb) return Literal(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : c == '\\' ? std::string("\\\\") : std::string(1, c);
  return out + "'";
}

std::string Qualified(Engine engine, const std::string& schema, const std::string& table) {
  std::string name = Quote(engine, table);
  return schema.empty() ? name : Quote(engine, schema) + "." + name;
}

std::string Shown(const std::string& schema, const std::string& table) {
  return schema.empty() ? table : schema + "." + table;
}

std::string Joined(const std::vector<std::string>& parts, std::string_view separator = ", ") {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

// A value as a message shows it: numbers bare, text quoted, long text cut, always on one line.
std::string ShowValue(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  if (base::ParseInt64(*v) || base::ParseDouble(*v)) return *v;
  return Literal(base::OneLine(*v, kValueChars));
}

std::string Plural(std::int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// The questions of one Driver: every query goes through Ask, which sends one statement only.
class Asker {
 public:
  Asker(driver::Driver& db, std::chrono::milliseconds timeout) : db_(db), timeout_(timeout) {}
  Engine engine() const { return db_.engine(); }

  // A CHECK's text is pasted into the query: a query that the engine's own splitter does not see
  // as one statement is refused, so that nothing after it can run (PostgreSQL's simple protocol
  // would run a "; COMMIT; ..." tail outside the read-only transaction).
  Result<Rows> Ask(const std::string& sql) {
    std::size_t statements = 0;
    if (engine() == Engine::kPostgres) {
      auto spans = sql::SplitPostgres(sql);
      statements = spans.ok() ? spans->size() : 0;
    } else if (engine() == Engine::kMariadb) {
      auto spans = sql::SplitMysql(sql);
      statements = spans.ok() ? spans->size() : 0;
    } else {
      statements = sql::SplitSqlite(sql).size();
    }
    if (statements != 1) {
      return Status(ErrorCode::kInvalidArgument, "the question is not one SQL statement: " + base::OneLine(sql, 120));
    }
    return db_.Query(sql, timeout_);
  }

  // The table's column names; std::nullopt when there is no such table (an earlier pending
  // migration creates it: it has no rows yet).
  Result<std::optional<std::vector<std::string>>> Columns(const std::string& schema, const std::string& table) {
    std::string sql =
        engine() == Engine::kPostgres
            ? fmt::format("SELECT a.attname FROM (SELECT to_regclass({}) AS oid) t LEFT JOIN pg_attribute a ON "
                          "a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE t.oid IS NOT NULL",
                          Literal(Qualified(engine(), schema, table)))
        : engine() == Engine::kMariadb
            ? fmt::format("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {} AND "
                          "TABLE_NAME = {} ORDER BY ORDINAL_POSITION",
                          schema.empty() ? "DATABASE()" : SqlLiteral(engine(), schema), SqlLiteral(engine(), table))
            : fmt::format("SELECT name FROM pragma_table_info({}{})", Literal(table),
                          schema.empty() ? "" : ", " + Literal(schema));
    STRATA_ASSIGN_OR_RETURN(Rows rows, Ask(sql));
    if (rows.empty()) return std::optional<std::vector<std::string>>();
    std::vector<std::string> names;
    for (const auto& r : rows) {
      if (!r.empty() && r[0]) names.push_back(*r[0]);
    }
    return std::optional<std::vector<std::string>>(std::move(names));
  }

  // The primary key's columns in key order; empty when the table has none.
  Result<std::vector<std::string>> PrimaryKey(const std::string& schema, const std::string& table) {
    std::string sql =
        engine() == Engine::kPostgres
            ? fmt::format("SELECT a.attname FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY "
                          "AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
                          "WHERE c.conrelid = to_regclass({}) AND c.contype = 'p' ORDER BY k.n",
                          Literal(Qualified(engine(), schema, table)))
        : engine() == Engine::kMariadb
            ? fmt::format("SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {} AND "
                          "TABLE_NAME = {} AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
                          schema.empty() ? "DATABASE()" : SqlLiteral(engine(), schema), SqlLiteral(engine(), table))
            : fmt::format("SELECT name FROM pragma_table_info({}) WHERE pk > 0 ORDER BY pk", Literal(table));
    STRATA_ASSIGN_OR_RETURN(Rows rows, Ask(sql));
    std::vector<std::string> names;
    for (const auto& r : rows) {
      if (!r.empty() && r[0]) names.push_back(*r[0]);
    }
    return names;
  }

 private:
  driver::Driver& db_;
  std::chrono::milliseconds timeout_;
};

bool SameName(Engine engine, const std::string& a, const std::string& b) {
  return engine == Engine::kPostgres ? a == b : base::Lower(a) == base::Lower(b);
}

// True when every one of `wanted` is a column of the live table: a column that an earlier pending
// migration adds has no values to ask about.
bool HasColumns(Engine engine, const std::vector<std::string>& live, const std::vector<std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
    return std::any_of(live.begin(), live.end(), [&](const std::string& l) { return SameName(engine, l, w); });
  });
}

// How sample rows are named: the primary key, else the engine's row address.
struct RowKey {
  std::string label;               // "id", "(a, b)", "rowid", "ctid"
  std::vector<std::string> exprs;  // to select, in order
  bool address = false;            // rowid or ctid: shown as the engine prints it, never quoted
};

Result<RowKey> RowKeyOf(Asker& a, const std::string& schema, const std::string& table) {
  STRATA_ASSIGN_OR_RETURN(auto pk, a.PrimaryKey(schema, table));
  RowKey key;
  if (pk.empty() && a.engine() == Engine::kMariadb) {
    // No row address either: a row is shown by its first columns (at most three).
    STRATA_ASSIGN_OR_RETURN(auto columns, a.Columns(schema, table));
    if (!columns || columns->empty()) {
      return Status(ErrorCode::kFailedPrecondition, fmt::format("{} has no columns to name its rows by", table));
    }
    columns->resize(std::min<std::size_t>(columns->size(), 3));
    pk = *columns;
  }
  if (pk.empty()) {
    bool pg = a.engine() == Engine::kPostgres;
    key.label = pg ? "ctid" : "rowid";
    key.exprs = {pg ? "ctid" : "rowid"};
    key.address = true;
    return key;
  }
  key.label = pk.size() == 1 ? pk[0] : "(" + Joined(pk) + ")";
  for (const std::string& c : pk) key.exprs.push_back(Quote(a.engine(), c));
  return key;
}

// What an inner query of key columns k0..kN-1 and a row count n holds: how many distinct keys,
// how many rows, and the first kSamples keys (with their counts).
struct Sampled {
  std::int64_t keys = 0, rows = 0;
  std::vector<std::pair<std::string, std::int64_t>> samples;
};

std::string Aliased(const std::vector<std::string>& exprs) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < exprs.size(); ++i) out.push_back(fmt::format("{} AS k{}", exprs[i], i));
  return Joined(out);
}

Result<Sampled> AskSampled(Asker& a, const std::string& inner, std::size_t key_count, bool most_first,
                           bool address = false) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < key_count; ++i) keys.push_back(fmt::format("k{}", i));
  std::string sql = fmt::format("SELECT count(*) OVER (), sum(n) OVER (), {}, n FROM ({}) s ORDER BY {}{} LIMIT {}",
                                Joined(keys), inner, most_first ? "n DESC, " : "", Joined(keys), kSamples);
  STRATA_ASSIGN_OR_RETURN(Rows rows, a.Ask(sql));
  Sampled out;
  for (const auto& r : rows) {
    if (r.size() != key_count + 3) return Status(ErrorCode::kInternal, "unexpected columns in a live-data answer");
    out.keys = base::ParseInt64(r[0].value_or("0")).value_or(0);
    out.rows = base::ParseInt64(r[1].value_or("0")).value_or(0);
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < key_count; ++i) {
      shown.push_back(address ? r[2 + i].value_or("NULL") : ShowValue(r[2 + i]));
    }
    std::string key = key_count == 1 ? shown[0] : "(" + Joined(shown) + ")";
    out.samples.emplace_back(std::move(key), base::ParseInt64(r.back().value_or("1")).value_or(1));
  }
  return out;
}

// "'a' x3, 'b' x2" (with_times) or "4, 9, 12".
std::string SampleList(const Sampled& s, bool with_times) {
  std::vector<std::string> parts;
  for (const auto& [key, n] : s.samples) parts.push_back(with_times && n > 1 ? fmt::format("{} x{}", key, n) : key);
  return Joined(parts);
}

// The statement as the message names it: "CREATE UNIQUE INDEX users_email", "ADD CHECK", ...
std::string What(const lint::LocatedCheck& located) {
  const lint::DataCheck& c = located.check;
  std::string_view statement = located.finding.statement;
  bool primary = base::ContainsAnyIgnoringCase(statement, {"primary key"});
  bool unique = base::ContainsAnyIgnoringCase(statement, {"unique"});
  std::string what;
  switch (c.kind) {
    case lint::DataCheckKind::kDuplicates:
      if (base::Lower(statement.substr(0, 6)) == "create") what = "CREATE UNIQUE INDEX";
      else what = primary && !unique ? "ADD PRIMARY KEY" : !primary && unique ? "ADD UNIQUE" : "ALTER TABLE";
      break;
    case lint::DataCheckKind::kNulls:
      if (primary) {
        what = "ADD PRIMARY KEY";
      } else if (base::ContainsAnyIgnoringCase(statement, {"modify"}) && !c.columns.empty()) {
        what = "MODIFY " + c.columns[0] + " NOT NULL";  // MariaDB
      } else if (base::ContainsAnyIgnoringCase(statement, {"change"}) && !c.columns.empty()) {
        what = "CHANGE " + c.columns[0] + " NOT NULL";
      } else {
        what = "SET NOT NULL";
      }
      break;
    case lint::DataCheckKind::kRows:
      return fmt::format("ADD COLUMN {} NOT NULL without a DEFAULT", c.columns.empty() ? "" : c.columns[0]);
    case lint::DataCheckKind::kOrphans: what = "ADD FOREIGN KEY"; break;
    case lint::DataCheckKind::kCheckViolations: what = "ADD CHECK"; break;
  }
  return c.constraint.empty() ? what : what + " " + c.constraint;
}

// What the question was, for the warning when it could not be answered.
std::string Question(const lint::DataCheck& c) {
  std::string table = Shown(c.schema, c.table);
  switch (c.kind) {
    case lint::DataCheckKind::kDuplicates: return fmt::format("{}({}) holds duplicates", table, Joined(c.columns));
    case lint::DataCheckKind::kNulls: return fmt::format("{}.{} holds NULLs", table, c.columns.at(0));
    case lint::DataCheckKind::kRows: return fmt::format("{} has rows", table);
    case lint::DataCheckKind::kOrphans:
      return fmt::format("rows of {}({}) have no parent in {}", table, Joined(c.columns),
                         Shown(c.ref_schema, c.ref_table));
    case lint::DataCheckKind::kCheckViolations:
      return fmt::format("rows of {} violate CHECK ({})", table, base::OneLine(c.expression, kExpressionChars));
  }
  return table;
}

// Each Ask* returns the message of an error finding, or std::nullopt when the data is clean.
using Answer = Result<std::optional<std::string>>;

std::string NotNullAnd(Engine engine, const std::string& alias, const std::vector<std::string>& columns) {
  std::vector<std::string> out;
  for (const std::string& c : columns) out.push_back(alias + Quote(engine, c) + " IS NOT NULL");
  return Joined(out, " AND ");
}

std::vector<std::string> QuotedAll(Engine engine, const std::string& alias, const std::vector<std::string>& columns) {
  std::vector<std::string> out;
  for (const std::string& c : columns) out.push_back(alias + Quote(engine, c));
  return out;
}

Answer AskDuplicates(Asker& a, const lint::LocatedCheck& located) {
  const lint::DataCheck& c = located.check;
  std::vector<std::string> columns = QuotedAll(a.engine(), "", c.columns);
  // NULLs never collide in a unique index (the PRIMARY KEY's NULLs are D002's question).
  std::string inner = fmt::format("SELECT {}, count(*) AS n FROM {} WHERE {} GROUP BY {} HAVING count(*) > 1",
                                  Aliased(columns), Qualified(a.engine(), c.schema, c.table),
                                  NotNullAnd(a.engine(), "", c.columns),
                                  Joined(columns));
  STRATA_ASSIGN_OR_RETURN(Sampled s, AskSampled(a, inner, columns.size(), /*most_first=*/true));
  if (s.keys == 0) return std::optional<std::string>();
  return std::optional<std::string>(
      fmt::format("{} of {}({}) {} duplicated now (e.g. {}): {} will fail", Plural(s.keys, "value", "values"),
                  Shown(c.schema, c.table), Joined(c.columns), s.keys == 1 ? "is" : "are", SampleList(s, true),
                  What(located)));
}

// Rows of the table for which `where` holds, named by their key: D002's NULLs, D004's violations.
Result<std::optional<std::pair<Sampled, RowKey>>> AskRowsWhere(Asker& a, const lint::DataCheck& c,
                                                               const std::string& where) {
  STRATA_ASSIGN_OR_RETURN(RowKey key, RowKeyOf(a, c.schema, c.table));
  std::string inner =
      fmt::format("SELECT {}, 1 AS n FROM {} WHERE {}", Aliased(key.exprs), Qualified(a.engine(), c.schema, c.table),
                  where);
  STRATA_ASSIGN_OR_RETURN(Sampled s, AskSampled(a, inner, key.exprs.size(), /*most_first=*/false, key.address));
  if (s.rows == 0) return std::optional<std::pair<Sampled, RowKey>>();
  return std::optional<std::pair<Sampled, RowKey>>(std::make_pair(std::move(s), std::move(key)));
}

Answer AskNulls(Asker& a, const lint::LocatedCheck& located) {
  const lint::DataCheck& c = located.check;
  STRATA_ASSIGN_OR_RETURN(auto found, AskRowsWhere(a, c, Quote(a.engine(), c.columns.at(0)) + " IS NULL"));
  if (!found) return std::optional<std::string>();
  const auto& [s, key] = *found;
  return std::optional<std::string>(fmt::format("{} of {} {} NULL in {} (e.g. {} {}): {} will fail",
                                                Plural(s.rows, "row", "rows"), Shown(c.schema, c.table),
                                                s.rows == 1 ? "has" : "have", c.columns[0], key.label,
                                                SampleList(s, false), What(located)));
}

Answer AskChecks(Asker& a, const lint::LocatedCheck& located) {
  const lint::DataCheck& c = located.check;
  // NOT (NULL) is NULL: a row for which the CHECK is unknown passes, as it does in the engine.
  STRATA_ASSIGN_OR_RETURN(auto found, AskRowsWhere(a, c, "NOT (" + c.expression + ")"));
  if (!found) return std::optional<std::string>();
  const auto& [s, key] = *found;
  return std::optional<std::string>(fmt::format("{} of {} {} CHECK ({}) (e.g. {} {}): {} will fail",
                                                Plural(s.rows, "row", "rows"), Shown(c.schema, c.table),
                                                s.rows == 1 ? "violates" : "violate",
                                                base::OneLine(c.expression, kExpressionChars), key.label,
                                                SampleList(s, false), What(located)));
}

Answer AskRows(Asker& a, const lint::LocatedCheck& located) {
  const lint::DataCheck& c = located.check;
  STRATA_ASSIGN_OR_RETURN(Rows rows, a.Ask(fmt::format("SELECT count(*) FROM (SELECT 1 FROM {} LIMIT {}) r",
                                                       Qualified(a.engine(), c.schema, c.table), kRowCap + 1)));
  std::int64_t n = rows.empty() || rows[0].empty() ? 0 : base::ParseInt64(rows[0][0].value_or("0")).value_or(0);
  if (n == 0) return std::optional<std::string>();
  std::string count = n > kRowCap ? fmt::format("more than {} rows", kRowCap) : Plural(n, "row", "rows");
  return std::optional<std::string>(fmt::format("{} has {}: {} will fail", Shown(c.schema, c.table), count,
                                                What(located)));
}

Answer AskOrphans(Asker& a, const lint::LocatedCheck& located) {
  const lint::DataCheck& c = located.check;
  // A parent that an earlier pending migration creates may be filled by it: nothing to compare.
  STRATA_ASSIGN_OR_RETURN(auto parent_columns, a.Columns(c.ref_schema, c.ref_table));
  if (!parent_columns) return std::optional<std::string>();
  std::vector<std::string> ref = c.ref_columns;
  if (ref.empty()) {
    STRATA_ASSIGN_OR_RETURN(ref, a.PrimaryKey(c.ref_schema, c.ref_table));
  }
  // Without a parent key of the same width the statement fails for another reason than the data.
  if (ref.size() != c.columns.size() || !HasColumns(a.engine(), *parent_columns, ref)) {
    return std::optional<std::string>();
  }
  std::vector<std::string> match;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    match.push_back(fmt::format("p.{} = c.{}", Quote(a.engine(), ref[i]), Quote(a.engine(), c.columns[i])));
  }
  std::vector<std::string> child = QuotedAll(a.engine(), "c.", c.columns);
  // MATCH SIMPLE: a row with a NULL in any key column is not checked.
  std::string inner = fmt::format(
      "SELECT {}, count(*) AS n FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {}) GROUP BY {}",
      Aliased(child), Qualified(a.engine(), c.schema, c.table), NotNullAnd(a.engine(), "c.", c.columns),
      Qualified(a.engine(), c.ref_schema, c.ref_table),
      Joined(match, " AND "), Joined(child));
  STRATA_ASSIGN_OR_RETURN(Sampled s, AskSampled(a, inner, child.size(), /*most_first=*/false));
  if (s.rows == 0) return std::optional<std::string>();
  return std::optional<std::string>(
      fmt::format("{} of {}({}) {} no row of {}({}) (e.g. {}): {} will fail", Plural(s.rows, "row", "rows"),
                  Shown(c.schema, c.table), Joined(c.columns), s.rows == 1 ? "references" : "reference",
                  Shown(c.ref_schema, c.ref_table), Joined(ref), SampleList(s, true), What(located)));
}

// Asks one check: std::nullopt when the table or a column it names is not in the database yet.
Answer AskOne(Asker& a, const lint::LocatedCheck& located) {
  const lint::DataCheck& c = located.check;
  STRATA_ASSIGN_OR_RETURN(auto columns, a.Columns(c.schema, c.table));
  if (!columns || !HasColumns(a.engine(), *columns, c.kind == lint::DataCheckKind::kRows ? std::vector<std::string>{}
                                                                                          : c.columns)) {
    return std::optional<std::string>();
  }
  switch (c.kind) {
    case lint::DataCheckKind::kDuplicates: return AskDuplicates(a, located);
    case lint::DataCheckKind::kNulls: return AskNulls(a, located);
    case lint::DataCheckKind::kRows: return AskRows(a, located);
    case lint::DataCheckKind::kOrphans: return AskOrphans(a, located);
    case lint::DataCheckKind::kCheckViolations: return AskChecks(a, located);
  }
  return std::optional<std::string>();
}

bool Malformed(const lint::DataCheck& c) {
  bool needs_columns = c.kind != lint::DataCheckKind::kRows && c.kind != lint::DataCheckKind::kCheckViolations;
  return c.table.empty() || (needs_columns && c.columns.empty()) ||
         (c.kind == lint::DataCheckKind::kOrphans && c.ref_table.empty()) ||
         (c.kind == lint::DataCheckKind::kCheckViolations && base::Trim(c.expression).empty());
}

}  // namespace

Status AskLiveData(driver::Driver& db, const std::vector<lint::LocatedCheck>& checks, LintReport& report,
                   std::chrono::milliseconds timeout) {
  // A read-only open of a database that does not exist yet: every table is empty, nothing to ask.
  if (checks.empty() || !db.Writable()) return Status::Ok();
  Asker asker(db, timeout);
  for (const lint::LocatedCheck& located : checks) {
    if (Malformed(located.check)) continue;
    Answer answer = AskOne(asker, located);
    LintFinding finding = located.finding;
    if (!answer.ok()) {
      // An unanswered question is not an answer: lint goes on and says so, as a warning.
      finding.severity = LintSeverity::kWarning;
      finding.message = fmt::format("could not ask the database whether {}: {}", Question(located.check),
                                    base::OneLine(answer.status().message()));
    } else if (answer->has_value()) {
      finding.message = std::move(**answer);
    } else {
      continue;
    }
    report.findings.push_back(std::move(finding));
  }
  // Findings stay in migration order, then by position, as lint placed its own. (Findings equal on
  // every key are interchangeable: std::sort is enough, and std::stable_sort trips a libstdc++
  // deprecation under clang.)
  std::sort(report.findings.begin(), report.findings.end(), [](const LintFinding& x, const LintFinding& y) {
    return std::tie(x.version, x.line, x.column, x.rule, x.message, x.severity) <
           std::tie(y.version, y.line, y.column, y.rule, y.message, y.severity);
  });
  return Status::Ok();
}

}  // namespace strata::core
