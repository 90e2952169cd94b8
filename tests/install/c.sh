#!/usr/bin/env bash
# Installs the C tarball as a user without Rust would: extracts
# DIST_DIR/libcorsguard-<version>-<arch>-linux-gnu.tar.gz into a fresh
# directory, builds ffi-c/README.md's quick start through pkg-config against
# the shared library (rpath) and statically (pkg-config --static), runs both
# and compares with the output the README states, then builds
# examples/c-server (libmicrohttpd) against the tarball, starts it on a free
# loopback port with the demo policy and sends it preflights.
#
#   tests/install/c.sh DIST_DIR
set -euo pipefail

dist=${1:?usage: tests/install/c.sh DIST_DIR}
cd "$(dirname "$0")/../.."
root=$(pwd)
# shellcheck source=tests/install/lib.sh
. tests/install/lib.sh
dist=$(cd "$dist" 2>/dev/null && pwd) || { echo "tests/install/c.sh: no directory $1" >&2; exit 1; }

version=$(scripts/version.sh)
name="libcorsguard-$version"
tarball="$dist/$name-$(uname -m)-linux-gnu.tar.gz"
[ -f "$tarball" ] || { echo "tests/install/c.sh: $tarball is missing; run scripts/dist/c.sh $1 first" >&2; exit 1; }

# What a C user has: a compiler, make, pkg-config, curl, and libmicrohttpd
# for the example server (installed like examples/demo/build.sh does).
missing=()
command -v cc >/dev/null || missing+=(gcc)
command -v make >/dev/null || missing+=(make)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v curl >/dev/null || missing+=(curl)
pkg-config --exists libmicrohttpd 2>/dev/null || missing+=(libmicrohttpd-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]}"
    timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "tests/install/c.sh: missing ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
fi

# install_dir in this shell, not in $(...): its EXIT trap would remove the
# directory as soon as the command substitution ends.
dirfile=$(mktemp)
install_dir c >"$dirfile"
dir=$(cat "$dirfile")
rm -f "$dirfile"
PATH=$(path_without_rust)
export PATH
unset PKG_CONFIG_PATH CARGO_TARGET_DIR

# --- extract, as the tarball's README says --------------------------------------
# Its extract and pkg-config lines, run as written with HOME in the fresh dir
# (they extract into $HOME/opt and export PKG_CONFIG_PATH).
tar -xzOf "$tarball" "$name/README" | sed -n 's/^  \(\(mkdir\|export\|pkg-config\) .*\)$/\1/p' >"$dir/extract.sh"
grep -q '^mkdir .*tar -xzf' "$dir/extract.sh" && grep -q '^export PKG_CONFIG_PATH=' "$dir/extract.sh" ||
  { echo "tests/install/c.sh: no extract lines in $name/README" >&2; exit 1; }
printf 'echo "PKG_CONFIG_PATH=$PKG_CONFIG_PATH" >%q\n' "$dir/extract.env" >>"$dir/extract.sh"
cp "$tarball" "$dir/"
mkdir "$dir/home"
(cd "$dir" && HOME="$dir/home" timeout 120 bash -euo pipefail extract.sh)
prefix="$dir/home/opt/$name"
for f in include/corsguard.h lib/libcorsguard.a lib/pkgconfig/corsguard.pc LICENSE-MIT LICENSE-APACHE README; do
  [ -f "$prefix/$f" ] || { echo "tests/install/c.sh: the tarball has no $name/$f" >&2; exit 1; }
done
[ "$(cat "$dir/extract.env")" = "PKG_CONFIG_PATH=$prefix/lib/pkgconfig" ] ||
  { echo "tests/install/c.sh: the README's lines set $(cat "$dir/extract.env")" >&2; exit 1; }
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
echo "pkg-config corsguard $(pkg-config --modversion corsguard): $(pkg-config --cflags --libs corsguard)"
libdir=$(pkg-config --variable=libdir corsguard)
[ "$(cd "$libdir" && pwd -P)" = "$(cd "$prefix/lib" && pwd -P)" ] ||
  { echo "tests/install/c.sh: corsguard.pc points at $libdir, not the extracted tree" >&2; exit 1; }

# --- the README's quick start, shared and static -------------------------------
awk '/^```c$/ {inside=1; next} /^```$/ {if (inside) exit} inside' ffi-c/README.md >"$dir/app.c"
awk '/^```text$/ {inside=1; next} /^```$/ {if (inside) exit} inside' ffi-c/README.md >"$dir/expected"
[ -s "$dir/app.c" ] && [ -s "$dir/expected" ] ||
  { echo "tests/install/c.sh: no quick start (or its output) in ffi-c/README.md" >&2; exit 1; }
cd "$dir"
read -r -a cflags <<<"$(pkg-config --cflags corsguard)"
read -r -a libs <<<"$(pkg-config --libs corsguard)"
read -r -a static_libs <<<"$(pkg-config --static --libs corsguard | sed 's/-lcorsguard//')"
timeout 120 cc -Wall -Wextra -Werror -std=c99 app.c -o app "${cflags[@]}" "${libs[@]}" "-Wl,-rpath,$libdir"
timeout 120 cc -Wall -Wextra -Werror -std=c99 app.c -o app-static "${cflags[@]}" \
  -Wl,-Bstatic -lcorsguard -Wl,-Bdynamic "${static_libs[@]}"
# ldd into grep through a string, not a pipe: grep -q stops reading at the
# first match, and ldd's SIGPIPE would fail the pipeline (pipefail).
grep -q "libcorsguard.so.* => $libdir/" <<<"$(ldd app)" ||
  { ldd app >&2; echo "tests/install/c.sh: app does not load libcorsguard from the tarball" >&2; exit 1; }
if grep -q libcorsguard <<<"$(ldd app-static)"; then
  echo "tests/install/c.sh: app-static needs the shared library" >&2
  exit 1
fi
for program in app app-static; do
  timeout 10 "./$program" | tr -d '\r' | sed -e '/^$/d' >"$program.out"
  diff -u expected "$program.out"
  echo "$program ($(stat -c %s "$program") bytes) prints what ffi-c/README.md says"
done

# --- the tarball README's link lines, as written -----------------------------------
mapfile -t readme_lines < <(sed -n 's/^  \(cc .*\)$/\1/p' "$prefix/README")
[ ${#readme_lines[@]} -ge 2 ] || { echo "tests/install/c.sh: no cc lines in $name/README" >&2; exit 1; }
for line in "${readme_lines[@]}"; do
  rm -f app
  timeout 120 bash -euo pipefail -c "$line"
  timeout 10 ./app | tr -d '\r' | sed -e '/^$/d' >app.out
  diff -u expected app.out
  echo "$name/README: \`${line:0:60}...\` builds a program that prints what ffi-c/README.md says"
done

# --- examples/c-server against the tarball -------------------------------------
mkdir "$dir/c-server"
cp "$root/examples/c-server/Makefile" "$root/examples/c-server/server.c" "$dir/c-server/"
cp "$root/examples/demo/policy.json" "$dir/policy.json"
timeout 300 make -s -C "$dir/c-server"
grep -q "libcorsguard.so.* => $libdir/" <<<"$(ldd "$dir/c-server/corsguard-c-server")" ||
  { echo "tests/install/c.sh: the server does not load libcorsguard from the tarball" >&2; exit 1; }
port=$(free_port)
DEMO_POLICY="$dir/policy.json" DEMO_PAGE_PORT=0 DEMO_HOST=127.0.0.1 \
  start_server "$port" "$dir/server.log" "$dir/c-server/corsguard-c-server" "$port"
expect_preflight "http://127.0.0.1:$port/api/items" http://localhost:3000 PUT
# A refused origin must get no Access-Control-Allow-Origin at all.
refused=$(curl -sS --max-time 10 -o /dev/null -D - -X OPTIONS -H 'Origin: https://evil.example' \
  -H 'Access-Control-Request-Method: PUT' "http://127.0.0.1:$port/api/items" | tr -d '\r')
if printf '%s\n' "$refused" | grep -qi '^access-control-allow-origin:'; then
  printf '%s\n' "$refused" >&2
  echo "tests/install/c.sh: a preflight from https://evil.example was allowed" >&2
  exit 1
fi
echo "preflight from https://evil.example: $(printf '%s\n' "$refused" | head -n 1), no Access-Control-Allow-Origin"
echo "c install test: passed"
