#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages Weft builds and tests with. Idempotent: when every package is
# already installed it only runs dpkg-query and returns in well under a second.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config
  clang-16 libclang-rt-16-dev
  libboost1.81-dev libboost-json1.81-dev
  libsqlitecpp-dev libsqlite3-dev sqlite3
  doctest-dev
  libssl-dev ca-certificates
  libre2-dev
  postgresql-15 libpq-dev   # the PostgreSQL store and its throwaway test cluster
  chromium                  # the approval inbox's browser test (driven by playwright-core)
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "weft: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
