/* The raw-libpq baseline for bench/run_postgres.sh: what strata does on PostgreSQL, minus strata.
 * For each migration file (v<N>_*.sql in DIR, numeric order) not yet recorded, ONE simple-protocol
 * query and so one round trip: "BEGIN; <the file>; INSERT <its history row>; COMMIT;". This is
 * the fastest a hand-written loop can be per migration, at the price of not knowing which
 * statement failed when one does.
 *   usage: pg_reference CONNINFO DIR */
#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
  unsigned long long version;
  char name[256];
};

static int by_version(const void* a, const void* b) {
  unsigned long long x = ((const struct entry*)a)->version, y = ((const struct entry*)b)->version;
  return x < y ? -1 : x > y;
}

static void die(PGconn* c, const char* what) {
  fprintf(stderr, "pg_reference: %s: %s", what, c ? PQerrorMessage(c) : "\n");
  exit(1);
}

static void run(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) die(c, sql);
  PQclear(r);
}

static char* slurp(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) die(NULL, path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) die(NULL, path);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pg_reference CONNINFO DIR\n");
    return 2;
  }
  DIR* d = opendir(argv[2]);
  if (!d) die(NULL, argv[2]);
  size_t cap = 1024, n = 0;
  struct entry* files = malloc(cap * sizeof *files);
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != 'v' || !strstr(e->d_name, ".sql")) continue;
    if (n == cap) files = realloc(files, (cap *= 2) * sizeof *files);
    files[n].version = strtoull(e->d_name + 1, NULL, 10);
    snprintf(files[n].name, sizeof files[n].name, "%s", e->d_name);
    ++n;
  }
  closedir(d);
  qsort(files, n, sizeof *files, by_version);

  PGconn* c = PQconnectdb(argv[1]);
  if (PQstatus(c) != CONNECTION_OK) die(c, "connect");
  run(c, "CREATE TABLE IF NOT EXISTS ref_history (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT "
         "NULL, applied_at timestamptz NOT NULL DEFAULT now(), execution_ms double precision NOT NULL DEFAULT 0, "
         "state text NOT NULL DEFAULT 'applied', strata_version text NOT NULL DEFAULT 'reference')");
  PGresult* applied = PQexec(c, "SELECT version FROM ref_history");
  if (PQresultStatus(applied) != PGRES_TUPLES_OK) die(c, "read history");
  char path[4096], version[32];
  for (size_t i = 0; i < n; ++i) {
    int done = 0;
    for (int r = 0; r < PQntuples(applied) && !done; ++r) done = strtoull(PQgetvalue(applied, r, 0), NULL, 10) == files[i].version;
    if (done) continue;
    snprintf(path, sizeof path, "%s/%s", argv[2], files[i].name);
    char* sql = slurp(path);
    snprintf(version, sizeof version, "%llu", files[i].version);
    char* name = PQescapeLiteral(c, files[i].name, strlen(files[i].name));
    if (!name) die(c, "escape name");
    size_t len = strlen(sql) + strlen(name) + 256;
    char* query = malloc(len);
    if (!query) die(NULL, "out of memory");
    snprintf(query, len, "BEGIN;\n%s\n;INSERT INTO ref_history (version, name, checksum) VALUES (%s, %s, 'none'); COMMIT;",
             sql, version, name);
    run(c, query);
    PQfreemem(name);
    free(query);
    free(sql);
  }
  PQclear(applied);
  PQfinish(c);
  free(files);
  return 0;
}
