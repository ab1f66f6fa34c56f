/* The raw-libmariadb baseline for bench/run_mariadb.sh: what a careful hand-written migrator does on
 * MariaDB, minus strata.
 *
 * MariaDB commits every DDL statement implicitly (before and after it), so a migration that creates
 * a table cannot run in one transaction: a failure half way leaves the statements before it applied.
 * A careful migrator therefore records the migration BEFORE it starts and finishes the record after,
 * so that a crash or a failure is visible in the history and blocks the next run; strata does the
 * same (src/core/step.cc, RunOutsideTransaction). This program, in the default (careful) mode:
 *
 *   1. opens two connections: one that only holds the run lock, one for the work (a lock taken by
 *      the working session would be no safer, and strata uses a session of its own for it too);
 *   2. takes SELECT GET_LOCK(name, 10) on the lock connection, so that two runners never interleave;
 *   3. creates the history table if needed (the columns of strata's history table) and reads it
 *      (version, state), refusing to go on if a migration is marked dirty;
 *   4. for each migration file (v<N>_*.sql in DIR, numeric order) not yet recorded, in autocommit
 *      mode: INSERT its history row with state 'dirty'; run its statements ONE BY ONE (the file is
 *      split on ';', which is enough for bench/gen_migrations.sh's files, not for SQL in general;
 *      one statement per round trip, since the connection does not allow several statements in one
 *      string, as strata's does not: CLIENT_MULTI_STATEMENTS is a classic injection risk);
 *      UPDATE the row to state 'applied' with its execution time;
 *   5. releases the lock.
 * That is 2 round trips of bookkeeping per migration plus one per statement: the least a migrator
 * that knows which migration failed half way can do on this engine. It computes no checksum of the
 * files (strata does, to detect edited migrations) and writes no run log.
 *
 * With --verify it also does what strata does to notice an applied migration whose file was edited
 * since it ran (as Flyway's validate-on-migrate does): it records each file's SHA-256 in its history
 * row, and on every run reads each applied file again, hashes it and compares, failing on the first
 * that differs. History and files are both in version order, so the check is one merge. strata keeps
 * a cache of the files' sizes and times so that it reads only the files that changed; a hand-written
 * migrator has no such cache, so this mode reads them all.
 *
 * With --naive it only reads the history and, for each pending migration, runs its statements and
 * then INSERTs one 'applied' row: no lock, no dirty row first. Faster by the cost of the safety
 * bookkeeping, and what a migration that fails half way leaves unrecorded.
 *
 *   usage: mariadb_reference [--naive | --verify] mariadb://USER:PASSWORD@HOST:PORT/DATABASE DIR */
#define _POSIX_C_SOURCE 200809L /* strdup, clock_gettime */
#include <dirent.h>
#include <fcntl.h>
#include <mysql.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct entry {
  unsigned long long version;
  char name[256];
};

struct applied {
  unsigned long long version;
  char checksum[72];
};

static int by_version(const void* a, const void* b) {
  unsigned long long x = ((const struct entry*)a)->version, y = ((const struct entry*)b)->version;
  return x < y ? -1 : x > y;
}

static void die(MYSQL* c, const char* what) {
  fprintf(stderr, "mariadb_reference: %s: %s\n", what, c ? mysql_error(c) : "failed");
  exit(1);
}

/* Runs one statement; a result set, if any, is read and dropped. */
static void run(MYSQL* c, const char* sql, size_t len) {
  if (mysql_real_query(c, sql, len) != 0) die(c, sql);
  MYSQL_RES* r = mysql_store_result(c);
  if (r) {
    mysql_free_result(r);
  } else if (mysql_field_count(c) != 0) {
    die(c, sql);
  }
}

static void run_str(MYSQL* c, const char* sql) { run(c, sql, strlen(sql)); }

/* The single value of a one-row, one-column query, or NULL; the caller frees it. */
static char* value(MYSQL* c, const char* sql) {
  if (mysql_real_query(c, sql, strlen(sql)) != 0) die(c, sql);
  MYSQL_RES* r = mysql_store_result(c);
  if (!r) die(c, sql);
  MYSQL_ROW row = mysql_fetch_row(r);
  char* out = row && row[0] ? strdup(row[0]) : NULL;
  mysql_free_result(r);
  return out;
}

/* "sha256:" and the 64 hex digits of the SHA-256 of `data`, into `out` (72 bytes). The digest and
 * its context are made once: OpenSSL 3 looks the algorithm up in its providers on every
 * EVP_sha256() digest otherwise. */
static void checksum(const char* data, size_t len, char out[72]) {
  static EVP_MD* md = NULL;
  static EVP_MD_CTX* ctx = NULL;
  if (!md && !(md = EVP_MD_fetch(NULL, "SHA256", NULL))) die(NULL, "EVP_MD_fetch");
  if (!ctx && !(ctx = EVP_MD_CTX_new())) die(NULL, "EVP_MD_CTX_new");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (!EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, data, len) ||
      !EVP_DigestFinal_ex(ctx, digest, &digest_len)) {
    die(NULL, "SHA-256");
  }
  static const char hex[] = "0123456789abcdef";
  memcpy(out, "sha256:", 7);
  for (unsigned int i = 0; i < digest_len; ++i) {
    out[7 + 2 * i] = hex[digest[i] >> 4];
    out[8 + 2 * i] = hex[digest[i] & 15];
  }
  out[7 + 2 * digest_len] = '\0';
}

/* The whole of file `name` in directory `dir_fd`, NUL-terminated; the caller frees it. */
static char* slurp(int dir_fd, const char* name, size_t* len) {
  int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) die(NULL, name);
  char* buf = malloc((size_t)st.st_size + 1);
  size_t n = 0;
  while (buf && n < (size_t)st.st_size) {
    ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);
    if (got <= 0) die(NULL, name);
    n += (size_t)got;
  }
  if (!buf) die(NULL, name);
  buf[n] = '\0';
  close(fd);
  if (len) *len = n;
  return buf;
}

/* In-place %XX decoding of a URL part. */
static void decode(char* s) {
  char* out = s;
  for (; *s; ++s) {
    if (s[0] == '%' && s[1] && s[2]) {
      char hex[3] = {s[1], s[2], 0};
      *out++ = (char)strtol(hex, NULL, 16);
      s += 2;
    } else {
      *out++ = *s;
    }
  }
  *out = '\0';
}

struct url {
  char *user, *password, *host, *database;
  unsigned port;
};

/* mariadb://USER:PASSWORD@HOST:PORT/DATABASE (the form of scripts/mariadb-test-cluster.sh). */
static struct url parse_url(const char* text) {
  struct url u = {0};
  const char* rest = strstr(text, "://");
  if (!rest) die(NULL, "the URL must look like mariadb://USER:PASSWORD@HOST:PORT/DATABASE");
  char* s = strdup(rest + 3);
  char* at = strrchr(s, '@');
  if (!at) die(NULL, "the URL has no USER@");
  *at = '\0';
  u.user = s;
  char* colon = strchr(s, ':');
  if (colon) {
    *colon = '\0';
    u.password = colon + 1;
    decode(u.password);
  }
  decode(u.user);
  u.host = at + 1;
  char* slash = strchr(u.host, '/');
  if (!slash) die(NULL, "the URL has no /DATABASE");
  *slash = '\0';
  u.database = slash + 1;
  char* q = strchr(u.database, '?');
  if (q) *q = '\0';
  decode(u.database);
  colon = strchr(u.host, ':');
  if (colon) {
    *colon = '\0';
    u.port = (unsigned)strtoul(colon + 1, NULL, 10);
  }
  return u;
}

static MYSQL* connect_to(const struct url* u) {
  MYSQL* c = mysql_init(NULL);
  if (!c) die(NULL, "mysql_init");
  unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_options(c, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_options(c, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!mysql_real_connect(c, u->host, u->user, u->password, u->database, u->port, NULL, 0)) die(c, "connect");
  return c;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Runs each ';'-terminated statement of `sql` that is more than blanks. */
static void run_statements(MYSQL* c, char* sql) {
  char* start = sql;
  for (;;) {
    char* end = strchr(start, ';');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    if (strspn(start, " \t\r\n") < len) run(c, start, len);
    if (!end) break;
    start = end + 1;
  }
}

int main(int argc, char** argv) {
  int naive = argc == 4 && strcmp(argv[1], "--naive") == 0;
  int verify = argc == 4 && strcmp(argv[1], "--verify") == 0;
  if (argc != 3 && !naive && !verify) {
    fprintf(stderr, "usage: mariadb_reference [--naive | --verify] mariadb://USER:PASSWORD@HOST:PORT/DATABASE DIR\n");
    return 2;
  }
  const char* dir = argv[argc - 1];
  struct url u = parse_url(argv[argc - 2]);
  DIR* d = opendir(dir);
  if (!d) die(NULL, dir);
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
  qsort(files, n, sizeof *files, by_version);

  if (mysql_library_init(0, NULL, NULL) != 0) die(NULL, "mysql_library_init");
  MYSQL* c = connect_to(&u);
  MYSQL* lock = NULL;
  if (!naive) {
    lock = connect_to(&u);
    char* got = value(lock, "SELECT GET_LOCK('mariadb_reference', 10)");
    if (!got || strcmp(got, "1") != 0) die(NULL, "could not take the run lock within 10 s");
    free(got);
  }
  run_str(c, "CREATE TABLE IF NOT EXISTS ref_history (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, "
             "checksum VARCHAR(128) NOT NULL, applied_at DATETIME(3) NOT NULL, execution_ms DOUBLE NOT NULL, "
             "state VARCHAR(16) NOT NULL CHECK (state IN ('applied', 'dirty', 'baseline')), "
             "strata_version VARCHAR(64) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  const char* read = verify ? "SELECT version, state, checksum FROM ref_history ORDER BY version"
                            : "SELECT version, state FROM ref_history ORDER BY version";
  if (mysql_real_query(c, read, strlen(read)) != 0) die(c, read);
  MYSQL_RES* history = mysql_store_result(c);
  if (!history) die(c, read);
  size_t applied_n = 0;
  struct applied* applied = malloc((mysql_num_rows(history) + 1) * sizeof *applied);
  for (MYSQL_ROW row; (row = mysql_fetch_row(history)) != NULL;) {
    if (!naive && strcmp(row[1], "dirty") == 0) {
      fprintf(stderr, "mariadb_reference: migration %s is marked dirty: fix it by hand first\n", row[0]);
      return 1;
    }
    applied[applied_n].version = strtoull(row[0], NULL, 10);
    snprintf(applied[applied_n].checksum, sizeof applied[applied_n].checksum, "%s", verify ? row[2] : "");
    ++applied_n;
  }
  mysql_free_result(history);

  char query[1024], name[2 * sizeof files[0].name + 1], sum[72] = "none";
  size_t r = 0; /* files and history rows are both in version order: one merge */
  for (size_t i = 0; i < n; ++i) {
    while (r < applied_n && applied[r].version < files[i].version) ++r;
    int done = r < applied_n && applied[r].version == files[i].version;
    if (done && !verify) continue;
    size_t len = 0;
    char* sql = slurp(dirfd(d), files[i].name, &len);
    if (verify) checksum(sql, len, sum);
    if (done) {
      if (strcmp(sum, applied[r].checksum) != 0) {
        fprintf(stderr, "mariadb_reference: %s/%s was edited since it was applied\n", dir, files[i].name);
        return 1;
      }
      free(sql);
      continue;
    }
    mysql_real_escape_string(c, name, files[i].name, strlen(files[i].name));
    if (naive) {
      run_statements(c, sql);
      snprintf(query, sizeof query,
               "INSERT INTO ref_history (version, name, checksum, applied_at, execution_ms, state, strata_version) "
               "VALUES (%llu, '%s', 'none', NOW(3), 0, 'applied', 'reference')",
               files[i].version, name);
      run_str(c, query);
    } else {
      snprintf(query, sizeof query,
               "INSERT INTO ref_history (version, name, checksum, applied_at, execution_ms, state, strata_version) "
               "VALUES (%llu, '%s', '%s', NOW(3), 0, 'dirty', 'reference')",
               files[i].version, name, sum);
      run_str(c, query);
      double t0 = now_ms();
      run_statements(c, sql);
      snprintf(query, sizeof query,
               "UPDATE ref_history SET state = 'applied', applied_at = NOW(3), execution_ms = %.3f WHERE version = "
               "%llu",
               now_ms() - t0, files[i].version);
      run_str(c, query);
    }
    free(sql);
  }
  if (lock) {
    run_str(lock, "DO RELEASE_LOCK('mariadb_reference')");
    mysql_close(lock);
  }
  mysql_close(c);
  mysql_library_end();
  closedir(d);
  free(applied);
  free(files);
  free(u.user);
  return 0;
}
