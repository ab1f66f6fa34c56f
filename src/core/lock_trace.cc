// The lock trace behind `strata lint --trace`: migrations replayed on a scratch PostgreSQL database
// one statement at a time, and after each the server asked which tables the migration's
// transaction holds locked and which existing tables have new storage (were rewritten).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "base/text.h"
#include "base/url.h"
#include "core/driver_handle.h"
#include "core/lint.h"
#include "core/run_context.h"
#include "core/step.h"
#include "drivers/registry.h"
#include "lint/ignore.h"
#include "lint/lint.h"
#include "sql/pg_split.h"
#include "strata/migrator.h"

namespace strata {

namespace core {

namespace {

// Ordinary, partitioned and materialized tables outside the system schemas. relfilenode changes
// when a table's storage is replaced: a rewrite (ALTER COLUMN TYPE, VACUUM FULL, CLUSTER, TRUNCATE).
constexpr const char* kTablesSql =
    "SELECT c.oid::text, n.nspname, c.relname, c.relfilenode::text FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'";
// Locks of this connection only: inside a migration's transaction, exactly what it holds so far.
constexpr const char* kLocksSql =
    "SELECT relation::oid::text, mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' "
    "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

// The modes that conflict with ROW EXCLUSIVE, i.e. that stop INSERT, UPDATE and DELETE; the weaker
// ones (taken by every DML statement, or CREATE INDEX CONCURRENTLY's SHARE UPDATE EXCLUSIVE) are
// not what a lock trace is for.
constexpr std::string_view kBlockingModes[] = {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock",
                                               "AccessExclusiveLock"};
constexpr std::string_view kAccessExclusive = "AccessExclusiveLock";

// The index of `mode` in kBlockingModes (weakest first), or -1 for a mode that blocks no writes.
int BlockingRank(std::string_view mode) {
  auto it = std::find(std::begin(kBlockingModes), std::end(kBlockingModes), mode);
  return it == std::end(kBlockingModes) ? -1 : static_cast<int>(it - std::begin(kBlockingModes));
}

struct Table {
  std::string name;  // schema-qualified
  std::string relfilenode;
};
using Tables = std::map<std::string, Table>;  // by oid

Result<Tables> ReadTables(driver::Driver& db, const Options& options) {
  STRATA_ASSIGN_OR_RETURN(auto rows, db.Query(kTablesSql, std::chrono::milliseconds(0)));
  Tables tables;
  const std::string log = options.history_table + "_log";
  for (const driver::Driver::Row& row : rows) {
    if (row.size() != 4 || !row[0] || !row[1] || !row[2] || !row[3]) continue;
    if (*row[1] == options.schema && (*row[2] == options.history_table || *row[2] == log)) continue;
    tables[*row[0]] = {*row[1] + "." + *row[2], *row[3]};
  }
  return tables;
}

// The statements of `script`'s part: one for -- strata:no-split, else as PostgreSQL's parser splits it.
Result<std::vector<sql::StatementSpan>> Statements(const source::Script& script, const std::string& what) {
  std::string_view sql = script.sql();
  if (script.no_split) {
    std::size_t b = sql::SkipPgSpaceAndComments(sql, 0, sql.size());
    std::string_view rest = base::Trim(sql.substr(b));
    if (rest.empty()) return std::vector<sql::StatementSpan>{};
    return std::vector<sql::StatementSpan>{{b, b + rest.size()}};
  }
  auto spans = sql::SplitPostgres(sql);
  if (!spans.ok()) return Locate(spans.status(), spans.status(), script, what);
  return std::move(*spans);
}

// What one traced migration has seen so far.
struct Observation {
  const source::Migration& m;
  std::vector<sql::StatementSpan> spans;
  Tables before;  // at its start: these tables are pre-existing
  // Every table seen since, to name one that a later statement dropped.
  Tables seen;
  std::map<std::string, int> reported_rank;           // oid -> strongest mode reported (BlockingRank)
  std::map<std::string, std::size_t> exclusive_from;  // pre-existing oid -> statement index
  MigrationTrace trace;
};

SourceLocation Where(const source::Script& script, const sql::StatementSpan& span) {
  std::string_view text = script.sql().substr(span.begin, span.end - span.begin);
  return base::MakeLocation(script.path, *script.text, script.begin + span.begin, text);
}

std::string FileLine(const SourceLocation& at) { return fmt::format("{}:{}", at.file, at.line); }

// Records the pre-existing tables whose storage statement `at` replaced, and remembers every table.
Status ObserveRewrites(driver::Driver& db, const Options& options, const SourceLocation& at, Observation& o) {
  STRATA_ASSIGN_OR_RETURN(Tables now, ReadTables(db, options));
  for (const auto& [oid, table] : now) {
    auto last = o.seen.find(oid);
    bool rewritten = o.before.contains(oid) && last != o.seen.end() && last->second.relfilenode != table.relfilenode;
    bool reported = std::any_of(o.trace.rewritten.begin(), o.trace.rewritten.end(),
                                [&](const TracedRewrite& r) { return r.table == table.name; });
    if (rewritten && !reported) o.trace.rewritten.push_back({table.name, FileLine(at), at.statement});
    o.seen[oid] = table;
  }
  return Status::Ok();
}

// Records the tables that the migration's transaction holds, after statement `i` (at `at`), in a
// mode stronger than any reported for them before.
Status ObserveLocks(driver::Driver& db, std::size_t i, const SourceLocation& at, Observation& o) {
  STRATA_ASSIGN_OR_RETURN(auto locks, db.Query(kLocksSql, std::chrono::milliseconds(0)));
  std::map<std::string, int> strongest;  // oid -> rank in kBlockingModes, after this statement
  for (const driver::Driver::Row& row : locks) {
    if (row.size() != 2 || !row[0] || !row[1] || !o.seen.contains(*row[0])) continue;  // catalogs, indexes, ...
    int rank = BlockingRank(*row[1]);
    if (rank < 0) continue;
    auto [it, added] = strongest.emplace(*row[0], rank);
    if (!added) it->second = std::max(it->second, rank);
  }
  // Ordered by oid, not by name: sort this statement's new locks by table.
  std::vector<TracedLock> taken;
  for (const auto& [oid, rank] : strongest) {
    auto reported = o.reported_rank.find(oid);
    if (reported != o.reported_rank.end() && reported->second >= rank) continue;  // nothing stronger than before
    o.reported_rank[oid] = rank;
    const std::string_view mode = kBlockingModes[rank];
    const bool pre_existing = o.before.contains(oid);
    taken.push_back({o.seen.at(oid).name, std::string(mode), FileLine(at), at.statement, pre_existing});
    if (pre_existing && mode == kAccessExclusive) o.exclusive_from.emplace(oid, i);
  }
  std::sort(taken.begin(), taken.end(), [](const TracedLock& a, const TracedLock& b) { return a.table < b.table; });
  o.trace.locks.insert(o.trace.locks.end(), taken.begin(), taken.end());
  return Status::Ok();
}

// PG100 for each pre-existing table locked ACCESS EXCLUSIVE before the migration's last statement.
void AddLongExclusiveLocks(Observation& o, LintSeverity severity) {
  const LintRule* rule = FindLintRule("PG100");
  if (severity == LintSeverity::kOff || rule == nullptr) return;
  // `-- strata:lint-ignore PG100: reason` silences it as it silences every rule.
  std::vector<std::size_t> begins;
  for (const sql::StatementSpan& span : o.spans) begins.push_back(span.begin);
  lint::Ignores ignores = lint::ParseIgnores(o.m.up.sql(), begins,
                                             [](std::string_view id) { return FindLintRule(id) != nullptr; });
  for (const auto& [oid, i] : o.exclusive_from) {
    std::size_t later = o.spans.size() - 1 - i;
    if (later == 0 || ignores.Silences("PG100", o.spans[i].begin)) continue;
    const SourceLocation at = Where(o.m.up, o.spans[i]);
    LintFinding f;
    f.rule = rule->id;
    f.severity = severity;
    f.file = at.file;
    f.line = at.line;
    f.column = at.column;
    f.version = o.m.version;
    f.statement = at.statement;
    f.hint = rule->hint;
    f.message = fmt::format(
        "{} is locked ACCESS EXCLUSIVE from this statement until the migration commits, while "
        "{} later statement{} run{}: no one can read or write it meanwhile",
        o.seen.at(oid).name, later, later == 1 ? "" : "s", later == 1 ? "s" : "");
    o.trace.findings.push_back(std::move(f));
  }
  std::sort(o.trace.findings.begin(), o.trace.findings.end(), [](const LintFinding& a, const LintFinding& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
}

std::string Failed(const source::Migration& m) {
  return fmt::format("migration {} ({}) failed on the scratch database; the lock trace stops here", m.version, m.name);
}

// Runs statement `span` of `m` alone, inside the open transaction or in autocommit mode.
Status RunStatement(driver::Driver& db, const source::Migration& m, const sql::StatementSpan& span) {
  const source::Script& script = m.up;
  std::string_view text = script.sql().substr(span.begin, span.end - span.begin);
  Status st = db.Execute(text, {.in_transaction = !script.no_transaction, .no_split = true}, nullptr);
  if (st.ok()) return st;
  std::string why = st.message();
  if (db.CannotRunInTransaction(st)) {
    why +=
        " (this statement cannot run inside a transaction: add `-- strata:no-transaction` to the migration's "
        "header)";
  }
  source::Script at = script;  // the driver's offset counts from the statement
  at.begin += span.begin;
  return Locate(Status(st.code(), why), st, at, Failed(m));
}

Result<MigrationTrace> TraceMigration(driver::Driver& db, const source::Migration& m, const Options& options,
                                      LintSeverity pg100) {
  STRATA_ASSIGN_OR_RETURN(auto spans, Statements(m.up, Failed(m)));
  STRATA_ASSIGN_OR_RETURN(Tables before, ReadTables(db, options));
  Observation o{m, std::move(spans), before, before, {}, {}, {}};
  o.trace.version = m.version;
  o.trace.name = m.name;
  o.trace.file = m.up.path;
  o.trace.transactional = !m.up.no_transaction;
  if (o.trace.transactional) STRATA_RETURN_IF_ERROR(db.BeginWrite());
  for (std::size_t i = 0; i < o.spans.size(); ++i) {
    const SourceLocation at = Where(m.up, o.spans[i]);
    Status st = RunStatement(db, m, o.spans[i]);
    if (st.ok()) st = ObserveRewrites(db, options, at, o);
    if (st.ok() && o.trace.transactional) st = ObserveLocks(db, i, at, o);
    if (!st.ok()) {
      db.Rollback();
      return st;
    }
  }
  if (o.trace.transactional) STRATA_RETURN_IF_ERROR(db.Commit());
  AddLongExclusiveLocks(o, pg100);
  return std::move(o.trace);
}

// Runs `m` as Up would, unobserved: it only builds the schema that the traced migrations start from.
Status Replay(driver::Driver& db, const source::Migration& m) {
  const source::Script& script = m.up;
  const bool in_transaction = !script.no_transaction;
  if (in_transaction) STRATA_RETURN_IF_ERROR(db.BeginWrite());
  Status st = db.Execute(script.sql(), {.in_transaction = in_transaction, .no_split = script.no_split}, nullptr);
  if (!st.ok()) {
    db.Rollback();
    return Locate(st, st, script, Failed(m));
  }
  return in_transaction ? db.Commit() : Status::Ok();
}

// The scratch database and the one connection to it; the connection goes first.
struct TraceScratch {
  std::unique_ptr<driver::ScratchDatabase> db;
  std::shared_ptr<driver::Driver> driver;
};

Result<TraceScratch> OpenTraceScratch(const base::DatabaseUrl& server, const Options& options) {
  TraceScratch s;
  STRATA_ASSIGN_OR_RETURN(s.db, driver::CreateScratch(server));
  STRATA_ASSIGN_OR_RETURN(auto d, driver::OpenDriver(s.db->url(), OpenOptionsFor(options, false)));
  s.driver = std::move(d);
  return s;
}

}  // namespace

}  // namespace core

Result<LockTraceReport> TraceLocks(const Source& source, const ScratchOptions& scratch, const LintOptions& options) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl server, base::ParseDatabaseUrl(scratch.url));
  if (server.kind != base::DatabaseUrl::Kind::kPostgres) {
    return Status(ErrorCode::kFailedPrecondition, "the lock trace needs PostgreSQL (--scratch-url)");
  }
  STRATA_ASSIGN_OR_RETURN(auto migrations, core::LoadMigrations(source));
  STRATA_ASSIGN_OR_RETURN(auto selected, core::SelectUpFiles(*migrations, options.files));
  auto last = std::find_if(migrations->rbegin(), migrations->rend(), selected);
  LockTraceReport report;
  if (last == migrations->rend()) return report;
  const std::size_t end = static_cast<std::size_t>(migrations->rend() - last);  // one past the last selected

  STRATA_ASSIGN_OR_RETURN(core::TraceScratch s, core::OpenTraceScratch(server, scratch.options));
  core::RunContext ctx;
  ctx.source = migrations;
  ctx.driver = s.driver;
  std::vector<std::uint64_t> versions;
  for (std::size_t i = 0; i < end; ++i) versions.push_back((*migrations)[i].version);
  STRATA_RETURN_IF_ERROR(core::RefuseTransactionControl(ctx, versions, Direction::kUp));

  const LintSeverity pg100 = lint::SeverityOf("PG100", options.severity);
  for (std::size_t i = 0; i < end; ++i) {
    if (scratch.interrupted && scratch.interrupted()) {
      return Status(ErrorCode::kAborted, "interrupted; the scratch database was removed");
    }
    const source::Migration& m = (*migrations)[i];
    if (!selected(m)) {
      STRATA_RETURN_IF_ERROR(core::Replay(*s.driver, m));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(MigrationTrace trace, core::TraceMigration(*s.driver, m, scratch.options, pg100));
    report.migrations.push_back(std::move(trace));
  }
  return report;
}

}  // namespace strata
