#include "core/run_context.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/clock.h"
#include "base/text.h"
#include "sql/pg_split.h"
#include "sql/sqlite_split.h"

namespace strata::core {

namespace {

plan::AppliedState ToPlan(driver::RowState s) {
  switch (s) {
    case driver::RowState::kApplied: return plan::AppliedState::kApplied;
    case driver::RowState::kDirty: return plan::AppliedState::kDirty;
    case driver::RowState::kBaseline: return plan::AppliedState::kBaseline;
  }
  return plan::AppliedState::kApplied;
}

// Rolls back on scope exit unless committed. The driver's Rollback never throws. Commits only
// while the run still holds its migration lock (when it has one).
class Transaction {
 public:
  Transaction(driver::Driver& d, const driver::RunLock* lock) : d_(d), lock_(lock) {}
  ~Transaction() {
    if (open_) d_.Rollback();
  }
  Status Commit() {
    if (lock_) STRATA_RETURN_IF_ERROR(lock_->Held());
    open_ = false;
    return d_.Commit();
  }

 private:
  driver::Driver& d_;
  const driver::RunLock* lock_;
  bool open_ = true;
};

driver::HistoryRow MakeRow(const source::Migration& m, driver::RowState state, double ms) {
  driver::HistoryRow r;
  r.version = m.version;
  r.name = m.name;
  r.checksum = m.checksum;
  r.applied_at = base::UtcNowIso8601();
  r.execution_ms = ms;
  r.state = state;
  r.strata_version = kVersion;
  return r;
}

plan::Applied ToApplied(const driver::HistoryRow& r) {
  return {r.version, r.name, r.checksum, ToPlan(r.state), r.applied_at, r.execution_ms};
}

// Turns a driver error with a byte offset inside `script` into one located at file:line:col.
Status Locate(Status st, const source::Script& script, const std::string& what) {
  if (!st.sql_offset()) return std::move(st).WithPrefix(what + ": ");
  std::size_t offset = script.begin + *st.sql_offset();
  std::string statement = st.location() ? st.location()->statement : std::string();
  SourceLocation loc = base::MakeLocation(script.path, *script.text, offset, statement);
  Status out(st.code(), st.message() + " (" + what + ")");
  return std::move(out).WithLocation(std::move(loc));
}

}  // namespace

const source::Migration* RunContext::Find(std::uint64_t version) const {
  auto it = std::lower_bound(migrations().begin(), migrations().end(), version,
                             [](const source::Migration& m, std::uint64_t v) { return m.version < v; });
  return it != migrations().end() && it->version == version ? &*it : nullptr;
}

void RunContext::IndexMigrations() {
  available.clear();
  available.reserve(migrations().size());
  for (const source::Migration& m : migrations()) {
    available.push_back({m.version, m.name, m.checksum, m.up.path, m.down.has_value()});
  }
}

Status RunContext::ReadDatabase(bool with_token) {
  STRATA_ASSIGN_OR_RETURN(history_exists, driver->HistoryExists());
  applied.clear();
  read_token.reset();
  if (history_exists) {
    // The token first: a commit between the two reads then shows up as a changed token later.
    if (with_token) {
      STRATA_ASSIGN_OR_RETURN(read_token, driver->ChangeToken());
    }
    STRATA_ASSIGN_OR_RETURN(auto rows, driver->ReadHistory());
    applied.reserve(rows.size());
    for (const auto& r : rows) applied.push_back(ToApplied(r));
  } else {
    STRATA_ASSIGN_OR_RETURN(legacy_version, driver->LegacyVersion());
  }
  return Status::Ok();
}

Status RunContext::LockAndReread() {
  STRATA_ASSIGN_OR_RETURN(lock, driver->LockRun());
  return ReadDatabase();
}

Status RunContext::BlameLostLock(Status failure) const {
  if (!lock || failure.code() == ErrorCode::kLockLost) return failure;
  Status held = lock->Held();
  if (held.ok()) return failure;
  Status out(ErrorCode::kLockLost, held.message() + "; " + failure.message());
  if (failure.location()) return std::move(out).WithLocation(*failure.location());
  return out;
}

Status RunContext::RefuseTransactionControl(const std::vector<std::uint64_t>& versions, Direction direction) const {
  const bool postgres = driver->Dialect() == "postgres";
  for (std::uint64_t v : versions) {
    const source::Migration* m = Find(v);
    if (m == nullptr || (direction == Direction::kDown && !m->down)) continue;
    const source::Script& script = direction == Direction::kUp ? m->up : *m->down;
    if (script.no_transaction) continue;
    std::string_view sql = script.sql();
    // Every transaction control statement starts with one of these words; most migrations have none.
    if (!base::ContainsAnyIgnoringCase(sql, {"begin", "start", "commit", "end", "abort", "rollback"})) continue;
    std::vector<sql::StatementSpan> spans;
    if (script.no_split) {
      std::size_t b = sql::SkipSpaceAndComments(sql, 0);
      if (b < sql.size()) spans.push_back({b, sql.size()});
    } else if (postgres) {
      auto split = sql::SplitPostgres(sql);
      if (!split.ok()) continue;
      spans = std::move(*split);
    } else {
      spans = sql::SplitSqlite(sql);
    }
    for (const sql::StatementSpan& span : spans) {
      std::string_view text = sql.substr(span.begin, span.end - span.begin);
      if (!sql::IsTransactionControl(text)) continue;
      std::string statement(base::Trim(text));
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("transaction control statement in a migration: strata already runs each migration "
                                "in its own transaction; remove BEGIN/COMMIT, or add `-- strata:no-transaction` to "
                                "the header to manage transactions yourself (nothing was run)"))
          .WithLocation(base::MakeLocation(script.path, *script.text, script.begin + span.begin, statement));
    }
  }
  return Status::Ok();
}

Status RunContext::RefuseIfNeedsBaseline() const {
  if (!NeedsBaseline()) return Status::Ok();
  return Status(ErrorCode::kFailedPrecondition,
                fmt::format("this database was migrated without strata: PRAGMA user_version = {} and there is no "
                            "history table. Run `strata baseline` to record versions up to {} as applied; `up` then "
                            "continues from the next one",
                            legacy_version, legacy_version));
}

Status RunContext::EnsureHistory() {
  if (history_exists) return Status::Ok();
  STRATA_RETURN_IF_ERROR(driver->CreateHistory());
  STRATA_ASSIGN_OR_RETURN(history_exists, driver->HistoryExists());
  if (!history_exists) return Status(ErrorCode::kInternal, "the history table was not created");
  // A concurrent runner may have created it first and written rows: BeginAndCheck re-reads.
  token.reset();
  return Status::Ok();
}

Result<bool> RunContext::BeginAndCheck() {
  STRATA_RETURN_IF_ERROR(driver->BeginWrite());
  auto now = driver->ChangeToken();
  if (!now.ok()) {
    driver->Rollback();
    return now.status();
  }
  if (token && *token == *now) return false;
  auto rows = driver->ReadHistory();
  if (!rows.ok()) {
    driver->Rollback();
    return rows.status();
  }
  token = *now;
  std::vector<plan::Applied> fresh;
  fresh.reserve(rows->size());
  for (const auto& r : *rows) fresh.push_back(ToApplied(r));
  auto key = [](const std::vector<plan::Applied>& v) {
    std::vector<std::pair<std::uint64_t, int>> k;
    k.reserve(v.size());
    for (const auto& a : v) k.emplace_back(a.version, static_cast<int>(a.state));
    std::sort(k.begin(), k.end());
    return k;
  };
  bool changed = key(fresh) != key(applied);
  applied = std::move(fresh);
  return changed;
}

Result<double> RunContext::ApplyUp(const source::Migration& m, const std::function<void(const Event&)>& emit,
                                   const std::function<Status()>& before_commit) {
  Transaction tx(*driver, lock.get());
  std::uint64_t previous = plan::CurrentVersion(applied);
  std::uint64_t mirrored = std::max(previous, m.version);
  std::string_view sql = m.up.sql();
  auto observer = [&](std::size_t b, std::size_t e, double ms) {
    emit({.kind = EventKind::kStatementDone, .version = m.version, .name = m.name, .file = m.up.path,
          .statement = std::string(base::Trim(sql.substr(b, e - b))), .ms = ms});
  };
  std::string what = fmt::format("migration {} ({}) was rolled back; the database is still at version {}", m.version,
                                 m.name, previous);
  base::Stopwatch watch;
  if (m.up.no_transaction) {
    // Marked dirty (committed) before it starts, so a crash or failure is visible and blocks runs.
    STRATA_RETURN_IF_ERROR(driver->InsertHistory(MakeRow(m, driver::RowState::kDirty, 0)));
    STRATA_RETURN_IF_ERROR(tx.Commit());
    STRATA_ASSIGN_OR_RETURN(auto invalid_before, driver->InvalidIndexes());
    Status st = driver->Execute(sql, {.in_transaction = false, .no_split = m.up.no_split}, observer);
    if (!st.ok()) {
      applied.push_back(ToApplied(MakeRow(m, driver::RowState::kDirty, 0)));
      std::string left;
      if (auto after = driver->InvalidIndexes(); after.ok()) {
        for (const std::string& index : *after) {
          if (std::find(invalid_before.begin(), invalid_before.end(), index) == invalid_before.end()) {
            left += (left.empty() ? "" : ", ") + index;
          }
        }
      }
      if (!left.empty()) {
        left = fmt::format("; it left INVALID index(es) {} behind, which `strata repair --drop-invalid-indexes` drops",
                           left);
      }
      return Locate(std::move(st), m.up,
                    fmt::format("migration {} ({}) ran outside a transaction and is now marked dirty{}; fix the "
                                "database by hand, then run `strata repair`",
                                m.version, m.name, left));
    }
    double ms = watch.ElapsedMs();
    STRATA_RETURN_IF_ERROR(driver->BeginWrite());
    Transaction finish(*driver, lock.get());
    driver::HistoryRow row = MakeRow(m, driver::RowState::kApplied, ms);
    STRATA_RETURN_IF_ERROR(driver->UpdateHistory(row));
    STRATA_RETURN_IF_ERROR(driver->MirrorVersion(mirrored));
    STRATA_ASSIGN_OR_RETURN(token, driver->ChangeToken());
    STRATA_RETURN_IF_ERROR(finish.Commit());
    applied.push_back(ToApplied(row));
    return ms;
  }
  Status st = driver->Execute(sql, {.in_transaction = true, .no_split = m.up.no_split}, observer);
  if (!st.ok()) return Locate(std::move(st), m.up, what);
  st = driver->CheckIntegrity();
  if (!st.ok()) return std::move(st).WithPrefix(fmt::format("{}: {}: ", m.up.path, what));
  if (before_commit) {
    st = before_commit();
    if (!st.ok()) return Status(st.code(), fmt::format("{}: {}\nThe {}.", m.up.path, st.message(), what));
  }
  double ms = watch.ElapsedMs();
  driver::HistoryRow row = MakeRow(m, driver::RowState::kApplied, ms);
  STRATA_RETURN_IF_ERROR(driver->InsertHistory(row));
  STRATA_RETURN_IF_ERROR(driver->MirrorVersion(mirrored));
  STRATA_ASSIGN_OR_RETURN(token, driver->ChangeToken());
  if (Status committed = tx.Commit(); !committed.ok()) {
    return Status(committed.code(), fmt::format("{} ({})", committed.message(), what));
  }
  applied.push_back(ToApplied(row));
  return ms;
}

Result<double> RunContext::ApplyDown(const source::Migration& m, const std::function<void(const Event&)>& emit) {
  Transaction tx(*driver, lock.get());
  const source::Script& script = *m.down;
  std::string_view sql = script.sql();
  std::vector<plan::Applied> after;
  for (const plan::Applied& a : applied) {
    if (a.version != m.version) after.push_back(a);
  }
  std::uint64_t previous = plan::CurrentVersion(applied);
  std::uint64_t next = plan::CurrentVersion(after);
  auto observer = [&](std::size_t b, std::size_t e, double ms) {
    emit({.kind = EventKind::kStatementDone, .direction = Direction::kDown, .version = m.version, .name = m.name,
          .file = script.path, .statement = std::string(base::Trim(sql.substr(b, e - b))), .ms = ms});
  };
  base::Stopwatch watch;
  if (script.no_transaction) {
    STRATA_RETURN_IF_ERROR(driver->UpdateHistory(MakeRow(m, driver::RowState::kDirty, 0)));
    STRATA_RETURN_IF_ERROR(tx.Commit());
    Status st = driver->Execute(sql, {.in_transaction = false, .no_split = script.no_split}, observer);
    if (!st.ok()) {
      for (plan::Applied& a : applied) {
        if (a.version == m.version) a.state = plan::AppliedState::kDirty;
      }
      return Locate(std::move(st), script,
                    fmt::format("rollback of {} ({}) ran outside a transaction and is now marked dirty", m.version,
                                m.name));
    }
    STRATA_RETURN_IF_ERROR(driver->BeginWrite());
    Transaction finish(*driver, lock.get());
    STRATA_RETURN_IF_ERROR(driver->DeleteHistory(m.version));
    STRATA_RETURN_IF_ERROR(driver->MirrorVersion(next));
    STRATA_ASSIGN_OR_RETURN(token, driver->ChangeToken());
    STRATA_RETURN_IF_ERROR(finish.Commit());
  } else {
    Status st = driver->Execute(sql, {.in_transaction = true, .no_split = script.no_split}, observer);
    if (!st.ok()) {
      return Locate(std::move(st), script,
                    fmt::format("rollback of {} ({}) was undone; the database is still at version {}", m.version,
                                m.name, previous));
    }
    STRATA_RETURN_IF_ERROR(driver->CheckIntegrity());
    STRATA_RETURN_IF_ERROR(driver->DeleteHistory(m.version));
    STRATA_RETURN_IF_ERROR(driver->MirrorVersion(next));
    STRATA_ASSIGN_OR_RETURN(token, driver->ChangeToken());
    if (Status committed = tx.Commit(); !committed.ok()) {
      return Status(committed.code(),
                    fmt::format("{} (rollback of {} ({}) was undone; the database is still at version {})",
                                committed.message(), m.version, m.name, previous));
    }
  }
  applied = std::move(after);
  return watch.ElapsedMs();
}

Status RunContext::RecordBaseline(std::uint64_t version, RunReport& report) {
  Transaction tx(*driver, lock.get());
  bool exact = false;
  for (const source::Migration& m : migrations()) {
    if (m.version > version) break;
    exact = exact || m.version == version;
    STRATA_RETURN_IF_ERROR(driver->InsertHistory(MakeRow(m, driver::RowState::kBaseline, 0)));
    report.migrations.push_back({m.version, m.name, Direction::kUp, 0});
  }
  if (!exact) {
    source::Migration marker;
    marker.version = version;
    marker.name = "<< baseline >>";
    STRATA_RETURN_IF_ERROR(driver->InsertHistory(MakeRow(marker, driver::RowState::kBaseline, 0)));
    report.migrations.push_back({version, marker.name, Direction::kUp, 0});
  }
  STRATA_RETURN_IF_ERROR(driver->MirrorVersion(version));
  STRATA_RETURN_IF_ERROR(tx.Commit());
  report.to_version = version;
  return Status::Ok();
}

Status RunContext::RepairIndexes(const RepairOptions& options, RepairReport& report) {
  STRATA_ASSIGN_OR_RETURN(auto invalid, driver->InvalidIndexes());
  for (const std::string& index : invalid) {
    if (!options.drop_invalid_indexes) {
      report.invalid_indexes.push_back(index);
      continue;
    }
    STRATA_RETURN_IF_ERROR(driver->DropIndex(index));
    report.actions.push_back(fmt::format("dropped INVALID index {}", index));
  }
  return Status::Ok();
}

Status RunContext::Repair(const RepairOptions& options, RepairReport& report) {
  Transaction tx(*driver, lock.get());
  std::size_t actions_before = report.actions.size();
  std::vector<plan::Applied> kept;
  for (const plan::Applied& a : applied) {
    const source::Migration* m = Find(a.version);
    if (a.state == plan::AppliedState::kDirty) {
      if (options.mark_applied) {
        driver::HistoryRow row;
        row.version = a.version;
        row.name = a.name;
        row.checksum = m ? m->checksum : a.checksum;
        row.applied_at = a.applied_at;
        row.state = driver::RowState::kApplied;
        row.strata_version = kVersion;
        STRATA_RETURN_IF_ERROR(driver->UpdateHistory(row));
        report.actions.push_back(fmt::format("marked dirty migration {} ({}) as applied", a.version, a.name));
        kept.push_back(a);
        kept.back().state = plan::AppliedState::kApplied;
      } else {
        STRATA_RETURN_IF_ERROR(driver->DeleteHistory(a.version));
        report.actions.push_back(
            fmt::format("removed dirty migration {} ({}) from the history; `strata up` runs it again", a.version, a.name));
      }
      continue;
    }
    if (options.checksums && m && !a.checksum.empty() && a.checksum != m->checksum) {
      driver::HistoryRow row;
      row.version = a.version;
      row.name = m->name;
      row.checksum = m->checksum;
      row.applied_at = a.applied_at;
      row.execution_ms = a.execution_ms;
      row.state = a.state == plan::AppliedState::kBaseline ? driver::RowState::kBaseline : driver::RowState::kApplied;
      row.strata_version = kVersion;
      STRATA_RETURN_IF_ERROR(driver->UpdateHistory(row));
      report.actions.push_back(fmt::format("updated the checksum of {} ({}) to match {}", a.version, m->name, m->up.path));
    }
    kept.push_back(a);
  }
  if (report.actions.size() == actions_before) return Status::Ok();  // nothing to commit; rolled back on exit
  STRATA_RETURN_IF_ERROR(driver->MirrorVersion(plan::CurrentVersion(kept)));
  STRATA_RETURN_IF_ERROR(tx.Commit());
  applied = std::move(kept);
  return Status::Ok();
}

}  // namespace strata::core
