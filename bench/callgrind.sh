#!/bin/sh
# Per-step instruction counts, Shale vs SQLite (repeatable, unlike wall time
# on a shared machine): bench/steps_callgrind.c built against build/libshale.so
# and the system libsqlite3, each run under callgrind with one dump per step.
# Usage: bench/callgrind.sh [ROWS]   (default 20000; needs build/libshale.so)
# Per-function costs of step N: python3 bench/cg_self.py build/cg/out_shale/cg.out.*.N
set -e
cd "$(dirname "$0")/.."
N=${1:-20000}
OUT=build/cg
mkdir -p $OUT
cc -O2 -g -o $OUT/steps_shale bench/steps_callgrind.c -Iengine/include -Lbuild -lshale -Wl,-rpath,$PWD/build
cc -O2 -g -o $OUT/steps_sqlite bench/steps_callgrind.c -lsqlite3
for e in shale sqlite; do
  rm -rf $OUT/out_$e
  mkdir -p $OUT/out_$e
  valgrind --tool=callgrind --compress-strings=no --compress-pos=no \
    --callgrind-out-file=$OUT/out_$e/cg.out.%p $OUT/steps_$e "$N" >$OUT/out_$e/stdout 2>$OUT/out_$e/vg.log
done
for f in $OUT/out_shale/cg.out.*.*; do
  part=${f##*.}
  step=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
  s=$(sed -n 's/^summary: //p' "$f")
  q=$(sed -n 's/^summary: //p' $OUT/out_sqlite/cg.out.*."$part")
  echo "$part $step $s $q"
done | sort -n | awk '{printf "%-16s %14d %14d %6.2fx\n", $2, $3, $4, $3 / $4}'
cmp -s $OUT/out_shale/stdout $OUT/out_sqlite/stdout && echo "results identical" || echo "RESULTS DIFFER"
