#!/usr/bin/env bash
# Prints, on its last stdout line, the absolute path of a working
# mediasoup-worker binary for mediasoup 3.32.2, building it once if needed.
# Everything else goes to stderr. See README.md beside this file.
#
# Usage: ensure-worker.sh [--pkg DIR]
#   --pkg DIR   the mediasoup package directory (default: resolved with node
#               from the repository root)
# Env: MEDIASOUP_WORKER_BIN, BRANCHMEET_CACHE_DIR
set -euo pipefail

MEDIASOUP_VERSION=3.32.2
MESON_VERSION=1.12.1
APT_PACKAGES=(g++ pkg-config ninja-build python3-venv patch libssl-dev libuv1-dev libsrtp2-dev
  flatbuffers-compiler libflatbuffers-dev)

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
PATCH_FILE="$SCRIPT_DIR/mediasoup-$MEDIASOUP_VERSION.patch"

# Keep stdout for the final path only.
exec 3>&1 1>&2

log() { echo "[ensure-worker] $*" >&2; }
die() {
  echo "[ensure-worker] ERROR: $*" >&2
  exit 1
}
found() {
  log "using $2 ($1)"
  echo "$1" >&3
  exit 0
}

PKG_DIR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pkg)
      [[ $# -ge 2 ]] || die "--pkg needs a directory"
      PKG_DIR=$2
      shift 2
      ;;
    --pkg=*)
      PKG_DIR=${1#--pkg=}
      shift
      ;;
    -h | --help)
      sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&3
      exit 0
      ;;
    *) die "unknown argument: $1" ;;
  esac
done

# 1. An explicit binary.
if [[ -n "${MEDIASOUP_WORKER_BIN:-}" ]]; then
  if [[ -f "$MEDIASOUP_WORKER_BIN" && -x "$MEDIASOUP_WORKER_BIN" ]]; then
    found "$(realpath "$MEDIASOUP_WORKER_BIN")" "MEDIASOUP_WORKER_BIN"
  fi
  log "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable file; ignoring it"
fi

# 2. Upstream's own worker inside the installed package (a prebuilt one, if
#    its install script ever ran and could reach its download host).
if [[ -z "$PKG_DIR" ]] && command -v node >/dev/null; then
  PKG_DIR=$(cd "$REPO_ROOT" &&
    node -p "path.dirname(require.resolve('mediasoup/package.json'))" 2>/dev/null) || PKG_DIR=""
fi
if [[ -n "$PKG_DIR" ]]; then
  [[ -d "$PKG_DIR" ]] || die "--pkg $PKG_DIR is not a directory"
  PKG_DIR=$(cd "$PKG_DIR" && pwd)
  if [[ -x "$PKG_DIR/worker/out/Release/mediasoup-worker" ]]; then
    found "$PKG_DIR/worker/out/Release/mediasoup-worker" "upstream's worker in $PKG_DIR"
  fi
fi

# 3. The cache, keyed by mediasoup version and patch content.
[[ -f "$PATCH_FILE" ]] || die "missing $PATCH_FILE"
PATCH_KEY=$(sha256sum "$PATCH_FILE" | cut -c1-16)
CACHE_ROOT="${BRANCHMEET_CACHE_DIR:-$HOME/.cache/branchmeet}/mediasoup-worker"
DEST_DIR="$CACHE_ROOT/$MEDIASOUP_VERSION-$PATCH_KEY"
DEST="$DEST_DIR/mediasoup-worker"

missing_packages() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == *"install ok installed"* ]] ||
      echo "$p"
  done
}

# Installs the Debian packages the build (and the binary's shared libraries) need.
ensure_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo; install: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  # apt-get update only when apt has no candidate for one of them (empty or old lists).
  local p
  for p in "${missing[@]}"; do
    if [[ "$(apt-cache policy "$p" 2>/dev/null || true)" != *"Candidate: "[!\(]* ]]; then
      log "apt lists lack $p; running apt-get update"
      "${sudo[@]}" apt-get update -qq
      break
    fi
  done
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

if [[ -x "$DEST" ]]; then
  # The binary links Debian's shared libraries: reinstall them if they went away.
  if [[ "$(ldd "$DEST" 2>&1 || true)" == *"not found"* ]]; then
    log "cached worker misses shared libraries; installing packages"
    ensure_packages
  fi
  found "$DEST" "cached build"
fi

# 4. Build it. One build at a time per cache directory.
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock"
if ! flock -n 9; then
  log "another build is running; waiting for it"
  flock 9
fi
[[ -x "$DEST" ]] && found "$DEST" "build finished by another process"

START=$(date +%s)
log "no mediasoup-worker $MEDIASOUP_VERSION found; building it (about 6-10 min on 2 cores)"
ensure_packages

# Generated C++ headers must match the flatbuffers headers they compile against.
FLATC=/usr/bin/flatc
flatc_version=$("$FLATC" --version | awk '{print $NF}')
fb_version=$(pkg-config --modversion flatbuffers)
[[ "$flatc_version" == "$fb_version" ]] ||
  die "flatc $flatc_version does not match libflatbuffers-dev $fb_version"

# meson from a venv in the cache (Debian's meson is too old).
VENV="$CACHE_ROOT/venv-meson-$MESON_VERSION"
if [[ "$("$VENV/bin/meson" --version 2>/dev/null || true)" != "$MESON_VERSION" ]]; then
  log "installing meson $MESON_VERSION in $VENV"
  rm -rf "$VENV"
  PY=/usr/bin/python3
  [[ -x "$PY" ]] || PY=python3
  "$PY" -m venv "$VENV"
  # Prefer a local package index (file:// or loopback URL) from pip's config or
  # env; use it alone, or pip spends minutes retrying an unreachable public one.
  mapfile -t pip_urls < <(
    {
      printf '%s\n' "${PIP_INDEX_URL:-}" "${PIP_EXTRA_INDEX_URL:-}"
      "$VENV/bin/pip" config list 2>/dev/null |
        sed -n -E "s/^[^=]*\.(index-url|extra-index-url)='(.*)'$/\2/p"
    } | tr ' ' '\n' | grep -E '^(file://|/|https?://(localhost|127\.[0-9.]+|\[::1\])[:/])' | awk '!seen[$0]++'
  )
  mapfile -t pip_links < <(
    {
      printf '%s\n' "${PIP_FIND_LINKS:-}"
      "$VENV/bin/pip" config list 2>/dev/null |
        sed -n -E "s/^[^=]*\.find-links='(.*)'$/\1/p"
    } | tr ' ' '\n' | grep -E '^(file://|/)' | awk '!seen[$0]++'
  )
  local_index=""
  for u in "${pip_urls[@]}"; do
    d=${u#file://}
    if [[ "$u" == http* || -d "$d/meson" ]]; then
      local_index=$u
      break
    fi
  done
  pip_args=(install --disable-pip-version-check --no-deps)
  for l in "${pip_links[@]}"; do pip_args+=(--find-links "$l"); done
  if [[ -n "$local_index" ]]; then
    log "pip: using local index $local_index"
    env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null \
      "$VENV/bin/pip" "${pip_args[@]}" --index-url "$local_index" "meson==$MESON_VERSION" >&2
  else
    log "pip: no local index found; trying the default one"
    "$VENV/bin/pip" "${pip_args[@]}" --timeout 5 --retries 0 "meson==$MESON_VERSION" >&2
  fi
fi

WORK=$(mktemp -d "$CACHE_ROOT/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Sources: the installed package if it is the right version, else the tarball.
mkdir -p "$WORK/package"
pkg_version=""
if [[ -n "$PKG_DIR" && -f "$PKG_DIR/package.json" ]]; then
  pkg_version=$(sed -n -E '/^[[:space:]]*"version":/{s/.*"version":[[:space:]]*"([^"]+)".*/\1/p;q;}' \
    "$PKG_DIR/package.json")
fi
if [[ "$pkg_version" == "$MEDIASOUP_VERSION" && -f "$PKG_DIR/worker/meson.build" ]]; then
  log "sources: $PKG_DIR/worker"
  tar -C "$PKG_DIR" --exclude=worker/out --exclude=worker/subprojects/packagecache -cf - worker |
    tar -C "$WORK/package" -xf -
else
  log "sources: npm pack mediasoup@$MEDIASOUP_VERSION"
  (cd "$WORK" && npm pack "mediasoup@$MEDIASOUP_VERSION" --silent >/dev/null)
  tar -C "$WORK" -xzf "$WORK/mediasoup-$MEDIASOUP_VERSION.tgz" package/worker
fi
(cd "$WORK/package" && patch -p1 --batch --forward --quiet <"$PATCH_FILE") ||
  die "patch $PATCH_FILE does not apply to mediasoup $MEDIASOUP_VERSION's worker/"

printf "[binaries]\nflatc = '%s'\n" "$FLATC" >"$WORK/native.ini"
BUILD_LOG="$CACHE_ROOT/last-build.log"
log "configuring and compiling; full log: $BUILD_LOG"
if ! (
  export PATH="$VENV/bin:$PATH"
  set -x
  meson setup "$WORK/build" "$WORK/package/worker" --native-file "$WORK/native.ini" \
    --buildtype release --wrap-mode=nodownload
  meson compile -C "$WORK/build" flatbuffers-generator
  meson compile -C "$WORK/build" mediasoup-worker
) >"$BUILD_LOG" 2>&1; then
  tail -n 40 "$BUILD_LOG" >&2
  die "build failed; full log: $BUILD_LOG"
fi

STAGE="$WORK/out"
mkdir -p "$STAGE"
cp "$WORK/build/mediasoup-worker" "$STAGE/mediasoup-worker"
{
  echo "mediasoup $MEDIASOUP_VERSION, patch sha256 $(sha256sum "$PATCH_FILE" | cut -d' ' -f1)"
  echo "built $(date -u +%FT%TZ) in $(($(date +%s) - START)) s on $(nproc) cores"
  dpkg-query -W -f='${Package} ${Version}\n' "${APT_PACKAGES[@]}"
  echo "meson $MESON_VERSION"
} >"$STAGE/BUILD-INFO"
if ! mv -T "$STAGE" "$DEST_DIR" 2>/dev/null; then
  [[ -x "$DEST" ]] || die "could not move the build into $DEST_DIR"
fi
log "built in $(($(date +%s) - START)) s"
found "$DEST" "fresh build"
