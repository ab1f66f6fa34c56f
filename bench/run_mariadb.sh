#!/usr/bin/env bash
# Benchmarks `strata up` on MariaDB against the raw-libmariadb baseline (bench/mariadb_reference.c),
# on a throwaway local server (scripts/mariadb-test-cluster.sh: 127.0.0.1,
# innodb_flush_log_at_trx_commit=0, no binary log).
#
#   usage: bench/run_mariadb.sh [BUILD_DIR=build] [N=1000] [REPEAT=3]
#   (STRATA_BENCH_NOOP_RUNS=10: how many no-op runs of each tool per repetition)
#
# Each repetition, alternating which tool goes first: a fresh database gets all N migrations
# (fresh up), then the run is repeated on the up-to-date database (no-op up). The reference runs in
# its careful mode (run lock, a dirty history row before each migration, updated to applied after:
# what strata does on this engine); on databases of their own, in its verifying mode (the careful
# mode plus a SHA-256 of each file in its history row, and every applied file read and hashed again
# on each run to notice an edited one: the check strata makes, without strata's cache of file sizes
# and times), and in its naive mode (statements and one history row, nothing else), to show what
# the bookkeeping costs. Medians are printed as a
# markdown table on stdout; progress goes to stderr.
set -euo pipefail
build_dir=${1:-build}
n=${2:-1000}
repeat=${3:-3}
noop_runs=${STRATA_BENCH_NOOP_RUNS:-10}  # no-op runs of each tool per repetition
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
strata=$build_dir/strata
reference=$build_dir/bench/mariadb_reference
for bin in "$strata" "$reference"; do
  [ -x "$bin" ] || { echo "run_mariadb: '$bin' not found; build it first with: make build" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-mariadbbench.XXXXXX")
state=$tmp/mariadb
cleanup() { "$root/scripts/mariadb-test-cluster.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
# Keep anything strata caches in the user's cache directory apart from this run's.
export XDG_CACHE_HOME=$tmp/cache
"$root/scripts/mariadb-test-cluster.sh" start "$state" >&2
server=$(cat "$state/url")
base=${server%/*}
"$root/bench/gen_migrations.sh" "$n" "$tmp/m" mariadb >/dev/null

# Administration goes through the server's socket as root (the cluster script's setup).
sql() { mariadb --no-defaults --socket="$(cat "$state/socket")" -uroot -N -B -e "$1"; }
fresh_db() { sql "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1 CHARACTER SET utf8mb4"; }
ms_of() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>"$tmp/err" || { echo "run_mariadb: failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
tables_of() { sql "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$1' AND TABLE_NAME LIKE 't\\_%'"; }

declare -a sf sn rf rn vf vn nf nn
for i in $(seq 1 "$repeat"); do
  echo "run_mariadb: run $i/$repeat" >&2
  fresh_db bench_s; fresh_db bench_r; fresh_db bench_v; fresh_db bench_n
  if (( i % 2 )); then
    sf+=("$(ms_of "$strata" --url "$base/bench_s" --dir "$tmp/m" up)")
    rf+=("$(ms_of "$reference" "$base/bench_r" "$tmp/m")")
    vf+=("$(ms_of "$reference" --verify "$base/bench_v" "$tmp/m")")
    nf+=("$(ms_of "$reference" --naive "$base/bench_n" "$tmp/m")")
  else
    nf+=("$(ms_of "$reference" --naive "$base/bench_n" "$tmp/m")")
    vf+=("$(ms_of "$reference" --verify "$base/bench_v" "$tmp/m")")
    rf+=("$(ms_of "$reference" "$base/bench_r" "$tmp/m")")
    sf+=("$(ms_of "$strata" --url "$base/bench_s" --dir "$tmp/m" up)")
  fi
  # A no-op takes some 20 ms, within the noise of one run: each tool runs it several times, in turn.
  for _ in $(seq 1 "$noop_runs"); do
    sn+=("$(ms_of "$strata" --url "$base/bench_s" --dir "$tmp/m" up)")
    rn+=("$(ms_of "$reference" "$base/bench_r" "$tmp/m")")
    vn+=("$(ms_of "$reference" --verify "$base/bench_v" "$tmp/m")")
    nn+=("$(ms_of "$reference" --naive "$base/bench_n" "$tmp/m")")
  done
  for db in bench_s bench_r bench_v bench_n; do
    tables=$(tables_of "$db")
    [ "$tables" = "$n" ] || { echo "run_mariadb: $db has $tables of $n tables" >&2; exit 1; }
  done
done
row() { awk -v a="$2" -v b="$3" -v l="$1" 'BEGIN { printf "| %s | %.1f | %.1f | %.2f |\n", l, a/1000, b/1000, a/b }'; }
echo "## strata vs raw libmariadb (mariadb_reference)"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPU(s)"
echo "- server: MariaDB $(sql 'SELECT VERSION()') on 127.0.0.1 (TCP), innodb_flush_log_at_trx_commit=$(sql 'SELECT @@innodb_flush_log_at_trx_commit'), no binary log"
echo "- workload: $n migrations (CREATE TABLE + CREATE INDEX + 3-row INSERT each), median of $repeat runs ($((repeat * noop_runs)) for a no-op)"
echo "- reference: run lock, dirty row, statements one by one, row updated to applied; verifying: the same, and every"
echo "  applied file read and its SHA-256 compared with the history's, as strata checks; naive: statements and one row"
echo
echo "| case | strata ms | reference ms | ratio (strata/reference) |"
echo "|---|---:|---:|---:|"
row "fresh up ($n migrations)" "$(median "${sf[@]}")" "$(median "${rf[@]}")"
row "fresh up, against the verifying reference" "$(median "${sf[@]}")" "$(median "${vf[@]}")"
row "fresh up, against the naive reference" "$(median "${sf[@]}")" "$(median "${nf[@]}")"
row "no-op up ($n applied)" "$(median "${sn[@]}")" "$(median "${rn[@]}")"
row "no-op up, against the verifying reference" "$(median "${sn[@]}")" "$(median "${vn[@]}")"
row "no-op up, against the naive reference" "$(median "${sn[@]}")" "$(median "${nn[@]}")"
