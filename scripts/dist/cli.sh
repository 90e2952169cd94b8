#!/usr/bin/env bash
# Builds the `corsguard` command (cli/, release, stripped) and packs it as
# DIST_DIR/corsguard-cli-<version>-<arch>-linux-gnu.tar.gz:
#   corsguard-cli-<version>/bin/corsguard
#   corsguard-cli-<version>/README.md, LICENSE-MIT, LICENSE-APACHE
# Prints the tarball and the binary's size.
#
#   scripts/dist/cli.sh DIST_DIR
set -euo pipefail

source "$(dirname "$0")/lib.sh"
dist_start "$@"
name="corsguard-cli-$version"
tarball="$dist/$name-$(dist_triple).tar.gz"
target=${CARGO_TARGET_DIR:-$root/target}
stage="$target/dist-cli"

cargo build --release --locked --quiet -p corsguard-cli
rm -rf "$stage"
mkdir -p "$stage/$name/bin"
install -m 755 "$target/release/corsguard" "$stage/$name/bin/corsguard"
strip --strip-unneeded "$stage/$name/bin/corsguard"
# cp -L: the crate's license files are links to the repository's.
cp -L cli/README.md cli/LICENSE-MIT cli/LICENSE-APACHE "$stage/$name/"
said=$("$stage/$name/bin/corsguard" --version)
[ "$said" = "corsguard $version" ] || { echo "scripts/dist/cli.sh: the binary says \`$said\`, not corsguard $version" >&2; exit 1; }

pack_tarball "$stage" "$name" "$tarball"
echo "$tarball: $(stat -c %s "$tarball") bytes"
echo "  bin/corsguard: $(stat -c %s "$stage/$name/bin/corsguard") bytes"
