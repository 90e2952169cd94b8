#!/usr/bin/env bash
# Builds the Node addon from source and runs its tests (node --test).
# Needs Node >= 18, npm, make, a Rust toolchain, and the npm registry.
set -euo pipefail
cd "$(dirname "$0")"

# Dev dependencies only (cors, Express, Connect, autocannon): the package
# itself installs nothing and runs no install script.
echo "== bindings-node: npm ci"
npm ci --no-audit --no-fund

echo "== bindings-node: make (the release addon, corsguard.<platform>.node)"
make

# test/soak.test.js is part of this run: 100,000 hostile requests over HTTP
# through cors and corsguard, in about two minutes (it prints its figures).
echo "== bindings-node: node --test"
node --test test/
