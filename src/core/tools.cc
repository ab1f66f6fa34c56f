// Schema tools on scratch databases: replay a migrations source or load a DDL script into a
// throwaway database and describe the result, and prove that each migration's down part undoes
// its up part.
#include <fmt/format.h>

#include "base/text.h"
#include "base/url.h"
#include "core/driver_handle.h"
#include "core/migrator_impl.h"
#include "drivers/registry.h"
#include "strata/migrator.h"

namespace strata {

namespace {

struct Scratch {
  std::unique_ptr<driver::ScratchDatabase> db;
  std::unique_ptr<Migrator> migrator;  // destroyed before the database
};

Result<Scratch> OpenScratch(const Source& source, const ScratchOptions& options) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl like, base::ParseDatabaseUrl(options.url));
  Scratch s;
  STRATA_ASSIGN_OR_RETURN(s.db, driver::CreateScratch(like));
  s.migrator = core::NewMigrator(s.db->url(), source, options.options);
  return s;
}

UpOptions ForcedUp(std::optional<std::uint64_t> target) {
  UpOptions up{target};
  up.safety.force = true;  // a scratch database holds nothing worth keeping
  return up;
}

Status StopIfInterrupted(const ScratchOptions& options) {
  if (options.interrupted && options.interrupted()) {
    return Status(ErrorCode::kAborted, "interrupted; the scratch database was removed");
  }
  return Status::Ok();
}

}  // namespace

Result<schema::Schema> ReplaySchema(const Source& source, std::optional<std::uint64_t> target,
                                    const ScratchOptions& scratch) {
  STRATA_ASSIGN_OR_RETURN(Scratch s, OpenScratch(source, scratch));
  auto up = s.migrator->Up(ForcedUp(target));
  if (!up.ok()) {
    Status st = up.status();
    return std::move(st).WithPrefix(fmt::format("replaying {} on a scratch database: ", source.label()));
  }
  STRATA_RETURN_IF_ERROR(StopIfInterrupted(scratch));
  return s.migrator->InspectSchema(false);
}

Result<schema::Schema> LoadSchemaScript(std::string_view ddl, const std::string& label, const ScratchOptions& scratch) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl like, base::ParseDatabaseUrl(scratch.url));
  STRATA_ASSIGN_OR_RETURN(auto db, driver::CreateScratch(like));
  STRATA_ASSIGN_OR_RETURN(auto d, driver::OpenDriver(db->url(), core::OpenOptionsFor(scratch.options, false)));
  STRATA_RETURN_IF_ERROR(d->BeginWrite());
  Status st = d->Execute(ddl, {.in_transaction = true}, nullptr);
  if (!st.ok()) {
    d->Rollback();
    if (!st.sql_offset()) return std::move(st).WithPrefix(label + ": ");
    std::string statement = st.location() ? st.location()->statement : std::string();
    SourceLocation loc = base::MakeLocation(label, ddl, *st.sql_offset(), statement);
    return Status(st.code(), st.message() + " (loading it into a scratch database)").WithLocation(std::move(loc));
  }
  STRATA_RETURN_IF_ERROR(d->Commit());
  return d->Introspect({});
}

Result<CheckReport> CheckReversibility(const Source& source, const ScratchOptions& scratch) {
  STRATA_ASSIGN_OR_RETURN(Scratch s, OpenScratch(source, scratch));
  Migrator& m = *s.migrator;
  STRATA_ASSIGN_OR_RETURN(StatusReport status, m.GetStatus());
  CheckReport report;
  for (const MigrationStatus& migration : status.migrations) {
    auto problem = [&](std::string message, std::vector<schema::Change> changes = {}) {
      report.problems.push_back({migration.version, migration.name, std::move(message), std::move(changes)});
    };
    STRATA_RETURN_IF_ERROR(StopIfInterrupted(scratch));
    STRATA_ASSIGN_OR_RETURN(schema::Schema before, m.InspectSchema(false));
    auto up = m.Up(ForcedUp(migration.version));
    if (!up.ok()) {
      Status st = up.status();
      return std::move(st).WithPrefix("check stopped: ");
    }
    ++report.migrations;
    if (!migration.has_down) {
      ++report.without_down;
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(schema::Schema applied, m.InspectSchema(false));
    DownOptions down{std::nullopt, 1u};
    down.safety.force = true;
    if (auto r = m.Down(down); !r.ok()) {
      problem("its down part failed: " + r.status().ToString());
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(schema::Schema reverted, m.InspectSchema(false));
    auto undone = schema::Diff(before, reverted);
    if (!undone.empty()) problem("up then down does not give back the schema it started from", undone);
    if (auto again = m.Up(ForcedUp(migration.version)); !again.ok()) {
      problem("up failed after its down part ran (the check stops here: later migrations expect this one "
              "applied): " + again.status().ToString());
      return report;
    }
    STRATA_ASSIGN_OR_RETURN(schema::Schema reapplied, m.InspectSchema(false));
    auto redone = schema::Diff(applied, reapplied);
    if (!redone.empty()) problem("up after down gives a different schema than the first up", redone);
    if (undone.empty() && redone.empty()) ++report.reversible;
  }
  return report;
}

}  // namespace strata
