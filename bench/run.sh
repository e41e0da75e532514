#!/usr/bin/env bash
# Runs every benchmark in release mode and prints their figures. Needs the sqlite3 shell
# for the ingest comparison (apt-get install sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product failover-bench >/dev/null
BIN=.build/release/failover-bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr)"
$BIN ingest --records "${RECORDS:-500000}"
DB=$(mktemp -d)/translate.db
$BIN translate-prepare --db "$DB" --groups "${GROUPS_N:-1000}" --partitions "${PARTITIONS:-1000}"
$BIN translate-run --db "$DB" --groups "${GROUPS_N:-1000}" --partitions "${PARTITIONS:-1000}"
