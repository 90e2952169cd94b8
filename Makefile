# corsguard: `make demo` runs the two-origin demo, `make test` runs every test.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test setup lint test-rust test-embedded test-bench bench check-demo test-python test-c test-node test-e2e

# The two-origin demo with one server: RUNTIME=node|python|c|rust (default:
# node when the addon builds, else rust). Ctrl-C stops it.
RUNTIME ?=
demo: setup
	./examples/demo/run.sh $(RUNTIME)

test: setup lint test-rust test-embedded test-bench check-demo test-c test-python test-node test-e2e test-fuzz test-miri
	@echo "make test: every check passed"

setup:
	@./scripts/setup.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings
	$(CARGO) clippy -p corsguard --target thumbv7em-none-eabihf -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p corsguard --all-features --no-deps

test-rust:
	$(CARGO) test --workspace --all-features
	$(CARGO) test -p corsguard --no-default-features --features json

test-embedded:
	$(CARGO) build -p corsguard --target thumbv7em-none-eabihf --release
	./examples/embedded/size.sh

# Runs every benchmark once, as a test: proves the benches work without timing them.
test-bench:
	$(CARGO) bench -p corsguard-benches --bench evaluate -- --test

# The C library: header freshness, install, C tests plain, under valgrind and
# ASan+UBSan, the vectors through the C API, the libmicrohttpd server.
test-c:
	./ffi-c/test.sh

# The Python package: builds it into bindings-python/.venv, runs pytest.
test-python:
	./bindings-python/test.sh

# The Node addon: npm ci (builds it with napi), then node --test.
test-node:
	./bindings-node/test.sh

# The browser proof: every demo server (node, python, c, rust) judged by
# headless Chromium (installs chromium when root and missing; E2E_RUNTIMES=...
# narrows it). Saves the screenshot docs/demo.png.
test-e2e:
	./e2e/test.sh

# The cargo-fuzz targets, 60 s each (fuzz/README.md); nightly, installs cargo-fuzz.
.PHONY: test-fuzz test-miri
test-fuzz:
	./fuzz/run.sh 60

# The core's and ffi-c's Rust tests under Miri (a bounded subset: scripts/miri.sh).
test-miri:
	./scripts/miri.sh

check-demo:
	$(CARGO) run -q -p corsguard-demo-server -- --check

bench:
	$(CARGO) bench -p corsguard-benches --bench evaluate
	python3 benches/report.py
