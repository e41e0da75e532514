# Two entry points a newcomer needs: `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/debug/failoverctl

.PHONY: deps build test demo fuzz format clean

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build

# The end-to-end tests run the built binary, so build everything before testing. At most
# eight tests at once: each end-to-end test starts servers, labs, brokers or etcd members,
# and on two cores an unbounded run (load average 35 seen) starves the ones that wait on
# leases and elections. Most of a bounded run is spent waiting (timeouts, elections, a
# region kept dark): at six at once a third of the CPU sat idle and the run took 187 s, at
# eight 144 s, at ten 133 s (docs/testing.md).
TEST_WIDTH ?= 8
test: build
	$(SWIFT) test --disable-xctest --experimental-maximum-parallelization-width $(TEST_WIDTH)

demo: build
	$(BIN) demo

# Every fuzz target (libFuzzer + AddressSanitizer, built into .build-fuzz) for
# FUZZ_SECONDS each from its seed corpus in fuzz/corpus.
FUZZ_SECONDS ?= 60
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build .build-fuzz
