#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/postgres: Weft's PostgresStore against LangGraph.js's PostgresSaver on one throwaway
# PostgreSQL server (tests/support/pg_cluster.sh), same machine, one sitting, durability sync:
#   linear  - checkpointed self-loop step (N steps)
#   growing - N appended ~200-byte messages: table size and per-step cost (median first/last 100)
# usage: bench/postgres/run.sh [BUILD_DIR (default build/gcc)] [N (default 1000)]
# Prints the RESULT lines of both sides. The peer is installed from peer/package-lock.json (npm ci).
# BASE_BENCH=/path/to/an/older/weft_bench_store_graph also runs that binary (tagged "base") in the
# same sitting, so a change's gain is measured against the same server and load.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/gcc}
n=${2:-1000}
dir=$(mktemp -d /tmp/weft-bench-pg-XXXXXX)
trap '"$root/tests/support/pg_cluster.sh" stop "$dir"' EXIT
url=$("$root/tests/support/pg_cluster.sh" start "$dir")
if [[ ! -d "$here/peer/node_modules" ]]; then (cd "$here/peer" && npm ci --no-audit --no-fund >/dev/null); fi
for bench in linear growing; do
  "$build/bench/store/weft_bench_store_graph" $bench --saver=postgres --postgres-url="$url" --n="$n" \
    --warmup=100 | grep '^RESULT'
  if [[ -n "${BASE_BENCH:-}" ]]; then
    "$BASE_BENCH" $bench --saver=postgres --postgres-url="$url" --n="$n" --warmup=100 | grep '^RESULT' |
      sed 's/"impl":"weft"/"impl":"weft-base"/'
  fi
  node "$here/peer/bench-postgres.mjs" --url="$url" --bench=$bench --n="$n" --warmup=100 | grep '^RESULT'
done
