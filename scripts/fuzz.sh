#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (fuzz/, clang-16, -fsanitize=fuzzer,address,undefined) in their own
# build directory and runs each one from its seed corpus (fuzz/corpus/<target>/):
#   default      each target for WEFT_FUZZ_SECONDS (15) seconds: the CI smoke run;
#   WEFT_SOAK=1  each target for WEFT_FUZZ_RUNS (1000000) executions.
# Prints one "fuzz: <target>: ok|FAILED (<execs> execs ...)" line per target, and exits non-zero
# when any target found a crash (its reproducer is left in the build directory, crash-*).
# New inputs found go to a scratch corpus in the build directory, never into the tree.
# Optional arguments: the targets to run (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

out=${WEFT_BUILD_ROOT:-$root/build-ci}
dir="$out/fuzz"
jobs=${WEFT_JOBS:-$(nproc)}
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR=true
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# Symbolized reports when an llvm-symbolizer is installed.
sym=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || true)
[ -n "$sym" ] && export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$sym}"

targets=(tool_arguments store_codec sse rate_limit_headers sandbox_http)
[ $# -gt 0 ] && targets=("$@")

echo "== weft: fuzz: configure and build" >&2
cmake -S "$root" -B "$dir" -G Ninja "${launcher[@]}" -DWEFT_WERROR=ON -DCMAKE_CXX_COMPILER=clang++-16 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEFT_BUILD_FUZZ=ON -DWEFT_BUILD_TESTS=OFF -DWEFT_BUILD_EXAMPLES=OFF \
  -DWEFT_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" -j "$jobs" --target "${targets[@]/#/fuzz_}"

if [ "${WEFT_SOAK:-0}" = "1" ]; then
  limit=(-runs="${WEFT_FUZZ_RUNS:-1000000}")
else
  limit=(-max_total_time="${WEFT_FUZZ_SECONDS:-15}")
fi

failed=0
for t in "${targets[@]}"; do
  scratch="$dir/corpus/$t"
  mkdir -p "$scratch"
  log="$dir/$t.log"
  echo "== weft: fuzz: $t ${limit[*]}" >&2
  set +e
  # -rss_limit_mb: a leak or unbounded growth fails the run too; -timeout: a stall (>10 s on one
  # input) is a finding, not a hang of CI.
  (cd "$dir" && "./fuzz/fuzz_$t" "${limit[@]}" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      "$scratch" "$root/fuzz/corpus/$t") >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $t: ok (${execs:-?} execs, ${secs:-?}/s)"
  else
    failed=$((failed + 1))
    echo "fuzz: $t: FAILED (exit $rc after ${execs:-?} execs; log $log)"
    grep -m5 -E 'ERROR|SUMMARY|Test unit written' "$log" >&2 || true
  fi
done
[ "$failed" -eq 0 ]
