#!/usr/bin/env bash
# Benchmarks strata testdb: a fully migrated test database cloned from the template, against
# migrating a fresh database from scratch, N migrations, on SQLite and on PostgreSQL (a throwaway
# local cluster, scripts/pg-test-cluster.sh). Both are whole `strata` commands, so both include
# process start and reading the N files.
#
#   usage: bench/run_testdb.sh [BUILD_DIR=build] [N=1000] [REPEAT=5]
#
# Prints a markdown table of medians on stdout (progress on stderr). Any failing command aborts.
set -euo pipefail

build_dir=${1:-build}
n=${2:-1000}
repeat=${3:-5}
strata=$build_dir/strata
[ -x "$strata" ] || { echo "run_testdb: error: '$strata' not found; run make build" >&2; exit 1; }
for v in "$n" "$repeat"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "run_testdb: error: N and REPEAT must be positive integers" >&2; exit 2; }
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-testdb-bench.XXXXXX")
state=$tmp/pg
cleanup() { "$root/scripts/pg-test-cluster.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf -- "$tmp"; }
trap cleanup EXIT

# ms CMD...: wall time of CMD in milliseconds, its standard output in $tmp/out; aborts with its
# stderr when it fails.
ms() {
  local t0 t1
  t0=$(date +%s%N)
  if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
    echo "run_testdb: error: failed: $*" >&2
    cat "$tmp/err" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

"$script_dir/gen_migrations.sh" "$n" "$tmp/sqlite" sqlite >/dev/null
"$script_dir/gen_migrations.sh" "$n" "$tmp/postgres" postgres >/dev/null
"$root/scripts/pg-test-cluster.sh" start "$state" >&2
server=$(cat "$state/url")
base=${server%/postgres}
psql_cmd() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$server" -c "$1" >/dev/null; }
export PGPASSWORD
PGPASSWORD=$(sed -E 's#^postgres://[^:]*:([^@]*)@.*#\1#' "$state/url")

echo "run_testdb: building the templates" >&2
sb=$(ms "$strata" --dir "$tmp/sqlite" testdb create --testdb-dir "$tmp/store")
pb=$(ms "$strata" --dir "$tmp/postgres" --url "$server" testdb create)

# Migrating first, then cloning, each REPEAT times, as a test suite would: every test database is
# dropped after it was timed. (PostgreSQL's CREATE DATABASE runs slower right after a run that wrote
# 1000 tables, while the server is still writing them out: the phases are kept apart.)
sm=() sc=() pm=() pc=()
for i in $(seq 1 "$repeat"); do
  echo "run_testdb: migrating, $i/$repeat" >&2
  rm -f "$tmp"/scratch.db*
  psql_cmd "DROP DATABASE IF EXISTS bench_scratch WITH (FORCE)"
  psql_cmd "CREATE DATABASE bench_scratch"
  sm+=("$(ms "$strata" --dir "$tmp/sqlite" --url "sqlite:$tmp/scratch.db" up)")
  pm+=("$(ms "$strata" --dir "$tmp/postgres" --url "$base/bench_scratch" up)")
done
psql_cmd "DROP DATABASE IF EXISTS bench_scratch WITH (FORCE)"
psql_cmd "CHECKPOINT"
for i in $(seq 1 "$repeat"); do
  echo "run_testdb: cloning, $i/$repeat" >&2
  sc+=("$(ms "$strata" --dir "$tmp/sqlite" testdb create --testdb-dir "$tmp/store")")
  "$strata" testdb drop "$(cat "$tmp/out")"
  pc+=("$(ms "$strata" --dir "$tmp/postgres" --url "$server" testdb create)")
  "$strata" testdb drop "$(cat "$tmp/out")"
done

row() { awk -v l="$1" -v x="$2" -v r="$3" 'BEGIN { printf "| %s | %d | %.1fx |\n", l, x, (x > 0 ? r / x : 0) }'; }
s_m=$(printf '%s\n' "${sm[@]}" | median)
s_c=$(printf '%s\n' "${sc[@]}" | median)
p_m=$(printf '%s\n' "${pm[@]}" | median)
p_c=$(printf '%s\n' "${pc[@]}" | median)
echo "| a migrated test database, $n migrations (median of $repeat) | ms | faster than migrating |"
echo "|---|---:|---:|"
row "SQLite: \`up\` on a new file" "$s_m" "$s_m"
row "SQLite: \`testdb create\` (template exists)" "$s_c" "$s_m"
row "PostgreSQL: \`up\` on a new database" "$p_m" "$p_m"
row "PostgreSQL: \`testdb create\` (template exists)" "$p_c" "$p_m"
echo
echo "Building the template (the first \`testdb create\`): SQLite $sb ms, PostgreSQL $pb ms."
