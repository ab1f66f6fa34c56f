#!/usr/bin/env bash
# Benchmarks `strata up` on SQLite against the raw-engine baseline (bench/sqlite_reference.c).
#
#   usage: bench/run_sqlite.sh [BUILD_DIR=build] [N=1000] [REPEAT=5]
#
# Needs BUILD_DIR/strata and BUILD_DIR/bench/sqlite_reference (run `make build`).
# Environment:
#   STRATA_ARGS  extra arguments appended to every strata command line (default: none),
#                e.g. STRATA_ARGS="--verbose" bench/run_sqlite.sh
#   WARMUP       untimed fresh runs of each tool before measuring (default: 1)
#   KEEP_TMP     set to 1 to keep the temporary directory (databases, migrations)
#   TMPDIR       where the temporary directory is created (default: /tmp); the
#                filesystem matters, since every migration COMMIT syncs the database
#   SHAPE        files (default): N migrations; statements: ONE migration of N statements
#                (the reference runs it with sqlite3_exec, SQLite's own prepare-tail loop)
#
# Each repetition runs, alternating which tool goes first:
#   fresh up:  apply all N migrations to a new database file (peak RSS via /usr/bin/time)
#   no-op up:  run again on the now up-to-date database
#   grouped:   strata up --single-transaction on a new database file (files shape only)
# and the medians are printed as a markdown table on stdout (progress goes to stderr).
# Any failing command aborts the script, showing that command's stderr.
set -euo pipefail

usage() {
  sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case ${1:-} in
  -h | --help) usage; exit 0 ;;
esac
if [ $# -gt 3 ]; then
  usage >&2
  exit 2
fi

build_dir=${1:-build}
n=${2:-1000}
repeat=${3:-5}
warmup=${WARMUP:-1}

die() {
  echo "run_sqlite: error: $*" >&2
  exit 1
}

for pair in "N:$n" "REPEAT:$repeat"; do
  val=${pair#*:}
  if ! [[ $val =~ ^[0-9]+$ ]] || [ "$((10#$val))" -lt 1 ]; then
    die "${pair%%:*} must be a positive integer, got '$val'"
  fi
done
[[ $warmup =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer, got '$warmup'"
n=$((10#$n))
repeat=$((10#$repeat))
warmup=$((10#$warmup))

strata=$build_dir/strata
reference=$build_dir/bench/sqlite_reference
for bin in "$strata" "$reference"; do
  if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
    die "'$bin' not found or not executable; build it first with: make build" \
      "(or pass the build directory: $0 BUILD_DIR [N] [REPEAT])"
  fi
done

# STRATA_ARGS is split on whitespace (no quoting/globbing) and appended after `up`.
strata_extra=()
if [ -n "${STRATA_ARGS:-}" ]; then
  read -r -a strata_extra <<<"$STRATA_ARGS"
fi

time_bin=""
if [ -x /usr/bin/time ]; then
  time_bin=/usr/bin/time
fi

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-bench.XXXXXX")
cleanup() {
  if [ "${KEEP_TMP:-0}" = 1 ]; then
    echo "run_sqlite: kept $tmp" >&2
  else
    rm -rf -- "$tmp"
  fi
}
trap cleanup EXIT

gen=$tmp/migrations
sdb=$tmp/s.db
rdb=$tmp/r.db

progress() { echo "run_sqlite: $*" >&2; }

# run_cmd LABEL WITH_RSS CMD...
# Runs CMD with stdout discarded and stderr captured; sets LAST_NS (wall time,
# nanoseconds) and LAST_RSS (peak RSS in KiB, or "" when not measured).
# Aborts the script, printing the command and its stderr, if CMD fails.
LAST_NS=0
LAST_RSS=""
run_cmd() {
  local label=$1 with_rss=$2
  shift 2
  local errf=$tmp/stderr.txt rssf=$tmp/rss.txt t0 t1 rc=0
  if [ "$with_rss" = 1 ] && [ -n "$time_bin" ]; then
    t0=$(date +%s%N)
    "$time_bin" -f %M -o "$rssf" "$@" >/dev/null 2>"$errf" || rc=$?
    t1=$(date +%s%N)
  else
    t0=$(date +%s%N)
    "$@" >/dev/null 2>"$errf" || rc=$?
    t1=$(date +%s%N)
  fi
  if [ "$rc" -ne 0 ]; then
    {
      echo "run_sqlite: error: $label failed with exit code $rc"
      echo "command: $*"
      echo "----- stderr -----"
      cat "$errf"
      if [ "$with_rss" = 1 ] && [ -n "$time_bin" ] && [ -s "$rssf" ]; then
        head -n -1 "$rssf" # GNU time's own notes (e.g. "Command terminated by signal 9")
      fi
      echo "------------------"
    } >&2
    exit 1
  fi
  LAST_NS=$((t1 - t0))
  LAST_RSS=""
  if [ "$with_rss" = 1 ] && [ -n "$time_bin" ]; then
    LAST_RSS=$(tail -n 1 "$rssf")
    [[ $LAST_RSS =~ ^[0-9]+$ ]] || die "unexpected /usr/bin/time output for $label: $(cat "$rssf")"
  fi
}

fresh_db() { rm -f -- "$1" "$1-journal" "$1-wal" "$1-shm"; }

gdb=$tmp/g.db
strata_group_up() { run_cmd "$1" 0 "$strata" --url "sqlite:$gdb" --dir "$gen" up --single-transaction "${strata_extra[@]}"; }
strata_up() { run_cmd "$1" "$2" "$strata" --url "sqlite:$sdb" --dir "$gen" up "${strata_extra[@]}"; }
reference_up() { run_cmd "$1" "$2" "$reference" "$rdb" "$gen"; }

# Sanity check after a fresh run: every generated table exists (needs the sqlite3 CLI).
have_sqlite3_cli=0
command -v sqlite3 >/dev/null 2>&1 && have_sqlite3_cli=1
check_db() {
  [ "$have_sqlite3_cli" = 1 ] || return 0
  local tables
  if [ "$shape" = statements ]; then
    tables=$(sqlite3 "$2" "SELECT count(*) FROM t_0001") || die "cannot inspect $1 database $2"
    [ "$tables" = "$n" ] || die "after a fresh up, $1 had inserted $tables of the $n rows in $2"
    return 0
  fi
  tables=$(sqlite3 "$2" "SELECT count(*) FROM sqlite_master WHERE type='table' AND name GLOB 't_[0-9]*'") ||
    die "cannot inspect $1 database $2"
  [ "$tables" = "$n" ] || die "after a fresh up, $1 had created $tables of the $n migration tables in $2"
}

median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.0f\n", v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ms() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

shape=${SHAPE:-files}
progress "generating $n migrations in $gen ($shape)"
"$script_dir/gen_migrations.sh" "$n" "$gen" sqlite "$shape"

# Fixed cost of the measurement itself (date + fork/exec of an empty external command).
floor=()
for ((i = 0; i < repeat; i++)); do
  run_cmd "timing floor" 0 /bin/true
  floor+=("$LAST_NS")
done

for ((i = 0; i < warmup; i++)); do
  progress "warm-up $((i + 1))/$warmup"
  fresh_db "$sdb"; strata_up "strata fresh up (warm-up)" 0
  fresh_db "$rdb"; reference_up "sqlite_reference fresh run (warm-up)" 0
  check_db strata "$sdb"
  check_db sqlite_reference "$rdb"
done

s_fresh=(); r_fresh=(); s_noop=(); r_noop=(); s_rss=(); r_rss=(); s_group=()
for ((i = 0; i < repeat; i++)); do
  if ((i % 2 == 0)); then order="strata reference"; else order="reference strata"; fi
  progress "run $((i + 1))/$repeat (order: $order)"
  for who in $order; do
    if [ "$who" = strata ]; then
      fresh_db "$sdb"; strata_up "strata fresh up" 1
      s_fresh+=("$LAST_NS"); s_rss+=("$LAST_RSS")
    else
      fresh_db "$rdb"; reference_up "sqlite_reference fresh run" 1
      r_fresh+=("$LAST_NS"); r_rss+=("$LAST_RSS")
    fi
  done
  check_db strata "$sdb"
  check_db sqlite_reference "$rdb"
  for who in $order; do
    if [ "$who" = strata ]; then
      strata_up "strata no-op up" 0; s_noop+=("$LAST_NS")
    else
      reference_up "sqlite_reference no-op run" 0; r_noop+=("$LAST_NS")
    fi
  done
  if [ "$shape" = files ]; then
    fresh_db "$gdb"; strata_group_up "strata fresh up --single-transaction"; s_group+=("$LAST_NS")
    check_db "strata --single-transaction" "$gdb"
  fi
done

sf=$(median "${s_fresh[@]}"); rf=$(median "${r_fresh[@]}")
sn=$(median "${s_noop[@]}"); rn=$(median "${r_noop[@]}")
if [ -n "$time_bin" ]; then
  srss=$(median "${s_rss[@]}"); rrss=$(median "${r_rss[@]}")
else
  srss="n/a"; rrss="n/a"
fi

cpu=$(awk -F': *' '/^(model name|Hardware|Processor|cpu model)[[:space:]]*:/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite_version=$(sqlite3 --version 2>/dev/null | head -n 1)
else
  sqlite_version="unknown (sqlite3 CLI not installed)"
fi
fs_type=$(stat -f -c %T "$tmp" 2>/dev/null || echo unknown)

echo "## strata vs raw SQLite (sqlite_reference)"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: ${cpu:-unknown CPU}, $(nproc) CPU(s), $(uname -sr)"
echo "- SQLite: $sqlite_version"
echo "- strata: \`$strata --url sqlite:DB --dir DIR up${STRATA_ARGS:+ $STRATA_ARGS}\`"
if [ "$shape" = statements ]; then
  workload="one migration of $n INSERT statements"
else
  workload="$n migrations (CREATE TABLE + CREATE INDEX + 3-row INSERT each)"
fi
echo "- workload: $workload, median of $repeat runs" \
  "(alternating order, $warmup warm-up), databases on ${TMPDIR:-/tmp} ($fs_type)"
echo "- timing floor (date + fork/exec of /bin/true; included in every figure, fresh runs also pay for /usr/bin/time): $(ms "$(median "${floor[@]}")") ms"
if [ -z "$time_bin" ]; then
  echo "- peak RSS: not measured (/usr/bin/time not found; install the Debian package \`time\`)"
fi
if [ "$have_sqlite3_cli" = 0 ]; then
  echo "- note: sqlite3 CLI not found, so the resulting schemas were not checked"
fi
echo
echo "| case | strata ms | reference ms | ratio (strata/reference) | strata peak RSS KiB | reference peak RSS KiB |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| fresh up ($workload) | $(ms "$sf") | $(ms "$rf") | $(ratio "$sf" "$rf") | $srss | $rrss |"
echo "| no-op up (the same, applied) | $(ms "$sn") | $(ms "$rn") | $(ratio "$sn" "$rn") | - | - |"
if [ "$shape" = files ]; then
  sg=$(median "${s_group[@]}")
  echo "| fresh up --single-transaction | $(ms "$sg") | $(ms "$rf") | $(ratio "$sg" "$rf") | - | - |"
  echo
  echo "fresh up --single-transaction against strata's per-migration fresh up: $(ratio "$sf" "$sg")x faster" \
    "($(ms "$sg") vs $(ms "$sf") ms)"
fi
