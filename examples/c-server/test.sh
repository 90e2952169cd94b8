#!/usr/bin/env bash
# Drives the libmicrohttpd example over real HTTP on loopback with curl:
# preflights (allowed and refused), allowed and denied actual requests, and
# requests a browser would never send.
#
# Usage: examples/c-server/test.sh <server binary> [port]
# Prints `server test: N checks, M failed`; exits non-zero on any failure.
set -uo pipefail

server=${1:?usage: test.sh <server binary> [port]}
port=${2:-$((20000 + $$ % 20000))}
base="http://127.0.0.1:$port"
frontend="http://localhost:3000"
work=$(mktemp -d)
checks=0
failed=0

"$server" "$port" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 50); do
  curl -s -o /dev/null "$base/api/items" && break
  sleep 0.1
done

# request NAME METHOD [curl args...]: sends one request, keeps status, headers, body.
request() {
  local name=$1 method=$2
  shift 2
  status=$(curl -s -X "$method" -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "$base/api/items")
  tr -d '\r' <"$work/headers" >"$work/headers.clean"
  current=$name
}

# header NAME: the value(s) of a response header, one per line.
header() {
  grep -i "^$1:" "$work/headers.clean" | sed -e "s/^[^:]*: *//"
}

check() {
  checks=$((checks + 1))
  if ! eval "$1"; then
    failed=$((failed + 1))
    echo "server test: $current: failed: $1" >&2
    sed 's/^/    /' "$work/headers.clean" >&2
  fi
}

origin=(-H "Origin: $frontend")

request "allowed preflight" OPTIONS "${origin[@]}" \
  -H "Access-Control-Request-Method: PUT" -H "Access-Control-Request-Headers: content-type, x-request-id"
check '[ "$status" = 204 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'
check '[ "$(header Access-Control-Allow-Credentials)" = true ]'
check '[ "$(header Access-Control-Allow-Methods)" = "GET, POST, PUT, DELETE" ]'
check '[ "$(header Access-Control-Allow-Headers)" = "content-type, x-request-id" ]'
check '[ "$(header Access-Control-Max-Age)" = 600 ]'
check '[ "$(header Vary)" = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" ]'
check '[ ! -s "$work/body" ]'

request "preflight with the request headers split over two lines" OPTIONS "${origin[@]}" \
  -H "Access-Control-Request-Method: DELETE" \
  -H "Access-Control-Request-Headers: content-type" -H "Access-Control-Request-Headers: x-request-id"
check '[ "$status" = 204 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'

request "preflight for a method not allowed" OPTIONS "${origin[@]}" -H "Access-Control-Request-Method: PATCH"
check '[ "$status" = 403 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'
check '[ -z "$(header Access-Control-Allow-Methods)" ]'

request "preflight for a header not allowed, on a second line" OPTIONS "${origin[@]}" \
  -H "Access-Control-Request-Method: PUT" \
  -H "Access-Control-Request-Headers: content-type" -H "Access-Control-Request-Headers: x-secret"
check '[ "$status" = 403 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'

request "preflight from an origin not allowed" OPTIONS -H "Origin: https://evil.example" \
  -H "Access-Control-Request-Method: PUT"
check '[ "$status" = 403 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'

request "preflight from a lookalike origin" OPTIONS -H "Origin: http://localhost:30000" \
  -H "Access-Control-Request-Method: PUT"
check '[ "$status" = 403 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'

request "allowed GET" GET "${origin[@]}"
check '[ "$status" = 200 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'
check '[ "$(header Access-Control-Allow-Credentials)" = true ]'
check '[ "$(header Access-Control-Expose-Headers)" = x-request-id ]'
check '[ "$(header Vary)" = "Accept-Encoding, Origin" ]'
check 'grep -q apple "$work/body"'

request "allowed POST" POST "${origin[@]}" -H "Content-Type: application/json" --data '{"name":"plum"}'
check '[ "$status" = 200 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'
check 'grep -q "\"ok\":true" "$work/body"'

request "GET from an origin not allowed" GET -H "Origin: https://evil.example"
check '[ "$status" = 200 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'
check '[ -z "$(header Access-Control-Allow-Credentials)" ]'
check '[ "$(header Vary)" = "Accept-Encoding, Origin" ]'

request "GET without Origin" GET
check '[ "$status" = 200 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'
check '[ "$(header Vary)" = "Accept-Encoding, Origin" ]'

request "origin with a non-UTF-8 byte" GET -H $'Origin: http://localhost:3000\xff'
check '[ "$status" = 200 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'

request "origin null" GET -H "Origin: null"
check '[ -z "$(header Access-Control-Allow-Origin)" ]'

commas=$(printf ',%.0s' $(seq 1 4000))
request "request headers with thousands of empty elements" OPTIONS "${origin[@]}" \
  -H "Access-Control-Request-Method: PUT" -H "Access-Control-Request-Headers: ${commas}content-type"
check '[ "$status" = 204 ]'
check '[ "$(header Access-Control-Allow-Headers)" = "content-type, x-request-id" ]'

request "plain OPTIONS with Origin goes to the application" OPTIONS "${origin[@]}"
check '[ "$status" = 405 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'

check 'grep -q "refused OPTIONS /api/items (method_not_allowed): the method \`PATCH\` is not allowed by the policy" "$work/server.err"'
current="server still running"
check 'kill -0 "$server_pid"'

echo "server test: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
