#include "core/lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/fs.h"
#include "lint/lint.h"

namespace strata {

namespace core {

namespace {

std::string_view BaseName(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Without a database (pending == nullptr) every migration counts as pending.
bool IsPending(const std::vector<std::uint64_t>* pending, std::uint64_t version) {
  return pending == nullptr || std::find(pending->begin(), pending->end(), version) != pending->end();
}

}  // namespace

Result<std::function<bool(const source::Migration&)>> SelectUpFiles(const std::vector<source::Migration>& migrations,
                                                                   const std::vector<std::string>& files) {
  std::set<std::string, std::less<>> names;
  for (const std::string& f : files) names.emplace(BaseName(f));
  for (const std::string& name : names) {
    bool found = std::any_of(migrations.begin(), migrations.end(),
                             [&](const source::Migration& m) { return BaseName(m.up.path) == name; });
    if (!found) {
      return Status(ErrorCode::kNotFound,
                    fmt::format("'{}' is not the up file of a migration in this directory (lint reads up parts only)",
                                name));
    }
  }
  return std::function<bool(const source::Migration&)>([names = std::move(names)](const source::Migration& m) {
    return names.empty() || names.contains(BaseName(m.up.path));
  });
}

Result<LintReport> LintSelected(Engine engine, const std::vector<source::Migration>& migrations,
                                const std::vector<std::uint64_t>* pending, const LintOptions& options,
                                driver::Driver* live) {
  STRATA_ASSIGN_OR_RETURN(auto named, SelectUpFiles(migrations, options.files));
  auto selected = [&](const source::Migration& m) {
    if (!named(m)) return false;
    return !options.pending_only || IsPending(pending, m.version);
  };
  lint::LintRun run = lint::LintMigrations(engine, migrations, selected, options.severity);
  if (options.live_data && live != nullptr) {
    // An applied migration has already met the data: asking would predict failures of statements
    // that ran (its NOT NULL column has rows now).
    std::erase_if(run.checks, [&](const lint::LocatedCheck& c) { return !IsPending(pending, c.finding.version); });
    STRATA_RETURN_IF_ERROR(AskLiveData(*live, run.checks, run.report));
  }
  return std::move(run.report);
}

}  // namespace core

Result<LintReport> LintSource(const Source& source, const LintOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto migrations, core::LoadMigrations(source));
  return core::LintSelected(options.engine.value_or(Engine::kSqlite), *migrations, nullptr, options, nullptr);
}

}  // namespace strata
