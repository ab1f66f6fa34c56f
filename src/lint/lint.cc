#include "lint/lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include "base/text.h"
#include "lint/analyzers.h"
#include "lint/ignore.h"

namespace strata::lint {

const char* DataCheckRule(DataCheckKind kind) {
  switch (kind) {
    case DataCheckKind::kDuplicates: return "D001";
    case DataCheckKind::kNulls:
    case DataCheckKind::kRows: return "D002";
    case DataCheckKind::kOrphans: return "D003";
    case DataCheckKind::kCheckViolations: return "D004";
  }
  return "D001";
}

LintSeverity SeverityOf(const std::string& rule, const std::map<std::string, LintSeverity>& overrides) {
  if (auto it = overrides.find(rule); it != overrides.end()) return it->second;
  const LintRule* r = FindLintRule(rule);
  return r == nullptr ? LintSeverity::kWarning : r->severity;
}

namespace {

bool KnownRule(std::string_view id) { return FindLintRule(id) != nullptr; }

// A finding for `offset` of `script`'s part.
LintFinding Locate(const source::Migration& m, const source::Script& script, std::size_t offset,
                   std::size_t statement_begin, std::size_t statement_end) {
  LintFinding f;
  base::LineColumn lc = base::LocateOffset(*script.text, script.begin + offset);
  f.file = script.path;
  f.line = lc.line;
  f.column = lc.column;
  f.version = m.version;
  std::string_view sql = script.sql();
  if (statement_end > statement_begin && statement_end <= sql.size()) {
    std::string_view statement = base::Trim(sql.substr(statement_begin, statement_end - statement_begin));
    while (!statement.empty() && statement.back() == ';') statement = base::Trim(statement.substr(0, statement.size() - 1));
    f.statement = base::OneLine(statement);
  }
  return f;
}

}  // namespace

LintRun LintMigrations(Engine engine, const std::vector<source::Migration>& all,
                       const std::function<bool(const source::Migration&)>& selected,
                       const std::map<std::string, LintSeverity>& severity) {
  LintRun run;
  std::size_t last = 0;  // one past the last selected migration: later ones need not be read
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (selected(all[i])) last = i + 1;
  }
  PgAnalyzer pg;
  MysqlAnalyzer mysql;
  std::unique_ptr<SqliteAnalyzer> sqlite;
  // SQLite: the in-memory replay costs as much as the DDL itself (SQLite re-reads its schema table
  // after each change); it runs only up to the last linted migration whose answers it could change.
  std::size_t replay_until = 0;
  // PostgreSQL: earlier migrations are parsed only for the column types PG006 compares, so only
  // up to the last linted migration that changes a type.
  std::size_t learn_until = 0;
  if (engine == Engine::kPostgres) {
    for (std::size_t i = 0; i < last; ++i) {
      if (selected(all[i]) && base::ContainsAnyIgnoringCase(all[i].up.sql(), {"type"})) learn_until = i + 1;
    }
  } else if (engine == Engine::kSqlite) {
    sqlite = std::make_unique<SqliteAnalyzer>();
    for (std::size_t i = 0; i < last; ++i) {
      if (selected(all[i]) && SqliteAnalyzer::NeedsReplay(all[i].up.sql())) replay_until = i + 1;
    }
  }
  for (std::size_t i = 0; i < last; ++i) {
    const source::Migration& m = all[i];
    bool check = selected(m);
    const source::Script& script = m.up;
    bool transactional = !script.no_transaction;
    PartLint part;
    if (engine == Engine::kPostgres) {
      if (!check && i >= learn_until) continue;
      auto analyzed = pg.Analyze(script.sql(), transactional, check);
      if (!analyzed.ok()) {
        if (check) {
          std::size_t at = analyzed.status().sql_offset().value_or(0);
          part.hits.push_back({"L002", at, at, at,
                               "not linted: " + analyzed.status().message()});
        }
      } else {
        part = std::move(*analyzed);
      }
    } else if (engine == Engine::kMariadb) {
      // Earlier migrations are read for the column types MY002 compares: a few tokens each.
      part = mysql.Analyze(script.sql(), script.no_transaction, check);
    } else {
      if (!check && i >= replay_until) continue;
      part = sqlite->Analyze(script.sql(), transactional, check, i < replay_until);
    }
    if (!check) continue;
    ++run.report.migrations;
    // A part that did not parse has no statements to attach ignores to: its L002 says it all.
    bool parsed = part.hits.empty() || part.hits.front().rule != "L002";
    Ignores ignores = parsed ? ParseIgnores(script.sql(), part.statement_begins, KnownRule) : Ignores{};
    auto add = [&](const std::string& rule, std::size_t offset, std::size_t begin, std::size_t end,
                   std::string message, bool lesser = false) {
      LintSeverity s = SeverityOf(rule, severity);
      if (lesser && s == LintSeverity::kError && !severity.contains(rule)) s = LintSeverity::kWarning;
      if (s == LintSeverity::kOff || ignores.Silences(rule, begin)) return;
      LintFinding f = Locate(m, script, offset, begin, end);
      f.rule = rule;
      f.severity = s;
      f.message = std::move(message);
      if (const LintRule* r = FindLintRule(rule)) f.hint = r->hint;
      run.report.findings.push_back(std::move(f));
    };
    std::size_t first = run.report.findings.size();
    for (const IgnoreProblem& p : ignores.problems) add("L001", p.offset, p.offset, p.offset, p.message);
    for (Hit& h : part.hits) add(h.rule, h.offset, h.statement_begin, h.statement_end, std::move(h.message), h.lesser);
    // Within a file, by position (then rule, so that the order never depends on the rules' order).
    std::sort(run.report.findings.begin() + static_cast<std::ptrdiff_t>(first), run.report.findings.end(),
              [](const LintFinding& a, const LintFinding& b) {
                return std::tie(a.line, a.column, a.rule, a.message) < std::tie(b.line, b.column, b.rule, b.message);
              });
    for (DataCheck& c : part.checks) {
      std::string rule = DataCheckRule(c.kind);
      if (SeverityOf(rule, severity) == LintSeverity::kOff || ignores.Silences(rule, c.statement_begin)) continue;
      LintFinding where = Locate(m, script, c.offset, c.statement_begin, c.statement_end);
      LocatedCheck located{std::move(c), std::move(where)};
      located.finding.rule = rule;
      located.finding.severity = SeverityOf(rule, severity);
      if (const LintRule* r = FindLintRule(rule)) located.finding.hint = r->hint;
      run.checks.push_back(std::move(located));
    }
  }
  return run;
}

}  // namespace strata::lint
