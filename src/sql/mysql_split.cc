#include "sql/mysql_split.h"

#include <fmt/format.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "sql/sqlite_lexer.h"

namespace strata::sql {

namespace {

constexpr std::size_t kNone = std::string_view::npos;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool IsWordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' || u == '$' || u >= 0x80;
}

Status Error(std::size_t at, std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message)).WithSqlOffset(at);
}

class Splitter {
 public:
  Splitter(std::string_view text, MysqlQuoting quoting) : t_(text), quoting_(quoting) {}

  Result<std::vector<StatementSpan>> Run() {
    std::vector<StatementSpan> spans;
    std::size_t i = 0;
    while (true) {
      STRATA_ASSIGN_OR_RETURN(i, SkipToStatement(i));
      if (i >= t_.size()) return spans;
      if (IsDelimiterWord(i)) {
        STRATA_ASSIGN_OR_RETURN(i, DelimiterCommand(i));
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(StatementSpan s, Statement(i, &i));
      spans.push_back(s);
    }
  }

 private:
  bool AtDelimiter(std::size_t i) const { return t_.compare(i, delimiter_.size(), delimiter_) == 0; }
  bool At(std::size_t i, std::string_view s) const { return t_.compare(i, s.size(), s) == 0; }

  // "--" followed by a blank or control byte, or by nothing: the server's rule (so "--x" and
  // "1--1" are not comments).
  bool AtDashDash(std::size_t i) const {
    if (!At(i, "--")) return false;
    if (i + 2 >= t_.size()) return true;
    auto c = static_cast<unsigned char>(t_[i + 2]);
    return c <= 0x20 || c == 0x7f;
  }
  // "/*!" or "/*M!": SQL that only MySQL or MariaDB runs.
  std::size_t ExecutableOpener(std::size_t i) const {
    if (At(i, "/*!")) return 3;
    if (At(i, "/*M!")) return 4;
    return 0;
  }

  std::size_t LineEnd(std::size_t i) const {
    std::size_t nl = t_.find('\n', i);
    return nl == kNone ? t_.size() : nl;
  }

  // Past a plain comment starting at `i` (or `i` itself when none starts there).
  Result<std::size_t> SkipComment(std::size_t i) const {
    if (t_[i] == '#' || AtDashDash(i)) return LineEnd(i);
    if (At(i, "/*") && !ExecutableOpener(i)) {
      std::size_t close = t_.find("*/", i + 2);
      if (close == kNone) return Error(i, "unterminated comment: /* without a closing */");
      return close + 2;
    }
    return i;
  }

  // Past whitespace, plain comments and empty statements (a lone delimiter): where the next
  // statement or client command starts, or the end. The delimiter is looked for first, everywhere,
  // as the client does, so that no delimiter can read differently in different places.
  Result<std::size_t> SkipToStatement(std::size_t i) const {
    while (i < t_.size()) {
      if (AtDelimiter(i)) {
        i += delimiter_.size();
      } else if (IsBlank(t_[i])) {
        ++i;
      } else {
        STRATA_ASSIGN_OR_RETURN(std::size_t next, SkipComment(i));
        if (next == i) break;
        i = next;
      }
    }
    return i;
  }

  bool IsDelimiterWord(std::size_t i) const {
    static constexpr std::string_view kWord = "delimiter";
    if (t_.size() - i < kWord.size()) return false;
    for (std::size_t k = 0; k < kWord.size(); ++k) {
      char c = t_[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kWord[k]) return false;
    }
    return i + kWord.size() == t_.size() || !IsWordByte(t_[i + kWord.size()]);
  }

  // A `DELIMITER xx` line at `i` (where a statement would start): sets the delimiter and returns
  // where the line's text ends.
  Result<std::size_t> DelimiterCommand(std::size_t i) {
    for (std::size_t k = i; k > 0 && t_[k - 1] != '\n'; --k) {
      if (t_[k - 1] != ' ' && t_[k - 1] != '\t') {
        return Error(i, "DELIMITER is a command of the mariadb client, not SQL: put it first on a line of its own");
      }
    }
    std::size_t j = i + 9;
    while (j < t_.size() && (t_[j] == ' ' || t_[j] == '\t')) ++j;
    std::size_t begin = j;
    while (j < t_.size() && !IsBlank(t_[j])) ++j;
    if (j == begin) return Error(i, "DELIMITER needs the new delimiter on the same line, as in DELIMITER //");
    std::string_view delimiter = t_.substr(begin, j - begin);
    if (delimiter.find_first_of("'\"`\\") != std::string_view::npos) {
      return Error(begin, "a delimiter cannot contain a quote or a backslash");
    }
    std::size_t end = j;
    while (j < t_.size() && t_[j] != '\n' && IsBlank(t_[j])) ++j;
    if (j < t_.size() && t_[j] != '\n') {
      return Error(j, fmt::format("unexpected text after DELIMITER {}: the rest of its line must be empty", delimiter));
    }
    delimiter_.assign(delimiter);
    return end;
  }

  // Past the string or quoted name that opens at `i`.
  Result<std::size_t> SkipQuoted(std::size_t i) const {
    const char quote = t_[i];
    const bool is_name = quote == '`' || (quote == '"' && quoting_.ansi_quotes);
    const bool escapes = !is_name && quoting_.backslash_escapes;
    for (std::size_t j = i + 1; j < t_.size(); ++j) {
      if (t_[j] == '\\' && escapes) {
        ++j;
      } else if (t_[j] == quote) {
        if (j + 1 < t_.size() && t_[j + 1] == quote) {
          ++j;
        } else {
          return j + 1;
        }
      }
    }
    if (is_name) return Error(i, fmt::format("unterminated quoted name: {0} without a closing {0}", quote));
    if (!escapes) return Error(i, fmt::format("unterminated string: {0} without a closing {0}", quote));
    return Error(i, fmt::format("unterminated string: {0} without a closing {0} (a backslash escapes the character "
                                "after it)",
                                quote));
  }

  // The statement that starts at `begin` (a token): its span, and in `*next` where the text
  // after it (its delimiter included) resumes.
  Result<StatementSpan> Statement(std::size_t begin, std::size_t* next) const {
    std::size_t i = begin;
    std::size_t executable = kNone;  // where the executable comment we are in opened
    std::size_t end = kNone;         // where the delimiter is
    while (i < t_.size()) {
      if (AtDelimiter(i)) {
        if (executable != kNone) {
          return Error(i, fmt::format("the delimiter {} is inside an executable comment (/*! ... */): the mariadb "
                                      "client would end the statement here; put it after the */, or change the "
                                      "delimiter with DELIMITER",
                                      delimiter_));
        }
        end = i;
        i += delimiter_.size();
        break;
      }
      const char c = t_[i];
      if (c == '\'' || c == '"' || c == '`') {
        STRATA_ASSIGN_OR_RETURN(i, SkipQuoted(i));
      } else if (executable == kNone && ExecutableOpener(i)) {
        executable = i;
        i += ExecutableOpener(i);
      } else if (executable != kNone && At(i, "*/")) {
        executable = kNone;
        i += 2;
      } else if (executable != kNone && At(i, "/*")) {
        // Inside an executable comment any "/*" opens a plain comment: they do not nest.
        std::size_t close = t_.find("*/", i + 2);
        if (close == kNone) return Error(i, "unterminated comment: /* without a closing */");
        i = close + 2;
      } else {
        STRATA_ASSIGN_OR_RETURN(std::size_t past, SkipComment(i));
        i = past == i ? i + 1 : past;
      }
    }
    if (end == kNone) {
      if (executable != kNone) return Error(executable, "unterminated executable comment: no closing */");
      end = t_.size();
    }
    while (end > begin && IsBlank(t_[end - 1])) --end;
    *next = i;
    return StatementSpan{begin, end};
  }

  std::string_view t_;
  MysqlQuoting quoting_;
  std::string delimiter_ = ";";
};

}  // namespace

MysqlQuoting QuotingForSqlMode(std::string_view sql_mode) {
  MysqlQuoting quoting;
  while (!sql_mode.empty()) {
    std::size_t comma = sql_mode.find(',');
    std::string word(sql_mode.substr(0, comma));
    for (char& c : word) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    if (word == "NO_BACKSLASH_ESCAPES") quoting.backslash_escapes = false;
    if (word == "ANSI_QUOTES" || word == "ANSI") quoting.ansi_quotes = true;
    sql_mode = comma == std::string_view::npos ? std::string_view() : sql_mode.substr(comma + 1);
  }
  return quoting;
}

Result<std::vector<StatementSpan>> SplitMysql(std::string_view text, MysqlQuoting quoting) {
  return Splitter(text, quoting).Run();
}

std::string MysqlAsSqliteText(std::string_view text, MysqlQuoting quoting) {
  std::string out(text);
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto blank = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < n; ++k) {
      if (out[k] != '\n') out[k] = ' ';
    }
  };
  bool in_executable = false;
  while (i < n) {
    char c = text[i];
    if (c == '#' || (c == '-' && i + 1 < n && text[i + 1] == '-' &&
                     (i + 2 == n || static_cast<unsigned char>(text[i + 2]) <= ' '))) {
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = n;
      blank(i, end);
      i = end;
    } else if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      // "--" without a blank after it is two minus signs here, but a comment to SQLite's lexer: the
      // second one becomes a blank (it may itself start "-- ", a comment, next).
      out[i + 1] = ' ';
      ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      std::size_t k = i + 2;
      bool executable = false;
      if (k < n && text[k] == '!') {
        executable = true;
        ++k;
      } else if (k + 1 < n && text[k] == 'M' && text[k + 1] == '!') {
        executable = true;
        k += 2;
      }
      if (executable) {
        while (k < n && text[k] >= '0' && text[k] <= '9') ++k;
        blank(i, k);
        in_executable = true;
        i = k;
      } else {
        std::size_t end = text.find("*/", k);
        end = end == std::string_view::npos ? n : end + 2;
        blank(i, end);
        i = end;
      }
    } else if (in_executable && c == '*' && i + 1 < n && text[i + 1] == '/') {
      blank(i, i + 2);
      in_executable = false;
      i += 2;
    } else if (c == '`' || (c == '"' && quoting.ansi_quotes)) {
      std::size_t k = i + 1;
      while (k < n && !(text[k] == c && !(k + 1 < n && text[k + 1] == c))) k += text[k] == c ? 2 : 1;
      i = k + 1;
    } else if (c == '\'' || c == '"') {
      std::size_t k = i + 1;
      while (k < n) {
        if (text[k] == '\\' && quoting.backslash_escapes) {
          k += 2;
        } else if (text[k] == c && k + 1 < n && text[k + 1] == c) {
          k += 2;
        } else if (text[k] == c) {
          break;
        } else {
          ++k;
        }
      }
      out[i] = '\'';
      blank(i + 1, k);
      if (k < n) out[k] = '\'';
      i = k + 1;
    } else {
      ++i;
    }
  }
  return out;
}

namespace {

// The words of a statement with its comments and strings blanked, upper-cased; a token that is not a
// word is its text as it is ("@n", "=", "(").
std::vector<std::string> SessionTokens(std::string_view statement, MysqlQuoting quoting,
                                       std::size_t most = std::numeric_limits<std::size_t>::max()) {
  const std::string text = MysqlAsSqliteText(statement, quoting);
  std::vector<std::string> out;
  for (std::optional<SqliteToken> t = NextSqliteToken(text, 0); t && out.size() < most;
       t = NextSqliteToken(text, t->end)) {
    std::string token = text.substr(t->begin, t->end - t->begin);
    if (t->kind == SqliteTokenKind::kWord) {
      for (char& c : token) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    out.push_back(std::move(token));
  }
  return out;
}

}  // namespace

bool IsMysqlSessionSetting(std::string_view statement, MysqlQuoting quoting) {
  const std::vector<std::string> words = SessionTokens(statement, quoting);
  if (words.empty()) return false;
  if (words[0] == "USE") return words.size() == 2;
  if (words[0] != "SET" || words.size() < 2) return false;
  const std::string& what = words[1];
  if (what == "PASSWORD" || what == "DEFAULT" || what == "STATEMENT" || what == "TRANSACTION") return false;
  for (const std::string& word : words) {
    // A scope per assignment: `SET sql_mode = '', GLOBAL max_connections = 10` sets a global too.
    if (word == "GLOBAL" || word == "PERSIST" || word == "PERSIST_ONLY") return false;
  }
  std::string lower(MysqlAsSqliteText(statement, quoting));
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (std::size_t at = lower.find("@@"); at != std::string::npos; at = lower.find("@@", at + 2)) {
    std::size_t name = at + 2;
    while (name < lower.size() && (lower[name] == ' ' || lower[name] == '\t' || lower[name] == '\n')) ++name;
    std::string_view scope = std::string_view(lower).substr(name);
    if (scope.starts_with("global") || scope.starts_with("persist")) return false;
  }
  return true;
}

bool MysqlRunsInTransaction(std::string_view statement, MysqlQuoting quoting) {
  // The verb is in the first words: a data statement of megabytes is not lexed to its end (a cut
  // in a string or a comment only blanks the rest).
  constexpr std::size_t kLead = 4096;
  const std::vector<std::string> lead = SessionTokens(statement.substr(0, kLead), quoting, 8);
  std::size_t first = 0;
  while (first < lead.size() && lead[first] == "(") ++first;
  if (first == lead.size()) return false;
  const std::string& verb = lead[first];
  for (const char* data : {"SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "REPLACE", "VALUES", "DO"}) {
    if (verb == data) return true;
  }
  if (verb != "SET" || first != 0 || lead.size() < 2) return false;
  const std::vector<std::string> words = SessionTokens(statement, quoting);
  const std::string& what = words[1];
  if (what == "PASSWORD" || what == "DEFAULT" || what == "STATEMENT") return false;
  for (const std::string& word : words) {
    if (word == "TRANSACTION") return false;
  }
  // autocommit however it is named (`autocommit`, `@@autocommit`, `@@session.autocommit`):
  // switching it on commits. Strings are blanks in this text, so a value never matches.
  std::string lower(MysqlAsSqliteText(statement, quoting));
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower.find("autocommit") == std::string::npos;
}

bool IsMysqlUse(std::string_view statement, MysqlQuoting quoting) {
  // Cheap first: a statement that starts with another letter (a long INSERT) is not lexed.
  const std::size_t first = statement.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return false;
  const char c = statement[first];
  if (c != 'u' && c != 'U' && c != '/' && c != '-' && c != '#') return false;
  const std::vector<std::string> words = SessionTokens(statement, quoting);
  return !words.empty() && words[0] == "USE";
}

bool IsMysqlBlock(std::string_view statement, MysqlQuoting quoting) {
  const std::vector<std::string> words = SessionTokens(statement, quoting);
  return words.size() >= 3 && words[0] == "BEGIN" && words[1] == "NOT" && words[2] == "ATOMIC";
}

bool SetsUserVariableFromData(std::string_view statement, MysqlQuoting quoting) {
  const std::vector<std::string> words = SessionTokens(statement, quoting);
  auto user_variable = [](const std::string& w) { return w.size() > 1 && w[0] == '@' && w[1] != '@'; };
  if (IsMysqlSessionSetting(statement, quoting)) {
    // The assignments, split at the commas outside parentheses: `@n = <a value with a call>`?
    int depth = 0;
    bool target = false;  // the current assignment's target is a user variable
    for (std::size_t i = 1; i < words.size(); ++i) {
      const std::string& w = words[i];
      const bool starts = words[i - 1] == "SET" || (words[i - 1] == "," && depth == 0);
      if (starts) target = user_variable(w);
      if (w == "(") {
        if (target) return true;
        ++depth;
      } else if (w == ")" && depth > 0) {
        --depth;
      }
    }
    return false;
  }
  // Any other statement that puts what it reads into a user variable: `SELECT ... INTO @v`,
  // `SELECT @v := ...` (any value: it comes from a query).
  for (std::size_t i = 0; i < words.size(); ++i) {
    const bool next_is = i + 1 < words.size();
    if (words[i] == "INTO" && next_is && user_variable(words[i + 1])) return true;
    if (user_variable(words[i]) && next_is &&
        (words[i + 1] == ":=" || (words[i + 1] == ":" && i + 2 < words.size() && words[i + 2] == "="))) {
      return true;
    }
  }
  return false;
}

std::string_view MysqlSessionObject(std::string_view statement, MysqlQuoting quoting) {
  const std::vector<std::string> words = SessionTokens(statement, quoting);
  if (words.empty()) return {};
  if (words[0] == "PREPARE") return "a prepared statement";
  std::size_t at = 1;
  if (words[0] != "CREATE") return {};
  if (words.size() > 3 && words[1] == "OR" && words[2] == "REPLACE") at = 3;
  if (words.size() > at + 1 && words[at] == "TEMPORARY" && words[at + 1] == "TABLE") return "a temporary table";
  return {};
}

}  // namespace strata::sql
