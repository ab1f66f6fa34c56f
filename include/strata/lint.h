// strata lint: what a migration would do to a production database before it runs. Each rule has a
// stable ID (docs/lint.md documents every one with a bad example, why it hurts and the fix).
// The rules know how strata will run the file (in a transaction or not, on which engine) and
// which tables the same migration creates (new, hence empty, tables are never flagged).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/engine.h"

namespace strata {

enum class LintSeverity { kOff, kWarning, kError };

// "off", "warning", "error".
const char* LintSeverityName(LintSeverity severity);

// One rule of the catalogue.
struct LintRule {
  const char* id;             // "PG001", "M001", "SQ002", "MY001", ...
  LintSeverity severity;      // by default
  const char* engines;        // "postgres", "sqlite", "mariadb" or "both" (every engine)
  const char* summary;        // one line: what it catches
  const char* hint;           // the safe way to write it
};

// Every rule, in ID order.
const std::vector<LintRule>& LintRules();
// The rule with this ID, or nullptr.
const LintRule* FindLintRule(std::string_view id);

struct LintFinding {
  std::string rule;
  LintSeverity severity = LintSeverity::kWarning;
  std::string file;                                // as the source names it
  std::uint32_t line = 0, column = 0;              // 1-based; column in characters
  std::string message;                             // what this statement does, naming the table
  std::string hint;                                // the rule's safe rewrite
  std::uint64_t version = 0;                       // of the migration
  std::string statement;                           // the statement, on one line
};

struct LintOptions {
  // The dialect to lint. strata::LintSource: default SQLite. Migrator::Lint: the database's engine
  // (a value given here must match it).
  std::optional<Engine> engine;
  // Only the migrations whose file is one of these (a path as given to the source, or a bare file
  // name); empty: every migration (Migrator::Lint with `pending_only`: every pending one).
  std::vector<std::string> files;
  // Migrator::Lint: only migrations the database has not applied yet.
  bool pending_only = false;
  // Per-rule severity overrides (strata.toml's [lint]); kOff disables the rule.
  std::map<std::string, LintSeverity> severity;
  // Migrator::Lint: also ask the live database, read-only and under a statement timeout, whether
  // each linted migration it has not applied yet would fail on the rows it holds now (D001-D004;
  // an applied migration has already met its data and is not asked about).
  bool live_data = false;
};

struct LintReport {
  std::vector<LintFinding> findings;  // in migration order, then by position in the file
  std::size_t migrations = 0;         // how many were linted
  std::size_t errors() const;
  std::size_t warnings() const;
};

}  // namespace strata
