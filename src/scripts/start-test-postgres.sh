#!/usr/bin/env bash
# Starts a throwaway trust-auth PostgreSQL cluster for the store tests (Debian, as root) and prints
# its URL, the only line on stdout: TEST_DATABASE_URL=$(bash src/scripts/start-test-postgres.sh)
# Idempotent: installs PostgreSQL when missing, reuses a running cluster, recreates a wiped one.
set -euo pipefail

NAME=dbeptest
PORT=54329
DIR=/tmp/dbep-pg
DB=dbep_test

exec 3>&1 1>&2 # progress goes to stderr; fd 3 keeps stdout for the URL

if ! command -v pg_createcluster >/dev/null 2>&1; then
	echo "Installing PostgreSQL with apt-get..."
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# An existing cluster keeps its version; a new one uses the newest installed server.
VERSION=$(pg_lsclusters -h | awk -v n="$NAME" '$2 == n { print $1; exit }')
if [[ -n "$VERSION" && ! -f "$DIR/PG_VERSION" ]]; then
	echo "Cluster $NAME lost its data directory $DIR; recreating it."
	pg_dropcluster --stop "$VERSION" "$NAME" || true
	VERSION=""
fi
if [[ -z "$VERSION" ]]; then
	VERSION=$(ls -1 /usr/lib/postgresql | sort -V | tail -n 1)
	echo "Creating PostgreSQL $VERSION cluster $NAME on port $PORT in $DIR..."
	pg_createcluster "$VERSION" "$NAME" -p "$PORT" -d "$DIR" -- --auth=trust >/dev/null 3>&-
fi

if ! pg_ctlcluster "$VERSION" "$NAME" status >/dev/null 2>&1; then
	echo "Starting cluster $VERSION/$NAME..."
	# The server must not inherit fd 3: $(...) would wait for it to close, forever.
	pg_ctlcluster "$VERSION" "$NAME" start 3>&-
fi

for _ in $(seq 1 30); do
	pg_isready -q -h 127.0.0.1 -p "$PORT" && break
	sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "PostgreSQL on port $PORT is not ready."; exit 1; }

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres)
if [[ "$("${PSQL[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]]; then
	echo "Creating database $DB..."
	"${PSQL[@]}" -c "CREATE DATABASE $DB"
fi

echo "postgres://postgres@127.0.0.1:$PORT/$DB" >&3
