#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The run-queue benchmark: N queued runs executed by 1, 2 and 4 `worker` processes sharing one
# throwaway PostgreSQL server (tests/support/pg_cluster.sh), reporting runs/s and checking that
# every run ended done after exactly one claim (the queue never handed one run to two workers).
#   ten_steps:  RUNS_STEPS runs (default 1000) of 10 checkpointed steps, --concurrency 1 per worker
#   model_wait: RUNS_WAIT runs (default 2000) whose middle node awaits 100 ms, --concurrency
#               WAIT_CONCURRENCY per worker (default 8)
# Side by side: LangGraph.js (bench/queue/peer, pinned lockfile; `npm ci` there first) runs the
# same RUNS_STEPS 10-step threads in 1, 2 and 4 node processes with PostgresSaver on the same
# server (it has no run queue: the threads are split between the processes up front).
# Usage: bench/queue/run.sh BUILD_DIR   (BUILD_DIR holds bench/queue/weft_queue_bench)
# Checkpoints go to one SQLite file per measurement, shared by the workers (--db), or with
# CHECKPOINTS=postgres to the queue's own PostgreSQL database (PostgresStore): everything on one
# primary.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR}
bin="$build/bench/queue/weft_queue_bench"
runs_steps=${RUNS_STEPS:-1000}
runs_wait=${RUNS_WAIT:-2000}
wait_concurrency=${WAIT_CONCURRENCY:-8}
work=$(mktemp -d /tmp/weft-queue-bench-XXXXXX)
chmod 755 "$work"  # the cluster's owner (nobody, when run as root) must reach its directory
cluster="$work/pg"
trap '"$root/tests/support/pg_cluster.sh" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$("$root/tests/support/pg_cluster.sh" start "$cluster")
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
cd "$work"  # what the workers leave beside a postgresql:// --db (./weft.sandbox.json) stays in $work
psql_url() { psql -X -q -t -A "$1" "${@:2}"; }
base=${url%/*}

measure() {  # graph runs workers concurrency
  local graph=$1 runs=$2 workers=$3 concurrency=$4
  local name="q_${graph}_${workers}"
  psql_url "$url" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
  local q_url="$base/$name"
  "$bin" submit "$graph" --thread "bench-0" --queue "$q_url" >/dev/null
  psql_url "$q_url" -c "INSERT INTO weft_runs (run_id, thread_id, graph, input)
    SELECT 'run-' || gen_random_uuid(), 'bench-' || i, '$graph', (SELECT input FROM weft_runs LIMIT 1)
    FROM generate_series(1, $runs - 1) AS i"
  local db="$work/$name.db"
  [[ "${CHECKPOINTS:-sqlite}" == postgres ]] && db=$q_url
  local start end pids=()
  start=$(date +%s.%N)
  for ((w = 0; w < workers; w++)); do
    "$bin" worker --drain --quiet --concurrency "$concurrency" --queue "$q_url" --db "$db" 2>"$work/$name.$w.log" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  end=$(date +%s.%N)
  local check
  check=$(psql_url "$q_url" -c "SELECT count(*) FILTER (WHERE status = 'done') || ' ' || count(*) FILTER (WHERE attempts <> 1) FROM weft_runs")
  local done=${check% *} twice=${check#* }
  local seconds rate
  seconds=$(echo "$end - $start" | bc -l)
  rate=$(echo "$runs / $seconds" | bc -l)
  printf '%-10s runs=%-5d workers=%d concurrency=%-2d  %7.2f s  %8.1f runs/s  done=%d  claimed-more-than-once=%d\n' \
    "$graph" "$runs" "$workers" "$concurrency" "$seconds" "$rate" "$done" "$twice"
}

echo "# weft run queue, PostgreSQL 15 throwaway cluster, checkpoints in ${CHECKPOINTS:-sqlite}, $(nproc) cores, $(date -u +%FT%TZ)"
for workers in 1 2 4; do measure ten_steps "$runs_steps" "$workers" 1; done
for workers in 1 2 4; do measure model_wait "$runs_wait" "$workers" "$wait_concurrency"; done
if [[ -d "$root/bench/queue/peer/node_modules" ]]; then
  for workers in 1 2 4; do
    name="lg_$workers"
    psql_url "$url" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
    node "$root/bench/queue/peer/bench-workers.mjs" --url="$base/$name" --threads="$runs_steps" --steps=10 \
      --workers="$workers"
  done
else
  echo "langgraphjs: skipped, run 'npm ci' in bench/queue/peer first" >&2
fi
