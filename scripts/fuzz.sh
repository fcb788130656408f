#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, ASan and UBSan, and fuzzes zooc.
#
#   scripts/fuzz.sh [--target zoo-fuzz|zoo-fuzz-stdlib|both] [--time SECONDS] [--jobs N]
#                   [--smoke] [--fast] [--max-len BYTES] [--timeout SECONDS] [--build DIR]
#
# --fast builds with UBSan only (no ASan) and turns libFuzzer's entropic schedule off: about
# five times the executions per second, for long runs; the default build has ASan and UBSan.
# --max-len bounds the inputs libFuzzer makes (default 65536; the test seeds are under 8 KiB, and
# a smaller bound keeps long runs fast). --timeout is the wall-clock seconds one input may take
# before it counts as a hang (default 10; raise it where the fuzzer shares its cores with other
# work at a lower priority, or a starved worker reports inputs that take a fraction of a second).
# Seeds are every .zoo file of zoo/, stdlib/ and tests/; the dictionary is generated from the
# grammar, the primitives, the metrics, the units and the stdlib's declarations. The corpus is
# kept in the build directory between runs. --smoke runs every seed once and then 2,000 mutations
# per target, and ends with `N passed, N failed` (one per target). Findings are written to
# BUILD/fuzz/findings/. Without --smoke it runs for --time seconds (default 600) with --jobs
# parallel workers (default: the number of cores).
set -uo pipefail
cd "$(dirname "$0")/.."
target=both time=600 jobs=$(nproc) smoke=0 build= fast=0 maxlen=65536 timeout=10
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=$2; shift 2 ;;
    --time) time=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --fast) fast=1; shift ;;
    --max-len) maxlen=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$target" in
  both) targets=(zoo-fuzz zoo-fuzz-stdlib) ;;
  zoo-fuzz|zoo-fuzz-stdlib) targets=("$target") ;;
  *) echo "fuzz.sh: unknown target '$target'" >&2; exit 2 ;;
esac

sanitize=address,undefined extra=()
if [ "$fast" -eq 1 ]; then sanitize=undefined extra=(-entropic=0); fi
[ -n "$build" ] || { if [ "$fast" -eq 1 ]; then build=build-fuzz-fast; else build=build-fuzz; fi; }
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DZOO_FUZZ=ON -DZOO_SANITIZE=$sanitize >/dev/null || exit 1
cmake --build "$build" --target "${targets[@]}" || exit 1

work="$(cd "$build" && pwd)/fuzz"
bin="$(cd "$build" && pwd)/bin"
mkdir -p "$work/seeds" "$work/findings"
# Seeds: flattened copies (a path becomes part of the name, so none collide).
find zoo stdlib tests -name '*.zoo' -type f | while read -r f; do
  cp "$f" "$work/seeds/$(echo "$f" | tr '/' '_')"
done
python3 fuzz/make_dict.py > "$work/zoo.dict" || exit 1
# The targets read the stdlib from a snapshot taken now, so that editing stdlib/ during a long
# run cannot make two compilations of one input differ (the determinism oracle would fire).
snapshot="$work/stdlib-$$"
rm -rf "$snapshot"
cp -r stdlib "$snapshot" || exit 1
trap 'rm -rf "$snapshot"' EXIT
export ZOO_FUZZ_STDLIB="$snapshot"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=64}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0
for t in "${targets[@]}"; do
  corpus="$work/corpus-$t"
  logs="$work/logs-$t"
  mkdir -p "$corpus" "$logs"
  rm -f "$logs"/*.log
  common=(-dict="$work/zoo.dict" -max_len="$maxlen" -timeout="$timeout" -rss_limit_mb=2048
          -artifact_prefix="$work/findings/$t-" -print_final_stats=1 "${extra[@]}")
  if [ "$smoke" -eq 1 ]; then
    args=(-runs=2000 -seed=1)
  else
    args=(-max_total_time="$time" -jobs="$jobs" -workers="$jobs")
    echo "fuzz: $t for $time s with $jobs workers; logs in $logs" >&2
  fi
  start=$(date +%s)
  (cd "$logs" && "$bin/$t" "${common[@]}" "${args[@]}" "$corpus" "$work/seeds" >main.log 2>&1)
  status=$?
  # With -jobs each worker logs to fuzz-N.log (main.log repeats them); without, main.log.
  if [ "$smoke" -eq 1 ]; then counted=("$logs/main.log"); else counted=("$logs"/fuzz-*.log); fi
  runs=$(grep -ho 'stat::number_of_executed_units: *[0-9]*' "${counted[@]}" |
         awk '{s += $2} END {print s + 0}')
  echo "fuzz: $t: $runs executions in $(( $(date +%s) - start )) s, corpus $(ls "$corpus" | wc -l) files, exit status $status"
  if [ "$status" -eq 0 ] && ! grep -qE 'ERROR: (libFuzzer|AddressSanitizer)|runtime error:|oracle failed' "$logs"/*.log; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    grep -hE -A30 'ERROR: (libFuzzer|AddressSanitizer)|runtime error:|oracle failed' "$logs"/*.log | head -n 60
    echo "fuzz: $t: FAILED (findings in $work/findings)"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
