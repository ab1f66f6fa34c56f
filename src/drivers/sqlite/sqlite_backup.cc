#include "drivers/sqlite/sqlite_backup.h"
#include "drivers/sqlite/sqlite_driver.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "drivers/sqlite/sqlite_lock.h"
#include "drivers/sqlite/sqlite_stmt.h"

namespace strata::driver {

namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

// Runs a whole backup from `from` to `to`, retrying while either side is busy for a while.
Status Copy(sqlite3* to, sqlite3* from, const std::string& what) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) return Status(ErrorCode::kSqlError, fmt::format("{}: {}", what, sqlite3_errmsg(to)));
  int rc;
  int busy_retries = 0;
  while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    if (rc != SQLITE_OK && ++busy_retries > 600) break;  // about a minute
    if (rc != SQLITE_OK) sqlite3_sleep(100);
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    return Status(rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? ErrorCode::kAborted : ErrorCode::kSqlError,
                  fmt::format("{}: {}", what, sqlite3_errstr(rc)));
  }
  return Status::Ok();
}

Result<DbPtr> Open(const std::string& path, int flags, const std::string& what) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: cannot open {}: {}", what, path, raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), 60'000);
  return db;
}

class SqliteScratch : public ScratchDatabase {
 public:
  SqliteScratch(std::string dir, base::DatabaseUrl url) : dir_(std::move(dir)), url_(std::move(url)) {}
  ~SqliteScratch() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const base::DatabaseUrl& url() const override { return url_; }

 private:
  std::string dir_;
  base::DatabaseUrl url_;
};

// Templates and test databases as files `<dir>/<name>.db`.
class SqliteTemplates : public TemplateStore {
 public:
  explicit SqliteTemplates(std::string dir) : dir_(std::move(dir)) {}

  Result<std::unique_ptr<RunLock>> Lock(const std::string& name, std::chrono::milliseconds timeout) override {
    return LockDatabaseFile(PathOf(name), timeout);
  }
  Result<bool> Exists(const std::string& name) override {
    struct stat st {};
    return ::stat(PathOf(name).c_str(), &st) == 0;
  }
  Result<base::DatabaseUrl> CreateEmpty(const std::string& name) override {
    STRATA_RETURN_IF_ERROR(Drop(name));
    return UrlOf(name);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (std::rename(PathOf(from).c_str(), PathOf(to).c_str()) != 0) {
      return Status(ErrorCode::kUnavailable,
                    fmt::format("cannot rename {} to {}: {}", PathOf(from), PathOf(to), std::strerror(errno)));
    }
    return Drop(from);  // what the build left beside it: its run lock file
  }
  Result<base::DatabaseUrl> Clone(const std::string& template_name, const std::string& name) override {
    std::string from = PathOf(template_name), to = PathOf(name);
    std::string what = fmt::format("cannot copy the template {} to {}", from, to);
    STRATA_ASSIGN_OR_RETURN(DbPtr in, Open(from, SQLITE_OPEN_READONLY, what));
    STRATA_ASSIGN_OR_RETURN(DbPtr out, Open(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, what));
    Status copied = Copy(out.get(), in.get(), what);
    out.reset();
    if (!copied.ok()) {
      (void)Drop(name);
      return copied;
    }
    return UrlOf(name);
  }
  Status Drop(const std::string& name) override {
    std::string path = PathOf(name);
    for (const char* suffix : {"", "-journal", "-wal", "-shm", ".strata-stat", ".strata-lock"}) {
      std::string file = path + suffix;
      if (std::remove(file.c_str()) != 0 && errno != ENOENT) {
        return Status(ErrorCode::kUnavailable, fmt::format("cannot remove {}: {}", file, std::strerror(errno)));
      }
    }
    return Status::Ok();
  }
  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      std::string file = entry.path().filename().string();
      if (file.starts_with(prefix) && file.ends_with(".db")) names.push_back(file.substr(0, file.size() - 3));
    }
    if (ec) return Status(ErrorCode::kUnavailable, fmt::format("cannot list {}: {}", dir_, ec.message()));
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string PathOf(const std::string& name) const { return dir_ + "/" + name + ".db"; }
  base::DatabaseUrl UrlOf(const std::string& name) const {
    base::DatabaseUrl url;
    url.kind = base::DatabaseUrl::Kind::kSqlite;
    url.scheme = "sqlite";
    url.path = PathOf(name);
    url.raw = "sqlite:" + url.path;
    return url;
  }

  std::string dir_;
};

}  // namespace

Status BackupSqlite(sqlite3* db, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    return Status(ErrorCode::kFailedPrecondition, fmt::format("backup file {} already exists; not overwriting it", path));
  }
  std::string what = fmt::format("cannot write the backup {}", path);
  STRATA_ASSIGN_OR_RETURN(DbPtr out, Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, what));
  Status copied = Copy(out.get(), db, what);
  out.reset();
  if (!copied.ok()) std::remove(path.c_str());
  return copied;
}

Status RestoreSqlite(sqlite3* db, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status(ErrorCode::kNotFound, fmt::format("backup file {} does not exist", path));
  }
  std::string what = fmt::format("{} is not a usable backup", path);
  STRATA_ASSIGN_OR_RETURN(DbPtr in, Open(path, SQLITE_OPEN_READONLY, what));
  std::string verdict;
  if (auto check = PrepareStmt(in.get(), "PRAGMA integrity_check", what); check.ok()) {
    while (sqlite3_step(check->get()) == SQLITE_ROW) {
      verdict += (verdict.empty() ? "" : "; ") + ColumnText(check->get(), 0);
    }
  } else {
    verdict = sqlite3_errmsg(in.get());  // the engine's words alone: `what` is added below
  }
  if (verdict != "ok") {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: PRAGMA integrity_check says: {}; the database was not changed", what,
                              verdict.empty() ? "nothing (not a database?)" : verdict));
  }
  return Copy(db, in.get(), fmt::format("cannot restore {}", path));
}

Result<std::unique_ptr<ScratchDatabase>> CreateSqliteScratch() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata-scratch-XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    return Status(ErrorCode::kUnavailable, fmt::format("cannot create a scratch directory from {}", pattern));
  }
  base::DatabaseUrl url;
  url.kind = base::DatabaseUrl::Kind::kSqlite;
  url.scheme = "sqlite";
  url.path = pattern + "/scratch.db";
  url.raw = "sqlite:" + url.path;
  return std::unique_ptr<ScratchDatabase>(std::make_unique<SqliteScratch>(pattern, std::move(url)));
}

Result<std::unique_ptr<TemplateStore>> OpenSqliteTemplates(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(ErrorCode::kUnavailable, fmt::format("cannot create the directory {}: {}", dir, ec.message()));
  return std::unique_ptr<TemplateStore>(std::make_unique<SqliteTemplates>(dir));
}

}  // namespace strata::driver
