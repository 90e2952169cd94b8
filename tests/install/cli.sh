#!/usr/bin/env bash
# Installs the `corsguard` command from its tarball as a user without Rust
# would: extracts DIST_DIR/corsguard-cli-<version>-<arch>-linux-gnu.tar.gz
# into a fresh directory, then lints the demo's policy (clean: exit 0) and a
# broken one (exit 1, each error with its path, rule and fix).
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
ldd "$bin" >"$dir/ldd.txt" 2>&1 || true
if grep -q corsguard "$dir/ldd.txt"; then fail "the binary needs a corsguard library at run time"; fi
echo "install cli: the tarball's corsguard runs without Rust and lints as the loader does"
