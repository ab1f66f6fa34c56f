// A Driver for engine tests: the history, the run log and the executed statements live in memory,
// every call is recorded by name, and any call can be made to fail. Transactions are real: what is
// written between BeginWrite and Commit becomes visible only at Commit and Rollback discards it,
// so a test can check what a failure at any point leaves committed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.h"

namespace strata::testing {

class FakeDriver : public driver::Driver {
 public:
  // What a run left behind, as committed.
  struct State {
    std::map<std::uint64_t, driver::HistoryRow> history;
    std::vector<std::string> executed;  // statements, in order
    std::vector<driver::LogRow> log;
    std::uint64_t mirrored = 0;
    bool history_table = false;
  };

  // Every call made, by method name ("BeginWrite", "Execute", ...), in order.
  const std::vector<std::string>& calls() const { return calls_; }
  const State& committed() const { return committed_; }
  // Makes the n-th call from now on (1-based) fail with kUnavailable, once; 0 turns it off.
  void FailCall(int n) {
    fail_at_ = n == 0 ? 0 : static_cast<int>(calls_.size()) + n;
  }
  // Makes Execute fail at any statement that contains `word` (a SQL error at that statement).
  void FailStatementsWith(std::string word) { bad_word_ = std::move(word); }
  // Says yes to CommitsInOneTrip; ExecuteAndCommit then makes the calls Execute, InsertHistory and
  // Commit after its own, each of which can be made to fail.
  void SetOneTrip(bool one_trip) { one_trip_ = one_trip; }
  // Says yes to RecordsProgress, as a driver for an engine whose DDL commits by itself (MariaDB);
  // RecordProgress and Statements then work (Statements splits as Execute does).
  void SetRecordsProgress(bool records) { records_progress_ = records; }
  // Says yes to FencesHistoryWrites: history writes outside a transaction commit on their own.
  void SetFencesHistoryWrites(bool fences) { fences_ = fences; }

  Engine engine() const override { return Engine::kSqlite; }
  Result<bool> HistoryExists() override;
  Status CreateHistory() override;
  Result<std::vector<driver::HistoryRow>> ReadHistory() override;
  Result<std::int64_t> ChangeToken() override;
  Result<std::uint64_t> LegacyVersion() override;
  Result<std::unique_ptr<driver::RunLock>> LockRun() override;
  Status BeginWrite() override;
  Status Commit() override;
  void Rollback() override;
  Status Execute(std::string_view sql, const ExecOptions& options, const driver::StatementObserver& observer) override;
  bool CannotRunInTransaction(const Status& failure) const override;
  Status CheckIntegrity() override;
  Status InsertHistory(const driver::HistoryRow& row) override;
  bool CommitsInOneTrip() const override { return one_trip_; }
  Status ExecuteAndCommit(std::string_view sql, const driver::HistoryRow& row,
                          const driver::StatementObserver& observer) override;
  Status UpdateHistory(const driver::HistoryRow& row) override;
  Status DeleteHistory(std::uint64_t version) override;
  bool RecordsProgress() const override { return records_progress_; }
  bool FencesHistoryWrites() const override { return fences_; }
  Status RecordProgress(std::uint64_t version, const std::string& progress) override;
  Result<std::vector<std::pair<std::size_t, std::size_t>>> Statements(std::string_view sql) override;
  Status MirrorVersion(std::uint64_t version) override;
  Status AppendLog(const driver::LogRow& row) override;
  Result<std::vector<driver::LogRow>> ReadLog(std::size_t limit) override;
  Result<schema::Schema> Introspect(const driver::IntrospectOptions& options) override;
  Result<std::int64_t> CountRows(const std::string& schema, const std::string& table) override;
  Result<driver::TableFingerprint> Fingerprint(const std::string& schema, const std::string& table) override;
  // Answers no rows.
  Result<std::vector<Row>> Query(const std::string& sql, std::chrono::milliseconds timeout) override;

 private:
  // Records the call; kUnavailable when it is the one chosen to fail.
  Status Call(const char* name);
  // Where writes go now: the open transaction's copy, or the committed state.
  State& Target() { return in_transaction_ ? pending_ : committed_; }

  std::vector<std::string> calls_;
  int fail_at_ = 0;
  std::string bad_word_;
  State committed_, pending_;
  bool in_transaction_ = false;
  bool one_trip_ = false;
  bool records_progress_ = false;
  bool fences_ = false;
};

}  // namespace strata::testing
