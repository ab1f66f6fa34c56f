// Lint through the engine: which migrations to lint (named files, pending ones), and the live-data
// questions (D001-D004) asked of the database the Migrator has open.
#pragma once

#include <chrono>
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
// database has not applied (null: all of them): with pending_only only those are linted, and
// `live` (when options.live_data) is asked only about those. kNotFound for a file in
// `options.files` that is no migration's up file.
Result<LintReport> LintSelected(Engine engine, const std::vector<source::Migration>& migrations,
                                const std::vector<std::uint64_t>* pending, const LintOptions& options,
                                driver::Driver* live);

// How long one live-data query may run (the engine stops it then: PostgreSQL's statement_timeout,
// SQLite's progress handler). A check asks at most four queries.
inline constexpr std::chrono::milliseconds kLiveDataTimeout{10000};

// Asks `db`, read-only (Driver::Query), each question of `checks`. A question whose answer shows
// rows that would make the statement fail becomes an error finding in `report` (its `finding` with
// the count and at most 3 samples as the message); `report.findings` stays in migration order,
// then by position. Asks nothing of a database that does not exist yet (!db.Writable()) and skips
// a check whose table or columns are not in the database (an earlier pending migration makes them),
// or whose parent table is not there (D003). A question that fails (timeout, permission, an
// expression the engine rejects) becomes a warning finding under the same rule that says why; the
// returned Status is always OK.
Status AskLiveData(driver::Driver& db, const std::vector<lint::LocatedCheck>& checks, LintReport& report,
                   std::chrono::milliseconds timeout = kLiveDataTimeout);

}  // namespace strata::core
