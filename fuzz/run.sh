#!/usr/bin/env bash
# Runs every libFuzzer target of a -DSTRATA_FUZZ=ON build for SECONDS each.
#
#   fuzz/run.sh BUILD_DIR SECONDS        (make fuzz / make fuzz-smoke call it from the repo root)
#
# Each target starts from its seed corpus (fuzz/corpus/<target>/), copied into a scratch corpus
# under BUILD_DIR/fuzz-work/<target>/corpus so that the repository's seeds are never modified; the
# scratch corpus is kept between runs (FUZZ_FRESH=1 starts over from the seeds). A dictionary
# fuzz/dict/<target>.dict is used when present. Crash, timeout, OOM and leak inputs are written to
# BUILD_DIR/fuzz-work/<target>/artifacts/; the full log is BUILD_DIR/fuzz-work/<target>/fuzz.log.
#
# Runs FUZZ_JOBS targets at a time (default: one per CPU). Prints one line per target (name, runs
# executed, result), then "N passed, M failed".
# Exits non-zero when any target failed (found a crash, or could not run).
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$1
seconds=$2
case $seconds in
  '' | *[!0-9]* | 0) echo "$0: SECONDS must be a whole number >= 1, got '$seconds'" >&2; exit 2 ;;
esac

fuzz_src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ ! -d "$build_dir" ]; then
  echo "$0: build directory '$build_dir' does not exist (run make fuzz-build)" >&2
  exit 2
fi
build_dir=$(cd "$build_dir" && pwd)

targets=(fuzz_filename fuzz_sections fuzz_sqlite_split fuzz_pg_split fuzz_mysql_split fuzz_url fuzz_loader
  fuzz_destructive fuzz_sqlite_ddl fuzz_expected fuzz_lint fuzz_sum_file fuzz_checkpoint fuzz_sqlite_rebuild
  fuzz_stat_cache fuzz_targets)

# Sanitizer reports are fatal and symbolized. Options the caller exported come last, so they win.
symbolizer=${ASAN_SYMBOLIZER_PATH:-}
if [ -z "$symbolizer" ]; then
  # clang-19's own symbolizer, else any working one (the unversioned llvm-symbolizer may be a
  # dangling link to a release that is not installed), else binutils' addr2line.
  for s in /usr/lib/llvm-19/bin/llvm-symbolizer "$(command -v llvm-symbolizer-19 || true)" \
           "$(command -v llvm-symbolizer || true)" "$(command -v addr2line || true)"; do
    if [ -n "$s" ] && [ -x "$s" ]; then
      symbolizer=$s  # not resolved: the sanitizer picks its protocol from the name (addr2line)
      break
    fi
  done
fi
san_common="symbolize=1${symbolizer:+:external_symbolizer_path=$symbolizer}:allow_addr2line=1"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:$san_common${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:$san_common${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
unset ASAN_SYMBOLIZER_PATH

passed=0
failed=0
summary=()

# One target: its summary line goes to WORK/summary and "ok" or "failed" to WORK/result; a failure's
# details go to stderr.
run_one() {
  local t=$1 bin=$build_dir/fuzz/$1 work=$build_dir/fuzz-work/$1
  local log=$work/fuzz.log
  if [ ! -x "$bin" ]; then
    mkdir -p "$work"
    printf '%-18s %12s  FAILED (not built: %s)\n' "$t" "-" "$bin" >"$work/summary"
    echo failed >"$work/result"
    return
  fi

  [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [ -d "$fuzz_src/corpus/$t" ]; then
    cp -f "$fuzz_src/corpus/$t"/* "$work/corpus/"
  fi
  local args=(
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$work/artifacts/"
  )
  [ -f "$fuzz_src/dict/$t.dict" ] && args+=(-dict="$fuzz_src/dict/$t.dict")

  echo "== $t (${seconds}s)"
  local before after rc runs result artifact what
  before=$(find "$work/artifacts" -type f | wc -l)
  "$bin" "${args[@]}" "$work/corpus" >"$log" 2>&1
  rc=$?
  after=$(find "$work/artifacts" -type f | wc -l)

  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  if [ -z "$runs" ]; then  # no final stats (e.g. killed): the last "#N ..." status line
    runs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
  fi
  runs=${runs:-0}

  if [ $rc -eq 0 ] && [ "$after" -eq "$before" ]; then
    result="ok"
    echo ok >"$work/result"
  else
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [^ ]+( [^ ]+)?|runtime error: .*|invariant violated: .*|password leaked|ALARM: working on the last Unit for [0-9]+ seconds|out-of-memory' "$log")
    result="FAILED (exit $rc${what:+: $what}${artifact:+; input: $artifact})"
    echo failed >"$work/result"
    {
      echo "---- $t: last lines of $log"
      tail -n 60 "$log"
      echo "---- reproduce: $bin $artifact"
    } >&2
  fi
  printf '%-18s %12s runs  %s\n' "$t" "$runs" "$result" >"$work/summary"
}

# FUZZ_JOBS targets at a time (default: one per CPU); each is single-threaded.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in '' | *[!0-9]* | 0) jobs=1 ;; esac
running=0
for t in "${targets[@]}"; do
  rm -f "$build_dir/fuzz-work/$t/result" "$build_dir/fuzz-work/$t/summary"
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
wait

for t in "${targets[@]}"; do
  work=$build_dir/fuzz-work/$t
  if [ "$(cat "$work/result" 2>/dev/null)" = ok ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  summary+=("$(cat "$work/summary" 2>/dev/null || printf '%-18s %12s  FAILED (no result)' "$t" "-")")
done

echo
echo "fuzz summary (${seconds}s per target, build: $build_dir)"
for line in "${summary[@]}"; do echo "  $line"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
