#!/usr/bin/env bash
# Benchmarks fleets: `strata --targets FILE up` over many SQLite files and `strata --schemas PATTERN
# up` over many PostgreSQL schemas (a throwaway local cluster, scripts/pg-test-cluster.sh), against
# a shell loop that runs `strata up` once per target, in the same run. Two cases: every target has
# M pending migrations, then every target is up to date.
#
#   usage: bench/run_fleet.sh [BUILD_DIR=build] [SQLITE_TARGETS=1000] [PG_SCHEMAS=200] [M=10]
#
# Prints a markdown table on stdout (progress on stderr): whole-command wall times and the cost per
# target. Any failing command aborts.
set -euo pipefail

build_dir=${1:-build}
n_sqlite=${2:-1000}
n_pg=${3:-200}
m=${4:-10}
strata=$build_dir/strata
[ -x "$strata" ] || { echo "run_fleet: error: '$strata' not found; run make build" >&2; exit 1; }
for v in "$n_sqlite" "$n_pg" "$m"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "run_fleet: error: counts must be positive integers" >&2; exit 2; }
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-fleet-bench.XXXXXX")
state=$tmp/pg
cleanup() { "$root/scripts/pg-test-cluster.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf -- "$tmp"; }
trap cleanup EXIT

# ms CMD...: wall time of CMD in milliseconds; aborts with its stderr when it fails.
ms() {
  local t0 t1
  t0=$(date +%s%N)
  if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
    echo "run_fleet: error: failed: $*" >&2
    tail -n 20 "$tmp/err" "$tmp/out" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

"$script_dir/gen_migrations.sh" "$m" "$tmp/sqlite" sqlite >/dev/null
"$script_dir/gen_migrations.sh" "$m" "$tmp/postgres" postgres >/dev/null

# SQLite: two identical sets of files, one for strata's fleet and one for the loop.
for side in fleet loop; do
  mkdir -p "$tmp/$side"
  : >"$tmp/$side.targets"
  for i in $(seq -w 1 "$n_sqlite"); do echo "sqlite:$tmp/$side/t$i.db" >>"$tmp/$side.targets"; done
done
# The same, four at a time, as `xargs -P 4` would run them (the fair match for --parallel 4: with
# pending migrations a SQLite run mostly waits for fdatasync, which parallel runs overlap).
xargs_sqlite() { xargs -P 4 -I{} "$strata" --dir "$tmp/sqlite" --url {} up <"$tmp/loop.targets" >/dev/null; }
loop_sqlite() { while read -r url; do "$strata" --dir "$tmp/sqlite" --url "$url" up </dev/null >/dev/null; done <"$tmp/loop.targets"; }

echo "run_fleet: SQLite, $n_sqlite targets with $m pending migrations each" >&2
s_fleet_p=$(ms "$strata" --dir "$tmp/sqlite" --targets "$tmp/fleet.targets" up)
s_loop_p=$(ms loop_sqlite)
rm -f "$tmp"/loop/*
s_xargs_p=$(ms xargs_sqlite)
echo "run_fleet: SQLite, $n_sqlite targets up to date" >&2
s_fleet_n=$(ms "$strata" --dir "$tmp/sqlite" --targets "$tmp/fleet.targets" up)
s_loop_n=$(ms loop_sqlite)
s_xargs_n=$(ms xargs_sqlite)
s_fleet_n1=$(ms "$strata" --dir "$tmp/sqlite" --targets "$tmp/fleet.targets" --parallel 1 up)

"$root/scripts/pg-test-cluster.sh" start "$state" >&2
server=$(cat "$state/url")
base=${server%/postgres}
export PGPASSWORD
PGPASSWORD=$(sed -E 's#^postgres://[^:]*:([^@]*)@.*#\1#' "$state/url")
psql_cmd() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$1" -c "$2" >/dev/null; }
for side in fleet loop; do
  psql_cmd "$server" "CREATE DATABASE bench_$side"
  psql_cmd "$base/bench_$side" "DO \$\$ BEGIN FOR i IN 1..$n_pg LOOP EXECUTE format('CREATE SCHEMA tenant_%s', lpad(i::text, 4, '0')); END LOOP; END \$\$"
done
xargs_pg() {
  seq -f 'tenant_%04g' 1 "$n_pg" | xargs -P 4 -I{} "$strata" --dir "$tmp/postgres" --url "$base/bench_loop" --schemas {} up >/dev/null
}
loop_pg() {
  for i in $(seq -w 1 "$n_pg"); do
    "$strata" --dir "$tmp/postgres" --url "$base/bench_loop" --schemas "tenant_$(printf '%04d' "$((10#$i))")" up >/dev/null
  done
}

echo "run_fleet: PostgreSQL, $n_pg schemas with $m pending migrations each" >&2
p_fleet_p=$(ms "$strata" --dir "$tmp/postgres" --url "$base/bench_fleet" --schemas 'tenant\_%' up)
p_loop_p=$(ms loop_pg)
psql_cmd "$server" "DROP DATABASE bench_loop"
psql_cmd "$server" "CREATE DATABASE bench_loop"
psql_cmd "$base/bench_loop" "DO \$\$ BEGIN FOR i IN 1..$n_pg LOOP EXECUTE format('CREATE SCHEMA tenant_%s', lpad(i::text, 4, '0')); END LOOP; END \$\$"
p_xargs_p=$(ms xargs_pg)
echo "run_fleet: PostgreSQL, $n_pg schemas up to date" >&2
p_fleet_n=$(ms "$strata" --dir "$tmp/postgres" --url "$base/bench_fleet" --schemas 'tenant\_%' up)
p_loop_n=$(ms loop_pg)
p_xargs_n=$(ms xargs_pg)
p_fleet_n1=$(ms "$strata" --dir "$tmp/postgres" --url "$base/bench_fleet" --schemas 'tenant\_%' --parallel 1 up)

row() {
  awk -v l="$1" -v n="$2" -v f="$3" -v lp="$4" -v xp="$5" 'BEGIN {
    printf "| %s | %d | %d ms (%.2f ms/target) | %d ms (%.2f ms/target) | %s | %.2f | %s |\n", l, n, f, f / n, lp, lp / n,
      (xp == "" ? "-" : sprintf("%d ms (%.2f ms/target)", xp, xp / n)), (lp > 0 ? f / lp : 0),
      (xp == "" ? "-" : sprintf("%.2f", f / xp)) }'
}
echo
echo "| case | targets | strata fleet | shell loop over strata up | xargs -P 4 over strata up | fleet / loop | fleet / xargs |"
echo "|---|---|---|---|---|---|---|"
row "SQLite files, $m pending each" "$n_sqlite" "$s_fleet_p" "$s_loop_p" "$s_xargs_p"
row "SQLite files, up to date" "$n_sqlite" "$s_fleet_n" "$s_loop_n" "$s_xargs_n"
row "SQLite files, up to date, --parallel 1" "$n_sqlite" "$s_fleet_n1" "$s_loop_n" ""
row "PostgreSQL schemas, $m pending each" "$n_pg" "$p_fleet_p" "$p_loop_p" "$p_xargs_p"
row "PostgreSQL schemas, up to date" "$n_pg" "$p_fleet_n" "$p_loop_n" "$p_xargs_n"
row "PostgreSQL schemas, up to date, --parallel 1" "$n_pg" "$p_fleet_n1" "$p_loop_n" ""
