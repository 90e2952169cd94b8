#!/usr/bin/env bash
# The browser proof: the demo API served by Express + the Node addon,
# Starlette/uvicorn + the Python package, libmicrohttpd + the C library (and
# the Rust demo server), each judged by headless Chromium (Debian's
# /usr/bin/chromium driven by playwright-core; no browser download).
#
#   e2e/test.sh                       every runtime
#   E2E_RUNTIMES="python c" e2e/test.sh
#
# On a fresh machine it installs chromium (apt-get, when run as root), then
# `npm ci` here (playwright-core; Express and cors for two fixtures), builds
# what each server needs (examples/demo/build.sh: the Node addon and Express,
# a Python venv with the package, libcorsguard installed into a prefix and the
# C server, the Rust server) and the corsguard command (cargo build --release
# -p corsguard-cli), and runs `node --test`. Everything is bounded: builds, the
# whole test run (E2E_TIMEOUT seconds, 480 by default) and every wait inside
# it; servers are killed at the end, also on failure. Exits non-zero on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E="$ROOT/e2e"
RUNTIMES=${E2E_RUNTIMES:-node python c rust}
BUILD_TIMEOUT=${E2E_BUILD_TIMEOUT:-900}
TEST_TIMEOUT=${E2E_TIMEOUT:-480}
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== e2e: %s\n' "$*"; }

# --- what the tests need ----------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing chromium (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "e2e/test.sh: /usr/bin/chromium is missing; install it as root: apt-get install -y chromium" >&2
    exit 1
  fi
fi
for tool in node npm timeout; do
  command -v "$tool" >/dev/null || { echo "e2e/test.sh: $tool is required" >&2; exit 1; }
done
echo "$(/usr/bin/chromium --version 2>/dev/null | tail -n 1), node $(node --version)"

step "npm ci (playwright-core, express, cors)"
(cd "$E2E" && timeout "$BUILD_TIMEOUT" npm ci --no-audit --no-fund --loglevel=error)

for runtime in $RUNTIMES; do
  step "building the $runtime server"
  timeout "$BUILD_TIMEOUT" "$ROOT/examples/demo/build.sh" "$runtime"
done
# The agreement test (tests/agreement.test.js, and the last test of each
# runtime) runs `corsguard probe` next to Chromium; its starlette-docs server
# runs on the demo's Python.
step "cargo build --release -p corsguard-cli (the corsguard command)"
(cd "$ROOT" && timeout "$BUILD_TIMEOUT" cargo build --release --quiet -p corsguard-cli)
case " $RUNTIMES " in
  *" python "*) ;;
  *)
    step "building the Python the starlette-docs fixture runs on"
    timeout "$BUILD_TIMEOUT" "$ROOT/examples/demo/build.sh" python
    ;;
esac
# The error-response test (tests/errors.test.js) runs Express from here, the
# tower layer's `errors` example, and FastAPI, Flask and Django on the demo's
# Python.
step "the error-response servers: cargo build -p corsguard-tower --example errors; FastAPI, Flask, Django"
(cd "$ROOT" && timeout "$BUILD_TIMEOUT" cargo build --quiet -p corsguard-tower --example errors)
timeout "$BUILD_TIMEOUT" "${CARGO_TARGET_DIR:-$ROOT/target}/demo/python" -m pip install --quiet \
  --disable-pip-version-check -r "$E2E/fixtures/errors/requirements.txt"

# --- run ------------------------------------------------------------------------
# Every server the tests start is noted here; whatever happens to the test
# run, their process groups are killed on the way out.
pids=$(mktemp -d)
cleanup() {
  local file pid
  for file in "$pids"/*; do
    [ -e "$file" ] || continue
    pid=$(basename "$file")
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  rm -rf "$pids"
}
trap cleanup EXIT

step "node --test in Chromium: $RUNTIMES (at most ${TEST_TIMEOUT}s)"
start=$SECONDS
status=0
(
  cd "$E2E"
  E2E_PIDS_DIR=$pids E2E_RUNTIMES=$RUNTIMES timeout -k 10 "$TEST_TIMEOUT" \
    node --test --test-concurrency=1 --test-reporter=spec tests/
) || status=$?
if [ "$status" = 124 ]; then
  echo "e2e/test.sh: the browser tests did not finish within ${TEST_TIMEOUT}s" >&2
fi
echo
if [ "$status" = 0 ]; then
  echo "e2e: passed in $((SECONDS - start))s (runtimes: $RUNTIMES); screenshot: docs/demo.png"
else
  echo "e2e: FAILED after $((SECONDS - start))s (runtimes: $RUNTIMES)"
fi
exit "$status"
