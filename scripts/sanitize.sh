#!/usr/bin/env bash
# Builds zooc with AddressSanitizer and UndefinedBehaviorSanitizer, once with gcc and once with
# clang, runs the whole lit suite on each, and a short fuzz smoke run (every seed once, then
# 2,000 mutations per fuzz target) on the clang build. Ends with `N passed, N failed`, counting
# every test of both suites and each fuzz target; exits non-zero when anything failed.
#
#   scripts/sanitize.sh [--no-fuzz]
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/counts.sh
fuzz=1
[ "${1:-}" = "--no-fuzz" ] && fuzz=0
bash scripts/setup.sh || exit 1
lit=/usr/lib/llvm-14/build/utils/lit/lit.py
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0
count() { grep -E "^ *$1: *[0-9]+" "$2" | grep -oE '[0-9]+' | head -n1; }
for cc in gcc clang; do
  build=build-asan-$cc
  if [ $cc = gcc ]; then env=(CC=gcc CXX=g++); else env=(CC=clang-14 CXX=clang++-14); fi
  if ! env "${env[@]}" cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DZOO_SANITIZE=address,undefined >/dev/null || ! cmake --build "$build"; then
    echo "sanitize: the $cc build failed"
    failed=$((failed + 1))
    continue
  fi
  log=$(mktemp)
  python3 "$lit" -sv "$build/tests" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  p=$(( $(count Passed "$log" || true) + 0 ))
  f=0
  for kind in Failed Unresolved 'Unexpectedly Passed' 'Timed Out'; do
    n=$(count "$kind" "$log" || true)
    f=$(( f + ${n:-0} ))
  done
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "sanitize: $cc: $p passed, $f failed"
  passed=$((passed + p)) failed=$((failed + f))
  rm -f "$log"
done
if [ "$fuzz" -eq 1 ]; then
  add_counts bash scripts/fuzz.sh --smoke --build build-fuzz
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
