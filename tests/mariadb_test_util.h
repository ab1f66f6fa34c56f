// MariaDB test support: the URL of the server that ctest's `mariadb` fixture started
// (scripts/mariadb-test-cluster.sh), and throwaway databases on it. MariaDB tests never skip:
// without the server they fail, so CI cannot pass with them silently turned off.
#pragma once

#include <string>
#include <vector>

namespace strata::testing {

// mariadb://strata:PASSWORD@127.0.0.1:PORT/strata_test (the user may create and drop databases);
// fails the current test and returns "" when the server is not there. STRATA_MARIADB_URL wins over
// the fixture's file (STRATA_MARIADB_URL_FILE).
std::string MariadbServerUrl();

// The unix socket of the fixture's server ("" when unknown: the server was given by
// STRATA_MARIADB_URL).
std::string MariadbServerSocket();

// A file the fixture wrote beside the URL (tls-ca.pem: the CA that signed the server's certificate
// for 127.0.0.1; tls-other-ca.pem: a CA that signed nothing; tls-client.pem and tls-client-key.pem:
// the certificate the user strata_x509 must show). Fails the current test and returns ""
// when there is none (the server was given by STRATA_MARIADB_URL).
std::string MariadbServerFile(const std::string& name);

// Runs `sql` (one statement) on the database `url` names, connecting with the connector directly
// (not through strata): rows with their columns joined by '|', NULL as "NULL". Fails the current
// test on any error other than the server error number `tolerated` (0: none), which returns no rows.
std::vector<std::string> MariadbQuery(const std::string& url, const std::string& sql, unsigned tolerated = 0);

// A fresh database on the fixture's server, dropped on destruction.
class MariadbDatabase {
 public:
  MariadbDatabase();
  ~MariadbDatabase();
  MariadbDatabase(const MariadbDatabase&) = delete;
  MariadbDatabase& operator=(const MariadbDatabase&) = delete;
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  std::vector<std::string> Query(const std::string& sql, unsigned tolerated = 0) const {
    return MariadbQuery(url_, sql, tolerated);
  }

 private:
  std::string name_, url_;
};

}  // namespace strata::testing
