#!/usr/bin/env bash
# The demo's numbers at 1, 10 and 100 consumer groups per service and 10,000 records/s
# of traffic (issue: the lab and the demo): detection and failover seconds, lost and
# re-delivered records, per scenario. Each run is `failoverctl demo --output json`, in
# release mode; the table is read from the JSON reports.
#   GROUP_COUNTS="1 10 100" RATE=10000 DURATION=40 SCENARIOS="unplanned planned" RUNS=1 bash bench/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product failoverctl >/dev/null 2>&1
BIN=.build/release/failoverctl
OUT=$(mktemp -d)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr)"
for scenario in ${SCENARIOS:-unplanned planned}; do
  for groups in ${GROUP_COUNTS:-1 10 100}; do
    for run in $(seq 1 "${RUNS:-1}"); do
      f="$OUT/$scenario-$groups-$run.json"
      /usr/bin/time -f "%M" -o "$f.rss" "$BIN" demo --scenario "$scenario" --groups "$groups" \
        --rate "${RATE:-10000}" --duration "${DURATION:-40}" --output json >"$f" || echo "run failed: $f" >&2
    done
  done
done
python3 - "$OUT" <<'PY'
import glob, json, os, sys
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    try:
        r = json.load(open(f))
    except ValueError:
        continue
    rss = open(f + ".rss").read().strip().splitlines()[-1]
    fmt = lambda v: "-" if v is None else f"{v:.2f}"
    rows.append([r["scenario"], str(r["consumerGroups"]), str(r["recordsPerSecond"]), str(r["acknowledged"]),
                 fmt(r.get("detectionSeconds")), fmt(r.get("failoverSeconds")), str(r["groupsTranslated"]),
                 str(r["lost"]), str(r.get("expectedLossBound")), str(r["redelivered"]),
                 f"{int(rss) // 1024} MiB"])
head = ["scenario", "groups", "rec/s", "acked", "detect s", "failover s", "translated", "lost", "bound",
        "redelivered", "max RSS"]
w = [max(len(x) for x in col) for col in zip(head, *rows)]
for row in [head] + rows:
    print("  ".join(c.ljust(n) for c, n in zip(row, w)))
PY
