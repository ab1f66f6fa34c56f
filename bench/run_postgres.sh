#!/usr/bin/env bash
# Benchmarks `strata up` on PostgreSQL against the raw-libpq baseline (bench/pg_reference.c), on a
# throwaway local cluster (scripts/pg-test-cluster.sh; fsync off unless STRATA_PG_DURABLE=1, 127.0.0.1).
# STRATA_BENCH_LATENCY_MS=1 puts bench/latency_proxy.py between both tools and the server: 1 ms more
# per round trip, as against a managed server.
#
#   usage: bench/run_postgres.sh [BUILD_DIR=build] [N=1000] [REPEAT=3]
#
# Each repetition, alternating which tool goes first: a fresh database gets all N migrations
# (fresh up), then the run is repeated on the up-to-date database (no-op up). Medians are printed
# as a markdown table on stdout; progress goes to stderr.
set -euo pipefail
build_dir=${1:-build}
n=${2:-1000}
repeat=${3:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
strata=$build_dir/strata
reference=$build_dir/bench/pg_reference
for bin in "$strata" "$reference"; do
  [ -x "$bin" ] || { echo "run_postgres: '$bin' not found; build it first with: make build" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-pgbench.XXXXXX")
state=$tmp/pg
cleanup() { "$root/scripts/pg-test-cluster.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
# up's stat cache for a PostgreSQL URL lives in the user's cache directory: keep this run's apart.
export XDG_CACHE_HOME=$tmp/cache
"$root/scripts/pg-test-cluster.sh" start "$state" >&2
server=$(cat "$state/url")
latency=${STRATA_BENCH_LATENCY_MS:-0}
if [ "$latency" != 0 ]; then
  port=${server##*:}; port=${port%%/*}
  proxy_port=$((port + 1000))
  python3 "$root/bench/latency_proxy.py" "$proxy_port" 127.0.0.1 "$port" "$latency" >"$tmp/proxy.out" &
  proxy=$!
  trap 'kill $proxy 2>/dev/null || true; cleanup' EXIT
  for _ in $(seq 1 50); do grep -q ready "$tmp/proxy.out" 2>/dev/null && break; sleep 0.1; done
  direct=$server
  server=${server/:$port\//:$proxy_port/}
  # What the proxy really adds: 200 round trips through it against 200 straight to the server.
  rt_us() { local t0 t1; t0=$(date +%s%N); yes 'SELECT 1;' | head -200 | psql -X -q "$1" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 200000 )); }
  added_us=$(( $(rt_us "$server") - $(rt_us "$direct") ))
fi
base=${server%/postgres}
"$root/bench/gen_migrations.sh" "$n" "$tmp/m" postgres >/dev/null

psql_cmd() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$server" -c "$1" >/dev/null; }
ms_of() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>"$tmp/err" || { echo "run_postgres: failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

declare -a sf sn rf rn
for i in $(seq 1 "$repeat"); do
  echo "run_postgres: run $i/$repeat" >&2
  psql_cmd "DROP DATABASE IF EXISTS bench_s WITH (FORCE)"; psql_cmd "CREATE DATABASE bench_s"
  psql_cmd "DROP DATABASE IF EXISTS bench_r WITH (FORCE)"; psql_cmd "CREATE DATABASE bench_r"
  if (( i % 2 )); then
    sf+=("$(ms_of "$strata" --url "$base/bench_s" --dir "$tmp/m" up)")
    rf+=("$(ms_of "$reference" "$base/bench_r" "$tmp/m")")
  else
    rf+=("$(ms_of "$reference" "$base/bench_r" "$tmp/m")")
    sf+=("$(ms_of "$strata" --url "$base/bench_s" --dir "$tmp/m" up)")
  fi
  sn+=("$(ms_of "$strata" --url "$base/bench_s" --dir "$tmp/m" up)")
  rn+=("$(ms_of "$reference" "$base/bench_r" "$tmp/m")")
  tables=$(psql -X -At "$base/bench_s" -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'")
  [ "$tables" = "$n" ] || { echo "run_postgres: strata created $tables of $n tables" >&2; exit 1; }
done
row() { awk -v a="$2" -v b="$3" -v l="$1" 'BEGIN { printf "| %s | %.1f | %.1f | %.2f |\n", l, a/1000, b/1000, a/b }'; }
echo "## strata vs raw libpq (pg_reference)"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPU(s)"
echo "- server: $(psql -X -At "$server" -c 'SHOW server_version') on 127.0.0.1, fsync $(psql -X -At "$server" -c 'SHOW fsync')$( [ "$latency" = 0 ] || echo ", through bench/latency_proxy.py: $latency ms asked, $((added_us / 1000)).$(printf '%03d' $((added_us % 1000))) ms measured per round trip")"
echo "- workload: $n migrations (CREATE TABLE + CREATE INDEX + 3-row INSERT each), median of $repeat runs"
echo
echo "| case | strata ms | reference ms | ratio (strata/reference) |"
echo "|---|---:|---:|---:|"
row "fresh up ($n migrations)" "$(median "${sf[@]}")" "$(median "${rf[@]}")"
row "no-op up ($n applied)" "$(median "${sn[@]}")" "$(median "${rn[@]}")"
