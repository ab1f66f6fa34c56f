#include "mariadb_test_util.h"

#include <gtest/gtest.h>
#include <mysql.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

namespace strata::testing {

namespace {

std::string FirstLine(const char* file) {
  std::string line;
  if (file) {
    std::ifstream in(file);
    std::getline(in, line);
  }
  return line;
}

// The fixture's URLs only: mariadb://user:password@host:port/database, nothing percent-encoded.
struct Parts {
  std::string user, password, host, database;
  unsigned port = 0;
};

bool Split(const std::string& url, Parts* p) {
  const std::string scheme = "mariadb://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  std::string rest = url.substr(scheme.size());
  std::size_t at = rest.rfind('@'), slash = rest.find('/', at == std::string::npos ? 0 : at);
  if (at == std::string::npos || slash == std::string::npos) return false;
  std::string userinfo = rest.substr(0, at), hostport = rest.substr(at + 1, slash - at - 1);
  std::size_t colon = userinfo.find(':');
  p->user = userinfo.substr(0, colon);
  p->password = colon == std::string::npos ? "" : userinfo.substr(colon + 1);
  colon = hostport.rfind(':');
  p->host = hostport.substr(0, colon);
  p->port = colon == std::string::npos ? 3306 : static_cast<unsigned>(std::atoi(hostport.c_str() + colon + 1));
  p->database = rest.substr(slash + 1);
  return true;
}

std::string WithDatabase(const std::string& url, const std::string& db) {
  return url.substr(0, url.rfind('/') + 1) + db;
}

struct Closer {
  void operator()(MYSQL* m) const { mysql_close(m); }
};

}  // namespace

std::string MariadbServerUrl() {
  if (const char* env = std::getenv("STRATA_MARIADB_URL"); env && *env) return env;
  std::string url = FirstLine(std::getenv("STRATA_MARIADB_URL_FILE"));
  if (url.empty()) {
    ADD_FAILURE() << "no MariaDB test server: run through ctest (fixture `mariadb` starts one with "
                     "scripts/mariadb-test-cluster.sh) or set STRATA_MARIADB_URL";
  }
  return url;
}

std::string MariadbServerSocket() {
  if (const char* env = std::getenv("STRATA_MARIADB_URL"); env && *env) return "";
  const char* file = std::getenv("STRATA_MARIADB_URL_FILE");
  if (!file) return "";
  std::string path = file;
  return FirstLine((path.substr(0, path.rfind('/') + 1) + "socket").c_str());
}

std::string MariadbServerFile(const std::string& name) {
  const char* file = std::getenv("STRATA_MARIADB_URL_FILE");
  std::string path = file ? std::string(file) : std::string();
  path = path.substr(0, path.rfind('/') + 1) + name;
  if (file == nullptr || !std::filesystem::exists(path)) {
    ADD_FAILURE() << "no " << name << " beside STRATA_MARIADB_URL_FILE: run through ctest (fixture `mariadb`)";
    return "";
  }
  return path;
}

std::vector<std::string> MariadbQuery(const std::string& url, const std::string& sql, unsigned tolerated) {
  std::vector<std::string> rows;
  Parts p;
  if (!Split(url, &p)) {
    ADD_FAILURE() << "not a test server URL (mariadb://user:password@host:port/database)";
    return rows;
  }
  std::unique_ptr<MYSQL, Closer> m(mysql_init(nullptr));
  if (!mysql_real_connect(m.get(), p.host.c_str(), p.user.c_str(), p.password.c_str(),
                          p.database.empty() ? nullptr : p.database.c_str(), p.port, nullptr, 0)) {
    ADD_FAILURE() << "cannot connect: " << mysql_error(m.get());
    return rows;
  }
  if (mysql_real_query(m.get(), sql.data(), sql.size()) != 0) {
    if (tolerated == 0 || mysql_errno(m.get()) != tolerated) ADD_FAILURE() << mysql_error(m.get()) << " in " << sql;
    return rows;
  }
  MYSQL_RES* res = mysql_store_result(m.get());
  if (!res) return rows;
  unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    std::string line;
    for (unsigned j = 0; j < n; ++j) {
      if (j) line += '|';
      line += row[j] ? row[j] : "NULL";
    }
    rows.push_back(line);
  }
  mysql_free_result(res);
  return rows;
}

MariadbDatabase::MariadbDatabase() {
  static std::atomic<int> counter{0};
  name_ = "strata_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::string server = MariadbServerUrl();
  if (server.empty()) return;
  MariadbQuery(server, "DROP DATABASE IF EXISTS " + name_);
  MariadbQuery(server, "CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4");
  url_ = WithDatabase(server, name_);
}

MariadbDatabase::~MariadbDatabase() {
  if (url_.empty()) return;
  MariadbQuery(MariadbServerUrl(), "DROP DATABASE IF EXISTS " + name_);
}

}  // namespace strata::testing
