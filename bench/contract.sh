#!/usr/bin/env bash
# The API against docs/openapi.yaml with many more generated requests than the suite's
# ContractTests: schemathesis (installed by `make deps` into .venv-clients) against
# `lab up` and `failoverctl serve` (release build), every check, an admin token.
# EXAMPLES=300 per operation by default; SEEDS="1 2 3". Prints each run's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${EXAMPLES:-300}
SEEDS=${SEEDS:-"1 2 3"}
bash scripts/deps.sh >/dev/null
swift build -c release --product failoverctl >/dev/null
BIN=.build/release/failoverctl
WORK=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

source bench/lab.sh
start_lab contract admin
sed -i 's/^api:$/api:\n  maxWait: 1s/' "$WORK/lab.yaml"
for seed in $SEEDS; do
  rm -f "$WORK"/state.db*
  $BIN serve --config "$WORK/lab.yaml" --db "$WORK/state.db" --listen 127.0.0.1:0 --log-level warning \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVE=$!
  for _ in $(seq 100); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^listening on //p' "$WORK/serve.out")
  started=$(date +%s)
  status=0
  NO_COLOR=1 .venv-clients/bin/schemathesis --config-file scripts/contract/schemathesis.toml run docs/openapi.yaml \
    --url "$URL" -H "Authorization: Bearer $TOKEN" --checks all --max-examples "$EXAMPLES" \
    --exclude-path '/v1/services/{name}/events' --request-timeout 10 --suppress-health-check all --seed "$seed" \
    --no-color >"$WORK/run-$seed.txt" 2>&1 || status=$?
  echo "seed $seed, $EXAMPLES examples per operation, $(($(date +%s) - started)) s: $(grep -E ' generated' "$WORK/run-$seed.txt" | sed 's/^ *//') (exit $status)"
  # Which operations a warning is about (promote: `to` must be a cluster of the service,
  # which the document cannot say; see scripts/contract/schemathesis.toml).
  grep -A3 "mostly rejected" "$WORK/run-$seed.txt" | grep '^ *- ' || true
  [ "$status" -eq 0 ] || sed -n '/FAILURES/,/SUMMARY/p' "$WORK/run-$seed.txt" | head -60
  kill $SERVE && wait $SERVE 2>/dev/null || true
done
