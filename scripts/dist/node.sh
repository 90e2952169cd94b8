#!/usr/bin/env bash
# Builds the Node package the napi-rs way into DIST_DIR (npm pack):
#
#   corsguard-<version>.tgz             the JS, its types, README and licenses;
#                                       no addon, no Rust, no install script;
#                                       optionalDependencies: the platform package
#   corsguard-<key>-<version>.tgz       the release addon corsguard.<key>.node
#                                       alone, with os/cpu/libc so npm installs it
#                                       only where it runs (key: linux-x64-gnu here)
#
# Both are staged under the addon's cargo target dir (never in the source
# tree); bindings-node/package.json is the single source of the version.
# Fails when a tarball holds anything it must not.
#
#   scripts/dist/node.sh DIST_DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
dist_start "$@"
ROOT=$root

echo "== dist node: the release addon (make -C bindings-node)"
make -C bindings-node
addon=$(make -s -C bindings-node print-addon)
key=${addon#corsguard.}
key=${key%.node}
# The addon's cargo target dir; a relative CARGO_TARGET_DIR is relative to
# where cargo ran (bindings-node).
target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target=$ROOT/bindings-node/$target ;; esac
stage=$target/npm-stage
rm -rf "$stage"
mkdir -p "$stage/main" "$stage/platform"

# The root package: what lib/native.js and the entry points need at run time.
cp bindings-node/index.js bindings-node/index.mjs bindings-node/index.d.ts bindings-node/fastify.js bindings-node/fastify.d.ts bindings-node/README.md "$stage/main/"
cp -R bindings-node/lib "$stage/main/lib"
for license in LICENSE LICENSE-MIT LICENSE-APACHE; do
  for from in bindings-node/$license $license; do
    if [ -f "$from" ]; then
      cp "$from" "$stage/main/"
      break
    fi
  done
done
cp "bindings-node/$addon" "$stage/platform/$addon"

# The Cargo profile strips symbols; strip here only what it did not.
if command -v file >/dev/null; then
  described=$(file -b "$stage/platform/$addon")
  echo "addon: $described"
  case $described in
    *"not stripped"*) strip --strip-unneeded "$stage/platform/$addon" ;;
  esac
elif command -v strip >/dev/null; then
  strip --strip-unneeded "$stage/platform/$addon"
fi

# Both package.json files come from bindings-node/package.json: name,
# version, license and repository are written once.
node - "$ROOT/bindings-node/package.json" "$stage" "$key" "$addon" <<'JS'
const fs = require('node:fs');
const path = require('node:path');
const [source, stage, key, addon] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(source, 'utf8'));
const write = (dir, json) => fs.writeFileSync(path.join(stage, dir, 'package.json'), JSON.stringify(json, null, 2) + '\n');
const platformName = `${pkg.name}-${key}`;

const root = { ...pkg };
delete root.scripts; // nothing runs at install: the addon comes prebuilt
delete root.devDependencies;
// npm packs LICENSE on its own, not LICENSE-MIT or LICENSE-APACHE: name them.
const licenses = fs.readdirSync(path.join(stage, 'main')).filter((f) => /^LICEN[CS]E/.test(f));
root.files = ['index.js', 'index.mjs', 'index.d.ts', 'fastify.js', 'fastify.d.ts', 'lib/', ...licenses];
root.optionalDependencies = { [platformName]: pkg.version };
write('main', root);

// os/cpu/libc: npm skips the package (an optional dependency) elsewhere.
const [os, cpu, abi] = key.split('-');
const platform = {
  name: platformName,
  version: pkg.version,
  description: `The ${key} native addon of ${pkg.name} (installed by ${pkg.name} as an optional dependency)`,
  license: pkg.license,
  ...(pkg.repository ? { repository: pkg.repository } : {}),
  os: [os],
  cpu: [cpu],
  ...(os === 'linux' ? { libc: [abi && abi.startsWith('musl') ? 'musl' : 'glibc'] } : {}),
  main: addon,
  files: [addon],
  engines: pkg.engines,
};
write('platform', platform);
fs.writeFileSync(
  path.join(stage, 'platform', 'README.md'),
  `# ${platformName}\n\nThe prebuilt native addon (\`${addon}\`, built from the corsguard Rust core with napi-rs) ` +
    `that \`${pkg.name}\` loads on ${key}. Do not install it yourself: \`npm install ${pkg.name}\` installs it ` +
    'as an optional dependency on this platform only, with no compiler and no install script.\n'
);
JS

# npm pack, then print the tarball, its size and its files as npm lists them.
pack() {
  local dir=$1 json
  json=$(cd "$dir" && npm pack --json --pack-destination "$dist" 2>/dev/null)
  node -e '
    const [r] = JSON.parse(process.argv[1]);
    const fs = require("node:fs");
    const size = fs.statSync(process.argv[2] + "/" + r.filename).size;
    console.log(`${process.argv[2]}/${r.filename}: ${size} bytes (${r.entryCount} files, unpacked ${r.unpackedSize} bytes)`);
    for (const f of r.files) console.log(`  ${String(f.size).padStart(9)}  ${f.path}`);
    fs.writeFileSync(process.argv[3], r.filename);
  ' "$json" "$dist" "$dir/.tarball"
}
echo "== dist node: npm pack"
pack "$stage/main"
pack "$stage/platform"
root_tgz=$dist/$(cat "$stage/main/.tarball")
platform_tgz=$dist/$(cat "$stage/platform/.tarball")

# The tarballs themselves, not the staging dirs, are what must be right.
fail() { echo "dist node: $*" >&2; exit 1; }
root_files=$(tar -tzf "$root_tgz")
if printf '%s\n' "$root_files" | grep -E '\.node$|\.rs$|Cargo\.(toml|lock)$|build\.rs$'; then
  fail "$root_tgz holds an addon or Rust sources (above)"
fi
for license in LICENSE LICENSE-MIT LICENSE-APACHE; do
  if [ -f "$stage/main/$license" ] && ! printf '%s\n' "$root_files" | grep -qx "package/$license"; then
    fail "$root_tgz lacks $license"
  fi
done
tar -xzOf "$root_tgz" package/package.json | node -e '
  const pkg = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
  const scripts = Object.keys(pkg.scripts || {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s));
  if (scripts.length) { console.error("root package has install scripts: " + scripts); process.exit(1); }
  const want = process.argv[1], wantVersion = process.argv[2];
  if ((pkg.optionalDependencies || {})[want] !== wantVersion) {
    console.error(`root package: optionalDependencies lacks ${want}@${wantVersion}`); process.exit(1);
  }
' "corsguard-$key" "$(node -p "require('./bindings-node/package.json').version")" || fail "$root_tgz: bad package.json"
expected=$(printf '%s\n' package/package.json package/README.md "package/$addon" | sort)
actual=$(tar -tzf "$platform_tgz" | sort)
[ "$expected" = "$actual" ] || fail "$platform_tgz holds:
$actual
expected:
$expected"
tar -xzOf "$platform_tgz" package/package.json | node -e '
  const pkg = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
  if (pkg.scripts && Object.keys(pkg.scripts).length) { console.error("platform package has scripts"); process.exit(1); }
' || fail "$platform_tgz: bad package.json"
echo "dist node: ok"
