#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 cluster for the tests.
#   scripts/pg-test-cluster.sh start STATE_DIR   # writes STATE_DIR/url (superuser URL) and STATE_DIR/env
#   scripts/pg-test-cluster.sh standby STATE_DIR PRIMARY_STATE_DIR  # a streaming standby of that primary
#   scripts/pg-test-cluster.sh stop STATE_DIR
# The cluster listens on 127.0.0.1 only, on a free port, with password (scram) authentication over
# TCP so that wrong-password tests are real. initdb refuses to run as root, so as root the data
# directory belongs to the `postgres` user and the server runs as that user.
set -euo pipefail

cmd=${1:?usage: pg-test-cluster.sh start|stop STATE_DIR}
state=${2:?usage: pg-test-cluster.sh start|stop STATE_DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg-test-cluster: PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  if [ -f "$state/datadir" ]; then
    local data
    data=$(cat "$state/datadir")
    as_pg "$bindir/pg_ctl" -D "$data/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$data"
  fi
  rm -f "$state/url" "$state/env" "$state/datadir"
}

# Starts the server of "$1/pgdata" on the first free port from 55432 and sets $port.
launch() {
  local data=$1
  # Tests need no durability; benchmarks may ask for it (STRATA_PG_DURABLE=1: PostgreSQL's defaults).
  durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${STRATA_PG_DURABLE:-0}" = 1 ] && durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  # Another cluster (a parallel test run) may take a port between the check and the bind: try
  # the next free-looking port when the server cannot listen.
  port=""
  for p in $(seq 55432 55631); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    if as_pg "$bindir/pg_ctl" -D "$data/pgdata" -l "$data/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $p -k $data $durability -c max_connections=200" \
      >/dev/null 2>&1; then
      port=$p
      break
    fi
    grep -q "could not bind\|could not create lock file\|Address already in use" "$data/server.log" 2>/dev/null || {
      cat "$data/server.log" >&2
      exit 1
    }
  done
  [ -n "$port" ] || { echo "pg-test-cluster: could not start a server on any port" >&2; cat "$data/server.log" >&2; exit 1; }
}

case "$cmd" in
  stop)
    stop
    exit 0
    ;;
  start)
    mkdir -p "$state"
    stop
    data=$(mktemp -d /tmp/strata-pg.XXXXXX)
    echo "$data" > "$state/datadir"
    password="strata-test-$RANDOM$RANDOM"
    printf '%s\n' "$password" > "$data.pw"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$data" "$data.pw"; fi
    as_pg "$bindir/initdb" -D "$data/pgdata" -U postgres --pwfile="$data.pw" --auth-local=trust \
      --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 \
      || { cat "$data/initdb.log" >&2; exit 1; }
    rm -f "$data.pw"
    launch "$data"
    echo "postgres://postgres:$password@127.0.0.1:$port/postgres" > "$state/url"
    echo "STRATA_PG_URL=postgres://postgres:$password@127.0.0.1:$port/postgres" > "$state/env"
    echo "pg-test-cluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($data)"
    ;;
  standby)
    primary=${3:?usage: pg-test-cluster.sh standby STATE_DIR PRIMARY_STATE_DIR}
    mkdir -p "$state"
    stop
    url=$(cat "$primary/url")
    password=${url#postgres://postgres:}
    password=${password%%@*}
    pport=${url##*:}
    pport=${pport%%/*}
    data=$(mktemp -d /tmp/strata-pg.XXXXXX)
    echo "$data" > "$state/datadir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$data"; fi
    # A copy of the primary that follows its WAL (-R writes primary_conninfo and standby.signal),
    # through a replication slot of its own (-C -S): the primary keeps every WAL segment the
    # standby has not received, so a standby that falls behind (a busy test run writes a lot of
    # WAL) catches up instead of finding the segment recycled.
    slot="strata_standby_$(basename "$data" | tr -c 'a-zA-Z0-9\n' '_' | tr 'A-Z' 'a-z')"
    as_pg env PGPASSWORD="$password" "$bindir/pg_basebackup" -D "$data/pgdata" -R -C -S "$slot" -X stream -c fast \
      -h 127.0.0.1 -p "$pport" -U postgres >"$data/basebackup.log" 2>&1 \
      || { cat "$data/basebackup.log" >&2; exit 1; }
    launch "$data"
    echo "postgres://postgres:$password@127.0.0.1:$port/postgres" > "$state/url"
    echo "pg-test-cluster: standby of 127.0.0.1:$pport on 127.0.0.1:$port ($data)"
    ;;
  *)
    echo "usage: pg-test-cluster.sh start|standby|stop STATE_DIR [PRIMARY_STATE_DIR]" >&2
    exit 2
    ;;
esac
