#!/usr/bin/env bash
# bench/run/run.sh: container start-up with the image present and --network none: `docker run --rm IMG
# true` against berthd and against dockerd (Debian's docker.io, started here on private roots),
# `berth run --rm`, podman, and raw `runc run` of a prepared bundle (the floor); `docker exec` latency
# on a running container; a burst of N runs at parallelism P; daemon idle memory and the memory each
# running container adds. Prints medians and ratios, writes bench/out/run-<date>.json.
# See bench/run/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
BENCH="$(dirname "$HERE")"
BERTH_HOME="${BERTH_HOME:-$(dirname "$BENCH")}"
CACHE="$BENCH/.cache"
OUTDIR="$BENCH/out"
PY="python3 $HERE/runbench.py"

RUNS=5
BURST=40
PAR=8
CTRS=10
SETTLE=${SETTLE:-1}   # seconds of quiet before each timed command
WARMUP=${WARMUP:-10}  # runs per daemon before the rounds (the first of them timed apart)
BERTH_START_TIMEOUT=${BERTH_START_TIMEOUT:-900}   # first start may build the distribution
IMAGE_NAME=bench/busybox
IMAGE_TAG=1
LAYOUT="$CACHE/busybox-oci"
LAYOUT_TAG=busybox

usage() {
  cat <<EOF
usage: $0 [--runs N] [--burst N] [--par P] [--ctrs N] [--berth-home DIR]
  --runs N         rounds of the timed runs/execs/bursts, tools interleaved (default $RUNS)
  --burst N        container runs per burst (default $BURST)
  --par P          parallelism of a burst (default $PAR)
  --ctrs N         running containers for the per-container memory figure (default $CTRS)
  --berth-home DIR Berth checkout whose ./berth runs berthd (default: this repository, $BERTH_HOME)
EOF
}
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --burst) BURST="$2"; shift 2 ;;
    --par) PAR="$2"; shift 2 ;;
    --ctrs) CTRS="$2"; shift 2 ;;
    --berth-home) BERTH_HOME="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-bench: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in "$RUNS" "$BURST" "$PAR" "$CTRS"; do
  case "$v" in ''|*[!0-9]*|0) echo "run-bench: counts must be positive integers" >&2; exit 2 ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "run-bench: must run as root (daemons, runc, mounts)" >&2; exit 1; }

log() { printf 'run-bench: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Cleanup: containers first (through their engines, while those still run), then every process
# group we started, then mounts under our roots (deepest first), then the cgroups the runs left
# behind (only directories that did not exist when we started, and only empty ones: rmdir).
TMP=""
PGIDS=()
CLEANUPS=()   # commands run first at exit (remove containers while the daemons are up)
RUN_DOCKER_EXISTED=1; [ -e /run/docker ] || RUN_DOCKER_EXISTED=0
RUN_CONTAINERS_EXISTED=1; [ -e /run/containers ] || RUN_CONTAINERS_EXISTED=0   # podman makes /run/containers/networks
CG_BEFORE="$(mktemp /tmp/brun-cg.XXXXXX)"
find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d 2>/dev/null | sort >"$CG_BEFORE" || true
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
kill_marked() { # stray conmon / shim / container processes whose command line names our roots
  local p
  for p in $(grep -l -s -F "$TMP/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
    [ "$p" = $$ ] || kill -KILL "$p" 2>/dev/null || true
  done
}
# Only the cgroup trees that no one but this run's engines create: dockerd's docker/, podman's
# libpod_parent/ and the runc floors' brun-runc and brun-runc-burst. berthd's berth/<id> cgroups are
# shared with any other berthd on the host (tests), so they are left to berthd, which removes them
# with the container.
new_cgroups() {
  find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d 2>/dev/null | sort | comm -13 "$CG_BEFORE" - |
    grep -E '^/sys/fs/cgroup/[^/]+/(docker|libpod_parent|brun-runc[^/]*)(/|$)' || true
}
cleanup() {
  local rc=$? pg c d
  set +e
  for c in "${CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1; done
  for pg in "${PGIDS[@]}"; do stop_group "$pg" 20; done
  if [ -n "$TMP" ]; then
    kill_marked
    umount_under "$TMP"
  fi
  # depth-first: the runs' own cgroups, then the parents the engines made for them (docker/, libpod_parent/, …)
  new_cgroups | sort -r | while read -r d; do
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  if [ -n "$TMP" ]; then rm -rf --one-file-system "$TMP"; fi
  if [ -n "$(new_cgroups)" ]; then log "cgroups left behind (busy?):"; new_cgroups | head >&2; fi
  rm -f "$CG_BEFORE"
  if [ "$RUN_DOCKER_EXISTED" = 0 ]; then rmdir /run/docker/plugins /run/docker 2>/dev/null; fi
  if [ "$RUN_CONTAINERS_EXISTED" = 0 ]; then rmdir /run/containers/networks /run/containers 2>/dev/null; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_bg() { # LOGFILE CMD...: run CMD in its own session (so its children can be stopped with it)
  local logf="$1"; shift
  setsid "$@" >"$logf" 2>&1 &
  BG_PID=$!
  PGIDS+=("$BG_PID")
}

ensure_packages() {
  local p missing=()
  for p in docker.io docker-registry skopeo umoci busybox-static podman runc conmon curl python3 util-linux; do
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
  if [ -d /run/systemd/system ]; then
    systemctl disable --now docker.service docker.socket docker-registry.service >/dev/null 2>&1 || true
  fi
}
DOCKER_CLI="$(command -v docker || true)"

# ---------------------------------------------------------------------------------------------
# The image: one layer holding busybox-static and the applets the runs use, built once with umoci
# into an OCI layout under bench/.cache, pushed to a private registry each engine pulls from.
build_image() {
  log "building the busybox image (once; cached in $LAYOUT)"
  local b="$TMP/build" img="$TMP/build/oci:$LAYOUT_TAG" a
  rm -rf "$LAYOUT"; mkdir -p "$b"
  umoci init --layout "$b/oci"
  umoci new --image "$img"
  umoci unpack --image "$img" "$b/bundle" >/dev/null
  mkdir -p "$b/bundle/rootfs/bin" "$b/bundle/rootfs/tmp" "$b/bundle/rootfs/etc"
  cp /bin/busybox "$b/bundle/rootfs/bin/busybox"
  for a in sh true sleep cat ls echo; do ln -s busybox "$b/bundle/rootfs/bin/$a"; done
  umoci repack --refresh-bundle --history.created_by "busybox-static $(dpkg-query -W -f='${Version}' busybox-static)" \
    --image "$img" "$b/bundle"
  umoci config --image "$img" --config.cmd sh --config.env PATH=/bin
  umoci gc --layout "$b/oci"
  mv "$b/oci" "$LAYOUT"
  rm -rf --one-file-system "$b"
}
start_registry() {
  REG_PORT="$($PY free-port)"
  REG="127.0.0.1:$REG_PORT"
  mkdir -p "$TMP/registry"
  cat >"$TMP/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $TMP/registry
http:
  addr: $REG
EOF
  start_bg "$TMP/registry.log" docker-registry serve "$TMP/registry.yml"
  local i
  for ((i = 0; i < 100; i++)); do
    curl -sf "http://$REG/v2/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$TMP/registry.log" >&2; log "docker-registry did not start"; return 1
}
wait_docker_api() { # sock pid seconds
  local sock="$1" pid="$2" secs="$3" i
  for ((i = 0; i < secs * 10; i++)); do
    curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
SAMPLES=""; NOTES=""; MEM=""
note() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$NOTES"; }
record() { printf '%s %s %s %s %s\n' "$1" "$2" "$3" "$4" "$5" >>"$SAMPLES"; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.4f}")' "$1" "$2"; }
timed() { # metric tool round cmd...: time the command, record the sample
  local metric="$1" tool="$2" round="$3" t0 t1 secs status=ok; shift 3
  # Settle first: work an engine defers past its reply (berthd's background runc delete and namespace
  # refill, containerd's shim clean-up) must not run inside the next tool's timing.
  sleep "$SETTLE"
  t0=$EPOCHREALTIME
  "$@" >"$TMP/$metric-$tool-$round.log" 2>&1 || status=failed
  t1=$EPOCHREALTIME
  secs="$(elapsed "$t0" "$t1")"
  if [ "$status" != ok ]; then log "$metric $tool round $round failed:"; tail -5 "$TMP/$metric-$tool-$round.log" >&2; fi
  record "$metric" "$tool" "$round" "$secs" "$status"
  printf '  %-5s %-9s round %d: %8.1f ms  %s\n' "$metric" "$tool" "$round" "$(awk -v s="$secs" 'BEGIN{print s*1000}')" "$status" >&2
}
mem_of() { # key session marker...: one memory sample into $MEM
  local key="$1" sid="$2" args=(); shift 2
  local mk; for mk in "$@"; do args+=(--marker "$mk"); done
  $PY mem --session "$sid" "${args[@]}" --exclude-comm sleep --exclude-comm true |
    python3 -c 'import json,sys; d=json.load(sys.stdin); d["key"]=sys.argv[1]; print(json.dumps(d))' "$key" >>"$MEM"
  log "memory $key: $(tail -1 "$MEM")"
}

ensure_packages
[ -n "$DOCKER_CLI" ] || { log "no docker CLI on PATH"; exit 1; }
[ -x "$BERTH_HOME/berth" ] || { log "no launcher at $BERTH_HOME/berth"; exit 1; }
mkdir -p "$CACHE" "$OUTDIR"
TMP="$(mktemp -d /tmp/brun.XXXXXX)"
export DOCKER_CONFIG="$TMP/docker-config"; mkdir -p "$DOCKER_CONFIG"; echo "{}" >"$DOCKER_CONFIG/config.json"
SAMPLES="$TMP/samples.txt"; NOTES="$TMP/notes.tsv"; MEM="$TMP/mem.jsonl"; : >"$SAMPLES"; : >"$NOTES"; : >"$MEM"

[ -f "$LAYOUT/index.json" ] || build_image
start_registry
REF="$REG/$IMAGE_NAME:$IMAGE_TAG"
skopeo copy -q --dest-tls-verify=false --dest-no-creds "oci:$LAYOUT:$LAYOUT_TAG" "docker://$REF"

# berthd
BD="$TMP/berthd"; mkdir -p "$BD"
BSOCK="$BD/berth.sock"
log "starting berthd ($BERTH_HOME)"
start_bg "$TMP/berthd.log" "$BERTH_HOME/berth" daemon --root "$BD/root" --host "unix://$BSOCK"
BPG=$BG_PID
wait_docker_api "$BSOCK" "$BPG" "$BERTH_START_TIMEOUT" || { tail -20 "$TMP/berthd.log" >&2; log "berthd did not start"; exit 1; }
note berthd revision "$(git -C "$BERTH_HOME" rev-parse --short HEAD 2>/dev/null || echo unknown)"
bd() { DOCKER_HOST="unix://$BSOCK" "$DOCKER_CLI" "$@"; }
CLEANUPS+=("DOCKER_HOST=unix://$BSOCK $DOCKER_CLI rm -f \$(DOCKER_HOST=unix://$BSOCK $DOCKER_CLI ps -aq)")

# dockerd
DD="$TMP/dockerd"; mkdir -p "$DD"; echo '{}' >"$DD/daemon.json"
DSOCK="$DD/docker.sock"
log "starting dockerd"
start_bg "$TMP/dockerd.log" dockerd --config-file "$DD/daemon.json" --data-root "$DD/data" \
  --exec-root "$DD/exec" --pidfile "$DD/docker.pid" -H "unix://$DSOCK" \
  --insecure-registry "$REG" --iptables=false --ip-masq=false --bridge=none --log-level warn
DPG=$BG_PID
wait_docker_api "$DSOCK" "$DPG" 60 || { tail -20 "$TMP/dockerd.log" >&2; log "dockerd did not start"; exit 1; }
dd_() { DOCKER_HOST="unix://$DSOCK" "$DOCKER_CLI" "$@"; }
note dockerd version "$(dd_ version --format '{{.Server.Version}}')"
note dockerd storage_driver "$(dd_ info --format '{{.Driver}}')"
CLEANUPS+=("DOCKER_HOST=unix://$DSOCK $DOCKER_CLI rm -f \$(DOCKER_HOST=unix://$DSOCK $DOCKER_CLI ps -aq)")

# podman: no daemon; everything (storage, run state, tmp, events) under $TMP
PD="$TMP/podman"; mkdir -p "$PD"
pm() {
  podman --root "$PD/root" --runroot "$PD/run" --tmpdir "$PD/tmp" --cgroup-manager cgroupfs \
    --events-backend file --runtime runc "$@"
}
# podman asks runc for its default rlimits (nofile 1M, nproc 4M), above this host's hard limits
# (nofile 20000 here) and without CAP_SYS_RESOURCE runc gets EPERM: cap nofile at the host's hard
# limit. nproc: on Berth's machines even the host's hard limit (96365) gave EPERM, 32768 works.
NPROC=$(ulimit -Hu); [ "$NPROC" = unlimited ] || [ "$NPROC" -gt 32768 ] && NPROC=32768
PM_LIMITS=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=$NPROC:$NPROC")
note podman version "$(podman --version | awk '{print $3}')"
CLEANUPS+=("podman --root $PD/root --runroot $PD/run --tmpdir $PD/tmp --cgroup-manager cgroupfs --events-backend file --runtime runc rm -af -t 0")

# the runc bundle: the same image unpacked once; each run gets its own container id
RD="$TMP/runc"; mkdir -p "$RD/state"
umoci unpack --image "$LAYOUT:$LAYOUT_TAG" "$RD/bundle" >/dev/null
$PY bundle-config "$RD/bundle" --cgroup "/brun-runc" true
$PY burst-bundles "$RD/bundle" --out "$RD/burst" --count "$BURST" --cgroup "/brun-runc-burst"
note runc version "$(runc --version | head -1 | awk '{print $3}')"

# the null API: answers every request at once, so a docker command against it costs only the docker
# CLI itself; with raw runc these are the floors no engine can go below (see nullapi.py)
NSOCK="$TMP/null.sock"
start_bg "$TMP/nullapi.log" python3 -I "$HERE/nullapi.py" --socket "$NSOCK"
for ((i = 0; i < 50; i++)); do [ -S "$NSOCK" ] && break; sleep 0.1; done
nd() { DOCKER_HOST="unix://$NSOCK" "$DOCKER_CLI" "$@"; }

log "pulling $REF into berthd, dockerd and podman (untimed)"
bd pull -q "$REF" >/dev/null
dd_ pull -q "$REF" >/dev/null
pm pull -q --tls-verify=false "docker://$REF" >/dev/null
# Warm-up, alike for every tool (page cache, first-use paths, berthd's JIT): the daemons' first run is
# timed on its own ("first" rows: berthd's JVM has compiled nothing yet), then WARMUP-1 untimed runs,
# so that the rounds measure the steady state of a long-lived daemon, which is what a daemon is for.
timed first berthd 0 bd run --rm --network none "$REF" true
timed first dockerd 0 dd_ run --rm --network none "$REF" true
for ((i = 1; i < WARMUP; i++)); do bd run --rm --network none "$REF" true; dd_ run --rm --network none "$REF" true; done
"$BERTH_HOME/berth" -H "unix://$BSOCK" run --rm --network none "$REF" true
pm run --rm --network none "${PM_LIMITS[@]}" "$REF" true
runc --root "$RD/state" run --bundle "$RD/bundle" brun-warm >/dev/null
nd run --rm --network none "$REF" true; nd exec brun-null true

sleep 2
mem_of berthd-idle "$BPG" "$BD/"
mem_of dockerd-idle "$DPG" "$DD/"

# ---------------------------------------------------------------------------------------------
log "timing: $RUNS round(s) of run (berthd, dockerd, berth CLI, podman, runc), interleaved"
for ((r = 1; r <= RUNS; r++)); do
  timed run berthd "$r" bd run --rm --network none "$REF" true
  timed run dockerd "$r" dd_ run --rm --network none "$REF" true
  timed run berth-cli "$r" "$BERTH_HOME/berth" -H "unix://$BSOCK" run --rm --network none "$REF" true
  timed run podman "$r" pm run --rm --network none "${PM_LIMITS[@]}" "$REF" true
  timed run runc "$r" runc --root "$RD/state" run --bundle "$RD/bundle" "brun-$r"
  timed run null-cli "$r" nd run --rm --network none "$REF" true
done

log "timing: $RUNS round(s) of exec into a running sleep container"
bd run -d --network none --name brun-exec "$REF" sleep 3600 >/dev/null
dd_ run -d --network none --name brun-exec "$REF" sleep 3600 >/dev/null
bd exec brun-exec true; dd_ exec brun-exec true   # warm-up
for ((r = 1; r <= RUNS; r++)); do
  timed exec berthd "$r" bd exec brun-exec true
  timed exec dockerd "$r" dd_ exec brun-exec true
  timed exec null-cli "$r" nd exec brun-exec true
done
bd rm -f brun-exec >/dev/null; dd_ rm -f brun-exec >/dev/null

burst() { # docker-host: BURST runs of `run --rm … true`, PAR at a time; fails if any run failed
  seq "$BURST" | DOCKER_HOST="$1" xargs -P "$PAR" -I{} "$DOCKER_CLI" run --rm --network none "$REF" true
}
runc_burst() { # round: BURST raw runc runs of `true`, PAR at a time, each its own bundle config and cgroup
  seq "$BURST" | xargs -P "$PAR" -I{} runc --root "$RD/state" run --bundle "$RD/burst/{}" "brun-b$1-{}"
}
log "timing: $RUNS round(s) of a burst of $BURST runs at parallelism $PAR"
for ((r = 1; r <= RUNS; r++)); do
  timed burst berthd "$r" burst "unix://$BSOCK"
  timed burst dockerd "$r" burst "unix://$DSOCK"
  timed burst null-cli "$r" burst "unix://$NSOCK"
  timed burst runc "$r" runc_burst "$r"
done

log "memory: $CTRS running sleep containers per daemon"
for d in berthd dockerd; do
  if [ $d = berthd ]; then h="unix://$BSOCK" pg=$BPG root="$BD/"; else h="unix://$DSOCK" pg=$DPG root="$DD/"; fi
  sleep 2
  mem_of "$d-before" "$pg" "$root"
  for ((i = 1; i <= CTRS; i++)); do
    DOCKER_HOST="$h" "$DOCKER_CLI" run -d --network none --name "brun-mem-$i" "$REF" sleep 3600 >/dev/null
  done
  sleep 2
  mem_of "$d-loaded" "$pg" "$root"
  for ((i = 1; i <= CTRS; i++)); do DOCKER_HOST="$h" "$DOCKER_CLI" rm -f "brun-mem-$i" >/dev/null; done
done

DATE="$(date +%Y%m%d-%H%M%S)"
$PY report --samples "$SAMPLES" --notes "$NOTES" --mem "$MEM" --ref "$REF" --date "$DATE" \
  --runs "$RUNS" --burst "$BURST" --par "$PAR" --ctrs "$CTRS" --out "$OUTDIR/run-$DATE.json"
