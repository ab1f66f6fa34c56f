// strata testdb on the real MariaDB server: a template built once and copied object by object
// (MariaDB can neither copy nor rename a database), concurrent processes, a copy cut short never
// taken for a template, drops that refuse anything but a test database.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <thread>

#include "mariadb_test_util.h"
#include "strata/migrator.h"
#include "strata/testdb.h"
#include "test_util.h"

namespace strata::testing {
namespace {

std::string ServerQuery(const std::string& sql) { return MariadbQuery(MariadbServerUrl(), sql).at(0); }

std::string DatabaseExists(const std::string& name) {
  return ServerQuery("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '" + name + "'");
}

std::string UrlOf(const std::string& name) {
  const std::string server = MariadbServerUrl();
  return server.substr(0, server.rfind('/') + 1) + name;
}

class TestDbMariadb : public ::testing::Test {
 protected:
  void SetUp() override {
    // A table named after the test: every test has a set of migrations, so a template, of its own.
    std::string table = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    migrations_.Write("v001_accounts.sql",
                      "CREATE TABLE accounts (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL,\n"
                      "  shout VARCHAR(40) AS (UPPER(name)) VIRTUAL);\n"
                      "CREATE TABLE `" + table + "` (x INT);\n"
                      "CREATE TABLE logins (id INT AUTO_INCREMENT PRIMARY KEY, account INT NOT NULL,\n"
                      "  FOREIGN KEY (account) REFERENCES accounts (id));\n"
                      "CREATE TABLE audit (what VARCHAR(40));\n"
                      "DELIMITER ;;\n"
                      "CREATE TRIGGER accounts_audit AFTER INSERT ON accounts FOR EACH ROW BEGIN\n"
                      "  INSERT INTO audit VALUES (NEW.name);\nEND;;\n"
                      "DELIMITER ;\n"
                      "CREATE VIEW account_names AS SELECT name FROM accounts;\n");
    migrations_.Write("v002_seed.sql",
                      "INSERT INTO accounts (name) VALUES ('root'), ('guest'), ('gone');\n"
                      "INSERT INTO logins (account) VALUES (1), (2);\n"
                      "DELETE FROM accounts WHERE name = 'gone';\n");
    options_.url = MariadbServerUrl();
  }
  void TearDown() override {
    auto removed = DropTestTemplates(options_, true);
    EXPECT_TRUE(removed.ok()) << removed.status().ToString();
  }

  Source Migrations() const { return Source::Directory(migrations_.path()); }

  TempDir migrations_;
  TestDatabaseOptions options_;
};

TEST_F(TestDbMariadb, CopiesTheTemplateWithRowsCountersViewsTriggersAndHistory) {
  auto first = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->template_built);
  EXPECT_EQ(DatabaseExists(first->template_name), "1");
  EXPECT_EQ(DatabaseExists(first->template_name + "_building"), "0");
  EXPECT_EQ(MariadbQuery(first->url, "SELECT DATABASE()"), std::vector<std::string>{first->name});
  EXPECT_EQ(MariadbQuery(first->url, "SELECT id, name, shout FROM accounts ORDER BY id"),
            (std::vector<std::string>{"1|root|ROOT", "2|guest|GUEST"}));
  EXPECT_EQ(MariadbQuery(first->url, "SELECT COUNT(*) FROM logins"), std::vector<std::string>{"2"});
  // The trigger's rows came as rows: the copy did not fire it again.
  EXPECT_EQ(MariadbQuery(first->url, "SELECT COUNT(*) FROM audit"), std::vector<std::string>{"3"});
  EXPECT_EQ(MariadbQuery(first->url, "SELECT name FROM account_names ORDER BY name"),
            (std::vector<std::string>{"guest", "root"}));
  // The counter came along: the deleted row's id is not given out again.
  MariadbQuery(first->url, "INSERT INTO accounts (name) VALUES ('x')");
  EXPECT_EQ(MariadbQuery(first->url, "SELECT MAX(id) FROM accounts"), std::vector<std::string>{"4"});
  // The trigger and the foreign key work in the copy.
  EXPECT_EQ(MariadbQuery(first->url, "SELECT COUNT(*) FROM audit"), std::vector<std::string>{"4"});
  EXPECT_TRUE(MariadbQuery(first->url, "INSERT INTO logins (account) VALUES (99)", 1452).empty());

  // The password reaches the library, not the printable URL.
  EXPECT_TRUE(first->password_left_out);
  EXPECT_NE(first->url, first->printable_url);
  EXPECT_NE(first->printable_url.find("/" + first->name), std::string::npos) << first->printable_url;

  auto second = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->template_built);
  EXPECT_EQ(second->template_name, first->template_name);
  EXPECT_EQ(MariadbQuery(second->url, "SELECT COUNT(*) FROM accounts"), std::vector<std::string>{"2"});
  auto migrator = Migrator::Open(second->url, Migrations());
  ASSERT_TRUE(migrator.ok());
  auto status = (*migrator)->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->current_version, 2u);
  EXPECT_EQ(status->pending, 0u);
}

// A database of the template's name without the mark a complete copy gets last (a rename cut
// short) is not a template: it is built again.
TEST_F(TestDbMariadb, ACopyCutShortIsBuiltAgain) {
  auto first = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  MariadbQuery(MariadbServerUrl(), "ALTER DATABASE `" + first->template_name + "` COMMENT = ''");
  MariadbQuery(UrlOf(first->template_name), "DELETE FROM logins");
  MariadbQuery(UrlOf(first->template_name), "DELETE FROM accounts");
  auto second = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->template_built);
  EXPECT_EQ(MariadbQuery(second->url, "SELECT COUNT(*) FROM accounts"), std::vector<std::string>{"2"});
}

TEST_F(TestDbMariadb, DropRemovesTestDatabasesAndRefusesAnythingElse) {
  auto created = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(DropTestDatabase(created->url).ok());
  EXPECT_EQ(DatabaseExists(created->name), "0");
  EXPECT_TRUE(DropTestDatabase(created->url).ok()) << "already gone is no error";

  MariadbDatabase real;
  Status st = DropTestDatabase(real.url());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << st.ToString();
  EXPECT_EQ(DatabaseExists(real.name()), "1");
  EXPECT_EQ(DropTestDatabase(UrlOf(created->template_name)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DatabaseExists(created->template_name), "1");
  const std::string server = MariadbServerUrl();
  const std::size_t colon = server.find(':', server.find("//") + 2), at = server.rfind('@');
  EXPECT_EQ(st.ToString().find(server.substr(colon + 1, at - colon - 1)), std::string::npos)
      << "the password leaked: " << st.ToString();
}

TEST_F(TestDbMariadb, AFailingMigrationLeavesNoTemplate) {
  migrations_.Write("v003_broken.sql", "CREATE TABLE fine (id INT);\nCREATE TABLE broken (id nosuchtype);\n");
  auto created = CreateTestDatabase(Migrations(), options_);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kSqlError) << created.status().ToString();
  EXPECT_NE(created.status().ToString().find("v003_broken.sql:2:"), std::string::npos) << created.status().ToString();
  EXPECT_EQ(ServerQuery("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'strata\\_tpl\\_%'"),
            "0");
}

// Six processes at once, no template yet: one builds, the others wait on GET_LOCK and copy.
TEST_F(TestDbMariadb, ConcurrentProcessesBuildTheTemplateOnce) {
  constexpr int kProcesses = 6;
  std::vector<ProcessResult> results(kProcesses);
  testing::AtOnce(kProcesses, [&](int i) {
    results[i] = testing::Run(
        {STRATA_BINARY, "--url", MariadbServerUrl(), "--dir", migrations_.path(), "--json", "testdb", "create"});
  });
  int built = 0;
  std::set<std::string> names, templates;
  for (const ProcessResult& r : results) {
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    auto j = nlohmann::json::parse(r.out);
    built += j.at("template_built").get<bool>() ? 1 : 0;
    names.insert(j.at("name").get<std::string>());
    templates.insert(j.at("template").get<std::string>());
    EXPECT_EQ(MariadbQuery(UrlOf(j.at("name").get<std::string>()), "SELECT COUNT(*) FROM strata_schema_history"),
              std::vector<std::string>{"2"});
  }
  EXPECT_EQ(built, 1);
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kProcesses));
  EXPECT_EQ(templates.size(), 1u);
}

}  // namespace
}  // namespace strata::testing
