#!/usr/bin/env bash
# Runs the Rust tests under Miri, which checks for undefined behaviour,
# out-of-bounds or dangling accesses, uninitialized reads and leaks.
#
#   scripts/miri.sh        the CI subset (under 10 minutes on 2 cores): the
#                          core's unit tests and its fetch_model, no_alloc and
#                          properties suites with every feature, and the C
#                          library's Rust-side tests
#   scripts/miri.sh full   also the conformance vectors (core/tests/vectors.rs,
#                          slow under Miri: serde_json reads 400 cases), the
#                          core without features, and the doctests
#
# Under Miri the property tests run a few cases each and the "mebibyte"
# inputs are 1 KiB (cfg!(miri) in core/tests), and the conformance vectors
# whose request is over 16 KiB are not evaluated: Miri is thousands of times
# slower, and those tests prove speed, which Miri does not measure.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-ci}"
if command -v rustup >/dev/null 2>&1; then
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  for component in miri rust-src; do
    rustup +nightly component list --installed | grep -q "^$component" \
      || rustup +nightly component add "$component"
  done
fi
# core/tests/vectors.rs reads tests/vectors/*.json, which Miri's isolation
# forbids; nothing else needs the host.
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}"
cargo +nightly miri setup

run() {
  echo "miri: $*"
  local start=$SECONDS
  cargo +nightly miri test "$@"
  echo "miri: $* passed in $((SECONDS - start))s"
}

run -p corsguard --all-features --lib --test fetch_model --test no_alloc --test properties
run -p corsguard-ffi --lib
if [ "$mode" = full ]; then
  run -p corsguard --all-features --test vectors
  run -p corsguard --lib --tests
  run -p corsguard --all-features --doc
fi
