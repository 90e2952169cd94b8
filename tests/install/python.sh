#!/usr/bin/env bash
# Installs the Python artifacts of DIST_DIR (scripts/dist/python.sh) the way a
# user does, in fresh directories outside the checkout:
#  1. with no Rust on PATH, pip installs the wheel and pinned FastAPI/uvicorn
#     from binaries only (nothing is compiled), the native Policy loads, and a
#     FastAPI app with corsguard's CORSMiddleware answers preflights from
#     uvicorn over loopback;
#  2. with Rust on PATH, pip builds the sdist from source, and the module it
#     built judges a preflight.
# Usage: tests/install/python.sh DIST_DIR
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
# shellcheck source=tests/install/lib.sh
. tests/install/lib.sh

if [ $# -ne 1 ]; then
  echo "usage: $0 DIST_DIR" >&2
  exit 2
fi
dist=$(cd "$1" 2>/dev/null && pwd) || { echo "install python: no directory $1" >&2; exit 1; }
version=$(scripts/version.sh)
wheels=("$dist"/corsguard-"$version"-cp39-abi3-manylinux*.whl)
sdist=$dist/corsguard-$version.tar.gz
if [ ${#wheels[@]} -ne 1 ] || [ ! -f "${wheels[0]}" ] || [ ! -f "$sdist" ]; then
  echo "install python: $dist lacks the corsguard $version abi3 manylinux wheel or sdist; run scripts/dist/python.sh $1" >&2
  exit 1
fi
wheel=${wheels[0]}
# The versions bindings-python/tests/requirements.txt tests against.
app_deps=(fastapi==0.165.0 starlette==1.10.0 uvicorn==0.54.0)
pip_opts=(--disable-pip-version-check --no-input --timeout 60)

# Proves the installed package (not the checkout's sources) loads its native
# module and that a strict policy judges a preflight.
check_native() {
  local python=$1 where=$2
  (cd "$where" && "$python" - "$where" <<'EOF'
import sys

import corsguard
import corsguard._native as native

prefix = sys.argv[1]
assert native.__file__.startswith(prefix), native.__file__
assert native.__file__.endswith(".abi3.so"), native.__file__

policy = corsguard.Policy.from_json(
    '{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["GET", "PUT"]}'
)
d = policy.evaluate("OPTIONS", origin="http://localhost:3000", request_method="PUT")
assert d.allowed and d.status == 204, (d.outcome, d.status)
assert ("Access-Control-Allow-Origin", "http://localhost:3000") in d.headers, d.headers
d = policy.evaluate("OPTIONS", origin="http://evil.test", request_method="PUT")
assert d.outcome == "denied" and d.reason_code == "origin_not_allowed", (d.outcome, d.reason_code)
try:
    corsguard.Policy.from_json('{"version": 1, "allowOrigins": ["*"], "allowCredentials": true}')
except corsguard.DocumentError as e:
    assert [p.code for p in e.errors] == ["wildcard_origin_with_credentials"], e.errors
else:
    raise AssertionError("a wildcard origin with credentials loaded")
print(f"native policy from {native.__file__}: preflight allowed, evil.test denied, bad document refused")
EOF
  )
}

# 1. The wheel, with no Rust and no builds.
no_rust_path=$(path_without_rust)
app=$(install_dir python-wheel)
PATH=$no_rust_path python3 -m venv "$app/venv"
log=$app/pip.log
# --only-binary=:all: makes pip refuse every sdist: nothing is compiled.
if ! PATH=$no_rust_path timeout 600 "$app/venv/bin/python" -m pip install "${pip_opts[@]}" \
  --only-binary=:all: "$wheel" "${app_deps[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "install python: pip could not install the wheel and ${app_deps[*]} from binaries" >&2
  exit 1
fi
if grep -E 'Building wheel|setup.py|Preparing metadata \(pyproject' "$log" >&2; then
  echo "install python: pip built something from source" >&2
  exit 1
fi
# pip installed our wheel file itself, under the tag it carries.
tag=$(sed -n 's/^Tag: //p' "$app"/venv/lib/python3*/site-packages/corsguard-"$version".dist-info/WHEEL | head -n 1)
case $tag in
  cp39-abi3-manylinux*) echo "installed $(basename "$wheel") as $tag with no Rust on PATH" ;;
  *) echo "install python: the installed corsguard is tagged \`$tag\`" >&2; exit 1 ;;
esac
PATH=$no_rust_path check_native "$app/venv/bin/python" "$app"

cat >"$app/main.py" <<'EOF'
from fastapi import FastAPI

from corsguard.asgi import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_methods=["GET", "PUT"],
    allow_credentials=True,
)


@app.get("/items")
def items():
    return [{"id": 1}]
EOF
port=$(free_port)
PATH=$no_rust_path start_server "$port" "$app/uvicorn.log" \
  timeout 120 "$app/venv/bin/python" -m uvicorn main:app --app-dir "$app" --host 127.0.0.1 --port "$port"
url=http://127.0.0.1:$port/items
expect_preflight "$url" http://localhost:3000 PUT
# Another origin, and a method the app does not allow, are refused as Starlette
# refuses them: 400, and no Access-Control-Allow-Origin for another origin.
for probe in "http://evil.test PUT" "http://localhost:3000 DELETE"; do
  read -r origin method <<<"$probe"
  head=$(curl -sS --max-time 10 -o /dev/null -D - -X OPTIONS -H "Origin: $origin" \
    -H "Access-Control-Request-Method: $method" "$url" | tr -d '\r')
  status=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$head")
  if [ "$status" != 400 ] || { [ "$origin" != http://localhost:3000 ] &&
    grep -qi '^access-control-allow-origin:' <<<"$head"; }; then
    echo "install python: the preflight from $origin for $method was not refused:" >&2
    printf '%s\n' "$head" >&2
    exit 1
  fi
  echo "preflight from $origin for $method: refused with $status"
done
head=$(curl -sS --max-time 10 -D - -H "Origin: http://localhost:3000" "$url" | tr -d '\r')
if ! grep -qix 'access-control-allow-origin: http://localhost:3000' <<<"$head" ||
  ! grep -qix 'access-control-allow-credentials: true' <<<"$head" || ! grep -qxF '[{"id":1}]' <<<"$head"; then
  echo "install python: GET $url from http://localhost:3000 was not allowed with credentials:" >&2
  printf '%s\n' "$head" >&2
  exit 1
fi
echo "GET from http://localhost:3000: allowed with credentials, body [{\"id\":1}]"

# 2. The sdist, built from source with Rust. Its own target dir under the
# repo's target/: the dependencies compile once across runs.
src=$(install_dir python-sdist)
python3 -m venv "$src/venv"
log=$src/pip.log
if ! CARGO_TARGET_DIR=$root/target/install/python-sdist timeout 1500 "$src/venv/bin/python" -m pip install \
  "${pip_opts[@]}" --no-cache-dir -v "$sdist" >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "install python: pip could not build and install $(basename "$sdist")" >&2
  exit 1
fi
# A real build from the sdist's sources, not a wheel found somewhere.
if ! grep -q 'Compiling corsguard-python' "$log"; then
  tail -n 30 "$log" >&2
  echo "install python: pip installed $(basename "$sdist") without compiling it" >&2
  exit 1
fi
echo "built and installed $(basename "$sdist") from source"
check_native "$src/venv/bin/python" "$src"
echo "install python: the wheel and the sdist install and work"
