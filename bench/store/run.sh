#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the Weft store benchmarks, each configuration RUNS times in a fresh process, interleaved,
# appending every `RESULT {json}` line (plus the load average when it started) to OUT.
# usage: bench/store/run.sh <build-dir> [OUT=weft-results.jsonl]
#   env: RUNS (default 3), DIR (database folder, default /tmp)
set -euo pipefail
BUILD=${1:?build directory}
OUT=${2:-weft-results.jsonl}
RUNS=${RUNS:-3}
DIR=${DIR:-/tmp}
G="$BUILD/bench/store/weft_bench_store_graph"
S="$BUILD/bench/store/weft_bench_store_saver"

run() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  local line
  line=$("$@" --dir="$DIR" | grep '^RESULT ' | tail -1)
  echo "${line#RESULT } $load" | python3 -c 'import json,sys; s=sys.stdin.read().rsplit(" ",1); r=json.loads(s[0]); r["loadavg_1m_at_start"]=float(s[1]); print(json.dumps(r))' >> "$OUT"
  echo "$*: done (load $load)" >&2
}

for rep in $(seq 1 "$RUNS"); do
  for saver in none memory sqlite sqlite-sync sqlite-exit; do
    for n in 1000 10000; do run "$G" linear --n=$n --saver=$saver; done
  done
  for n in 1000 10000; do run "$G" linear --n=$n --saver=sqlite-sync --exclusive=1; done
  run "$G" growing --n=1000 --saver=sqlite
  run "$G" growing --n=1000 --saver=sqlite-sync
  for fixture in linear growing; do
    "$G" resume --phase=prepare --fixture=$fixture --n=1000 --dir="$DIR" > /dev/null
    run "$G" resume --phase=measure --fixture=$fixture --n=1000
  done
  run "$G" threads --threads=1000 --steps=10 --mode=sequential --saver=sqlite
  run "$G" threads --threads=1000 --steps=10 --mode=concurrent --batch=50 --saver=sqlite
  run "$G" threads --threads=1000 --steps=10 --mode=sequential --saver=sqlite-sync
  for payload in 0 2000; do run "$S" --n=10000 --payload=$payload; done
  run "$S" --n=1000 --growing=1
done
