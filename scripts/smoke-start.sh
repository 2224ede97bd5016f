#!/usr/bin/env bash
# The README's start path, once, on a throwaway embedded database: start, /api/health says db up, the login
# page is served, a demo login works, stop (and the embedded PostgreSQL stops with it).
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/branchmeet-smoke.XXXXXX)
chmod 755 "$data"
port=${SMOKE_PORT:-3900}
log="$data/server.log"
# `npm start` is `npm run build` then the server's start:prod (`node dist/main.js`); the build already ran.
(cd server && exec env -u DATABASE_URL DATA_DIR="$data" PORT=$port EMBEDDED_PG_PORT=$((port + 50000)) \
  node dist/main.js >"$log" 2>&1) &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap cleanup EXIT
ok=
for _ in $(seq 1 120); do
  if body=$(curl -fsS "http://127.0.0.1:$port/api/health" 2>/dev/null); then ok=1; break; fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 1
done
if [ -z "$ok" ]; then echo "the server did not answer /api/health"; tail -50 "$log"; exit 1; fi
echo "health: $body"
echo "$body" | grep -q '"db":"up"'
echo "$body" | grep -q '"dbMode":"embedded"'
curl -fsS "http://127.0.0.1:$port/login" | grep -q '<div id="root">' && echo "login page: served"
curl -fsS -H 'content-type: application/json' -d '{"login":"secretary1","password":"Demo@2026"}' \
  "http://127.0.0.1:$port/api/auth/login" | grep -q accessToken && echo "demo login: ok"
grep -q 'Demo data created' "$log" && echo "demo data: seeded on first start"
cleanup
trap - EXIT
sleep 1
if pgrep -f "postgres -D $data/pg" >/dev/null; then echo "embedded PostgreSQL still running after stop"; exit 1; fi
echo "stopped cleanly"
rm -rf "$data"
