#!/usr/bin/env bash
# Builds the Node addon from source and runs its tests (node --test).
# Needs Node >= 18, npm, a Rust toolchain, and the npm registry.
set -euo pipefail
cd "$(dirname "$0")"

echo "== bindings-node: npm ci (builds the addon with napi build)"
npm ci --no-audit --no-fund

# test/soak.test.js is part of this run: 100,000 hostile requests over HTTP
# through cors and corsguard, in about two minutes (it prints its figures).
echo "== bindings-node: node --test"
node --test test/
