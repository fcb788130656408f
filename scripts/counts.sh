# Sourced by the test scripts. `add_counts CMD...` runs a command whose last line of output is
# `N passed, N failed`, shows its output, and adds its counts to the caller's $passed and $failed
# (one failure when the line is missing).
add_counts() {
  local log last
  log=$(mktemp)
  "$@" 2>&1 | tee "$log"
  last=$(tail -n1 "$log")
  rm -f "$log"
  if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
  else
    failed=$((failed + 1))
  fi
}
