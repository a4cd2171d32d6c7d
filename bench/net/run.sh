#!/usr/bin/env bash
# bench/net/run.sh: container start with default (bridge) networking, berthd vs dockerd:
#   run  : `docker run --rm IMG true` with the daemon's default network
#   port : from invoking `docker run -d -p 127.0.0.1::8080 IMG httpd …` to the first HTTP answer on
#          the published port (polled from the host)
# Prints medians and berthd/dockerd ratios (goal ≤ 0.3×), writes bench/out/net-<date>.json.
# dockerd runs on private roots with its own bridge (--bip, a subnet of its own) and iptables on;
# the host's iptables rules are saved first and restored on exit, and the bridges removed.
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
BENCH="$(dirname "$HERE")"
BERTH_HOME="${BERTH_HOME:-$(dirname "$BENCH")}"
CACHE="$BENCH/.cache"
OUTDIR="$BENCH/out"
PY="python3 -I $HERE/netbench.py"
RUNS=5
SETTLE=${SETTLE:-1}   # seconds of quiet before each timed command
WARMUP=${WARMUP:-10}  # untimed runs per daemon before the rounds (the first of them is timed apart)
DOCKER_BIP="${DOCKER_BIP:-172.28.0.1/16}"
LAYOUT="$CACHE/busybox-net-oci"

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --berth-home) BERTH_HOME="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) echo "usage: $0 [--runs N] [--berth-home DIR]"; exit 0 ;;
    *) echo "net-bench: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "net-bench: must run as root" >&2; exit 1; }
log() { printf 'net-bench: %s\n' "$*" >&2; }

TMP="$(mktemp -d /tmp/bnet.XXXXXX)"
PGIDS=(); CLEANUPS=()
iptables-save >"$TMP/iptables.before"
ip6tables-save >"$TMP/ip6tables.before" 2>/dev/null || true
LINKS_BEFORE="$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort)"
# Only dockerd's own additions are undone (rules naming its chains, docker0 or its subnet, then its
# chains): a whole-table restore would also wipe rules other programs (berthd) made meanwhile.
undo_docker_rules() { # iptables|ip6tables BEFORE-FILE
  local ipt="$1" before="$2" table line chain sub="${DOCKER_BIP%.*}"
  for table in filter nat; do
    "$ipt-save" -t "$table" 2>/dev/null | grep '^-A ' | grep -vxF -f <(grep '^-A ' "$before") |
      grep -E "DOCKER|docker0|${sub//./\\.}" | while read -r line; do
        eval "$ipt -t $table -D ${line#-A }" 2>/dev/null || true
      done
    for chain in $("$ipt-save" -t "$table" 2>/dev/null | sed -n 's/^:\(DOCKER[^ ]*\) .*/\1/p'); do
      "$ipt" -t "$table" -F "$chain" 2>/dev/null; "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}
cleanup() {
  local rc=$? c pg l
  set +e
  for c in "${CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1; done
  for pg in "${PGIDS[@]}"; do
    kill -TERM -- "-$pg" 2>/dev/null; for _ in $(seq 100); do kill -0 "$pg" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pg" 2>/dev/null; wait "$pg" 2>/dev/null
  done
  for p in $(grep -l -s -F "$TMP/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do [ "$p" = $$ ] || kill -KILL "$p" 2>/dev/null; done
  findmnt -rn -o TARGET | awk -v p="$TMP" 'index($0, p "/") == 1' | sort -r | while read -r m; do umount -l "$m"; done
  # bridges and veths the daemons made and left behind
  for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | comm -13 <(echo "$LINKS_BEFORE") -); do ip link del "$l" 2>/dev/null; done
  undo_docker_rules iptables "$TMP/iptables.before"
  # dockerd sets the FORWARD policy to DROP when it turns on forwarding: put back what it was
  iptables -P FORWARD "$(sed -n 's/^:FORWARD \([A-Z]*\) .*/\1/p' "$TMP/iptables.before" | head -1)" 2>/dev/null
  [ -s "$TMP/ip6tables.before" ] && undo_docker_rules ip6tables "$TMP/ip6tables.before"
  rm -rf --one-file-system "$TMP"
  exit $rc
}
trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
start_bg() { local f="$1"; shift; setsid "$@" >"$f" 2>&1 & BG_PID=$!; PGIDS+=("$BG_PID"); }
wait_api() { local s="$1" pid="$2" secs="$3" i
  for ((i = 0; i < secs * 10; i++)); do
    curl -sf --unix-socket "$s" http://localhost/_ping >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1; sleep 0.1
  done; return 1; }

# image: busybox-static with httpd and a page, so the port check gets a real HTTP answer
if [ ! -f "$LAYOUT/index.json" ]; then
  log "building the busybox httpd image (cached in $LAYOUT)"
  b="$TMP/build"; mkdir -p "$b"; img="$b/oci:busybox"
  umoci init --layout "$b/oci"; umoci new --image "$img"; umoci unpack --image "$img" "$b/bundle" >/dev/null
  mkdir -p "$b/bundle/rootfs/bin" "$b/bundle/rootfs/www" "$b/bundle/rootfs/tmp"
  cp /bin/busybox "$b/bundle/rootfs/bin/busybox"
  for a in sh true sleep httpd; do ln -s busybox "$b/bundle/rootfs/bin/$a"; done
  echo ok >"$b/bundle/rootfs/www/index.html"
  umoci repack --refresh-bundle --image "$img" "$b/bundle"
  umoci config --image "$img" --config.cmd sh --config.env PATH=/bin
  umoci gc --layout "$b/oci"; mkdir -p "$CACHE"; rm -rf "$LAYOUT"; mv "$b/oci" "$LAYOUT"
fi
REG="127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$TMP/registry"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' "$TMP/registry" "$REG" >"$TMP/registry.yml"
start_bg "$TMP/registry.log" docker-registry serve "$TMP/registry.yml"
for _ in $(seq 100); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done
REF="$REG/bench/httpd:1"
skopeo copy -q --dest-tls-verify=false --dest-no-creds "oci:$LAYOUT:busybox" "docker://$REF"

BD="$TMP/berthd"; BSOCK="$BD/berth.sock"; mkdir -p "$BD"
log "starting berthd ($BERTH_HOME)"
start_bg "$TMP/berthd.log" "$BERTH_HOME/berth" daemon --root "$BD/root" --host "unix://$BSOCK"
BPG=$BG_PID
wait_api "$BSOCK" "$BPG" 900 || { tail -20 "$TMP/berthd.log" >&2; log "berthd did not start"; exit 1; }
DD="$TMP/dockerd"; DSOCK="$DD/docker.sock"; mkdir -p "$DD"; echo '{}' >"$DD/daemon.json"
log "starting dockerd (bridge $DOCKER_BIP, iptables on)"
start_bg "$TMP/dockerd.log" dockerd --config-file "$DD/daemon.json" --data-root "$DD/data" --exec-root "$DD/exec" \
  --pidfile "$DD/docker.pid" -H "unix://$DSOCK" --insecure-registry "$REG" --bip "$DOCKER_BIP" --log-level warn
DPG=$BG_PID
wait_api "$DSOCK" "$DPG" 60 || { tail -20 "$TMP/dockerd.log" >&2; log "dockerd did not start"; exit 1; }
NOTES="$TMP/notes.tsv"; SAMPLES="$TMP/samples.txt"; : >"$NOTES"; : >"$SAMPLES"
for h in "unix://$BSOCK" "unix://$DSOCK"; do
  CLEANUPS+=("DOCKER_HOST=$h docker rm -f \$(DOCKER_HOST=$h docker ps -aq)")
  DOCKER_HOST="$h" docker pull -q "$REF" >/dev/null
done
# Warm-up, alike for both daemons: the first run is timed on its own ("first" row: berthd's JVM has
# compiled nothing yet), then WARMUP-1 untimed runs, so that the rounds measure the steady state of a
# long-lived daemon, which is what a daemon is for.
for t in berthd dockerd; do
  if [ $t = berthd ]; then h="unix://$BSOCK"; else h="unix://$DSOCK"; fi
  t0=$EPOCHREALTIME
  DOCKER_HOST="$h" docker run --rm "$REF" true
  t1=$EPOCHREALTIME
  echo "first $t 0 $(python3 -c "print(f'{$t1 - $t0:.4f}')") ok" >>"$SAMPLES"
  for ((i = 1; i < WARMUP; i++)); do DOCKER_HOST="$h" docker run --rm "$REF" true; done
done
printf 'berthd\t%s\n' "$(git -C "$BERTH_HOME" rev-parse --short HEAD 2>/dev/null || echo unknown)" >>"$NOTES"
printf 'dockerd\t%s\n' "$(DOCKER_HOST=unix://$DSOCK docker version --format '{{.Server.Version}}')" >>"$NOTES"

run_once() { # tool host round
  local t0 t1 st=ok
  sleep "$SETTLE"   # the other engine's deferred work (namespace refill/teardown, shim clean-up) is not timed here
  t0=$EPOCHREALTIME
  DOCKER_HOST="$2" docker run --rm "$REF" true >/dev/null 2>&1 || st=failed
  t1=$EPOCHREALTIME
  echo "run $1 $3 $(python3 -c "print(f'{$t1 - $t0:.4f}')") $st" >>"$SAMPLES"
}
port_once() { # tool host round
  local port st=ok secs t0
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # the poller runs before the clock starts (its interpreter start-up is not the daemon's time)
  rm -f "$TMP/ready"
  $PY first-answer --port "$port" --ready "$TMP/ready" --timeout 30 >"$TMP/answer" & local poller=$!
  while [ ! -e "$TMP/ready" ]; do sleep 0.01; done
  sleep "$SETTLE"
  t0=$EPOCHREALTIME
  DOCKER_HOST="$2" docker run -d --name "bnet-$1-$3" -p "127.0.0.1:$port:8080" "$REF" httpd -f -p 8080 -h /www >/dev/null || st=failed
  wait "$poller" || st=failed
  secs="$(awk -v a="$(cat "$TMP/answer")" -v b="$t0" 'BEGIN { printf "%.4f", a - b }')"
  echo "port $1 $3 ${secs:-0} $st" >>"$SAMPLES"
  DOCKER_HOST="$2" docker rm -f "bnet-$1-$3" >/dev/null 2>&1 || true
}
for ((r = 1; r <= RUNS; r++)); do
  run_once berthd "unix://$BSOCK" "$r"; run_once dockerd "unix://$DSOCK" "$r"
  port_once berthd "unix://$BSOCK" "$r"; port_once dockerd "unix://$DSOCK" "$r"
  log "round $r done"
done
mkdir -p "$OUTDIR"; DATE="$(date +%Y%m%d-%H%M%S)"
$PY report --samples "$SAMPLES" --notes "$NOTES" --ref "$REF" --date "$DATE" --runs "$RUNS" --out "$OUTDIR/net-$DATE.json"
