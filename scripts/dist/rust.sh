#!/usr/bin/env bash
# Packages the crate meant for crates.io, `corsguard` (core/), as
# DIST_DIR/corsguard-<version>.crate: `cargo package` with its verification
# build (every feature), after checking that the package holds only core/'s
# own files (nothing from elsewhere in the workspace, no build output) and
# that core/README.md's example compiles and runs. Nothing is published.
#
#   scripts/dist/rust.sh DIST_DIR
set -euo pipefail

source "$(dirname "$0")/lib.sh"
dist_start "$@"
fail() { echo "scripts/dist/rust.sh: $*" >&2; exit 1; }

target=${CARGO_TARGET_DIR:-$root/target}
work="$target/dist-rust"
rm -rf "$work"
mkdir -p "$work"

# --- what the package holds ----------------------------------------------------
cargo package -p corsguard --allow-dirty --list >"$work/files" 2>"$work/list.err" ||
  { cat "$work/list.err" >&2; fail "cargo package --list failed"; }
# Written by cargo into every package, not taken from core/.
generated=(.cargo_vcs_info.json Cargo.lock Cargo.toml.orig)
# Links to the workspace's license files (core/LICENSE-* -> ../LICENSE-*).
licenses=(LICENSE-MIT LICENSE-APACHE)
core=$(cd core && pwd -P)
while IFS= read -r file; do
  case " ${generated[*]} " in *" $file "*) continue ;; esac
  case $file in
    /* | ../* | */../* | target/* | */target/* | node_modules/* | */node_modules/* | .git/*)
      fail "unexpected file in the package: $file" ;;
  esac
  [ -f "core/$file" ] || fail "the package lists $file, which core/ does not have"
  case " ${licenses[*]} " in
    *" $file "*) cmp -s "core/$file" "$file" || fail "core/$file is not the workspace's $file" ;;
    *)
      real=$(cd "$(dirname "core/$file")" && pwd -P)/$(basename "$file")
      [ -L "core/$file" ] && real=$(readlink -f "core/$file")
      case $real in "$core"/*) ;; *) fail "core/$file is outside core/ ($real)" ;; esac ;;
  esac
done <"$work/files"
for must in Cargo.toml README.md LICENSE-MIT LICENSE-APACHE src/lib.rs; do
  grep -qx "$must" "$work/files" || fail "the package has no $must"
done
echo "package files: $(wc -l <"$work/files"), all from core/"

# --- core/README.md's example, as a doctest -----------------------------------
cargo build -q -p corsguard
rustdoc --edition 2021 --test core/README.md --test-run-directory "$work" \
  --extern corsguard="$target/debug/libcorsguard.rlib" -L "$target/debug/deps" >"$work/readme.log" 2>&1 ||
  { cat "$work/readme.log" >&2; fail "core/README.md's example does not compile or run"; }
grep -q '^test result: ok. [1-9]' "$work/readme.log" || { cat "$work/readme.log" >&2; fail "no example run from core/README.md"; }
echo "core/README.md: $(grep '^test result' "$work/readme.log")"

# --- package and verify ----------------------------------------------------------
status=0
cargo package -p corsguard --allow-dirty --all-features >"$work/package.log" 2>&1 || status=$?
grep -v '^ *\(Compiling\|Downloaded\|Downloading\|Locking\|Adding\)' "$work/package.log" || true
[ "$status" = 0 ] || fail "cargo package failed"
# The one warning expected: the tests that read the workspace's vectors and
# examples are left out of the package (core/Cargo.toml's include).
unexpected=$(grep '^warning' "$work/package.log" |
  grep -v '^warning: ignoring test `\(vectors\|document\)` as `tests/\(vectors\|document\)\.rs` is not included in the published package$' || true)
[ -z "$unexpected" ] || fail "cargo package warned: $unexpected"
crate="$target/package/corsguard-$version.crate"
[ -f "$crate" ] || fail "no $crate"
# The archive holds exactly the listed files.
diff <(sed "s|^|corsguard-$version/|" "$work/files" | sort) <(tar -tzf "$crate" | sort) >&2 ||
  fail "$crate does not hold what cargo package --list says"
cp "$crate" "$dist/"
echo "$dist/corsguard-$version.crate: $(stat -c %s "$dist/corsguard-$version.crate") bytes"
