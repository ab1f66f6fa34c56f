#include "sql/sqlite_rebuild.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/text.h"
#include "sql/pg_parse.h"
#include "sql/sqlite_ddl.h"
#include "sql/sqlite_lexer.h"
#include "sql/sqlite_split.h"

namespace strata::sql::rebuild {

namespace {

using sqlite_ddl::Token;
using TK = SqliteTokenKind;

bool IsWord(std::string_view text, const SqliteToken& t, std::string_view word) {
  if (t.kind != TK::kWord || t.end - t.begin != word.size()) return false;
  return base::Lower(text.substr(t.begin, t.end - t.begin)) == word;
}

bool IsPunct(std::string_view text, const SqliteToken& t, char c) {
  return t.kind == TK::kPunct && text[t.begin] == c;
}

bool IsNameToken(const SqliteToken& t) {
  return t.kind == TK::kWord || t.kind == TK::kQuotedName || t.kind == TK::kString;
}


std::string Slice(std::string_view text, const std::vector<Token>& t, std::size_t from, std::size_t to) {
  if (from >= to) return "";
  return std::string(text.substr(t[from].begin, t[to - 1].end - t[from].begin));
}

// Splits tokens [from, to) at top-level commas (parentheses skipped through their partner).
std::vector<std::pair<std::size_t, std::size_t>> SplitCommas(std::string_view text, const std::vector<Token>& t,
                                                             std::size_t from, std::size_t to) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t start = from;
  for (std::size_t i = from; i < to; ++i) {
    if (IsPunct(text, t[i], '(')) {
      i = t[i].match;
    } else if (IsPunct(text, t[i], ',')) {
      out.emplace_back(start, i);
      start = i + 1;
    }
  }
  if (start < to) out.emplace_back(start, to);
  return out;
}

// ---- finding the statements ----------------------------------------------------------------------

// The command words that make an ALTER TABLE strata's (after `ALTER TABLE name`).
bool IsRewrittenCommand(std::string_view text, const std::vector<SqliteToken>& t, std::size_t i,
                        bool* maybe_native) {
  if (i >= t.size()) return false;
  auto is = [&](std::size_t k, std::string_view w) { return k < t.size() && IsWord(text, t[k], w); };
  if (is(i, "add")) {
    return is(i + 1, "constraint") || is(i + 1, "foreign") || is(i + 1, "unique") || is(i + 1, "check");
  }
  if (is(i, "alter")) return true;
  if (is(i, "drop")) {
    if (is(i + 1, "constraint") && i + 2 < t.size() && IsNameToken(t[i + 2])) return true;
    *maybe_native = true;
    return true;
  }
  return false;
}

std::string Text(std::string_view sql, const std::vector<Token>& t, std::size_t from, std::size_t to) {
  return std::string(base::Trim(Slice(sql, t, from, to)));
}

Status Unsupported(std::size_t offset, const std::string& what) {
  return Status(ErrorCode::kInvalidArgument,
                what + ": strata cannot rewrite this for SQLite (see docs/migrations.md, \"What strata rewrites on "
                       "SQLite\")")
      .WithSqlOffset(offset);
}

// Fills one command from libpg_query's AlterTableCmd and the tokens of its text.
Status ReadCommand(std::string_view sql, const std::vector<Token>& t, std::size_t from, std::size_t to,
                   const pg::Json* cmd, AlterCommand* out) {
  using pg::Field;
  using pg::Str;
  const std::size_t offset = t[from].begin;
  const std::string subtype = Str(Field(cmd, "subtype"));
  out->column = Str(Field(cmd, "name"));
  out->if_exists = pg::Flag(cmd, "missing_ok");
  auto find = [&](std::string_view word, std::size_t start) {
    for (std::size_t i = start; i < to; ++i) {
      if (IsPunct(sql, t[i], '(')) i = t[i].match;
      else if (IsWord(sql, t[i], word)) return i;
    }
    return to;
  };
  if (subtype == "AT_AddColumn") {
    out->kind = AlterKind::kAddColumn;
    std::size_t i = from + 1;
    if (i < to && IsWord(sql, t[i], "column")) ++i;
    if (i + 2 < to && IsWord(sql, t[i], "if")) return Unsupported(offset, "ADD COLUMN IF NOT EXISTS");
    out->text = Text(sql, t, i, to);
  } else if (subtype == "AT_AddConstraint") {
    const pg::Json* c = Field(Field(cmd, "def"), "Constraint");
    std::string contype = Str(Field(c, "contype"));
    out->kind = AlterKind::kAddConstraint;
    out->name = Str(Field(c, "conname"));
    if (pg::Flag(c, "skip_validation")) return Unsupported(offset, "NOT VALID");
    out->text = Text(sql, t, from + 1, to);
    if (contype == "CONSTR_FOREIGN") {
      out->constraint = ConstraintKind::kForeignKey;
      out->columns = pg::Strings(Field(c, "fk_attrs"));
    } else if (contype == "CONSTR_UNIQUE") {
      out->constraint = ConstraintKind::kUnique;
      out->columns = pg::Strings(Field(c, "keys"));
      if (Field(c, "indexname") != nullptr || !pg::Elements(Field(c, "including")).empty()) {
        return Unsupported(offset, "UNIQUE USING INDEX or INCLUDE");
      }
    } else if (contype == "CONSTR_CHECK") {
      out->constraint = ConstraintKind::kCheck;
      std::size_t k = find("check", from + 1);
      if (k + 1 >= to || !IsPunct(sql, t[k + 1], '(')) return Unsupported(offset, "this CHECK");
      out->check = Text(sql, t, k + 2, t[k + 1].match);
      if (find("no", t[k + 1].match) != to) return Unsupported(offset, "CHECK ... NO INHERIT");
    } else {
      return Unsupported(offset, "ADD of a constraint other than FOREIGN KEY, UNIQUE or CHECK");
    }
  } else if (subtype == "AT_DropConstraint") {
    out->kind = AlterKind::kDropConstraint;
    out->name = out->column;
    out->column.clear();
  } else if (subtype == "AT_DropColumn") {
    out->kind = AlterKind::kDropColumn;
  } else if (subtype == "AT_AlterColumnType") {
    out->kind = AlterKind::kSetType;
    std::size_t type = find("type", from + 2) + 1;
    std::size_t using_at = find("using", type);
    if (find("collate", type) < using_at) return Unsupported(offset, "ALTER COLUMN ... TYPE ... COLLATE");
    out->text = Text(sql, t, type, using_at);
    if (using_at < to) out->using_expr = Text(sql, t, using_at + 1, to);
  } else if (subtype == "AT_SetNotNull") {
    out->kind = AlterKind::kSetNotNull;
  } else if (subtype == "AT_DropNotNull") {
    out->kind = AlterKind::kDropNotNull;
  } else if (subtype == "AT_ColumnDefault") {
    if (Field(cmd, "def") == nullptr) {
      out->kind = AlterKind::kDropDefault;
    } else {
      out->kind = AlterKind::kSetDefault;
      out->text = Text(sql, t, find("default", from + 2) + 1, to);
    }
  } else {
    return Unsupported(offset, "this ALTER TABLE command (" + subtype + ")");
  }
  return Status::Ok();
}

// One statement already known to be ALTER TABLE name <rewritten command>.
Result<AlterStatement> ReadStatement(std::string_view text, std::size_t base, std::size_t name_at, bool maybe_native) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> t, sqlite_ddl::Tokenize(text));
  AlterStatement st;
  std::size_t i = name_at;
  st.table = SqliteTokenName(text, t[i]);
  if (i + 2 < t.size() && IsPunct(text, t[i + 1], '.')) st.table = SqliteTokenName(text, t[(i += 2)]);
  std::size_t end = t.size();
  if (end > 0 && IsPunct(text, t[end - 1], ';')) --end;
  auto pieces = SplitCommas(text, t, i + 1, end);
  // libpg_query reads the same text: it checks the grammar and says what each command is.
  auto tree = pg::Parse(text);
  if (!tree.ok()) {
    Status e = tree.status();
    std::size_t off = e.sql_offset().value_or(0);
    return Status(ErrorCode::kInvalidArgument, "cannot parse this ALTER TABLE: " + e.message()).WithSqlOffset(base + off);
  }
  const pg::Json* alter = tree->statements.empty() ? nullptr : pg::Field(tree->statements[0].node, "AlterTableStmt");
  const auto& cmds = pg::Elements(pg::Field(alter, "cmds"));
  if (alter == nullptr || cmds.size() != pieces.size()) {
    return Status(ErrorCode::kInvalidArgument, "cannot read this ALTER TABLE's commands").WithSqlOffset(base);
  }
  for (std::size_t k = 0; k < cmds.size(); ++k) {
    AlterCommand c;
    Status read = ReadCommand(text, t, pieces[k].first, pieces[k].second, pg::Field(&cmds[k], "AlterTableCmd"), &c);
    if (!read.ok()) return std::move(read).WithSqlOffset(base + *read.sql_offset());
    st.commands.push_back(std::move(c));
  }
  // SQLite has no DROP COLUMN IF EXISTS: strata runs that one itself.
  st.maybe_native = maybe_native && st.commands.size() == 1 && st.commands[0].kind == AlterKind::kDropColumn &&
                    !st.commands[0].if_exists;
  return st;
}

}  // namespace

Result<std::vector<AlterStatement>> FindAlters(std::string_view sql) {
  std::vector<AlterStatement> out;
  if (!base::ContainsAnyIgnoringCase(sql, {"alter"})) return out;
  for (const StatementSpan& span : SplitSqlite(sql)) {
    std::string_view text = sql.substr(span.begin, span.end - span.begin);
    std::vector<SqliteToken> t;
    // Only the first few tokens decide; the rest is read if it is one of ours.
    for (std::size_t at = 0; t.size() < 8;) {
      auto next = NextSqliteToken(text, at);
      if (!next) break;
      t.push_back(*next);
      at = next->end;
    }
    if (t.size() < 4 || !IsWord(text, t[0], "alter") || !IsWord(text, t[1], "table")) continue;
    std::size_t i = 2;
    if (!IsNameToken(t[i])) continue;
    if (i + 2 < t.size() && IsPunct(text, t[i + 1], '.')) i += 2;
    bool maybe_native = false;
    bool ours = IsRewrittenCommand(text, t, i + 1, &maybe_native);
    // `ALTER TABLE t ADD COLUMN a, ADD ...` (several commands) is PostgreSQL's too.
    if (!ours && base::ContainsAnyIgnoringCase(text, {","})) {
      auto all = sqlite_ddl::Tokenize(text);
      if (all.ok() && SplitCommas(text, *all, 0, all->size()).size() > 1) ours = true;
    }
    if (!ours) continue;
    STRATA_ASSIGN_OR_RETURN(AlterStatement st, ReadStatement(text, span.begin, 2, maybe_native));
    // The span ends before any trailing ';'.
    std::size_t end = span.end;
    while (end > span.begin && (sql[end - 1] == ';' || sql[end - 1] == ' ' || sql[end - 1] == '\n' ||
                                sql[end - 1] == '\t' || sql[end - 1] == '\r')) {
      --end;
    }
    st.begin = span.begin;
    st.end = end;
    out.push_back(std::move(st));
  }
  return out;
}

std::string ForeignKeyName(std::string_view create_sql, std::int64_t fkid) {
  auto def = sqlite_ddl::ParseCreateTable(create_sql);
  if (!def.ok()) return "";
  auto n = static_cast<std::int64_t>(def->foreign_keys.size());
  if (fkid < 0 || fkid >= n) return "";
  return def->foreign_keys[static_cast<std::size_t>(n - 1 - fkid)].name;
}

}  // namespace strata::sql::rebuild
