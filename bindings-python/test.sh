#!/usr/bin/env bash
# Builds and installs the Python package into bindings-python/.venv, installs
# the pinned test dependencies and runs the test suites. Exits non-zero on
# any failure. Needs Python 3.9+ (PYTHON, default python3), Rust and PyPI.
# `--install-only` stops after the install (`make bench` uses the venv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
venv="$here/.venv"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/tests/requirements.txt"

# Our own target directory: builds are cached between runs and never wait
# for the workspace's cargo lock.
export CARGO_TARGET_DIR="$here/target"
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$here"

if [ "${1:-}" = "--install-only" ]; then
    exit 0
fi

cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests "$@"
