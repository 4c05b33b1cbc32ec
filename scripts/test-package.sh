#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The installed package as a user sees it (called by scripts/test.sh):
#   scripts/test-package.sh BUILD_DIR WORK_DIR
# Installs BUILD_DIR (an already built Weft) into WORK_DIR/prefix, then
#   1. builds tests/consumer with find_package(weft CONFIG COMPONENTS ...) and RUNS it: its own
#      graph against the Crisp sandbox and the fake LLM from weft::testing;
#   2. compiles and runs a tiny program with nothing but `pkg-config --cflags --libs weft`;
#   3. checks that an unknown component fails to configure, naming it and the known ones;
#   4. checks that no detail/ header was installed, that every library has its umbrella header,
#      and that installed headers include each other as weft/...
# Exits non-zero on the first failure, saying which.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${1:?usage: scripts/test-package.sh BUILD_DIR WORK_DIR}
work=${2:?usage: scripts/test-package.sh BUILD_DIR WORK_DIR}
prefix="$work/prefix"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$prefix" >/dev/null

if find "$prefix/include" -path '*/detail/*' | grep -q .; then
  echo "weft package: detail/ headers were installed:" >&2
  find "$prefix/include" -path '*/detail/*' >&2
  exit 1
fi

# Every library (package component) has its umbrella header, and every installed header names
# the others by their installed path (<weft/...>), never by the in-tree module path.
for component in engine store nodes graphs testing server cli; do
  if [ ! -f "$prefix/include/weft/$component.hpp" ]; then
    echo "weft package: no umbrella header include/weft/$component.hpp for weft::$component" >&2
    exit 1
  fi
done
if grep -rnE '#include "(engine|store|nodes|graphs|testing|server|cli)/' "$prefix/include/weft" >&2; then
  echo "weft package: installed headers above include in-tree paths (not <weft/...>)" >&2
  exit 1
fi

echo "== weft package: tests/consumer (COMPONENTS, weft::testing)" >&2
cmake -S tests/consumer -B "$work/consumer" -G Ninja "${launcher[@]}" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer"
"$work/consumer/consumer_triage"

echo "== weft package: pkg-config" >&2
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046  # pkg-config's output is meant to be split into words
g++ -std=c++20 -o "$work/hello_pkg_config" tests/consumer/hello_pkg_config.cpp $(pkg-config --cflags --libs weft)
"$work/hello_pkg_config"

echo "== weft package: an unknown component fails clearly" >&2
if cmake -S tests/consumer/unknown_component -B "$work/unknown" -DCMAKE_PREFIX_PATH="$prefix" >"$work/unknown.log" 2>&1; then
  echo "weft package: find_package(weft COMPONENTS engine telepathy) succeeded" >&2
  exit 1
fi
# CMake wraps the message: compare with the line breaks folded into spaces.
if ! tr -s ' \n' '  ' <"$work/unknown.log" \
     | grep -q "no component named telepathy (known components: engine, store, nodes, graphs, testing, server, cli)"; then
  echo "weft package: the unknown-component failure does not name it and the known ones:" >&2
  cat "$work/unknown.log" >&2
  exit 1
fi
echo "weft package: ok" >&2
