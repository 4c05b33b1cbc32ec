#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A throwaway PostgreSQL cluster for tests and benchmarks (no mock: tests talk to a real server).
#   pg_cluster.sh start DIR   initdb in DIR/data, start postgres on a free loopback port (unix
#                             sockets in DIR too), create database weft_test, write the URL to
#                             DIR/url and print it. Fails (non-zero) if any step fails.
#   pg_cluster.sh stop DIR    stop that server (fast shutdown) and remove DIR. Never fails when
#                             nothing runs, so it can always be the cleanup step.
# The server refuses to run as root: as root the cluster belongs to `nobody` (DIR is chowned to
# it); otherwise to the calling user. Password authentication (scram) is on, also over loopback,
# so a wrong password is a real error. Binaries: PG_BIN, default Debian's postgresql-15.
# PG_EXTRA_OPTS (optional): more server options for a measurement, e.g.
#   PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements -c log_statement=all"
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
command=${1:-}
dir=${2:-}
if [[ -z "$command" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

# A random high port; one that turns out taken makes the server fail to bind, and start retries.
free_port() {
  echo $((20000 + (RANDOM * 32768 + RANDOM) % 40000))
}

case "$command" in
  start)
    if [[ -e "$dir/data/postmaster.pid" ]]; then
      echo "pg_cluster: a server already runs in $dir; stop it first" >&2
      exit 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    password="weft-test-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$password" >"$dir/pwfile"
    if [[ $(id -u) -eq 0 ]]; then chown -R nobody "$dir"; fi
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U weft --pwfile="$dir/pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    for _ in 1 2 3 4 5 6 7 8; do
      port=$(free_port)
      if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=400 ${PG_EXTRA_OPTS:-}" \
        >/dev/null 2>&1; then
        break
      fi
      port=
    done
    if [[ -z "$port" ]]; then
      echo "pg_cluster: postgres did not start; its log:" >&2
      cat "$dir/server.log" >&2 || true
      exit 1
    fi
    PGPASSWORD=$password "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U weft weft_test
    url="postgresql://weft:$password@127.0.0.1:$port/weft_test"
    printf '%s\n' "$url" >"$dir/url"
    echo "$url"
    ;;
  stop)
    if [[ -e "$dir/data/postmaster.pid" ]]; then
      as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
