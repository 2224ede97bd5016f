#!/usr/bin/env bash
# ffmpeg and ffprobe, which lecture recording needs (server/src/recordings): run by `npm install`'s postinstall.
# As root (or with passwordless sudo) on Debian/Ubuntu it installs the `ffmpeg` package; otherwise it prints the
# exact command. It never fails the install: without ffmpeg the server starts, logs it, reports it in
# /api/health, and the room shows recording as unavailable. BRANCHMEET_SKIP_FFMPEG=1 skips the step.
set -uo pipefail
log() { echo "[ensure-ffmpeg] $*" >&2; }

[[ "${BRANCHMEET_SKIP_FFMPEG:-}" == 1 ]] && exit 0
if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then
  log "ok: $(ffmpeg -version 2>/dev/null | head -n1 | cut -d' ' -f1-3)"
  exit 0
fi
hint="apt-get install -y --no-install-recommends ffmpeg"
if ! command -v apt-get >/dev/null; then
  log "ffmpeg/ffprobe not found and this is not a Debian-like system: install ffmpeg (with ffprobe) and put it on PATH, or set FFMPEG_PATH/FFPROBE_PATH; recording stays unavailable until then"
  exit 0
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    log "ffmpeg/ffprobe not found; recording stays unavailable until you run: sudo $hint"
    exit 0
  fi
fi
log "ffmpeg/ffprobe not found; installing the Debian package ffmpeg"
if [[ "$(apt-cache policy ffmpeg 2>/dev/null || true)" != *"Candidate: "[!\(]* ]]; then
  "${sudo[@]}" apt-get update -qq >&2 || true
fi
aptlog=$(mktemp)
if DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends ffmpeg >"$aptlog" 2>&1 &&
  command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then
  log "ok: $(ffmpeg -version | head -n1 | cut -d' ' -f1-3)"
else
  tail -n 20 "$aptlog" >&2
  log "could not install ffmpeg; recording stays unavailable until you run: $hint"
fi
rm -f "$aptlog"
exit 0
