#!/usr/bin/env bash
# Fill in the expected results of SQL test files from sqlite3 (the oracle):
# every `query` record's values are replaced by what the system libsqlite3
# (3.40.1) returns, through the slt runner's oracle build (-complete).
# Usage: tests/sql/gen-expected.sh tests/sql/func_*.test
set -eu
cd "$(dirname "$0")/../.."
make -s build/slt-oracle
for f in "$@"; do
  tmp=$(mktemp)
  build/slt-oracle -memory -complete "$f" >"$tmp" || true  # errors are recorded as empty results
  mv "$tmp" "$f"
  echo "regenerated $f"
done
