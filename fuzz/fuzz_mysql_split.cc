// Fuzzes strata::sql::SplitMysql (the MariaDB/MySQL statement lexer with DELIMITER), under each
// quoting a session's sql_mode can ask for, and IsMysqlSessionSetting, MysqlSessionObject and
// MysqlRunsInTransaction on each statement it finds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "sql/mysql_split.h"

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

void Check(const std::string& text, strata::sql::MysqlQuoting quoting) {
  using namespace strata::sql;
  auto result = SplitMysql(text, quoting);
  if (!result.ok()) {
    // Refused: with the offset of what was left open or is malformed, inside the text.
    FUZZ_CHECK(result.status().code() == strata::ErrorCode::kInvalidArgument);
    auto offset = result.status().sql_offset();
    FUZZ_CHECK(offset.has_value() && *offset < text.size());
    // Refused the same way on every call: the splitter keeps no state between calls.
    auto again = SplitMysql(text, quoting);
    FUZZ_CHECK(!again.ok() && again.status().sql_offset() == offset &&
               again.status().message() == result.status().message());
    return;
  }

  std::string blanked = text;  // the text with every statement replaced by spaces
  std::size_t prev_end = 0;
  for (const StatementSpan& s : *result) {
    // Non-empty, increasing, non-overlapping, within bounds, trimmed.
    FUZZ_CHECK(s.begin < s.end);
    FUZZ_CHECK(s.end <= text.size());
    FUZZ_CHECK(s.begin >= prev_end);
    FUZZ_CHECK(!IsBlank(text[s.begin]) && !IsBlank(text[s.end - 1]));
    prev_end = s.end;
    // Classified without reading outside the statement; the same answer twice.
    const std::string statement = text.substr(s.begin, s.end - s.begin);
    const bool setting = IsMysqlSessionSetting(statement, quoting);
    FUZZ_CHECK(setting == IsMysqlSessionSetting(statement, quoting));
    // A user variable is named in what sets one.
    if (SetsUserVariableFromData(statement, quoting)) FUZZ_CHECK(statement.find('@') != std::string::npos);
    // A statement that makes a session object (CREATE TEMPORARY TABLE, PREPARE) sets nothing up.
    const std::string_view object = MysqlSessionObject(statement, quoting);
    FUZZ_CHECK(object.empty() || object == "a temporary table" || object == "a prepared statement");
    if (!object.empty()) FUZZ_CHECK(!setting);
    if (setting) {  // then its first word, past comments, is SET or USE
      const std::string blanked_statement = MysqlAsSqliteText(statement, quoting);
      const std::size_t first = blanked_statement.find_first_not_of(" \t\n\r\f\v");
      FUZZ_CHECK(first != std::string::npos && first + 3 <= blanked_statement.size());
      std::string word = blanked_statement.substr(first, 3);
      for (char& c : word) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
      FUZZ_CHECK(word == "SET" || word == "USE");
    }
    // The same answer twice; what makes a session object (CREATE TEMPORARY TABLE, PREPARE) is never
    // taken for a statement that leaves the transaction open.
    const bool in_transaction = MysqlRunsInTransaction(statement, quoting);
    FUZZ_CHECK(in_transaction == MysqlRunsInTransaction(statement, quoting));
    if (!object.empty()) FUZZ_CHECK(!in_transaction);
    for (std::size_t k = s.begin; k < s.end; ++k) blanked[k] = ' ';
  }
  // Between the statements there is nothing to send: whitespace, comments, delimiters and
  // DELIMITER lines. Without the statements, the text splits into nothing, with no error (a
  // statement the splitter dropped would show up here).
  auto rest = SplitMysql(blanked, quoting);
  FUZZ_CHECK(rest.ok());
  FUZZ_CHECK(rest->empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  // A copy of exactly the input's size, so that ASan catches any read past its end.
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (bool escapes : {true, false}) {
    for (bool ansi : {false, true}) Check(text, {.backslash_escapes = escapes, .ansi_quotes = ansi});
  }
  return 0;
}
