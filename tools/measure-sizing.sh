#!/usr/bin/env bash
# Measures the daemon against a simulated cluster of N nodes (docs/sizing.md): starts
# `transitwatch simulate --nodes N` (Relay mode) and `transitwatch run` in separate JVMs, lets them
# run for a warm-up and a measured window, then prints the daemon's CPU over the window, its heap
# after a full GC, its RSS, the /metrics series count, the join's verdict counters and the load
# average. Usage: tools/measure-sizing.sh NODES [WINDOW_SECONDS] [RATE_PER_NODE]
# Wrap it in `flock /tmp/cpu.lock` on a shared machine. Needs a built jar (./transitwatch builds it).
set -euo pipefail
nodes="$1"; window="${2:-60}"; rate="${3:-0.5}"; warmup=20
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/daemon/target/transitwatch.jar"
work="$(mktemp -d)"
relay_port=$((20000 + RANDOM % 20000)); http_port=$((relay_port + 1))
java -Xmx2g -jar "$jar" simulate --nodes "$nodes" --rate-per-node "$rate" --scenario seed \
    --listen "127.0.0.1:$relay_port" >"$work/sim.log" 2>&1 &
sim=$!
cleanup() { kill "$daemon" "$sim" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
daemon=
for _ in $(seq 1 120); do grep -q "Ctrl-C to stop" "$work/sim.log" && break; sleep 0.5; done
# The pod CIDRs, as the simulator hands them out (ClusterTopology.scaled).
{
  echo "hubble: {mode: relay, relay: {address: \"127.0.0.1:$relay_port\"}}"
  echo "http: {port: $http_port, address: 127.0.0.1}"
  echo "topology:"; echo "  pod-cidrs:"
  for ((i = 0; i < nodes; i++)); do
    if ((i < 3)); then name=$(printf "solcp%02d" $((i + 1))); else name=$(printf "solwk%02d" $((i - 2))); fi
    if ((nodes == 6)); then v4="10.101.$((224 + i)).0/24"; else v4="10.$((64 + i / 256)).$((i % 256)).0/24"; fi
    printf '    %s: [%s, "fd00:101:224:%x::/64"]\n' "$name" "$v4" "$i"
  done
} >"$work/config.yaml"
java -Xmx768m -XX:+ExitOnOutOfMemoryError -jar "$jar" run --config "$work/config.yaml" >"$work/alerts.log" 2>"$work/daemon.log" &
daemon=$!
sleep "$warmup"
ticks() { awk '{print $14 + $15}' "/proc/$daemon/stat"; }
hz=$(getconf CLK_TCK)
start_ticks=$(ticks); start=$(date +%s.%N)
sleep "$window"
end_ticks=$(ticks); end=$(date +%s.%N)
load=$(cut -d' ' -f1-3 /proc/loadavg)
metrics=$(curl -s --max-time 30 "http://127.0.0.1:$http_port/metrics")
series=$(grep -vc '^#' <<<"$metrics")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$daemon/status")
timeout 60 jcmd "$daemon" GC.run >/dev/null
timeout 60 jcmd "$daemon" GC.class_histogram | head -25 >"${SIZING_HISTOGRAM:-/dev/null}" || true
heap=$(timeout 60 jcmd "$daemon" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i + 1); exit}}')
value() { grep -E "^$1 " <<<"$metrics" | awk '{print $2}'; }
cpu=$(awk -v t=$((end_ticks - start_ticks)) -v hz="$hz" -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", 100 * t / hz / (e - s)}')
sum() { grep -E "^$1" <<<"$metrics" | awk '{s += $2} END {printf "%.0f", s}'; }
printf 'nodes=%s window=%ss rate/node=%s cpu=%s%% heap_after_gc=%s rss=%sMiB series=%s joined_nodes=%s pairs=%s departures=%s matched=%s lost=%s unverified=%s load=%s\n' \
  "$nodes" "$window" "$rate" "$cpu" "$heap" $((rss_kb / 1024)) "$series" "$(value transitwatch_join_nodes)" \
  "$(value transitwatch_join_pairs)" "$(sum transitwatch_node_departures_total)" "$(sum transitwatch_node_matched_total)" \
  "$(sum transitwatch_node_lost_total)" "$(sum transitwatch_node_unverified_total)" "$load"
