#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (first argument, default 60) from its committed seed
# corpus (fuzz/corpus/TARGET, copied: the run's finds stay in .build-fuzz). Built with
# libFuzzer and AddressSanitizer into .build-fuzz. A crash stops the run with the input
# that caused it (.build-fuzz/artifacts/TARGET-crash-*): make it a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=(mm2-records topology-yaml policy-yaml prometheus-page request-body event-stream)
mkdir -p .build-fuzz/artifacts
# Leaks in the toolchain's own libraries are suppressed by name, each with its reason.
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
for t in "${targets[@]}"; do
  # SwiftPM hands the compiler --sanitize's two as two flags, and the Swift driver keeps only
  # the last -sanitize= of a compile: every module was built with AddressSanitizer but without
  # libFuzzer's coverage (mm2-records ran with no coverage at all: "no interesting inputs").
  # The combined flag, after SwiftPM's, instruments them for both.
  if ! FAILOVERCTL_FUZZ=1 swift build --scratch-path .build-fuzz --sanitize fuzzer --sanitize address \
    -Xswiftc -sanitize=fuzzer,address --product "fuzz-$t" >.build-fuzz/build-"$t".log 2>&1; then
    grep -E "error" .build-fuzz/build-"$t".log | sort -u | head -20
    echo "fuzz: fuzz-$t did not build (.build-fuzz/build-$t.log)" >&2
    exit 1
  fi
done
for t in "${targets[@]}"; do
  corpus=.build-fuzz/corpus/$t
  mkdir -p "$corpus"
  cp fuzz/corpus/"$t"/* "$corpus"/
  echo "fuzz $t: ${seconds} s from $(ls fuzz/corpus/"$t" | wc -l) seeds"
  if ! .build-fuzz/debug/fuzz-"$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix=.build-fuzz/artifacts/"$t"- "$corpus" >.build-fuzz/"$t".log 2>&1; then
    tail -40 .build-fuzz/"$t".log
    echo "fuzz $t: crashed; the input is in .build-fuzz/artifacts/$t-*" >&2
    exit 1
  fi
  grep -E "stat::number_of_executed_units|cov: " .build-fuzz/"$t".log | tail -2 | sed "s/^/  /"
  # A target that finds nothing to cover is not fuzzing: its code is not instrumented.
  if grep -q "no interesting inputs were found" .build-fuzz/"$t".log; then
    echo "fuzz $t: no coverage (is the code instrumented?)" >&2
    exit 1
  fi
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, no crash"
