#!/usr/bin/env bash
# The whole test suite, as the README's `npm test` runs it: typecheck, lint, unit, integration (real
# PostgreSQL), client, browser end-to-end, and the README's start path on the embedded database.
# Each step's results are counted; the last line is `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/test/e2e/artifacts/results"
rm -rf "$results" && mkdir -p "$results"
passed=0
failed=0
failures=()

step() { printf '\n=== %s ===\n' "$1"; }
# A check that is one pass or one fail (typecheck, lint, smoke).
check() {
  local name=$1; shift
  step "$name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}
# A test runner whose JSON report counts each test; a runner that crashes before reporting is one failure.
count_json() {
  local name=$1 file=$2 rc=$3 p f
  if [ ! -s "$file" ]; then failed=$((failed + 1)); failures+=("$name (no report, exit $rc)"); return; fi
  read -r p f < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests);' "$file")
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -gt 0 ]; then failures+=("$name"); fi
  # A suite that failed to run (a compile error, a crash) has no failed test but a non-zero exit.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); failures+=("$name (exit $rc)"); fi
}
# A runner that goes past its time limit is stopped and counted as failed (CI gives the whole run 90 minutes).
jest_step() {
  local name=$1 dir=$2 config=$3 minutes=$4; shift 4
  step "$name"
  (cd "$dir" && timeout --kill-after=30 "${minutes}m" npx jest -c "$config" --json --outputFile="$results/$name.json" "$@")
  local rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo "$name: stopped after ${minutes} minutes" >&2; fi
  count_json "$name" "$results/$name.json" $rc
}

if [ -z "${DATABASE_URL:-}" ]; then
  if psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
  else
    echo "integration tests need a PostgreSQL server: set DATABASE_URL (each test file creates and drops its own database)" >&2
  fi
fi

# What the tests need from the machine, checked up front: a missing one is named with its Debian package
# instead of surfacing as a crash deep inside a test runner.
step prerequisites
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
missing=()
if ! "$chromium" --version >/dev/null 2>&1; then
  echo "Chromium not found at $chromium (browser end-to-end tests; CHROMIUM_PATH sets another)" >&2
  missing+=(chromium)
fi
if ! fc-list : family 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null; then
  echo "no Noto Sans CJK font (Chinese text in PDF exports and in the browser tests)" >&2
  missing+=(fonts-noto-cjk)
fi
if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
  echo "ffmpeg/ffprobe not found (lecture recording tests and the test media bots)" >&2
  missing+=(ffmpeg)
fi
if [ ! -x /usr/bin/turnserver ]; then
  echo "coturn's turnserver not found (the TURN browser tests)" >&2
  missing+=(coturn)
fi
if [ ! -x /usr/sbin/haproxy ]; then
  echo "HAProxy not found (the several-nodes browser test runs docker-compose's proxy configuration)" >&2
  missing+=(haproxy)
fi
if ! command -v socat >/dev/null || ! command -v ip >/dev/null; then
  echo "socat or ip not found (the weak-network browser test's shaped link)" >&2
  missing+=(socat iproute2)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing Debian packages: ${missing[*]}; install them with: apt-get install -y ${missing[*]}" >&2
  failed=$((failed + 1))
  failures+=("prerequisites (apt-get install -y ${missing[*]})")
else
  echo "ok: $("$chromium" --version 2>/dev/null), Noto Sans CJK, $(ffmpeg -version | head -n1 | cut -d' ' -f1-3)"
  passed=$((passed + 1))
fi

check build npm run build --silent
check typecheck npm run typecheck --silent
check lint npm run lint --silent
jest_step unit server jest.unit.config.js 10
# In one process; --forceExit: a handle a test left open (named by report-open-handles.ts) cannot keep CI waiting.
jest_step integration server jest.int.config.js 35 --runInBand --forceExit
step client
(cd client && timeout --kill-after=30 15m npx vitest run --reporter=default --reporter=json --outputFile="$results/client.json")
count_json client "$results/client.json" $?
if "$chromium" --version >/dev/null 2>&1; then
  jest_step e2e test jest.e2e.config.js 35 --runInBand --forceExit
else
  step e2e
  echo "not run: no Chromium at $chromium (apt-get install -y chromium); counted as one failure" >&2
  failed=$((failed + 1))
  failures+=("e2e (no Chromium: apt-get install -y chromium)")
fi
check start-path bash scripts/smoke-start.sh

printf '\n'
if [ "$failed" -gt 0 ]; then printf 'failed: %s\n' "${failures[@]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
