#!/usr/bin/env bash
# Builds libcorsguard (release), installs it into a staging prefix with
# `make -C ffi-c install RELOCATABLE=1` and packs it as
# DIST_DIR/libcorsguard-<version>-x86_64-linux-gnu.tar.gz:
#   libcorsguard-<version>/include/corsguard.h
#   libcorsguard-<version>/lib/libcorsguard.a, libcorsguard.so* (links kept)
#   libcorsguard-<version>/lib/pkgconfig/corsguard.pc (found from wherever it is)
#   libcorsguard-<version>/LICENSE-MIT, LICENSE-APACHE, README
# Prints the tarball and the size of each library in it.
#
#   scripts/dist/c.sh DIST_DIR
set -euo pipefail

source "$(dirname "$0")/lib.sh"
dist_start "$@"
[ -n "$version" ] || { echo "scripts/dist/c.sh: no version in Cargo.toml" >&2; exit 1; }
# The triple names what the libraries run on: this build's host.
triple=$(dist_triple)
name="libcorsguard-$version"
tarball="$dist/$name-$triple.tar.gz"

stage="${CARGO_TARGET_DIR:-$root/target}/dist-c"
rm -rf "$stage"
mkdir -p "$stage/$name"
make -s -C ffi-c install PREFIX=/ DESTDIR="$stage/$name" RELOCATABLE=1 >/dev/null
cp LICENSE-MIT LICENSE-APACHE "$stage/$name/"
soname=$(readelf -d "$stage/$name/lib/libcorsguard.so.$version" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ -L "$stage/$name/lib/$soname" ] || { echo "scripts/dist/c.sh: no link named after the SONAME \`$soname\`" >&2; exit 1; }
cat >"$stage/$name/README" <<README
libcorsguard $version for $triple: the C library of corsguard
(https://github.com/corsguard/corsguard), one validated CORS implementation.
Licensed under MIT OR Apache-2.0 (LICENSE-MIT, LICENSE-APACHE).

  include/corsguard.h         the API, every function documented
  lib/libcorsguard.a          static library
  lib/libcorsguard.so*        shared library (SONAME $soname)
  lib/pkgconfig/corsguard.pc  pkg-config file; it finds the tree wherever it is

Extract it anywhere, say into \$HOME/opt, and point pkg-config at it:

  mkdir -p \$HOME/opt && tar -xzf $name-$triple.tar.gz -C \$HOME/opt
  export PKG_CONFIG_PATH=\$HOME/opt/$name/lib/pkgconfig
  pkg-config --cflags --libs corsguard

Shared: the rpath lets the program find libcorsguard.so at run time.

  cc app.c -o app \$(pkg-config --cflags --libs corsguard) -Wl,-rpath,\$(pkg-config --variable=libdir corsguard)

Static (the program then needs nothing from this tree at run time):

  cc app.c -o app \$(pkg-config --cflags corsguard) -Wl,-Bstatic -lcorsguard -Wl,-Bdynamic \$(pkg-config --static --libs corsguard | sed 's/-lcorsguard//')

Or copy lib/ and include/ into a prefix of your own (/usr/local: then run
ldconfig, and neither PKG_CONFIG_PATH nor the rpath is needed); the
pkg-config file keeps working there. The libraries are stripped.
README

pack_tarball "$stage" "$name" "$tarball"

size() { stat -c %s "$1"; }
echo "$tarball: $(size "$tarball") bytes"
for lib in "$stage/$name"/lib/libcorsguard.*; do
  if [ -L "$lib" ]; then
    echo "  lib/$(basename "$lib") -> $(readlink "$lib")"
  else
    echo "  lib/$(basename "$lib"): $(size "$lib") bytes"
  fi
done
