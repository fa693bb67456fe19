#!/usr/bin/env bash
# SQL tests: the sqllogictest corpus (../shared/tests/slt) and our own files
# (tests/sql/*.test), each run on the default VFS and on the `pending` VFS
# that answers every read with PENDING — the results must be identical.
# Our own files are first run through the sqlite3 oracle build, which proves
# their expected results are sqlite3's.
# Usage: run-slt.sh RUNNER ORACLE SHARED_DIR
set -u
runner=$1; oracle=$2; shared=$3
results=${RESULTS:-build/results-slt}
mapfile -t corpus < <(find "$shared/tests/slt" -name '*.test' -size +0 | sort)
mapfile -t ours < <(find tests/sql -name '*.test' | sort)
status=0
pass=0; fail=0; known=0
tally() { # parse the runner's total line
  local line; line=$(grep '^records:' "$1" | tail -1)
  local p f k
  p=$(sed -E 's/^records: ([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/^records: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
  k=$(sed -E 's/.* ([0-9]+) known failures.*/\1/' <<<"$line")
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1})); known=$((known + ${k:-0}))
}
out=$(mktemp)
if [ ${#ours[@]} -gt 0 ]; then
  echo "== oracle (sqlite3) on tests/sql"
  "$oracle" "${ours[@]}" >"$out" 2>&1 || { cat "$out"; status=1; }
  tail -1 "$out"
fi
for vfs in unix pending; do
  echo "== shale, vfs=$vfs"
  # On `pending`, every read (not only the first of each page) is deferred.
  SHALE_PENDING_EVERY_READ=$([ $vfs = pending ] && echo 1 || echo 0) \
    "$runner" -vfs "$vfs" -known tests/known-failures.txt "${corpus[@]}" "${ours[@]}" >"$out" 2>&1
  rc=$?
  grep -v ' 0 failed' "$out" | head -60
  tally "$out"
  # A runner that exits non-zero without a failed record (a sanitizer report,
  # a crash) is a failure too.
  if [ $rc -ne 0 ]; then
    status=1
    grep -q '^records: .* 0 failed' "$out" && { fail=$((fail + 1)); echo "runner exited with status $rc"; }
  fi
done
rm -f "$out"
mkdir -p "$(dirname "$results")"
echo "$pass $fail $known" > "$results"
echo "sql records: $pass passed, $fail failed, $known known failures"
exit $status
