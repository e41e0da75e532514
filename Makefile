# Two entry points a newcomer needs: `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/debug/failoverctl

.PHONY: deps build test demo format clean

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build

# The end-to-end tests run the built binary, so build everything before testing.
test: build
	$(SWIFT) test --disable-xctest

demo: build
	$(BIN) demo

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
