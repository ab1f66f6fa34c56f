#!/usr/bin/env bash
# Generates N synthetic SQLite migrations into DIR (emptied first).
#   usage: bench/gen_migrations.sh N DIR
# Files: v0001_table_0001.sql ... (version zero-padded to max(4, digits of N)).
# Each file creates a table, an index on it and inserts 3 rows.
# All files are written by a single awk process (no fork per file).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 N DIR" >&2
  exit 2
fi
n=$1
dir=$2

if ! [[ $n =~ ^[0-9]+$ ]] || [ "$((10#$n))" -lt 1 ]; then
  echo "$0: N must be a positive integer, got '$n'" >&2
  exit 2
fi
n=$((10#$n))

case $dir in
  "" | "/" | "." | "..") echo "$0: refusing to empty directory '$dir'" >&2; exit 2 ;;
esac

mkdir -p -- "$dir"
# Empty DIR (including dotfiles) without touching anything outside it.
find "$dir" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +

width=${#n}
if [ "$width" -lt 4 ]; then width=4; fi

GEN_DIR=$dir awk -v n="$n" -v vfmt="%0${width}d" 'BEGIN {
  dir = ENVIRON["GEN_DIR"]  # via environment: -v would interpret backslash escapes
  for (i = 1; i <= n; i++) {
    v = sprintf(vfmt, i)
    t = "t_" v
    f = dir "/v" v "_table_" v ".sql"
    printf "-- migration %s: create %s\n", v, t > f
    printf "CREATE TABLE %s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0, price REAL, created_at TEXT DEFAULT CURRENT_TIMESTAMP);\n", t > f
    printf "CREATE INDEX ix_%s_name ON %s(name);\n", t, t > f
    printf "INSERT INTO %s (name, qty, price) VALUES (%s, %d, %.2f), (%s, %d, %.2f), (%s, %d, %.2f);\n", t, \
      "'\''alpha_" v "'\''", i % 97, i * 1.25, \
      "'\''beta_" v "'\''", (i * 7) % 101, i * 2.5 + 0.99, \
      "'\''gamma_" v "'\''", (i * 13) % 89, i * 0.75 + 10 > f
    if (close(f) != 0) { printf "gen_migrations: failed to write %s\n", f > "/dev/stderr"; exit 1 }
  }
}'
