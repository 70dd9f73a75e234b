#!/usr/bin/env bash
# A local PostgreSQL for the store's tests, listening on loopback only (Debian/Ubuntu, as root, no systemd
# needed). Installs the server if missing, starts the cluster, creates the role and database, and prints the
# URL to export:
#   export NOTICEFLOW_TEST_PG_URL=$(bash scripts/postgres.sh)
# Safe to run again: an existing role gets its password reset, an existing database is kept.
set -euo pipefail

ROLE=noticeflow
PASSWORD=noticeflow
DATABASE=noticeflow_test

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/postgres.sh installs and starts PostgreSQL: run it as root (sudo bash scripts/postgres.sh)" >&2
  exit 1
fi

if ! command -v pg_lsclusters >/dev/null || [ -z "$(pg_lsclusters --no-header 2>/dev/null)" ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

# The first cluster (the package creates "main"); Debian's default config listens on localhost only.
read -r VERSION CLUSTER PORT STATUS _ < <(pg_lsclusters --no-header | head -n 1)
if [ "$STATUS" != "online" ]; then
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
for _ in $(seq 30); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "PostgreSQL $VERSION/$CLUSTER did not start" >&2; exit 1; }

as_postgres() {
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"
}
as_postgres -c "DO \$\$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    ALTER ROLE $ROLE WITH LOGIN PASSWORD '$PASSWORD';
  ELSE
    CREATE ROLE $ROLE WITH LOGIN PASSWORD '$PASSWORD';
  END IF;
END \$\$;"
if [ "$(as_postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
  as_postgres -c "CREATE DATABASE $DATABASE OWNER $ROLE"
fi

echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
