#!/usr/bin/env bash
# Builds zooc and runs the whole lit suite. Installs missing Debian packages first.
# Ends with the line `N passed, N failed`; exits non-zero when anything failed.
# --sanitize also runs scripts/sanitize.sh (the suite under ASan+UBSan with gcc and clang, and a
# fuzz smoke run) and counts its results in the final line.
set -uo pipefail
sanitize=0
[ "${1:-}" = "--sanitize" ] && sanitize=1
cd "$(dirname "$0")/.."
source scripts/counts.sh
bash scripts/setup.sh || exit 1
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
if ! cmake --build build; then
  echo "0 passed, 1 failed"
  exit 1
fi
lit=/usr/lib/llvm-14/build/utils/lit/lit.py
log=$(mktemp)
python3 "$lit" -v build/tests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
count() { grep -E "^ *$1: *[0-9]+" "$log" | grep -oE '[0-9]+' | head -n1; }
passed=$(( $(count Passed || true) + 0 ))
failed=0
for kind in Failed Unresolved 'Unexpectedly Passed' 'Timed Out'; do
  n=$(count "$kind" || true)
  failed=$(( failed + ${n:-0} ))
done
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$sanitize" -eq 1 ]; then
  add_counts bash scripts/sanitize.sh
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
