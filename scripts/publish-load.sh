#!/usr/bin/env bash
# Load test: authenticated "publish an entry" over HTTP with wrk, the way
# DESIGN.md §6 compares against PocketBase (2 threads, 32 connections).
# Usage: scripts/publish-load.sh [duration, default 20s]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/resonant" ./cmd/resonant
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/api/v1"
"$work/resonant" serve --data-dir "$work/data" --addr "127.0.0.1:$port" --log-level warn >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

J='Content-Type: application/json'
curl -fs -X POST "$base/auth/signup" -H "$J" -d '{"email":"load@example.com","password":"correct horse battery","name":"Load"}' >/dev/null
token=$(grep -ho 'token=[A-Za-z0-9_-]*' "$work"/data/outbox/*.eml | tail -1 | cut -d= -f2)
curl -fs -X POST "$base/auth/verify" -H "$J" -d "{\"token\":\"$token\"}" >/dev/null
curl -fs -c "$work/jar" -X POST "$base/auth/signin" -H "$J" -d '{"email":"load@example.com","password":"correct horse battery"}' >/dev/null
pat=$(curl -fs -b "$work/jar" -X POST "$base/me/tokens" -H "$J" -H "Origin: http://127.0.0.1:$port" -d '{"name":"load"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
rel=$(curl -fs -H "Authorization: Bearer $pat" -X POST "$base/relationships" -H "$J" -d '{"name":"Sam","kind":"partner"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["relationship"]["id"])')

cat >"$work/publish.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $pat"
wrk.body = '{"relationshipId":"$rel","content":"We cooked dinner together and talked about the week. I felt heard, though work stress crept in again.","status":"published"}'
LUA
echo "publish: wrk -t2 -c32 -d$duration --latency (offline analysis runs in the same process)"
wrk -t2 -c32 -d"$duration" --latency -s "$work/publish.lua" "$base/entries"
ps -o rss= -p "$pid" | awk '{printf "server RSS after the run: %.0f MiB\n", $1/1024}'
