// The `mariadb` fixture itself: a real server that checks passwords, a user that may create
// databases, utf8mb4 by default. The driver's tests rely on each of these.
#include <gtest/gtest.h>

#include <string>

#include "mariadb_test_util.h"

namespace strata::testing {
namespace {

TEST(MariadbFixture, ServesTheTestDatabaseAsUserStrata) {
  const std::string url = MariadbServerUrl();
  ASSERT_FALSE(url.empty());
  EXPECT_EQ(url.rfind("mariadb://strata:", 0), 0u) << "unexpected URL form";
  EXPECT_EQ(MariadbQuery(url, "SELECT DATABASE(), SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"),
            std::vector<std::string>{"strata_test|strata"});
  EXPECT_EQ(MariadbQuery(url, "SELECT @@character_set_server"), std::vector<std::string>{"utf8mb4"});
  EXPECT_FALSE(MariadbServerSocket().empty());
}

TEST(MariadbFixture, ChecksPasswords) {
  // The only accounts are strata's, with a password, and root's on the socket.
  const std::string url = MariadbServerUrl();
  ASSERT_FALSE(url.empty());
  EXPECT_EQ(MariadbQuery(url, "SELECT COUNT(*) FROM mysql.user WHERE authentication_string = '' AND "
                              "NOT (User = 'root' AND Host = 'localhost') AND User <> 'mariadb.sys'"),
            std::vector<std::string>{"0"});
  EXPECT_EQ(MariadbQuery(url, "SELECT @@skip_grant_tables"), std::vector<std::string>{"0"});
}

TEST(MariadbFixture, MakesAndDropsDatabases) {
  std::string name;
  {
    MariadbDatabase db;
    name = db.name();
    ASSERT_FALSE(db.url().empty());
    db.Query("CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10))");
    db.Query("INSERT INTO t VALUES (1, 'é'), (2, NULL)");
    EXPECT_EQ(db.Query("SELECT id, s FROM t ORDER BY id"), (std::vector<std::string>{"1|é", "2|NULL"}));
  }
  EXPECT_EQ(MariadbQuery(MariadbServerUrl(), "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '" +
                                                 name + "'"),
            std::vector<std::string>{"0"});
}

}  // namespace
}  // namespace strata::testing
