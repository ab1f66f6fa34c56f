// The conformance suite every driver must pass (after golang-migrate's database/testing). An
// engine's test file provides a harness that opens fresh, empty databases, declares what the engine
// can do beyond the interface's minimum, and instantiates the suite with
//   INSTANTIATE_TEST_SUITE_P(Engine, DriverConformance, ::testing::Values(ConformanceParams{...}),
//                            ConformanceName);
// Everything is exercised through the Driver interface only; an engine's own file adds what is
// peculiar to it (its grammar, its files, its catalog).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>

#include "drivers/driver.h"

namespace strata::testing {

class DriverHarness {
 public:
  virtual ~DriverHarness() = default;
  // Opens a connection to this harness's database (the same database on every call).
  virtual Result<std::unique_ptr<driver::Driver>> Open(const driver::OpenOptions& options) = 0;
  // Whether the database exists now (SQLite: its file). Engines whose databases are made outside
  // strata (PostgreSQL: by the server's administrator) return true.
  virtual bool DatabaseExists() const = 0;
};

using HarnessFactory = std::function<std::unique_ptr<DriverHarness>()>;

// What an engine does beyond the interface's minimum. The suite checks each declaration both ways:
// a capability claimed must work, and one disclaimed must fail the documented way.
struct Capabilities {
  // BackupTo/RestoreFrom copy the whole database to and from a file, and DatabasePath() names the
  // database file (SQLite). false: both return kFailedPrecondition and DatabasePath() is empty.
  bool backups = false;
  // The largest version that MirrorVersion records where LegacyVersion reads it back (SQLite:
  // INT_MAX, PRAGMA user_version); larger versions leave the previous value. 0: the engine has no
  // such place and LegacyVersion is always 0.
  std::uint64_t max_mirrored_version = 0;
  // The first writable open creates the database (SQLite: its file), so a read-only open may find
  // none: it must then create nothing and refuse writes. false: databases are made outside strata
  // and the harness's database exists before the first open.
  bool open_creates_database = false;
  // A transaction rolls back its DDL with its data (SQLite, PostgreSQL). false: every DDL statement
  // commits the open transaction before it runs and commits itself (MariaDB), so a rollback leaves
  // the DDL and what ran before it in place, and what runs after it is no longer in a transaction.
  bool transactional_ddl = false;
  // CREATE INDEX ... WHERE makes a partial index that Introspect reads back as Index::where (SQLite,
  // PostgreSQL). false: the engine refuses the WHERE clause.
  bool partial_indexes = false;
};

// How the engine spells what the suite's engine-neutral SQL creates, where the engines differ.
struct Spellings {
  // schema::Table::schema (and Index/View::schema, ForeignKey::ref_schema) of an unqualified
  // table: "" on SQLite, "public" on PostgreSQL.
  std::string default_schema;
  // Column::type of columns declared `integer` and `text`: "INTEGER" and "TEXT" on SQLite,
  // "integer" and "text" on PostgreSQL.
  std::string integer_type;
  std::string text_type;
  // Column::type of columns declared EngineSql::key_text: the text type again on SQLite and
  // PostgreSQL, "varchar(64)" on MariaDB.
  std::string key_text_type;
  // PrimaryKey::name of a key declared `CONSTRAINT name PRIMARY KEY`: that name. false: the engine
  // names every primary key alike (MariaDB: PRIMARY) and the model leaves the name empty.
  bool primary_key_names = false;
  // A unique index on plain columns is read back as Table::uniques rather than as an index, because
  // the engine makes no difference between it and a UNIQUE constraint (MariaDB). false: it is an
  // index (SQLite, PostgreSQL).
  bool unique_indexes_are_constraints = false;
  // ForeignKey::on_update of a key declared without ON UPDATE: "NO ACTION" on SQLite and
  // PostgreSQL, "RESTRICT" on MariaDB (the same behaviour under another name).
  std::string unspecified_fk_action;
  // A foreign key whose columns no index begins with gets an index of its own, named after the key,
  // which Introspect lists with the others (MariaDB: InnoDB makes it, and no catalog tells it from
  // one made by hand). false: only the indexes created are listed.
  bool foreign_keys_make_indexes = false;
  // How View::definition begins: "SELECT" on SQLite (as written) and PostgreSQL (as it prints the
  // query); "select" on MariaDB, which keeps its own rewrite of the query.
  std::string view_definition_start;
};

// Engine-specific SQL for what no statement that every engine accepts can do.
struct EngineSql {
  // The character that quotes an identifier, doubled inside one: '"' on SQLite and PostgreSQL, '`' on
  // MariaDB (which reads "..." as a string unless sql_mode has ANSI_QUOTES).
  char identifier_quote = '"';
  // A text type that an index key may be: "text" on SQLite and PostgreSQL; on MariaDB a key on TEXT
  // needs a prefix length, so "varchar(64)".
  std::string key_text;
  // A statement that fails inside a transaction only because it is inside one, and runs outside
  // (SQLite and PostgreSQL: VACUUM; MariaDB: SET TRANSACTION ISOLATION LEVEL, which may not change
  // a transaction in progress).
  std::string outside_transaction_only;
  // Statements that fail and leave behind an index the engine marks unusable, which
  // InvalidIndexes() then names `invalid_index` (PostgreSQL: a unique CREATE INDEX CONCURRENTLY
  // over duplicate keys). Empty where the engine has no such thing: InvalidIndexes() is then
  // always empty.
  std::string make_invalid_index;
  std::string invalid_index;
};

struct ConformanceParams {
  std::string name;  // the test-name suffix: "sqlite"
  HarnessFactory harness;
  Capabilities can;
  Spellings spelling;
  EngineSql sql;
};

// `result`'s value, or `fallback` when it is an error: EXPECT_EQ(ValueOr(d->CountRows("", "t"), -1), 3).
template <typename T, typename U>
T ValueOr(const Result<T>& result, U&& fallback) {
  return result.ok() ? *result : T(std::forward<U>(fallback));
}

// Test names end in the engine's name rather than in the bytes of the parameter.
std::string ConformanceName(const ::testing::TestParamInfo<ConformanceParams>& info);
void PrintTo(const ConformanceParams& params, std::ostream* os);

class DriverConformance : public ::testing::TestWithParam<ConformanceParams> {
 protected:
  void SetUp() override { harness_ = GetParam().harness(); }
  std::unique_ptr<driver::Driver> OpenOrDie(driver::OpenOptions options = {});
  // Runs `sql` in autocommit mode: ASSERT_TRUE(Run(*d, "...")).
  static ::testing::AssertionResult Run(driver::Driver& d, const std::string& sql);
  // `name` as an identifier in the engine's SQL, its quote character doubled.
  static std::string Quoted(const std::string& name);

  const Capabilities& can() const { return GetParam().can; }

  std::unique_ptr<DriverHarness> harness_;
};

}  // namespace strata::testing
