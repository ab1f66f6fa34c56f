#include "sql/sqlite_rebuild.h"

#include <gtest/gtest.h>

namespace strata::sql::rebuild {
namespace {

std::vector<AlterCommand> Commands(std::string_view sql) {
  auto found = FindAlters(sql);
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  std::vector<AlterCommand> out;
  if (!found.ok()) return out;
  for (const AlterStatement& s : *found) out.insert(out.end(), s.commands.begin(), s.commands.end());
  return out;
}

TEST(FindAlters, FindsTheFormsSqliteLacksAndLeavesTheRest) {
  const std::string sql =
      "CREATE TABLE t (a INT);\n"
      "ALTER TABLE t ADD COLUMN b INT;\n"
      "ALTER TABLE t RENAME TO u;\n"
      "ALTER TABLE main.u ADD CONSTRAINT k UNIQUE (a, b);\n"
      "alter table \"u\" alter column a type bigint using a * 2, alter b set default 0;\n"
      "ALTER TABLE u DROP COLUMN b;\n"
      "ALTER TABLE u DROP CONSTRAINT IF EXISTS k;\n";
  auto found = FindAlters(sql);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 4u);
  const auto& f = *found;
  EXPECT_EQ(f[0].table, "u");
  EXPECT_EQ(sql.substr(f[0].begin, f[0].end - f[0].begin), "ALTER TABLE main.u ADD CONSTRAINT k UNIQUE (a, b)");
  EXPECT_EQ(f[0].commands[0].kind, AlterKind::kAddConstraint);
  EXPECT_EQ(f[0].commands[0].constraint, ConstraintKind::kUnique);
  EXPECT_EQ(f[0].commands[0].text, "CONSTRAINT k UNIQUE (a, b)");
  EXPECT_EQ(f[0].commands[0].columns, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(f[1].commands.size(), 2u);
  EXPECT_EQ(f[1].commands[0].kind, AlterKind::kSetType);
  EXPECT_EQ(f[1].commands[0].text, "bigint");
  EXPECT_EQ(f[1].commands[0].using_expr, "a * 2");
  EXPECT_EQ(f[1].commands[1].kind, AlterKind::kSetDefault);
  EXPECT_EQ(f[1].commands[1].text, "0");
  EXPECT_TRUE(f[2].maybe_native);
  EXPECT_EQ(f[3].commands[0].kind, AlterKind::kDropConstraint);
  EXPECT_EQ(f[3].commands[0].name, "k");
  EXPECT_TRUE(f[3].commands[0].if_exists);
  EXPECT_FALSE(f[3].maybe_native);
}

TEST(FindAlters, ReadsEveryCommand) {
  auto c = Commands(
      "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE, "
      "ADD CHECK (a > (1 + 2)), ALTER COLUMN a SET NOT NULL, ALTER a DROP NOT NULL, ALTER COLUMN a DROP DEFAULT, "
      "ALTER COLUMN a SET DATA TYPE varchar(10), DROP COLUMN IF EXISTS z, ADD COLUMN q TEXT DEFAULT 'x, y'");
  ASSERT_EQ(c.size(), 8u);
  EXPECT_EQ(c[0].constraint, ConstraintKind::kForeignKey);
  EXPECT_EQ(c[0].columns, std::vector<std::string>{"p_id"});
  EXPECT_EQ(c[0].text, "CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE");
  EXPECT_EQ(c[1].constraint, ConstraintKind::kCheck);
  EXPECT_EQ(c[1].check, "a > (1 + 2)");
  EXPECT_EQ(c[1].name, "");
  EXPECT_EQ(c[2].kind, AlterKind::kSetNotNull);
  EXPECT_EQ(c[3].kind, AlterKind::kDropNotNull);
  EXPECT_EQ(c[4].kind, AlterKind::kDropDefault);
  EXPECT_EQ(c[5].kind, AlterKind::kSetType);
  EXPECT_EQ(c[5].text, "varchar(10)");
  EXPECT_EQ(c[6].kind, AlterKind::kDropColumn);
  EXPECT_TRUE(c[6].if_exists);
  EXPECT_EQ(c[7].kind, AlterKind::kAddColumn);
  EXPECT_EQ(c[7].text, "q TEXT DEFAULT 'x, y'");
}

struct Rejected {
  std::string sql;
  std::string message;
  std::size_t offset;
};

// Forms strata cannot rewrite: refused at the command, with the whole message.
TEST(FindAlters, RejectsWhatItCannotRewrite) {
  const std::string tail = ": strata cannot rewrite this for SQLite (see docs/migrations.md, \"What strata rewrites on SQLite\")";
  for (const Rejected& r : std::vector<Rejected>{
           {"SELECT 1;\nALTER TABLE t ADD CONSTRAINT k FOREIGN KEY (a) REFERENCES p (id) NOT VALID;", "NOT VALID" + tail,
            24},
           {"ALTER TABLE t ADD COLUMN b INT, ADD CONSTRAINT pk PRIMARY KEY (a);",
            "ADD of a constraint other than FOREIGN KEY, UNIQUE or CHECK" + tail, 32},
           {"ALTER TABLE t ALTER COLUMN a TYPE text COLLATE \"C\";", "ALTER COLUMN ... TYPE ... COLLATE" + tail, 14},
           {"ALTER TABLE t ALTER COLUMN a SET STATISTICS 100;", "this ALTER TABLE command (AT_SetStatistics)" + tail, 14},
           {"ALTER TABLE t ADD CONSTRAINT k UNIQUE (a) INCLUDE (b);", "UNIQUE USING INDEX or INCLUDE" + tail, 14},
           {"ALTER TABLE t ADD COLUMN IF NOT EXISTS a INT, ADD COLUMN b INT;", "ADD COLUMN IF NOT EXISTS" + tail, 14},
           {"ALTER TABLE t ALTER COLUMN a SET NOT;", "cannot parse this ALTER TABLE: syntax error at or near \";\" (strata reads PostgreSQL migrations with the "
            "PostgreSQL 15 grammar)",
            36},
       }) {
    auto found = FindAlters(r.sql);
    ASSERT_FALSE(found.ok()) << r.sql;
    EXPECT_EQ(found.status().code(), ErrorCode::kInvalidArgument) << r.sql;
    EXPECT_EQ(found.status().message(), r.message) << r.sql;
    EXPECT_EQ(found.status().sql_offset().value_or(9999), r.offset) << r.sql;
  }
}

LiveTable Table(std::string create_sql, std::vector<LiveTable::Column> columns) {
  LiveTable t;
  t.name = "t";
  t.create_sql = std::move(create_sql);
  t.columns = std::move(columns);
  return t;
}

TEST(PlanRebuild, EditsTheStoredText) {
  LiveTable t = Table(
      "CREATE TABLE t (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  a TEXT CONSTRAINT a_nn NOT NULL ON CONFLICT ABORT "
      "DEFAULT NULL COLLATE NOCASE,\n  p_id INT REFERENCES p(id) ON DELETE SET NULL NOT DEFERRABLE,\n  g INT "
      "GENERATED ALWAYS AS (id * 2) VIRTUAL,\n  CONSTRAINT ck CHECK (a <> '') CONSTRAINT u UNIQUE (a, p_id)\n) STRICT",
      {{"id", false, true, "INTEGER"}, {"a", false, false, "TEXT"}, {"p_id", false, false, "INT"}, {"g", true, false, "INT"}});
  t.sequence = 41;
  t.objects = {{"index", "t_a", "t", "CREATE INDEX t_a ON t (a)"},
               {"view", "v", "v", "CREATE VIEW v AS SELECT * FROM \"T\""},
               {"view", "w", "w", "CREATE VIEW w AS SELECT 1 AS tt"},
               {"trigger", "tr", "p", "CREATE TRIGGER tr AFTER DELETE ON p BEGIN DELETE FROM t; END"}};
  auto plan = PlanRebuild(t, Commands("ALTER TABLE t ALTER COLUMN a DROP NOT NULL, ALTER COLUMN a SET DEFAULT 'z' || 'y', "
                                      "DROP CONSTRAINT ck, ALTER COLUMN p_id TYPE INTEGER USING p_id + 0;"));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->statements, (std::vector<std::string>{
                                  "CREATE TABLE \"t__strata_rebuild\" (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  a TEXT "
                                  "COLLATE NOCASE DEFAULT ('z' || 'y'),\n  p_id INTEGER REFERENCES p(id) ON DELETE SET NULL "
                                  "NOT DEFERRABLE,\n  g INT GENERATED ALWAYS AS (id * 2) VIRTUAL,\n  CONSTRAINT u UNIQUE (a, "
                                  "p_id)\n) STRICT",
                                  "INSERT INTO \"t__strata_rebuild\" (\"id\", \"a\", \"p_id\") SELECT \"id\", \"a\", (p_id + "
                                  "0) FROM \"t\"",
                                  "DROP VIEW \"v\"", "DROP TRIGGER \"tr\"", "DROP TABLE \"t\"",
                                  "ALTER TABLE \"t__strata_rebuild\" RENAME TO \"t\"", "CREATE INDEX t_a ON t (a)",
                                  "CREATE VIEW v AS SELECT * FROM \"T\"",
                                  "CREATE TRIGGER tr AFTER DELETE ON p BEGIN DELETE FROM t; END",
                                  "DELETE FROM sqlite_sequence WHERE name = 't'",
                                  "INSERT INTO sqlite_sequence (name, seq) VALUES ('t', 41)"}));
  EXPECT_EQ(plan->copy_index, 1u);
}

TEST(PlanRebuild, DropColumnTakesItsConstraintsAndIndexesAndKeepsRowids) {
  LiveTable t = Table("CREATE TABLE t (k TEXT PRIMARY KEY, a INT UNIQUE, b INT CHECK (b > a), c INT, FOREIGN KEY (a) "
                      "REFERENCES p (x), UNIQUE (c))",
                      {{"k", false, true, "TEXT"}, {"a", false, false, "INT"}, {"b", false, false, "INT"}, {"c", false, false, "INT"}});
  t.objects = {{"index", "t_a", "t", "CREATE INDEX t_a ON t (c) WHERE a > 0"}, {"index", "t_c", "t", "CREATE INDEX t_c ON t (c)"}};
  EXPECT_TRUE(NeedsRebuildToDrop(t, "a"));
  EXPECT_TRUE(NeedsRebuildToDrop(t, "K"));
  EXPECT_TRUE(NeedsRebuildToDrop(t, "c"));
  EXPECT_TRUE(NeedsRebuildToDrop(t, "b"));  // its own CHECK
  t.create_sql = "CREATE TABLE t (k TEXT PRIMARY KEY, a INT, b INT)";
  EXPECT_FALSE(NeedsRebuildToDrop(t, "b"));
  t.create_sql = "CREATE TABLE t (k TEXT PRIMARY KEY, a INT UNIQUE, b INT CHECK (b > a), c INT, FOREIGN KEY (a) "
                 "REFERENCES p (x), UNIQUE (c))";
  auto plan = PlanRebuild(t, Commands("ALTER TABLE t DROP COLUMN a;"));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->create_sql,
            "CREATE TABLE \"t__strata_rebuild\" (\n  k TEXT PRIMARY KEY,\n  b INT,\n  c INT,\n  UNIQUE (c)\n)");
  EXPECT_EQ(plan->statements[1], "INSERT INTO \"t__strata_rebuild\" (rowid, \"k\", \"b\", \"c\") SELECT rowid, \"k\", "
                                 "\"b\", \"c\" FROM \"t\"");
  EXPECT_EQ(plan->statements.back(), "CREATE INDEX t_c ON t (c)");
}

TEST(PlanRebuild, RefusesCommandsThatDoNotApply) {
  LiveTable t = Table("CREATE TABLE t (a INT, CONSTRAINT k UNIQUE (a))", {{"a", false, false, "INT"}});
  for (const auto& [sql, message] : std::vector<std::pair<std::string, std::string>>{
           {"ALTER TABLE t DROP CONSTRAINT nope;", "constraint \"nope\" of table \"t\" does not exist"},
           {"ALTER TABLE t ALTER COLUMN b SET NOT NULL;", "column \"b\" of table \"t\" does not exist"},
           {"ALTER TABLE t DROP COLUMN a;", "cannot drop \"a\": it is the only column of \"t\""},
           {"ALTER TABLE t ADD CONSTRAINT k CHECK (a > 0);", "constraint \"k\" of table \"t\" already exists"},
           {"ALTER TABLE t ADD COLUMN a INT, ADD COLUMN b INT;", "column \"a\" of table \"t\" already exists"},
       }) {
    auto plan = PlanRebuild(t, Commands(sql));
    ASSERT_FALSE(plan.ok()) << sql;
    EXPECT_EQ(plan.status().message(), message) << sql;
  }
  EXPECT_TRUE(PlanRebuild(t, Commands("ALTER TABLE t DROP CONSTRAINT IF EXISTS nope;")).ok());
}

TEST(ForeignKeyName, CountsFromTheLastDeclared) {
  const char* sql = "CREATE TABLE c (a INT REFERENCES p, b INT, CONSTRAINT fb FOREIGN KEY (b) REFERENCES p (id))";
  EXPECT_EQ(ForeignKeyName(sql, 0), "fb");
  EXPECT_EQ(ForeignKeyName(sql, 1), "");
  EXPECT_EQ(ForeignKeyName(sql, 2), "");
  EXPECT_EQ(ForeignKeyName("not sql", 0), "");
}

}  // namespace
}  // namespace strata::sql::rebuild
