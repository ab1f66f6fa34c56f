// Fuzzes the SQLite CREATE-text scanner (sql/sqlite_ddl.h) on its own, then as an oracle
// against SQLite itself: whatever CREATE statement the engine accepts, introspecting the database it
// leaves behind must work (sqlite_schema.h), so the scanner understands every text SQLite stores.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/text.h"
#include "sql/sqlite_ddl.h"
#include "drivers/sqlite/sqlite_schema.h"
#include "fuzz_common.h"

namespace {

using namespace strata::sql::sqlite_ddl;
using strata::sql::Dequote;

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

void CheckError(const strata::Status& status, const std::string& text) {
  FUZZ_CHECK(status.code() == strata::ErrorCode::kInvalidArgument);
  auto offset = status.sql_offset();
  FUZZ_CHECK(offset.has_value());
  FUZZ_CHECK(*offset <= text.size());
  auto loc = strata::base::MakeLocation("fuzz.sql", text, *offset);
  FUZZ_CHECK(!strata::base::FormatLocated(loc, status.message()).empty());
}

void CheckTokens(const std::string& text) {
  auto tokens = Tokenize(text);
  if (!tokens.ok()) return CheckError(tokens.status(), text);
  std::size_t previous_end = 0;
  for (std::size_t i = 0; i < tokens->size(); ++i) {
    const Token& t = (*tokens)[i];
    FUZZ_CHECK(previous_end <= t.begin && t.begin < t.end && t.end <= text.size());
    previous_end = t.end;
    if (t.kind == TokenKind::kPunct && (text[t.begin] == '(' || text[t.begin] == ')')) {
      FUZZ_CHECK(t.match < tokens->size());
      FUZZ_CHECK((*tokens)[t.match].match == i);
      FUZZ_CHECK(text[t.begin] == '(' ? t.match > i : t.match < i);
    }
  }
  // With every literal terminated, normalized text neither starts nor ends with whitespace.
  std::string normalized = NormalizeWhitespace(text);
  if (!normalized.empty()) FUZZ_CHECK(!IsSpace(normalized.front()) && !IsSpace(normalized.back()));
}

template <typename R>
void CheckParse(const R& result, const std::string& text) {
  if (!result.ok()) CheckError(result.status(), text);
}

// One in-memory database for the whole run (opening one per input costs most of the time). Each
// input's CREATE runs inside a savepoint that is rolled back, so inputs do not see each other.
sqlite3* database = nullptr;

sqlite3* Database() {
  if (database == nullptr) {
    FUZZ_CHECK(sqlite3_open_v2(":memory:", &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr) ==
               SQLITE_OK);
    sqlite3_limit(database, SQLITE_LIMIT_ATTACHED, 0);
    FUZZ_CHECK(sqlite3_exec(database, "CREATE TABLE p (id INTEGER PRIMARY KEY, a, b, UNIQUE (a, b))", nullptr, nullptr,
                            nullptr) == SQLITE_OK);
  }
  return database;
}

// Runs the first statement of `text` when it is a CREATE (nothing else can touch files or attach
// databases), then introspects. SQLite accepted the text, so every error but "virtual table" is ours.
void CheckAgainstSqlite(const std::string& text) {
  // SQLite stops reading at a NUL but may store the bytes after it, leaving a schema it cannot
  // parse itself ("malformed database schema"): nothing to learn about strata there.
  if (text.find('\0') != std::string::npos) return;
  auto tokens = Tokenize(text);
  if (!tokens.ok() || tokens->empty()) return;
  std::string first = text.substr(tokens->front().begin, tokens->front().end - tokens->front().begin);
  for (char& c : first) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (first != "CREATE") return;
  sqlite3* db = Database();
  FUZZ_CHECK(sqlite3_exec(db, "SAVEPOINT fuzz", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, text.c_str(), static_cast<int>(text.size()), &stmt, nullptr) == SQLITE_OK &&
      stmt != nullptr && sqlite3_step(stmt) == SQLITE_DONE) {
    sqlite3_finalize(stmt);
    stmt = nullptr;
    auto schema = strata::driver::IntrospectSqlite(db, "strata_schema_history", {});
    if (!schema.ok() && schema.status().code() != strata::ErrorCode::kFailedPrecondition) {
      std::fprintf(stderr, "SQLite accepted it, introspection failed: %s\n", schema.status().ToString().c_str());
      FUZZ_CHECK(schema.ok());
    }
  }
  sqlite3_finalize(stmt);
  if (sqlite3_exec(db, "ROLLBACK TO fuzz; RELEASE fuzz", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);  // a schema SQLite broke itself: start the next input afresh
    database = nullptr;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A copy with exactly the input's size, so that ASan catches any read past its end.
  const std::string text(reinterpret_cast<const char*>(data), size);
  CheckTokens(text);
  std::string normalized = NormalizeWhitespace(text);
  FUZZ_CHECK(normalized.size() <= text.size());
  FUZZ_CHECK(NormalizeWhitespace(normalized) == normalized);
  FUZZ_CHECK(StripEnclosingParens(text).size() <= text.size());
  FUZZ_CHECK(Dequote(text).size() <= text.size());
  CheckParse(ParseCreateTable(text), text);
  CheckParse(ParseCreateIndex(text), text);
  CheckParse(ParseViewDefinition(text), text);
  if (size <= 4096) CheckAgainstSqlite(text);
  return 0;
}
