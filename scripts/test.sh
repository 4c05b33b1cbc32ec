#!/usr/bin/env bash
# Builds Weft and runs every test, as CI does:
#   1. GCC 12, warnings as errors, the whole suite;
#   2. Clang 16 under ASan+UBSan, the whole suite;
#   3. the examples, built against the package installed from (1) with find_package(weft).
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
fi

echo "weft: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
