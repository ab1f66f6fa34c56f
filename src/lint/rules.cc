// The rule catalogue: IDs, default severities, one-line summaries and hints. docs/lint.md
// describes each rule at length; the IDs are part of strata's interface and never change meaning.
#include <algorithm>
#include <string_view>

#include "strata/lint.h"

namespace strata {

namespace {

constexpr const char* kExpandContract =
    "expand / migrate / contract: release the application that no longer needs the old shape first, then change "
    "the schema in a later migration";

const std::vector<LintRule> kRules = {
    {"D001", LintSeverity::kError, "both",
     "live data: a unique index or constraint over values that are duplicated now",
     "remove or merge the duplicates first (a data migration), then add the constraint"},
    {"D002", LintSeverity::kError, "both",
     "live data: NOT NULL (SET NOT NULL, a new NOT NULL column, a primary key) over rows that would violate it",
     "backfill the NULLs (or give the new column a DEFAULT) before adding NOT NULL"},
    {"D003", LintSeverity::kError, "both", "live data: a foreign key over child rows whose parent does not exist",
     "delete or fix the orphan rows first, or add the key NOT VALID and VALIDATE it after the cleanup"},
    {"D004", LintSeverity::kError, "both", "live data: a CHECK constraint that existing rows violate",
     "fix the violating rows first, or add the check NOT VALID and VALIDATE it after the cleanup"},
    {"L001", LintSeverity::kWarning, "both",
     "a strata:lint-ignore comment that is malformed, names an unknown rule, has no reason or precedes no statement",
     "write `-- strata:lint-ignore RULE[,RULE]: reason` on the line before the statement (or, for the whole file, "
     "at its top followed by a blank line)"},
    {"L002", LintSeverity::kWarning, "both", "a migration that strata cannot lint because it does not parse",
     "PostgreSQL migrations are read with the PostgreSQL 15 grammar, MariaDB ones with the mariadb client's quoting "
     "and DELIMITER rules; check the statement at the given position"},
    {"M001", LintSeverity::kError, "both",
     "ADD COLUMN ... NOT NULL without a DEFAULT: it fails as soon as the table has a row (SQLite refuses it always)",
     "add the column with a DEFAULT, or add it nullable, backfill it, then set NOT NULL in a later migration"},
    {"M002", LintSeverity::kWarning, "both",
     "DROP COLUMN breaks the application version that is still running and reads the column", kExpandContract},
    {"M003", LintSeverity::kWarning, "both",
     "RENAME COLUMN or RENAME TABLE breaks the application version that is still running and uses the old name",
     "add the new column (or table), write to both, backfill, switch the reads, drop the old one in a later "
     "release (expand / migrate / contract)"},
    {"M004", LintSeverity::kWarning, "both",
     "DROP TABLE of a table that existed before this migration breaks the application version still using it",
     kExpandContract},
    {"M005", LintSeverity::kWarning, "both",
     "UPDATE or DELETE without WHERE: every row of an existing table, locked in one transaction",
     "add the WHERE clause you mean, or change the rows in batches; if every row is meant, say so in a "
     "lint-ignore with the reason"},
    {"MY001", LintSeverity::kWarning, "mariadb",
     "several statements that change tables in use, in a migration with DDL: MariaDB commits each DDL statement, so "
     "a failure half way leaves the migration partial, with the first changes applied",
     "one change to a table in use per migration (a data change in a migration of its own runs in one transaction); "
     "if the statements belong together, make each one safe to run again and say so in a lint-ignore"},
    {"MY002", LintSeverity::kWarning, "mariadb",
     "ALTER TABLE that copies an existing table (a column type change, ADD FOREIGN KEY, DROP PRIMARY KEY, CONVERT TO "
     "CHARACTER SET, ...): writes to it wait until the copy is done",
     "add ALGORITHM=INPLACE (or INSTANT), LOCK=NONE so that MariaDB refuses instead of copying; for a type change, add "
     "a column of the new type, backfill it in batches, then switch over"},
    {"MY003", LintSeverity::kWarning, "mariadb",
     "a unique key added to an existing table (ADD UNIQUE, ADD PRIMARY KEY, CREATE UNIQUE INDEX, a UNIQUE column): "
     "it fails on the duplicates there now, and ALTER IGNORE deletes them",
     "find and merge the duplicates first (a data migration; `strata lint --url` counts them), then add the key"},
    {"PG001", LintSeverity::kWarning, "postgres",
     "CREATE INDEX without CONCURRENTLY on an existing table blocks every write to it for the whole build",
     "CREATE INDEX CONCURRENTLY, alone in a migration marked -- strata:no-transaction"},
    {"PG002", LintSeverity::kError, "postgres",
     "CONCURRENTLY (CREATE INDEX, DROP INDEX, REINDEX, DETACH PARTITION) in a migration that runs in a transaction: "
     "PostgreSQL refuses it at run time",
     "put the statement alone in a migration whose header says -- strata:no-transaction"},
    {"PG003", LintSeverity::kWarning, "postgres",
     "ADD FOREIGN KEY without NOT VALID checks every existing row while both tables are locked against writes",
     "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ... in a later "
     "migration (it takes a weaker lock)"},
    {"PG004", LintSeverity::kWarning, "postgres",
     "ADD CHECK without NOT VALID checks every existing row under an ACCESS EXCLUSIVE lock",
     "ADD CONSTRAINT ... CHECK (...) NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ... in a later migration"},
    {"PG005", LintSeverity::kWarning, "postgres",
     "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
     "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c in a later migration; then SET NOT "
     "NULL (PostgreSQL 12+ trusts the valid check and skips the scan) and drop the check"},
    {"PG006", LintSeverity::kWarning, "postgres",
     "ALTER COLUMN TYPE that rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
     "add a column of the new type, backfill it in batches, switch the application over, then drop the old column "
     "(varchar(n) to a larger n, to varchar or to text needs no rewrite)"},
    {"PG007", LintSeverity::kWarning, "postgres",
     "ADD COLUMN whose value differs per row (a volatile DEFAULT, serial, identity, a stored generated column): "
     "PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock",
     "add the column without that default, backfill it in batches, then SET DEFAULT for new rows"},
    {"PG008", LintSeverity::kWarning, "postgres",
     "ADD UNIQUE or PRIMARY KEY builds its index while the table is locked against reads and writes",
     "CREATE UNIQUE INDEX CONCURRENTLY i ON t (...) in a no-transaction migration, then ALTER TABLE t ADD CONSTRAINT "
     "c UNIQUE USING INDEX i (or PRIMARY KEY USING INDEX i)"},
    {"PG100", LintSeverity::kWarning, "postgres",
     "lock trace: a table that existed before the migration stays locked ACCESS EXCLUSIVE across later statements",
     "split the migration so that the statement taking the lock commits on its own, or move it last"},
    {"SQ001", LintSeverity::kError, "sqlite",
     "PRAGMA foreign_keys inside a migration that runs in a transaction: SQLite ignores it there",
     "strata switches foreign keys itself (Options::foreign_keys, --no-foreign-keys); or mark the migration -- "
     "strata:no-transaction"},
    {"SQ002", LintSeverity::kWarning, "sqlite",
     "a double-quoted name that no column has: SQLite silently reads it as a string literal",
     "write strings in single quotes ('text'); double quotes are for names only"},
    {"SQ003", LintSeverity::kError, "sqlite",
     "an ALTER TABLE that SQLite cannot run and strata does not rebuild the table for (ADD PRIMARY KEY, adding a "
     "UNIQUE, PRIMARY KEY, STORED or non-constant DEFAULT column; ADD/DROP CONSTRAINT, ALTER COLUMN and DROP COLUMN "
     "in a migration that runs outside a transaction)",
     "rebuild the table: CREATE TABLE new_t (...); INSERT INTO new_t SELECT ... FROM t; DROP TABLE t; ALTER TABLE "
     "new_t RENAME TO t; then recreate its indexes, triggers and views (sqlite.org/lang_altertable.html)"},
};

}  // namespace

const char* LintSeverityName(LintSeverity severity) {
  switch (severity) {
    case LintSeverity::kOff: return "off";
    case LintSeverity::kWarning: return "warning";
    case LintSeverity::kError: return "error";
  }
  return "warning";
}

const std::vector<LintRule>& LintRules() { return kRules; }

const LintRule* FindLintRule(std::string_view id) {
  auto it = std::find_if(kRules.begin(), kRules.end(), [&](const LintRule& r) { return id == r.id; });
  return it == kRules.end() ? nullptr : &*it;
}

std::size_t LintReport::errors() const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [](const LintFinding& f) {
    return f.severity == LintSeverity::kError;
  }));
}

std::size_t LintReport::warnings() const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [](const LintFinding& f) {
    return f.severity == LintSeverity::kWarning;
  }));
}

}  // namespace strata
