#!/usr/bin/env bash
# Installs the `corsguard` command from its tarball as a user without Rust
# would: extracts DIST_DIR/corsguard-cli-<version>-<arch>-linux-gnu.tar.gz
# into a fresh directory, then lints the demo's policy (clean: exit 0) and a
# broken one (exit 1, each error with its path, rule and fix), explains a
# refused origin against the demo's policy (exit 1, the fix), and probes a
# plain HTTP server on loopback that sends no CORS headers (exit 1, the
# mistake named).
#
#   tests/install/cli.sh DIST_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/install/lib.sh
dist=${1:?usage: tests/install/cli.sh DIST_DIR}
dist=$(cd "$dist" 2>/dev/null && pwd) || { echo "install test (cli): no directory $1" >&2; exit 1; }
version=$(scripts/version.sh)
tarball="$dist/corsguard-cli-$version-$(uname -m)-linux-gnu.tar.gz"
[ -f "$tarball" ] || { echo "install test (cli): $tarball is missing; run scripts/dist/cli.sh $1 first" >&2; exit 1; }
fail() { echo "install test (cli): $*" >&2; exit 1; }

norust=$(path_without_rust)
dir=$(install_dir cli)
tar -xzf "$tarball" -C "$dir"
bin="$dir/corsguard-cli-$version/bin/corsguard"
cp "$root/examples/demo/policy.json" "$dir/policy.json"
printf '%s\n' '{"version": 1, "allowOrigins": ["https://app.example.com/"], "allowCredentials": true, "allowMethod": ["PUT"]}' >"$dir/broken.json"

cd "$dir"
said=$(PATH=$norust "$bin" --version)
[ "$said" = "corsguard $version" ] || fail "--version says \`$said\`"
out=$(PATH=$norust "$bin" lint policy.json) || fail "lint of the demo policy exited $?: $out"
[ "$out" = "policy.json: no errors, no findings (policies: default)" ] || fail "lint said: $out"
echo "$out"
status=0
out=$(PATH=$norust "$bin" lint broken.json) || status=$?
[ "$status" = 1 ] || fail "lint of a broken policy exited $status, not 1: $out"
printf '%s\n' "$out"
grep -qx 'error\[malformed_origin\] /allowOrigins/0' <<<"$out" || fail "no malformed_origin error"
grep -qx 'error\[unknown_key\] /allowMethod' <<<"$out" || fail "no unknown_key error"
grep -q '^  fix:  did you mean `allowMethods`?$' <<<"$out" || fail "no fix for the unknown key"
status=0
out=$(PATH=$norust "$bin" explain policy.json --origin http://localhost:3001 --url http://localhost:8080/api/hello) || status=$?
[ "$status" = 1 ] || fail "explain of a refused origin exited $status, not 1: $out"
grep -qx '  fix: add `http://localhost:3001` to allowOrigins' <<<"$out" || fail "explain gave no fix: $out"
echo "explain: $(grep -m1 '^verdict:' <<<"$out")"
port=$(free_port)
start_server "$port" "$dir/http-server.log" python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir"
status=0
out=$(PATH=$norust "$bin" probe "http://127.0.0.1:$port/policy.json" --origin http://localhost:3000 --timeout 5) || status=$?
[ "$status" = 1 ] || fail "probe of a server without CORS exited $status, not 1: $out"
grep -q '^mistake \[no_cors_headers\]' <<<"$out" || fail "probe did not name no_cors_headers: $out"
echo "probe: $(grep -m1 '^verdict:' <<<"$out")"
ldd "$bin" >"$dir/ldd.txt" 2>&1 || true
if grep -q corsguard "$dir/ldd.txt"; then fail "the binary needs a corsguard library at run time"; fi
echo "install cli: the tarball's corsguard runs without Rust: it lints as the loader does, explains and probes"
