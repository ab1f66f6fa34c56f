// Lint through the engine: which migrations to lint (named files, pending ones), and the live-data
// questions (D001-D004) asked of the database the Migrator has open.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/run_context.h"
#include "lint/lint.h"
#include "source/migration.h"
#include "strata/lint.h"

namespace strata::core {

// Which of `migrations` the up-file names `files` select (each a path or a bare file name; empty:
// all). kNotFound for a name that is no migration's up file. The predicate owns its names.
Result<std::function<bool(const source::Migration&)>> SelectUpFiles(const std::vector<source::Migration>& migrations,
                                                                   const std::vector<std::string>& files);

// Lints `migrations` for `engine` as `options` select them; `pending` holds the versions the
// database has not applied (used with pending_only). kNotFound for a file in `options.files` that
// is no migration's up file.
Result<LintReport> LintSelected(Engine engine, const std::vector<source::Migration>& migrations,
                                const std::vector<std::uint64_t>* pending, const LintOptions& options,
                                driver::Driver* live);

// Asks `db`, read-only, each question of `checks`; a question whose answer shows rows that would
// make the statement fail becomes a finding in `report`.
Status AskLiveData(driver::Driver& db, const std::vector<lint::LocatedCheck>& checks, LintReport& report);

}  // namespace strata::core
