// Scratch databases on a PostgreSQL server: CREATE DATABASE with a random name, DROP DATABASE
// ... WITH (FORCE) when done (PostgreSQL 13+; older servers get a plain DROP DATABASE). And the
// template store of `strata testdb`: CREATE DATABASE ... TEMPLATE, an advisory lock per template.
#include <fmt/format.h>
#include <unistd.h>

#include <random>

#include "base/text.h"
#include "drivers/postgres/pg_conn.h"
#include "drivers/postgres/postgres_driver.h"

namespace strata::driver {

namespace {

class PostgresScratch : public ScratchDatabase {
 public:
  PostgresScratch(base::DatabaseUrl server, base::DatabaseUrl url, std::string name)
      : server_(std::move(server)), url_(std::move(url)), name_(std::move(name)) {}
  ~PostgresScratch() override {
    auto conn = pg::Connection::Open(server_);
    if (!conn.ok()) return;
    std::string drop = "DROP DATABASE IF EXISTS " + base::QuoteIdentifier(name_);
    if (!conn->Exec(drop + " WITH (FORCE)").ok()) (void)conn->Exec(drop);
  }
  const base::DatabaseUrl& url() const override { return url_; }

 private:
  base::DatabaseUrl server_;
  base::DatabaseUrl url_;
  std::string name_;
};

Status DropDatabase(pg::Connection& conn, const std::string& name) {
  std::string drop = "DROP DATABASE IF EXISTS " + base::QuoteIdentifier(name);
  if (conn.Exec(drop + " WITH (FORCE)").ok()) return Status::Ok();
  return conn.Exec(drop).status();
}

// A session advisory lock on a connection of its own: the server releases it when the process dies.
class TemplateLock : public RunLock {
 public:
  explicit TemplateLock(pg::Connection conn) : conn_(std::move(conn)) {}

 private:
  pg::Connection conn_;
};

class PostgresTemplates : public TemplateStore {
 public:
  PostgresTemplates(base::DatabaseUrl server, pg::Connection conn) : server_(std::move(server)), conn_(std::move(conn)) {}

  Result<std::unique_ptr<RunLock>> Lock(const std::string& name, std::chrono::milliseconds timeout) override {
    // Advisory locks belong to a database, templates to the server: every builder locks through the
    // server's `postgres` database, whichever database its URL names (its own only when it cannot
    // reach `postgres`). Never template1, which a session would keep other CREATE DATABASEs from.
    base::DatabaseUrl lock_db = server_;
    lock_db.database_override = "postgres";
    Result<pg::Connection> opened = pg::Connection::Open(lock_db);
    if (!opened.ok()) opened = pg::Connection::Open(server_);
    STRATA_ASSIGN_OR_RETURN(pg::Connection conn, std::move(opened));
    std::uint32_t h = 2166136261u;  // FNV-1a of the name: the lock's second key
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    auto locked = conn.Exec(fmt::format("SET lock_timeout = '{}ms'; SELECT pg_advisory_lock({}, {}); RESET lock_timeout",
                                        timeout.count() > 0 ? timeout.count() : 1, kLockClass,
                                        static_cast<std::int32_t>(h)));
    if (!locked.ok()) {
      if (locked.status().message().find("lock timeout") != std::string::npos ||
          locked.status().message().find("55P03") != std::string::npos) {
        return Status(ErrorCode::kAborted,
                      fmt::format("another process has been building the template {} for more than {} ms", name,
                                  timeout.count()));
      }
      return locked.status();
    }
    return std::unique_ptr<RunLock>(std::make_unique<TemplateLock>(std::move(conn)));
  }
  Result<bool> Exists(const std::string& name) override {
    STRATA_ASSIGN_OR_RETURN(auto r, conn_.ExecParams("SELECT 1 FROM pg_database WHERE datname = $1", {name}));
    return PQntuples(r.get()) > 0;
  }
  Result<base::DatabaseUrl> CreateEmpty(const std::string& name) override {
    STRATA_RETURN_IF_ERROR(DropDatabase(conn_, name));
    STRATA_RETURN_IF_ERROR(conn_.Exec("CREATE DATABASE " + base::QuoteIdentifier(name) + " TEMPLATE template0").status());
    return UrlOf(name);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return conn_.Exec("ALTER DATABASE " + base::QuoteIdentifier(from) + " RENAME TO " + base::QuoteIdentifier(to))
        .status();
  }
  Result<base::DatabaseUrl> Clone(const std::string& template_name, const std::string& name) override {
    STRATA_RETURN_IF_ERROR(
        conn_.Exec("CREATE DATABASE " + base::QuoteIdentifier(name) + " TEMPLATE " + base::QuoteIdentifier(template_name))
            .status());
    return UrlOf(name);
  }
  Status Drop(const std::string& name) override { return DropDatabase(conn_, name); }
  Result<std::vector<std::string>> List(const std::string& prefix) override {
    STRATA_ASSIGN_OR_RETURN(auto r, conn_.ExecParams("SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1 "
                                                     "ORDER BY datname COLLATE \"C\"",
                                                     {prefix}));
    std::vector<std::string> names;
    for (int i = 0; i < PQntuples(r.get()); ++i) names.emplace_back(PQgetvalue(r.get(), i, 0));
    return names;
  }

 private:
  static constexpr int kLockClass = 0x73747464;  // "sttd"

  base::DatabaseUrl UrlOf(const std::string& name) const {
    base::DatabaseUrl url = server_;
    url.database_override = name;
    return url;
  }

  base::DatabaseUrl server_;
  pg::Connection conn_;
};

}  // namespace

Result<std::unique_ptr<ScratchDatabase>> CreatePostgresScratch(const base::DatabaseUrl& server) {
  STRATA_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(server));
  std::random_device rd;
  std::string name = fmt::format("strata_scratch_{}_{:08x}", ::getpid(), static_cast<unsigned>(rd()));
  auto created = conn.Exec("CREATE DATABASE " + base::QuoteIdentifier(name) + " TEMPLATE template0");
  if (!created.ok()) {
    Status st = created.status();
    return std::move(st).WithPrefix(
        "cannot create a scratch database (strata replays migrations there; the user needs the CREATEDB "
        "privilege, or pass another server with --scratch-url): ");
  }
  base::DatabaseUrl url = server;
  url.database_override = name;
  return std::unique_ptr<ScratchDatabase>(std::make_unique<PostgresScratch>(server, std::move(url), name));
}

Result<std::unique_ptr<TemplateStore>> OpenPostgresTemplates(const base::DatabaseUrl& server) {
  STRATA_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(server));
  return std::unique_ptr<TemplateStore>(std::make_unique<PostgresTemplates>(server, std::move(conn)));
}

}  // namespace strata::driver
