#!/usr/bin/env bash
# Differential tests of the CLI: every tests/cli/cases/*.sql script is fed on
# stdin to the sqlite3 shell and to ours; stdout, stderr and the exit code
# must be identical.  A first line "-- args: ..." gives command-line
# arguments (the database defaults to in-memory).  terminal_test.py then
# types at the interactive prompt on a pseudo-terminal (line editing, history).
# Usage: run-cli-tests.sh SHELL [RESULTS_FILE]
set -u
shell=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); results=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
known_list=${KNOWN:-$here/../known-failures.txt}
pass=0; fail=0; known=0
for case in "$here"/cases/*.sql; do
  name=$(basename "$case" .sql)
  args=$(sed -n '1s/^-- args: //p' "$case")
  for who in ref ours; do
    exe=sqlite3; [ $who = ours ] && exe=$shell
    rm -rf "$tmp/work"; mkdir -p "$tmp/work"
    (cd "$tmp/work" && eval "\"$exe\" $args" < "$case" > "$tmp/$who.out" 2> "$tmp/$who.err"; echo $? > "$tmp/$who.rc")
  done
  if cmp -s "$tmp/ref.out" "$tmp/ours.out" && cmp -s "$tmp/ref.err" "$tmp/ours.err" && cmp -s "$tmp/ref.rc" "$tmp/ours.rc"; then
    pass=$((pass+1))
    grep -q "^cli $name\b" "$known_list" 2>/dev/null && echo "note: cli $name passes now; remove it from the known failures"
  elif grep -q "^cli $name\b" "$known_list" 2>/dev/null; then
    known=$((known+1)); echo "known failure: cli $name"
  else
    fail=$((fail+1))
    echo "FAIL cli/$name"
    diff <(cat "$tmp/ref.out"; echo "-- stderr"; cat "$tmp/ref.err"; echo "-- rc $(cat "$tmp/ref.rc")") \
         <(cat "$tmp/ours.out"; echo "-- stderr"; cat "$tmp/ours.err"; echo "-- rc $(cat "$tmp/ours.rc")") | head -20
  fi
done
rm -rf "$tmp"
# Interactive use on a pseudo-terminal: line editing and history.
term_out=$(python3 "$here/terminal_test.py" "$shell" 2>&1)
echo "$term_out" | grep -v '^ok '
tp=$(echo "$term_out" | sed -n 's/^terminal tests: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
tf=$(echo "$term_out" | sed -n 's/^terminal tests: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
pass=$((pass+${tp:-0})); fail=$((fail+${tf:-1}))
echo "cli tests: $pass passed, $fail failed, $known known failures"
[ -n "$results" ] && echo "$pass $fail $known" > "$results"
[ "$fail" -eq 0 ]
