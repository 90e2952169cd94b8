#!/usr/bin/env bash
# Builds what one demo server needs, idempotently:
#
#   examples/demo/build.sh node|python|c|rust
#
#   node    the Node addon (make -C bindings-node: rebuilds
#           corsguard.<platform>.node when missing or older than its sources)
#           and Express (npm ci in examples/node-server)
#   python  a Python with corsguard, Starlette and uvicorn: bindings-python/.venv
#           when bindings-python/test.sh made it, else target/demo/venv;
#           target/demo/python runs it
#   c       libcorsguard installed into target/demo/c-prefix (make -C ffi-c
#           install), then target/demo/corsguard-c-server (libmicrohttpd)
#   rust    target/release/corsguard-demo-server
#
# For every runtime, first: the playground's explainer,
# target/demo/corsguard-explain.wasm (examples/demo/explain-wasm built for
# wasm32-unknown-unknown, a target rustup adds when it is missing).
#
# examples/demo/serve.sh starts what this builds. Exits non-zero on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT="$TARGET/demo"
export PATH="$HOME/.cargo/bin:$PATH"
runtime=${1:?usage: build.sh node|python|c|rust}
mkdir -p "$OUT"

say() { printf '== demo build (%s): %s\n' "$runtime" "$*" >&2; }

case $runtime in
  node | python | c | rust) ;;
  *)
    echo "build.sh: unknown runtime \`$runtime\` (node, python, c or rust)" >&2
    exit 2
    ;;
esac

# The explainer every server serves to the page (cargo rebuilds only what changed).
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown >&2
fi
# Sized for a page to download: optimized for size, one LTO'd unit (the
# workspace's release profile stays as it is for everything else).
(cd "$ROOT" && CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  cargo build --release --quiet --target wasm32-unknown-unknown -p corsguard-explain-wasm)
wasm="$TARGET/wasm32-unknown-unknown/release/corsguard_explain_wasm.wasm"
cmp -s "$wasm" "$OUT/corsguard-explain.wasm" || cp "$wasm" "$OUT/corsguard-explain.wasm"

case $runtime in
  node)
    # make's own up-to-date check: nothing runs when the addon is newer than its sources.
    if ! make -s -q -C "$ROOT/bindings-node" 2>/dev/null; then
      say "building the Node addon (make -C bindings-node)"
      make -s -C "$ROOT/bindings-node" >&2
    fi
    node -e "const { Policy } = require(process.argv[1]); new Policy({ allowOrigins: ['http://localhost:3000'] })" \
      "$ROOT/bindings-node" || { echo "build.sh: the Node addon does not load" >&2; exit 1; }
    server="$ROOT/examples/node-server"
    if [ ! -d "$server/node_modules/express" ] || [ "$server/package-lock.json" -nt "$server/node_modules/.package-lock.json" ]; then
      say "installing Express (npm ci in examples/node-server)"
      (cd "$server" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
    ;;
  python)
    check='import corsguard, starlette, uvicorn'
    python=""
    for candidate in "$ROOT/bindings-python/.venv/bin/python" "$OUT/venv/bin/python"; do
      if [ -x "$candidate" ] && "$candidate" -c "$check" 2>/dev/null; then
        python=$candidate
        break
      fi
    done
    if [ -z "$python" ]; then
      say "creating $OUT/venv (corsguard from bindings-python, Starlette, uvicorn)"
      rm -rf "$OUT/venv"
      "${PYTHON:-python3}" -m venv "$OUT/venv"
      "$OUT/venv/bin/python" -m pip install --quiet --upgrade pip >&2
      "$OUT/venv/bin/python" -m pip install --quiet starlette==1.10.0 uvicorn==0.54.0 >&2
      CARGO_TARGET_DIR="$ROOT/bindings-python/target" \
        "$OUT/venv/bin/python" -m pip install --quiet "$ROOT/bindings-python" >&2
      python="$OUT/venv/bin/python"
      "$python" -c "$check"
    fi
    # A wrapper, not a symlink: a venv's python finds its venv from the path it was started by.
    rm -f "$OUT/python"
    printf '#!/bin/sh\nexec "%s" "$@"\n' "$python" >"$OUT/python"
    chmod +x "$OUT/python"
    ;;
  c)
    missing=()
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    pkg-config --exists libmicrohttpd 2>/dev/null || missing+=(libmicrohttpd-dev)
    command -v cc >/dev/null || missing+=(gcc)
    command -v make >/dev/null || missing+=(make)
    if [ ${#missing[@]} -gt 0 ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
      else
        echo "build.sh: missing ${missing[*]} (run as root to install them)" >&2
        exit 1
      fi
    fi
    say "installing libcorsguard into $OUT/c-prefix"
    make -s -C "$ROOT/ffi-c" install PREFIX="$OUT/c-prefix" >/dev/null
    PKG_CONFIG_PATH="$OUT/c-prefix/lib/pkgconfig" make -s -C "$ROOT/examples/c-server" OUT="$OUT/corsguard-c-server" >&2
    ;;
  rust)
    say "cargo build --release -p corsguard-demo-server"
    (cd "$ROOT" && cargo build --release --quiet -p corsguard-demo-server)
    ;;
esac
