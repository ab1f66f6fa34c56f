#include "core/rebuild.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <map>
#include <set>
#include <tuple>

#include "base/text.h"
#include "sql/sqlite_lexer.h"

namespace strata::core {

namespace rb = sql::rebuild;

namespace {

std::string Literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

using Rows = std::vector<driver::Driver::Row>;

Result<Rows> Ask(const RunContext& ctx, const std::string& sql) { return ctx.driver->Query(sql, std::chrono::milliseconds(0)); }

std::string Cell(const driver::Driver::Row& row, std::size_t i) { return i < row.size() && row[i] ? *row[i] : ""; }

// The live table as the statements before the rebuild left it; kInvalidArgument when it is not there.
Result<rb::LiveTable> ReadLive(const RunContext& ctx, const std::string& name) {
  rb::LiveTable live;
  STRATA_ASSIGN_OR_RETURN(Rows table, Ask(ctx, "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name = " +
                                                   Literal(name) + " COLLATE NOCASE"));
  if (table.empty()) return Status(ErrorCode::kInvalidArgument, fmt::format("no such table: {}", name));
  live.name = Cell(table[0], 0);
  live.create_sql = Cell(table[0], 1);
  STRATA_ASSIGN_OR_RETURN(Rows columns,
                          Ask(ctx, "SELECT name, type, pk, hidden FROM pragma_table_xinfo(" + Literal(live.name) + ")"));
  for (const auto& c : columns) {
    std::string hidden = Cell(c, 3);
    live.columns.push_back({Cell(c, 0), hidden == "2" || hidden == "3", Cell(c, 2) != "0", Cell(c, 1)});
  }
  STRATA_ASSIGN_OR_RETURN(Rows objects, Ask(ctx, "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT "
                                                 "NULL AND type IN ('index', 'trigger', 'view') ORDER BY rowid"));
  for (const auto& o : objects) live.objects.push_back({Cell(o, 0), Cell(o, 1), Cell(o, 2), Cell(o, 3)});
  STRATA_ASSIGN_OR_RETURN(Rows has_sequence,
                          Ask(ctx, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'"));
  if (!has_sequence.empty()) {
    STRATA_ASSIGN_OR_RETURN(Rows seq, Ask(ctx, "SELECT seq FROM sqlite_sequence WHERE name = " + Literal(live.name)));
    if (!seq.empty()) live.sequence = std::stoll(Cell(seq[0], 0).empty() ? "0" : Cell(seq[0], 0));
  }
  return live;
}

using Violation = std::tuple<std::string, std::string, std::string, std::string>;  // child, rowid, parent, fkid

// Foreign-key violations of `table` as a child and of every table that references it.
Result<std::set<Violation>> Violations(RunContext& ctx, const std::string& table) {
  STRATA_ASSIGN_OR_RETURN(Rows children,
                          Ask(ctx, "SELECT DISTINCT m.name FROM sqlite_schema AS m, pragma_foreign_key_list(m.name) AS f "
                                   "WHERE m.type = 'table' AND f.\"table\" = " +
                                       Literal(table) + " COLLATE NOCASE"));
  std::set<std::string> tables{table};
  for (const auto& c : children) tables.insert(Cell(c, 0));
  std::set<Violation> out;
  for (const std::string& t : tables) {
    STRATA_ASSIGN_OR_RETURN(Rows rows, Ask(ctx, "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check(" +
                                                    Literal(t) + ")"));
    for (const auto& r : rows) out.emplace(Cell(r, 0), Cell(r, 1), Cell(r, 2), Cell(r, 3));
  }
  return out;
}

// The new violations, grouped by foreign key, each named from its table's CREATE text.
Result<std::string> DescribeViolations(RunContext& ctx, const std::set<Violation>& fresh) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> by_key;
  std::map<std::pair<std::string, std::string>, std::string> parents;
  for (const auto& [child, rowid, parent, fkid] : fresh) {
    by_key[{child, fkid}].push_back(rowid);
    parents[{child, fkid}] = parent;
  }
  std::string out;
  for (const auto& [key, rowids] : by_key) {
    STRATA_ASSIGN_OR_RETURN(Rows sql, Ask(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = " +
                                                   Literal(key.first)));
    std::string name = sql.empty() ? "" : rb::ForeignKeyName(Cell(sql[0], 0), std::stoll(key.second));
    if (name.empty()) name = fmt::format("foreign key #{} of {}", key.second, key.first);
    std::string some;
    for (std::size_t i = 0; i < rowids.size() && i < 5; ++i) some += (i ? ", " : "") + rowids[i];
    out += fmt::format("{}constraint {}: {} row(s) of {} have no matching row in {} (rowids {}{})", out.empty() ? "" : "; ",
                       name, rowids.size(), key.first, parents[key], some, rowids.size() > 5 ? ", ..." : "");
  }
  return out;
}

// The copy failed: the first constraint that existing rows break, with its count and row ids.
Status CopyFailed(RunContext& ctx, const rb::Plan& plan, const Status& failure) {
  for (const rb::Diagnostic& d : plan.diagnostics) {
    auto rows = Ask(ctx, d.query);
    if (!rows.ok() || rows->empty()) continue;
    std::string count = Cell((*rows)[0], 0);
    if (count.empty() || count == "0") continue;
    return Status(ErrorCode::kSqlError,
                  fmt::format("constraint {}: {} existing row(s) of {} {} (rowids {}{})", d.constraint, count,
                              plan.table, d.what, Cell((*rows)[0], 1), std::stoll(count) > 5 ? ", ..." : ""));
  }
  return Status(ErrorCode::kSqlError, fmt::format("the rebuild of {} could not copy its rows: {}", plan.table,
                                                  failure.message()));
}

// One rebuild of `table` with `commands`, inside the open transaction.
Status Rebuild(RunContext& ctx, const std::string& table, const std::vector<rb::AlterCommand>& commands) {
  STRATA_ASSIGN_OR_RETURN(rb::LiveTable live, ReadLive(ctx, table));
  STRATA_ASSIGN_OR_RETURN(rb::Plan plan, rb::PlanRebuild(live, commands));
  const bool check = ctx.driver->EnforcesForeignKeys();
  std::set<Violation> before;
  if (check) {
    STRATA_ASSIGN_OR_RETURN(before, Violations(ctx, live.name));
  }
  for (std::size_t i = 0; i < plan.statements.size(); ++i) {
    Status st = ctx.driver->Execute(plan.statements[i], {.in_transaction = true}, nullptr);
    if (st.ok()) continue;
    if (i == plan.copy_index) return CopyFailed(ctx, plan, st);
    return Status(st.code(), fmt::format("the rebuild of {} failed at `{}`: {}", live.name,
                                         base::OneLine(plan.statements[i]), st.message()));
  }
  if (!check) return Status::Ok();
  STRATA_ASSIGN_OR_RETURN(std::set<Violation> after, Violations(ctx, live.name));
  std::set<Violation> fresh;
  for (const Violation& v : after) {
    if (!before.count(v)) fresh.insert(v);
  }
  if (fresh.empty()) return Status::Ok();
  STRATA_ASSIGN_OR_RETURN(std::string described, DescribeViolations(ctx, fresh));
  return Status(ErrorCode::kSqlError, described);
}

// Only whitespace, comments and ';' between two statements.
bool Adjacent(std::string_view sql, std::size_t from, std::size_t to) {
  for (std::size_t i = sql::SkipSpaceAndComments(sql, from); i < to; i = sql::SkipSpaceAndComments(sql, i + 1)) {
    if (sql[i] != ';') return false;
  }
  return true;
}

Status ExecutePart(RunContext& ctx, std::string_view sql, std::size_t from, std::size_t to,
                   const driver::StatementObserver& observer) {
  if (sql::SkipSpaceAndComments(sql.substr(0, to), from) >= to) return Status::Ok();
  auto shifted = [&](std::size_t b, std::size_t e, double ms) {
    if (observer) observer(from + b, from + e, ms);
  };
  Status st = ctx.driver->Execute(sql.substr(from, to - from), {.in_transaction = true}, shifted);
  if (!st.ok() && st.sql_offset()) return std::move(st).WithSqlOffset(from + *st.sql_offset());
  return st;
}

// The tables of a group of adjacent statements, in the order they first appear, with their commands.
std::vector<std::pair<std::string, std::vector<const rb::AlterStatement*>>> ByTable(
    const std::vector<rb::AlterStatement>& alters, std::size_t from, std::size_t to) {
  std::vector<std::pair<std::string, std::vector<const rb::AlterStatement*>>> out;
  for (std::size_t k = from; k < to; ++k) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return base::Lower(p.first) == base::Lower(alters[k].table); });
    if (it == out.end()) {
      out.push_back({alters[k].table, {}});
      it = out.end() - 1;
    }
    it->second.push_back(&alters[k]);
  }
  return out;
}

}  // namespace

Result<std::vector<rb::AlterStatement>> FindRebuilds(const RunContext& ctx, const source::Script& script) {
  if (ctx.driver->engine() != Engine::kSqlite || script.no_split) return std::vector<rb::AlterStatement>();
  auto found = rb::FindAlters(script.sql());
  if (found.ok()) return found;
  Status e = found.status();
  std::size_t at = script.begin + e.sql_offset().value_or(0);
  return Status(e.code(), e.message() + " (nothing was run)").WithLocation(base::MakeLocation(script.path, *script.text, at));
}

Result<bool> NeedsForeignKeysOff(RunContext& ctx, const std::vector<rb::AlterStatement>& alters) {
  for (const rb::AlterStatement& a : alters) {
    if (!a.maybe_native) return true;
    auto live = ReadLive(ctx, a.table);
    if (live.ok() && rb::NeedsRebuildToDrop(*live, a.commands[0].column)) return true;
  }
  return false;
}

namespace {

// --verify-data around a rebuild: the rows' contents where the ALTER keeps them, else their count
// (a new type or a dropped column changes the rows by design).
Result<driver::TableFingerprint> ReadRows(RunContext& ctx, const std::string& table, bool contents) {
  if (contents) return ctx.driver->Fingerprint("", table);
  STRATA_ASSIGN_OR_RETURN(std::int64_t rows, ctx.driver->CountRows("", table));
  return driver::TableFingerprint{rows, ""};
}

Status SameRows(RunContext& ctx, const std::string& table, bool contents, const driver::TableFingerprint& before) {
  STRATA_ASSIGN_OR_RETURN(driver::TableFingerprint after, ReadRows(ctx, table, contents));
  if (after.rows == before.rows && after.hash == before.hash) return Status::Ok();
  return Status(ErrorCode::kDataChanged,
                fmt::format("--verify-data: the rebuild of table {} changed its rows ({} before, {} after{}); it was "
                            "rolled back",
                            table, before.rows, after.rows, after.rows == before.rows ? ", other values" : ""));
}

}  // namespace

Status ExecuteWithRebuilds(RunContext& ctx, std::string_view sql, const std::vector<rb::AlterStatement>& alters,
                           bool foreign_keys_off, const driver::StatementObserver& observer) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < alters.size();) {
    STRATA_RETURN_IF_ERROR(ExecutePart(ctx, sql, pos, alters[i].begin, observer));
    std::size_t j = i + 1;
    while (j < alters.size() && Adjacent(sql, alters[j - 1].end, alters[j].begin)) ++j;
    for (const auto& [table, statements] : ByTable(alters, i, j)) {
      auto t0 = std::chrono::steady_clock::now();
      const rb::AlterStatement& first = *statements.front();
      Status st = Status::Ok();
      bool native = false;
      if (statements.size() == 1 && first.maybe_native) {
        auto live = ReadLive(ctx, table);
        native = !live.ok() || !rb::NeedsRebuildToDrop(*live, first.commands[0].column);
        if (!native && !foreign_keys_off && ctx.driver->EnforcesForeignKeys()) {
          return Status(ErrorCode::kFailedPrecondition,
                        fmt::format("dropping column {} of {} needs a table rebuild (it is indexed or in a constraint), "
                                    "which strata could not foresee before the migration began, when foreign keys had "
                                    "to be switched off: an earlier statement of the migration made the index or "
                                    "constraint. Put this DROP COLUMN in a migration of its own",
                                    first.commands[0].column, table))
              .WithSqlOffset(first.begin)
              .WithLocation(SourceLocation{.statement = std::string(sql.substr(first.begin, first.end - first.begin))});
        }
      }
      if (native) {
        st = ExecutePart(ctx, sql, first.begin, first.end, nullptr);
      } else {
        std::vector<rb::AlterCommand> commands;
        for (const rb::AlterStatement* s : statements) commands.insert(commands.end(), s->commands.begin(), s->commands.end());
        std::optional<driver::TableFingerprint> before;
        const bool keeps_rows = std::all_of(commands.begin(), commands.end(), [](const rb::AlterCommand& c) {
          return c.kind != rb::AlterKind::kAddColumn && c.kind != rb::AlterKind::kSetType &&
                 c.kind != rb::AlterKind::kDropColumn;
        });
        if (ctx.verify_data) {
          auto read = ReadRows(ctx, table, keeps_rows);
          if (!read.ok()) return read.status();
          before = *read;
        }
        st = Rebuild(ctx, table, commands);
        if (st.ok() && before) st = SameRows(ctx, table, keeps_rows, *before);
        if (!st.ok()) {
          st = Status(st.code(), st.message())
                   .WithSqlOffset(first.begin)
                   .WithLocation(SourceLocation{.statement = std::string(sql.substr(first.begin, first.end - first.begin))});
        }
      }
      STRATA_RETURN_IF_ERROR(st);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      for (const rb::AlterStatement* s : statements) {
        if (observer) observer(s->begin, s->end, ms / static_cast<double>(statements.size()));
      }
    }
    pos = alters[j - 1].end;
    i = j;
  }
  return ExecutePart(ctx, sql, pos, sql.size(), observer);
}

Result<std::vector<RebuildPreview>> PreviewRebuilds(const RunContext& ctx, const source::Script& script) {
  STRATA_ASSIGN_OR_RETURN(auto alters, FindRebuilds(ctx, script));
  std::vector<RebuildPreview> out;
  const std::string_view sql = script.sql();
  for (std::size_t i = 0; i < alters.size();) {
    std::size_t j = i + 1;
    while (j < alters.size() && Adjacent(sql, alters[j - 1].end, alters[j].begin)) ++j;
    for (const auto& [table, statements] : ByTable(alters, i, j)) {
      RebuildPreview p;
      p.table = table;
      std::vector<rb::AlterCommand> commands;
      for (const rb::AlterStatement* s : statements) {
        p.alters.push_back(std::string(sql.substr(s->begin, s->end - s->begin)));
        commands.insert(commands.end(), s->commands.begin(), s->commands.end());
      }
      // Earlier statements that name the table may change it before the rebuild runs.
      bool named_before = false;
      for (const sql::SqliteToken& t : sql::TokenizeSqlite(sql.substr(0, statements.front()->begin))) {
        if (t.kind != sql::SqliteTokenKind::kPunct &&
            base::Lower(sql::SqliteTokenName(sql, t)) == base::Lower(table)) {
          named_before = true;
          break;
        }
      }
      auto live = named_before ? Result<rb::LiveTable>(Status(ErrorCode::kNotFound, "")) : ReadLive(ctx, table);
      bool native = statements.size() == 1 && statements.front()->maybe_native &&
                    (!live.ok() || !rb::NeedsRebuildToDrop(*live, commands[0].column));
      if (native) continue;
      if (live.ok()) {
        auto plan = rb::PlanRebuild(*live, commands);
        if (plan.ok()) p.statements = plan->statements;
      }
      out.push_back(std::move(p));
    }
    i = j;
  }
  return out;
}

}  // namespace strata::core
