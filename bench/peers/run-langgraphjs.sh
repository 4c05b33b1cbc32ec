#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the LangGraph.js peer benchmarks (read-only source: /work/shared/peers/langgraphjs) from a
# scratch copy, so node_modules/, data/ and results/ never land in the repository.
# usage: bench/peers/run-langgraphjs.sh [extra run-all.mjs args]
#   env: PEER_SRC (default /work/shared/peers/langgraphjs), PEER_DIR (default /work/peer-run),
#        PEER_GROUPS (default linear,growing,resume,threads,saver; not GROUPS, which bash reserves), RUNS (default 3)
set -euo pipefail
PEER_SRC=${PEER_SRC:-/work/shared/peers/langgraphjs}
PEER_DIR=${PEER_DIR:-/work/peer-run}
PEER_GROUPS=${PEER_GROUPS:-linear,growing,resume,threads,saver}
RUNS=${RUNS:-3}

mkdir -p "$PEER_DIR"
# Copy the scripts (not results or modules) each time so the peer is exactly the shared version.
for f in "$PEER_SRC"/*.mjs "$PEER_SRC"/package.json "$PEER_SRC"/package-lock.json; do
  install -m 0644 "$f" "$PEER_DIR/"
done
cd "$PEER_DIR"
if [ ! -e node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
  # better-sqlite3 compiles SQLite with node-gyp (about 1.5 min); node-gyp must find the Node
  # headers locally (the nodejs package's prefix) instead of downloading them.
  npm config set nodedir "$(node -p 'require("path").resolve(process.execPath, "../..")')"
  npm ci
fi
node -e "require('better-sqlite3')"
command -v time >/dev/null || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }
exec node run-all.mjs --only="$PEER_GROUPS" --runs="$RUNS" --quiet-wait=15 --max-attempts=2 --deadline-min=60 "$@"
