#!/usr/bin/env bash
# Benchmarks strata checkpoint: a fresh database from a checkpoint of N migrations plus 10 later
# files, against the same N + 10 files applied one by one, on SQLite and on PostgreSQL (a
# throwaway local cluster, scripts/pg-test-cluster.sh). Also times writing the checkpoint.
#
#   usage: bench/run_checkpoint.sh [BUILD_DIR=build] [N=10000] [REPEAT=5]
#
# Prints a markdown table of medians on stdout (progress on stderr). Any failing command aborts.
set -euo pipefail

build_dir=${1:-build}
n=${2:-10000}
repeat=${3:-5}
strata=$build_dir/strata
[ -x "$strata" ] || { echo "run_checkpoint: error: '$strata' not found; run make build" >&2; exit 1; }
for v in "$n" "$repeat"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "run_checkpoint: error: N and REPEAT must be positive integers" >&2; exit 2; }
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-checkpoint-bench.XXXXXX")
state=$tmp/pg
cleanup() { "$root/scripts/pg-test-cluster.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf -- "$tmp"; }
trap cleanup EXIT

total=$((n + 10))
# ms CMD...: wall time of CMD in milliseconds; aborts with its stderr when it fails.
ms() {
  local t0 t1
  t0=$(date +%s%N)
  if ! "$@" >/dev/null 2>"$tmp/err"; then
    echo "run_checkpoint: error: failed: $*" >&2
    cat "$tmp/err" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# prepare ENGINE: DIR/files (N + 10 migrations) and DIR/with (the same and a checkpoint of N).
prepare() {
  local engine=$1 scratch=("${@:2}")
  "$script_dir/gen_migrations.sh" "$total" "$tmp/$engine/files" "$engine" >/dev/null
  mkdir -p "$tmp/$engine/with"
  cp "$tmp/$engine/files"/*.sql "$tmp/$engine/with/"
  echo "run_checkpoint: writing the $engine checkpoint of $n migrations" >&2
  write_ms[$engine]=$(ms "$strata" "${scratch[@]}" --dir "$tmp/$engine/with" checkpoint --to "$n")
}

declare -A write_ms
prepare sqlite
"$root/scripts/pg-test-cluster.sh" start "$state" >&2
server=$(cat "$state/url")
base=${server%/postgres}
prepare postgres --scratch-url "$server"
psql_cmd() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$server" -c "$1" >/dev/null; }

sf=() sc=() pf=() pc=()
for i in $(seq 1 "$repeat"); do
  echo "run_checkpoint: repetition $i/$repeat" >&2
  rm -f "$tmp"/a.db* "$tmp"/b.db*
  for db in bench_a bench_b; do
    psql_cmd "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    psql_cmd "CREATE DATABASE $db"
  done
  # Alternate which goes first, so that neither always meets a warm cache.
  if [ $((i % 2)) -eq 1 ]; then
    sf+=("$(ms "$strata" --dir "$tmp/sqlite/files" --url "sqlite:$tmp/a.db" up)")
    sc+=("$(ms "$strata" --dir "$tmp/sqlite/with" --url "sqlite:$tmp/b.db" up)")
    pf+=("$(ms "$strata" --dir "$tmp/postgres/files" --url "$base/bench_a" up)")
    pc+=("$(ms "$strata" --dir "$tmp/postgres/with" --url "$base/bench_b" up)")
  else
    sc+=("$(ms "$strata" --dir "$tmp/sqlite/with" --url "sqlite:$tmp/b.db" up)")
    sf+=("$(ms "$strata" --dir "$tmp/sqlite/files" --url "sqlite:$tmp/a.db" up)")
    pc+=("$(ms "$strata" --dir "$tmp/postgres/with" --url "$base/bench_b" up)")
    pf+=("$(ms "$strata" --dir "$tmp/postgres/files" --url "$base/bench_a" up)")
  fi
done
# Both roads end at the same place.
if command -v sqlite3 >/dev/null; then
  a=$(sqlite3 "$tmp/a.db" "PRAGMA user_version; SELECT count(*) FROM sqlite_schema")
  b=$(sqlite3 "$tmp/b.db" "PRAGMA user_version; SELECT count(*) FROM sqlite_schema")
  [ "$a" = "$b" ] || { echo "run_checkpoint: error: the two SQLite databases differ ($a vs $b)" >&2; exit 1; }
fi

row() { awk -v l="$1" -v x="$2" -v r="$3" 'BEGIN { printf "| %s | %d | %.3f |\n", l, x, (r > 0 ? x / r : 0) }'; }
s_files=$(printf '%s\n' "${sf[@]}" | median)
s_with=$(printf '%s\n' "${sc[@]}" | median)
p_files=$(printf '%s\n' "${pf[@]}" | median)
p_with=$(printf '%s\n' "${pc[@]}" | median)
echo "| fresh database, $total migrations (median of $repeat) | ms | ratio |"
echo "|---|---:|---:|"
row "SQLite: every file" "$s_files" "$s_files"
row "SQLite: checkpoint of $n + 10 files" "$s_with" "$s_files"
row "PostgreSQL: every file" "$p_files" "$p_files"
row "PostgreSQL: checkpoint of $n + 10 files" "$p_with" "$p_files"
echo
echo "Writing the checkpoint (replay, dump, reload to prove it exact): SQLite ${write_ms[sqlite]} ms, PostgreSQL ${write_ms[postgres]} ms."
