// PostgreSQL test support: the URL of the cluster that ctest's `pg` fixture started
// (scripts/pg-test-cluster.sh), and throwaway databases inside it. PostgreSQL tests never skip:
// without the cluster they fail, so CI cannot pass with them silently turned off.
#pragma once

#include <string>
#include <vector>

namespace strata::testing {

// The superuser URL (postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres); fails the current
// test and returns "" when the cluster is not there.
std::string PgServerUrl();

// A fresh database, dropped (WITH (FORCE)) on destruction.
class PgDatabase {
 public:
  PgDatabase();
  ~PgDatabase();
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Rows of `sql` (columns joined by '|'); fails the current test on error.
  std::vector<std::string> Query(const std::string& sql) const;
  std::string QueryOne(const std::string& sql) const;
  void Exec(const std::string& sql) const;

 private:
  std::string name_, url_;
};

// Runs `sql` on `url` (any database); fails the current test on error.
std::vector<std::string> PgQuery(const std::string& url, const std::string& sql);

}  // namespace strata::testing
