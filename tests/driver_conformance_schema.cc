// The conformance suite, part two: what a driver reads from the engine's catalog and tables
// (Introspect, CountRows, Fingerprint, InvalidIndexes). The SQL is what every engine accepts;
// where engines spell the result differently, the instantiating file says how (Spellings).
#include <algorithm>
#include <string>
#include <vector>

#include "driver_conformance.h"
#include "strata/schema.h"

namespace strata::testing {
namespace {

using Strings = std::vector<std::string>;

// Created in an order that is not the sorted one (tables, indexes and foreign keys alike), so that
// a driver that hands back the catalog's order is caught. Every key column is declared NOT NULL
// (SQLite would otherwise call it nullable), and every constraint is named (engines invent
// different names for unnamed ones). Text columns in an index key are EngineSql::key_text; the
// index on note is partial where the engine has partial indexes.
std::string ShopSql(const ConformanceParams& p) {
  const std::string& key_text = p.sql.key_text;
  return R"sql(
CREATE TABLE shop_users (
  id integer NOT NULL,
  email )sql" + key_text + R"sql( NOT NULL,
  nick text,
  score integer DEFAULT 0,
  CONSTRAINT shop_users_pk PRIMARY KEY (id)
);
CREATE TABLE shop_orders (
  id integer NOT NULL,
  user_id integer NOT NULL,
  referrer_id integer,
  note )sql" + key_text + R"sql(,
  CONSTRAINT shop_orders_pk PRIMARY KEY (id),
  CONSTRAINT shop_orders_user_fk FOREIGN KEY (user_id) REFERENCES shop_users (id) ON DELETE CASCADE,
  CONSTRAINT shop_orders_referrer_fk FOREIGN KEY (referrer_id) REFERENCES shop_users (id) ON DELETE SET NULL
);
CREATE TABLE shop_audit (at text, what text);
CREATE UNIQUE INDEX shop_users_email ON shop_users (email);
CREATE INDEX shop_orders_user_note ON shop_orders (user_id, note);
CREATE INDEX shop_orders_noted ON shop_orders (note))sql" +
         (p.can.partial_indexes ? " WHERE note IS NOT NULL" : "") + R"sql(;
CREATE VIEW shop_big_spenders AS SELECT id, email FROM shop_users WHERE score > 100;
CREATE VIEW shop_active AS SELECT id FROM shop_users WHERE nick IS NOT NULL;
)sql";
}

// The indexes of the shop, by name: the unique one is a constraint where the engine reads it so,
// and the key on referrer_id (which no index begins with) has one of its own where the engine makes
// it.
std::vector<std::string> ShopIndexes(const Spellings& spelling) {
  Strings out = {"shop_orders_noted"};
  if (spelling.foreign_keys_make_indexes) out.push_back("shop_orders_referrer_fk");
  out.push_back("shop_orders_user_note");
  if (!spelling.unique_indexes_are_constraints) out.push_back("shop_users_email");
  return out;
}

template <typename T>
const T* Named(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

template <typename T>
Strings Names(const std::vector<T>& items) {
  Strings out;
  for (const T& item : items) out.push_back(item.name);
  return out;
}

// An identifier as SQL writes it ("note" or note) compared by what it names.
std::string Unquoted(std::string key) {
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
  return key;
}

Strings UnquotedKeys(const schema::Index& index) {
  Strings out;
  for (const std::string& k : index.keys) out.push_back(Unquoted(k));
  return out;
}

// Every ordered list of the model, as "kind: name" lines in the order the driver gave them.
Strings Order(const schema::Schema& s) {
  Strings out;
  for (const auto& t : s.tables) {
    out.push_back("table: " + t.schema + "." + t.name);
    for (const auto& fk : t.foreign_keys) out.push_back("  foreign key: " + fk.name);
    for (const auto& u : t.uniques) out.push_back("  unique: " + u.name);
    for (const auto& c : t.checks) out.push_back("  check: " + c.name + " " + c.expression);
  }
  for (const auto& i : s.indexes) out.push_back("index: " + i.schema + "." + i.name);
  for (const auto& v : s.views) out.push_back("view: " + v.schema + "." + v.name);
  for (const auto& q : s.sequences) out.push_back("sequence: " + q.schema + "." + q.name);
  for (const auto& t : s.triggers) out.push_back("trigger: " + t.schema + "." + t.name);
  return out;
}

schema::Schema IntrospectOk(driver::Driver& d, bool include_strata_tables = false) {
  driver::IntrospectOptions options;
  options.include_strata_tables = include_strata_tables;
  auto s = d.Introspect(options);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : schema::Schema();
}

TEST_P(DriverConformance, IntrospectsAnEmptyDatabaseAsEmpty) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  schema::Schema s = IntrospectOk(*d);
  EXPECT_EQ(s.dialect, EngineName(d->engine()));
  EXPECT_TRUE(s.tables.empty());
  EXPECT_TRUE(s.indexes.empty());
  EXPECT_TRUE(s.views.empty());
}

TEST_P(DriverConformance, IntrospectsTablesColumnsAndKeys) {
  const Spellings& spelling = GetParam().spelling;
  const std::string& home = spelling.default_schema;
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, ShopSql(GetParam())));
  schema::Schema s = IntrospectOk(*d);
  EXPECT_EQ(s.dialect, EngineName(d->engine()));
  EXPECT_EQ(Names(s.tables), (Strings{"shop_audit", "shop_orders", "shop_users"})) << "views are not tables";

  const schema::Table* users = Named(s.tables, "shop_users");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->schema, home);
  EXPECT_EQ(Names(users->columns), (Strings{"id", "email", "nick", "score"})) << "columns keep their table order";
  ASSERT_EQ(users->columns.size(), 4u);
  const schema::Column& id = users->columns[0];
  const schema::Column& email = users->columns[1];
  const schema::Column& nick = users->columns[2];
  const schema::Column& score = users->columns[3];
  EXPECT_EQ(id.type, spelling.integer_type);
  EXPECT_TRUE(id.not_null);
  EXPECT_EQ(id.default_value, std::nullopt);
  EXPECT_EQ(email.type, spelling.key_text_type);
  EXPECT_TRUE(email.not_null);
  EXPECT_EQ(nick.type, spelling.text_type);
  EXPECT_FALSE(nick.not_null);
  EXPECT_EQ(nick.default_value, std::nullopt) << "no default is not an empty default";
  EXPECT_EQ(score.type, spelling.integer_type);
  EXPECT_FALSE(score.not_null);
  EXPECT_EQ(score.default_value, "0");
  for (const schema::Column& c : users->columns) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.generated, "");
    EXPECT_EQ(c.identity, "");
    EXPECT_EQ(c.collation, "");
  }
  ASSERT_TRUE(users->primary_key.has_value());
  EXPECT_EQ(users->primary_key->name, spelling.primary_key_names ? "shop_users_pk" : "");
  EXPECT_EQ(users->primary_key->columns, Strings{"id"});
  EXPECT_FALSE(users->primary_key->autoincrement);
  EXPECT_TRUE(users->foreign_keys.empty());
  if (spelling.unique_indexes_are_constraints) {
    ASSERT_EQ(users->uniques.size(), 1u);
    EXPECT_EQ(users->uniques[0].name, "shop_users_email");
    EXPECT_EQ(users->uniques[0].columns, Strings{"email"});
  } else {
    EXPECT_TRUE(users->uniques.empty()) << "a unique index is an index, not a constraint";
  }

  const schema::Table* audit = Named(s.tables, "shop_audit");
  ASSERT_NE(audit, nullptr);
  EXPECT_FALSE(audit->primary_key.has_value());

  const schema::Table* orders = Named(s.tables, "shop_orders");
  ASSERT_NE(orders, nullptr);
  ASSERT_EQ(orders->foreign_keys.size(), 2u);
  const schema::ForeignKey* user_fk = Named(orders->foreign_keys, "shop_orders_user_fk");
  ASSERT_NE(user_fk, nullptr);
  EXPECT_EQ(user_fk->columns, Strings{"user_id"});
  EXPECT_EQ(user_fk->ref_schema, home);
  EXPECT_EQ(user_fk->ref_table, "shop_users");
  EXPECT_EQ(user_fk->ref_columns, Strings{"id"});
  EXPECT_EQ(user_fk->on_delete, "CASCADE");
  EXPECT_EQ(user_fk->on_update, spelling.unspecified_fk_action);
  EXPECT_FALSE(user_fk->deferrable);
  const schema::ForeignKey* referrer_fk = Named(orders->foreign_keys, "shop_orders_referrer_fk");
  ASSERT_NE(referrer_fk, nullptr);
  EXPECT_EQ(referrer_fk->columns, Strings{"referrer_id"});
  EXPECT_EQ(referrer_fk->on_delete, "SET NULL");
}

TEST_P(DriverConformance, IntrospectsIndexesAndViews) {
  const Spellings& spelling = GetParam().spelling;
  const std::string& home = spelling.default_schema;
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, ShopSql(GetParam())));
  schema::Schema s = IntrospectOk(*d);
  EXPECT_EQ(Names(s.indexes), ShopIndexes(spelling)) << "indexes behind a primary key are not listed";

  if (!spelling.unique_indexes_are_constraints) {
    const schema::Index* email = Named(s.indexes, "shop_users_email");
    ASSERT_NE(email, nullptr);
    EXPECT_EQ(email->schema, home);
    EXPECT_EQ(email->table, "shop_users");
    EXPECT_TRUE(email->unique);
    EXPECT_EQ(UnquotedKeys(*email), Strings{"email"});
    EXPECT_EQ(email->where, "");
  }  // else IntrospectsTablesColumnsAndKeys checks it among the table's unique constraints

  const schema::Index* user_note = Named(s.indexes, "shop_orders_user_note");
  ASSERT_NE(user_note, nullptr);
  EXPECT_EQ(user_note->table, "shop_orders");
  EXPECT_FALSE(user_note->unique);
  EXPECT_EQ(UnquotedKeys(*user_note), (Strings{"user_id", "note"})) << "key order is the index's";

  const schema::Index* noted = Named(s.indexes, "shop_orders_noted");
  ASSERT_NE(noted, nullptr);
  EXPECT_FALSE(noted->unique);
  if (spelling.foreign_keys_make_indexes) {
    const schema::Index* referrer = Named(s.indexes, "shop_orders_referrer_fk");
    ASSERT_NE(referrer, nullptr);
    EXPECT_EQ(referrer->table, "shop_orders");
    EXPECT_FALSE(referrer->unique);
    EXPECT_EQ(UnquotedKeys(*referrer), Strings{"referrer_id"});
  }
  if (can().partial_indexes) {
    EXPECT_EQ(noted->where, "note IS NOT NULL");
  } else {
    EXPECT_EQ(noted->where, "");
    EXPECT_FALSE(Run(*d, "CREATE INDEX shop_orders_partial ON shop_orders (note) WHERE note IS NOT NULL;"))
        << "partial_indexes is false, yet the engine took a partial index";
  }

  EXPECT_EQ(Names(s.views), (Strings{"shop_active", "shop_big_spenders"}));
  ASSERT_FALSE(spelling.view_definition_start.empty()) << "Spellings::view_definition_start is not set";
  for (const schema::View& v : s.views) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(v.schema, home);
    EXPECT_FALSE(v.materialized);
    EXPECT_EQ(v.definition.rfind(spelling.view_definition_start, 0), 0u) << v.definition;
    EXPECT_NE(v.definition.find("shop_users"), std::string::npos) << v.definition;
    EXPECT_EQ(v.definition.find('\n'), std::string::npos) << "not whitespace-normalized: " << v.definition;
  }
}

// Two databases with the same schema give equal models whatever order their objects were created
// in: the driver hands back the normal form, which Normalize leaves as it is.
TEST_P(DriverConformance, IntrospectReturnsTheNormalForm) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, ShopSql(GetParam())));
  schema::Schema s = IntrospectOk(*d);
  schema::Schema normal = s;
  schema::Normalize(normal);
  EXPECT_EQ(Order(s), Order(normal));
  EXPECT_EQ(schema::Diff(s, normal).size(), 0u);
  // The foreign keys were declared user_fk first; the normal form sorts them by name.
  const schema::Table* orders = Named(s.tables, "shop_orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(Names(orders->foreign_keys), (Strings{"shop_orders_referrer_fk", "shop_orders_user_fk"}));

  // Inside a transaction the driver sees that transaction's own DDL (which a rollback undoes only
  // where DDL is transactional).
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->Execute("CREATE TABLE shop_extra (x integer);", {.in_transaction = true}, nullptr).ok());
  schema::Schema inside = IntrospectOk(*d);
  d->Rollback();
  EXPECT_NE(Named(inside.tables, "shop_extra"), nullptr);
  EXPECT_EQ(Named(IntrospectOk(*d).tables, "shop_extra") == nullptr, can().transactional_ddl);
}

TEST_P(DriverConformance, StrataTablesAreDescribedOnlyWhenAskedFor) {
  for (const std::string table : {"strata_schema_history", "team_history"}) {
    SCOPED_TRACE(table);
    driver::OpenOptions options;
    options.history_table = table;
    auto d = OpenOrDie(options);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->CreateHistory().ok());
    driver::LogRow run;
    run.started_at = run.finished_at = "2025-01-30T10:00:00.000Z";
    run.command = "up";
    run.outcome = "ok";
    ASSERT_TRUE(d->AppendLog(run).ok());
    ASSERT_TRUE(Run(*d, "CREATE TABLE IF NOT EXISTS app_data (x integer);"));

    // The first project's tables are ordinary data to the second one.
    Strings app = table == "team_history"
                      ? Strings{"app_data", "strata_schema_history", "strata_schema_history_log"}
                      : Strings{"app_data"};
    EXPECT_EQ(Names(IntrospectOk(*d).tables), app);
    Strings all = app;
    all.push_back(table);
    all.push_back(table + "_log");
    std::sort(all.begin(), all.end());
    EXPECT_EQ(Names(IntrospectOk(*d, /*include_strata_tables=*/true).tables), all);
  }
}

TEST_P(DriverConformance, CountsAndFingerprintsEmptyTables) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, "CREATE TABLE empty_a (id integer, t text); CREATE TABLE empty_b (id integer, t text);"));
  auto count = d->CountRows("", "empty_a");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 0);
  auto a = d->Fingerprint("", "empty_a");
  auto b = d->Fingerprint("", "empty_b");
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  EXPECT_EQ(a->rows, 0);
  EXPECT_FALSE(a->hash.empty());
  EXPECT_EQ(a->hash, b->hash) << "two empty tables hold the same contents";
  ASSERT_TRUE(Run(*d, "INSERT INTO empty_b VALUES (NULL, NULL);"));
  auto one = d->Fingerprint("", "empty_b");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->rows, 1);
  EXPECT_NE(one->hash, a->hash) << "a row of NULLs is still a row";
}

TEST_P(DriverConformance, CountingAMissingTableIsAnError) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  auto count = d->CountRows("", "no_such_table");
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.status().code(), ErrorCode::kSqlError) << count.status().ToString();
  EXPECT_NE(count.status().message().find("no_such_table"), std::string::npos) << count.status().message();
  auto print = d->Fingerprint("", "no_such_table");
  ASSERT_FALSE(print.ok());
  EXPECT_EQ(print.status().code(), ErrorCode::kSqlError) << print.status().ToString();
  EXPECT_NE(print.status().message().find("no_such_table"), std::string::npos) << print.status().message();
  // The connection is still usable afterwards.
  ASSERT_TRUE(Run(*d, "CREATE TABLE present (x integer);"));
  EXPECT_EQ(*d->CountRows("", "present"), 0);
}

// Names are quoted: a table named with a space, both quote characters and mixed case, whose column
// is a keyword, is still one table.
TEST_P(DriverConformance, CountsAndFingerprintsTablesWithNamesThatNeedQuoting) {
  const std::string name = "Order \"Lines\" `x`";
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, "CREATE TABLE " + Quoted(name) + " (" + Quoted("select") + " integer);" + "INSERT INTO " +
                          Quoted(name) + " VALUES (1), (2);"));
  EXPECT_EQ(ValueOr(d->CountRows("", name), -1), 2);
  auto print = d->Fingerprint("", name);
  ASSERT_TRUE(print.ok()) << print.status().ToString();
  EXPECT_EQ(print->rows, 2);
}

// --verify-data fingerprints inside the migration's transaction, before it commits.
TEST_P(DriverConformance, CountsAndFingerprintsSeeTheOpenTransaction) {
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, "CREATE TABLE tx_rows (x integer); INSERT INTO tx_rows VALUES (1);"));
  auto before = d->Fingerprint("", "tx_rows");
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(d->BeginWrite().ok());
  ASSERT_TRUE(d->Execute("INSERT INTO tx_rows VALUES (2);", {.in_transaction = true}, nullptr).ok());
  auto count = d->CountRows("", "tx_rows");
  auto inside = d->Fingerprint("", "tx_rows");
  d->Rollback();
  ASSERT_TRUE(count.ok() && inside.ok()) << count.status().ToString() << inside.status().ToString();
  EXPECT_EQ(*count, 2);
  EXPECT_EQ(inside->rows, 2);
  EXPECT_NE(inside->hash, before->hash);
  auto after = d->Fingerprint("", "tx_rows");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->hash, before->hash) << "the rollback restored the contents";
}

TEST_P(DriverConformance, InvalidIndexesAreListedAndDropped) {
  const EngineSql& sql = GetParam().sql;
  auto d = OpenOrDie();
  ASSERT_TRUE(d);
  ASSERT_TRUE(Run(*d, ShopSql(GetParam())));
  auto none = d->InvalidIndexes();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, Strings{}) << "valid indexes are not invalid";
  if (sql.make_invalid_index.empty()) return;  // the engine has no such thing: always empty

  EXPECT_FALSE(d->Execute(sql.make_invalid_index, {.in_transaction = false}, nullptr).ok())
      << "EngineSql::make_invalid_index must fail to leave an invalid index behind";
  auto invalid = d->InvalidIndexes();
  ASSERT_TRUE(invalid.ok()) << invalid.status().ToString();
  EXPECT_EQ(*invalid, Strings{sql.invalid_index});
  Status dropped = d->DropIndex(sql.invalid_index);
  ASSERT_TRUE(dropped.ok()) << dropped.ToString();
  auto after = d->InvalidIndexes();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, Strings{});
  EXPECT_EQ(Names(IntrospectOk(*d).indexes), ShopIndexes(GetParam().spelling));
}

}  // namespace
}  // namespace strata::testing
