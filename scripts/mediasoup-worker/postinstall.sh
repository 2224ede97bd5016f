#!/usr/bin/env bash
# The root package's `postinstall` (npm install / npm ci): makes sure a mediasoup-worker exists
# (ensure-worker.sh: MEDIASOUP_WORKER_BIN, upstream's, the cache, or a build of about 5-10 min) and writes
# its absolute path to node_modules/.cache/branchmeet/mediasoup-worker-path, which the server's media
# config reads when MEDIASOUP_WORKER_BIN is not set.
#
# A worker that cannot be had fails the install, loudly. BRANCHMEET_SKIP_WORKER=1 skips this step (a
# client-only install, or an image that brings its own worker); the server then needs MEDIASOUP_WORKER_BIN.
# Then ffmpeg/ffprobe (lecture recording): installed as root with apt, else the exact command is printed
# (scripts/ensure-ffmpeg.sh; a missing ffmpeg does not fail the install: the server reports it).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
OUT="$REPO_ROOT/node_modules/.cache/branchmeet/mediasoup-worker-path"

if [[ "${BRANCHMEET_SKIP_WORKER:-}" == 1 ]]; then
  echo "[postinstall] BRANCHMEET_SKIP_WORKER=1: mediasoup worker not checked; the server will need MEDIASOUP_WORKER_BIN" >&2
  bash "$SCRIPT_DIR/../ensure-ffmpeg.sh" || true
  exit 0
fi

if ! bin=$(bash "$SCRIPT_DIR/ensure-worker.sh" | tail -n1) || [[ ! -x "$bin" ]]; then
  cat >&2 <<MSG

[postinstall] ERROR: no mediasoup-worker could be found or built (see the messages above and
  scripts/mediasoup-worker/README.md). The SFU cannot start without it. Either fix the cause and run
  \`npm install\` again, point MEDIASOUP_WORKER_BIN at a working binary, or install without the worker:
  BRANCHMEET_SKIP_WORKER=1 npm ci
MSG
  exit 1
fi

mkdir -p "$(dirname "$OUT")"
printf '%s\n' "$bin" >"$OUT.tmp.$$"
mv -f "$OUT.tmp.$$" "$OUT"
echo "[postinstall] mediasoup-worker: $bin (recorded in ${OUT#"$REPO_ROOT"/})" >&2

bash "$SCRIPT_DIR/../ensure-ffmpeg.sh" || true
