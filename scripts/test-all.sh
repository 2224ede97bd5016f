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
jest_step() {
  local name=$1 dir=$2 config=$3; shift 3
  step "$name"
  (cd "$dir" && npx jest -c "$config" --json --outputFile="$results/$name.json" "$@")
  count_json "$name" "$results/$name.json" $?
}

if [ -z "${DATABASE_URL:-}" ]; then
  if psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
  else
    echo "integration tests need a PostgreSQL server: set DATABASE_URL (each test file creates and drops its own database)" >&2
  fi
fi

check build npm run build --silent
check typecheck npm run typecheck --silent
check lint npm run lint --silent
jest_step unit server jest.unit.config.js
jest_step integration server jest.int.config.js --runInBand
step client
(cd client && npx vitest run --reporter=default --reporter=json --outputFile="$results/client.json")
count_json client "$results/client.json" $?
jest_step e2e test jest.e2e.config.js --runInBand
check start-path bash scripts/smoke-start.sh

printf '\n'
if [ "$failed" -gt 0 ]; then printf 'failed: %s\n' "${failures[@]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
