// strata testdb: fresh, fully migrated databases cloned from a template per set of migrations.
// The engine decides the names, the fingerprint and when to build; the driver's TemplateStore
// creates, renames, copies and drops.
#include "strata/testdb.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "base/sha256.h"
#include "base/url.h"
#include "core/migrator_impl.h"
#include "core/run_context.h"
#include "drivers/registry.h"

namespace strata {

namespace {

constexpr std::string_view kTemplatePrefix = "strata_tpl_";
constexpr std::string_view kTestPrefix = "strata_test_";

std::string DirOf(const TestDatabaseOptions& options) {
  if (!options.dir.empty()) return options.dir;
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/strata-testdb";
}

// What makes two templates interchangeable: the migrations that ran, the options that shape the
// result, and the strata that ran them (the history table's layout).
Result<std::string> Fingerprint(const Source& source, const base::DatabaseUrl& where, const Options& options) {
  core::Checkpoints checkpoints;
  STRATA_ASSIGN_OR_RETURN(auto migrations, core::LoadMigrations(source, base::RealFileSystem(), &checkpoints));
  base::Sha256 h;
  h.Update(fmt::format("strata testdb 1\n{}\n{}\n{}\n{}\n{}\n", kVersion,
                       where.kind == base::DatabaseUrl::Kind::kSqlite     ? "sqlite"
                       : where.kind == base::DatabaseUrl::Kind::kPostgres ? "postgres"
                                                                          : "mariadb",
                       options.history_table,
                       options.schema, options.foreign_keys ? 1 : 0));
  for (const source::Migration& m : *migrations) h.Update(fmt::format("m {} {} {}\n", m.version, m.name, m.checksum));
  if (checkpoints) {
    for (const source::Checkpoint& c : *checkpoints) {
      h.Update(fmt::format("c {} {} {}\n", c.migration.version, c.migration.checksum, c.stale.empty() ? 0 : 1));
    }
  }
  return h.HexDigest();
}

std::string NewInstanceName(const std::string& fingerprint) {
  std::random_device rd;
  return fmt::format("{}{}_{}_{:08x}", kTestPrefix, fingerprint.substr(0, 8), ::getpid(), static_cast<unsigned>(rd()));
}

// The URL a caller opens: the store's, with the password it was given unless `keep_password` is false.
std::string UrlText(const base::DatabaseUrl& url, bool keep_password) {
  if (url.kind == base::DatabaseUrl::Kind::kSqlite) return "sqlite:" + url.path;
  return base::UrlWithDatabase(url, url.database_override, keep_password);
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// Builds template `name` unless it exists; returns whether this call built it.
Result<bool> EnsureTemplate(driver::TemplateStore& store, const std::string& name, const Source& source,
                            const TestDatabaseOptions& options) {
  STRATA_ASSIGN_OR_RETURN(bool exists, store.Exists(name));
  if (exists) return false;  // complete: a template only gets its name once it is migrated
  STRATA_ASSIGN_OR_RETURN(auto lock, store.Lock(name, options.options.lock_timeout));
  STRATA_ASSIGN_OR_RETURN(exists, store.Exists(name));  // built while this call waited
  if (exists) return false;
  const std::string building = name + "_building";
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl url, store.CreateEmpty(building));
  Options migrate = options.options;
  migrate.stat_cache = false;
  Status applied = [&]() -> Status {
    auto migrator = core::NewMigrator(url, source, migrate);
    UpOptions up;
    up.safety.force = true;  // a new database holds nothing to protect
    return migrator->Up(up).status();
  }();
  if (!applied.ok()) {
    (void)store.Drop(building);
    return std::move(applied).WithPrefix(fmt::format("building the test template {}: ", name));
  }
  STRATA_RETURN_IF_ERROR(store.Rename(building, name));
  return true;
}

// The store that holds the database `url` names, and that database's name.
Result<std::pair<std::unique_ptr<driver::TemplateStore>, std::string>> StoreOf(const base::DatabaseUrl& url) {
  if (url.kind == base::DatabaseUrl::Kind::kSqlite) {
    std::filesystem::path path(url.path);
    std::string file = path.filename().string();
    if (!file.ends_with(".db")) {
      return Status(ErrorCode::kInvalidArgument, fmt::format("{} is not a strata test database (no .db)", url.path));
    }
    std::string dir = path.parent_path().empty() ? "." : path.parent_path().string();
    STRATA_ASSIGN_OR_RETURN(auto store, driver::OpenTemplateStore(url, dir));
    return std::make_pair(std::move(store), file.substr(0, file.size() - 3));
  }
  std::string name = url.database_override.empty() ? url.database : url.database_override;
  if (!url.conninfo.empty() && name.empty()) {
    // A key=value string as CreateTestDatabase gives it: the database is the last dbname.
    std::size_t at = url.conninfo.rfind("dbname=");
    if (at != std::string::npos) {
      name = url.conninfo.substr(at + 7);
      name = name.substr(0, name.find(' '));
    }
  }
  base::DatabaseUrl admin = url;
  if (url.kind == base::DatabaseUrl::Kind::kMariadb) {
    // Every account may connect to information_schema, and it is never dropped.
    admin.database_override = "information_schema";
    STRATA_ASSIGN_OR_RETURN(auto store, driver::OpenTemplateStore(admin, ""));
    return std::make_pair(std::move(store), name);
  }
  // Never connected to the database it drops: the server's "postgres" database, else template1.
  admin.database_override = "postgres";
  auto store = driver::OpenTemplateStore(admin, "");
  if (!store.ok() && store.status().code() != ErrorCode::kUnauthenticated) {
    admin.database_override = "template1";
    store = driver::OpenTemplateStore(admin, "");
  }
  if (!store.ok()) return store.status();
  return std::make_pair(std::move(*store), name);
}

}  // namespace

Result<CreatedTestDatabase> CreateTestDatabase(const Source& source, const TestDatabaseOptions& options) {
  auto start = std::chrono::steady_clock::now();
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl where, base::ParseDatabaseUrl(options.url));
  STRATA_ASSIGN_OR_RETURN(std::string fingerprint, Fingerprint(source, where, options.options));
  STRATA_ASSIGN_OR_RETURN(auto store, driver::OpenTemplateStore(where, DirOf(options)));
  CreatedTestDatabase created;
  created.template_name = std::string(kTemplatePrefix) + fingerprint.substr(0, 16);
  STRATA_ASSIGN_OR_RETURN(created.template_built, EnsureTemplate(*store, created.template_name, source, options));
  created.name = NewInstanceName(fingerprint);
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl url, store->Clone(created.template_name, created.name));
  created.url = UrlText(url, true);
  created.printable_url = UrlText(url, false);
  created.password_left_out = created.url != created.printable_url;
  created.ms = MsSince(start);
  return created;
}

Status DropTestDatabase(std::string_view url_text) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl url, base::ParseDatabaseUrl(url_text));
  STRATA_ASSIGN_OR_RETURN(auto found, StoreOf(url));
  auto& [store, name] = found;
  if (!name.starts_with(kTestPrefix)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("refusing to drop {}: strata drops only the test databases it made (named {}...)",
                              url.Redacted(), kTestPrefix));
  }
  return store->Drop(name);
}

Result<std::size_t> DropTestTemplates(const TestDatabaseOptions& options, bool instances) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl where, base::ParseDatabaseUrl(options.url));
  STRATA_ASSIGN_OR_RETURN(auto store, driver::OpenTemplateStore(where, DirOf(options)));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, store->List(std::string(kTemplatePrefix)));
  if (instances) {
    STRATA_ASSIGN_OR_RETURN(std::vector<std::string> tests, store->List(std::string(kTestPrefix)));
    names.insert(names.end(), tests.begin(), tests.end());
  }
  for (const std::string& name : names) STRATA_RETURN_IF_ERROR(store->Drop(name));
  return names.size();
}

Result<TestDatabase> TestDatabase::Create(const Source& source, const TestDatabaseOptions& options) {
  STRATA_ASSIGN_OR_RETURN(CreatedTestDatabase created, CreateTestDatabase(source, options));
  return TestDatabase(std::move(created));
}

TestDatabase::TestDatabase(TestDatabase&& other) noexcept
    : created_(std::move(other.created_)), keep_(other.keep_) {
  other.created_.url.clear();
}

TestDatabase& TestDatabase::operator=(TestDatabase&& other) noexcept {
  if (this != &other) {
    (void)Drop();
    created_ = std::move(other.created_);
    keep_ = other.keep_;
    other.created_.url.clear();
  }
  return *this;
}

TestDatabase::~TestDatabase() { (void)Drop(); }

Status TestDatabase::Drop() {
  if (keep_ || created_.url.empty()) return Status::Ok();
  Status st = DropTestDatabase(created_.url);
  if (st.ok()) keep_ = true;  // gone: nothing left for the destructor
  return st;
}

}  // namespace strata
