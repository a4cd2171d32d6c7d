#!/usr/bin/env bash
# Measures CLI start-up: a bare JVM running a Hello class, `berth version --client` without and with
# the AOT cache (through the ./berth launcher, and as the bare java command the launcher execs),
# `berth version` against a running berthd if one answers, and `docker version --format
# '{{.Client.Version}}'`. Uses hyperfine when installed (apt-get install hyperfine), else a loop.
# Prints mean times and ratios to the bare JVM. Usage: bench/cli-start/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUNS=${1:-30}
. scripts/env.sh
berth_pick_jdk >/dev/null
JAVA="$JAVA_HOME/bin/java"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

./berth version --client >/dev/null   # builds if needed and trains the AOT cache
CP=$(sed "s|^|$ROOT/build/dist/lib/|" build/dist/cli.jars | paste -sd:)
AOT=$(ls build/aot/cli-*.aot | head -1)
FLAGS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"

mkdir -p "$WORK/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$WORK/hello/Hello.java"
"$JAVA_HOME/bin/javac" -d "$WORK/hello" "$WORK/hello/Hello.java"

names=(); cmds=()
add() { names+=("$1"); cmds+=("$2"); }
add "bare JVM (Hello)"                 "$JAVA $FLAGS -cp $WORK/hello Hello"
add "berth version --client, no AOT"   "env BERTH_AOT=0 $ROOT/berth version --client"
add "berth version --client, AOT"      "$ROOT/berth version --client"
add "  same, java command only (AOT)"  "$JAVA $FLAGS -cp $CP -XX:AOTCache=$AOT -Xlog:aot=off -Xlog:cds=off io.berth.cli.Main version --client"
# An explicit -H never auto-starts a daemon: only measure the round trip when one already answers.
HOSTARG="-H ${BERTH_HOST:-unix:///run/berth/berth.sock}"
if "$ROOT/berth" $HOSTARG version >/dev/null 2>&1; then
  add "berth version (daemon), AOT"    "$ROOT/berth $HOSTARG version"
fi
if command -v docker >/dev/null; then
  # Without a dockerd this prints the client version and fails to connect; -i ignores the status.
  add "docker version (client)"        "docker version --format {{.Client.Version}}"
fi

declare -A mean sd cpu
if command -v hyperfine >/dev/null; then
  args=()
  for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
  hyperfine -N -i --warmup 3 --runs "$RUNS" --export-json "$WORK/h.json" "${args[@]}" >/dev/null
  # CPU time (user+sys) is reported too: on a busy host wall time mostly measures the queue.
  while IFS=$'\t' read -r n m s c; do mean[$n]=$m; sd[$n]=$s; cpu[$n]=$c; done < <(python3 -c '
import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], "%.1f" % (r["mean"]*1000), "%.1f" % (r["stddev"]*1000), "%.1f" % ((r["user"]+r["system"])*1000), sep="\t")' "$WORK/h.json")
else
  for i in "${!cmds[@]}"; do
    for _ in 1 2 3; do ${cmds[$i]} >/dev/null 2>&1 || true; done
    t0=$(date +%s%N)
    for _ in $(seq "$RUNS"); do ${cmds[$i]} >/dev/null 2>&1 || true; done
    t1=$(date +%s%N)
    mean[${names[$i]}]=$(python3 -c "print('%.1f' % (($t1-$t0)/1e6/$RUNS))"); sd[${names[$i]}]="-"; cpu[${names[$i]}]="-"
  done
fi

base=${mean[${names[0]}]}
printf '%-36s %10s %9s %8s %12s\n' "command" "mean ms" "± ms" "× JVM" "CPU ms"
for n in "${names[@]}"; do
  printf '%-36s %10s %9s %8s %12s\n' "$n" "${mean[$n]}" "${sd[$n]}" "$(python3 -c "print('%.2f' % (${mean[$n]}/$base))")" "${cpu[$n]}"
done
echo "(host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); JDK $("$JAVA" -version 2>&1 | head -1))"
