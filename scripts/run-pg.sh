#!/bin/sh
# run-pg.sh (make run-pg): Gloss as a scaled-out deployment on one machine:
# a PostgreSQL server, two Gloss instances on 127.0.0.1:8081 and :8082
# sharing it, and nginx on http://127.0.0.1:8080 in front (deploy/nginx.conf).
# Needs Debian's postgresql and nginx packages. Ctrl+C stops everything;
# the database stays in data/pg for the next run.
set -eu
cd "$(dirname "$0")/.."
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDATA=$PWD/data/pg
PGPORT=${PGPORT:-5433}
command -v nginx >/dev/null || { echo "nginx not found (Debian: apt-get install nginx)"; exit 1; }
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL not found (Debian: apt-get install postgresql)"; exit 1; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p data
if [ ! -d "$PGDATA" ]; then
	mkdir -p "$PGDATA"
	[ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
	as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust >/dev/null
fi
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" -l "$PGDATA/log" -w start
cleanup() {
	kill $G1 $G2 2>/dev/null || true
	nginx -c "$PWD/deploy/nginx.conf" -s stop 2>/dev/null || true
	as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop || true
}
trap cleanup EXIT INT TERM
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='gloss'" | grep -q 1 ||
	as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres gloss
DB="postgres://postgres@127.0.0.1:$PGPORT/gloss?sslmode=disable"
./bin/gloss serve -addr 127.0.0.1:8081 -db "$DB" -origins http://127.0.0.1:8080 & G1=$!
sleep 1 # the first instance creates the schema and the demo; the second finds them
./bin/gloss serve -addr 127.0.0.1:8082 -db "$DB" -origins http://127.0.0.1:8080 -no-demo & G2=$!
nginx -c "$PWD/deploy/nginx.conf"
echo "Gloss behind nginx on http://127.0.0.1:8080 (instances :8081 and :8082, PostgreSQL :$PGPORT). Ctrl+C stops."
wait $G1 $G2
