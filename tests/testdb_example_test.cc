// The GoogleTest example of docs/library.md ("Test databases"): each test gets its own database
// with every migration of examples/vibesurf applied, cloned from a template in milliseconds, and
// removed when the test ends. The template is built by the first test that asks and reused by the
// rest (and by later runs) until a migration changes.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <optional>
#include <string>

#include "strata/testdb.h"

namespace {

// An application's own code under test: here, one insert and one count.
int Exec(const std::string& url, const char* sql) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open(url.substr(std::string("sqlite:").size()).c_str(), &db);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

int CountProfiles(const std::string& url) {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int n = -1;
  sqlite3_open(url.substr(std::string("sqlite:").size()).c_str(), &db);
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM llm_profiles", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    n = sqlite3_column_int(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

class ProfilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = strata::TestDatabase::Create(strata::Source::Directory(STRATA_SOURCE_DIR "/examples/vibesurf"));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    db_.emplace(std::move(*created));
  }
  std::optional<strata::TestDatabase> db_;  // dropped when the test ends
};

TEST_F(ProfilesTest, StartsEmpty) { EXPECT_EQ(CountProfiles(db_->url()), 0); }

TEST_F(ProfilesTest, InsertsOne) {
  ASSERT_EQ(Exec(db_->url(), "INSERT INTO llm_profiles (profile_id, profile_name, provider, model) "
                             "VALUES ('p1', 'default', 'openai', 'gpt')"),
            SQLITE_OK);
  EXPECT_EQ(CountProfiles(db_->url()), 1);  // and the next test starts from an empty table again
}

TEST_F(ProfilesTest, CheckConstraintsCameAlong) {
  EXPECT_NE(Exec(db_->url(), "INSERT INTO llm_profiles (profile_id, profile_name, provider, model, temperature) "
                             "VALUES ('p2', 'hot', 'openai', 'gpt', 9)"),
            SQLITE_OK);
}

}  // namespace
