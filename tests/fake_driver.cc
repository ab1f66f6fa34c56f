#include "fake_driver.h"

#include <algorithm>

#include "base/text.h"
#include "sql/sqlite_lexer.h"

namespace strata::testing {

namespace {

class FakeLock : public driver::RunLock {};

}  // namespace

Status FakeDriver::Call(const char* name) {
  calls_.emplace_back(name);
  if (fail_at_ != 0 && static_cast<int>(calls_.size()) == fail_at_) {
    fail_at_ = 0;
    return Status(ErrorCode::kUnavailable, std::string("injected failure in ") + name);
  }
  return Status::Ok();
}

Result<bool> FakeDriver::HistoryExists() {
  STRATA_RETURN_IF_ERROR(Call("HistoryExists"));
  return committed_.history_table;
}

Status FakeDriver::CreateHistory() {
  STRATA_RETURN_IF_ERROR(Call("CreateHistory"));
  committed_.history_table = true;
  return Status::Ok();
}

Result<std::vector<driver::HistoryRow>> FakeDriver::ReadHistory() {
  STRATA_RETURN_IF_ERROR(Call("ReadHistory"));
  std::vector<driver::HistoryRow> rows;
  for (const auto& [v, row] : Target().history) rows.push_back(row);
  return rows;
}

Result<std::int64_t> FakeDriver::ChangeToken() {
  STRATA_RETURN_IF_ERROR(Call("ChangeToken"));
  return std::int64_t{0};  // no other connection ever writes
}

Result<std::uint64_t> FakeDriver::LegacyVersion() {
  STRATA_RETURN_IF_ERROR(Call("LegacyVersion"));
  return std::uint64_t{0};
}

Result<std::unique_ptr<driver::RunLock>> FakeDriver::LockRun() {
  STRATA_RETURN_IF_ERROR(Call("LockRun"));
  return std::unique_ptr<driver::RunLock>(std::make_unique<FakeLock>());
}

Status FakeDriver::BeginWrite() {
  STRATA_RETURN_IF_ERROR(Call("BeginWrite"));
  if (in_transaction_) return Status(ErrorCode::kInternal, "BeginWrite inside a transaction");
  pending_ = committed_;
  in_transaction_ = true;
  return Status::Ok();
}

Status FakeDriver::Commit() {
  Status st = Call("Commit");
  if (!in_transaction_) return Status(ErrorCode::kInternal, "Commit without a transaction");
  in_transaction_ = false;
  if (!st.ok()) return st;  // a failed commit loses the transaction, as a real one does
  committed_ = std::move(pending_);
  return Status::Ok();
}

void FakeDriver::Rollback() {
  calls_.emplace_back("Rollback");
  in_transaction_ = false;
}

namespace {

// The statements of `sql` split at every `;`: where each begins and ends (trimmed), and where the
// text that holds it ends (after its `;`).
struct Piece {
  std::size_t begin, end, through;
};
std::vector<Piece> SplitAtSemicolons(std::string_view sql) {
  std::vector<Piece> out;
  for (std::size_t begin = 0; begin < sql.size();) {
    std::size_t semi = sql.find(';', begin);
    std::size_t end = semi == std::string_view::npos ? sql.size() : semi + 1;
    std::size_t first = sql::SkipSpaceAndComments(sql.substr(0, end), begin);
    std::string_view statement = base::Trim(sql.substr(first, end - first));
    if (!statement.empty()) {
      std::size_t at = static_cast<std::size_t>(statement.data() - sql.data());
      out.push_back({at, at + statement.size(), end});
    }
    begin = end;
  }
  return out;
}

}  // namespace

Status FakeDriver::Execute(std::string_view sql, const ExecOptions& options, const driver::StatementObserver& observer) {
  STRATA_RETURN_IF_ERROR(Call("Execute"));
  if (options.in_transaction != in_transaction_) {
    return Status(ErrorCode::kInternal, "Execute's in_transaction does not match the driver's state");
  }
  for (const Piece& p : SplitAtSemicolons(sql)) {
    std::string_view statement = sql.substr(p.begin, p.end - p.begin);
    if (!bad_word_.empty() && statement.find(bad_word_) != std::string_view::npos) {
      return Status(ErrorCode::kSqlError, "statement failed").WithSqlOffset(p.begin);
    }
    Target().executed.emplace_back(statement);
    if (observer) observer(p.begin, p.through, 0.0);
  }
  return Status::Ok();
}

bool FakeDriver::CannotRunInTransaction(const Status&) const { return false; }

Status FakeDriver::CheckIntegrity() { return Call("CheckIntegrity"); }

Status FakeDriver::InsertHistory(const driver::HistoryRow& row) {
  STRATA_RETURN_IF_ERROR(Call("InsertHistory"));
  if (!Target().history.emplace(row.version, row).second) {
    return Status(ErrorCode::kSqlError, "duplicate version " + std::to_string(row.version));
  }
  return Status::Ok();
}

Status FakeDriver::ExecuteAndCommit(std::string_view sql, const driver::HistoryRow& row,
                                    const driver::StatementObserver& observer) {
  Status st = Call("ExecuteAndCommit");
  if (!one_trip_) return Status(ErrorCode::kInternal, "ExecuteAndCommit without CommitsInOneTrip");
  if (!in_transaction_) return Status(ErrorCode::kInternal, "ExecuteAndCommit without a transaction");
  if (st.ok()) st = Execute(sql, {.in_transaction = true}, observer);
  if (st.ok()) st = InsertHistory(row);
  if (st.ok()) return Commit();
  in_transaction_ = false;  // nothing of it is committed, and no transaction is left open
  return st;
}

Status FakeDriver::UpdateHistory(const driver::HistoryRow& row) {
  STRATA_RETURN_IF_ERROR(Call("UpdateHistory"));
  auto it = Target().history.find(row.version);
  if (it != Target().history.end()) it->second = row;
  return Status::Ok();
}

Status FakeDriver::RecordProgress(std::uint64_t version, const std::string& progress) {
  STRATA_RETURN_IF_ERROR(Call("RecordProgress"));
  if (!records_progress_ || in_transaction_) {
    return Status(ErrorCode::kInternal, "RecordProgress: not a progress-recording driver, or inside a transaction");
  }
  auto it = committed_.history.find(version);
  if (it != committed_.history.end()) it->second.progress = progress;
  return Status::Ok();
}

Result<std::vector<std::pair<std::size_t, std::size_t>>> FakeDriver::Statements(std::string_view sql) {
  STRATA_RETURN_IF_ERROR(Call("Statements"));
  if (!records_progress_) return Status(ErrorCode::kInternal, "Statements: not a progress-recording driver");
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const Piece& p : SplitAtSemicolons(sql)) out.emplace_back(p.begin, p.end);
  return out;
}

Status FakeDriver::DeleteHistory(std::uint64_t version) {
  STRATA_RETURN_IF_ERROR(Call("DeleteHistory"));
  Target().history.erase(version);
  return Status::Ok();
}

Status FakeDriver::MirrorVersion(std::uint64_t version) {
  STRATA_RETURN_IF_ERROR(Call("MirrorVersion"));
  Target().mirrored = version;
  return Status::Ok();
}

Status FakeDriver::AppendLog(const driver::LogRow& row) {
  STRATA_RETURN_IF_ERROR(Call("AppendLog"));
  committed_.log.insert(committed_.log.begin(), row);
  return Status::Ok();
}

Result<std::vector<driver::LogRow>> FakeDriver::ReadLog(std::size_t limit) {
  STRATA_RETURN_IF_ERROR(Call("ReadLog"));
  std::vector<driver::LogRow> rows = committed_.log;
  if (rows.size() > limit) rows.resize(limit);
  return rows;
}

Result<schema::Schema> FakeDriver::Introspect(const driver::IntrospectOptions&) {
  STRATA_RETURN_IF_ERROR(Call("Introspect"));
  return schema::Schema{};
}

Result<std::int64_t> FakeDriver::CountRows(const std::string&, const std::string&) {
  STRATA_RETURN_IF_ERROR(Call("CountRows"));
  return std::int64_t{0};
}

Result<std::vector<driver::Driver::Row>> FakeDriver::Query(const std::string&, std::chrono::milliseconds) {
  STRATA_RETURN_IF_ERROR(Call("Query"));
  return std::vector<Row>{};
}

Result<driver::TableFingerprint> FakeDriver::Fingerprint(const std::string&, const std::string&) {
  STRATA_RETURN_IF_ERROR(Call("Fingerprint"));
  return driver::TableFingerprint{};
}

}  // namespace strata::testing
