#!/usr/bin/env bash
# tools/test.sh - command 2 of the quick start: run every test.
#
#   1. build/       (configured by tools/setup.sh, or here if missing): build,
#                   then ctest (C unit tests, busted specs, CLI end-to-end,
#                   fuzz seed replays)
#   2. build-asan/  the same suite built with -DQUARRY_SANITIZE=ON
#                   (AddressSanitizer + UndefinedBehaviorSanitizer)
#
# Exits non-zero if any build or test fails; the last line is a summary
# "tests: N passed, N failed".
#
# Usage: tools/test.sh [--no-asan | --asan-only] [-- CTEST_ARGS...]
# Environment: JOBS (build and ctest parallelism, default 2).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jobs="${JOBS:-2}"
run_plain=1
run_asan=1
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-asan) run_asan=0 ;;
    --asan-only) run_plain=0 ;;
    --)
      shift
      ctest_args=("$@")
      break
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "test.sh: unknown option: $1 (try --help)" >&2
      exit 2
      ;;
  esac
  shift
done

total_pass=0
total_fail=0
problems=()
start=$SECONDS

# run_suite NAME BUILD_DIR CMAKE_ARGS...
run_suite() {
  local name="$1" dir="$2"
  shift 2
  printf '\n==> %s: configure and build %s/\n' "$name" "${dir#"$root"/}"
  # A first configure gets the suite's build type; an existing build dir
  # keeps its own, but the tests (and for build-asan the sanitizers) are
  # switched on in any case.
  # (The first argument after the dir is the build type.)
  local args=(-DQUARRY_BUILD_TESTS=ON)
  mkdir -p "$dir"
  if [ ! -f "$dir/CMakeCache.txt" ]; then args+=("$@"); else args+=("${@:2}"); fi
  if ! cmake -S "$root" -B "$dir" "${args[@]}" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log"
    problems+=("$name: cmake configure failed")
    total_fail=$((total_fail + 1))
    return 0
  fi
  if ! cmake --build "$dir" -j "$jobs"; then
    problems+=("$name: build failed")
    total_fail=$((total_fail + 1))
    return 0
  fi
  printf '\n==> %s: ctest\n' "$name"
  local log="$dir/test-summary.log" rc=0
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 600 \
    ${ctest_args[@]+"${ctest_args[@]}"} 2>&1 | tee "$log" || rc=$?
  # "100% tests passed, 0 tests failed out of 12"
  local line failed count
  line="$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)"
  if [ -n "$line" ]; then
    failed="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")"
    count="$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")"
    total_pass=$((total_pass + count - failed))
    total_fail=$((total_fail + failed))
    [ "$failed" -eq 0 ] || problems+=("$name: $failed of $count tests failed")
    if [ "$failed" -eq 0 ] && [ "$rc" -ne 0 ]; then
      problems+=("$name: ctest exited $rc")
      total_fail=$((total_fail + 1))
    fi
  elif grep -q 'No tests were found' "$log"; then
    problems+=("$name: no tests were found")
    total_fail=$((total_fail + 1))
  else
    problems+=("$name: ctest exited $rc without a summary")
    total_fail=$((total_fail + 1))
  fi
}

if [ "$run_plain" -eq 1 ]; then
  run_suite "build" "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
if [ "$run_asan" -eq 1 ]; then
  run_suite "build-asan" "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug \
    -DQUARRY_SANITIZE=ON
fi

echo
echo "==> test.sh finished in $((SECONDS - start)) s"
for p in ${problems[@]+"${problems[@]}"}; do echo "FAILED: $p"; done
echo "tests: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
