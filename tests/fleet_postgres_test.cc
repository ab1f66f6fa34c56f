// A schema per tenant on a real PostgreSQL server: `strata --schemas PATTERN` runs every command
// once per matching schema, each with its own history table and the schema first in search_path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pg_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

using json = nlohmann::json;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::size_t Count(const std::string& s, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

class FleetPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    // Unqualified names: they must land in each tenant's schema.
    tmp_.Write("m/v001_accounts.sql", "CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);\n");
    tmp_.Write("m/v002_seed.sql", "INSERT INTO accounts VALUES (1, current_schema());\n");
    db_.Exec("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; CREATE SCHEMA tenantx; "
             "CREATE SCHEMA other");
  }
  ProcessResult Strata(std::vector<std::string> args, const std::string& url = "") const {
    std::vector<std::string> argv = {STRATA_BINARY, "--dir", tmp_.Path("m")};
    if (!url.empty() || args.empty() || args[0] != "--targets") {
      argv.push_back("--url");
      argv.push_back(url.empty() ? db_.url() : url);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return ::strata::testing::Run(argv);
  }
  bool TableIn(const std::string& schema, const std::string& table) const {
    return db_.QueryOne("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "' AND tablename = '" + table +
                        "'") == "1";
  }

  TempDir tmp_;
  PgDatabase db_;
};

TEST_F(FleetPostgres, EachSchemaGetsItsOwnTablesAndHistory) {
  // '_' is LIKE's any-character: escape it so that tenantx is left out.
  ProcessResult r = Strata({"--schemas", "tenant\\_%", "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  for (const char* s : {"tenant_a", "tenant_b", "tenant_c"}) {
    EXPECT_TRUE(TableIn(s, "accounts")) << s;
    EXPECT_TRUE(TableIn(s, "strata_schema_history")) << s;
    EXPECT_EQ(db_.QueryOne(std::string("SELECT name FROM ") + s + ".accounts"), s) << "search_path did not start with it";
    EXPECT_EQ(db_.QueryOne(std::string("SELECT count(*) FROM ") + s + ".strata_schema_history"), "2") << s;
    EXPECT_EQ(db_.QueryOne(std::string("SELECT outcome || ' ' || to_version FROM ") + s + ".strata_schema_history_log"),
              "success 2")
        << "the tenant's run log";
    EXPECT_EQ(Count(r.out, std::string("schema ") + s + "  0 -> 2, 2 migrations"), 1u) << r.out;
  }
  for (const char* s : {"tenantx", "other", "public"}) {
    EXPECT_FALSE(TableIn(s, "accounts")) << s;
    EXPECT_FALSE(TableIn(s, "strata_schema_history")) << s;
  }

  ProcessResult status = Strata({"--schemas", "tenant%", "status", "--exit-code"});
  EXPECT_EQ(status.exit_code, 8) << "tenantx has nothing applied\n" << Describe(status);
  EXPECT_EQ(Count(status.out, "version 2 of 2, up to date"), 3u) << status.out;
  EXPECT_EQ(Count(status.out, "schema tenantx  version 0 of 2, 2 pending"), 1u) << status.out;
  EXPECT_FALSE(TableIn("tenantx", "strata_schema_history")) << "status wrote to a tenant";
}

// A migration that changes search_path changes it for itself only: the next one starts with the
// tenant's schema first again.
TEST_F(FleetPostgres, AMigrationsSearchPathDoesNotTakeTheNextOutOfTheTenantsSchema) {
  tmp_.Write("m/v003_dump.sql", "SELECT pg_catalog.set_config('search_path', '', false);\n"
                                "CREATE TABLE public.shared_note (id int);\n");
  tmp_.Write("m/v004_more.sql", "CREATE TABLE more (id int);\n");
  ProcessResult r = Strata({"--schemas", "tenant\\_a", "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(TableIn("tenant_a", "more"));
  EXPECT_FALSE(TableIn("public", "more"));
  EXPECT_EQ(db_.QueryOne("SELECT count(*) FROM tenant_a.strata_schema_history"), "4");
}

TEST_F(FleetPostgres, AFailingTenantDoesNotStopTheOthersWithContinueOnError) {
  db_.Exec("CREATE TABLE tenant_b.accounts (x int)");
  ProcessResult r = Strata({"--schemas", "tenant\\_%", "--continue-on-error", "--parallel", "3", "up"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_EQ(db_.QueryOne("SELECT count(*) FROM tenant_a.strata_schema_history"), "2");
  EXPECT_EQ(db_.QueryOne("SELECT count(*) FROM tenant_c.strata_schema_history"), "2");
  EXPECT_EQ(db_.QueryOne("SELECT count(*) FROM tenant_b.strata_schema_history"), "0") << "the failure was recorded as applied";
  EXPECT_TRUE(Contains(r.out, "v001_accounts.sql:1:1")) << r.out;
  EXPECT_TRUE(Contains(r.out, "2 ok, 1 failed, 0 not started")) << r.out;
}

TEST_F(FleetPostgres, SchemasOfEveryTargetAndJsonNamesTheSchema) {
  PgDatabase second;
  second.Exec("CREATE SCHEMA tenant_z");
  tmp_.Write("targets.txt", db_.url() + "\n" + second.url() + "\n");
  ProcessResult r = Strata({"--targets", tmp_.Path("targets.txt"), "--schemas", "tenant\\_%", "--json", "up"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::istringstream lines(r.out);
  std::string line;
  std::set<std::string> schemas;
  while (std::getline(lines, line)) {
    json j = json::parse(line);
    if (j.value("event", "") == "target_done") {
      EXPECT_EQ(j.value("outcome", ""), "succeeded") << line;
      schemas.insert(j.value("schema", ""));
    }
    if (j.value("event", "") == "fleet_done") {
      EXPECT_EQ(j.value("targets", 0), 4) << line;
    }
  }
  EXPECT_EQ(schemas, (std::set<std::string>{"tenant_a", "tenant_b", "tenant_c", "tenant_z"})) << r.out;
  EXPECT_EQ(second.QueryOne("SELECT name FROM tenant_z.accounts"), "tenant_z");
  // The password of the targets' URLs is in no output.
  std::string password = db_.url().substr(db_.url().find(':', 12) + 1);
  password = password.substr(0, password.find('@'));
  ASSERT_FALSE(password.empty());
  EXPECT_FALSE(Contains(r.out + r.err, password)) << "password shown";
}

TEST_F(FleetPostgres, NoMatchingSchemaIsAnError) {
  ProcessResult r = Strata({"--schemas", "nobody\\_%", "up"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_TRUE(Contains(r.err, "no schema matches")) << r.err;
}

}  // namespace
}  // namespace strata::testing
