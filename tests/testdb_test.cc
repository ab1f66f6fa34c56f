// strata testdb on SQLite, through the public API and the CLI: a template built once per set of
// migrations and cloned per test, a new template when a migration changes, concurrent creation,
// drops that touch nothing but test databases, and the RAII type.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <thread>

#include "strata/testdb.h"
#include "test_util.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

std::string PathOf(const std::string& url) { return url.substr(std::string("sqlite:").size()); }

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class TestDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    migrations_.Write("v001_accounts.sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n");
    migrations_.Write("v002_seed.sql", "INSERT INTO accounts (name) VALUES ('root'), ('guest');\n");
    migrations_.Write("v003_orders.sql",
                      "CREATE TABLE orders (id INTEGER PRIMARY KEY, account INTEGER REFERENCES accounts (id));\n"
                      "CREATE INDEX orders_account ON orders (account);\n");
    options_.dir = store_.path();
  }

  Source Migrations() const { return Source::Directory(migrations_.path()); }

  TempDir migrations_, store_;
  TestDatabaseOptions options_;
};

TEST_F(TestDbTest, BuildsTheTemplateOnceThenClonesIt) {
  auto first = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->template_built);
  EXPECT_TRUE(first->template_name.starts_with("strata_tpl_")) << first->template_name;
  EXPECT_TRUE(first->name.starts_with("strata_test_")) << first->name;
  EXPECT_EQ(first->printable_url, first->url);
  EXPECT_FALSE(first->password_left_out);
  EXPECT_EQ(QueryOne(PathOf(first->url), "SELECT group_concat(name, ',') FROM accounts ORDER BY id"), "root,guest");
  EXPECT_EQ(QueryOne(PathOf(first->url), "PRAGMA user_version"), "3");
  EXPECT_EQ(QueryOne(PathOf(first->url), "SELECT count(*) FROM sqlite_master WHERE name = 'orders_account'"), "1");

  auto second = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->template_built);
  EXPECT_EQ(second->template_name, first->template_name);
  EXPECT_NE(second->url, first->url);

  // Each test database is its own: a write to one is not seen by the other or by the template.
  Exec(PathOf(first->url), "INSERT INTO accounts (name) VALUES ('only-in-first')");
  EXPECT_EQ(QueryOne(PathOf(second->url), "SELECT count(*) FROM accounts"), "2");
  EXPECT_EQ(QueryOne(store_.Path(first->template_name + ".db"), "SELECT count(*) FROM accounts"), "2");

  // strata sees a clone as up to date: the history came with it.
  auto migrator = Migrator::Open(second->url, Migrations());
  ASSERT_TRUE(migrator.ok());
  auto status = (*migrator)->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->current_version, 3u);
  EXPECT_EQ(status->pending, 0u);

  // Only the template, its lock file and the two test databases are left: nothing half built.
  std::set<std::string> files;
  for (const std::string& f : FilesIn(store_.path())) files.insert(f);
  EXPECT_EQ(files, (std::set<std::string>{first->template_name + ".db", first->template_name + ".db.strata-lock",
                                          first->name + ".db", second->name + ".db"}));
}

TEST_F(TestDbTest, AnEditedAddedOrDifferentlyConfiguredSetGetsItsOwnTemplate) {
  auto before = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  migrations_.Write("v002_seed.sql", "INSERT INTO accounts (name) VALUES ('admin');\n");
  auto edited = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(edited.ok()) << edited.status().ToString();
  EXPECT_TRUE(edited->template_built);
  EXPECT_NE(edited->template_name, before->template_name);
  EXPECT_EQ(QueryOne(PathOf(edited->url), "SELECT group_concat(name, ',') FROM accounts"), "admin");

  migrations_.Write("v004_notes.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY);\n");
  auto added = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(added->template_built);
  EXPECT_NE(added->template_name, edited->template_name);
  EXPECT_EQ(QueryOne(PathOf(added->url), "PRAGMA user_version"), "4");

  TestDatabaseOptions other_table = options_;
  other_table.options.history_table = "schema_versions";
  auto configured = CreateTestDatabase(Migrations(), other_table);
  ASSERT_TRUE(configured.ok()) << configured.status().ToString();
  EXPECT_TRUE(configured->template_built);
  EXPECT_NE(configured->template_name, added->template_name);
  EXPECT_EQ(QueryOne(PathOf(configured->url), "SELECT count(*) FROM schema_versions"), "4");
}

TEST_F(TestDbTest, AFailingMigrationLeavesNoTemplateAndSaysWhere) {
  migrations_.Write("v004_broken.sql", "CREATE TABLE fine (id INTEGER);\nCREATE TABLE broken (id INTEGER,);\n");
  auto created = CreateTestDatabase(Migrations(), options_);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kSqlError) << created.status().ToString();
  EXPECT_NE(created.status().ToString().find("v004_broken.sql:2:"), std::string::npos) << created.status().ToString();
  EXPECT_NE(created.status().ToString().find("building the test template"), std::string::npos);
  for (const std::string& f : FilesIn(store_.path())) {
    EXPECT_TRUE(f.ends_with(".strata-lock")) << "left behind: " << f;
  }
  // Fixed, the same call works.
  migrations_.Write("v004_broken.sql", "CREATE TABLE fine (id INTEGER);\n");
  auto fixed = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(QueryOne(PathOf(fixed->url), "PRAGMA user_version"), "4");
}

TEST_F(TestDbTest, DropRemovesOnlyTestDatabases) {
  auto created = CreateTestDatabase(Migrations(), options_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(fs::exists(PathOf(created->url)));
  ASSERT_TRUE(DropTestDatabase(created->url).ok());
  EXPECT_FALSE(fs::exists(PathOf(created->url)));
  EXPECT_TRUE(DropTestDatabase(created->url).ok()) << "an already dropped test database is no error";
  EXPECT_TRUE(fs::exists(store_.Path(created->template_name + ".db")));

  // A real database, or the template itself, is refused and kept.
  Exec(store_.Path("app.db"), "CREATE TABLE keep (x)");
  for (const std::string& url : {"sqlite:" + store_.Path("app.db"), "sqlite:" + store_.Path(created->template_name + ".db")}) {
    Status st = DropTestDatabase(url);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << url;
    EXPECT_NE(st.message().find("strata_test_"), std::string::npos) << st.message();
  }
  EXPECT_TRUE(fs::exists(store_.Path("app.db")));
  EXPECT_TRUE(fs::exists(store_.Path(created->template_name + ".db")));
}

TEST_F(TestDbTest, TheRaiiTypeRemovesItsDatabaseUnlessKept) {
  std::string dropped, kept;
  {
    auto db = TestDatabase::Create(Migrations(), options_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    dropped = db->url();
    EXPECT_EQ(QueryOne(PathOf(dropped), "SELECT count(*) FROM accounts"), "2");
    TestDatabase moved = std::move(*db);  // moving hands over the duty to drop
    EXPECT_EQ(moved.url(), dropped);
  }
  EXPECT_FALSE(fs::exists(PathOf(dropped)));
  {
    auto db = TestDatabase::Create(Migrations(), options_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    kept = db->url();
    db->Keep();
  }
  EXPECT_TRUE(fs::exists(PathOf(kept)));
  auto db = TestDatabase::Create(Migrations(), options_);
  ASSERT_TRUE(db.ok());
  std::string url = db->url();
  EXPECT_TRUE(db->Drop().ok());
  EXPECT_FALSE(fs::exists(PathOf(url)));
}

// Eight processes ask at once for a database of a set of migrations that has no template yet: one
// builds it, the others wait and clone; all eight get a complete database of their own.
TEST_F(TestDbTest, ConcurrentProcessesBuildTheTemplateOnce) {
  constexpr int kProcesses = 8;
  std::vector<ProcessResult> results(kProcesses);
  testing::AtOnce(kProcesses, [&](int i) {
    results[i] = testing::Run(
        {STRATA_BINARY, "--dir", migrations_.path(), "--json", "testdb", "create", "--testdb-dir", store_.path()});
  });
  int built = 0;
  std::set<std::string> urls, templates;
  for (const ProcessResult& r : results) {
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    auto j = nlohmann::json::parse(r.out);
    built += j.at("template_built").get<bool>() ? 1 : 0;
    urls.insert(j.at("url").get<std::string>());
    templates.insert(j.at("template").get<std::string>());
    EXPECT_EQ(QueryOne(PathOf(j.at("url")), "SELECT count(*) FROM accounts"), "2");
    EXPECT_EQ(QueryOne(PathOf(j.at("url")), "SELECT count(*) FROM strata_schema_history"), "3");
  }
  EXPECT_EQ(built, 1);
  EXPECT_EQ(urls.size(), static_cast<std::size_t>(kProcesses));
  EXPECT_EQ(templates.size(), 1u);
}

TEST_F(TestDbTest, TheCommandLinePrintsTheUrlDropsItAndCleansUp) {
  ProcessResult created = testing::Run({STRATA_BINARY, "--dir", migrations_.path(), "testdb", "create", "--testdb-dir", store_.path()});
  ASSERT_EQ(created.exit_code, 0) << Describe(created);
  std::string url = created.out.substr(0, created.out.find('\n'));
  ASSERT_TRUE(url.starts_with("sqlite:" + store_.path() + "/strata_test_")) << url;
  EXPECT_NE(created.err.find("built the template strata_tpl_"), std::string::npos) << created.err;
  EXPECT_EQ(QueryOne(PathOf(url), "SELECT count(*) FROM accounts"), "2");

  ProcessResult refused = testing::Run({STRATA_BINARY, "testdb", "drop", "sqlite:" + migrations_.Path("v001_accounts.sql")});
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_TRUE(fs::exists(migrations_.Path("v001_accounts.sql")));

  ProcessResult dropped = testing::Run({STRATA_BINARY, "testdb", "drop", url});
  EXPECT_EQ(dropped.exit_code, 0) << Describe(dropped);
  EXPECT_FALSE(fs::exists(PathOf(url)));

  ProcessResult again = testing::Run({STRATA_BINARY, "--dir", migrations_.path(), "testdb", "create", "--testdb-dir", store_.path()});
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(again.err, "") << "the template existed: nothing to report";
  ProcessResult templates_only = testing::Run({STRATA_BINARY, "testdb", "clean", "--testdb-dir", store_.path()});
  EXPECT_EQ(templates_only.exit_code, 0) << Describe(templates_only);
  EXPECT_EQ(templates_only.out, "removed 1 database\n");
  ProcessResult everything = testing::Run({STRATA_BINARY, "testdb", "clean", "--instances", "--testdb-dir", store_.path()});
  EXPECT_EQ(everything.out, "removed 1 database\n") << Describe(everything);
  for (const std::string& f : FilesIn(store_.path())) {
    EXPECT_TRUE(f.ends_with(".strata-lock")) << "left behind: " << f;
  }
}

}  // namespace
}  // namespace strata::testing
