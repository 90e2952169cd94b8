#!/usr/bin/env bash
# `make demo`: builds one demo server and runs the two-origin scenario, the
# page on http://localhost:3000 (and again on http://localhost:3001, a second
# origin for the page's playground) and the corsguard-protected API on
# http://localhost:8080, until Ctrl-C.
#
#   examples/demo/run.sh [node|python|c|rust]     (make demo RUNTIME=...)
#
# Without a runtime: Node (Express + the addon) when it builds, else Rust.
# DEMO_PAGE_PORT, DEMO_ALT_PAGE_PORT (0: none) and DEMO_API_PORT change the
# ports; DEMO_POLICY the policy file (examples/demo/policy.json).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runtime=${1:-${RUNTIME:-}}
page_port=${DEMO_PAGE_PORT:-3000}
alt_page_port=${DEMO_ALT_PAGE_PORT:-$((page_port + 1))}
api_port=${DEMO_API_PORT:-8080}

if [ -z "$runtime" ]; then
  runtime=node
  if ! "$HERE/build.sh" node; then
    echo "make demo: the Node server does not build here; running the Rust server instead" >&2
    runtime=rust
    "$HERE/build.sh" rust || exit 1
  fi
else
  "$HERE/build.sh" "$runtime" || exit 1
fi

server_pid=
stop() {
  trap - INT TERM EXIT
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    echo
    echo "stopping the $runtime server"
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  exit 0
}
trap stop INT TERM EXIT

echo "== corsguard demo: the $runtime server (make demo RUNTIME=node|python|c|rust)"
"$HERE/serve.sh" "$runtime" &
server_pid=$!

# Wait (bounded) until the API answers, then say where to go.
for _ in $(seq 1 100); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid"
    status=$?
    server_pid=
    echo "make demo: the $runtime server stopped (exit status $status)" >&2
    trap - EXIT
    exit 1
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$api_port") 2>/dev/null && break
  sleep 0.1
done
origins="this page, http://127.0.0.1:$page_port or a sandboxed null frame"
[ "$alt_page_port" != 0 ] && origins="this page, http://localhost:$alt_page_port, http://127.0.0.1:$page_port or a sandboxed null frame"
cat <<EOF

  Open http://localhost:$page_port/ in a browser: the page calls the API at
  http://localhost:$api_port (another origin) and shows what the browser allowed or
  blocked, next to what corsguard decided on the server.

  Below it, the playground: pick the page's origin ($origins),
  a method, headers and credentials; the browser sends the request for real, and
  corsguard's explainer (the core compiled to WebAssembly) says why it is allowed
  or blocked, and the fix.

  Ctrl-C stops the server.
EOF
wait "$server_pid"
status=$?
server_pid=
trap - EXIT
exit "$status"
