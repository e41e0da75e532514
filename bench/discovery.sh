#!/usr/bin/env bash
# Discovery under load: requests/s and latency with wrk at 64 and 256 connections against
# `failoverctl serve` and, in the same run, against nginx serving the same JSON as a
# static file; then 100,000 concurrent long-polls, and 100,000 event streams: the server's
# resident memory while they wait and how soon each is answered after a promote. Prints
# figures and ratios only. RATE_ONLY=1: the request rates only; LONGPOLL_ONLY=1: the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
LONGPOLLS=${LONGPOLLS:-100000}
PER_ADDRESS=${PER_ADDRESS:-20000}   # clients per loopback source address (127.0.0.1 and up)
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update >/dev/null && apt-get install -y nginx wrk >/dev/null
}
# Each of the server and the benchmark client holds a descriptor per parked client: raised
# here for both, not in the product (its operators set LimitNOFILE; docs/running.md). A
# machine whose hard limit cannot be raised (no CAP_SYS_RESOURCE) holds what it allows.
FDS=$((LONGPOLLS + 2000)); [ "$FDS" -lt 65536 ] && FDS=65536
ulimit -n "$FDS" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((LONGPOLLS + 500)) ]; then
  echo "this machine allows $(ulimit -n) descriptors per process (hard limit, not raisable here):" \
    "holding $(($(ulimit -n) - 500)) clients instead of $LONGPOLLS" >&2
  LONGPOLLS=$(($(ulimit -n) - 500))
fi
swift build -c release --product failoverctl >/dev/null
swift build -c release --product failover-bench >/dev/null
BIN=.build/release/failoverctl
WORK=$(mktemp -d)
# mktemp makes it 0700: Debian's nginx runs its workers as www-data, which must read the
# document under it (else every request is a 403 and there are no figures).
chmod 755 "$WORK"
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

source bench/lab.sh
start_lab bench operator
# The benchmark client connects from one loopback address per PER_ADDRESS clients (127.0.0.1
# and up: a source address has about 28,000 ephemeral ports); each holds that many waits.
sed -i "s/^api:$/api:\n  maxWaitsPerClient: $((PER_ADDRESS + 100))\n  maxConnections: $((LONGPOLLS + 1000))/" "$WORK/lab.yaml"
start_serve() {
  $BIN serve --config "$WORK/lab.yaml" --db "$WORK/state.db" --listen 127.0.0.1:0 --log-level warning \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVE=$!
  for _ in $(seq 100); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^listening on //p' "$WORK/serve.out")
}
start_serve
PATH_=/v1/services/orders/discovery

# nginx serves the very bytes the server answers, with ETag, keep-alive and 2 workers.
mkdir -p "$WORK/www/v1/services/orders"
curl -s "$URL$PATH_" >"$WORK/www/v1/services/orders/discovery"
# A random port may be taken (a client's ephemeral port, a mock broker): try a few, and
# report nothing rather than a ratio against a peer that never served.
for _ in 1 2 3 4 5; do
  NGINX_PORT=$((20000 + RANDOM % 20000))
  cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type application/json;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; etag on; }
}
CONF
  nginx -c "$WORK/nginx.conf" -g 'daemon off;' 2>>"$WORK/nginx.err" &
  sleep 1
  curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT$PATH_" && break
done
curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT$PATH_" || {
  echo "nginx did not serve the document (see $WORK/nginx.err): no figures" >&2
  exit 1
}

run_wrk() { # url connections -> "requests/s p99_ms"
  wrk -t2 -c"$2" -d"${DURATION}s" --latency "$1" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v = v * 1000 }; p99 = v }
    END { printf "%.0f %.2f\n", rps, p99 }'
}

if [ -z "${LONGPOLL_ONLY:-}" ]; then
echo "discovery, ${DURATION}s per run, wrk -t2, same machine (2 cores shared by client and server)"
printf "%-12s %12s %10s %12s %10s %8s %10s\n" connections "failoverctl" "p99 ms" nginx "p99 ms" "rate x" "p99 x"
for c in 64 256; do
  read -r ours ours99 < <(run_wrk "$URL$PATH_" "$c")
  read -r theirs theirs99 < <(run_wrk "http://127.0.0.1:$NGINX_PORT$PATH_" "$c")
  printf "%-12s %12s %10s %12s %10s %8.2f %10.2f\n" "$c" "$ours" "$ours99" "$theirs" "$theirs99" \
    "$(echo "$ours / $theirs" | bc -l)" "$(echo "$ours99 / $theirs99" | bc -l)"
done

fi

rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVE/status"; }

# hold MODE TARGET: a fresh server, LONGPOLLS clients of MODE (long-polls or event streams)
# held open, its memory, then a promote of orders to TARGET and how soon each client heard.
hold() {
  kill "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null || true
  start_serve
  echo
  echo "$1: $LONGPOLLS held open, then a promote to $2"
  echo "server resident memory before: $(rss) MiB"
  local epoch flag=""
  epoch=$(curl -s "$URL$PATH_" | sed 's/.*"epoch":\([0-9]*\).*/\1/')
  [ "$1" = "event streams" ] && flag=--events
  rm -f "$WORK/ready" "$WORK/promoted"
  .build/release/failover-bench longpoll --url "$URL" --connections "$LONGPOLLS" --epoch "$epoch" $flag \
    --ready-file "$WORK/ready" --promoted-file "$WORK/promoted" --per-address "$PER_ADDRESS" &
  local bench=$!
  for _ in $(seq 600); do [ -f "$WORK/ready" ] && break; sleep 0.1; done
  sleep 2
  local metrics waiting
  metrics=$(curl -s "$URL/metrics")
  waiting=$(echo "$metrics" | awk '/^kafka_failover_discovery_long_polls_waiting / { w = $2 } /^kafka_failover_discovery_event_streams / { s = $2 } END { printf "%d long-polls waiting, %d streams", w, s }')
  echo "server resident memory with $waiting: $(rss) MiB"
  date +%s.%N >"$WORK/promoted"
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"to\": \"$2\", \"reason\": \"bench\"}" "$URL/v1/services/orders/promote"
  wait $bench
  echo "server peak resident memory: $(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVE/status") MiB"
  # The promote runs on: let it finish before the next server opens the same database.
  for _ in $(seq 100); do
    curl -s "$URL$PATH_" | grep -q "\"cluster\":\"$2\".*\"state\":\"stable\"" && break
    sleep 0.2
  done
}

if [ -z "${RATE_ONLY:-}" ]; then
  hold long-polls west
  hold "event streams" east
fi
