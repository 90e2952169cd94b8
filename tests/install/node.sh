#!/usr/bin/env bash
# Installs the Node package as users would, with no Rust on PATH and npm's
# default script policy, and proves each app answers a preflight over
# loopback:
#
#   1. from the tarballs scripts/dist/node.sh made (the root package and the
#      platform package, as a registry would serve them) with Express 5: a
#      CommonJS app (`require('corsguard')`) and an ES module app
#      (`import cors from 'corsguard'`), each loading the platform package's
#      addon; then TypeScript type-checks an import of corsguard with
#      `"types": []` (and fails to without index.d.ts's reference directive);
#   2. from the checkout's folder (`npm install <checkout>/bindings-node`,
#      after `make -C bindings-node`), loading the addon built there.
#
#   tests/install/node.sh DIST_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
source tests/install/lib.sh
dist=${1:?usage: tests/install/node.sh DIST_DIR}
dist=$(cd "$dist" 2>/dev/null && pwd) || { echo "install test (node): no directory $1" >&2; exit 1; }

version=$(scripts/version.sh)
key=$(node -p "require('./bindings-node/lib/platform').platformKey()")
addon=corsguard.$key.node
root_tgz=$dist/corsguard-$version.tgz
platform_tgz=$dist/corsguard-$key-$version.tgz
for tgz in "$root_tgz" "$platform_tgz"; do
  [ -f "$tgz" ] || { echo "install test (node): $tgz is missing: run scripts/dist/node.sh $1 first" >&2; exit 1; }
done
# Pinned: the registry's current TypeScript 5 and the @types/node of Node 20.
TYPESCRIPT=typescript@5.9.3
TYPES_NODE=@types/node@20.19.43
ORIGIN=http://localhost:3000

norust=$(path_without_rust)
say() { printf '== install test (node): %s\n' "$*"; }
fail() { echo "install test (node): $*" >&2; exit 1; }

# npm with no Rust, bounded; its whole output is kept to be judged.
npm_install() {
  local log=$1
  shift
  PATH=$norust timeout 600 npm install --no-audit --no-fund "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "npm install $* failed"; }
  cat "$log"
  # npm 11 names scripts it ran or held back (install scripts, allow-scripts,
  # approve-builds...): corsguard must need none of them.
  if grep -Ei 'script|approve|rebuild|gyp|prebuild' "$log"; then
    fail "npm install printed a notice about scripts (above)"
  fi
  # npm 11's own list of install scripts awaiting approval must be empty (an
  # npm without the command has no such policy to ask).
  local listed
  if listed=$(PATH=$norust timeout 60 npm install-scripts ls 2>/dev/null); then
    echo "npm install-scripts ls: $listed"
    if printf '%s\n' "$listed" | grep -Eqi 'install scripts? not|has install scripts|have install scripts'; then
      fail "npm lists install scripts to approve"
    fi
  fi
}

# The addon file a running server mapped (its path, from /proc/PID/maps).
mapped_addon() {
  grep -o "/[^ ]*$addon" "/proc/$1/maps" | sort -u
}

# Another origin is not echoed back: the drop-in, as cors does with a fixed
# origin, answers with the configured origin, which the browser then refuses.
expect_denied() {
  local head
  head=$(curl -sS --max-time 10 -o /dev/null -D - -X OPTIONS -H "Origin: http://evil.example" \
    -H "Access-Control-Request-Method: PUT" "$1" | tr -d '\r')
  if printf '%s\n' "$head" | grep -qi '^access-control-allow-origin: http://evil.example$'; then
    printf '%s\n' "$head" >&2
    fail "$1 allowed http://evil.example"
  fi
  echo "preflight from http://evil.example to $1: not allowed"
}

# Starts `node FILE PORT` in DIR without Rust, sends the preflights, and
# checks that the server mapped the addon at EXPECTED_ADDON.
serve_and_check() {
  local dir=$1 file=$2 expected=$3 port pid mapped
  port=$(free_port)
  # No subshell: start_server records the pid for the cleanup. env execs node
  # in DIR, so the pid is the server's.
  start_server "$port" "$dir/$file.log" env -C "$dir" PATH="$norust" node "$file" "$port"
  pid=${INSTALL_PIDS[-1]}
  expect_preflight "http://127.0.0.1:$port/api" "$ORIGIN"
  expect_denied "http://127.0.0.1:$port/api"
  mapped=$(mapped_addon "$pid")
  [ "$mapped" = "$expected" ] || fail "$file loaded the addon \`$mapped\`, expected \`$expected\`"
  echo "$file loaded $mapped"
  kill "$pid"
}

say "1. the tarballs, with Express 5"
app=$(install_dir node-registry)
(cd "$app" && PATH=$norust npm init -y >/dev/null)
(cd "$app" && npm_install "$app/npm-install.log" express@5 "$root_tgz" "$platform_tgz")
[ -z "$(find "$app/node_modules/corsguard" -name '*.node')" ] || fail "node_modules/corsguard holds an addon"
[ -f "$app/node_modules/corsguard-$key/$addon" ] || fail "node_modules/corsguard-$key has no $addon"
for pkg in corsguard "corsguard-$key"; do
  node -e '
    const s = require(process.argv[1]).scripts || {};
    const run = Object.keys(s).filter((k) => /^(pre|post)?install$|^prepare$/.test(k));
    if (run.length) { console.error(process.argv[1] + " has scripts: " + run); process.exit(1); }
  ' "$app/node_modules/$pkg/package.json" || fail "$pkg has an install script"
done
resolved=$(cd "$app" && PATH=$norust node -p "require.resolve('corsguard-$key')")
[ "$resolved" = "$app/node_modules/corsguard-$key/$addon" ] || fail "corsguard-$key resolves to $resolved"
echo "require.resolve('corsguard-$key'): $resolved"
plugin=$(cd "$app" && PATH=$norust node -p "typeof require('corsguard/fastify')")
[ "$plugin" = function ] || fail "require('corsguard/fastify') is a $plugin, not the Fastify plugin"
echo "require('corsguard/fastify'): a $plugin"

cat >"$app/server.js" <<'JS'
// The cors drop-in, as an app that used `cors` writes it.
const express = require('express');
const cors = require('corsguard');

const app = express();
app.use(cors({ origin: 'http://localhost:3000', credentials: true }));
app.put('/api', (req, res) => res.json({ ok: true }));
app.listen(Number(process.argv[2]), '127.0.0.1');
JS
cat >"$app/server.mjs" <<'JS'
// The same app as an ES module.
import express from 'express';
import cors from 'corsguard';

const app = express();
app.use(cors({ origin: 'http://localhost:3000', credentials: true }));
app.put('/api', (req, res) => res.json({ ok: true }));
app.listen(Number(process.argv[2]), '127.0.0.1');
JS
serve_and_check "$app" server.js "$app/node_modules/corsguard-$key/$addon"
serve_and_check "$app" server.mjs "$app/node_modules/corsguard-$key/$addon"

say "1b. TypeScript with \"types\": [] ($TYPESCRIPT, $TYPES_NODE)"
(cd "$app" && npm_install "$app/npm-install-ts.log" --save-dev "$TYPESCRIPT" "$TYPES_NODE")
cat >"$app/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "types": []
  },
  "files": ["app.ts"]
}
JSON
cat >"$app/app.ts" <<'TS'
import * as http from 'node:http';
import cors, { Policy } from 'corsguard';

const dropIn = cors({ origin: 'http://localhost:3000', credentials: true });
const strict = new Policy({ allowOrigins: ['http://localhost:3000'] }).middleware();

const server = http.createServer((req, res) => {
  dropIn(req, res, (err?: unknown) => {
    if (err) throw err;
    strict(req, res, () => res.end('ok'));
  });
});
server.listen(0, '127.0.0.1', () => server.close());
TS
tsc() { (cd "$app" && PATH=$norust timeout 300 ./node_modules/.bin/tsc -p .); }
tsc || fail "tsc -p . failed on an import of corsguard with \"types\": []"
echo "tsc -p .: no errors"
# The directive is what makes it pass: without it the same project fails.
types=$app/node_modules/corsguard/index.d.ts
cp "$types" "$app/index.d.ts.orig"
grep -q '^/// <reference types="node" />' "$types" || fail "index.d.ts has no reference to the Node types"
sed -i '/^\/\/\/ <reference types="node" \/>/d' "$types"
if out=$(tsc 2>&1); then
  fail "tsc passed without index.d.ts's reference directive: the check proves nothing"
fi
printf '%s\n' "$out" | grep -q "Cannot find module 'http'\|Cannot find module 'node:http'" ||
  { printf '%s\n' "$out" >&2; fail "tsc failed, but not for the Node types"; }
echo "without the reference directive, tsc fails: $(printf '%s\n' "$out" | grep -c 'error TS') errors"
cp "$app/index.d.ts.orig" "$types"
tsc || fail "tsc -p . failed after restoring index.d.ts"

say "2. the checkout's folder (npm install <checkout>/bindings-node)"
[ -f "bindings-node/$addon" ] || fail "bindings-node/$addon is missing: run make -C bindings-node first"
folder=$(install_dir node-folder)
(cd "$folder" && PATH=$norust npm init -y >/dev/null)
(cd "$folder" && npm_install "$folder/npm-install.log" "$ROOT/bindings-node")
cat >"$folder/server.js" <<'JS'
// The drop-in on plain node:http: the folder install brings no Express.
const http = require('node:http');
const cors = require('corsguard');

const middleware = cors({ origin: 'http://localhost:3000', credentials: true });
http
  .createServer((req, res) => middleware(req, res, () => res.end('ok')))
  .listen(Number(process.argv[2]), '127.0.0.1');
JS
serve_and_check "$folder" server.js "$ROOT/bindings-node/$addon"
say "ok"
