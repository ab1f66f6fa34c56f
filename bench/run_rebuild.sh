#!/usr/bin/env bash
# Benchmarks strata's SQLite table rebuild against the hand-written 12-step one in C
# (bench/rebuild_reference.c), in the same run, on identical copies of one database.
#
#   usage: bench/run_rebuild.sh [BUILD_DIR=build] [ROWS=1000000] [REPEAT=3]
#
# The table has ROWS rows, three indexes and a child table with ON DELETE CASCADE; the change is
# `ALTER TABLE big ALTER COLUMN b SET NOT NULL`, which SQLite can only do by a rebuild. strata runs
# it as `strata up` on a database it already manages (process start, lint, history row and run log
# included; STRATA_ARGS adds arguments);
# the reference runs only the rebuild. Each repetition alternates which goes first; the medians
# and their ratio are printed as a markdown table on stdout. Not asserted anywhere.
set -euo pipefail

build_dir=${1:-build}
rows=${2:-1000000}
repeat=${3:-3}
strata=$build_dir/strata
reference=$build_dir/bench/rebuild_reference
for bin in "$strata" "$reference"; do
  [ -x "$bin" ] || { echo "run_rebuild: error: $bin is missing (run make build)" >&2; exit 1; }
done
[[ $rows =~ ^[0-9]+$ && $repeat =~ ^[0-9]+$ ]] || { echo "run_rebuild: ROWS and REPEAT are numbers" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-rebuild-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/m"
echo "seeding $rows rows ..." >&2
"$reference" seed "$tmp/seed.db" "$rows"
# The database is already managed by strata (its history table and run log exist), as it would be
# in use: what is timed is applying the one migration that needs the rebuild.
printf 'CREATE TABLE bench_marker (x INT);\n' >"$tmp/m/v1_marker.sql"
"$strata" --url "sqlite:$tmp/seed.db" --dir "$tmp/m" up >/dev/null
printf 'ALTER TABLE big ALTER COLUMN b SET NOT NULL;\n' >"$tmp/m/v2_b_not_null.sql"

now() { date +%s%N; }
# Times one tool on a fresh copy; prints nanoseconds.
time_strata() {
  cp "$tmp/seed.db" "$tmp/s.db"
  local t0 t1
  t0=$(now)
  # shellcheck disable=SC2086
  "$strata" --url "sqlite:$tmp/s.db" --dir "$tmp/m" up ${STRATA_ARGS:-} >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; exit 1; }
  t1=$(now)
  echo $((t1 - t0))
}
time_reference() {
  cp "$tmp/seed.db" "$tmp/r.db"
  local t0 t1
  t0=$(now)
  "$reference" rebuild "$tmp/r.db"
  t1=$(now)
  echo $((t1 - t0))
}

s=() r=()
for ((i = 0; i < repeat; i++)); do
  if ((i % 2 == 0)); then
    s+=("$(time_strata)"); r+=("$(time_reference)")
  else
    r+=("$(time_reference)"); s+=("$(time_strata)")
  fi
  echo "repetition $((i + 1)): strata $((${s[-1]} / 1000000)) ms, reference $((${r[-1]} / 1000000)) ms" >&2
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms() { awk -v ns="$1" 'BEGIN { printf "%.0f", ns / 1e6 }'; }
ms_s=$(median "${s[@]}")
ms_r=$(median "${r[@]}")
echo "| rebuild of a $rows-row table with 3 indexes (median of $repeat) | strata up | 12-step C | ratio |"
echo "|---|---|---|---|"
echo "| ALTER COLUMN b SET NOT NULL | $(ms "$ms_s") ms | $(ms "$ms_r") ms | $(awk -v a="$ms_s" -v b="$ms_r" 'BEGIN { printf "%.2f", a / b }')x |"
