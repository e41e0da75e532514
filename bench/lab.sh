# Sourced by the benchmarks that run `failoverctl serve` over a lab: after `BIN` and `WORK`
# are set, `start_lab NAME ROLE [LAB-UP OPTIONS...]` starts `lab up` in the background, waits for its topology,
# makes a token (NAME, ROLE) and appends its `api:` section to "$WORK/lab.yaml"; the token
# is left in TOKEN. The caller's EXIT trap stops the lab with its other jobs.
start_lab() {
  local name=$1 role=$2
  shift 2
  $BIN lab up --control 127.0.0.1:0 "$@" --topology-out "$WORK/lab.yaml" >"$WORK/lab.log" 2>&1 &
  for _ in $(seq 150); do [ -f "$WORK/lab.yaml" ] && break; sleep 0.2; done
  TOKEN=$($BIN token new --name "$name" --role "$role" | tee "$WORK/token.txt" | sed -n 's/^token: //p')
  sed -n '/^api:/,$p' "$WORK/token.txt" >>"$WORK/lab.yaml"
}
