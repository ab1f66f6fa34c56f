/*
 * sqlite_reference: the "raw engine" baseline for the strata SQLite benchmark.
 *
 *   usage: sqlite_reference DB DIR
 *
 * Applies every DIR/v<version>[_<name>].sql not yet recorded in
 * strata_schema_history, in numeric version order, one transaction per file
 * (BEGIN IMMEDIATE; file; history row; COMMIT). It does the minimum work a
 * migration tool must do, with no parsing, checksumming or locking beyond
 * SQLite's own, so that strata's overhead can be measured against it.
 *
 * Exits 0 on success, 1 on any error (message on stderr), 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REFERENCE_VERSION "sqlite_reference"

static const char *const create_history_sql =
    "CREATE TABLE IF NOT EXISTS strata_schema_history ("
    "version INTEGER PRIMARY KEY NOT NULL, "
    "name TEXT NOT NULL, "
    "checksum TEXT NOT NULL, "
    "applied_at TEXT NOT NULL, "
    "execution_ms REAL NOT NULL, "
    "state TEXT NOT NULL, "
    "strata_version TEXT NOT NULL)";

static const char *const insert_history_sql =
    "INSERT INTO strata_schema_history "
    "(version, name, checksum, applied_at, execution_ms, state, strata_version) "
    "VALUES (?1, ?2, 'none', strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?3, 'applied', ?4)";

struct migration {
    long long version;
    char *file; /* file name inside DIR */
    char *name; /* part after "v<digits>_" without ".sql" */
};

static sqlite3 *g_db;
static int g_in_txn;

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("sqlite_reference: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (g_db != NULL) {
        if (g_in_txn) {
            sqlite3_exec(g_db, "ROLLBACK", NULL, NULL, NULL);
        }
        sqlite3_close_v2(g_db);
    }
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

static void *xrealloc(void *old, size_t n)
{
    void *p = realloc(old, n == 0 ? 1 : n);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s);
    size_t lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Parses "v<digits>[_<name>].sql". Returns 0 on success. */
static int parse_file_name(const char *file, struct migration *m)
{
    const char *p = file;
    const char *digits;
    size_t len = strlen(file);
    char *end = NULL;

    if (*p != 'v') {
        return -1;
    }
    digits = ++p;
    while (*p >= '0' && *p <= '9') {
        ++p;
    }
    if (p == digits) {
        return -1;
    }
    errno = 0;
    m->version = strtoll(digits, &end, 10);
    if (errno != 0 || end != p) {
        return -1;
    }
    if (*p == '_') {
        ++p;
    } else if (strcmp(p, ".sql") != 0) {
        return -1;
    }
    m->file = xstrndup(file, len);
    m->name = xstrndup(p, (size_t)(file + len - 4 - p));
    return 0;
}

static int cmp_migration(const void *a, const void *b)
{
    long long va = ((const struct migration *)a)->version;
    long long vb = ((const struct migration *)b)->version;
    return (va > vb) - (va < vb);
}

static int cmp_ll(const void *a, const void *b)
{
    long long va = *(const long long *)a;
    long long vb = *(const long long *)b;
    return (va > vb) - (va < vb);
}

static struct migration *list_migrations(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct migration *list = NULL;
    size_t n = 0;
    size_t cap = 0;
    size_t i;

    if (d == NULL) {
        die("cannot open directory '%s': %s", dir, strerror(errno));
    }
    for (;;) {
        errno = 0;
        e = readdir(d);
        if (e == NULL) {
            if (errno != 0) {
                die("cannot read directory '%s': %s", dir, strerror(errno));
            }
            break;
        }
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".sql")) {
            continue;
        }
        if (n == cap) {
            cap = cap == 0 ? 256 : cap * 2;
            list = xrealloc(list, cap * sizeof *list);
        }
        if (parse_file_name(e->d_name, &list[n]) != 0) {
            die("'%s/%s' is not a migration file name (expected v<number>_<name>.sql)", dir,
                e->d_name);
        }
        ++n;
    }
    closedir(d);

    if (n > 1) {
        qsort(list, n, sizeof *list, cmp_migration);
    }
    for (i = 1; i < n; ++i) {
        if (list[i].version == list[i - 1].version) {
            die("duplicate version %lld: '%s' and '%s'", list[i].version, list[i - 1].file,
                list[i].file);
        }
    }
    *count = n;
    return list;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;

    if (f == NULL) {
        die("cannot open '%s': %s", path, strerror(errno));
    }
    for (;;) {
        size_t got;
        if (cap - len < 4096) {
            cap = cap == 0 ? 8192 : cap * 2;
            buf = xrealloc(buf, cap);
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        die("cannot read '%s': %s", path, strerror(errno));
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static void exec_or_die(const char *sql, const char *what)
{
    char *err = NULL;
    if (sqlite3_exec(g_db, sql, NULL, NULL, &err) != SQLITE_OK) {
        die("%s: %s", what, err != NULL ? err : sqlite3_errmsg(g_db));
    }
}

static long long *load_applied(size_t *count)
{
    sqlite3_stmt *st = NULL;
    long long *versions = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc;

    if (sqlite3_prepare_v2(g_db, "SELECT version FROM strata_schema_history", -1, &st, NULL) !=
        SQLITE_OK) {
        die("reading history: %s", sqlite3_errmsg(g_db));
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap == 0 ? 256 : cap * 2;
            versions = xrealloc(versions, cap * sizeof *versions);
        }
        versions[n++] = sqlite3_column_int64(st, 0);
    }
    if (rc != SQLITE_DONE) {
        die("reading history: %s", sqlite3_errmsg(g_db));
    }
    sqlite3_finalize(st);
    if (n > 1) {
        qsort(versions, n, sizeof *versions, cmp_ll);
    }
    *count = n;
    return versions;
}

int main(int argc, char **argv)
{
    const char *db_path;
    const char *dir;
    struct migration *migs;
    size_t n_migs = 0;
    long long *applied;
    size_t n_applied = 0;
    sqlite3_stmt *ins = NULL;
    size_t n_done = 0;
    size_t i;

    if (argc != 3) {
        fprintf(stderr, "usage: %s DB DIR\n", argc > 0 ? argv[0] : "sqlite_reference");
        return 2;
    }
    db_path = argv[1];
    dir = argv[2];

    migs = list_migrations(dir, &n_migs);

    if (sqlite3_open_v2(db_path, &g_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        die("cannot open database '%s': %s", db_path,
            g_db != NULL ? sqlite3_errmsg(g_db) : "out of memory");
    }
    exec_or_die("PRAGMA foreign_keys=ON", "enabling foreign keys");
    exec_or_die(create_history_sql, "creating strata_schema_history");
    applied = load_applied(&n_applied);

    if (sqlite3_prepare_v2(g_db, insert_history_sql, -1, &ins, NULL) != SQLITE_OK) {
        die("preparing history insert: %s", sqlite3_errmsg(g_db));
    }

    for (i = 0; i < n_migs; ++i) {
        const struct migration *m = &migs[i];
        size_t plen;
        char *path;
        char *sql;
        char *err = NULL;
        double t0;
        double ms;

        if (n_applied > 0 && bsearch(&m->version, applied, n_applied, sizeof *applied, cmp_ll)) {
            continue;
        }
        plen = strlen(dir) + 1 + strlen(m->file) + 1;
        path = xmalloc(plen);
        snprintf(path, plen, "%s/%s", dir, m->file);
        sql = read_file(path);

        exec_or_die("BEGIN IMMEDIATE", "BEGIN IMMEDIATE");
        g_in_txn = 1;

        t0 = now_ms();
        if (sqlite3_exec(g_db, sql, NULL, NULL, &err) != SQLITE_OK) {
            die("migration '%s' failed: %s", path, err != NULL ? err : sqlite3_errmsg(g_db));
        }
        ms = now_ms() - t0;

        if (sqlite3_bind_int64(ins, 1, m->version) != SQLITE_OK ||
            sqlite3_bind_text(ins, 2, m->name, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_double(ins, 3, ms) != SQLITE_OK ||
            sqlite3_bind_text(ins, 4, REFERENCE_VERSION, -1, SQLITE_STATIC) != SQLITE_OK) {
            die("binding history row for '%s': %s", path, sqlite3_errmsg(g_db));
        }
        if (sqlite3_step(ins) != SQLITE_DONE) {
            die("recording history row for '%s': %s", path, sqlite3_errmsg(g_db));
        }
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);

        exec_or_die("COMMIT", "COMMIT");
        g_in_txn = 0;

        free(sql);
        free(path);
        ++n_done;
    }

    sqlite3_finalize(ins);
    if (sqlite3_close(g_db) != SQLITE_OK) {
        fprintf(stderr, "sqlite_reference: error: closing database: %s\n", sqlite3_errmsg(g_db));
        return 1;
    }
    g_db = NULL;

    printf("applied %zu migration(s), %zu already applied, %zu total\n", n_done,
           n_migs - n_done, n_migs);

    for (i = 0; i < n_migs; ++i) {
        free(migs[i].file);
        free(migs[i].name);
    }
    free(migs);
    free(applied);
    return 0;
}
