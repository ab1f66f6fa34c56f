// strata_embed_migrations() end to end: the generated Source holds the fixture files byte for byte
// (tests/fixtures/embed*: BOM, CRLF, NUL, backslashes, `)"`, non-UTF-8, no final newline), and a
// database migrated from it is indistinguishable from one migrated from the directory itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "embedded_bytes.h"
#include "embedded_fixtures.h"
#include "strata/migrator.h"
#include "test_util.h"

namespace strata::testing {
namespace {

const std::string kFixtures = std::string(STRATA_SOURCE_DIR) + "/tests/fixtures/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The files Source::Directory reads: regular files directly in `dir`, not hidden, named *.sql in
// any case. Name -> contents.
std::map<std::string, std::string> MigrationFiles(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    std::string ext = name.size() >= 4 ? name.substr(name.size() - 4) : "";
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!entry.is_regular_file() || name[0] == '.' || ext != ".sql") continue;
    files[name] = ReadFile(entry.path().string());
  }
  return files;
}

std::map<std::string, std::string> EmbeddedFiles(const Source& source) {
  std::map<std::string, std::string> files;
  for (const Source::File& f : source.files()) {
    EXPECT_TRUE(files.emplace(f.name, std::string(f.contents)).second) << "embedded twice: " << f.name;
  }
  return files;
}

std::vector<std::string> Names(const std::map<std::string, std::string>& files) {
  std::vector<std::string> names;
  for (const auto& [name, _] : files) names.push_back(name);
  return names;
}

// Equal, or where the first difference is (binary contents make a plain EXPECT_EQ unreadable).
::testing::AssertionResult SameBytes(const std::string& got, const std::string& want) {
  if (got == want) return ::testing::AssertionSuccess();
  auto diff = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
  return ::testing::AssertionFailure() << "sizes " << got.size() << " and " << want.size()
                                       << ", first difference at byte " << (diff.first - got.begin());
}

TEST(EmbedTest, FixturesHoldTheBytesThatMatter) {
  // A tidy-up of the fixtures must not quietly remove what the other tests are about.
  std::string notes = ReadFile(kFixtures + "embed/v001_create_notes.sql");
  EXPECT_TRUE(notes.starts_with("\xEF\xBB\xBF"));
  EXPECT_NE(notes.find("\r\n"), std::string::npos);
  EXPECT_NE(notes.find(")\""), std::string::npos);
  EXPECT_NE(notes.find('\\'), std::string::npos);
  EXPECT_NE(notes.find("caf\xC3\xA9"), std::string::npos);
  EXPECT_NE(notes.find('\xFF'), std::string::npos);
  EXPECT_NE(notes.back(), '\n');
  std::string all_bytes = ReadFile(kFixtures + "embed_bytes/v001_all_bytes.sql");
  for (int c = 0; c < 256; ++c) EXPECT_NE(all_bytes.find(static_cast<char>(c)), std::string::npos) << c;
  EXPECT_EQ(ReadFile(kFixtures + "embed_bytes/v002_empty.sql"), "");
  // Present on disk but not migrations: they must be neither read nor embedded.
  EXPECT_TRUE(std::filesystem::is_regular_file(kFixtures + "embed/.hidden.sql"));
  EXPECT_TRUE(std::filesystem::is_regular_file(kFixtures + "embed/README.txt"));
  EXPECT_TRUE(std::filesystem::is_directory(kFixtures + "embed/nested.sql"));
}

TEST(EmbedTest, EmbeddedFilesAreTheDirectoryFilesByteForByte) {
  struct Case {
    const char* dir;
    Source source;
  } cases[] = {{"embed", strata_test::embedded_fixtures()}, {"embed_bytes", strata_test::embedded_bytes()}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dir);
    EXPECT_TRUE(c.source.embedded());
    std::map<std::string, std::string> want = MigrationFiles(kFixtures + c.dir);
    std::map<std::string, std::string> got = EmbeddedFiles(c.source);
    ASSERT_EQ(Names(got), Names(want));
    for (const auto& [name, contents] : want) EXPECT_TRUE(SameBytes(got[name], contents)) << name;
  }
  EXPECT_EQ(Names(EmbeddedFiles(strata_test::embedded_fixtures())),
            (std::vector<std::string>{"0002_add_tags.down.sql", "0002_add_tags.up.sql",
                                      "20250101000000_index_notes.sql", "V3__add_flags.SQL",
                                      "v001_create_notes.sql"}));
}

TEST(EmbedTest, LabelIsTheDirectoryRelativeToTheProject) {
  EXPECT_EQ(strata_test::embedded_fixtures().label(), "tests/fixtures/embed");
  EXPECT_EQ(strata_test::embedded_bytes().label(), "tests/fixtures/embed_bytes");
}

class EmbedMigrateTest : public ::testing::Test {
 protected:
  std::unique_ptr<Migrator> Open(const std::string& db, Source source) {
    auto m = Migrator::Open("sqlite:" + db, std::move(source));
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }
  static Source Directory() { return Source::Directory(kFixtures + "embed"); }
  static Source Embedded() { return strata_test::embedded_fixtures(); }

  // Everything a migration leaves behind that the two runs must agree on.
  static std::vector<std::string> Snapshot(const std::string& db) {
    std::vector<std::string> rows = Query(db, "SELECT version, name, checksum, state FROM strata_schema_history ORDER BY version");
    for (const std::string& r : Query(db, "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'strata%' ORDER BY name")) {
      rows.push_back(r);
    }
    for (const std::string& r : Query(db, "SELECT id, body, flags FROM notes ORDER BY id")) rows.push_back(r);
    rows.push_back(QueryOne(db, "PRAGMA user_version"));
    return rows;
  }

  TempDir dir_;
  std::string from_directory_ = dir_.Path("from_directory.db");
  std::string from_embedded_ = dir_.Path("from_embedded.db");
};

TEST_F(EmbedMigrateTest, BothSourcesMigrateToTheSameDatabase) {
  auto by_dir = Open(from_directory_, Directory())->Up();
  auto by_emb = Open(from_embedded_, Embedded())->Up();
  ASSERT_TRUE(by_dir.ok()) << by_dir.status().ToString();
  ASSERT_TRUE(by_emb.ok()) << by_emb.status().ToString();
  ASSERT_EQ(by_emb->migrations.size(), 4u);
  EXPECT_EQ(by_emb->to_version, 20250101000000u);
  ASSERT_EQ(by_dir->migrations.size(), by_emb->migrations.size());
  for (std::size_t i = 0; i < by_dir->migrations.size(); ++i) {
    EXPECT_EQ(by_dir->migrations[i].version, by_emb->migrations[i].version);
    EXPECT_EQ(by_dir->migrations[i].name, by_emb->migrations[i].name);
  }
  EXPECT_EQ(Snapshot(from_directory_), Snapshot(from_embedded_));
  // The bytes reached the database unchanged through the embedded source too.
  EXPECT_EQ(QueryOne(from_embedded_, "SELECT body FROM notes WHERE id = 1"),
            "C:\\temp\\new )\" R\"( \"quoted\" caf\xC3\xA9 \xF0\x9F\x99\x82");
}

TEST_F(EmbedMigrateTest, EachSourceVerifiesTheOthersDatabase) {
  ASSERT_TRUE(Open(from_directory_, Directory())->Up().ok());
  ASSERT_TRUE(Open(from_embedded_, Embedded())->Up().ok());
  for (const auto& [db, source] : {std::pair{from_directory_, Embedded()}, std::pair{from_embedded_, Directory()}}) {
    SCOPED_TRACE(db);
    auto m = Open(db, source);
    auto verify = m->Verify();
    ASSERT_TRUE(verify.ok()) << verify.status().ToString();
    for (const VerifyProblem& p : verify->problems) ADD_FAILURE() << p.version << ": " << p.message;
    auto status = m->GetStatus();
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->pending, 0u);
    for (const MigrationStatus& s : status->migrations) {
      EXPECT_EQ(s.state, MigrationState::kApplied) << s.file << ": " << MigrationStateName(s.state);
    }
    auto again = m->Up();
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE(again->migrations.empty());
  }
}

TEST_F(EmbedMigrateTest, VerifyNoticesAFileThatDiffersFromTheEmbeddedOne) {
  // Guards the test above against a Verify that could not fail: one changed byte is a problem.
  ASSERT_TRUE(Open(from_embedded_, Embedded())->Up().ok());
  TempDir copy;
  for (const auto& [name, contents] : MigrationFiles(kFixtures + "embed")) copy.Write(name, contents);
  std::string notes = ReadFile(copy.Path("v001_create_notes.sql"));
  notes[notes.find("caf")] = 'C';
  copy.Write("v001_create_notes.sql", notes);
  auto verify = Open(from_embedded_, Source::Directory(copy.path()))->Verify();
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  ASSERT_EQ(verify->problems.size(), 1u);
  EXPECT_EQ(verify->problems[0].version, 1u);
  EXPECT_EQ(verify->problems[0].state, MigrationState::kChanged);
}

TEST_F(EmbedMigrateTest, LineEndingsAreNotAnEdit) {
  // Checksums ignore CRLF vs LF and the BOM: the embedded CRLF file matches an LF checkout.
  ASSERT_TRUE(Open(from_embedded_, Embedded())->Up().ok());
  TempDir copy;
  for (auto [name, contents] : MigrationFiles(kFixtures + "embed")) {
    if (contents.starts_with("\xEF\xBB\xBF")) contents.erase(0, 3);
    for (std::size_t at; (at = contents.find("\r\n")) != std::string::npos;) contents.erase(at, 1);
    copy.Write(name, contents);
  }
  auto verify = Open(from_embedded_, Source::Directory(copy.path()))->Verify();
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_TRUE(verify->ok());
}

TEST_F(EmbedMigrateTest, DownUsesTheEmbeddedDownParts) {
  ASSERT_TRUE(Open(from_embedded_, Embedded())->Up().ok());
  auto down = Open(from_embedded_, Embedded())->Down({.steps = 1});  // the -- migrate:down section
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->to_version, 3u);
  EXPECT_EQ(QueryOne(from_embedded_, "SELECT count(*) FROM sqlite_master WHERE name = 'notes_flags'"), "0");
  // V3 has no down part: rolling it back is refused before anything runs.
  auto refused = Open(from_embedded_, Embedded())->Down({.steps = 1});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition) << refused.status().ToString();
}

// The engines read SQL as C strings. embed_bytes holds NUL bytes on purpose: a source made by
// strata_embed_migrations() is checked like a directory, so every call refuses it, located at the
// NUL, before the database is touched.
TEST_F(EmbedMigrateTest, NulBytesInEmbeddedMigrationsAreRefusedByEveryCall) {
  auto m = Open(from_embedded_, strata_test::embedded_bytes());
  ASSERT_NE(m, nullptr);
  const std::vector<std::pair<const char*, Status>> calls = {
      {"GetStatus", m->GetStatus().status()}, {"PlanUp", m->PlanUp().status()},
      {"PlanDown", m->PlanDown().status()},   {"Up", m->Up().status()},
      {"Down", m->Down().status()},           {"Verify", m->Verify().status()},
  };
  for (const auto& [call, status] : calls) {
    SCOPED_TRACE(call);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status.ToString();
    const std::string& message = status.message();
    EXPECT_NE(message.find("tests/fixtures/embed_bytes/v001_all_bytes.sql:1:1: NUL byte in a migration file"),
              std::string::npos) << message;
    EXPECT_NE(message.find("tests/fixtures/embed_bytes/v003_nul_and_cr.sql:1:10: NUL byte in a migration file"),
              std::string::npos) << message;
  }
  EXPECT_FALSE(std::filesystem::exists(from_embedded_));
}

}  // namespace
}  // namespace strata::testing
