#!/usr/bin/env bash
# Sets up a real Docker engine and registry for the docker provider's e2e tests, on a machine where
# nothing can be pulled from the internet:
#   1. installs Debian's docker.io, docker-registry and apache2-utils (htpasswd);
#   2. starts dockerd (vfs storage driver) in the background and waits for it;
#   3. starts a registry on 127.0.0.1:5000 with its own config, requiring a password (htpasswd);
#   4. builds a base image from a rootfs holding this machine's node and the libraries ldd lists;
#   5. builds our image (docker/Dockerfile) on it, pushes it to the registry, and removes the local
#      copy so the tests really pull.
# Idempotent: what already runs or exists is reused. Logs go to stderr; on success the last line on
# stdout is the registry address. Needs root, and `npm ci` done (it runs `npm run build`).
# .ci/run uses it as:  SANDBOX_EVAL_TEST_REGISTRY="$(bash .ci/docker-setup.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."

REGISTRY_ADDR=127.0.0.1:5000
# test-only credentials of a registry that listens on loopback and lives as long as this machine
REGISTRY_USER=sandbox-eval
REGISTRY_PASSWORD=sandbox-eval-ci
STATE=${SANDBOX_EVAL_DOCKER_STATE:-/var/lib/sandbox-eval-ci}
SOCKET=/var/run/docker.sock
NODE_VERSION=$(node -p 'process.versions.node')
BASE_IMAGE=sandbox-eval/node-base:$NODE_VERSION
VERSION=$(node -p 'require("./package.json").version')
IMAGE=$REGISTRY_ADDR/sandbox-eval/sandbox:$VERSION
export DOCKER_HOST=unix://$SOCKET
# the classic builder: BuildKit needs a buildx plugin that may be missing, and brings nothing here
export DOCKER_BUILDKIT=0
# the docker CLI's login goes to a config of our own, not the user's ~/.docker
export DOCKER_CONFIG=$STATE/client
started=$SECONDS

log() { echo "docker-setup: $*" >&2; }
mkdir -p "$STATE" "$DOCKER_CONFIG"

# 1. packages
packages=(docker.io docker-registry apache2-utils)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's client; a newer one elsewhere on PATH works too
DOCKER=$(command -v docker)

# 2. the engine
if "$DOCKER" info >/dev/null 2>&1; then
  log "dockerd already answers on $SOCKET"
else
  log "starting dockerd (vfs storage driver), log in $STATE/dockerd.log"
  setsid nohup dockerd --storage-driver=vfs --host="unix://$SOCKET" --pidfile="$STATE/dockerd.pid" >"$STATE/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    "$DOCKER" info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! "$DOCKER" info >/dev/null 2>&1; then
    log "dockerd did not come up within 60 s; last lines of its log:"
    tail -n 20 "$STATE/dockerd.log" >&2
    exit 1
  fi
fi

# 3. the registry, with a password so the tests exercise credentials
if curl -fsS -o /dev/null -u "$REGISTRY_USER:$REGISTRY_PASSWORD" "http://$REGISTRY_ADDR/v2/" 2>/dev/null; then
  log "registry already answers on $REGISTRY_ADDR"
else
  log "starting a registry on $REGISTRY_ADDR, data in $STATE/registry"
  mkdir -p "$STATE/registry"
  htpasswd -Bbc "$STATE/htpasswd" "$REGISTRY_USER" "$REGISTRY_PASSWORD" 2>/dev/null
  cat >"$STATE/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
auth:
  htpasswd:
    realm: sandbox-eval-ci
    path: $STATE/htpasswd
EOF
  setsid nohup docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 </dev/null &
  for _ in $(seq 1 30); do
    curl -fsS -o /dev/null -u "$REGISTRY_USER:$REGISTRY_PASSWORD" "http://$REGISTRY_ADDR/v2/" 2>/dev/null && break
    sleep 1
  done
  curl -fsS -o /dev/null -u "$REGISTRY_USER:$REGISTRY_PASSWORD" "http://$REGISTRY_ADDR/v2/" || { log "the registry did not come up; see $STATE/registry.log"; exit 1; }
fi
echo "$REGISTRY_PASSWORD" | "$DOCKER" login --username "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" >/dev/null 2>&1

# 4. a base image holding this machine's node (nothing can be pulled from the internet)
if "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "base image $BASE_IMAGE exists"
else
  log "building base image $BASE_IMAGE from $(readlink -f "$(command -v node)") and its libraries"
  rootfs=$(mktemp -d)
  # mktemp makes it 0700, and the image's / would keep that: no one but root could reach node
  chmod 755 "$rootfs"
  node_bin=$(readlink -f "$(command -v node)")
  mkdir -p "$rootfs/usr/local/bin" "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  cp "$node_bin" "$rootfs/usr/local/bin/node"
  # every library ldd lists, the dynamic loader included, at its own path
  ldd "$node_bin" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  printf 'root:x:0:0:root:/root:/bin/false\nnode:x:1000:1000:node:/home/node:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | "$DOCKER" import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi

# 5. our image, pushed to the registry, and the local copy removed so the tests pull it
log "building dist/ and the image $IMAGE"
npm run build --silent >&2
context=$(mktemp -d)
node docker/stage.mjs "$context/image" >&2
"$DOCKER" build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE" "$context/image" >/dev/null
rm -rf "$context"
log "pushing $IMAGE"
"$DOCKER" push -q "$IMAGE" >/dev/null
"$DOCKER" rmi -f "$IMAGE" >/dev/null
"$DOCKER" image prune -f >/dev/null
log "ready in $((SECONDS - started)) s: engine on $SOCKET, registry on $REGISTRY_ADDR (user $REGISTRY_USER), image $IMAGE"
echo "$REGISTRY_ADDR"
