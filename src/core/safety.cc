#include "core/safety.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "base/clock.h"
#include "base/text.h"
#include "sql/destructive.h"

namespace strata::core {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool IsPostgres(const RunContext& ctx) { return ctx.driver->Dialect() == "postgres"; }

Result<sql::Analysis> Analyze(const RunContext& ctx, const source::Script& script) {
  auto analysis = IsPostgres(ctx) ? sql::AnalyzePostgres(script.sql()) : sql::AnalyzeSqlite(script.sql());
  if (!analysis.ok() && analysis.status().sql_offset()) {
    Status st = analysis.status();
    SourceLocation loc = base::MakeLocation(script.path, *script.text, script.begin + *st.sql_offset());
    return Status(st.code(), st.message()).WithLocation(std::move(loc));
  }
  return analysis;
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
    STRATA_ASSIGN_OR_RETURN(schema::Schema s, d.Introspect({}));
    for (const schema::Table& t : s.tables) tables_.push_back({t.schema, t.name});
    loaded_ = true;
    return Status::Ok();
  }

  // The table `schema`.`name` names now (PostgreSQL: an unqualified name is looked up in "public"
  // first, then in the only schema that has it); nullopt when there is none (it was never there,
  // or the run dropped it already).
  std::optional<std::size_t> Find(const std::string& schema, const std::string& name) const {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      if (dropped_.count(i)) continue;
      const auto& [s, n] = tables_[i];
      if (!postgres_) {
        if (Lower(n) == Lower(name)) return i;
        continue;
      }
      if (n != name) continue;
      if (!schema.empty()) {
        if (s == schema) return i;
        continue;
      }
      if (s == "public") return i;
      found = found ? std::optional<std::size_t>() : std::optional<std::size_t>(i);
    }
    return found;
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
  const std::string& name(std::size_t i) const { return tables_[i].second; }
  std::string Display(std::size_t i) const {
    return postgres_ ? fmt::format("{}.{}", tables_[i].first, tables_[i].second) : tables_[i].second;
  }

 private:
  bool postgres_;
  bool loaded_ = false;
  std::vector<std::pair<std::string, std::string>> tables_;
  std::set<std::size_t> dropped_;
};

std::string BackupPath(const std::string& db, std::uint64_t version) {
  std::string stem = fmt::format("{}.{}.{}", db, version, base::UtcNowCompact());
  std::string path = stem + ".bak";
  struct stat st {};
  for (int n = 2; ::stat(path.c_str(), &st) == 0; ++n) path = fmt::format("{}-{}.bak", stem, n);
  return path;
}

}  // namespace

Result<std::vector<DataAtRisk>> FindDataAtRisk(RunContext& ctx, const std::vector<std::uint64_t>& versions,
                                               Direction direction) {
  LiveTables live(IsPostgres(ctx));
  std::vector<DataAtRisk> risks;
  std::map<std::size_t, std::int64_t> counted;
  for (std::uint64_t v : versions) {
    const source::Migration& m = *ctx.Find(v);
    const source::Script& script = ScriptOf(m, direction);
    STRATA_ASSIGN_OR_RETURN(sql::Analysis analysis, Analyze(ctx, script));
    for (const sql::Destructive& d : analysis.destructive) {
      STRATA_RETURN_IF_ERROR(live.Load(*ctx.driver));
      std::vector<std::size_t> hit;
      if (d.kind == sql::DestructiveKind::kDropSchemaCascade) {
        hit = live.InSchema(d.schema);
      } else if (auto t = live.Find(d.schema, d.table)) {
        hit.push_back(*t);
      }
      for (std::size_t t : hit) {
        bool drops = d.kind == sql::DestructiveKind::kDropTable || d.kind == sql::DestructiveKind::kDropSchemaCascade;
        if (drops) live.Drop(t);
        if (!d.copied_into.empty()) continue;  // the rows were copied into another table first
        auto it = counted.find(t);
        if (it == counted.end()) {
          STRATA_ASSIGN_OR_RETURN(std::int64_t rows, ctx.driver->CountRows(live.schema(t), live.name(t)));
          it = counted.emplace(t, rows).first;
        }
        if (it->second == 0) continue;
        SourceLocation loc = base::MakeLocation(script.path, *script.text, script.begin + d.offset);
        risks.push_back({m.version, m.name, direction, fmt::format("{}:{}:{}", loc.file, loc.line, loc.column),
                         base::OneLine(d.statement, 200), sql::DestructiveKindName(d.kind), live.Display(t), d.column,
                         it->second});
        // Once emptied or dropped, later statements of the run cannot destroy these rows again.
        if (d.kind != sql::DestructiveKind::kDropColumn) it->second = 0;
      }
    }
  }
  return risks;
}

std::string DescribeDataAtRisk(const std::vector<DataAtRisk>& risks) {
  std::string out;
  for (const DataAtRisk& r : risks) {
    std::string target = r.column.empty() ? r.table : fmt::format("{} (column {})", r.table, r.column);
    out += fmt::format("\n  {}: {} {} destroys {} row{} of {}\n      {}", r.location,
                       r.direction == Direction::kUp ? "up" : "down", r.version, r.rows, r.rows == 1 ? "" : "s",
                       target, r.statement);
  }
  return out;
}

Status ProtectRun(RunContext& ctx, const std::vector<std::uint64_t>& versions, Direction direction,
                  const SafetyOptions& safety, RunReport& report, const std::function<void(const Event&)>& emit) {
  STRATA_ASSIGN_OR_RETURN(std::vector<DataAtRisk> risks, FindDataAtRisk(ctx, versions, direction));
  if (!risks.empty() && !safety.force && !(safety.confirm && safety.confirm(risks))) {
    return Status(ErrorCode::kDataAtRisk,
                  fmt::format("refusing to run: {} statement{} would destroy rows that exist now:{}\nNothing was "
                              "changed. Keep the data with a migration that copies it first, or pass --force to "
                              "run anyway (a SQLite database is backed up first).",
                              risks.size(), risks.size() == 1 ? "" : "s", DescribeDataAtRisk(risks)));
  }
  report.data_at_risk = risks;
  const std::string db = ctx.driver->DatabasePath();
  if (!risks.empty() || safety.backup) {
    if (!db.empty()) {
      std::string path = BackupPath(db, plan::CurrentVersion(ctx.applied));
      STRATA_RETURN_IF_ERROR(ctx.driver->BackupTo(path));
      report.backup_file = path;
      emit({.kind = EventKind::kBackup, .file = path, .message = "SQLite online backup"});
    } else if (safety.backup && !safety.backup_hook) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("--backup writes a copy of a SQLite database file; this {} database has none. Use "
                                "--backup-command (e.g. pg_dump) instead",
                                ctx.driver->Dialect()));
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
  STRATA_ASSIGN_OR_RETURN(schema::Schema live, ctx.driver->Introspect({}));
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
