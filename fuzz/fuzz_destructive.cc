// Fuzzes strata::sql::AnalyzeSqlite (strata's tokenizer over sqlite3_complete's statements),
// AnalyzePostgres (libpg_query's JSON parse tree) and AnalyzeMysql (the same tokenizer over
// SplitMysql's statements, MariaDB's comments and strings masked) on the same text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "sql/destructive.h"

namespace {

using strata::sql::Analysis;
using strata::sql::Destructive;
using strata::sql::DestructiveKind;

// Entries point at their statement's text, in order; the kind decides which names are set;
// `referenced` is sorted and unique. SQLite accepts "" as a name; PostgreSQL does not.
void CheckAnalysis(std::string_view text, const Analysis& a, bool sqlite) {
  std::size_t prev = 0;
  for (const Destructive& d : a.destructive) {
    FUZZ_CHECK(d.offset >= prev && d.offset < text.size());
    prev = d.offset;
    FUZZ_CHECK(!d.statement.empty() && d.statement.size() <= text.size() - d.offset);
    FUZZ_CHECK(text.substr(d.offset, d.statement.size()) == d.statement);
    FUZZ_CHECK(std::string_view(DestructiveKindName(d.kind)).size() > 0);
    FUZZ_CHECK(d.kind != DestructiveKind::kDropSchemaCascade || (d.table.empty() && !d.schema.empty()));
    FUZZ_CHECK(d.kind == DestructiveKind::kDropSchemaCascade || sqlite || !d.table.empty());
    FUZZ_CHECK(d.kind == DestructiveKind::kDropColumn || d.column.empty());
    FUZZ_CHECK(d.kind != DestructiveKind::kDropColumn || sqlite || !d.column.empty());
    FUZZ_CHECK(d.kind == DestructiveKind::kDropTable || d.copied_into.empty());
    FUZZ_CHECK((d.kind == DestructiveKind::kRenameTable) == !d.renamed_to.empty());
    FUZZ_CHECK(d.kind == DestructiveKind::kTruncate || !d.cascade);
  }
  FUZZ_CHECK(std::is_sorted(a.referenced.begin(), a.referenced.end()));
  FUZZ_CHECK(std::adjacent_find(a.referenced.begin(), a.referenced.end()) == a.referenced.end());
  FUZZ_CHECK(sqlite ||
             std::none_of(a.referenced.begin(), a.referenced.end(), [](const std::string& s) { return s.empty(); }));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::sql;
  if (size > 32 * 1024) return 0;  // the SQLite splitter is O(n^2)
  // A copy of exactly the input's size, so that ASan catches any read past its end.
  const std::string text(reinterpret_cast<const char*>(data), size);

  // MariaDB's analysis fails only where SplitMysql does (an unterminated string, name or comment, a
  // bad DELIMITER line), at an offset inside the text; NUL is an ordinary byte there.
  auto mysql = AnalyzeMysql(text);
  if (mysql.ok()) {
    CheckAnalysis(text, *mysql, true);
  } else {
    FUZZ_CHECK(mysql.status().code() == strata::ErrorCode::kInvalidArgument);
    auto offset = mysql.status().sql_offset();
    FUZZ_CHECK(offset.has_value() && *offset <= text.size());
  }

  // A NUL byte is refused where it is (the engines would stop reading there): nothing after it may
  // go unanalyzed. Otherwise the SQLite analysis never fails.
  const std::size_t nul = text.find('\0');
  auto sqlite = AnalyzeSqlite(text);
  if (nul != std::string::npos) {
    FUZZ_CHECK(!sqlite.ok() && sqlite.status().code() == strata::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(sqlite.status().sql_offset() == nul);
    auto pg = AnalyzePostgres(text);
    FUZZ_CHECK(!pg.ok() && pg.status().sql_offset() == nul);
    return 0;
  }
  FUZZ_CHECK(sqlite.ok());
  CheckAnalysis(text, *sqlite, true);

  // Deeply nested expressions make libpg_query's JSON tree large, and nlohmann-json's parser is
  // slow at -O0 with coverage: keep each run well under the 10 s timeout.
  if (size > 16 * 1024) return 0;
  auto pg = AnalyzePostgres(text);
  if (!pg.ok()) {
    FUZZ_CHECK(pg.status().code() == strata::ErrorCode::kInvalidArgument);
    auto offset = pg.status().sql_offset();
    FUZZ_CHECK(offset.has_value() && *offset <= text.size());
    return 0;
  }
  CheckAnalysis(text, *pg, false);
  return 0;
}
