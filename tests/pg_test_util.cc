#include "pg_test_util.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

namespace strata::testing {

std::string PgServerUrl() {
  if (const char* env = std::getenv("STRATA_PG_URL"); env && *env) return env;
  const char* file = std::getenv("STRATA_PG_URL_FILE");
  std::string url;
  if (file) {
    std::ifstream in(file);
    std::getline(in, url);
  }
  if (url.empty()) {
    ADD_FAILURE() << "no PostgreSQL test cluster: run through ctest (fixture `pg` starts one with "
                     "scripts/pg-test-cluster.sh) or set STRATA_PG_URL";
  }
  return url;
}

std::vector<std::string> PgQuery(const std::string& url, const std::string& sql) {
  std::vector<std::string> rows;
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect: " << PQerrorMessage(c);
    PQfinish(c);
    return rows;
  }
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
    ADD_FAILURE() << PQerrorMessage(c) << " in " << sql;
  } else {
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string row;
      for (int j = 0; j < PQnfields(r); ++j) {
        if (j) row += '|';
        row += PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j);
      }
      rows.push_back(row);
    }
  }
  PQclear(r);
  PQfinish(c);
  return rows;
}

namespace {
std::string WithDatabase(const std::string& url, const std::string& db) {
  std::size_t slash = url.rfind('/');
  return url.substr(0, slash + 1) + db;
}
}  // namespace

PgDatabase::PgDatabase() {
  static std::atomic<int> counter{0};
  name_ = "strata_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::string server = PgServerUrl();
  if (server.empty()) return;
  PgQuery(server, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  PgQuery(server, "CREATE DATABASE " + name_);
  url_ = WithDatabase(server, name_);
}

PgDatabase::~PgDatabase() {
  if (url_.empty()) return;
  PgQuery(PgServerUrl(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

std::vector<std::string> PgDatabase::Query(const std::string& sql) const { return PgQuery(url_, sql); }

std::string PgDatabase::QueryOne(const std::string& sql) const {
  auto rows = Query(sql);
  if (rows.size() != 1) {
    ADD_FAILURE() << "expected one row from " << sql << ", got " << rows.size();
    return "";
  }
  return rows[0];
}

void PgDatabase::Exec(const std::string& sql) const { Query(sql); }

}  // namespace strata::testing
