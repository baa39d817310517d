#!/bin/sh
# ci-postgres.sh runs the store's tests, the PostgreSQL ones included, as CI
# does. pgtest starts its own throwaway server from the Debian package's
# binaries (/usr/lib/postgresql/*/bin); the package's own cluster is not
# used. With CI set, a missing PostgreSQL fails the tests instead of
# skipping them. Installing needs root, which CI containers have.
set -eu
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	apt-get update
	apt-get install -y --no-install-recommends postgresql
fi

export CI="${CI:-true}"
unformatted=$(gofmt -l server/internal/store)
if [ -n "$unformatted" ]; then
	echo "gofmt needed: $unformatted" >&2
	exit 1
fi
go vet ./server/internal/store/...
go test -race -count=1 ./server/internal/store/...
