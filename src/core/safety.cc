#include "core/safety.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <optional>
#include <set>

#include "base/clock.h"
#include "base/text.h"
#include "sql/destructive.h"

namespace strata::core {

namespace {

using base::Lower;

bool IsPostgres(const RunContext& ctx) { return ctx.driver->engine() == Engine::kPostgres; }
bool IsSqlite(const RunContext& ctx) { return ctx.driver->engine() == Engine::kSqlite; }

Result<sql::Analysis> Analyze(const RunContext& ctx, const source::Script& script) {
  Result<sql::Analysis> analysis = sql::Analysis{};
  switch (ctx.driver->engine()) {
    case Engine::kPostgres: analysis = sql::AnalyzePostgres(script.sql()); break;
    case Engine::kSqlite: analysis = sql::AnalyzeSqlite(script.sql()); break;
    // The server's default quoting; a migration that relies on a session's ANSI_QUOTES or
    // NO_BACKSLASH_ESCAPES is split the same way anyway unless a string holds a quote of the other kind.
    case Engine::kMariadb: analysis = sql::AnalyzeMysql(script.sql()); break;
  }
  if (!analysis.ok() && analysis.status().sql_offset()) {
    Status st = analysis.status();
    SourceLocation loc = base::MakeLocation(script.path, *script.text, script.begin + *st.sql_offset());
    return Status(st.code(), st.message()).WithLocation(std::move(loc));
  }
  return analysis;
}

bool SameName(const std::string& a, const std::string& b, bool postgres) {
  return postgres ? a == b : Lower(a) == Lower(b);
}

// The table-rebuild pattern: entry `k` drops a table whose rows an earlier statement copied into
// another table, and that table is then renamed to the dropped one's name. A copy that is not
// renamed into place (a summary, a temporary copy dropped later) does not excuse the drop.
bool IsRebuild(const sql::Analysis& analysis, std::size_t k, bool postgres) {
  const sql::Destructive& drop = analysis.destructive[k];
  if (drop.kind != sql::DestructiveKind::kDropTable || drop.copied_into.empty()) return false;
  for (std::size_t j = k + 1; j < analysis.destructive.size(); ++j) {
    const sql::Destructive& r = analysis.destructive[j];
    if (r.kind == sql::DestructiveKind::kRenameTable && SameName(r.table, drop.copied_into, postgres) &&
        SameName(r.renamed_to, drop.table, postgres)) {
      return true;
    }
  }
  return false;
}

const source::Script& ScriptOf(const source::Migration& m, Direction d) {
  return d == Direction::kUp ? m.up : *m.down;
}

// The live tables, looked up the way the engine resolves a name written in a statement.
class LiveTables {
 public:
  explicit LiveTables(bool postgres) : postgres_(postgres) {}

  Status Load(driver::Driver& d) {
    if (loaded_) return Status::Ok();
    STRATA_ASSIGN_OR_RETURN(schema::Schema s, d.Introspect({.canonical_expressions = false}));
    for (const schema::Table& t : s.tables) tables_.push_back({t.schema, t.name});
    for (const schema::VirtualTable& t : s.virtual_tables) tables_.push_back({t.schema, t.name});  // after: no FKs
    for (std::size_t child = 0; child < s.tables.size(); ++child) {
      for (const schema::ForeignKey& fk : s.tables[child].foreign_keys) {
        for (std::size_t parent : Find(fk.ref_schema.empty() ? s.tables[child].schema : fk.ref_schema, fk.ref_table)) {
          references_.push_back({parent, child, fk.on_delete == "CASCADE"});
        }
      }
    }
    loaded_ = true;
    return Status::Ok();
  }

  // Tables whose rows go when every row of `parent` is deleted (ON DELETE CASCADE), or with
  // `any_reference` when it is truncated with CASCADE (every referencing table), transitively.
  std::vector<std::size_t> Children(std::size_t parent, bool any_reference) const {
    std::vector<std::size_t> out;
    std::vector<std::size_t> todo{parent};
    std::set<std::size_t> seen{parent};
    while (!todo.empty()) {
      std::size_t p = todo.back();
      todo.pop_back();
      for (const Reference& r : references_) {
        if (r.parent != p || !(r.cascade || any_reference) || dropped_.count(r.child) || !seen.insert(r.child).second) {
          continue;
        }
        out.push_back(r.child);
        todo.push_back(r.child);
      }
    }
    return out;
  }

  // The tables `schema`.`name` may name now; none when it was never there or the run dropped it.
  // An unqualified PostgreSQL name could mean a table in any schema of the search_path, which a
  // migration may change (SET search_path): every schema's table of that name is a candidate, so
  // the guard counts too much rather than too little.
  std::vector<std::size_t> Find(const std::string& schema, const std::string& name) const {
    std::vector<std::size_t> found;
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      if (dropped_.count(i)) continue;
      const auto& [s, n] = tables_[i];
      if (!postgres_) {
        if (Lower(n) == Lower(name)) found.push_back(i);
      } else if (n == name && (schema.empty() || s == schema)) {
        found.push_back(i);
      }
    }
    return found;
  }

  // The run renames table `i`; its rows are still counted under the name it has now.
  void Rename(std::size_t i, const std::string& name) {
    live_names_.emplace(i, tables_[i].second);
    tables_[i].second = name;
  }

  std::vector<std::size_t> InSchema(const std::string& schema) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      if (!dropped_.count(i) && tables_[i].first == schema) out.push_back(i);
    }
    return out;
  }

  void Drop(std::size_t i) { dropped_.insert(i); }
  const std::string& schema(std::size_t i) const { return tables_[i].first; }
  // The table's name in the database as it is before the run.
  const std::string& live_name(std::size_t i) const {
    auto it = live_names_.find(i);
    return it == live_names_.end() ? tables_[i].second : it->second;
  }
  std::string Display(std::size_t i) const {
    std::string name = postgres_ ? fmt::format("{}.{}", tables_[i].first, tables_[i].second) : tables_[i].second;
    auto renamed = live_names_.find(i);
    return renamed == live_names_.end() ? name : fmt::format("{} (renamed from {})", name, renamed->second);
  }

 private:
  bool postgres_;
  bool loaded_ = false;
  std::vector<std::pair<std::string, std::string>> tables_;
  struct Reference {
    std::size_t parent, child;
    bool cascade;  // ON DELETE CASCADE
  };
  std::vector<Reference> references_;  // one per foreign key
  std::set<std::size_t> dropped_;
  std::map<std::size_t, std::string> live_names_;  // first name of each table the run renames
};


}  // namespace

std::string BackupPath(const std::string& db, std::uint64_t version, std::string_view suffix) {
  std::string stem = fmt::format("{}.{}.{}", db, version, base::UtcNowCompact());
  std::string path = fmt::format("{}{}.bak", stem, suffix);
  struct stat st {};
  for (int n = 2; ::stat(path.c_str(), &st) == 0; ++n) path = fmt::format("{}-{}{}.bak", stem, n, suffix);
  return path;
}

Result<std::vector<DataAtRisk>> FindDataAtRisk(RunContext& ctx, const std::vector<std::uint64_t>& versions,
                                               Direction direction) {
  const bool postgres = IsPostgres(ctx);
  const bool sqlite = IsSqlite(ctx);
  LiveTables live(postgres);
  std::vector<DataAtRisk> risks;
  std::map<std::size_t, std::int64_t> counted;
  // Records that `what` destroys the rows table `t` has (left) now; they are gone afterwards.
  auto destroys = [&](const source::Migration& m, const source::Script& script, const sql::Destructive& d,
                      std::size_t t, std::string what) -> Status {
    auto it = counted.find(t);
    if (it == counted.end()) {
      STRATA_ASSIGN_OR_RETURN(std::int64_t rows, ctx.driver->CountRows(live.schema(t), live.live_name(t)));
      it = counted.emplace(t, rows).first;
    }
    if (it->second == 0) return Status::Ok();
    SourceLocation loc = base::MakeLocation(script.path, *script.text, script.begin + d.offset);
    risks.push_back({m.version, m.name, direction, fmt::format("{}:{}:{}", loc.file, loc.line, loc.column),
                     base::OneLine(d.statement, 200), std::move(what), live.Display(t), d.column, it->second,
                     script.allow_data_loss});
    return Status::Ok();
  };
  for (std::uint64_t v : versions) {
    const source::Migration& m = *ctx.Find(v);
    const source::Script& script = ScriptOf(m, direction);
    // Every destructive statement contains one of these words (MariaDB's CREATE OR REPLACE TABLE
    // too); most migrations contain none, and then parsing them (libpg_query on PostgreSQL) is skipped.
    if (!base::ContainsAnyIgnoringCase(script.sql(), {"drop", "delete", "truncate"}) &&
        !(ctx.driver->engine() == Engine::kMariadb && base::ContainsAnyIgnoringCase(script.sql(), {"replace"}))) {
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(sql::Analysis analysis, Analyze(ctx, script));
    for (std::size_t k = 0; k < analysis.destructive.size(); ++k) {
      const sql::Destructive& d = analysis.destructive[k];
      STRATA_RETURN_IF_ERROR(live.Load(*ctx.driver));
      if (d.kind == sql::DestructiveKind::kRenameTable) {
        for (std::size_t t : live.Find(d.schema, d.table)) live.Rename(t, d.renamed_to);
        continue;
      }
      std::vector<std::size_t> hit = d.kind == sql::DestructiveKind::kDropSchemaCascade ? live.InSchema(d.schema)
                                                                                          : live.Find(d.schema, d.table);
      for (std::size_t t : hit) {
        const std::string kind = sql::DestructiveKindName(d.kind);
        // Deleting every row of a parent deletes its ON DELETE CASCADE children too; on SQLite a
        // DROP TABLE starts with exactly such a DELETE (with foreign keys on), even in a rebuild
        // that copied the parent's rows first (MariaDB refuses to drop a parent instead).
        // TRUNCATE ... CASCADE empties every referencing table.
        bool deletes_all = d.kind == sql::DestructiveKind::kDeleteAll ||
                           (sqlite && d.kind == sql::DestructiveKind::kDropTable);
        bool truncates_all = d.kind == sql::DestructiveKind::kTruncate && d.cascade;
        if ((deletes_all && ctx.driver->EnforcesForeignKeys()) || truncates_all) {
          for (std::size_t child : live.Children(t, truncates_all)) {
            sql::Destructive via = d;
            via.column.clear();
            std::string how = truncates_all ? "CASCADE" : "ON DELETE CASCADE";
            STRATA_RETURN_IF_ERROR(
                destroys(m, script, via, child, fmt::format("{} of {} ({})", kind, live.Display(t), how)));
            counted[child] = 0;
          }
        }
        if (d.kind == sql::DestructiveKind::kDropTable || d.kind == sql::DestructiveKind::kDropSchemaCascade) {
          live.Drop(t);
        }
        if (IsRebuild(analysis, k, postgres)) continue;  // the rows were copied into their replacement
        STRATA_RETURN_IF_ERROR(destroys(m, script, d, t, kind));
        // Once emptied or dropped, later statements of the run cannot destroy these rows again.
        if (d.kind != sql::DestructiveKind::kDropColumn) counted[t] = 0;
      }
    }
  }
  return risks;
}

std::string DescribeDataAtRisk(const std::vector<DataAtRisk>& risks) {
  std::string out;
  for (const DataAtRisk& r : risks) {
    std::string target = r.column.empty() ? r.table : fmt::format("{} (column {})", r.table, r.column);
    out += fmt::format("\n  {}: {} {} destroys {} row{} of {}: {}\n      {}", r.location,
                       r.direction == Direction::kUp ? "up" : "down", r.version, r.rows, r.rows == 1 ? "" : "s",
                       target, r.what, r.statement);
  }
  return out;
}

Status ProtectRun(RunContext& ctx, const std::vector<std::uint64_t>& versions, Direction direction,
                  const SafetyOptions& safety, RunReport& report, const std::function<void(const Event&)>& emit) {
  auto looked = FindDataAtRisk(ctx, versions, direction);
  if (!looked.ok()) return looked.status();
  std::vector<DataAtRisk> found = std::move(*looked);
  std::vector<DataAtRisk> risks;  // those nobody accepted yet
  for (const DataAtRisk& r : found) {
    if (!r.acknowledged) risks.push_back(r);
  }
  if (!risks.empty() && !safety.force && !(safety.confirm && safety.confirm(risks))) {
    std::set<std::string> statements;
    bool cascades = false;
    for (const DataAtRisk& r : risks) {
      statements.insert(r.location);
      cascades = cascades || r.what.find("CASCADE)") != std::string::npos;
    }
    const bool rebuild_hint = cascades && IsSqlite(ctx);
    std::string hint = rebuild_hint ? " To rebuild a parent table without deleting its children, run with foreign "
                                      "keys off (SQLite's DROP TABLE deletes the parent's rows first while foreign "
                                      "keys are on)."
                                    : "";
    Status refused = Status(ErrorCode::kDataAtRisk,
                            fmt::format("refusing to run: {} statement{} would destroy rows that exist now:{}\nNothing "
                                        "was changed. Keep the data with a migration that copies it first, add "
                                        "`-- strata:allow-data-loss` to the migration's header if the loss is "
                                        "intended, or force the run (a SQLite database is backed up first).{}",
                                        statements.size(), statements.size() == 1 ? "" : "s",
                                        DescribeDataAtRisk(risks), hint))
                         .WithRemedy(Remedy::kForce);
    if (rebuild_hint) return std::move(refused).WithRemedy(Remedy::kNoForeignKeys);
    return refused;
  }
  report.data_at_risk = found;
  const std::string db = ctx.driver->DatabasePath();
  if (!found.empty() || safety.backup) {
    if (!db.empty()) {
      std::string path = BackupPath(db, plan::CurrentVersion(ctx.applied), "");
      STRATA_RETURN_IF_ERROR(ctx.driver->BackupTo(path));
      report.backup_file = path;
      emit({.kind = EventKind::kBackup, .file = path, .message = "SQLite online backup"});
    } else if (safety.backup && !safety.backup_hook) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("--backup writes a copy of a SQLite database file; this {} database has none. Use "
                                "--backup-command (e.g. pg_dump) instead",
                                EngineName(ctx.driver->engine())));
    } else if (!safety.backup_hook) {
      emit({.kind = EventKind::kWarning,
            .message = "no backup was taken before destroying rows: pass --backup-command (e.g. pg_dump) to take one"});
    }
  }
  if (safety.backup_hook) {
    STRATA_ASSIGN_OR_RETURN(std::string taken, safety.backup_hook(plan::CurrentVersion(ctx.applied)));
    if (report.backup_file.empty()) report.backup_file = taken;
    emit({.kind = EventKind::kBackup, .file = taken, .message = "backup command"});
  }
  return Status::Ok();
}

Result<DataWitness> DataWitness::Before(RunContext& ctx, const source::Migration& m) {
  STRATA_ASSIGN_OR_RETURN(sql::Analysis analysis, Analyze(ctx, m.up));
  std::set<std::string> named;
  for (const std::string& n : analysis.referenced) named.insert(IsPostgres(ctx) ? n : Lower(n));
  STRATA_ASSIGN_OR_RETURN(schema::Schema live, ctx.driver->Introspect({.canonical_expressions = false}));
  DataWitness w;
  for (const schema::Table& t : live.tables) {
    if (named.count(IsPostgres(ctx) ? t.name : Lower(t.name))) continue;
    STRATA_ASSIGN_OR_RETURN(driver::TableFingerprint f, ctx.driver->Fingerprint(t.schema, t.name));
    w.tables_.push_back({t.schema, t.name, std::move(f)});
  }
  return w;
}

Status DataWitness::After(RunContext& ctx, const source::Migration& m) const {
  std::string changed;
  std::size_t count = 0;
  for (const Table& t : tables_) {
    std::string name = t.schema.empty() ? t.name : t.schema + "." + t.name;
    auto now = ctx.driver->Fingerprint(t.schema, t.name);
    if (!now.ok()) {
      changed += fmt::format("\n  {}: {}", name, now.status().message());
    } else if (now->rows != t.fingerprint.rows) {
      changed += fmt::format("\n  {}: {} rows before, {} after", name, t.fingerprint.rows, now->rows);
    } else if (now->hash != t.fingerprint.hash) {
      changed += fmt::format("\n  {}: same {} rows, different contents", name, now->rows);
    } else {
      continue;
    }
    ++count;
  }
  if (count == 0) return Status::Ok();
  return Status(ErrorCode::kDataChanged,
                fmt::format("migration {} ({}) changed {} table{} that it does not name (--verify-data):{}\n"
                            "A cascade (ON DELETE CASCADE, a table rebuild) or a trigger reached {}.",
                            m.version, m.name, count, count == 1 ? "" : "s", changed, count == 1 ? "it" : "them"));
}

}  // namespace strata::core
