// The linter behind `strata lint` and LintSource/Migrator::Lint: runs the rules of one engine
// over migrations, applies lint-ignore comments and severity overrides, and locates each finding.
// No database: the live-data questions it finds (DataCheck) are asked by core, which has one.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "source/migration.h"
#include "strata/engine.h"
#include "strata/lint.h"

namespace strata::lint {

// A finding of one rule in one part's text, before ignores, severity and location.
struct Hit {
  std::string rule;
  std::size_t offset = 0;           // where to point, in the part's text
  std::size_t statement_begin = 0;  // the statement's span in the part's text
  std::size_t statement_end = 0;
  std::string message;
  // The finding is a warning unless the configuration set the rule's severity (a harmless form of
  // what the rule catches, such as PRAGMA foreign_keys = ON, which strata does anyway).
  bool lesser = false;
};

// A question for the live database: would this statement fail on the rows there now?
enum class DataCheckKind {
  kDuplicates,       // D001: `columns` of `table` hold duplicate non-NULL values
  kNulls,            // D002: `columns[0]` of `table` holds NULLs
  kRows,             // D002: `table` has rows (a NOT NULL column without DEFAULT)
  kOrphans,          // D003: rows of `table` whose `columns` match no row of `ref_table`(`ref_columns`)
  kCheckViolations,  // D004: rows of `table` for which `expression` is false
};

struct DataCheck {
  DataCheckKind kind = DataCheckKind::kDuplicates;
  std::string schema, table;  // PostgreSQL: names as the server stores them; schema may be empty
  std::vector<std::string> columns;
  std::string ref_schema, ref_table;
  std::vector<std::string> ref_columns;  // empty: the parent's primary key
  std::string expression;                // kCheckViolations: the CHECK's SQL text
  std::string constraint;                // its name, when the statement gives one
  std::size_t offset = 0, statement_begin = 0, statement_end = 0;
};

// The rule ID a DataCheck's finding is reported under.
const char* DataCheckRule(DataCheckKind kind);

struct PartLint {
  std::vector<Hit> hits;
  std::vector<DataCheck> checks;
  std::vector<std::size_t> statement_begins;  // ascending, for lint-ignore comments
};

// A DataCheck located like a finding (file, line, column, version, statement filled in; `rule` set
// by DataCheckRule), for core to ask and turn into a finding with a message.
struct LocatedCheck {
  DataCheck check;
  LintFinding finding;
};

struct LintRun {
  LintReport report;
  std::vector<LocatedCheck> checks;  // not disabled, not ignored
};

// Lints the up part of every migration of `all` (ascending versions) for which `selected` says
// true; the others are read only for what they tell about the schema (earlier migrations' tables
// and column types, SQLite's replay). `severity` overrides rule defaults (kOff disables).
LintRun LintMigrations(Engine engine, const std::vector<source::Migration>& all,
                       const std::function<bool(const source::Migration&)>& selected,
                       const std::map<std::string, LintSeverity>& severity);

// The finding's severity after `overrides`; kOff when the rule is disabled.
LintSeverity SeverityOf(const std::string& rule, const std::map<std::string, LintSeverity>& overrides);

}  // namespace strata::lint
