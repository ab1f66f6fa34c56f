// Many databases at once (docs/fleets.md): a database per tenant, a schema per tenant, or any list
// of URLs. The pieces `strata --targets FILE` and `strata --schemas PATTERN` are made of, for an
// application that migrates its own tenants: read a targets file, list a server's tenant schemas,
// and run one job per target, a few at a time, with a canary and a stop on the first failure.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/migrator.h"
#include "strata/status.h"

namespace strata {

struct FleetTarget {
  std::string url;     // as written (with its password)
  std::string schema;  // PostgreSQL, --schemas: the tenant schema; empty: Options::schema
  std::string label;   // what output shows: the URL with its password masked, then " schema S"
  std::string where;   // "FILE:LINE" of the targets file, or "" (a target that came from --url)
};

// The targets of a targets file: one database URL per line; blank lines and lines whose first
// non-blank character is '#' are skipped, as is everything after " #" on a line; surrounding
// blanks are trimmed. `label` names the file in errors. kInvalidArgument with `label:line:col`
// (never a password) for a URL that does not parse, the same database twice, or no target at all.
Result<std::vector<FleetTarget>> ParseTargets(std::string_view text, const std::string& label);

// PostgreSQL: the schemas of `url`'s database whose names match the LIKE `pattern` (`tenant_%`),
// in ascending order, leaving out PostgreSQL's own (pg_*, information_schema). A read-only query
// on one connection. kInvalidArgument for a SQLite URL; an empty list is no error.
Result<std::vector<std::string>> ListSchemas(std::string_view url, std::string_view pattern,
                                             const Options& options = {});

struct FleetOptions {
  // At most this many targets at a time (at least 1).
  std::size_t parallel = 4;
  // The first `canary` targets run first, one at a time; when one of them fails, no other starts.
  std::size_t canary = 0;
  // false: after the first failure no new target starts (those running finish). true: every
  // target runs whatever happens to the others.
  bool continue_on_error = false;
  // Asked before each target starts; true: no more start (as after a failure).
  std::function<bool()> interrupted;
};

enum class TargetOutcome { kSucceeded, kFailed, kNotStarted };

struct FleetReport {
  std::vector<TargetOutcome> outcomes;  // one per target, in the targets' order
  std::vector<Status> statuses;         // what each target's job returned (Ok when not started)
  std::size_t succeeded = 0, failed = 0, not_started = 0;
  double ms = 0;
};

// Runs `job(i)` for each target i in [0, count) as FleetOptions says: the canaries alone and in
// order, then the rest on up to `parallel` threads, picked in order. `job` is called from several
// threads at once and must not share a Migrator between calls (open one per call). `finished(i,
// status)` is called as each job ends, one call at a time (never concurrently), on the thread
// that ran it. A job that throws counts as failed with kInternal.
FleetReport RunFleet(std::size_t count, const FleetOptions& options,
                     const std::function<Status(std::size_t)>& job,
                     const std::function<void(std::size_t, const Status&)>& finished);

}  // namespace strata
