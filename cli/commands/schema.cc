// strata schema dump|diff|graph, drift, check, restore, and the schema part of verify: the
// commands that look at what the database is rather than at its history.
#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include "../cli.h"
#include "../interrupt.h"
#include "../json_output.h"
#include "../output.h"

namespace strata::cli {

namespace {

// A database on a server (PostgreSQL, MariaDB), where a scratch database can be created beside it;
// a malformed (or absent) URL is none.
bool IsServerUrl(const std::string& url) {
  auto engine = EngineOf(url);
  return engine.ok() && *engine != Engine::kSqlite;
}

enum class PathKind { kNone, kFile, kDirectory };

PathKind KindOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return PathKind::kNone;
  return S_ISDIR(st.st_mode) ? PathKind::kDirectory : PathKind::kFile;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, fmt::format("cannot read {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Where migrations and dumps are replayed: --scratch-url, else the PostgreSQL or MariaDB server
// of --url, else a temporary SQLite file.
// The dialect a dump file names in its header ("postgres", "mariadb"); empty for any other text.
std::string DumpDialect(const std::string& text) {
  for (const char* dialect : {"postgres", "mariadb"}) {
    if (text.rfind(fmt::format("-- strata schema dump ({})", dialect), 0) == 0) return dialect;
  }
  return std::string();
}

// "postgres" or "mariadb" for a URL of that server; empty otherwise.
std::string ServerDialect(const std::string& url) {
  auto engine = EngineOf(url);
  return engine.ok() && *engine != Engine::kSqlite ? std::string(EngineName(*engine)) : std::string();
}

// A database URL, a schema dump (or any DDL script) or a migrations directory.
Result<schema::Schema> LoadInput(const Invocation& inv, const std::string& spec, const std::string& server_hint) {
  switch (KindOf(spec)) {
    case PathKind::kDirectory: {
      STRATA_ASSIGN_OR_RETURN(ScratchOptions scratch, Scratch(inv, server_hint));
      return ReplaySchema(Source::Directory(spec), std::nullopt, scratch);
    }
    case PathKind::kFile: {
      STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(spec));
      const std::string dump = DumpDialect(text);
      STRATA_ASSIGN_OR_RETURN(ScratchOptions scratch, Scratch(inv, dump.empty() ? server_hint : dump));
      return LoadSchemaScript(text, spec, scratch);
    }
    case PathKind::kNone:
      break;
  }
  // A read-only open of a missing SQLite file reads as an empty database: say it is missing instead.
  if (auto path = SqlitePathOf(spec); path.ok() && *path != ":memory:" && KindOf(*path) == PathKind::kNone) {
    return Status(ErrorCode::kNotFound, fmt::format("SQLite database {} does not exist", *path));
  }
  if (spec.find(':') == std::string::npos && spec.find('=') == std::string::npos) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("{} is neither a file, a directory nor a database URL", spec));
  }
  STRATA_ASSIGN_OR_RETURN(auto migrator, Migrator::Open(spec, Source::Embedded({}), inv.options));
  return migrator->InspectSchema(inv.include_strata_tables);
}

int Write(const Invocation& inv, const std::string& text) {
  if (inv.out_file.empty()) {
    fmt::print("{}", text);
    return kExitOk;
  }
  std::ofstream out(inv.out_file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return ReportError(inv, Status(ErrorCode::kInvalidArgument, "cannot write " + inv.out_file));
  return kExitOk;
}

int PrintChanges(const Invocation& inv, const std::vector<schema::Change>& changes, const std::string& same,
                 const std::string& differ) {
  if (inv.json) {
    fmt::print("{}\n", JsonChanges(changes));
  } else if (changes.empty()) {
    fmt::print("{}\n", same);
  } else {
    fmt::print("{} ({} difference{}):\n{}", differ, changes.size(), changes.size() == 1 ? "" : "s",
               schema::FormatDiff(changes));
  }
  return changes.empty() ? kExitOk : kExitDiffers;
}

}  // namespace

Result<ScratchOptions> Scratch(const Invocation& inv, const std::string& needs_server) {
  ScratchOptions s;
  s.options = inv.options;
  s.interrupted = InterruptRequested;
  if (!inv.scratch_url.empty()) {
    s.url = inv.scratch_url;
  } else if (IsServerUrl(inv.url)) {
    s.url = inv.url;
  } else if (!needs_server.empty()) {
    const char* engine = needs_server == "postgres" ? "PostgreSQL" : "MariaDB";
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("a {0} schema must be replayed on a {0} server: pass --scratch-url {1}://... "
                              "(strata creates and drops a temporary database there)",
                              engine, needs_server));
  }
  return s;
}


int RunSchema(const Invocation& inv) {
  InterruptGuard guard;
  const std::size_t want = inv.schema_action == "diff" ? 2 : 1;
  if (inv.inputs.size() > want || (inv.schema_action == "diff" && inv.inputs.size() != 2)) {
    return ReportError(inv, Status(ErrorCode::kInvalidArgument,
                                   inv.schema_action == "diff"
                                       ? "schema diff needs two inputs: A B (database URL, dump file or directory)"
                                       : fmt::format("schema {} takes at most one input (default: --url)",
                                                     inv.schema_action)));
  }
  std::string server = ServerDialect(inv.url);
  std::vector<schema::Schema> schemas;
  if (inv.inputs.empty()) {
    auto migrator = OpenMigrator(inv);
    if (!migrator.ok()) return ReportError(inv, migrator.status());
    auto live = (*migrator)->InspectSchema(inv.include_strata_tables);
    if (!live.ok()) return ReportError(inv, live.status());
    schemas.push_back(std::move(*live));
  }
  for (const std::string& spec : inv.inputs) {
    if (server.empty()) server = ServerDialect(spec);
  }
  for (const std::string& spec : inv.inputs) {
    auto loaded = LoadInput(inv, spec, server);
    if (!loaded.ok()) return ReportUnlessInterrupted(inv, loaded.status());
    schemas.push_back(std::move(*loaded));
  }
  if (inv.schema_action == "dump") {
    return Write(inv, inv.json ? JsonSchema(schemas[0]) + "\n" : schema::Dump(schemas[0]));
  }
  if (inv.schema_action == "graph") {
    auto format = inv.graph_format == "dot" ? schema::GraphFormat::kDot : schema::GraphFormat::kMermaid;
    return Write(inv, schema::Graph(schemas[0], format));
  }
  if (schemas[0].dialect != schemas[1].dialect) {
    // Two engines: only what means the same on both (schema::Structure) can be compared.
    return PrintChanges(
        inv, schema::Diff(schema::Structure(schemas[0]), schema::Structure(schemas[1])),
        fmt::format("same structure: tables, columns, keys and indexes ({} and {}: types, defaults, checks, views "
                    "and triggers are each engine's own and not compared)",
                    schemas[0].dialect, schemas[1].dialect),
        fmt::format("{} -> {}, tables, columns, keys and indexes only ({} and {})", RedactSecrets(inv.inputs[0]),
                    RedactSecrets(inv.inputs[1]), schemas[0].dialect, schemas[1].dialect));
  }
  return PrintChanges(inv, schema::Diff(schemas[0], schemas[1]), "same schema",
                      fmt::format("{} -> {}", RedactSecrets(inv.inputs[0]), RedactSecrets(inv.inputs[1])));
}

int RunDrift(const Invocation& inv) {
  InterruptGuard guard;
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  auto status = (*migrator)->GetStatus();
  if (!status.ok()) return ReportError(inv, status.status());
  for (const MigrationStatus& m : status->migrations) {
    if (m.state == MigrationState::kOutOfOrder) {
      return ReportError(inv, Status(ErrorCode::kFailedPrecondition,
                                     fmt::format("drift replays the migrations up to the database's version {}, but "
                                                 "{} ({}) below it is not applied: apply it first (up "
                                                 "--allow-out-of-order), or the comparison would be wrong",
                                                 status->current_version, m.version, m.file)));
    }
  }
  auto live = (*migrator)->InspectSchema(false);
  if (!live.ok()) return ReportError(inv, live.status());
  auto scratch = Scratch(inv, live->dialect == "sqlite" ? std::string() : live->dialect);
  if (!scratch.ok()) return ReportError(inv, scratch.status());
  auto replayed = ReplaySchema(Source::Directory(inv.dir), status->current_version, *scratch);
  if (!replayed.ok()) return ReportUnlessInterrupted(inv, replayed.status());
  return PrintChanges(
      inv, schema::Diff(*replayed, *live),
      fmt::format("no drift: the database matches {} replayed to version {}", inv.dir, status->current_version),
      fmt::format("drift: the database differs from {} replayed to version {} (- only in the migrations, + only "
                  "in the database)",
                  inv.dir, status->current_version));
}

int RunCheck(const Invocation& inv) {
  InterruptGuard guard;
  auto scratch = Scratch(inv, std::string());
  if (!scratch.ok()) return ReportError(inv, scratch.status());
  auto report = CheckReversibility(Source::Directory(inv.dir), *scratch);
  if (!report.ok()) return ReportUnlessInterrupted(inv, report.status());
  const CheckReport& r = *report;
  if (inv.json) {
    fmt::print("{}\n", JsonCheck(r));
  } else {
    for (const ReversibilityProblem& p : r.problems) {
      fmt::print("FAIL {} {}: {}\n", p.version, p.name, p.message);
      if (!p.changes.empty()) fmt::print("{}", schema::FormatDiff(p.changes));
    }
    std::set<std::uint64_t> failed;
    for (const ReversibilityProblem& p : r.problems) failed.insert(p.version);
    fmt::print("{}: {} migration{} replayed, {} reversible, {} without a down part, {} not reversible\n",
               r.ok() ? "ok" : "check failed", r.migrations, r.migrations == 1 ? "" : "s", r.reversible,
               r.without_down, failed.size());
  }
  return r.ok() ? kExitOk : kExitDiffers;
}

int RunRestore(const Invocation& inv) {
  auto migrator = OpenMigrator(inv);
  if (!migrator.ok()) return ReportError(inv, migrator.status());
  std::string url = (*migrator)->RedactedUrl();
  (*migrator)->SetEventCallback([&](const Event& e) { PrintEvent(inv, url, e); });
  auto report = (*migrator)->Restore(inv.restore_file);
  if (!report.ok()) return ReportError(inv, report.status());
  if (inv.json) {
    fmt::print("{}\n", JsonRunDone(*report, Direction::kDown));
  } else {
    fmt::print("restored {} into {}: version {} -> {}\n", inv.restore_file, (*migrator)->RedactedUrl(),
               report->from_version, report->to_version);
  }
  return kExitOk;
}

// verify --schema FILE: every object of FILE must exist in the database.
Result<std::vector<std::string>> SchemaProblems(const Invocation& inv, Migrator& migrator) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(inv.schema_file));
  STRATA_ASSIGN_OR_RETURN(schema::Schema live, migrator.InspectSchema(false));
  if (!schema::LooksLikeDdl(text)) {
    STRATA_ASSIGN_OR_RETURN(std::vector<schema::Expected> expected, schema::ParseExpected(text, inv.schema_file));
    return schema::CheckExpected(expected, live);
  }
  const std::string server = live.dialect == "sqlite" ? std::string() : live.dialect;
  STRATA_ASSIGN_OR_RETURN(ScratchOptions scratch, Scratch(inv, server));
  STRATA_ASSIGN_OR_RETURN(schema::Schema expected, LoadSchemaScript(text, inv.schema_file, scratch));
  std::vector<std::string> out;
  for (const schema::Change& c : schema::Missing(expected, live)) {
    out.push_back(c.kind == schema::Change::Kind::kRemoved ? "missing: " + c.object
                                                            : fmt::format("different: {}: expected {}, found {}",
                                                                          c.object, c.before, c.after));
  }
  return out;
}

}  // namespace strata::cli
