#include "strata/schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace strata::schema {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(STRATA_SOURCE_DIR) + "/tests/fixtures/schema/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Column Col(std::string name, std::string type, bool not_null = false) {
  return Column{.name = std::move(name), .type = std::move(type), .not_null = not_null};
}

Column WithDefault(Column c, std::string value) {
  c.default_value = std::move(value);
  return c;
}

// Every SQLite feature the dump knows: AUTOINCREMENT, COLLATE, defaults (literal and expression),
// generated columns, named and unnamed checks, foreign key actions, DEFERRABLE, WITHOUT ROWID and
// STRICT, partial and expression indexes, views that depend on a later-named view, a trigger.
Schema SqliteModel() {
  Schema s;
  s.dialect = "sqlite";
  Table users{.name = "users"};
  users.columns = {Col("id", "INTEGER", true),
                   Column{.name = "email", .type = "TEXT", .not_null = true, .collation = "NOCASE"},
                   WithDefault(Col("name", "TEXT"), "'anon'"),
                   WithDefault(Col("created_at", "TEXT", true), "CURRENT_TIMESTAMP"),
                   WithDefault(Col("score", "REAL"), "-1.5"),
                   WithDefault(Col("slug", "TEXT"), "lower(hex(randomblob(4)))"),
                   Column{.name = "domain", .type = "TEXT", .generated = "substr(email, instr(email, '@') + 1)"}};
  users.primary_key = PrimaryKey{.columns = {"id"}, .autoincrement = true};
  users.uniques = {{.columns = {"email"}}};
  users.checks = {{.name = "email_has_at", .expression = "instr(email, '@') > 0"}};
  Table posts{.name = "posts"};
  posts.columns = {Col("id", "INTEGER"), Col("user_id", "INTEGER", true), Col("editor_id", "INTEGER"),
                   Col("title", "TEXT", true)};
  posts.primary_key = PrimaryKey{.columns = {"id"}};
  posts.checks = {{.expression = "length(title) > 0"}};
  posts.foreign_keys = {{.columns = {"user_id"},
                         .ref_table = "users",
                         .ref_columns = {"id"},
                         .on_delete = "CASCADE",
                         .deferrable = true,
                         .initially_deferred = true},
                        {.columns = {"editor_id"}, .ref_table = "users", .on_delete = "SET NULL"}};
  Table tags{.name = "post tags", .without_rowid = true, .strict = true};
  tags.columns = {Col("post_id", "INTEGER", true), Col("tag", "TEXT", true)};
  tags.primary_key = PrimaryKey{.columns = {"post_id", "tag"}};
  tags.foreign_keys = {{.name = "fk_tags_post",
                        .columns = {"post_id"},
                        .ref_table = "posts",
                        .ref_columns = {"id"},
                        .on_update = "CASCADE"}};
  s.tables = {users, tags, posts};
  s.indexes = {{.name = "idx_users_named_email",
                .table = "users",
                .unique = true,
                .keys = {"\"email\""},
                .where = "name IS NOT NULL"},
               {.name = "idx_posts_title", .table = "posts", .keys = {"lower(title)", "\"id\" DESC"}}};
  s.views = {{.name = "a_recent", .definition = "SELECT * FROM \"b_base\" WHERE id > 10"},
             {.name = "b_base", .definition = "SELECT id, title FROM posts;"}};
  s.triggers = {{.name = "trg_posts_touch",
                 .table = "posts",
                 .definition = "CREATE TRIGGER \"trg_posts_touch\" AFTER UPDATE ON \"posts\" BEGIN UPDATE \"users\" "
                               "SET \"score\" = \"score\" + 1 WHERE \"id\" = NEW.\"user_id\"; END"}};
  return s;
}

// Every PostgreSQL feature: a schema, an enum, an owned (SERIAL) sequence, a function, identity
// and generated columns, COLLATE, a cross-schema deferrable foreign key, a partial index with
// INCLUDE, a materialized view with an index, views in dependency order, a trigger. The texts are
// those PostgreSQL 15 gives back, so the expected dump also loads and reads back unchanged.
Schema PostgresModel() {
  Schema s;
  s.dialect = "postgres";
  s.schemas = {"app"};
  s.enums = {{.schema = "public", .name = "mood", .labels = {"sad", "ok", "happy"}}};
  s.sequences = {{.schema = "public",
                  .name = "orders_id_seq",
                  .type = "integer",
                  .max_value = 2147483647,
                  .owned_by = "orders.id"}};
  s.functions = {{.schema = "public",
                  .name = "touch_updated_at",
                  .arguments = "",
                  .definition = "CREATE OR REPLACE FUNCTION public.touch_updated_at()\n RETURNS trigger\n LANGUAGE "
                                "plpgsql\nAS $function$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND\n"
                                "$function$\n"}};
  Table accounts{.schema = "app", .name = "accounts"};
  accounts.columns = {Column{.name = "id", .type = "bigint", .not_null = true, .identity = "ALWAYS"},
                      Column{.name = "name", .type = "text", .not_null = true, .collation = "C"}};
  accounts.primary_key = PrimaryKey{.name = "accounts_pkey", .columns = {"id"}};
  accounts.uniques = {{.name = "accounts_name_key", .columns = {"name"}}};
  Table orders{.schema = "public", .name = "orders"};
  orders.columns = {
      WithDefault(Col("id", "integer", true), "nextval('orders_id_seq'::regclass)"),
      Col("account_id", "bigint", true),
      WithDefault(Col("status", "mood", true), "'ok'::mood"),
      Col("amount", "numeric(10,2)", true),
      Column{.name = "total", .type = "numeric(12,2)", .generated = "(amount * 1.2)", .generated_stored = true},
      Col("updated_at", "timestamp with time zone")};
  orders.primary_key = PrimaryKey{.name = "orders_pkey", .columns = {"id"}};
  orders.checks = {{.name = "orders_amount_check", .expression = "(amount > (0)::numeric)"}};
  orders.foreign_keys = {{.name = "orders_account_id_fkey",
                          .columns = {"account_id"},
                          .ref_schema = "app",
                          .ref_table = "accounts",
                          .ref_columns = {"id"},
                          .on_delete = "CASCADE",
                          .deferrable = true,
                          .initially_deferred = true}};
  s.tables = {orders, accounts};
  s.indexes = {{.schema = "public",
                .name = "order_totals_idx",
                .table = "order_totals",
                .keys = {"account_id"},
                .method = "btree"},
               {.schema = "public",
                .name = "orders_open_idx",
                .table = "orders",
                .keys = {"account_id"},
                .where = "status <> 'happy'::mood",
                .method = "btree",
                .include = {"amount"}},
               {.schema = "public",
                .name = "orders_updated_idx",
                .table = "orders",
                .keys = {"updated_at DESC"},
                .method = "btree"}};
  s.views = {
      {.schema = "public",
       .name = "order_totals",
       .definition = "SELECT orders.account_id, sum(orders.amount) AS total FROM orders GROUP BY orders.account_id",
       .materialized = true},
      {.schema = "public",
       .name = "open_orders",
       .definition = "SELECT orders.id, orders.account_id FROM orders WHERE orders.status <> 'happy'::mood;"},
      {.schema = "public",
       .name = "a_order_summary",
       .definition = "SELECT open_orders.account_id, count(*) AS n FROM open_orders GROUP BY open_orders.account_id;"}};
  s.triggers = {{.schema = "public",
                 .name = "orders_touch",
                 .table = "orders",
                 .definition = "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE "
                               "FUNCTION touch_updated_at()"}};
  return s;
}

template <typename T>
void Reverse(std::vector<T>& v) {
  std::reverse(v.begin(), v.end());
}

TEST(Normalize, MakesDifferentlyOrderedModelsEqual) {
  Schema a = PostgresModel(), b = PostgresModel();
  b.schemas = {"zeta", "app"};
  a.schemas = {"app", "zeta"};
  Reverse(b.tables);
  Reverse(b.indexes);
  Reverse(b.views);
  a.tables[0].checks.push_back({.expression = "b > 0"});
  a.tables[0].checks.push_back({.expression = "a > 0"});
  b.tables[1].checks.push_back({.expression = "a > 0"});
  b.tables[1].checks.push_back({.expression = "b > 0"});
  Normalize(a);
  Normalize(b);
  ASSERT_EQ(Dump(a), Dump(b));
  EXPECT_TRUE(Diff(a, b).empty());
  EXPECT_EQ(a.tables[0].name, "accounts");
  EXPECT_EQ(b.tables[1].checks[0].expression, "a > 0");  // unnamed sort before named
}

TEST(Normalize, KeepsColumnsKeyColumnsAndEnumLabelsInOrder) {
  Schema s = PostgresModel();
  s.tables[0].primary_key->columns = {"status", "id"};
  Normalize(s);
  EXPECT_EQ(s.tables[1].name, "orders");
  EXPECT_EQ(s.tables[1].columns[0].name, "id");
  EXPECT_EQ(s.tables[1].columns[1].name, "account_id");
  EXPECT_EQ(s.tables[1].primary_key->columns, (std::vector<std::string>{"status", "id"}));
  EXPECT_EQ(s.enums[0].labels, (std::vector<std::string>{"sad", "ok", "happy"}));
}

TEST(Structure, KeepsWhatMeansTheSameOnEveryEngine) {
  Schema lite;
  lite.dialect = "sqlite";
  Table parent{.name = "p", .columns = {Col("id", "INTEGER")}, .primary_key = PrimaryKey{"", {"id"}, true}};
  Table child{.name = "c", .columns = {Col("id", "INTEGER"), Col("p_id", "INTEGER")}};
  child.foreign_keys.push_back({.columns = {"p_id"}, .ref_table = "p", .on_delete = "CASCADE"});
  lite.tables = {parent, child};
  lite.indexes.push_back({.name = "c_p", .table = "c", .keys = {"\"p_id\""}});
  lite.triggers.push_back({.name = "t", .table = "c", .definition = "CREATE TRIGGER t ..."});

  Schema pg;
  pg.dialect = "postgres";
  Table pparent{.schema = "public", .name = "p", .columns = {Col("id", "bigint", true)},
                .primary_key = PrimaryKey{"p_pkey", {"id"}, false}};
  Table pchild{.schema = "public", .name = "c", .columns = {Col("id", "integer"), Col("p_id", "integer")}};
  pchild.foreign_keys.push_back(
      {.name = "c_p_id_fkey", .columns = {"p_id"}, .ref_schema = "public", .ref_table = "p", .ref_columns = {"id"},
       .on_delete = "CASCADE"});
  pchild.checks.push_back({"c_check", "id > 0"});
  pg.tables = {pparent, pchild};
  pg.indexes.push_back({.schema = "public", .name = "c_p", .table = "c", .keys = {"p_id"}, .method = "btree"});

  EXPECT_TRUE(Diff(Structure(lite), Structure(pg)).empty()) << FormatDiff(Diff(Structure(lite), Structure(pg)));
  // ...and a real difference stays one.
  pg.tables[1].foreign_keys[0].on_delete = "SET NULL";
  EXPECT_EQ(Diff(Structure(lite), Structure(pg)).size(), 1u);
}

TEST(Dump, Sqlite) { EXPECT_EQ(Dump(SqliteModel()), ReadFixture("sqlite_dump.sql")); }

TEST(Dump, Postgres) { EXPECT_EQ(Dump(PostgresModel()), ReadFixture("postgres_dump.sql")); }

TEST(Dump, IsIndependentOfCreationOrder) {
  Schema s = SqliteModel();
  Reverse(s.tables);
  Reverse(s.views);
  Reverse(s.indexes);
  Reverse(s.tables[0].foreign_keys);
  EXPECT_EQ(Dump(s), Dump(SqliteModel()));
}

TEST(Dump, EmptySchemaIsTheHeaderOnly) {
  EXPECT_EQ(Dump(Schema{.dialect = "sqlite"}),
            "-- strata schema dump (sqlite)\n-- generated by strata; do not edit by hand\n");
}

TEST(Dump, QuotesIdentifiersAndLiterals) {
  Schema s{.dialect = "postgres"};
  s.enums = {{.schema = "we\"ird", .name = "e", .labels = {"it's"}}};
  EXPECT_EQ(Dump(s),
            "-- strata schema dump (postgres)\n-- generated by strata; do not edit by hand\n\n"
            "CREATE TYPE \"we\"\"ird\".\"e\" AS ENUM ('it''s');\n");
}

TEST(Dump, SqliteDefaultsNeedParenthesesUnlessLiteral) {
  Schema s{.dialect = "sqlite"};
  Table t{.name = "t"};
  for (const char* literal : {"0", "-1", "+2.5", "1e10", ".5", "0x1F", "'a''b'", "NULL", "true", "current_date"}) {
    t.columns.push_back(WithDefault(Col("c", ""), literal));
  }
  for (const char* expression : {"'a' || 'b'", "1 + 2", "x'00'", "abs(-1)", "1e", "-", "'unterminated"}) {
    t.columns.push_back(WithDefault(Col("c", ""), expression));
  }
  s.tables = {t};
  std::string dump = Dump(s);
  for (const char* expected : {"DEFAULT 0,", "DEFAULT -1,", "DEFAULT +2.5,", "DEFAULT 1e10,", "DEFAULT .5,",
                               "DEFAULT 0x1F,", "DEFAULT 'a''b',", "DEFAULT NULL,", "DEFAULT true,",
                               "DEFAULT current_date,", "DEFAULT ('a' || 'b'),", "DEFAULT (1 + 2),", "DEFAULT (x'00'),",
                               "DEFAULT (abs(-1)),", "DEFAULT (1e),", "DEFAULT (-),", "DEFAULT ('unterminated)\n"}) {
    EXPECT_NE(dump.find(expected), std::string::npos) << expected << "\n" << dump;
  }
}

// The PostgreSQL driver quotes collations as pg_dump does; a hand-built model may not.
TEST(Dump, QuotesCollationsOnce) {
  auto collate = [](const char* dialect, const char* collation) {
    Schema s{.dialect = dialect};
    s.tables = {Table{.schema = "public", .name = "t", .columns = {Column{.name = "c", .collation = collation}}}};
    std::string dump = Dump(s);
    std::size_t at = dump.find("COLLATE ");
    return at == std::string::npos ? dump : dump.substr(at, dump.find('\n', at) - at);
  };
  EXPECT_EQ(collate("postgres", "C"), "COLLATE \"C\"");
  EXPECT_EQ(collate("postgres", "\"C\""), "COLLATE \"C\"");
  EXPECT_EQ(collate("postgres", "pg_catalog.\"en-x-icu\""), "COLLATE pg_catalog.\"en-x-icu\"");
  EXPECT_EQ(collate("sqlite", "NOCASE"), "COLLATE NOCASE");
  EXPECT_EQ(collate("sqlite", "my coll"), "COLLATE \"my coll\"");
}

TEST(Dump, ViewDependencyCycleStillTerminatesInNameOrder) {
  Schema s{.dialect = "sqlite"};
  s.views = {{.name = "b", .definition = "SELECT 1 AS a"}, {.name = "a", .definition = "SELECT b FROM b"}};
  std::string dump = Dump(s);
  EXPECT_LT(dump.find("VIEW \"a\""), dump.find("VIEW \"b\""));  // each mentions the other
}

// Diff: a base model, one edit at a time, and the changes it must report.
Schema DiffBase() {
  Schema s{.dialect = "sqlite"};
  Table users{.name = "users"};
  users.columns = {Col("id", "INTEGER", true), Col("email", "TEXT", true)};
  users.primary_key = PrimaryKey{.columns = {"id"}};
  Table posts{.name = "posts"};
  posts.columns = {Col("id", "INTEGER", true), Col("user_id", "INTEGER", true),
                   WithDefault(Col("title", "TEXT", true), "''")};
  posts.primary_key = PrimaryKey{.columns = {"id"}};
  posts.checks = {{.name = "posts_title_check", .expression = "length(title) < 200"}};
  posts.foreign_keys = {{.name = "fk_posts_user",
                         .columns = {"user_id"},
                         .ref_table = "users",
                         .ref_columns = {"id"},
                         .on_delete = "CASCADE"}};
  Table audit{.name = "audit"};
  audit.columns = {Col("at", "TEXT")};
  s.tables = {users, posts, audit};
  s.indexes = {{.name = "idx_posts_user", .table = "posts", .keys = {"\"user_id\""}}};
  s.views = {{.name = "v_posts", .definition = "SELECT id, title FROM posts"}};
  return s;
}

struct DiffCase {
  const char* name;
  std::function<void(Schema&)> edit;
  std::vector<std::pair<Change::Kind, std::string>> expected;
};

TEST(Diff, ReportsEachChangedObject) {
  using K = Change::Kind;
  Table comments{.name = "comments"};
  comments.columns = {Col("id", "INTEGER", true), Col("post_id", "INTEGER")};
  comments.primary_key = PrimaryKey{.columns = {"id"}};
  comments.foreign_keys = {{.columns = {"post_id"}, .ref_table = "posts"}};
  std::vector<DiffCase> cases = {
      {"added column",
       [](Schema& s) { s.tables[0].columns.push_back(Col("name", "TEXT")); },
       {{K::kAdded, "column \"users\".\"name\""}}},
      {"removed column",
       [](Schema& s) { s.tables[0].columns.pop_back(); },
       {{K::kRemoved, "column \"users\".\"email\""}}},
      {"changed default",
       [](Schema& s) { s.tables[1].columns[2].default_value = "'untitled'"; },
       {{K::kChanged, "column \"posts\".\"title\""}}},
      {"changed type",
       [](Schema& s) { s.tables[0].columns[1].type = "VARCHAR(200)"; },
       {{K::kChanged, "column \"users\".\"email\""}}},
      {"dropped index", [](Schema& s) { s.indexes.clear(); }, {{K::kRemoved, "index \"idx_posts_user\""}}},
      {"changed foreign key action",
       [](Schema& s) { s.tables[1].foreign_keys[0].on_delete = "RESTRICT"; },
       {{K::kChanged, "foreign key \"posts\".\"fk_posts_user\""}}},
      {"new trigger",
       [](Schema& s) {
         s.triggers.push_back({.name = "trg",
                               .table = "posts",
                               .definition = "CREATE TRIGGER trg AFTER INSERT ON posts BEGIN SELECT 1; END"});
       },
       {{K::kAdded, "trigger \"posts\".\"trg\""}}},
      {"changed view",
       [](Schema& s) { s.views[0].definition = "SELECT id FROM posts"; },
       {{K::kChanged, "view \"v_posts\""}}},
      {"added table", [&](Schema& s) { s.tables.push_back(comments); }, {{K::kAdded, "table \"comments\""}}},
      {"removed table", [](Schema& s) { s.tables.pop_back(); }, {{K::kRemoved, "table \"audit\""}}},
      {"changed check",
       [](Schema& s) { s.tables[1].checks[0].expression = "length(title) < 100"; },
       {{K::kChanged, "check \"posts\".\"posts_title_check\""}}},
      {"unnamed check replaced",
       [](Schema& s) { s.tables[1].checks = {{.expression = "id > 0"}}; },
       {{K::kAdded, "check \"posts\" (id > 0)"}, {K::kRemoved, "check \"posts\".\"posts_title_check\""}}},
      {"table option", [](Schema& s) { s.tables[0].strict = true; }, {{K::kChanged, "table \"users\""}}},
      {"column order",
       [](Schema& s) { std::swap(s.tables[0].columns[0], s.tables[0].columns[1]); },
       {{K::kChanged, "table \"users\""}}},
      {"primary key",
       [](Schema& s) { s.tables[2].primary_key = PrimaryKey{.columns = {"at"}}; },
       {{K::kAdded, "primary key \"audit\""}}},
  };
  for (const DiffCase& c : cases) {
    Schema b = DiffBase();
    c.edit(b);
    std::vector<std::pair<Change::Kind, std::string>> got;
    for (const Change& change : Diff(DiffBase(), b)) got.emplace_back(change.kind, change.object);
    EXPECT_EQ(got, c.expected) << c.name << ":\n" << FormatDiff(Diff(DiffBase(), b));
  }
}

TEST(Diff, ShowsTheDumpFragments) {
  Schema b = DiffBase();
  b.tables[1].foreign_keys[0].on_delete = "RESTRICT";
  std::vector<Change> changes = Diff(DiffBase(), b);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].before,
            "CONSTRAINT \"fk_posts_user\" FOREIGN KEY (\"user_id\") REFERENCES \"users\" (\"id\") "
            "ON DELETE CASCADE");
  EXPECT_EQ(changes[0].after,
            "CONSTRAINT \"fk_posts_user\" FOREIGN KEY (\"user_id\") REFERENCES \"users\" (\"id\") "
            "ON DELETE RESTRICT");
  EXPECT_NE(Dump(DiffBase()).find(changes[0].before), std::string::npos);
}

TEST(Diff, QualifiesPostgresObjectsWithTheirSchema) {
  Schema b = PostgresModel();
  b.tables[1].columns[1].collation = "\"en_US\"";  // app.accounts.name, as the driver quotes it
  b.functions.clear();
  b.sequences[0].cache = 20;
  std::vector<Change> changes = Diff(PostgresModel(), b);
  ASSERT_EQ(changes.size(), 3u) << FormatDiff(changes);
  EXPECT_EQ(changes[0].object, "sequence \"public\".\"orders_id_seq\"");
  EXPECT_EQ(changes[1].object, "function \"public\".\"touch_updated_at\"()");
  EXPECT_EQ(changes[2].object, "column \"app\".\"accounts\".\"name\"");
  EXPECT_EQ(changes[2].after, "\"name\" text COLLATE \"en_US\" NOT NULL");
}

TEST(FormatDiff, ExactText) {
  Schema b = DiffBase();
  b.tables[0].columns.push_back(Col("name", "TEXT"));
  b.tables[1].columns[2].default_value = "'untitled'";
  b.tables.pop_back();
  Table tags{.name = "tags"};
  tags.columns = {Col("id", "INTEGER", true), Col("label", "TEXT")};
  b.tables.push_back(tags);
  EXPECT_EQ(FormatDiff(Diff(DiffBase(), b)),
            "- table \"audit\": CREATE TABLE \"audit\" (\n"
            "      \"at\" TEXT\n"
            "    )\n"
            "~ column \"posts\".\"title\":\n"
            "    - \"title\" TEXT NOT NULL DEFAULT ''\n"
            "    + \"title\" TEXT NOT NULL DEFAULT 'untitled'\n"
            "+ table \"tags\": CREATE TABLE \"tags\" (\n"
            "      \"id\" INTEGER NOT NULL,\n"
            "      \"label\" TEXT\n"
            "    )\n"
            "+ column \"users\".\"name\": \"name\" TEXT\n");
  EXPECT_EQ(FormatDiff({}), "");
}

TEST(Missing, IgnoresExtraObjects) {
  Schema actual = DiffBase();
  actual.tables[0].columns.push_back(Col("name", "TEXT"));
  actual.tables.push_back(Table{.name = "extra", .columns = {Col("x", "TEXT")}});
  actual.views.push_back({.name = "v_extra", .definition = "SELECT 1"});
  EXPECT_TRUE(Missing(DiffBase(), actual).empty());

  actual.indexes.clear();
  actual.tables[1].columns[2].type = "BLOB";
  std::vector<Change> missing = Missing(DiffBase(), actual);
  ASSERT_EQ(missing.size(), 2u) << FormatDiff(missing);
  EXPECT_EQ(missing[0].kind, Change::Kind::kChanged);
  EXPECT_EQ(missing[0].object, "column \"posts\".\"title\"");
  EXPECT_EQ(missing[1].kind, Change::Kind::kRemoved);
  EXPECT_EQ(missing[1].object, "index \"idx_posts_user\"");
}

// Three tables: a composite key that is partly a foreign key, a nullable foreign key, a table
// outside "public" whose name needs an alias, and types with modifiers and spaces.
Schema GraphModel() {
  Schema s{.dialect = "postgres"};
  Table users{.schema = "public", .name = "users"};
  users.columns = {Col("email", "character varying(40)", true), Col("name", "text")};
  users.primary_key = PrimaryKey{.columns = {"email"}};
  Table orders{.schema = "public", .name = "orders"};
  orders.columns = {Col("id", "integer", true), Col("user_email", "character varying(40)"),
                    Col("placed_at", "timestamp(3) with time zone")};
  orders.primary_key = PrimaryKey{.columns = {"id"}};
  orders.foreign_keys = {
      {.columns = {"user_email"}, .ref_schema = "public", .ref_table = "users", .ref_columns = {"email"}}};
  Table items{.schema = "app", .name = "line_items"};
  items.columns = {Col("order_id", "integer", true), Col("line_no", "smallint", true), Col("note", "text")};
  items.primary_key = PrimaryKey{.columns = {"order_id", "line_no"}};
  items.foreign_keys = {{.columns = {"order_id"},
                         .ref_schema = "public",
                         .ref_table = "orders",
                         .ref_columns = {"id"},
                         .on_delete = "CASCADE"}};
  s.tables = {users, orders, items};
  return s;
}

// The composite key's foreign key identifies line items (solid, --); the order's foreign key to a
// user does not (dotted, ..), and it may be NULL (o|).
// A foreign key to a unique column that is not the primary key: the column is drawn, marked UK,
// so that the edge's end is visible.
TEST(Graph, ReferencedUniqueColumnsAreMarkedUk) {
  Schema s{.dialect = "sqlite"};
  Table runs{.name = "runs"};
  runs.columns = {Col("id", "INTEGER", true), Col("run_key", "TEXT", true), Col("note", "TEXT")};
  runs.primary_key = PrimaryKey{.columns = {"id"}};
  runs.uniques = {{.columns = {"run_key"}}};
  Table steps{.name = "steps"};
  steps.columns = {Col("id", "INTEGER", true), Col("run_key", "TEXT", true)};
  steps.primary_key = PrimaryKey{.columns = {"id"}};
  steps.foreign_keys = {{.columns = {"run_key"}, .ref_table = "runs", .ref_columns = {"run_key"}}};
  s.tables = {runs, steps};
  std::string mermaid = Graph(s, GraphFormat::kMermaid);
  EXPECT_NE(mermaid.find("  runs {\n    INTEGER id PK\n    TEXT run_key UK\n  }\n"), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find("  steps }o..|| runs : \"run_key\"\n"), std::string::npos) << mermaid;
  EXPECT_EQ(mermaid.find("note"), std::string::npos) << "only key columns are drawn";
  std::string dot = Graph(s, GraphFormat::kDot);
  EXPECT_NE(dot.find("<td align=\"left\">run_key</td><td align=\"left\">TEXT</td><td>UK</td>"), std::string::npos)
      << dot;
}

TEST(Graph, Mermaid) {
  EXPECT_EQ(Graph(GraphModel(), GraphFormat::kMermaid),
            "erDiagram\n"
            "  app_line_items[\"app.line_items\"] {\n"
            "    integer order_id PK, FK\n"
            "    smallint line_no PK\n"
            "  }\n"
            "  orders {\n"
            "    integer id PK\n"
            "    character_varying user_email FK\n"
            "  }\n"
            "  users {\n"
            "    character_varying email PK\n"
            "  }\n"
            "  app_line_items }o--|| orders : \"order_id\"\n"
            "  orders }o..o| users : \"user_email\"\n");
}

TEST(Graph, Dot) {
  EXPECT_EQ(Graph(GraphModel(), GraphFormat::kDot),
            "digraph schema {\n"
            "  rankdir=LR;\n"
            "  node [shape=plaintext];\n"
            "  \"app.line_items\" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">"
            "<tr><td colspan=\"3\"><b>app.line_items</b></td></tr>"
            "<tr><td align=\"left\">order_id</td><td align=\"left\">integer</td><td>PK, FK</td></tr>"
            "<tr><td align=\"left\">line_no</td><td align=\"left\">smallint</td><td>PK</td></tr></table>>];\n"
            "  \"orders\" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">"
            "<tr><td colspan=\"3\"><b>orders</b></td></tr>"
            "<tr><td align=\"left\">id</td><td align=\"left\">integer</td><td>PK</td></tr>"
            "<tr><td align=\"left\">user_email</td><td align=\"left\">character varying(40)</td><td>FK</td></tr>"
            "</table>>];\n"
            "  \"users\" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">"
            "<tr><td colspan=\"3\"><b>users</b></td></tr>"
            "<tr><td align=\"left\">email</td><td align=\"left\">character varying(40)</td><td>PK</td></tr>"
            "</table>>];\n"
            "  \"app.line_items\" -> \"orders\" [label=\"order_id\"];\n"
            "  \"orders\" -> \"users\" [label=\"user_email\", style=dashed];\n"
            "}\n");
}

// Names Mermaid would misread: keywords, a leading digit, spaces and quotes; aliases stay unique.
TEST(Graph, MermaidAliasesNamesItCannotTakeBare) {
  Schema s{.dialect = "sqlite"};
  Table one{.name = "one", .columns = {Col("pk", "INTEGER", true)}};
  one.primary_key = PrimaryKey{.columns = {"pk"}};
  Table t_one{.name = "t_one", .columns = {Col("id", "")}};
  t_one.primary_key = PrimaryKey{.columns = {"id"}};
  Table odd{.name = "1st \"odd\" <&>", .columns = {Col("my col", "DOUBLE PRECISION"), Col("x", "\"char\"")}};
  odd.foreign_keys = {{.columns = {"my col", "x"}, .ref_table = "one"}};
  Table plain{.name = "plain", .columns = {Col("v", "TEXT")}};
  s.tables = {one, t_one, odd, plain};
  EXPECT_EQ(Graph(s, GraphFormat::kMermaid),
            "erDiagram\n"
            "  t_1st_odd[\"1st 'odd' <&>\"] {\n"
            "    DOUBLE_PRECISION my_col FK \"my col\"\n"
            "    char x FK\n"
            "  }\n"
            "  t_one_2[\"one\"] {\n"
            "    INTEGER c_pk PK \"pk\"\n"
            "  }\n"
            "  plain\n"
            "  t_one {\n"
            "    any id PK\n"
            "  }\n"
            "  t_1st_odd }o..o| t_one_2 : \"my col, x\"\n");
  std::string dot = Graph(s, GraphFormat::kDot);
  EXPECT_NE(dot.find("  \"1st \\\"odd\\\" <&>\" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">"
                     "<tr><td colspan=\"3\"><b>1st &quot;odd&quot; &lt;&amp;&gt;</b></td></tr>"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("  \"1st \\\"odd\\\" <&>\" -> \"one\" [label=\"my col, x\", style=dashed];\n"), std::string::npos)
      << dot;
}

}  // namespace
}  // namespace strata::schema
