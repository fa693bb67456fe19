#!/usr/bin/env bash
# Prints the closing line of `make test`: every suite's results together.
# Known failures (tests/known-failures.txt) are reported on their own line and
# are not counted as passes.
pass=0; fail=0; known=0
for f in "$@"; do
  [ -f "$f" ] || { echo "missing results: $f"; fail=$((fail+1)); continue; }
  read -r p q k < "$f"; pass=$((pass+p)); fail=$((fail+q)); known=$((known+${k:-0}))
done
[ "$known" -gt 0 ] && echo "known failures (tests/known-failures.txt): $known"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
