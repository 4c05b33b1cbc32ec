#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: builds the `weft` command line and runs the built-in spam_triage graph on the
# embedded defaults (./weft.db, the Crisp sandbox on a free loopback port, the offline model).
# Extra arguments go to `weft run spam_triage`, e.g. `scripts/demo.sh --json`.
# Installs the Debian packages it needs first (scripts/install-deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

bash "$root/scripts/install-deps.sh"

build=${WEFT_BUILD_DIR:-$root/build/release}
# ccache keys use paths relative to the checkout, so a fresh clone elsewhere (CI) reuses the
# objects of an earlier build on the same machine.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR=true
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWEFT_BUILD_TESTS=OFF -DWEFT_BUILD_BENCH=OFF -DWEFT_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$build" --target weft -j "$(nproc)" >&2

exec "$build/cli/weft" run spam_triage "$@"
