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

# The core on an emulated Cortex-M4 (QEMU mps2-an386): every conformance
# vector that fits the small class, judged on the target; the stack of
# construction and evaluate by painting (bounds 8 KiB, 2 KiB); the code
# corsguard adds at opt-level "s" and "z" (examples/embedded/test.sh).
test-embedded:
	$(CARGO) build -p corsguard --target thumbv7em-none-eabihf --release
	./examples/embedded/test.sh

# The report generator's unit tests, then `make bench` with every suite in
# quick mode (seconds each) into $(BENCH_QUICK_OUT): proves the benches and
# the report work, without timing anything worth a claim.
BENCH_QUICK_OUT ?= $(or $(CARGO_TARGET_DIR),target)/bench-quick
test-bench:
	python3 -m unittest discover -s benches -p 'test_*.py'
	$(MAKE) bench BENCH_QUICK=1 BENCH_OUT=$(BENCH_QUICK_OUT)

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

# The one benchmark report (benches/README.md): the core suite (criterion's
# evaluate and layer benches, instructions.sh), the Node suite against cors
# and the Python suite against Starlette, each writing its JSON into
# $(BENCH_OUT); then benches/make_report.py writes $(BENCH_OUT)/report.md and
# ratios.svg. A suite whose bench script is absent is skipped, and the report
# says so. BENCH_QUICK=1: every suite in --quick mode, criterion's results
# under $(BENCH_OUT)/criterion instead of the target directory's.
# `make bench-publish` copies the report to docs/bench/ (the README's plot).
BENCH_OUT ?= $(or $(CARGO_TARGET_DIR),target)/bench
# Absolute: criterion runs the benches in benches/, the rest run here.
BENCH_DIR = $(abspath $(BENCH_OUT))
BENCH_QUICK ?=
NODE_BENCH ?= bindings-node/bench/run.js
PYTHON_BENCH ?= bindings-python/bench/run.py
PYTHON_VENV := bindings-python/.venv
BENCH_ENV = $(if $(BENCH_QUICK),CRITERION_HOME=$(BENCH_DIR)/criterion)
CRITERION_ARGS = $(if $(BENCH_QUICK),--warm-up-time 0.1 --measurement-time 0.2 --sample-size 10)
SUITE_ARGS = $(if $(BENCH_QUICK),--quick)
bench:
	mkdir -p $(BENCH_DIR)
	cd $(BENCH_DIR) && rm -f core.json instructions.json node.json python.json *.skipped report.md ratios.svg
	$(if $(BENCH_QUICK),rm -rf $(BENCH_DIR)/criterion)
	$(BENCH_ENV) $(CARGO) bench -p corsguard-benches --bench evaluate -- $(CRITERION_ARGS)
	$(BENCH_ENV) $(CARGO) bench -p corsguard-benches --bench layer -- $(CRITERION_ARGS)
	$(BENCH_ENV) ./benches/instructions.sh --json $(BENCH_DIR)/instructions.json
	$(BENCH_ENV) python3 benches/report.py --json $(BENCH_DIR)/core.json --instructions $(BENCH_DIR)/instructions.json
	@# Node: the test dependencies (as bindings-node/test.sh), the addon (its Makefile).
	if [ -f $(NODE_BENCH) ]; then \
	  ( cd bindings-node && npm ci --no-audit --no-fund ) && $(MAKE) -C bindings-node && \
	  node $(NODE_BENCH) $(SUITE_ARGS) --json $(BENCH_DIR)/node.json; \
	else echo "$(NODE_BENCH) is absent" | tee $(BENCH_DIR)/node.skipped; fi
	@# Python: the package and its pinned test dependencies in $(PYTHON_VENV), installed by bindings-python/test.sh.
	if [ -f $(PYTHON_BENCH) ]; then \
	  ./bindings-python/test.sh --install-only && \
	  $(PYTHON_VENV)/bin/python $(PYTHON_BENCH) $(SUITE_ARGS) --json $(BENCH_DIR)/python.json; \
	else echo "$(PYTHON_BENCH) is absent" | tee $(BENCH_DIR)/python.skipped; fi
	python3 benches/make_report.py --strict $(SUITE_ARGS) $(BENCH_DIR)
	@echo "make bench: $(BENCH_DIR)/report.md"

# `make bench`, then its report and plot copied into docs/bench/ (commit them).
.PHONY: bench-publish
bench-publish: bench
	python3 benches/make_report.py --publish docs/bench $(BENCH_DIR)

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
