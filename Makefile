# corsguard: `make demo` runs the two-origin demo, `make test` runs every test.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test setup lint test-rust test-embedded test-bench bench bench-instructions check-demo test-python test-c test-node test-e2e dist test-install test-quickstarts

# The two-origin demo with one server: RUNTIME=node|python|c|rust (default:
# node when the addon builds, else rust). Ctrl-C stops it. It builds and
# installs only what that runtime needs (examples/demo/build.sh).
RUNTIME ?=
demo:
	./examples/demo/run.sh $(RUNTIME)

test: setup lint test-rust test-embedded test-bench check-demo test-c test-python test-node test-install test-quickstarts test-e2e test-fuzz test-miri
	@echo "make test: every check passed"

setup:
	@./scripts/setup.sh

lint:
	./scripts/version.sh --check
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings
	$(CARGO) clippy -p corsguard --target thumbv7em-none-eabihf -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p corsguard --all-features --no-deps
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p corsguard-ffi --no-deps

test-rust:
	$(CARGO) test --workspace --all-features
	$(CARGO) test -p corsguard --no-default-features --features json

test-embedded:
	$(CARGO) build -p corsguard --target thumbv7em-none-eabihf --release
	./examples/embedded/size.sh

# Runs every benchmark once, as a test: proves the benches work without timing them.
test-bench:
	$(CARGO) bench -p corsguard-benches --bench evaluate -- --test
	$(CARGO) bench -p corsguard-benches --bench layer -- --test
	./benches/instructions.sh exact_16

# The C library: header freshness, install, C tests plain, under valgrind and
# ASan+UBSan, the vectors through the C API, the libmicrohttpd server.
test-c:
	./ffi-c/test.sh

# The Python package: builds it into bindings-python/.venv, runs pytest.
test-python:
	./bindings-python/test.sh

# The Node addon: npm ci (the test dependencies), make (builds the addon), node --test.
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
	$(CARGO) bench -p corsguard-benches --bench layer
	python3 benches/report.py

# Instructions per evaluate (callgrind), beside the medians of the last `make bench`.
bench-instructions:
	./benches/instructions.sh

# Every artifact a registry would serve, into $(DIST)/ (see README, "Install"):
# the crate, the C tarball, the abi3 manylinux wheel and the sdist, the npm
# root and platform packages, the corsguard command. Earlier artifacts there
# are removed first.
DIST ?= dist
dist:
	mkdir -p $(DIST)
	rm -f $(DIST)/corsguard-* $(DIST)/corsguard_* $(DIST)/libcorsguard-*
	./scripts/dist/rust.sh $(DIST)
	./scripts/dist/c.sh $(DIST)
	./scripts/dist/python.sh $(DIST)
	./scripts/dist/node.sh $(DIST)
	./scripts/dist/cli.sh $(DIST)
	cd $(DIST) && sha256sum corsguard-* libcorsguard-* >SHA256SUMS
	@echo "make dist: $(DIST)/ holds"; ls -l $(DIST)

# Installs each artifact of `make dist` as a user would, in fresh directories
# outside the checkout with cargo and rustc off the PATH, then sends each app
# a preflight over loopback (tests/install/).
test-install: dist
	./tests/install/c.sh $(DIST)
	./tests/install/python.sh $(DIST)
	./tests/install/node.sh $(DIST)
	./tests/install/cli.sh $(DIST)

# The README quick starts, run as written (tests/quickstart/run.py).
test-quickstarts:
	./tests/quickstart/run.py
