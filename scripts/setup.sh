#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh machine. Idempotent.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo (Rust) is required; install it with rustup" >&2
  exit 1
fi
# The core must build for bare-metal ARM; clippy and rustfmt gate CI.
if command -v rustup >/dev/null 2>&1; then
  rustup target list --installed | grep -qx thumbv7em-none-eabihf \
    || rustup target add thumbv7em-none-eabihf
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  for component in clippy rustfmt; do
    rustup component list --installed | grep -q "^$component" \
      || rustup component add "$component"
  done
fi
