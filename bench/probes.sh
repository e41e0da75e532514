#!/usr/bin/env bash
# One `failoverctl probe` process probing 100 clusters and 1,000 HTTP endpoints every
# 2 s: its CPU share of one core and its peak memory; then the detection benchmark.
# The 100 cluster definitions (each probed through its own librdkafka client) point at
# 10 simulated regions of a `lab up` process; the endpoints are served by python3's
# threaded http.server. Prints figures only.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30}
swift build -c release --product failoverctl >/dev/null
swift build -c release --product failover-bench >/dev/null
BIN=${BIN:-.build/release/failoverctl}   # BIN=... compares another build
WORK=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

$BIN lab up --control 127.0.0.1:0 --regions "$(seq -s, -f "r%g" 0 9)" --brokers 1 --topology-out "$WORK/lab.yaml" >"$WORK/lab.log" 2>&1 &
# Ten mock regions with librdkafka 2.8.0 take about 30 s to come up on two cores.
for _ in $(seq 600); do [ -f "$WORK/lab.yaml" ] && break; sleep 0.2; done
[ -f "$WORK/lab.yaml" ] || { echo "lab did not start within 120 s: $WORK/lab.log" >&2; exit 1; }
mapfile -t SERVERS < <(grep bootstrapServers "$WORK/lab.yaml" | cut -d'"' -f2)
mkdir -p "$WORK/www" && echo UP >"$WORK/www/health"
PORT=$((20000 + RANDOM % 20000))
(cd "$WORK/www" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 --protocol HTTP/1.1 >/dev/null 2>&1) &
{
  echo "version: 1"
  echo "regions:"
  for r in $(seq 0 9); do echo "  - name: r$r"; done
  echo "clusters:"
  for c in $(seq 0 99); do
    echo "  - name: c$c"
    echo "    region: r$((c % 10))"
    echo "    bootstrapServers: \"${SERVERS[$((c % 10))]}\""
  done
  echo "probes:"
  echo "  interval: 2s"
  echo "  timeout: 2s"
  echo "  maxConcurrent: 64"
  echo "  http:"
  for i in $(seq 0 999); do
    echo "    - subject: c$((i % 100))"
    echo "      url: http://127.0.0.1:$PORT/health?endpoint=$i"
  done
} >"$WORK/topology.yaml"
$BIN config validate "$WORK/topology.yaml" >/dev/null

$BIN probe --config "$WORK/topology.yaml" --db "$WORK/state.db" >/dev/null 2>"$WORK/probe.err" &
PROBE=$!
sleep 5   # warm-up: connections, first rounds
ticks() { awk '{print $14 + $15}' "/proc/$PROBE/stat"; }
HZ=$(getconf CLK_TCK)
T0=$(ticks); S0=$(date +%s.%N)
sleep "$DURATION"
T1=$(ticks); S1=$(date +%s.%N)
RSS=$(awk '/VmHWM/ {print $2}' "/proc/$PROBE/status")
kill -INT $PROBE
sleep 1
KAFKA=$(sqlite3 "$WORK/state.db" "select count(*) from probe_result where kind='kafka'" 2>/dev/null || echo "?")
HTTP=$(sqlite3 "$WORK/state.db" "select count(*) from probe_result where kind='http'" 2>/dev/null || echo "?")
echo "machine: $(nproc) cores; $(uname -sr)"
awk -v t0="$T0" -v t1="$T1" -v s0="$S0" -v s1="$S1" -v hz="$HZ" -v rss="$RSS" -v k="$KAFKA" -v h="$HTTP" 'BEGIN {
  cpu = (t1 - t0) / hz / (s1 - s0) * 100
  printf "probing 100 clusters + 1000 HTTP endpoints every 2 s, measured over %.0f s: CPU %.1f %% of one core (target < 15 %%), peak RSS %.0f MiB; results stored: %s kafka, %s http\n", s1 - s0, cpu, rss / 1024, k, h
}'
.build/release/failover-bench detection --runs "${RUNS:-5}"
