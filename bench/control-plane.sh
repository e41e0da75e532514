#!/usr/bin/env bash
# The control plane on etcd, measured: (1) `demo --scenario control-plane` RUNS times (the
# region with the primary Kafka cluster, its etcd member and the leading orchestrator dies
# at once): seconds until the survivors name a new leader, and until every client sees a
# writable cluster away from the dead region (the discovery epoch changed on the
# survivors); (2) discovery requests/s of a follower against a standalone server, with
# wrk in the same run. Prints figures and ratios only.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-10}
command -v wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
swift build -c release --product failoverctl >/dev/null
BIN=.build/release/failoverctl
WORK=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

if [ "$RUNS" -gt 0 ]; then
echo "demo --scenario control-plane, lease TTL 5 s, probes every 1 s, $RUNS runs"
for i in $(seq "$RUNS"); do
  $BIN demo --scenario control-plane --duration 20 --output json 2>/dev/null >"$WORK/run-$i.json" || true
done
python3 - "$WORK" "$RUNS" <<'PY'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
rows = []
for i in range(1, runs + 1):
    try:
        rows.append(json.load(open(f"{work}/run-{i}.json")))
    except Exception:
        print(f"run {i}: no report")
def show(key, goal, label):
    v = [r[key] for r in rows if r.get(key) is not None]
    if not v:
        print(f"{label}: no figures"); return
    print(f"{label}: " + ", ".join(f"{x:.2f}" for x in v)
          + f" s; median {statistics.median(v):.2f} s, max {max(v):.2f} s; goal <= {goal:.1f} s"
          + f" (median/goal {statistics.median(v)/goal:.2f})")
show("leaderTakeoverSeconds", 5 + 1, "leader killed -> new leader")
show("failoverSeconds", 3 * 1 + 5 + 1, "region down -> clients on the survivors' new epoch")
print("loss within the bound in every run:", all(r["lost"] <= (r.get("expectedLossBound") or 0) for r in rows))
PY
fi

# (2) Discovery on a follower vs a standalone server over the same lab.
source bench/lab.sh
start_lab bench viewer --control-plane 3
awk '/^controlPlane:/ {skip = 1; next} skip && /^[^ ]/ {skip = 0} !skip' "$WORK/lab.yaml" >"$WORK/standalone.yaml"
serve() { # name config extra... -> URL on stdout
  local name=$1 config=$2; shift 2
  $BIN serve --config "$config" --db "$WORK/$name.db" --listen 127.0.0.1:0 --log-level warning "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  for _ in $(seq 150); do grep -q listening "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
  sed -n 's/^listening on //p' "$WORK/$name.out"
}
STANDALONE=$(serve standalone "$WORK/standalone.yaml")
LEADER=$(serve leader "$WORK/lab.yaml" --instance leader --region east)
sleep 3
FOLLOWER=$(serve follower "$WORK/lab.yaml" --instance follower --region west)
sleep 3
curl -s -H "Authorization: Bearer $TOKEN" "$FOLLOWER/v1/control-plane" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("follower role:", d["self"]["role"], "- leader:", (d.get("leader") or {}).get("instance"))'
rps() { wrk -t2 -c64 -d"${DURATION}s" "$1/v1/services/orders/discovery" | awk '/Requests\/sec/ { printf "%.0f", $2 }'; }
S=$(rps "$STANDALONE"); F=$(rps "$FOLLOWER")
echo "discovery, wrk -t2 -c64 ${DURATION}s: standalone $S req/s, follower $F req/s, follower/standalone $(python3 -c "print(f'{$F/$S:.2f}')") (goal >= 0.90)"
