#!/usr/bin/env bash
# The event stream across two instances on one PostgreSQL database: a
# throwaway database is created on RESONANT_TEST_DATABASE_URL's server and
# dropped afterwards. Usage: scripts/load-events-postgres.sh BIN [flags…]
set -euo pipefail
bin=$1; shift
base=${RESONANT_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db="resonant_load_events_$$"
url=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$base" "$db")
psql "$base" -qc "CREATE DATABASE $db"
trap 'psql "$base" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
"$bin" dev load-events --instances 2 --database-url "$url" --streams 1000 --users 100 "$@"
