#!/usr/bin/env bash
# Prints, on its last stdout line, a directory whose `node` is Node.js 24 (the version this project needs).
# When the `node` on PATH is already 24 or newer, that is its directory. Otherwise Node 24 comes from the npm
# registry (the package node-linux-<arch>, which holds the official binary), checked against the sha512 pinned
# below, unpacked once into ${BRANCHMEET_CACHE_DIR:-~/.cache/branchmeet}/node/<version>/ and reused; a cached
# binary is checked against the sha256 recorded when it was unpacked. Progress goes to stderr.
#
#   export PATH="$(bash scripts/ensure-node.sh | tail -n1):$PATH"
#
# It needs an `npm` (any version) to fetch the package the first time. BRANCHMEET_FORCE_NODE_DOWNLOAD=1 uses the
# registry's Node even when the machine's is new enough.
set -euo pipefail

NODE_VERSION=24.22.3
NEED_MAJOR=24
declare -A INTEGRITY=(
  [x64]=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
  [arm64]=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
)

exec 3>&1 1>&2
log() { echo "[ensure-node] $*" >&2; }
die() {
  echo "[ensure-node] ERROR: $*" >&2
  exit 1
}

if [[ "${BRANCHMEET_FORCE_NODE_DOWNLOAD:-}" != 1 ]] && command -v node >/dev/null; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [[ "$major" -ge "$NEED_MAJOR" ]]; then
    log "machine's node $(node -v) is new enough"
    dirname "$(command -v node)" >&3
    exit 0
  fi
  log "machine's node is $(node -v); Node $NEED_MAJOR is needed"
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no pinned Node $NODE_VERSION package for $(uname -m); install Node.js $NEED_MAJOR yourself" ;;
esac
[[ "$(uname -s)" == Linux ]] || die "this script fetches Linux binaries; install Node.js $NEED_MAJOR yourself"

ROOT="${BRANCHMEET_CACHE_DIR:-$HOME/.cache/branchmeet}/node"
DEST="$ROOT/$NODE_VERSION-linux-$arch"
BIN="$DEST/bin/node"

if [[ -x "$BIN" && -f "$DEST/node.sha256" ]]; then
  if (cd "$DEST" && sha256sum --check --quiet node.sha256 >/dev/null 2>&1); then
    log "using cached Node $NODE_VERSION ($DEST)"
    echo "$DEST/bin" >&3
    exit 0
  fi
  log "cached Node in $DEST fails its checksum; fetching it again"
fi

command -v npm >/dev/null || die "npm is needed once to fetch Node $NODE_VERSION (apt-get install npm), or install Node.js $NEED_MAJOR yourself"
mkdir -p "$ROOT"
exec 9>"$ROOT/.lock"
flock 9
WORK=$(mktemp -d "$ROOT/.fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

pkg="node-linux-$arch@$NODE_VERSION"
log "fetching $pkg from the npm registry (about 50 MB)"
(cd "$WORK" && npm pack "$pkg" --silent >/dev/null) || die "npm pack $pkg failed"
tgz="$WORK/node-linux-$arch-$NODE_VERSION.tgz"
want=${INTEGRITY[$arch]}
got=$(node -e 'const c=require("crypto"),fs=require("fs");
process.stdout.write("sha512-"+c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tgz")
[[ "$got" == "$want" ]] || die "$pkg: integrity $got does not match the pinned $want"

mkdir -p "$WORK/x"
tar -C "$WORK/x" -xzf "$tgz" package/bin/node package/LICENSE
mkdir -p "$WORK/out/bin"
mv "$WORK/x/package/bin/node" "$WORK/out/bin/node"
mv "$WORK/x/package/LICENSE" "$WORK/out/LICENSE"
[[ "$("$WORK/out/bin/node" -v)" == "v$NODE_VERSION" ]] || die "the unpacked node does not run as v$NODE_VERSION"
(cd "$WORK/out" && sha256sum bin/node >node.sha256)
rm -rf "$DEST"
mv -T "$WORK/out" "$DEST"
log "Node $NODE_VERSION in $DEST"
echo "$DEST/bin" >&3
