#!/usr/bin/env bash
# with-postgresql.sh COMMAND ARGS...: run a command with a private PostgreSQL server and a
# fresh database (CT_DATABASE_URL), stopped and removed afterwards (tests/pg.sh). CTest runs the
# `_pg` variants of the unit tests that touch the store through it.
set -u
. "$(dirname "$0")/pg.sh"
trap pg_stop EXIT
pg_start || exit 1
CT_DATABASE_URL=$(pg_createdb) || exit 1
export CT_DATABASE_URL CT_BACKEND=postgresql
echo "backend: postgresql ($CT_DATABASE_URL)"
"$@"
