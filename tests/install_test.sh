#!/usr/bin/env bash
# The installed package, as an application sees it: `cmake --install` into a temporary prefix,
# examples/embed configured and built against it (find_package(strata) + strata_embed_migrations),
# run twice on a fresh database, re-built after a migration is added and after one is edited, and
# a small program compiled and linked with `pkg-config --cflags --libs strata`.
#
#   install_test.sh --build-dir DIR --source-dir DIR [--cli PATH] [--generator G] [--cxx CXX]
#                   [--launcher CCACHE] [--cxx-flags FLAGS]
#
# --cxx-flags are passed to the example's CMAKE_CXX_FLAGS (a sanitizer build passes its
# -fsanitize flags, so the example is compiled like the libraries it links).
set -euo pipefail

build_dir="" source_dir="" cli="" generator="" cxx="${CXX:-c++}" launcher="" cxx_flags=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=$2 ;;
    --source-dir) source_dir=$2 ;;
    --cli) cli=$2 ;;
    --generator) generator=$2 ;;
    --cxx) cxx=$2 ;;
    --launcher) launcher=$2 ;;
    --cxx-flags) cxx_flags=$2 ;;
    *) echo "install_test: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
[[ -n "$build_dir" && -n "$source_dir" ]] || { echo "install_test: --build-dir and --source-dir are required" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
log=$work/log

step() { echo "== $*"; }
fail() {
  echo "install_test: FAIL: $*" >&2
  if [[ -s "$log" ]]; then echo "---- output of the failed step:" >&2; cat "$log" >&2; fi
  exit 1
}
# Runs a command with its output in $log; fails the test with that output if it fails.
run() { "$@" >"$log" 2>&1 || fail "$* (exit $?)"; }

# ---- install ------------------------------------------------------------------------------------
if [[ -n "$cli" && -x "$cli" ]]; then
  step "cmake --install $build_dir --prefix $prefix"
  run cmake --install "$build_dir" --prefix "$prefix"
  [[ -x "$prefix/bin/strata" ]] || fail "bin/strata was not installed"
  run "$prefix/bin/strata" version
else
  # Only the library was built (e.g. `cmake --build build --target embed_test`): install its part.
  step "cmake --install $build_dir --prefix $prefix --component strata_dev (the CLI is not built)"
  run cmake --install "$build_dir" --prefix "$prefix" --component strata_dev
fi

config=$(find "$prefix" -name strataConfig.cmake -print -quit)
[[ -n "$config" ]] || fail "no strataConfig.cmake under $prefix"
libdir=$(dirname "$(dirname "$(dirname "$config")")")  # <libdir>/cmake/strata/strataConfig.cmake
for f in include/strata/migrator.h include/strata/status.h include/strata/version.h; do
  [[ -f "$prefix/$f" ]] || fail "$f was not installed"
done
for f in "$libdir/libstrata.a" "$libdir/pkgconfig/strata.pc" "$libdir/cmake/strata/strataConfigVersion.cmake" \
         "$libdir/cmake/strata/strataTargets.cmake" "$libdir/cmake/strata/StrataEmbed.cmake" \
         "$libdir/cmake/strata/StrataEmbedGenerate.cmake"; do
  [[ -f "$f" ]] || fail "${f#"$prefix"/} was not installed"
done
[[ ! -e "$prefix/include/strata/version.h.in" ]] || fail "the version.h template was installed"
if grep -rqF "$source_dir" "$libdir/cmake/strata"; then
  fail "the installed CMake package refers to the source tree: $(grep -rlF "$source_dir" "$libdir/cmake/strata")"
fi

# ---- examples/embed against the prefix -----------------------------------------------------------
# A copy of the example and its migrations, so that the test can add and edit migration files.
mkdir -p "$work/src"
cp -R "$source_dir/examples/embed" "$source_dir/examples/vibesurf" "$work/src/"
cmake_args=(-S "$work/src/embed" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix"
            -DCMAKE_CXX_COMPILER="$cxx" "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Wpedantic -Werror $cxx_flags")
[[ -n "$generator" ]] && cmake_args+=(-G "$generator")
[[ -n "$launcher" ]] && cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
step "configure examples/embed with -DCMAKE_PREFIX_PATH=$prefix"
run cmake "${cmake_args[@]}"
step "build examples/embed"
run cmake --build "$work/build" -j 2

example=$work/build/embed_example
db=$work/app.db
# Runs the example on $db; $out holds its stdout and stderr, $status its exit code.
run_example() {
  set +e
  out=$("$example" "$db" 2>&1)
  status=$?
  set -e
  printf '%s\n' "$out" | sed 's/^/   | /'
}
applied() { printf '%s\n' "$out" | grep -c '^applied ' || true; }

step "first run: applies the 7 migrations"
run_example
[[ $status -eq 0 ]] || fail "first run exited with $status"
[[ $(applied) -eq 7 ]] || fail "first run applied $(applied) migrations, expected 7"
grep -qx 'applied 1 initial_schema (.* ms)' <<<"$out" || fail "no 'applied 1 initial_schema' line"
grep -qx 'database at version 7' <<<"$out" || fail "first run did not print 'database at version 7'"

step "second run: nothing to do"
run_example
[[ $status -eq 0 ]] || fail "second run exited with $status"
[[ $(applied) -eq 0 ]] || fail "second run applied $(applied) migrations, expected none"
grep -qx 'database at version 7' <<<"$out" || fail "second run did not print 'database at version 7'"

step "a new migration file is embedded by the next build"
printf 'CREATE TABLE embed_notes (id INTEGER PRIMARY KEY, body TEXT);\n' >"$work/src/vibesurf/v008_add_embed_notes.sql"
run cmake --build "$work/build" -j 2
run_example
[[ $status -eq 0 ]] || fail "run after adding v008 exited with $status"
grep -qx 'applied 8 add_embed_notes (.* ms)' <<<"$out" || fail "v008 was not applied"
grep -qx 'database at version 8' <<<"$out" || fail "run after adding v008 did not print 'database at version 8'"

step "an edited migration file is embedded by the next build (and refused: it was applied)"
printf -- '-- edited after it was applied\n' >>"$work/src/vibesurf/v008_add_embed_notes.sql"
run cmake --build "$work/build" -j 2
run_example
[[ $status -eq 1 ]] || fail "run after editing v008 exited with $status, expected 1"
grep -q 'edited\|checksum' <<<"$out" || fail "the edit of v008 was not reported"

step "a removed migration file is dropped by the next build (a fresh database stops at 7)"
rm "$work/src/vibesurf/v008_add_embed_notes.sql"
run cmake --build "$work/build" -j 2
db=$work/fresh.db
run_example
[[ $status -eq 0 ]] || fail "run after removing v008 exited with $status"
[[ $(applied) -eq 7 ]] || fail "run after removing v008 applied $(applied) migrations, expected 7"
grep -qx 'database at version 7' <<<"$out" || fail "run after removing v008 did not print 'database at version 7'"

# ---- pkg-config ---------------------------------------------------------------------------------
step "pkg-config --cflags --libs strata"
export PKG_CONFIG_PATH=$libdir/pkgconfig
run pkg-config --cflags --libs strata
pc_flags=$(pkg-config --cflags --libs strata)
echo "   | $pc_flags"
cat >"$work/pc_main.cc" <<'EOF'
#include <strata/migrator.h>

#include <iostream>

int main(int argc, char** argv) {
  auto m = strata::Migrator::Open(std::string("sqlite:") + argv[1], strata::Source::Directory(argv[2]));
  if (!m.ok()) return 1;
  auto status = (*m)->GetStatus();
  if (!status.ok()) {
    std::cerr << status.status().ToString() << '\n';
    return 1;
  }
  std::cout << "version " << status->current_version << " of " << status->latest_version << " (" << strata::kVersion
            << ")\n";
  return argc == 3 ? 0 : 1;
}
EOF
step "compile and link a program with those flags"
# shellcheck disable=SC2086  # the flags are words
run $launcher "$cxx" -std=c++20 $cxx_flags "$work/pc_main.cc" -o "$work/pc_main" $pc_flags
"$work/pc_main" "$db" "$work/src/vibesurf" >"$log" 2>&1 || fail "the pkg-config program failed"
sed 's/^/   | /' "$log"
grep -q '^version 7 of 7 (' "$log" || fail "the pkg-config program printed the wrong status"

echo "install_test: all steps passed"
