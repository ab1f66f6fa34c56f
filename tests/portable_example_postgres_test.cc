// examples/portable (seed 000 written the PostgreSQL way: CREATE TABLE, then ALTER TABLE ... ADD
// CONSTRAINT) applied unchanged by the strata binary on SQLite and on a real PostgreSQL server;
// both results have the same tables, keys and indexes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "pg_test_util.h"
#include "test_util.h"

namespace strata::testing {
namespace {

using Json = nlohmann::json;

const std::string kExample = std::string(STRATA_SOURCE_DIR) + "/examples/portable";

Json Dump(const std::string& url) {
  ProcessResult r = testing::Run({STRATA_BINARY, "--json", "schema", "dump", "--url", url});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  return r.exit_code == 0 ? Json::parse(r.out) : Json::object();
}

// What both engines must agree on, one line per fact, without engine-specific spellings (types,
// schema names, the primary key's generated name, defaults).
std::set<std::string> Facts(const Json& schema) {
  std::set<std::string> out;
  auto list = [](const Json& a) {
    std::string s;
    for (const Json& x : a) s += (s.empty() ? "" : ",") + x.get<std::string>();
    return s;
  };
  for (const Json& t : schema["tables"]) {
    std::string name = t["name"];
    if (name.rfind("strata_", 0) == 0) continue;
    std::string columns;
    for (const Json& c : t["columns"]) columns += (columns.empty() ? "" : ",") + c["name"].get<std::string>();
    out.insert("table " + name + " (" + columns + ")");
    if (t.contains("primary_key") && t["primary_key"].is_object()) {
      out.insert("primary key " + name + " (" + list(t["primary_key"]["columns"]) + ")");
    }
    for (const Json& u : t["uniques"]) {
      std::string uname = u["name"];
      if (uname.find("_key") != std::string::npos && uname != "uk_execution_variable_name") uname = "";  // generated
      out.insert("unique " + name + " " + uname + " (" + list(u["columns"]) + ")");
    }
    for (const Json& f : t["foreign_keys"]) {
      out.insert("foreign key " + name + " " + f["name"].get<std::string>() + " (" + list(f["columns"]) + ") -> " +
                 f["ref_table"].get<std::string>() + " (" + list(f["ref_columns"]) + ") on delete " +
                 f["on_delete"].get<std::string>());
    }
  }
  for (const Json& i : schema["indexes"]) {
    // SQLite's dump spells a key that is a plain column as a quoted name.
    std::string keys = list(i["keys"]);
    std::erase(keys, '"');
    out.insert("index " + i["name"].get<std::string>() + " on " + i["table"].get<std::string>() + " (" + keys + ")" + (i["unique"].get<bool>() ? " unique" : "") + " where " +
               i["where"].get<std::string>());
  }
  return out;
}

// The example applied by the strata binary on each URL.
void UpOnBoth(const std::string& sqlite, const std::string& postgres) {
  for (const std::string& url : {sqlite, postgres}) {
    ProcessResult r = testing::Run({STRATA_BINARY, "--url", url, "--dir", kExample, "up"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }
}

TEST(PortableExample, SameTablesKeysAndIndexesOnSqliteAndPostgres) {
  TempDir dir;
  const std::string sqlite = "sqlite:" + dir.Path("app.db");
  PgDatabase pg;
  ASSERT_NO_FATAL_FAILURE(UpOnBoth(sqlite, pg.url()));
  std::set<std::string> on_sqlite = Facts(Dump(sqlite));
  std::set<std::string> on_postgres = Facts(Dump(pg.url()));
  EXPECT_EQ(on_sqlite, on_postgres);
  // The constraints the ALTER TABLE statements add are there (not only equal on both sides).
  EXPECT_TRUE(on_sqlite.count("foreign key execution_variables fk_execution_variables_execution_id (execution_id) -> "
                              "execution_history (execution_id) on delete CASCADE"))
      << ::testing::PrintToString(on_sqlite);
  EXPECT_TRUE(on_sqlite.count("unique execution_variables uk_execution_variable_name (execution_id,variable_name)"))
      << ::testing::PrintToString(on_sqlite);
  EXPECT_EQ(on_sqlite.size(), 16u) << ::testing::PrintToString(on_sqlite);
}

// strata schema diff itself compares the two engines' results by what means the same on both.
TEST(PortableExample, SchemaDiffOfTheTwoEnginesShowsTheSameStructure) {
  TempDir dir;
  const std::string sqlite = "sqlite:" + dir.Path("app.db");
  PgDatabase pg;
  ASSERT_NO_FATAL_FAILURE(UpOnBoth(sqlite, pg.url()));
  ProcessResult same = testing::Run({STRATA_BINARY, "schema", "diff", sqlite, pg.url()});
  EXPECT_EQ(same.exit_code, 0) << Describe(same);
  EXPECT_EQ(same.out, "same structure: tables, columns, keys and indexes (sqlite and postgres: types, defaults, "
                      "checks, views and triggers are each engine's own and not compared)\n");
  // A key missing on one side is a difference (exit 13), named.
  pg.Exec("ALTER TABLE execution_variables DROP CONSTRAINT fk_execution_variables_execution_id");
  ProcessResult differ = testing::Run({STRATA_BINARY, "schema", "diff", sqlite, pg.url()});
  EXPECT_EQ(differ.exit_code, 13) << Describe(differ);
  EXPECT_NE(differ.out.find("- foreign key \"execution_variables\" (\"execution_id\"): FOREIGN KEY (\"execution_id\") "
                            "REFERENCES \"execution_history\" (\"execution_id\") ON DELETE CASCADE"),
            std::string::npos)
      << differ.out;
}

// Data in the parent when the rebuilt children get their keys: nothing is lost or cascaded, and
// the new keys hold afterwards on both engines (a delete cascades to the variables).
TEST(PortableExample, TheKeysWorkOnBothEnginesAfterTheRebuild) {
  TempDir dir;
  const std::string db = dir.Path("app.db");
  PgDatabase pg;
  ASSERT_NO_FATAL_FAILURE(UpOnBoth("sqlite:" + db, pg.url()));
  const std::string rows =
      "INSERT INTO execution_history (id, execution_id) VALUES (1, 'e1'), (2, 'e2');"
      "INSERT INTO execution_variables (id, execution_id, variable_name, data_type, source_step_index) VALUES "
      "(1, 'e1', 'a', 'string', 0), (2, 'e2', 'a', 'string', 0);"
      "DELETE FROM execution_history WHERE execution_id = 'e1';";
  Exec(db, "PRAGMA foreign_keys = ON;" + rows);
  pg.Exec(rows);
  EXPECT_EQ(QueryOne(db, "SELECT group_concat(execution_id) FROM execution_variables"), "e2");
  EXPECT_EQ(pg.QueryOne("SELECT string_agg(execution_id, ',') FROM execution_variables"), "e2");
}

}  // namespace
}  // namespace strata::testing
