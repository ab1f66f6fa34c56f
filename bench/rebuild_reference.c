/*
 * rebuild_reference: the hand-written SQLite 12-step table rebuild that strata's rebuild is
 * measured against (bench/run_rebuild.sh).
 *
 *   usage: rebuild_reference seed DB ROWS   create table big (3 indexes, a child table) with ROWS rows
 *          rebuild_reference rebuild DB     make big.b NOT NULL the way sqlite.org/lang_altertable.html says
 *
 * The rebuild is what a careful person writes for this one table, with nothing read or checked
 * that they would not: foreign keys off outside the transaction, BEGIN, CREATE TABLE new_big,
 * INSERT ... SELECT, DROP TABLE big, ALTER TABLE new_big RENAME TO big, the three indexes again,
 * PRAGMA foreign_key_check, COMMIT, foreign keys on. Exits 0 on success, 1 on an error, 2 on bad
 * usage.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "rebuild_reference: %s\n  in: %s\n", err ? err : "error", sql);
    sqlite3_free(err);
    return 1;
  }
  return 0;
}

static int seed(sqlite3 *db, long rows) {
  char insert[512];
  snprintf(insert, sizeof insert,
           "INSERT INTO big SELECT x, x %% 1000, hex(randomblob(16)), 'c' || x FROM (WITH RECURSIVE n(x) AS "
           "(SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %ld) SELECT x FROM n)",
           rows);
  return run(db, "BEGIN") || run(db, "CREATE TABLE big (id INTEGER PRIMARY KEY, a INT, b TEXT, c TEXT)") ||
         run(db, "CREATE TABLE kids (id INTEGER PRIMARY KEY, big_id INT REFERENCES big(id) ON DELETE CASCADE)") ||
         run(db, insert) || run(db, "INSERT INTO kids (big_id) SELECT id FROM big WHERE id % 100 = 0") ||
         run(db, "CREATE INDEX big_a ON big (a)") || run(db, "CREATE INDEX big_b ON big (b)") ||
         run(db, "CREATE INDEX big_c ON big (c, a)") || run(db, "COMMIT");
}

static int check_foreign_keys(sqlite3 *db) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK) return 1;
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc == SQLITE_ROW) fprintf(stderr, "rebuild_reference: foreign key violations\n");
  return rc != SQLITE_DONE;
}

static int rebuild(sqlite3 *db) {
  if (run(db, "PRAGMA foreign_keys = OFF") || run(db, "BEGIN IMMEDIATE")) return 1;
  int failed = run(db, "CREATE TABLE new_big (id INTEGER PRIMARY KEY, a INT, b TEXT NOT NULL, c TEXT)") ||
               run(db, "INSERT INTO new_big (id, a, b, c) SELECT id, a, b, c FROM big") ||
               run(db, "DROP TABLE big") || run(db, "ALTER TABLE new_big RENAME TO big") ||
               run(db, "CREATE INDEX big_a ON big (a)") || run(db, "CREATE INDEX big_b ON big (b)") ||
               run(db, "CREATE INDEX big_c ON big (c, a)") || check_foreign_keys(db) || run(db, "COMMIT");
  if (failed) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  return run(db, "PRAGMA foreign_keys = ON") || failed;
}

int main(int argc, char **argv) {
  int seeding = argc == 4 && strcmp(argv[1], "seed") == 0;
  if (!seeding && !(argc == 3 && strcmp(argv[1], "rebuild") == 0)) {
    fprintf(stderr, "usage: rebuild_reference seed DB ROWS | rebuild DB\n");
    return 2;
  }
  sqlite3 *db = NULL;
  if (sqlite3_open(argv[2], &db) != SQLITE_OK) {
    fprintf(stderr, "rebuild_reference: cannot open %s\n", argv[2]);
    return 1;
  }
  int rc = seeding ? seed(db, atol(argv[3])) : rebuild(db);
  sqlite3_close(db);
  return rc ? 1 : 0;
}
