// SQLite schema introspection (drivers/sqlite/sqlite_schema.h) against real databases: every
// field of the model, texts that ALTER TABLE rewrote, strata's own tables, and the example
// migration sets. Objects are looked up by name: the order of the lists is Normalize's business.
#include "drivers/sqlite/sqlite_schema.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/registry.h"
#include "test_util.h"

namespace strata::testing {
namespace {

using Strings = std::vector<std::string>;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

Db OpenMemory() {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  return Db(raw);
}

void ExecSql(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "") << "\n" << sql;
  sqlite3_free(error);
}

schema::Schema Introspect(sqlite3* db, bool include_strata_tables = false) {
  driver::IntrospectOptions options;
  options.include_strata_tables = include_strata_tables;
  auto result = driver::IntrospectSqlite(db, "strata_schema_history", options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : schema::Schema();
}

template <typename T>
const T* Named(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

const schema::Column& ColumnOf(const schema::Table& table, const std::string& name) {
  const schema::Column* c = Named(table.columns, name);
  if (c == nullptr) {
    ADD_FAILURE() << "no column " << name << " in " << table.name;
    static const schema::Column kNone;
    return kNone;
  }
  return *c;
}

std::string Describe(const schema::ForeignKey& fk) {
  std::string out = fk.name + " (";
  for (const auto& c : fk.columns) out += c + ",";
  out += ") -> " + fk.ref_table + " (";
  for (const auto& c : fk.ref_columns) out += c + ",";
  return out + ") ON UPDATE " + fk.on_update + " ON DELETE " + fk.on_delete + (fk.deferrable ? " DEFERRABLE" : "") +
         (fk.initially_deferred ? " INITIALLY DEFERRED" : "");
}

Strings ForeignKeys(const schema::Table& table) {
  Strings out;
  for (const auto& fk : table.foreign_keys) out.push_back(Describe(fk));
  std::sort(out.begin(), out.end());
  return out;
}

Strings Checks(const schema::Table& table) {
  Strings out;
  for (const auto& c : table.checks) out.push_back(c.name + ": " + c.expression);
  std::sort(out.begin(), out.end());
  return out;
}

Strings Uniques(const schema::Table& table) {
  Strings out;
  for (const auto& u : table.uniques) {
    std::string s = u.name + ":";
    for (const auto& c : u.columns) s += " " + c;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <typename T>
Strings Names(const std::vector<T>& items) {
  Strings out;
  for (const T& item : items) out.push_back(item.name);
  std::sort(out.begin(), out.end());
  return out;
}

constexpr const char* kShop = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL COLLATE NOCASE CONSTRAINT users_email_unique UNIQUE,
  handle TEXT UNIQUE,
  age INTEGER DEFAULT 0 CHECK (age >= 0),
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  score REAL DEFAULT -1.5,
  nick TEXT DEFAULT 'it''s (here)',
  sum3 INTEGER DEFAULT ((1 + 2)),
  parts INTEGER DEFAULT ((1) + (2)),
  seen_at TEXT DEFAULT CURRENT_TIMESTAMP,
  active BOOLEAN DEFAULT TRUE,
  full_name TEXT GENERATED ALWAYS AS (handle || ' <' || email || '>') VIRTUAL,
  email_lower TEXT AS (lower(email)) STORED,
  CONSTRAINT adult CHECK (age IS NULL OR age < 200)
);
CREATE TABLE teams (
  org TEXT NOT NULL,
  slug TEXT NOT NULL,
  owner_id INTEGER REFERENCES users ON DELETE SET NULL,
  parent_slug TEXT,
  PRIMARY KEY (org, slug),
  CONSTRAINT teams_slug_org UNIQUE (slug, org),
  FOREIGN KEY (org, parent_slug) REFERENCES teams (org, slug) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED
) WITHOUT ROWID;
CREATE TABLE memberships (
  user_id INTEGER NOT NULL CONSTRAINT fk_member_user REFERENCES users(id) ON DELETE CASCADE,
  org TEXT NOT NULL,
  slug TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
  CONSTRAINT fk_member_team FOREIGN KEY (org, slug) REFERENCES teams(org, slug)
    ON DELETE CASCADE ON UPDATE RESTRICT
) STRICT;
CREATE INDEX idx_users_age_partial ON users(age) WHERE age IS NOT NULL
  AND   nick <> 'x  y';
CREATE UNIQUE INDEX idx_users_lower_email ON users(lower( email ));
CREATE INDEX idx_users_handle ON users(handle COLLATE NOCASE DESC, "age" ASC, ID);
CREATE VIEW adults AS
  SELECT id, email   -- the address
  FROM users WHERE age >= 18;
CREATE TRIGGER users_touch AFTER UPDATE ON users
BEGIN
  UPDATE users SET nick = 'a  b' WHERE id = NEW.id;
END;
)sql";

TEST(SqliteSchema, EveryColumnFeature) {
  Db db = OpenMemory();
  ExecSql(db.get(), kShop);
  schema::Schema s = Introspect(db.get());
  EXPECT_EQ(s.dialect, "sqlite");
  EXPECT_EQ(Names(s.tables), (Strings{"memberships", "teams", "users"})) << "sqlite_sequence is internal";
  const schema::Table* users = Named(s.tables, "users");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->schema, "");
  ASSERT_EQ(users->columns.size(), 13u);
  EXPECT_EQ(users->columns[0].name, "id") << "columns keep their table order";
  EXPECT_EQ(users->columns[12].name, "email_lower");

  const schema::Column& id = ColumnOf(*users, "id");
  EXPECT_EQ(id.type, "INTEGER");
  EXPECT_FALSE(id.not_null);
  EXPECT_FALSE(id.default_value.has_value());
  ASSERT_TRUE(users->primary_key.has_value());
  EXPECT_EQ(users->primary_key->columns, Strings{"id"});
  EXPECT_TRUE(users->primary_key->autoincrement);
  EXPECT_EQ(users->primary_key->name, "");

  const schema::Column& email = ColumnOf(*users, "email");
  EXPECT_TRUE(email.not_null);
  EXPECT_EQ(email.collation, "NOCASE");
  EXPECT_EQ(ColumnOf(*users, "handle").collation, "") << "BINARY is the default";

  EXPECT_EQ(ColumnOf(*users, "age").default_value, "0");
  EXPECT_EQ(ColumnOf(*users, "created_at").default_value, "datetime('now')");
  EXPECT_EQ(ColumnOf(*users, "score").default_value, "-1.5");
  EXPECT_EQ(ColumnOf(*users, "nick").default_value, "'it''s (here)'");
  EXPECT_EQ(ColumnOf(*users, "sum3").default_value, "1 + 2");
  EXPECT_EQ(ColumnOf(*users, "parts").default_value, "(1) + (2)");
  EXPECT_EQ(ColumnOf(*users, "seen_at").default_value, "CURRENT_TIMESTAMP");
  EXPECT_EQ(ColumnOf(*users, "active").default_value, "TRUE");
  EXPECT_EQ(ColumnOf(*users, "active").type, "BOOLEAN");

  const schema::Column& full_name = ColumnOf(*users, "full_name");
  EXPECT_EQ(full_name.type, "TEXT");
  EXPECT_EQ(full_name.generated, "handle || ' <' || email || '>'");
  EXPECT_FALSE(full_name.generated_stored);
  EXPECT_FALSE(full_name.default_value.has_value());
  const schema::Column& email_lower = ColumnOf(*users, "email_lower");
  EXPECT_EQ(email_lower.generated, "lower(email)");
  EXPECT_TRUE(email_lower.generated_stored);
  EXPECT_TRUE(ColumnOf(*users, "age").generated.empty());

  EXPECT_EQ(Checks(*users), (Strings{": age >= 0", "adult: age IS NULL OR age < 200"}));
  EXPECT_EQ(Uniques(*users), (Strings{": handle", "users_email_unique: email"}));
  EXPECT_TRUE(users->foreign_keys.empty());
  EXPECT_FALSE(users->without_rowid);
  EXPECT_FALSE(users->strict);

  const schema::Table* teams = Named(s.tables, "teams");
  ASSERT_NE(teams, nullptr);
  EXPECT_TRUE(teams->without_rowid);
  EXPECT_FALSE(teams->strict);
  ASSERT_TRUE(teams->primary_key.has_value());
  EXPECT_EQ(teams->primary_key->columns, (Strings{"org", "slug"}));
  EXPECT_FALSE(teams->primary_key->autoincrement);
  EXPECT_EQ(Uniques(*teams), (Strings{"teams_slug_org: slug org"}));
  EXPECT_EQ(ForeignKeys(*teams),
            (Strings{" (org,parent_slug,) -> teams (org,slug,) ON UPDATE CASCADE ON DELETE NO ACTION DEFERRABLE "
                     "INITIALLY DEFERRED",
                     " (owner_id,) -> users (id,) ON UPDATE NO ACTION ON DELETE SET NULL"}));

  const schema::Table* memberships = Named(s.tables, "memberships");
  ASSERT_NE(memberships, nullptr);
  EXPECT_TRUE(memberships->strict);
  EXPECT_FALSE(memberships->without_rowid);
  EXPECT_FALSE(memberships->primary_key.has_value());
  EXPECT_EQ(ColumnOf(*memberships, "role").default_value, "'member'");
  EXPECT_EQ(Checks(*memberships), (Strings{": role IN ('member', 'admin')"}));
  EXPECT_EQ(ForeignKeys(*memberships),
            (Strings{"fk_member_team (org,slug,) -> teams (org,slug,) ON UPDATE RESTRICT ON DELETE CASCADE",
                     "fk_member_user (user_id,) -> users (id,) ON UPDATE NO ACTION ON DELETE CASCADE"}));
}

TEST(SqliteSchema, IndexesViewsAndTriggers) {
  Db db = OpenMemory();
  ExecSql(db.get(), kShop);
  schema::Schema s = Introspect(db.get());
  EXPECT_EQ(Names(s.indexes), (Strings{"idx_users_age_partial", "idx_users_handle", "idx_users_lower_email"}))
      << "autoindexes behind UNIQUE and PRIMARY KEY are not listed";

  const schema::Index* partial = Named(s.indexes, "idx_users_age_partial");
  ASSERT_NE(partial, nullptr);
  EXPECT_EQ(partial->table, "users");
  EXPECT_FALSE(partial->unique);
  EXPECT_EQ(partial->keys, Strings{"\"age\""});
  EXPECT_EQ(partial->where, "age IS NOT NULL AND nick <> 'x  y'");
  EXPECT_EQ(partial->schema, "");
  EXPECT_EQ(partial->method, "");

  const schema::Index* lower = Named(s.indexes, "idx_users_lower_email");
  ASSERT_NE(lower, nullptr);
  EXPECT_TRUE(lower->unique);
  EXPECT_EQ(lower->keys, Strings{"lower(email)"});  // canonical: written "lower( email )"
  EXPECT_EQ(lower->where, "");

  const schema::Index* handle = Named(s.indexes, "idx_users_handle");
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(handle->keys, (Strings{"\"handle\" COLLATE NOCASE DESC", "\"age\"", "\"id\""}))
      << "a column key is the column's own name, quoted";

  ASSERT_EQ(s.views.size(), 1u);
  EXPECT_EQ(s.views[0].name, "adults");
  EXPECT_EQ(s.views[0].definition, "SELECT id, email FROM users WHERE age >= 18");
  EXPECT_FALSE(s.views[0].materialized);

  ASSERT_EQ(s.triggers.size(), 1u);
  EXPECT_EQ(s.triggers[0].name, "users_touch");
  EXPECT_EQ(s.triggers[0].table, "users");
  EXPECT_EQ(s.triggers[0].definition,
            "CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET nick = 'a  b' WHERE id = "
            "NEW.id; END");
}

TEST(SqliteSchema, PragmasAgreeWithTheTextOnTableOptions) {
  Db db = OpenMemory();
  ExecSql(db.get(), kShop);
  schema::Schema s = Introspect(db.get());
  for (const schema::Table& t : s.tables) {
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(db.get(), "SELECT wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = ?1", -1,
                           &q, nullptr),
        SQLITE_OK);
    sqlite3_bind_text(q, 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(q, 0) != 0, t.without_rowid) << t.name;
    EXPECT_EQ(sqlite3_column_int(q, 1) != 0, t.strict) << t.name;
    sqlite3_finalize(q);
  }
}

TEST(SqliteSchema, TextsRewrittenByAlterTable) {
  Db db = OpenMemory();
  ExecSql(db.get(),
          "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT CHECK (length(b) < 10), CONSTRAINT t_u UNIQUE (b));\n"
          "ALTER TABLE t ADD COLUMN c INTEGER REFERENCES t(a) DEFERRABLE INITIALLY DEFERRED;\n"
          "ALTER TABLE t ADD COLUMN d INTEGER DEFAULT 4 CONSTRAINT d_pos CHECK (d > 0) /* why: ) */\n;\n"
          "ALTER TABLE t ADD COLUMN e TEXT AS (upper(b));\n"
          "ALTER TABLE t RENAME COLUMN b TO \"b b\";\n"
          "ALTER TABLE t RENAME TO \"t 2\";\n"
          "CREATE INDEX t_c ON \"t 2\"(c, \"b b\" DESC);");
  schema::Schema s = Introspect(db.get());
  const schema::Table* t = Named(s.tables, "t 2");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->columns.size(), 5u);
  EXPECT_EQ(t->columns[1].name, "b b");
  EXPECT_EQ(t->columns[2].name, "c");
  EXPECT_EQ(t->columns[3].default_value, "4");
  EXPECT_EQ(t->columns[4].generated, "upper(\"b b\")");
  EXPECT_EQ(Checks(*t), (Strings{": length(\"b b\") < 10", "d_pos: d > 0"}));
  EXPECT_EQ(Uniques(*t), (Strings{"t_u: b b"}));
  EXPECT_EQ(ForeignKeys(*t),
            (Strings{" (c,) -> t 2 (a,) ON UPDATE NO ACTION ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED"}));
  ASSERT_EQ(s.indexes.size(), 1u);
  EXPECT_EQ(s.indexes[0].table, "t 2");
  EXPECT_EQ(s.indexes[0].keys, (Strings{"\"c\"", "\"b b\" DESC"}));
}

TEST(SqliteSchema, QuotedNamesEverywhere) {
  Db db = OpenMemory();
  ExecSql(db.get(),
          "CREATE TABLE \"we\"\"ird\" ([a b] INTEGER PRIMARY KEY, `c``d` TEXT UNIQUE, \"desc\" TEXT);\n"
          "CREATE TABLE kids (p INTEGER REFERENCES \"we\"\"ird\" ([a b]) ON DELETE SET DEFAULT);\n"
          "CREATE INDEX \"i\"\"x\" ON \"we\"\"ird\" (\"desc\", `c``d`);");
  schema::Schema s = Introspect(db.get());
  const schema::Table* weird = Named(s.tables, "we\"ird");
  ASSERT_NE(weird, nullptr);
  EXPECT_EQ(weird->primary_key->columns, Strings{"a b"});
  EXPECT_EQ(Uniques(*weird), Strings{": c`d"});
  const schema::Table* kids = Named(s.tables, "kids");
  ASSERT_NE(kids, nullptr);
  EXPECT_EQ(ForeignKeys(*kids), Strings{" (p,) -> we\"ird (a b,) ON UPDATE NO ACTION ON DELETE SET DEFAULT"});
  const schema::Index* index = Named(s.indexes, "i\"x");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->keys, (Strings{"\"desc\"", "\"c`d\""}));
}

TEST(SqliteSchema, StrataTablesOnlyWhenAsked) {
  Db db = OpenMemory();
  ExecSql(db.get(),
          "CREATE TABLE strata_schema_history (version INTEGER PRIMARY KEY, state TEXT CHECK (state IN ('applied')));\n"
          "CREATE TABLE strata_schema_history_log (id INTEGER PRIMARY KEY, outcome TEXT);\n"
          "CREATE INDEX strata_log_outcome ON strata_schema_history_log(outcome);\n"
          "CREATE TRIGGER strata_log_guard BEFORE DELETE ON strata_schema_history_log BEGIN SELECT 1; END;\n"
          "CREATE TABLE app (id INTEGER PRIMARY KEY);");
  schema::Schema without = Introspect(db.get());
  EXPECT_EQ(Names(without.tables), Strings{"app"});
  EXPECT_TRUE(without.indexes.empty());
  EXPECT_TRUE(without.triggers.empty());
  schema::Schema with = Introspect(db.get(), true);
  EXPECT_EQ(Names(with.tables), (Strings{"app", "strata_schema_history", "strata_schema_history_log"}));
  EXPECT_EQ(Names(with.indexes), Strings{"strata_log_outcome"});
  EXPECT_EQ(Names(with.triggers), Strings{"strata_log_guard"});
  // Another history table name: the default-named tables are then ordinary tables.
  auto other = driver::IntrospectSqlite(db.get(), "app", {});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(Names(other->tables), (Strings{"strata_schema_history", "strata_schema_history_log"}));
}

TEST(SqliteSchema, ThroughTheDriver) {
  TempDir dir;
  auto url = base::ParseDatabaseUrl("sqlite:" + dir.Path("x.db"));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto d = driver::OpenDriver(*url, {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_TRUE((*d)->CreateHistory().ok());
  ASSERT_TRUE((*d)->BeginWrite().ok());
  ASSERT_TRUE(
      (*d)->Execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT '');", {}, nullptr).ok());
  // Inside the write transaction, the uncommitted table is visible.
  auto inside = (*d)->Introspect({});
  ASSERT_TRUE(inside.ok()) << inside.status().ToString();
  EXPECT_EQ(Names(inside->tables), Strings{"notes"});
  ASSERT_TRUE((*d)->Commit().ok());
  auto with = (*d)->Introspect({.include_strata_tables = true});
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_EQ(Names(with->tables), (Strings{"notes", "strata_schema_history"}));
  const schema::Table* history = Named(with->tables, "strata_schema_history");
  ASSERT_NE(history, nullptr);
  EXPECT_EQ(Checks(*history), Strings{": state IN ('applied', 'dirty', 'baseline')"});
}

// A virtual table is described by its statement; its shadow tables (docs_data, docs_idx, ...)
// are not tables of the schema, and the dump recreates them by recreating the virtual table.
TEST(SqliteSchema, VirtualTablesAreDescribedByTheirStatementAndShadowTablesLeftOut) {
  Db db = OpenMemory();
  ExecSql(db.get(), "CREATE VIRTUAL TABLE docs USING fts5(body);\nCREATE TABLE plain (x);");
  auto s = driver::IntrospectSqlite(db.get(), "strata_schema_history", {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Names(s->tables), Strings{"plain"});
  ASSERT_EQ(s->virtual_tables.size(), 1u);
  EXPECT_EQ(s->virtual_tables[0].name, "docs");
  EXPECT_EQ(s->virtual_tables[0].definition, "CREATE VIRTUAL TABLE docs USING fts5(body)");
  std::string dump = schema::Dump(*s);
  EXPECT_NE(dump.find("\nCREATE VIRTUAL TABLE docs USING fts5(body);\n"), std::string::npos) << dump;

  Db copy = OpenMemory();
  ExecSql(copy.get(), dump.c_str());
  auto again = driver::IntrospectSqlite(copy.get(), "strata_schema_history", {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(schema::Dump(*again), dump);
}

// ---- the example migration sets --------------------------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The up part of a migration file: everything before "-- migrate:down" (all of it when absent).
void ApplyUp(sqlite3* db, const std::string& path) {
  std::string text = ReadFile(path);
  std::size_t down = text.find("-- migrate:down");
  ExecSql(db, text.substr(0, down));
}

TEST(SqliteSchema, VibesurfExample) {
  Db db = OpenMemory();
  for (const char* f :
       {"v001_initial_schema", "v002_add_agent_mode", "v003_fix_task_status_case", "v004_add_voice_profiles",
        "v005_add_composio_integration", "v006_add_credentials_table", "v007_add_schedule_table"}) {
    ApplyUp(db.get(), std::string(STRATA_SOURCE_DIR) + "/examples/vibesurf/" + f + ".sql");
  }
  schema::Schema s = Introspect(db.get());
  EXPECT_EQ(Names(s.tables), (Strings{"composio_toolkits", "credentials", "llm_profiles", "mcp_profiles", "schedules",
                                      "tasks", "uploaded_files", "voice_profiles"}));
  const schema::Table* tasks = Named(s.tables, "tasks");
  ASSERT_NE(tasks, nullptr);
  EXPECT_EQ(tasks->columns.back().name, "agent_mode");
  EXPECT_EQ(tasks->columns.back().default_value, "'thinking'");
  EXPECT_EQ(ColumnOf(*tasks, "status").default_value, "'pending'");
  EXPECT_EQ(ColumnOf(*tasks, "created_at").type, "DATETIME");
  EXPECT_EQ(ColumnOf(*tasks, "created_at").default_value, "CURRENT_TIMESTAMP");
  EXPECT_EQ(ForeignKeys(*tasks), Strings{" (llm_profile_name,) -> llm_profiles (profile_name,) ON UPDATE CASCADE ON "
                                         "DELETE NO ACTION"});
  const schema::Table* llm = Named(s.tables, "llm_profiles");
  ASSERT_NE(llm, nullptr);
  EXPECT_EQ(llm->primary_key->columns, Strings{"profile_id"});
  EXPECT_EQ(Uniques(*llm), Strings{": profile_name"});
  EXPECT_EQ(Checks(*llm), (Strings{": max_tokens IS NULL OR max_tokens > 0",
                                   ": temperature IS NULL OR (temperature >= 0 AND temperature <= 2)",
                                   ": top_p IS NULL OR (top_p >= 0 AND top_p <= 1)"}));
  EXPECT_EQ(ColumnOf(*llm, "provider_config").type, "JSON");
  const schema::Table* files = Named(s.tables, "uploaded_files");
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(Checks(*files), (Strings{": file_size >= 0", ": is_deleted = 0 OR deleted_at IS NOT NULL"}));
  EXPECT_EQ(ColumnOf(*Named(s.tables, "mcp_profiles"), "mcp_server_params").default_value, "'{}'");
  EXPECT_EQ(Uniques(*Named(s.tables, "mcp_profiles")), (Strings{": display_name", ": mcp_server_name"}));
  EXPECT_EQ(Checks(*Named(s.tables, "voice_profiles")), Strings{": voice_model_type IN ('asr', 'tts')"});

  EXPECT_EQ(s.indexes.size(), 25u);
  const schema::Index* session_status = Named(s.indexes, "idx_tasks_session_status");
  ASSERT_NE(session_status, nullptr);
  EXPECT_EQ(session_status->table, "tasks");
  EXPECT_EQ(session_status->keys, (Strings{"\"session_id\"", "\"status\""}));
  EXPECT_EQ(Names(s.triggers),
            (Strings{"update_composio_toolkits_updated_at", "update_credentials_updated_at",
                     "update_llm_profiles_updated_at", "update_mcp_profiles_updated_at", "update_schedules_updated_at",
                     "update_tasks_updated_at", "update_voice_profiles_updated_at"}));
  const schema::Trigger* touch = Named(s.triggers, "update_tasks_updated_at");
  EXPECT_EQ(touch->table, "tasks");
  EXPECT_EQ(touch->definition,
            "CREATE TRIGGER update_tasks_updated_at AFTER UPDATE ON tasks FOR EACH ROW BEGIN UPDATE tasks SET "
            "updated_at = CURRENT_TIMESTAMP WHERE task_id = NEW.task_id; END");
}

TEST(SqliteSchema, DataflowExample) {
  Db db = OpenMemory();
  for (const char* f : {"20250101000000_create_execution_history", "20250130100000_add_variable_tables"}) {
    ApplyUp(db.get(), std::string(STRATA_SOURCE_DIR) + "/examples/dataflow/" + f + ".sql");
  }
  schema::Schema s = Introspect(db.get());
  EXPECT_EQ(Names(s.tables), (Strings{"execution_history", "execution_variables", "variable_references"}));
  const schema::Table* history = Named(s.tables, "execution_history");
  ASSERT_NE(history, nullptr);
  EXPECT_TRUE(history->primary_key->autoincrement);
  EXPECT_EQ(ColumnOf(*history, "execution_id").type, "VARCHAR(50)");
  EXPECT_EQ(Uniques(*history), Strings{": execution_id"});
  EXPECT_EQ(Checks(*history),
            (Strings{": status IN ('pending', 'running', 'success', 'failed', 'cancelled')", ": total_steps >= 0"}));
  const schema::Table* variables = Named(s.tables, "execution_variables");
  ASSERT_NE(variables, nullptr);
  EXPECT_EQ(Uniques(*variables), Strings{"uk_execution_variable_name: execution_id variable_name"});
  EXPECT_EQ(ForeignKeys(*variables),
            Strings{"fk_execution_variables_execution_id (execution_id,) -> execution_history (execution_id,) ON "
                    "UPDATE NO ACTION ON DELETE CASCADE"});
  EXPECT_EQ(ColumnOf(*variables, "is_encrypted").default_value, "FALSE");
  const schema::Table* references = Named(s.tables, "variable_references");
  ASSERT_NE(references, nullptr);
  EXPECT_EQ(ForeignKeys(*references),
            Strings{"fk_variable_references_execution_id (execution_id,) -> execution_history (execution_id,) ON "
                    "UPDATE NO ACTION ON DELETE CASCADE"});
  EXPECT_EQ(Checks(*references),
            (Strings{": resolution_status IN ('success', 'failed', 'pending')", ": step_index >= 0"}));
  EXPECT_EQ(s.indexes.size(), 8u);
  const schema::Index* status = Named(s.indexes, "idx_reference_status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->table, "variable_references");
  EXPECT_EQ(status->keys, (Strings{"\"execution_id\"", "\"resolution_status\""}));
  EXPECT_TRUE(s.views.empty());
  EXPECT_TRUE(s.triggers.empty());
}

}  // namespace
}  // namespace strata::testing
