// The rules of each engine, over one part (the up part of a migration) at a time. An analyzer
// lives for one lint run and learns the schema from every migration it reads, in version order.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "lint/lint.h"
#include "strata/status.h"

namespace strata::lint {

class PgAnalyzer {
 public:
  // kInvalidArgument (with sql_offset) when the part does not parse. `check` false: only learn
  // the column types (for PG006) from it.
  Result<PartLint> Analyze(std::string_view sql, bool transactional, bool check);

  struct ColumnType {
    std::string name;                // last part of the type name: "varchar", "text", "numeric"
    std::vector<long long> typmods;  // (20), (10,2)
  };

 private:
  // table -> column -> type, as far as the migrations read so far tell.
  std::map<std::string, std::map<std::string, ColumnType>> types_;
};

class MysqlAnalyzer {
 public:
  // Never fails: a part that SplitMysql refuses gives one L002 hit (when `check`). `check` false:
  // only learn the column types (for MY002) from it. `no_transaction`: the part says
  // -- strata:no-transaction (MY001).
  PartLint Analyze(std::string_view sql, bool no_transaction, bool check);

 private:
  // table -> column -> type as written ("varchar(50)", "int unsigned"), names lower-cased, as far
  // as the migrations read so far tell.
  std::map<std::string, std::map<std::string, std::string>> types_;
};

class SqliteAnalyzer {
 public:
  SqliteAnalyzer();
  ~SqliteAnalyzer();
  SqliteAnalyzer(const SqliteAnalyzer&) = delete;
  SqliteAnalyzer& operator=(const SqliteAnalyzer&) = delete;

  // Never fails. `check` false: only replay the part on the in-memory schema. `replay` false: the
  // token rules only (nothing later needs SQLite's answers: see NeedsReplay).
  PartLint Analyze(std::string_view sql, bool transactional, bool check, bool replay = true);

  // Whether SQLite's own answers could find something in `sql` (SQ002 needs a double quote, the
  // replayed SQ003 an ALTER TABLE). A cheap filter: true may be wrong, false never is.
  static bool NeedsReplay(std::string_view sql);

 private:
  struct Replay;
  std::unique_ptr<Replay> replay_;
};

}  // namespace strata::lint
