#!/usr/bin/env bash
# Runs each unit-test binary given; a binary passes when it exits 0.
# Writes "<passed> <failed>" to $RESULTS (default build/results-unit).
set -u
results=${RESULTS:-build/results-unit}
known_list=${KNOWN:-tests/known-failures.txt}
pass=0; fail=0; known=0; failed_names=()
for bin in "$@"; do
  name=$(basename "$bin")
  if "$bin"; then
    pass=$((pass+1))
    grep -q "^unit $name\b" "$known_list" 2>/dev/null && echo "note: unit $name passes now; remove it from $known_list"
  elif grep -q "^unit $name\b" "$known_list" 2>/dev/null; then
    known=$((known+1)); echo "known failure: unit $name"
  else
    fail=$((fail+1)); failed_names+=("$name")
  fi
done
mkdir -p "$(dirname "$results")"
echo "$pass $fail $known" > "$results"
echo "unit tests: $pass passed, $fail failed, $known known failures ${failed_names[*]:-}"
[ "$fail" -eq 0 ]
