// Introspection on MariaDB: the schema model of the connection's database (DATABASE()) from
// information_schema, and scratch databases on the same server for `strata check`, schema diff
// and drift.
#pragma once

#include <memory>
#include <string>

#include "base/url.h"
#include "drivers/driver.h"

namespace strata::driver {

namespace mariadb {

class Connection;  // mariadb_conn.h; kept out of here for the registry, which does not see the connector

// Tables (base and system-versioned), their columns, primary keys, unique keys, checks and foreign
// keys; the other indexes; views and triggers of DATABASE(), normalized, in eight queries. Names are
// unqualified (Table::schema is empty), as on SQLite: only the connection's database is described,
// and a foreign key to another database keeps that database in ForeignKey::ref_schema. Not
// described: routines, events, sequences and partitions. `history_table`, its "_log" and "_lock"
// tables are left out unless options.include_strata_tables.
Result<schema::Schema> IntrospectMariadb(Connection& conn, const std::string& history_table,
                                         const IntrospectOptions& options);

}  // namespace mariadb

// A new database `strata_scratch_<pid>_<random>` on the server of `server`, with the default
// character set and collation of the database `server` names (so that a column's collation reads
// the same in both); dropped when the result is destroyed. The user needs the CREATE and DROP
// privileges on it.
Result<std::unique_ptr<ScratchDatabase>> CreateMariadbScratch(const base::DatabaseUrl& server);

// Templates and test databases (`strata testdb`) on the server of `server`, connecting to the
// database it names. A template is copied object by object (MariaDB cannot copy or rename a
// database): its schema from the dump, its rows with INSERT ... SELECT, its AUTO_INCREMENT
// counters; routines, events and sequences, which strata does not read, are not copied. Needs
// MariaDB 10.5 or later (a complete template is marked by its database comment).
Result<std::unique_ptr<TemplateStore>> OpenMariadbTemplates(const base::DatabaseUrl& server);

}  // namespace strata::driver
