#!/usr/bin/env bash
# Benchmarks strata lint: linting N generated migrations (SQLite and PostgreSQL dialects, no
# database), and what the lint inside `up` adds to a fresh apply on SQLite (`up` against
# `up --lint=off`, same run, alternating which goes first).
#
#   usage: bench/run_lint.sh [BUILD_DIR=build] [N=1000] [REPEAT=5]
#
# Prints a markdown table of medians on stdout (progress on stderr). Any failing command aborts.
set -euo pipefail

build_dir=${1:-build}
n=${2:-1000}
repeat=${3:-5}
strata=$build_dir/strata
[ -x "$strata" ] || { echo "run_lint: error: '$strata' not found; run make build" >&2; exit 1; }
for v in "$n" "$repeat"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "run_lint: error: N and REPEAT must be positive integers" >&2; exit 2; }
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-lint-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
"$script_dir/gen_migrations.sh" "$n" "$tmp/sqlite" sqlite
"$script_dir/gen_migrations.sh" "$n" "$tmp/postgres" postgres

# ms CMD...: wall time of CMD in milliseconds; aborts with its stderr when it fails.
ms() {
  local t0 t1
  t0=$(date +%s%N)
  if ! "$@" >/dev/null 2>"$tmp/err"; then
    echo "run_lint: error: failed: $*" >&2
    cat "$tmp/err" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

lint_sqlite=() lint_pg=() up_lint=() up_off=()
for i in $(seq 1 "$repeat"); do
  echo "run_lint: repetition $i/$repeat" >&2
  lint_sqlite+=("$(ms "$strata" --dir "$tmp/sqlite" lint)")
  lint_pg+=("$(ms "$strata" --dir "$tmp/postgres" lint --engine postgres)")
  rm -f "$tmp"/a.db* "$tmp"/b.db*
  if [ $((i % 2)) -eq 1 ]; then
    up_lint+=("$(ms "$strata" --dir "$tmp/sqlite" --url "sqlite:$tmp/a.db" up)")
    up_off+=("$(ms "$strata" --dir "$tmp/sqlite" --url "sqlite:$tmp/b.db" up --lint=off)")
  else
    up_off+=("$(ms "$strata" --dir "$tmp/sqlite" --url "sqlite:$tmp/b.db" up --lint=off)")
    up_lint+=("$(ms "$strata" --dir "$tmp/sqlite" --url "sqlite:$tmp/a.db" up)")
  fi
done

ls_=$(printf '%s\n' "${lint_sqlite[@]}" | median)
lp=$(printf '%s\n' "${lint_pg[@]}" | median)
ul=$(printf '%s\n' "${up_lint[@]}" | median)
uo=$(printf '%s\n' "${up_off[@]}" | median)
echo "| measurement ($n migrations, median of $repeat) | ms | ratio |"
echo "|---|---:|---:|"
echo "| lint, SQLite dialect (rules + in-memory replay) | $ls_ | |"
echo "| lint, PostgreSQL dialect (libpg_query) | $lp | |"
echo "| fresh up, SQLite, --lint=off | $uo | 1.00 |"
awk -v l="$ul" -v o="$uo" 'BEGIN { printf "| fresh up, SQLite, lint on (default) | %d | %.3f |\n", l, (o > 0 ? l / o : 0) }'
