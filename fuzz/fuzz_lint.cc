// Fuzzes the linter's text readers: the lint-ignore comment parser (src/lint/ignore.h) on its own,
// and the whole linter (PostgreSQL parse-tree rules, SQLite token rules and in-memory replay,
// MariaDB's splitter and token rules) on the same text as a migration file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "lint/ignore.h"
#include "lint/lint.h"
#include "source/loader.h"
#include "sql/sqlite_split.h"
#include "strata/lint.h"

namespace {

bool Known(std::string_view id) { return strata::FindLintRule(id) != nullptr; }

void CheckIgnores(std::string_view text) {
  std::vector<std::size_t> begins;
  for (const auto& span : strata::sql::SplitSqlite(text)) begins.push_back(span.begin);
  strata::lint::Ignores ignores = strata::lint::ParseIgnores(text, begins, Known);
  for (const auto& p : ignores.problems) {
    FUZZ_CHECK(p.offset < text.size());
    FUZZ_CHECK(!p.message.empty());
  }
  for (const auto& ig : ignores.ignores) {
    FUZZ_CHECK(!ig.rules.empty());
    FUZZ_CHECK(!ig.reason.empty());
    for (const std::string& r : ig.rules) FUZZ_CHECK(Known(r));
    FUZZ_CHECK(ig.whole_part || std::find(begins.begin(), begins.end(), ig.statement_begin) != begins.end());
    for (const std::string& r : ig.rules) {
      FUZZ_CHECK(ig.whole_part ? ignores.Silences(r, 0) : ignores.Silences(r, ig.statement_begin));
    }
  }
}

void CheckLint(const std::string& text, strata::Engine engine) {
  auto migrations = strata::source::BuildMigrations({{"m/v001_fuzz.sql", "v001_fuzz.sql", text, ""}});
  if (!migrations.ok()) return;  // not a valid migration file (a NUL byte, a bad directive)
  strata::lint::LintRun run = strata::lint::LintMigrations(
      engine, *migrations, [](const strata::source::Migration&) { return true; }, {});
  FUZZ_CHECK(run.report.migrations == 1);
  for (const strata::LintFinding& f : run.report.findings) {
    FUZZ_CHECK(Known(f.rule));
    FUZZ_CHECK(f.severity != strata::LintSeverity::kOff);
    FUZZ_CHECK(f.line >= 1 && f.column >= 1);
    FUZZ_CHECK(f.file == "m/v001_fuzz.sql" && f.version == 1);
    FUZZ_CHECK(!f.message.empty() && !f.hint.empty());
  }
  for (const strata::lint::LocatedCheck& c : run.checks) {
    FUZZ_CHECK(Known(c.finding.rule));
    FUZZ_CHECK(c.check.statement_begin <= c.check.statement_end && c.check.statement_end <= text.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16 * 1024) return 0;  // the SQLite splitter is O(n^2)
  const std::string text(reinterpret_cast<const char*>(data), size);
  CheckIgnores(text);
  CheckLint(text, strata::Engine::kSqlite);
  CheckLint(text, strata::Engine::kPostgres);
  CheckLint(text, strata::Engine::kMariadb);
  return 0;
}
