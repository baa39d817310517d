#!/bin/sh
# bench-pg.sh (make bench-sync-pg): gloss-load against PostgreSQL: a
# throwaway cluster in a temporary directory (Debian's postgresql package;
# fsync and synchronous_commit on, as Gloss requires), then 1, 2 and 3
# Gloss instances on it, pinned to CPU 0 with the clients on CPU 1 (the
# PostgreSQL server is not pinned). Extra arguments go to gloss-load.
set -eu
cd "$(dirname "$0")/.."
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL not found (Debian: apt-get install postgresql)"; exit 1; }
DIR=$(mktemp -d /tmp/gloss-bench-pg-XXXXXX)
PORT=${PGPORT:-5439}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200" -l "$DIR/log" -w start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null; rm -rf "$DIR"' EXIT INT TERM
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres gloss
taskset -c 1 ./bin/gloss-load -db "postgres://postgres@127.0.0.1:$PORT/gloss?sslmode=disable" \
	-instances 1,2,3 -docs 1,50 -floor=false -idle "${SYNC_IDLE:-1000}" \
	-n "${SYNC_N:-3}" -duration "${SYNC_DURATION:-5s}" "$@"
