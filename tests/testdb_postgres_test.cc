// strata testdb on the real PostgreSQL server: CREATE DATABASE ... TEMPLATE from a template built
// once, concurrent processes, the printed URL without the password, drops that refuse anything but
// a test database.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <thread>

#include "pg_test_util.h"
#include "strata/testdb.h"
#include "test_util.h"

namespace strata::testing {
namespace {

std::string DatabaseExists(const std::string& name) {
  return PgQuery(PgServerUrl(), "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'").at(0);
}

class TestDbPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    // A table named after the test: every test has a set of migrations, so a template, of its own.
    std::string table = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    migrations_.Write("v001_accounts.sql", "CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL);\n"
                                           "CREATE TABLE \"" + table + "\" (x int);\n");
    migrations_.Write("v002_seed.sql", "INSERT INTO accounts (name) VALUES ('root'), ('guest');\n");
    options_.url = PgServerUrl();
  }
  void TearDown() override {
    auto removed = DropTestTemplates(options_, true);
    EXPECT_TRUE(removed.ok()) << removed.status().ToString();
  }

  Source Migrations() const { return Source::Directory(migrations_.path()); }

  TempDir migrations_;
  TestDatabaseOptions options_;
};

TEST_F(TestDbPostgres, ClonesTheTemplateAndHidesThePasswordInThePrintableUrl) {
  auto first = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->template_built);
  EXPECT_EQ(DatabaseExists(first->template_name), "1");
  EXPECT_EQ(DatabaseExists(first->template_name + "_building"), "0");
  EXPECT_EQ(PgQuery(first->url, "SELECT string_agg(name, ',' ORDER BY id) FROM accounts").at(0), "root,guest");
  EXPECT_EQ(PgQuery(first->url, "SELECT current_database()").at(0), first->name);
  // The serial's sequence came along: the next id follows the seeded rows.
  EXPECT_EQ(PgQuery(first->url, "INSERT INTO accounts (name) VALUES ('x') RETURNING id").at(0), "3");

  // The test cluster's URL has a password: the library gets it, the printable URL does not.
  EXPECT_TRUE(first->password_left_out);
  EXPECT_EQ(first->printable_url.find("@"), first->printable_url.find("postgres@") + 8) << first->printable_url;
  EXPECT_NE(first->printable_url.find("/" + first->name), std::string::npos) << first->printable_url;
  EXPECT_NE(first->url, first->printable_url);

  auto second = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->template_built);
  EXPECT_EQ(second->template_name, first->template_name);
  EXPECT_EQ(PgQuery(second->url, "SELECT count(*) FROM accounts").at(0), "2");

  auto migrator = Migrator::Open(second->url, Migrations());
  ASSERT_TRUE(migrator.ok());
  auto status = (*migrator)->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->current_version, 2u);
  EXPECT_EQ(status->pending, 0u);
}

TEST_F(TestDbPostgres, DropRemovesTestDatabasesAndRefusesAnythingElse) {
  auto created = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(DropTestDatabase(created->url).ok());
  EXPECT_EQ(DatabaseExists(created->name), "0");
  EXPECT_TRUE(DropTestDatabase(created->url).ok()) << "already gone is no error";

  PgDatabase real;
  Status st = DropTestDatabase(real.url());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << st.ToString();
  EXPECT_EQ(DatabaseExists(real.name()), "1");
  std::string server = PgServerUrl();
  std::string tpl_url = server.substr(0, server.rfind('/') + 1) + created->template_name;
  EXPECT_EQ(DropTestDatabase(tpl_url).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DatabaseExists(created->template_name), "1");
  EXPECT_EQ(st.ToString().find(server.substr(server.find(':', 12) + 1, server.find('@') - server.find(':', 12) - 1)),
            std::string::npos)
      << "the password leaked: " << st.ToString();
}

TEST_F(TestDbPostgres, AFailingMigrationLeavesNoTemplate) {
  migrations_.Write("v003_broken.sql", "CREATE TABLE fine (id int);\nCREATE TABLE broken (id nosuchtype);\n");
  auto created = CreateTestDatabase(Migrations(), options_);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kSqlError) << created.status().ToString();
  EXPECT_NE(created.status().ToString().find("v003_broken.sql:2:"), std::string::npos) << created.status().ToString();
  EXPECT_EQ(PgQuery(PgServerUrl(), "SELECT count(*) FROM pg_database WHERE datname LIKE 'strata\\_tpl\\_%'").at(0), "0");
}

// A libpq key=value string works as well as a URL: the test database's string names it with a
// dbname of its own, the printable one has no password, and drop finds the database in it.
TEST_F(TestDbPostgres, AKeyValueServerStringGivesKeyValueTestDatabases) {
  std::string server = PgServerUrl();  // postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres
  std::size_t colon = server.find(':', 12), at = server.find('@'), port = server.rfind(':');
  std::string password = server.substr(colon + 1, at - colon - 1);
  options_.url = "host=127.0.0.1 port=" + server.substr(port + 1, server.rfind('/') - port - 1) +
                 " user=postgres password='" + password + "' dbname=postgres";
  auto created = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(PgQuery(created->url, "SELECT current_database()").at(0), created->name);
  EXPECT_TRUE(created->password_left_out);
  EXPECT_EQ(created->printable_url.find(password), std::string::npos) << created->printable_url;
  EXPECT_NE(created->printable_url.find("dbname=" + created->name), std::string::npos) << created->printable_url;
  ASSERT_TRUE(DropTestDatabase(created->url).ok());
  EXPECT_EQ(DatabaseExists(created->name), "0");
}

// Six processes at once, no template yet: one builds, the others wait on the advisory lock and clone.
TEST_F(TestDbPostgres, ConcurrentProcessesBuildTheTemplateOnce) {
  constexpr int kProcesses = 6;
  std::vector<ProcessResult> results(kProcesses);
  testing::AtOnce(kProcesses, [&](int i) {
    results[i] =
        testing::Run({STRATA_BINARY, "--url", PgServerUrl(), "--dir", migrations_.path(), "--json", "testdb", "create"});
  });
  int built = 0;
  std::set<std::string> names, templates;
  for (const ProcessResult& r : results) {
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    auto j = nlohmann::json::parse(r.out);
    built += j.at("template_built").get<bool>() ? 1 : 0;
    names.insert(j.at("name").get<std::string>());
    templates.insert(j.at("template").get<std::string>());
    EXPECT_TRUE(j.at("password_left_out").get<bool>());
    std::string server = PgServerUrl();
    std::string url = server.substr(0, server.rfind('/') + 1) + j.at("name").get<std::string>();
    EXPECT_EQ(PgQuery(url, "SELECT count(*) FROM strata_schema_history").at(0), "2");
  }
  EXPECT_EQ(built, 1);
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kProcesses));
  EXPECT_EQ(templates.size(), 1u);
}

// Builders whose URLs name different databases of one server still build the template once: the
// lock is the server's, not the database's.
TEST_F(TestDbPostgres, BuildersConnectedToDifferentDatabasesBuildTheTemplateOnce) {
  PgDatabase other;
  constexpr int kProcesses = 6;
  std::vector<ProcessResult> results(kProcesses);
  testing::AtOnce(kProcesses, [&](int i) {
    std::string url = i % 2 == 0 ? PgServerUrl() : other.url();
    results[i] = testing::Run({STRATA_BINARY, "--url", url, "--dir", migrations_.path(), "--json", "testdb", "create"});
  });
  int built = 0;
  std::set<std::string> templates;
  for (const ProcessResult& r : results) {
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    auto j = nlohmann::json::parse(r.out);
    built += j.at("template_built").get<bool>() ? 1 : 0;
    templates.insert(j.at("template").get<std::string>());
    std::string server = PgServerUrl();
    std::string url = server.substr(0, server.rfind('/') + 1) + j.at("name").get<std::string>();
    EXPECT_EQ(PgQuery(url, "SELECT count(*) FROM strata_schema_history").at(0), "2");
  }
  EXPECT_EQ(built, 1);
  EXPECT_EQ(templates.size(), 1u);
}

}  // namespace
}  // namespace strata::testing
