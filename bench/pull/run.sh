#!/usr/bin/env bash
# bench/pull/run.sh: cold pull of a realistic multi-layer image (debootstrap minbase + python3 + a
# python dev layer + a small app layer, ~150 MB compressed) from a local registry, timed for berthd,
# dockerd (Debian's docker.io, started here on private roots) and `skopeo copy` to an OCI layout
# (download only: the floor for "fetch and verify the bytes"). Prints medians and ratios and writes
# bench/out/pull-<date>.json. See bench/pull/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
BENCH="$(dirname "$HERE")"
BERTH_HOME="${BERTH_HOME:-$(dirname "$BENCH")}"
CACHE="$BENCH/.cache"
OUTDIR="$BENCH/out"
PY="python3 $HERE/pullbench.py"

RUNS=3
TOOLS="berthd,dockerd,skopeo,tar,tar-par"
REBUILD=0
MIRROR=""
BERTH_START_TIMEOUT=${BERTH_START_TIMEOUT:-900}   # first start may build the distribution
IMAGE_NAME=bench/debian-python
IMAGE_TAG=1
LAYOUT_TAG=debian-python
# Layer 3: what a Python service image typically adds on top of the interpreter (pip/venv, numpy,
# the headers for C extensions, git for pip installs from repositories; git brings perl). Sized so
# the image lands near 150 MB gzipped (156 MB when built in November 2026).
DEV_PKGS=(python3-pip python3-venv python3-numpy python3-dev git)

usage() {
  cat <<EOF
usage: $0 [--runs N] [--only LIST] [--berth-home DIR] [--rebuild] [--mirror URL]
  --runs N         timed cold pulls per tool (default $RUNS); the median is reported
  --only LIST      comma-separated subset of $TOOLS (default: all).
                   "tar" and "tar-par" are not pullers but floors: gunzip+untar of the layer blobs
                   from local disk, one after the other (tar) or each into its own directory at
                   once (tar-par, what a snapshotter that unpacks layers in parallel could reach)
  --berth-home DIR Berth checkout whose ./berth runs berthd (default: this repository, $BERTH_HOME)
  --rebuild        rebuild and re-push the cached image
  --mirror URL     Debian mirror for debootstrap (default: the host's apt mirror for bookworm)
EOF
}
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --only) TOOLS="$2"; shift 2 ;;
    --berth-home) BERTH_HOME="$(cd "$2" && pwd)"; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    --mirror) MIRROR="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "pull-bench: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "pull-bench: --runs needs a positive integer" >&2; exit 2 ;; esac
for t in ${TOOLS//,/ }; do
  case "$t" in berthd|dockerd|skopeo|tar|tar-par) ;; *) echo "pull-bench: unknown tool: $t" >&2; exit 2 ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "pull-bench: must run as root (debootstrap, dockerd, mounts)" >&2; exit 1; }

log() { printf 'pull-bench: %s\n' "$*" >&2; }
has_tool() { case ",$TOOLS," in *",$1,"*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------------------------------------
# Cleanup: every process group we start is recorded; every mount under our roots is undone
# (deepest first) before anything is deleted, and deletion never crosses into another filesystem.
TMP=""
PGIDS=()
RUN_DOCKER_EXISTED=1; [ -e /run/docker ] || RUN_DOCKER_EXISTED=0
BUILD_DIR="$CACHE/build"
umount_under() {
  local root="$1" m
  [ -n "$root" ] || return 0
  findmnt -rn -o TARGET 2>/dev/null | awk -v p="$root" '$0 == p || index($0, p "/") == 1' | sort -r |
    while read -r m; do umount -R "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
}
stop_group() { # pgid [seconds]: SIGTERM the group, wait, then SIGKILL what is left
  local pg="$1" secs="${2:-30}" i
  kill -0 "$pg" 2>/dev/null || { wait "$pg" 2>/dev/null || true; return 0; }
  kill -TERM -- "-$pg" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pg" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pg" 2>/dev/null || true
  wait "$pg" 2>/dev/null || true
}
cleanup() {
  local rc=$? pg
  set +e
  for pg in "${PGIDS[@]}"; do stop_group "$pg" 20; done
  umount_under "$BUILD_DIR"
  if [ -n "$TMP" ]; then
    umount_under "$TMP"
    rm -rf --one-file-system "$TMP"
  fi
  # dockerd creates /run/docker/plugins whatever its --exec-root; leave /run as it was found
  if [ "$RUN_DOCKER_EXISTED" = 0 ]; then rmdir /run/docker/plugins /run/docker 2>/dev/null; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# start_bg LOGFILE CMD...: run CMD in its own session (so its children can be stopped with it)
start_bg() {
  local logf="$1"; shift
  setsid "$@" >"$logf" 2>&1 &
  BG_PID=$!
  PGIDS+=("$BG_PID")
}
forget_pg() { local pg="$1" i; for i in "${!PGIDS[@]}"; do [ "${PGIDS[$i]}" = "$pg" ] && unset 'PGIDS[i]'; done; }

# ---------------------------------------------------------------------------------------------
# Prerequisites, installed on demand. docker.io is installed with service start-up denied: the
# benchmark starts its own dockerd on private roots and must not leave one running for the host.
ensure_packages() {
  local p missing=()
  for p in debootstrap docker.io docker-registry skopeo umoci curl python3 util-linux; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ $own_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  if [[ " ${missing[*]} " == *" docker.io "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
  fi
  if [[ " ${missing[*]} " == *" docker-registry "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
  fi
}
# The docker CLI: the one on PATH (Berth's machines have a current one in /usr/local/bin).
DOCKER_CLI="$(command -v docker || true)"

# ---------------------------------------------------------------------------------------------
# The image, built once into an OCI layout under bench/.cache/oci with umoci: each step changes the
# unpacked bundle and `umoci repack --refresh-bundle` turns the difference into the next layer.
LAYOUT="$CACHE/oci"
META="$CACHE/image-meta.json"
chroot_apt() { # rootfs args...: apt-get inside the image tree, with /proc and no service start-ups
  local rootfs="$1"; shift
  mount -t proc proc "$rootfs/proc"
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  local rc=0
  chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get -q -y "$@" || rc=$?
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  umount "$rootfs/proc"
  return $rc
}
apt_clean() { # as Debian's official images do: no package cache, no lists
  local rootfs="$1"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
  mkdir -p "$rootfs/var/lib/apt/lists/partial"
}
build_image() {
  [ -n "$MIRROR" ] || MIRROR="$($PY mirror)"
  log "building the image (once; cached in $LAYOUT) from $MIRROR"
  umount_under "$BUILD_DIR"
  rm -rf --one-file-system "$BUILD_DIR" "$LAYOUT" "$META"
  mkdir -p "$BUILD_DIR"
  local oci="$BUILD_DIR/oci" bundle="$BUILD_DIR/bundle" img="$BUILD_DIR/oci:$LAYOUT_TAG"
  umoci init --layout "$oci"
  umoci new --image "$img"
  umoci unpack --image "$img" "$bundle" >/dev/null
  local rootfs="$bundle/rootfs"

  log "layer 1: debootstrap --variant=minbase bookworm"
  debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$BUILD_DIR/debootstrap.log" 2>&1 ||
    { tail -20 "$BUILD_DIR/debootstrap.log" >&2; return 1; }
  apt_clean "$rootfs"
  : >"$rootfs/etc/resolv.conf"; echo localhost >"$rootfs/etc/hostname"
  umoci repack --refresh-bundle --history.created_by "debootstrap --variant=minbase bookworm $MIRROR" \
    --image "$img" "$bundle"

  log "layer 2: apt-get install python3"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  chroot_apt "$rootfs" update >/dev/null
  chroot_apt "$rootfs" install --no-install-recommends python3 >"$BUILD_DIR/apt-python3.log" 2>&1 ||
    { tail -20 "$BUILD_DIR/apt-python3.log" >&2; return 1; }
  apt_clean "$rootfs"; : >"$rootfs/etc/resolv.conf"
  umoci repack --refresh-bundle --history.created_by "apt-get install python3" --image "$img" "$bundle"

  log "layer 3: apt-get install ${DEV_PKGS[*]}"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  chroot_apt "$rootfs" update >/dev/null
  chroot_apt "$rootfs" install --no-install-recommends "${DEV_PKGS[@]}" >"$BUILD_DIR/apt-dev.log" 2>&1 ||
    { tail -20 "$BUILD_DIR/apt-dev.log" >&2; return 1; }
  apt_clean "$rootfs"; : >"$rootfs/etc/resolv.conf"
  umoci repack --refresh-bundle --history.created_by "apt-get install ${DEV_PKGS[*]}" \
    --image "$img" "$bundle"

  log "layer 4: a small app"
  mkdir -p "$rootfs/app"
  cat >"$rootfs/app/hello.py" <<'PYEOF'
import platform, sys
print(f"hello from python {platform.python_version()} on {sys.platform}")
PYEOF
  umoci repack --refresh-bundle --history.created_by "COPY hello.py /app/" --image "$img" "$bundle"
  umoci config --image "$img" --config.workingdir /app --config.cmd python3 --config.cmd /app/hello.py \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  umoci gc --layout "$oci"

  $PY image-meta "$oci" "$LAYOUT_TAG" >"$BUILD_DIR/meta.json"
  mv "$oci" "$LAYOUT"
  mv "$BUILD_DIR/meta.json" "$META"
  rm -rf --one-file-system "$BUILD_DIR"
}

# ---------------------------------------------------------------------------------------------
# The registry: Debian's docker-registry on a free loopback port, storage in bench/.cache/registry
# so the pushed image survives between runs.
start_registry() {
  REG_PORT="$($PY free-port)"
  REG="127.0.0.1:$REG_PORT"
  mkdir -p "$CACHE/registry"
  cat >"$TMP/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $CACHE/registry
  delete:
    enabled: true
http:
  addr: $REG
EOF
  start_bg "$TMP/registry.log" docker-registry serve "$TMP/registry.yml"
  local i
  for ((i = 0; i < 100; i++)); do
    curl -sf "http://$REG/v2/" >/dev/null 2>&1 && return 0
    kill -0 "$BG_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$TMP/registry.log" >&2
  log "docker-registry did not start"; return 1
}
manifest_in_registry() {
  local want; want="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifest"])' "$META")"
  local got
  got="$(curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG/v2/$IMAGE_NAME/manifests/$IMAGE_TAG" | tr -d '\r' |
    awk 'tolower($1) == "docker-content-digest:" {print $2}')" || return 1
  [ "$got" = "$want" ]
}

# ---------------------------------------------------------------------------------------------
# The timed pulls. Each one starts from nothing: a fresh daemon root (daemon restarted) or a fresh
# OCI layout directory. `sync` first so writeback of the previous run is not billed to this one.
SAMPLES=""
NOTES=""
note() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$NOTES"; }
record() { printf '%s %s %s %s %s\n' "$1" "$2" "$3" "$4" "$5" >>"$SAMPLES"; }
# CPU seconds: this shell's waited-for children (bash's `times`, second line), and a daemon's own
# plus its waited-for children's from /proc (dockerd untars in a re-exec'd child it waits for).
children_cpu() { # sets CHILD_CPU; `times` must run in this shell, not in a $(...) subshell
  times >"$TMP/times.txt"
  CHILD_CPU="$(tail -1 "$TMP/times.txt" |
    awk '{ t = 0; for (i = 1; i <= NF; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.3f", t }')"
}
proc_cpu() {
  [ -r "/proc/$1/stat" ] || { echo 0; return; }
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13 + $14 + $15) / hz }' "/proc/$1/stat"
}
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.3f}")' "$1" "$2"; }
wait_docker_api() { # sock pid seconds
  local sock="$1" pid="$2" secs="$3" i
  for ((i = 0; i < secs * 10; i++)); do
    curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
DAEMON_PID=""   # set while a daemon serves the timed pull, so its CPU time is counted too
timed_pull() { # tool run cmd...: time the command, record the sample (wall and CPU seconds)
  local tool="$1" run="$2" t0 t1 secs status=ok c0 c1 d0=0 d1=0 cpu; shift 2
  sync
  children_cpu; c0=$CHILD_CPU
  [ -n "$DAEMON_PID" ] && d0="$(proc_cpu "$DAEMON_PID")"
  t0=$EPOCHREALTIME
  "$@" >"$TMP/$tool-$run.pull.log" 2>&1 || status=failed
  t1=$EPOCHREALTIME
  [ -n "$DAEMON_PID" ] && d1="$(proc_cpu "$DAEMON_PID")"
  children_cpu; c1=$CHILD_CPU
  secs="$(elapsed "$t0" "$t1")"
  cpu="$(awk -v a="$c0" -v b="$c1" -v c="$d0" -v d="$d1" 'BEGIN { printf "%.3f", (b - a) + (d - c) }')"
  if [ "$status" != ok ]; then log "$tool run $run: pull failed:"; tail -5 "$TMP/$tool-$run.pull.log" >&2; fi
  record "$tool" "$run" "$secs" "$status" "$cpu"
  LAST_STATUS=$status
  printf '  %-8s run %d: %6.2f s  (CPU %6.2f s)  %s\n' "$tool" "$run" "$secs" "$cpu" "$status" >&2
}
check_image_id() { # tool run sock: the daemon must hold the image under its config digest
  local tool="$1" run="$2" sock="$3" want id
  want="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"])' "$META")"
  id="$(DOCKER_HOST="unix://$sock" "$DOCKER_CLI" image inspect --format '{{.Id}}' "$REF" 2>/dev/null || true)"
  if [ "$id" != "$want" ]; then
    log "$tool run $run: image inspect gave '${id:-nothing}', expected $want"
    note "$tool" "warning" "run $run: image inspect gave '${id:-nothing}', expected $want"
  fi
}

run_skopeo() {
  local run="$1" dest="$TMP/skopeo-layout"
  rm -rf "$dest"
  timed_pull skopeo "$run" skopeo copy -q --src-tls-verify=false --src-no-creds \
    "docker://$REF" "oci:$dest:x"
  rm -rf "$dest"
}

# The unpack floor: what a sequential unpacker pays with no network, no digests and no fsync at all:
# GNU tar + gzip extracting the layer blobs, in order, into an empty directory on the same disk.
unpack_layers() { # dest blob...
  local dest="$1" b; shift
  for b in "$@"; do tar --numeric-owner -xzf "$b" -C "$dest" || return 1; done
}
unpack_layers_parallel() { # dest blob...: layer i into dest/i, all at once
  local dest="$1" b i=0 rc=0 pids=() p; shift
  for b in "$@"; do
    mkdir -p "$dest/$i"
    tar --numeric-owner -xzf "$b" -C "$dest/$i" & pids+=($!)
    i=$((i + 1))
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}
layer_blobs() {
  python3 -c 'import json,sys; print("\n".join(sys.argv[2] + "/blobs/" + l["digest"].replace(":", "/") for l in json.load(open(sys.argv[1]))["layers"]))' "$META" "$LAYOUT"
}
run_tar() { # tool run
  local tool="$1" run="$2" dest="$TMP/tar-root" blobs fn=unpack_layers
  [ "$tool" = tar-par ] && fn=unpack_layers_parallel
  mapfile -t blobs < <(layer_blobs)
  rm -rf --one-file-system "$dest"; mkdir -p "$dest"
  timed_pull "$tool" "$run" "$fn" "$dest" "${blobs[@]}"
  rm -rf --one-file-system "$dest"
}

DOCKERD_OK=1
run_dockerd() {
  local run="$1" d="$TMP/dockerd" pg
  mkdir -p "$d"
  echo '{}' >"$d/daemon.json"
  start_bg "$TMP/dockerd-$run.log" dockerd --config-file "$d/daemon.json" --data-root "$d/data" \
    --exec-root "$d/exec" --pidfile "$d/docker.pid" -H "unix://$d/docker.sock" \
    --insecure-registry "$REG" --iptables=false --ip-masq=false --bridge=none --log-level warn
  pg=$BG_PID
  if ! wait_docker_api "$d/docker.sock" "$pg" 60; then
    log "dockerd: not available (did not start; log follows)"; tail -10 "$TMP/dockerd-$run.log" >&2
    note dockerd unavailable "dockerd did not start"
    DOCKERD_OK=0
  else
    if [ "$run" = 1 ]; then
      note dockerd version "$(DOCKER_HOST="unix://$d/docker.sock" "$DOCKER_CLI" version --format '{{.Server.Version}}')"
      note dockerd storage_driver "$(DOCKER_HOST="unix://$d/docker.sock" "$DOCKER_CLI" info --format '{{.Driver}}')"
    fi
    DAEMON_PID=$pg
    timed_pull dockerd "$run" env DOCKER_HOST="unix://$d/docker.sock" "$DOCKER_CLI" pull "$REF"
    if [ "$LAST_STATUS" = ok ]; then check_image_id dockerd "$run" "$d/docker.sock"; fi
  fi
  DAEMON_PID=""
  stop_group "$pg" 30; forget_pg "$pg"
  umount_under "$d"
  rm -rf --one-file-system "$d"
}

BERTHD_OK=1
BERTHD_WAIT=$BERTH_START_TIMEOUT
run_berthd() {
  local run="$1" d="$TMP/berthd" pg
  mkdir -p "$d"
  if [ ! -x "$BERTH_HOME/berth" ]; then
    log "berthd: not available (no launcher at $BERTH_HOME/berth)"
    note berthd unavailable "no launcher at $BERTH_HOME/berth"; BERTHD_OK=0; return 0
  fi
  start_bg "$TMP/berthd-$run.log" "$BERTH_HOME/berth" daemon --root "$d/root" --host "unix://$d/berth.sock"
  pg=$BG_PID
  if ! wait_docker_api "$d/berth.sock" "$pg" "$BERTHD_WAIT"; then
    local why; why="$(sed "s/\x1b\[[0-9;]*m//g" "$TMP/berthd-$run.log" | grep -v "^\s*$" | tail -1 | cut -c1-200)"
    log "berthd: not available (daemon did not start: ${why:-no output}); full log: see below"
    tail -15 "$TMP/berthd-$run.log" >&2
    note berthd unavailable "daemon did not start: ${why:-no output}"
    BERTHD_OK=0
  else
    BERTHD_WAIT=120   # built now; later starts are JVM start-ups only
    if [ "$run" = 1 ]; then
      note berthd version "$(DOCKER_HOST="unix://$d/berth.sock" "$DOCKER_CLI" version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)"
      note berthd revision "$(git -C "$BERTH_HOME" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    fi
    DAEMON_PID=$pg
    timed_pull berthd "$run" env DOCKER_HOST="unix://$d/berth.sock" "$DOCKER_CLI" pull "$REF"
    if [ "$LAST_STATUS" = ok ]; then check_image_id berthd "$run" "$d/berth.sock"; fi
  fi
  DAEMON_PID=""
  stop_group "$pg" 30; forget_pg "$pg"
  umount_under "$d"
  rm -rf --one-file-system "$d"
}

# ---------------------------------------------------------------------------------------------
ensure_packages
[ -n "$DOCKER_CLI" ] || { log "no docker CLI on PATH"; exit 1; }
mkdir -p "$CACHE" "$OUTDIR"
TMP="$(mktemp -d /tmp/bpull.XXXXXX)"
export DOCKER_CONFIG="$TMP/docker-config"   # no host credentials or plugins in the way
mkdir -p "$DOCKER_CONFIG"
SAMPLES="$TMP/samples.txt"; NOTES="$TMP/notes.tsv"; : >"$SAMPLES"; : >"$NOTES"

if [ $REBUILD -eq 1 ] || [ ! -f "$META" ] || [ ! -f "$LAYOUT/index.json" ]; then
  build_image
  rm -rf --one-file-system "$CACHE/registry"
fi
start_registry
REF="$REG/$IMAGE_NAME:$IMAGE_TAG"
if ! manifest_in_registry; then
  log "pushing the image to the cached registry"
  skopeo copy -q --dest-tls-verify=false --dest-no-creds "oci:$LAYOUT:$LAYOUT_TAG" "docker://$REF"
  manifest_in_registry || { log "pushed, but the registry does not serve the expected manifest"; exit 1; }
fi
note skopeo version "$(skopeo --version | awk '{print $3}')"
note tar version "$(tar --version | head -1)"
note tar-par version "$(tar --version | head -1)"
note registry version "$(docker-registry --version 2>/dev/null | awk '{print $3}')"

# Untimed warm-up: the registry's blobs end up in the page cache, so the first timed tool does not
# pay for disk reads the later ones skip.
log "warm-up copy (untimed)"
skopeo copy -q --src-tls-verify=false --src-no-creds "docker://$REF" "oci:$TMP/warm:x" >/dev/null
rm -rf "$TMP/warm"

log "timing $RUNS cold pull(s) of $REF per tool ($TOOLS), interleaved"
for ((run = 1; run <= RUNS; run++)); do
  if has_tool berthd && [ $BERTHD_OK -eq 1 ]; then run_berthd "$run"; fi
  if has_tool dockerd && [ $DOCKERD_OK -eq 1 ]; then run_dockerd "$run"; fi
  if has_tool skopeo; then run_skopeo "$run"; fi
  if has_tool tar; then run_tar tar "$run"; fi
  if has_tool tar-par; then run_tar tar-par "$run"; fi
done

DATE="$(date +%Y%m%d-%H%M%S)"
$PY report --samples "$SAMPLES" --notes "$NOTES" --image-meta "$META" --ref "$REF" --date "$DATE" \
  --tools "$TOOLS" --runs "$RUNS" --out "$OUTDIR/pull-$DATE.json"
