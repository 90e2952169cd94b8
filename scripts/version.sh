#!/usr/bin/env bash
# The one version of every package, set in one place: `version` under
# [workspace.package] in the root Cargo.toml. Everything else follows it:
# the core and ffi-c crates inherit it, the C soname and corsguard.pc are
# derived from it at build time, the wheel's version comes from
# bindings-python/Cargo.toml (pyproject's version is dynamic), and the npm
# platform packages are generated from bindings-node/package.json.
#
#   scripts/version.sh              prints the version
#   scripts/version.sh --check      fails when a manifest disagrees (make lint)
#   scripts/version.sh --set X.Y.Z  writes X.Y.Z into every manifest
set -euo pipefail
cd "$(dirname "$0")/.."

workspace_version() {
  sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1
}

# file  what-it-holds  the version found there (empty when none)
manifests() {
  printf '%s\t%s\t%s\n' \
    bindings-python/Cargo.toml "[package] version" \
      "$(sed -n '/^\[package\]/,/^\[/s/^version = "\(.*\)"/\1/p' bindings-python/Cargo.toml | head -n 1)" \
    bindings-node/Cargo.toml "[package] version" \
      "$(sed -n '/^\[package\]/,/^\[/s/^version = "\(.*\)"/\1/p' bindings-node/Cargo.toml | head -n 1)" \
    bindings-node/package.json '"version"' \
      "$(node -p 'require("./bindings-node/package.json").version' 2>/dev/null || sed -n 's/^  "version": "\(.*\)",$/\1/p' bindings-node/package.json)"
  # ffi-c's dependency on the core names the version a registry would resolve.
  printf '%s\t%s\t%s\n' ffi-c/Cargo.toml "corsguard-core dependency version" \
    "$(sed -n 's/^corsguard-core = {.* version = "\([^"]*\)".*/\1/p' ffi-c/Cargo.toml | head -n 1)"
  # The lock files' record of the core (builds run --locked).
  for lock in Cargo.lock bindings-python/Cargo.lock bindings-node/Cargo.lock fuzz/Cargo.lock; do
    [ -f "$lock" ] || continue
    printf '%s\t%s\t%s\n' "$lock" "corsguard package" \
      "$(sed -n '/^name = "corsguard"$/{n;s/^version = "\(.*\)"$/\1/p;}' "$lock" | head -n 1)"
  done
  # The C header's version macros (cbindgen copies them from ffi-c/src/lib.rs).
  local part
  for file in ffi-c/src/lib.rs include/corsguard.h; do
    printf '%s\t%s\t%s\n' "$file" "CORSGUARD_VERSION_MAJOR.MINOR.PATCH" "$(
      for part in MAJOR MINOR PATCH; do
        sed -n "s/.*CORSGUARD_VERSION_$part\(: u32 =\)\{0,1\} \([0-9]*\);\{0,1\}\$/\2/p" "$file" | head -n 1
      done | paste -sd.)"
  done
  # The platform packages the root npm package depends on, when it lists them.
  node -e '
    const pkg = require("./bindings-node/package.json");
    for (const [name, range] of Object.entries(pkg.optionalDependencies || {}))
      console.log(["bindings-node/package.json", "optionalDependencies." + name, range].join("\t"));
  ' 2>/dev/null || true
}

version=$(workspace_version)
[ -n "$version" ] || { echo "version.sh: no version under [workspace.package] in Cargo.toml" >&2; exit 1; }

case ${1:-} in
  "")
    echo "$version"
    ;;
  --check)
    bad=0
    while IFS=$'\t' read -r file what found; do
      if [ "$found" != "$version" ]; then
        echo "version.sh: $file $what is \`$found\`, the workspace version is \`$version\`; run scripts/version.sh --set $version" >&2
        bad=1
      fi
    done < <(manifests)
    if grep -q '^version *=' bindings-python/pyproject.toml; then
      echo "version.sh: bindings-python/pyproject.toml sets a version; it must be dynamic (from Cargo.toml)" >&2
      bad=1
    fi
    for crate in core ffi-c cli; do
      grep -q '^version.workspace = true' "$crate/Cargo.toml" || {
        echo "version.sh: $crate/Cargo.toml must inherit the version (version.workspace = true)" >&2
        bad=1
      }
    done
    grep -q "^## \[$version\]" CHANGELOG.md || {
      echo "version.sh: CHANGELOG.md has no \`## [$version]\` section" >&2
      bad=1
    }
    [ "$bad" = 0 ] && echo "version $version: every manifest agrees"
    exit "$bad"
    ;;
  --set)
    new=${2:?usage: scripts/version.sh --set X.Y.Z}
    [[ $new =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "version.sh: \`$new\` is not a semantic version" >&2; exit 2; }
    sed -i "/^\[workspace.package\]/,/^\[/s/^version = \".*\"/version = \"$new\"/" Cargo.toml
    for file in bindings-python/Cargo.toml bindings-node/Cargo.toml; do
      sed -i "/^\[package\]/,/^\[/s/^version = \".*\"/version = \"$new\"/" "$file"
    done
    sed -i "s/^\(corsguard-core = {.* version = \"\)[^\"]*\"/\1$new\"/" ffi-c/Cargo.toml
    IFS=. read -r major minor patch <<<"${new%%-*}"
    for part in MAJOR:$major MINOR:$minor PATCH:$patch; do
      sed -i "s/^pub const CORSGUARD_VERSION_${part%%:*}: u32 = [0-9]*;/pub const CORSGUARD_VERSION_${part%%:*}: u32 = ${part#*:};/" ffi-c/src/lib.rs
      sed -i "s/^#define CORSGUARD_VERSION_${part%%:*} [0-9]*\$/#define CORSGUARD_VERSION_${part%%:*} ${part#*:}/" include/corsguard.h
    done
    node -e '
      const fs = require("fs");
      const file = "bindings-node/package.json";
      const v = process.argv[1];
      // Edits the text, not a re-serialized object, so the file keeps its layout.
      let text = fs.readFileSync(file, "utf8").replace(/^  "version": "[^"]*"/m, `  "version": "${v}"`);
      text = text.replace(/("optionalDependencies": \{)([^}]*)\}/, (all, head, body) =>
        head + body.replace(/(: *)"[^"]*"/g, `$1"${v}"`) + "}");
      fs.writeFileSync(file, text);
    ' "$new"
    # The lock files record the workspace packages' versions; builds run --locked.
    for manifest in Cargo.toml bindings-python/Cargo.toml bindings-node/Cargo.toml fuzz/Cargo.toml; do
      [ -f "${manifest%Cargo.toml}Cargo.lock" ] || continue
      cargo update --quiet --workspace --manifest-path "$manifest"
    done
    echo "version set to $new in every manifest and lock file; add a \`## [$new]\` section to CHANGELOG.md"
    ;;
  *)
    echo "usage: scripts/version.sh [--check | --set X.Y.Z]" >&2
    exit 2
    ;;
esac
