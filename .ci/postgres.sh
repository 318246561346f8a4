#!/usr/bin/env bash
# Install and start a throwaway PostgreSQL for the decision-log tests (run as root on a fresh Debian machine).
# Prints the line to export; the API tests read TEST_DATABASE_URL (they skip without it, and fail under CI=true).
#   eval "$(.ci/postgres.sh)"      # then: make test   (or .uv/bin/uv run --frozen pytest tests/api)
set -euo pipefail
PG_USER="${PG_USER:-credit_scoring}"
PG_PASSWORD="${PG_PASSWORD:-credit_scoring}"
PG_DB="${PG_DB:-credit_scoring_test}"

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
fi
version="$(ls /etc/postgresql | sort -V | tail -n 1)"
if [ -z "$version" ]; then
  pg_createcluster --start 15 main >&2
  version=15
fi
pg_ctlcluster "$version" main start >&2 2>/dev/null || true   # already running is fine
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done

su postgres -c "psql -v ON_ERROR_STOP=1 -q" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PG_USER}') THEN
    CREATE ROLE ${PG_USER} LOGIN PASSWORD '${PG_PASSWORD}' CREATEDB;
  END IF;
END \$\$;
SQL
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = '${PG_DB}'\"" | grep -q 1; then
  su postgres -c "createdb -O ${PG_USER} ${PG_DB}" >&2
fi
echo "export TEST_DATABASE_URL=postgresql+psycopg://${PG_USER}:${PG_PASSWORD}@127.0.0.1:5432/${PG_DB}"
