#!/usr/bin/env bash
# Starts one demo server, built by examples/demo/build.sh, in the foreground
# (it replaces this shell, so its pid is this script's):
#
#   examples/demo/serve.sh node|python|c|rust
#
# The server reads DEMO_PAGE_PORT (3000), DEMO_ALT_PAGE_PORT (the page port
# + 1; 0: none), DEMO_API_PORT (8080), DEMO_POLICY (examples/demo/policy.json)
# and DEMO_WASM (the playground's explainer, target/demo/corsguard-explain.wasm)
# from the environment.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
export DEMO_POLICY=${DEMO_POLICY:-$ROOT/examples/demo/policy.json}
export DEMO_PAGE=${DEMO_PAGE:-$ROOT/examples/demo/index.html}
export DEMO_WASM=${DEMO_WASM:-$TARGET/demo/corsguard-explain.wasm}

case ${1:?usage: serve.sh node|python|c|rust} in
  node) exec node "$ROOT/examples/node-server/server.js" ;;
  python) exec "$TARGET/demo/python" "$ROOT/examples/python-server/server.py" ;;
  c) exec "$TARGET/demo/corsguard-c-server" ;;
  rust) exec "$TARGET/release/corsguard-demo-server" ;;
  *)
    echo "serve.sh: unknown runtime \`$1\` (node, python, c or rust)" >&2
    exit 2
    ;;
esac
