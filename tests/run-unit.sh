#!/usr/bin/env bash
# Runs each unit-test binary given; a binary passes when it exits 0.
# Writes "<passed> <failed>" to $RESULTS (default build/results-unit).
set -u
results=${RESULTS:-build/results-unit}
pass=0; fail=0; failed_names=()
for bin in "$@"; do
  if "$bin"; then pass=$((pass+1)); else fail=$((fail+1)); failed_names+=("$(basename "$bin")"); fi
done
mkdir -p "$(dirname "$results")"
echo "$pass $fail" > "$results"
echo "unit tests: $pass passed, $fail failed ${failed_names[*]:-}"
[ "$fail" -eq 0 ]
