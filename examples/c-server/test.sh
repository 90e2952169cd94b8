#!/usr/bin/env bash
# Drives the libmicrohttpd demo server over real HTTP on loopback with curl,
# with the demo policy (examples/demo/policy.json): preflights (allowed and
# refused), allowed and denied actual requests, requests a browser would
# never send, the demo API's cookie, exposed-header and decision-log
# endpoints, the page and the files its playground loads (on both page
# ports), policy files the server must refuse, and a policy
# document with routes (a policy per path, and paths without CORS).
#
# Usage: examples/c-server/test.sh <server binary> [port]
# Prints `server test: N checks, M failed`; exits non-zero on any failure.
set -uo pipefail

server=${1:?usage: test.sh <server binary> [port]}
port=${2:-$((20000 + $$ % 20000))}
page_port=$((port + 1))
alt_page_port=$((port + 4))
base="http://127.0.0.1:$port"
frontend="http://localhost:3000"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export DEMO_POLICY="$here/../demo/policy.json" DEMO_PAGE="$here/../demo/index.html" DEMO_PAGE_PORT=$page_port \
  DEMO_ALT_PAGE_PORT=$alt_page_port
work=$(mktemp -d)
# Any bytes do for the explainer: the server serves the file as it is.
printf '\0asm\1\0\0\0' >"$work/explain.wasm"
export DEMO_WASM="$work/explain.wasm"
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
  curl -s -o /dev/null "$base/api/hello" && break
  sleep 0.1
done

# request NAME METHOD [curl args...]: sends one request to $path (default
# /api/items), keeps status, headers, body.
path=/api/items
request() {
  local name=$1 method=$2
  shift 2
  status=$(curl -s -m 10 -X "$method" -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "$base$path")
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
check '[ "$(header Access-Control-Allow-Methods)" = "GET, POST, PUT" ]'
check '[ "$(header Access-Control-Allow-Headers)" = "content-type, x-request-id" ]'
check '[ "$(header Access-Control-Max-Age)" = 600 ]'
check '[ "$(header Vary)" = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" ]'
check '[ ! -s "$work/body" ]'

request "preflight with the request headers split over two lines" OPTIONS "${origin[@]}" \
  -H "Access-Control-Request-Method: POST" \
  -H "Access-Control-Request-Headers: content-type" -H "Access-Control-Request-Headers: x-request-id"
check '[ "$status" = 204 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'

request "preflight for a method not allowed" OPTIONS "${origin[@]}" -H "Access-Control-Request-Method: PATCH"
check '[ "$status" = 403 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'
check '[ -z "$(header Access-Control-Allow-Methods)" ]'

path=/api/items/1
request "preflight for the demo's DELETE" OPTIONS "${origin[@]}" -H "Access-Control-Request-Method: DELETE"
check '[ "$status" = 403 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'
path=/api/items

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

path=/api/hello
request "allowed GET" GET "${origin[@]}"
check '[ "$status" = 200 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'
check '[ "$(header Access-Control-Allow-Credentials)" = true ]'
check '[ "$(header Access-Control-Expose-Headers)" = x-corsguard-demo ]'
check '[ "$(header Vary)" = "Accept-Encoding, Origin" ]'
check 'grep -q "\"runtime\":\"c\"" "$work/body"'

request "GET from the policy's other origin" GET -H "Origin: http://127.0.0.1:3000"
check '[ "$(header Access-Control-Allow-Origin)" = "http://127.0.0.1:3000" ]'
path=/api/items

request "allowed POST" POST "${origin[@]}" -H "Content-Type: application/json" --data '{"name":"plum"}'
check '[ "$status" = 201 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'
check 'grep -q "\"created\":\"teapot\"" "$work/body"'

path=/api/hello
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
path=/api/items

commas=$(printf ',%.0s' $(seq 1 4000))
request "request headers with thousands of empty elements" OPTIONS "${origin[@]}" \
  -H "Access-Control-Request-Method: PUT" -H "Access-Control-Request-Headers: ${commas}content-type"
check '[ "$status" = 204 ]'
check '[ "$(header Access-Control-Allow-Headers)" = "content-type, x-request-id" ]'

request "plain OPTIONS with Origin goes to the application" OPTIONS "${origin[@]}"
check '[ "$status" = 404 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'

# --- the demo API's own endpoints ------------------------------------------------
path=/api/login
request "login sets the session cookie" POST "${origin[@]}"
check '[ "$status" = 200 ]'
check '[ "$(header Set-Cookie)" = "demo_session=s3cr3t; Path=/; SameSite=Lax; HttpOnly" ]'
check '[ "$(header Access-Control-Allow-Credentials)" = true ]'

path=/api/me
request "the cookie is read back" GET "${origin[@]}" -H "Cookie: other=1; demo_session=s3cr3t"
check '[ "$(cat "$work/body")" = "{\"session\":\"s3cr3t\"}" ]'
request "no cookie, no session" GET "${origin[@]}"
check '[ "$(cat "$work/body")" = "{\"session\":\"\"}" ]'

path=/api/exposed
request "exposed and hidden headers" GET "${origin[@]}"
check '[ "$(header X-Corsguard-Demo)" = exposed-value ]'
check '[ "$(header X-Hidden)" = hidden-value ]'
check '[ "$(header Access-Control-Expose-Headers)" = x-corsguard-demo ]'

path=/api/nowhere
request "unknown route" GET "${origin[@]}"
check '[ "$status" = 404 ]'

path=/api/decisions
request "the decision log can be cleared" POST "${origin[@]}"
check '[ "$status" = 200 ]'
path=/api/case/c-test
request "the log is tagged with a case" POST "${origin[@]}"
path=/api/items/1
request "a refused preflight for the log" OPTIONS "${origin[@]}" -H "Access-Control-Request-Method: DELETE"
path=/api/hello
request "an allowed GET for the log" GET "${origin[@]}"
path=/api/decisions
request "the decision log" GET "${origin[@]}"
check '[ "$status" = 200 ]'
expected_log='[{"case":"c-test","method":"OPTIONS","path":"/api/items/1","outcome":"denied","reason":"the method `DELETE` is not allowed by the policy","headers":["Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]},{"case":"c-test","method":"GET","path":"/api/hello","outcome":"allowed","reason":null,"headers":["Access-Control-Allow-Origin: http://localhost:3000","Access-Control-Allow-Credentials: true","Access-Control-Expose-Headers: x-corsguard-demo","Vary: Origin"]}]'
check '[ "$(cat "$work/body")" = "$expected_log" ]'

current="the page"
page=$(curl -s -m 10 "http://127.0.0.1:$page_port/")
check 'grep -q "<title>corsguard demo</title>" <<<"$page"'
check 'grep -q "http://localhost:$port" <<<"$page" && ! grep -q "http://localhost:8080" <<<"$page"'
check '[ "$(curl -s -m 10 -o /dev/null -w "%{http_code}" "http://127.0.0.1:$page_port/nowhere")" = 404 ]'
check 'grep -q "http://localhost:$alt_page_port" <<<"$page" && ! grep -q "http://localhost:3001" <<<"$page"'

# The playground's files, on the page port and the second page port.
for served_port in "$page_port" "$alt_page_port"; do
  current="the playground's files on port $served_port"
  check '[ "$(curl -s -m 10 "http://127.0.0.1:$served_port/")" = "$page" ]'
  check 'curl -s -m 10 -o "$work/served.wasm" -D "$work/headers" "http://127.0.0.1:$served_port/corsguard-explain.wasm" && cmp -s "$work/served.wasm" "$DEMO_WASM"'
  tr -d '\r' <"$work/headers" >"$work/headers.clean"
  check 'grep -qi "^content-type: application/wasm$" "$work/headers.clean"'
  check 'curl -s -m 10 -o "$work/served.json" -D "$work/headers" "http://127.0.0.1:$served_port/policy.json" && cmp -s "$work/served.json" "$DEMO_POLICY"'
  tr -d '\r' <"$work/headers" >"$work/headers.clean"
  check 'grep -qi "^content-type: application/json$" "$work/headers.clean"'
done

check 'grep -q "refused OPTIONS /api/items (method_not_allowed): the method \`PATCH\` is not allowed by the policy" "$work/server.err"'
current="server still running"
check 'kill -0 "$server_pid"'

# refuses NAME FILE-CONTENT PATTERN: the server exits 1 with PATTERN on stderr.
refuses() {
  current=$1
  refused_pattern=$3
  printf '%s' "$2" >"$work/policy.json"
  DEMO_POLICY="$work/policy.json" DEMO_PAGE_PORT=0 timeout 10 "$server" "$((port + 2))" \
    >"$work/refused.out" 2>"$work/refused.err"
  refused_status=$?
  check '[ "$refused_status" = 1 ]'
  check 'grep -qF -- "$refused_pattern" "$work/refused.err"'
}
refuses "policy: * with credentials" '{"version": 1, "allowOrigins": ["*"], "allowCredentials": true}' \
  "(wildcard_origin_with_credentials): the policy document has 1 problem"
refuses "policy: a trailing slash" '{"version": 1, "allowOrigins": ["http://localhost:3000/"]}' \
  "/allowOrigins/0: "
refuses "policy: an unknown key" '{"version": 1, "allowOrigin": ["http://localhost:3000"]}' \
  "/allowOrigin: "
refuses "policy: every problem at once" \
  '{"version": 1, "allowOrigins": ["http://localhost:3000/"], "allowMethods": ["TRACE"]}' \
  "the policy document has 2 problems"
check 'grep -qF -- "[forbidden_method]" "$work/refused.err"'
refuses "policy: no version" '{"allowOrigins": ["http://localhost:3000"]}' "(missing_key)"
refuses "policy: not JSON" '{"version": 1, "allowOrigins": [' "invalid policy file"
check 'grep -qF -- "(invalid_json)" "$work/refused.err"'

# A policy document with routes: each path gets the policy its first
# matching rule names; a rule to null, or no rule, means no CORS at all.
cat >"$work/routed.json" <<'JSON'
{
  "version": 1,
  "allowOrigins": ["http://localhost:3000"],
  "allowMethods": ["GET", "POST"],
  "policies": {"open": {"allowOrigins": ["*"]}},
  "routes": [
    {"path": "/api/me", "policy": null},
    {"path": "/api/hello", "policy": "open"},
    {"path": "/api/**", "policy": "default"}
  ]
}
JSON
routed_port=$((port + 3))
DEMO_POLICY="$work/routed.json" DEMO_PAGE_PORT=0 "$server" "$routed_port" >"$work/routed.out" 2>"$work/routed.err" &
routed_pid=$!
saved_base=$base
base="http://127.0.0.1:$routed_port"
for _ in $(seq 1 50); do
  curl -s -o /dev/null "$base/api/hello" && break
  sleep 0.1
done

path=/api/hello
request "routes: /api/hello gets the open policy" GET -H "Origin: https://anywhere.example"
check '[ "$status" = 200 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "*" ]'
path=/api/items
request "routes: /api/items gets the default policy" OPTIONS "${origin[@]}" -H "Access-Control-Request-Method: POST"
check '[ "$status" = 204 ]'
check '[ "$(header Access-Control-Allow-Origin)" = "$frontend" ]'
request "routes: the default policy refuses another origin" OPTIONS -H "Origin: https://anywhere.example" \
  -H "Access-Control-Request-Method: POST"
check '[ "$status" = 403 ]'
check '[ -z "$(header Access-Control-Allow-Origin)" ]'
path=/api/me
request "routes: a rule to null sends no CORS headers" GET "${origin[@]}"
check '[ "$status" = 200 ]'
check '[ -z "$(grep -i "^access-control-" "$work/headers.clean")" ]'
check '[ "$(header Vary)" = Accept-Encoding ]'
request "routes: a preflight where CORS is off goes to the application" OPTIONS "${origin[@]}" \
  -H "Access-Control-Request-Method: GET"
check '[ -z "$(grep -i "^access-control-" "$work/headers.clean")" ]'
path=/api/../api/hello
request "routes: a .. segment matches no rule" GET --path-as-is -H "Origin: https://anywhere.example"
check '[ "$status" = 404 ]'
check '[ -z "$(grep -i "^access-control-" "$work/headers.clean")" ]'
path=/static/app.js
request "routes: a path no rule matches sends no CORS headers" GET "${origin[@]}"
check '[ "$status" = 404 ]'
check '[ -z "$(grep -i "^access-control-" "$work/headers.clean")" ]'
kill "$routed_pid" 2>/dev/null
wait "$routed_pid" 2>/dev/null
base=$saved_base

echo "server test: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
