#!/usr/bin/env bash
# Prints the closing line of `make test`: all unit-test binaries and SQL
# records together.
pass=0; fail=0
for f in "$@"; do
  [ -f "$f" ] || { fail=$((fail+1)); continue; }
  read -r p q < "$f"; pass=$((pass+p)); fail=$((fail+q))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
