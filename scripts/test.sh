#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds Weft and runs every test, as CI does:
#   1. GCC 12, warnings as errors, the whole suite;
#   2. Clang 16 under ASan+UBSan, the whole suite;
#   3. the libFuzzer targets (scripts/fuzz.sh), about 15 s each;
#   4. the examples, built against the package installed from (1) with find_package(weft), then
#      each one run (against a `weft sandbox` on loopback) and its exit code checked;
#   5. the package as a consumer uses it (scripts/test-package.sh).
# Installs the Debian packages it needs first (scripts/install-deps.sh). Slow soak and fuzz cases
# (doctest suite "soak") run only with WEFT_SOAK=1. Set WEFT_JOBS to change the parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh

jobs=${WEFT_JOBS:-$(nproc)}
out=${WEFT_BUILD_ROOT:-$root/build-ci}
# ccache keys use paths relative to the checkout, so a fresh clone elsewhere (CI) reuses the
# objects of an earlier build on the same machine.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR=true
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Both builds, the fuzz targets and the installed package take about 12 GB (GCC with debug info
# 4.9 GB, ASan 4.2 GB): say so up front rather than leave a compiler's "No space left on device".
mkdir -p "$out"
free_gb=$(df -Pk "$out" | awk 'NR == 2 { print int($4 / 1048576) }')
if [ "${free_gb:-0}" -lt 14 ]; then
  echo "weft: warning: only ${free_gb} GB free under $out; building and testing everything needs about 12 GB" >&2
fi
label_filter=(-LE soak)
[ "${WEFT_SOAK:-0}" = "1" ] && label_filter=()

# The official LangGraph JS SDK for the "npm:" CTest case (tests/npm/README.md). A failed install
# is not fatal here: that case then fails, so nothing is skipped silently.
echo "== weft: npm ci (tests/npm)" >&2
(cd tests/npm && npm ci --no-audit --no-fund --prefer-offline) \
  || echo "weft: npm ci in tests/npm failed; the npm: test will fail" >&2

passed=0
failed=0
run_suite() {   # name, then extra cmake arguments
  local name=$1; shift
  local dir="$out/$name"
  echo "== weft: $name: configure and build" >&2
  cmake -S "$root" -B "$dir" -G Ninja "${launcher[@]}" -DWEFT_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== weft: $name: test" >&2
  local log="$dir/ctest.log"
  set +e
  (cd "$dir" && ctest -j "$jobs" --output-on-failure --no-tests=error "${label_filter[@]}") 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local total fails
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
  fails=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  passed=$((passed + ${total:-0} - ${fails:-0}))
  failed=$((failed + ${fails:-0}))
  [ "$rc" -eq 0 ] || { [ "${fails:-0}" -gt 0 ] || failed=$((failed + 1)); }
}

run_suite gcc -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_suite clang-asan -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=Debug \
  -DWEFT_SANITIZE=address,undefined -DWEFT_BUILD_BENCH=OFF -DWEFT_BUILD_EXAMPLES=OFF

# The libFuzzer targets for a short bounded time each (WEFT_SOAK=1: 10^6 runs each), one pass or
# failure per target (scripts/fuzz.sh).
set +e
bash scripts/fuzz.sh | tee "$out/fuzz.log"
fuzz_rc=${PIPESTATUS[0]}
set -e
fuzz_ok=$(grep -c '^fuzz: .*: ok' "$out/fuzz.log" || true)
fuzz_bad=$(grep -c '^fuzz: .*: FAILED' "$out/fuzz.log" || true)
passed=$((passed + fuzz_ok)); failed=$((failed + fuzz_bad))
[ "$fuzz_rc" -eq 0 ] || [ "$fuzz_bad" -gt 0 ] || failed=$((failed + 1))

# The consumer test: install the GCC build and build the examples against it, as a user would.
if [ -f examples/CMakeLists.txt ]; then
  echo "== weft: examples against the installed package" >&2
  rm -rf "$out/prefix" "$out/examples"
  cmake --install "$out/gcc" --prefix "$out/prefix" >/dev/null
  if cmake -S examples -B "$out/examples" -G Ninja "${launcher[@]}" -DCMAKE_PREFIX_PATH="$out/prefix" >/dev/null \
     && cmake --build "$out/examples" -j "$jobs"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  # Run every example built, each in a fresh temp dir, against a `weft sandbox` on loopback (the
  # offline model needs nothing else); each one's exit code counts.
  work=$(mktemp -d)
  "$out/gcc/cli/weft" sandbox --port 0 --state "$work/sandbox.json" >"$work/sandbox.out" 2>&1 &
  sandbox_pid=$!
  for _ in $(seq 100); do grep -q CRISP_WEBSITE_ID "$work/sandbox.out" && break; sleep 0.1; done
  for exe in "$out"/examples/example_*; do
    [ -x "$exe" ] || continue
    dir=$(mktemp -d -p "$work")
    if (cd "$dir" && eval "$(sed -n 's/^ *export /export /p' "$work/sandbox.out")" && "$exe" "$dir/example.db") \
        >"$dir/log" 2>&1; then
      passed=$((passed + 1))
    else
      echo "== weft: $(basename "$exe") failed (exit $?):" >&2; cat "$dir/log" >&2
      failed=$((failed + 1))
    fi
  done
  kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true
  # my_weft, a user's own command line with their graph (weft::cli): run it, then read and
  # answer its thread with state, history and resume, as a user would.
  dir=$(mktemp -d -p "$work")
  if (cd "$dir" && my_weft="$out/examples/my_weft" \
        && { "$my_weft" run greeting --thread g1 --quiet; [ $? -eq 3 ]; } \
        && "$my_weft" state g1 && "$my_weft" history g1 \
        && "$my_weft" resume g1 --resume '"Ada"' --quiet | grep -q 'Hello, Ada!') >"$dir/log" 2>&1; then
    passed=$((passed + 1))
  else
    echo "== weft: my_weft (a user's own command line) failed:" >&2; cat "$dir/log" >&2
    failed=$((failed + 1))
  fi
  rm -rf "$work"
fi

# The package as a consumer uses it: COMPONENTS, pkg-config and weft::testing, run and checked.
if bash scripts/test-package.sh "$out/gcc" "$out/package"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "weft: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
