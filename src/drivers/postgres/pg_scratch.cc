// Scratch databases on a PostgreSQL server: CREATE DATABASE with a random name, DROP DATABASE
// ... WITH (FORCE) when done (PostgreSQL 13+; older servers get a plain DROP DATABASE).
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

}  // namespace strata::driver
