// strata checkpoint: replay a directory's migrations on a scratch database, write what they left
// (schema, rows, counters) as one checkpoint migration, and prove it exact on a second scratch
// database before the file is written.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "base/fs.h"
#include "base/text.h"
#include "base/url.h"
#include "core/driver_handle.h"
#include "core/migrator_impl.h"
#include "drivers/registry.h"
#include "source/checkpoint.h"
#include "source/loader.h"
#include "strata/team.h"

namespace strata {

namespace {

constexpr std::size_t kRowsPerInsert = 100;

bool IsPostgres(const schema::Schema& s) { return s.dialect == "postgres"; }
bool IsSqlite(const schema::Schema& s) { return s.dialect == "sqlite"; }

std::string Qualified(const schema::Schema& s, const schema::Table& t) {
  if (!IsPostgres(s) || t.schema.empty()) return base::QuoteIdentifier(t.name);
  return base::QuoteIdentifier(t.schema) + "." + base::QuoteIdentifier(t.name);
}

// Tables after the tables their foreign keys reference, so that rows load in dependency order
// (SQLite checks foreign keys as rows arrive; a cycle is left to PRAGMA defer_foreign_keys).
std::vector<const schema::Table*> InDependencyOrder(const schema::Schema& s) {
  auto key = [](const std::string& schema_name, const std::string& name) { return schema_name + "." + name; };
  std::map<std::string, const schema::Table*> pending;
  for (const schema::Table& t : s.tables) pending[key(t.schema, t.name)] = &t;
  std::vector<const schema::Table*> out;
  while (!pending.empty()) {
    bool progressed = false;
    for (auto it = pending.begin(); it != pending.end();) {
      const schema::Table& t = *it->second;
      bool ready = std::none_of(t.foreign_keys.begin(), t.foreign_keys.end(), [&](const schema::ForeignKey& fk) {
        std::string parent = key(fk.ref_schema.empty() ? t.schema : fk.ref_schema, fk.ref_table);
        return parent != it->first && pending.count(parent);
      });
      if (!ready) {
        ++it;
        continue;
      }
      out.push_back(&t);
      it = pending.erase(it);
      progressed = true;
    }
    if (!progressed) {  // a cycle: the rest in name order
      for (auto& [_, t] : pending) out.push_back(t);
      break;
    }
  }
  return out;
}

// SQLite: a rowid table keeps its rowids unless its primary key is the rowid itself (a single
// INTEGER column) or a column already goes by one of the rowid's names.
bool CopiesRowid(const schema::Schema& s, const schema::Table& t) {
  if (!IsSqlite(s) || t.without_rowid) return false;
  for (const schema::Column& c : t.columns) {
    std::string name = base::Lower(c.name);
    if (name == "rowid" || name == "_rowid_" || name == "oid") return false;
  }
  if (t.primary_key && t.primary_key->columns.size() == 1) {
    for (const schema::Column& c : t.columns) {
      if (c.name == t.primary_key->columns[0] && base::Lower(c.type) == "integer") return false;
    }
  }
  return true;
}

struct Data {
  std::vector<std::string> statements;
  std::size_t rows = 0;
};

Result<Data> ReadData(driver::Driver& d, const schema::Schema& s) {
  Data out;
  for (const schema::VirtualTable& v : s.virtual_tables) {
    STRATA_ASSIGN_OR_RETURN(std::int64_t n, d.CountRows("", v.name));
    if (n > 0) {
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("virtual table {} holds {} row(s), which a checkpoint cannot copy as rows; keep the "
                                "migrations that fill it instead of a checkpoint",
                                base::QuoteIdentifier(v.name), n));
    }
  }
  for (const schema::Table* t : InDependencyOrder(s)) {
    std::vector<std::string> columns;
    if (CopiesRowid(s, *t)) columns.push_back("rowid");
    bool always_identity = false;
    for (const schema::Column& c : t->columns) {
      if (!c.generated.empty()) continue;  // computed by the engine: it cannot be inserted
      columns.push_back(c.name);
      always_identity = always_identity || c.identity == "ALWAYS";
    }
    if (columns.empty()) continue;
    std::vector<std::string> quoted;
    for (const std::string& c : columns) quoted.push_back(base::QuoteIdentifier(c));
    const std::string head = fmt::format("INSERT INTO {} ({}){} VALUES", Qualified(s, *t), fmt::join(quoted, ", "),
                                         always_identity ? " OVERRIDING SYSTEM VALUE" : "");
    std::string statement;
    std::size_t in_statement = 0;
    auto flush = [&] {
      if (in_statement == 0) return;
      out.statements.push_back(std::move(statement));
      statement.clear();
      in_statement = 0;
    };
    STRATA_RETURN_IF_ERROR(d.ReadRowsAsSql(t->schema, t->name, columns, [&](std::string_view values) {
      statement += in_statement == 0 ? head + "\n  " : ",\n  ";
      statement += values;
      ++out.rows;
      if (++in_statement == kRowsPerInsert) flush();
      return Status::Ok();
    }));
    flush();
  }
  return out;
}

// The counters of the tables the schema describes (strata's own tables have some too).
Result<std::vector<std::string>> ReadCounters(driver::Driver& d, const schema::Schema& s) {
  std::set<std::string> tables;
  for (const schema::Table& t : s.tables) tables.insert(t.name);
  STRATA_ASSIGN_OR_RETURN(auto counters, d.CounterStateSql());
  std::vector<std::string> out;
  for (const auto& c : counters) {
    if (c.table.empty() || tables.count(c.table)) out.push_back(c.sql);
  }
  return out;
}

std::string Compose(const schema::Schema& s, const std::vector<source::Covered>& covers, const Data& data,
                    const std::vector<std::string>& counters) {
  schema::DumpParts parts = schema::DumpStatements(s);
  std::string out = source::CheckpointHeader(covers);
  auto add = [&](const std::string& statement) { out += schema::ScriptStatement(s, statement) + "\n"; };
  auto section = [&](std::string_view title) { out += fmt::format("\n-- {}\n", title); };
  // The rows arrive in foreign-key order; a cycle (or a row that refers to a later row of its own
  // table) is checked at commit instead on SQLite. MariaDB's session (ANSI_QUOTES, no foreign key
  // checks while the rows load) is set by the dump's own first statement and put back by its last.
  if (IsSqlite(s)) add("PRAGMA defer_foreign_keys = ON");
  for (const std::string& statement : parts.session_begin) add(statement);
  section("Schema");
  for (const std::string& statement : parts.before_data) {
    // The dump's session setting, kept to this transaction.
    add(statement == "SET check_function_bodies = false" ? "SET LOCAL check_function_bodies = false" : statement);
  }
  if (!data.statements.empty()) section("Rows");
  for (const std::string& statement : data.statements) add(statement);
  if (!counters.empty()) section("Counters");
  for (const std::string& statement : counters) add(statement);
  if (!parts.after_data.empty()) section("Keys, indexes, views and triggers");
  for (const std::string& statement : parts.after_data) add(statement);
  if (!parts.session_end.empty()) out += "\n";
  for (const std::string& statement : parts.session_end) add(statement);
  return out;
}

struct Fingerprints {
  std::map<std::string, driver::TableFingerprint> tables;
  std::vector<std::string> counters;
};

Result<Fingerprints> Fingerprint(driver::Driver& d, const schema::Schema& s) {
  Fingerprints out;
  for (const schema::Table& t : s.tables) {
    STRATA_ASSIGN_OR_RETURN(out.tables[Qualified(s, t)], d.Fingerprint(t.schema, t.name));
  }
  STRATA_ASSIGN_OR_RETURN(out.counters, ReadCounters(d, s));
  return out;
}

// The checkpoint loaded into a fresh scratch database must give what the migrations gave.
Status ProveExact(const std::string& text, const std::string& label, const schema::Schema& expected,
                  const Fingerprints& expected_data, const ScratchOptions& scratch) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl like, base::ParseDatabaseUrl(scratch.url));
  STRATA_ASSIGN_OR_RETURN(auto db, driver::CreateScratch(like));
  STRATA_ASSIGN_OR_RETURN(auto d, driver::OpenDriver(db->url(), core::OpenOptionsFor(scratch.options, false)));
  STRATA_RETURN_IF_ERROR(d->BeginWrite());
  Status st = d->Execute(text, {.in_transaction = true}, nullptr);
  if (st.ok()) st = d->CheckIntegrity();
  if (!st.ok()) {
    d->Rollback();
    if (st.sql_offset()) {
      std::string statement = st.location() ? st.location()->statement : std::string();
      return Status(ErrorCode::kFailedPrecondition, "the checkpoint does not load: " + st.message() +
                                                        " (nothing was written)")
          .WithLocation(base::MakeLocation(label, text, *st.sql_offset(), statement));
    }
    return std::move(st).WithPrefix("the checkpoint does not load (nothing was written): ");
  }
  STRATA_RETURN_IF_ERROR(d->Commit());
  STRATA_ASSIGN_OR_RETURN(schema::Schema loaded, d->Introspect({}));
  auto changes = schema::Diff(expected, loaded);
  if (!changes.empty()) {
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("the checkpoint would not be exact, so it was not written: loaded on its own it gives "
                              "another schema than the migrations ({} difference(s), - migrations, + checkpoint):\n{}",
                              changes.size(), schema::FormatDiff(changes)));
  }
  STRATA_ASSIGN_OR_RETURN(Fingerprints got, Fingerprint(*d, loaded));
  for (const auto& [table, want] : expected_data.tables) {
    auto it = got.tables.find(table);
    if (it == got.tables.end() || it->second.rows != want.rows || it->second.hash != want.hash) {
      std::int64_t rows = it == got.tables.end() ? 0 : it->second.rows;
      return Status(ErrorCode::kFailedPrecondition,
                    fmt::format("the checkpoint would not be exact, so it was not written: loaded from it, table {} "
                                "holds {}",
                                table, rows == want.rows ? fmt::format("{} row(s) as it should, but other values", rows)
                                                         : fmt::format("{} row(s) instead of {}", rows, want.rows)));
    }
  }
  if (got.counters != expected_data.counters) {
    return Status(ErrorCode::kFailedPrecondition,
                  "the checkpoint would not be exact, so it was not written: its sequences or AUTOINCREMENT counters "
                  "differ from the migrations'");
  }
  return Status::Ok();
}

}  // namespace

Result<CheckpointResult> WriteCheckpoint(const std::string& dir, const CheckpointOptions& options) {
  std::vector<source::Checkpoint> checkpoints;
  STRATA_ASSIGN_OR_RETURN(auto migrations, source::LoadDirectory(base::RealFileSystem(), dir, &checkpoints));
  // The version N and how the directory writes it: from the migration of that version, else from a
  // checkpoint of it (the files it stands for may be gone).
  const source::Migration* at = nullptr;
  std::uint64_t newest = 0;
  for (const source::Migration& m : migrations) newest = std::max(newest, m.version);
  for (const source::Checkpoint& c : checkpoints) newest = std::max(newest, c.migration.version);
  std::uint64_t version = options.to.value_or(newest);
  for (const source::Migration& m : migrations) {
    if (m.version == version) at = &m;
  }
  for (const source::Checkpoint& c : checkpoints) {
    if (!at && c.migration.version == version) at = &c.migration;
  }
  if (!at) {
    return Status(ErrorCode::kInvalidArgument,
                  newest == 0 ? fmt::format("{} holds no migrations to checkpoint", dir)
                              : fmt::format("no migration of {} has version {}", dir, version));
  }
  CheckpointResult result;
  result.version = version;
  const std::string name = source::CheckpointFileName(at->convention, at->version_text);
  result.path = base::JoinPath(dir, name);
  for (const source::Migration& m : migrations) {
    if (std::filesystem::path(m.up.path).filename() == name ||
        (m.down && std::filesystem::path(m.down->path).filename() == name)) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("{} is a migration, not a checkpoint: rename it before writing a checkpoint of "
                                "version {}",
                                result.path, version));
    }
  }
  std::error_code ec;
  result.replaced = std::filesystem::exists(result.path, ec);

  // Replay on a scratch database.
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl like, base::ParseDatabaseUrl(options.scratch.url));
  STRATA_ASSIGN_OR_RETURN(auto db, driver::CreateScratch(like));
  {
    auto migrator = core::NewMigrator(db->url(), Source::Directory(dir), options.scratch.options);
    UpOptions up{version};
    up.safety.force = true;  // a scratch database holds nothing worth keeping
    if (auto r = migrator->Up(up); !r.ok()) {
      Status st = r.status();
      return std::move(st).WithPrefix(fmt::format("replaying {} on a scratch database: ", dir));
    }
  }
  if (options.scratch.interrupted && options.scratch.interrupted()) {
    return Status(ErrorCode::kAborted, "interrupted; the scratch database was removed and nothing was written");
  }
  STRATA_ASSIGN_OR_RETURN(auto d, driver::OpenDriver(db->url(), core::OpenOptionsFor(options.scratch.options, false)));
  std::vector<source::Covered> covers;
  STRATA_ASSIGN_OR_RETURN(auto rows, d->ReadHistory());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  for (const driver::HistoryRow& r : rows) {
    if (r.version <= version && r.state != driver::RowState::kDirty && !r.checksum.empty()) {
      covers.push_back({r.version, r.name, r.checksum});
    }
  }
  STRATA_ASSIGN_OR_RETURN(schema::Schema schema, d->Introspect({}));
  STRATA_ASSIGN_OR_RETURN(Data data, ReadData(*d, schema));
  STRATA_ASSIGN_OR_RETURN(Fingerprints expected, Fingerprint(*d, schema));
  std::string text = Compose(schema, covers, data, expected.counters);
  d.reset();
  db.reset();

  STRATA_RETURN_IF_ERROR(ProveExact(text, result.path, schema, expected, options.scratch));
  if (options.scratch.interrupted && options.scratch.interrupted()) {
    return Status(ErrorCode::kAborted, "interrupted; the scratch database was removed and nothing was written");
  }
  STRATA_RETURN_IF_ERROR(base::RealFileSystem().ReplaceFile(result.path, text));
  if (HasSumFile(dir)) {
    STRATA_RETURN_IF_ERROR(WriteSumFile(dir).status());
    result.sum_written = true;
  }
  result.migrations = covers.size();
  result.tables = schema.tables.size();
  result.rows = data.rows;
  return result;
}

}  // namespace strata
