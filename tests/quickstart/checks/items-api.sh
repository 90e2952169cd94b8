# What the README's FastAPI and Express quick starts serve, on port $1 (the
# checks python.sh and node.sh run this): a preflight from the allowed
# origin is answered and allowed, one from another origin is not allowed,
# and a GET /items from the allowed origin reaches the app.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../install/lib.sh"
url="http://127.0.0.1:$1/items"
expect_preflight "$url" http://localhost:3000 POST
if curl -sS --max-time 10 -o /dev/null -D - -X OPTIONS -H 'Origin: https://evil.test' \
    -H 'Access-Control-Request-Method: POST' "$url" | grep -qi '^access-control-allow-origin:'; then
  echo "the quick start allowed https://evil.test" >&2
  exit 1
fi
echo "preflight from https://evil.test: not allowed"
curl -sS --max-time 10 -H 'Origin: http://localhost:3000' "$url" | grep -qx '\[{"id":1}\]'
echo "GET /items from http://localhost:3000: answered by the app"
