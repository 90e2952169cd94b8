#!/usr/bin/env bash
# The C library's whole test: header freshness, install, C tests plainly,
# under valgrind and under ASan+UBSan, the conformance vectors through the C
# API, and the libmicrohttpd example server over loopback.
#
#   ffi-c/test.sh               run everything (installs Debian packages and
#                               cbindgen first when run as root and missing)
#   ffi-c/test.sh --regenerate  rewrite include/corsguard.h, then run everything
#
# Ends with `c tests: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
REGENERATE=0
[ "${1:-}" = "--regenerate" ] && REGENERATE=1

step() { printf '\n== %s\n' "$*"; }

# --- what the tests need -------------------------------------------------------
packages=(libmicrohttpd-dev pkg-config valgrind curl)
# gcc and make come with the build environment; installed too if absent.
command -v gcc >/dev/null || packages+=(gcc)
command -v make >/dev/null || packages+=(make)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  else
    echo "ffi-c/test.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
fi
export PATH="$HOME/.cargo/bin:$PATH"
# The checked-in header is compared byte for byte, so pin the generator.
CBINDGEN_VERSION=0.29.4
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]; then
  step "installing cbindgen $CBINDGEN_VERSION"
  cargo install cbindgen --version "$CBINDGEN_VERSION" --locked --quiet --force
fi

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK="$TARGET/ffi-c-test"
PREFIX="$WORK/prefix"
BIN="$WORK/bin"
rm -rf "$WORK"
mkdir -p "$BIN"

# --- build, header, install ------------------------------------------------------
step "building libcorsguard"
cargo build --release -p corsguard-ffi --lib --quiet

step "checking include/corsguard.h"
cbindgen --quiet --config ffi-c/cbindgen.toml --crate corsguard-ffi --output "$WORK/corsguard.h" ffi-c
if ! cmp -s "$WORK/corsguard.h" include/corsguard.h; then
  if [ "$REGENERATE" = 1 ]; then
    cp "$WORK/corsguard.h" include/corsguard.h
    echo "include/corsguard.h regenerated"
  else
    diff -u include/corsguard.h "$WORK/corsguard.h" | head -40 >&2 || true
    echo "ffi-c/test.sh: include/corsguard.h is stale; run ffi-c/test.sh --regenerate and commit it" >&2
    exit 1
  fi
fi
echo "include/corsguard.h is up to date"

step "installing into $PREFIX"
make -s -C ffi-c install PREFIX="$PREFIX" CARGO="cargo" >/dev/null
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
pkg-config --exists corsguard
echo "pkg-config corsguard $(pkg-config --modversion corsguard): $(pkg-config --cflags --libs corsguard)"

step "transcribing the conformance vectors"
cargo run --release --quiet -p corsguard-ffi --example vectors_to_lines -- tests/vectors tests/vectors/routes "$WORK/vectors.lines"
echo "$(grep -c '^case ' "$WORK/vectors.lines") cases"

# --- compile -------------------------------------------------------------------
step "compiling the C tests (-Wall -Wextra -Werror -std=c99)"
CFLAGS=(-Wall -Wextra -Werror -std=c99 -g -O1 -pthread)
SANITIZE=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags corsguard)"
read -r -a PKG_LIBS <<<"$(pkg-config --libs corsguard)"
RPATH="-Wl,-rpath,$(pkg-config --variable=libdir corsguard)"
# The README's quick start, exactly as written.
awk '/^```c$/ {inside=1; next} /^```$/ {if (inside) exit} inside' ffi-c/README.md >"$WORK/quickstart.c"
[ -s "$WORK/quickstart.c" ] || { echo "no C quick start found in ffi-c/README.md" >&2; exit 1; }
# ... and the output the README says it prints.
awk '/^```text$/ {inside=1; next} /^```$/ {if (inside) exit} inside' ffi-c/README.md >"$WORK/quickstart.expected"
# The README's document loader, its second C program.
awk '/^```c$/ {n++; if (n == 2) {inside=1; next}} /^```$/ {if (inside) exit} inside' ffi-c/README.md >"$WORK/loader.c"
[ -s "$WORK/loader.c" ] || { echo "no document loader example found in ffi-c/README.md" >&2; exit 1; }
# The README's routes example, its third C program, and the output it says
# it prints (the second text block).
awk '/^```c$/ {n++; if (n == 3) {inside=1; next}} /^```$/ {if (inside) exit} inside' ffi-c/README.md >"$WORK/routes_example.c"
[ -s "$WORK/routes_example.c" ] || { echo "no routes example found in ffi-c/README.md" >&2; exit 1; }
awk '/^```text$/ {n++; if (n == 2) {inside=1; next}} /^```$/ {if (inside) exit} inside' ffi-c/README.md >"$WORK/routes_example.expected"
[ -s "$WORK/routes_example.expected" ] || { echo "no output of the routes example found in ffi-c/README.md" >&2; exit 1; }
routes_example() {
  "$@" | tr -d '\r' | sed -e '/^$/d' >"$WORK/routes_example.out" || return 1
  diff -u "$WORK/routes_example.expected" "$WORK/routes_example.out" && echo "prints what ffi-c/README.md says"
}
printf '%s' '{"version": 1, "allowOrigins": ["http://localhost:3000/"], "allowMethods": ["TRACE"]}' >"$WORK/bad-policy.json"
loader() {
  "$@" examples/demo/policy.json >"$WORK/loader.out" || return 1
  grep -qx 'examples/demo/policy.json: loaded' "$WORK/loader.out" || return 1
  local status=0
  "$@" "$WORK/bad-policy.json" >/dev/null 2>"$WORK/loader.err" || status=$?
  # Refused: exit 1, and stderr is the problems alone, in order, with paths.
  [ "$status" = 1 ] || { echo "the loader example exited $status on a bad document" >&2; return 1; }
  cat "$WORK/loader.err"
  [ "$(cut -d: -f1 "$WORK/loader.err" | tr '\n' ' ')" = "/allowOrigins/0 /allowMethods/0 " ] || return 1
  echo "loads the demo policy and reports a bad document's problems"
}
# Every policy document of examples/: every JSON file there but npm's manifests
# and what builds leave (node_modules, cargo's target, hidden directories).
mapfile -t policy_documents < <(find examples \( -name node_modules -o -name target -o -name '.?*' \) -prune \
  -o -type f -name '*.json' ! -name package.json ! -name package-lock.json -print | sort)
[ ${#policy_documents[@]} -gt 0 ] || { echo "no policy document found under examples/" >&2; exit 1; }
echo "policy documents under examples/: ${policy_documents[*]}"
quickstart() {
  "$@" | tr -d '\r' | sed -e '/^$/d' >"$WORK/quickstart.out" || return 1
  diff -u "$WORK/quickstart.expected" "$WORK/quickstart.out" && echo "prints what ffi-c/README.md says"
}
# The README's install and link lines (the first sh block of its Install
# section), run as written in a fresh HOME with the quick start as app.c: the
# shared build must find the library through its rpath, the static one must
# not need it.
awk '/^## Install$/ {section=1} section && /^```sh$/ {inside=1; next} inside && /^```$/ {exit} inside' \
  ffi-c/README.md >"$WORK/install-lines.sh"
grep -q 'pkg-config --static' "$WORK/install-lines.sh" ||
  { echo "no static link line in the Install section of ffi-c/README.md" >&2; exit 1; }
README_HOME=$(mktemp -d "${TMPDIR:-/tmp}/corsguard-readme-home.XXXXXX")
trap 'rm -rf "$README_HOME"' EXIT
readme_install() {
  local app="$README_HOME/app"
  mkdir -p "$app"
  # `make -C ffi-c` as written: the checkout's ffi-c seen from the app's directory.
  ln -sfn "$ROOT/ffi-c" "$app/ffi-c"
  cp "$WORK/quickstart.c" "$app/app.c"
  # Only HOME moves: cargo and rustup keep finding their own homes.
  (cd "$app" && env HOME="$README_HOME" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" \
    RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" PKG_CONFIG_PATH= bash -euo pipefail "$WORK/install-lines.sh") || return 1
  grep -q "libcorsguard.so.0.1 => $README_HOME/.local/lib/" <<<"$(ldd "$app/app")" ||
    { ldd "$app/app"; echo "app does not load libcorsguard from \$HOME/.local/lib" >&2; return 1; }
  if grep -q libcorsguard <<<"$(ldd "$app/app-static")"; then
    echo "app-static needs the shared library" >&2
    return 1
  fi
  quickstart "$app/app" && quickstart "$app/app-static"
}

sources=(ffi-c/tests/c/test_api.c ffi-c/tests/c/test_document.c ffi-c/tests/c/test_routes.c ffi-c/tests/c/test_vectors.c ffi-c/tests/c/test_threads.c
  ffi-c/tests/c/test_stack.c ffi-c/tests/c/test_free.c ffi-c/tests/c/test_examples.c
  "$WORK/quickstart.c" "$WORK/loader.c" "$WORK/routes_example.c")
for src in "${sources[@]}"; do
  name=$(basename "$src" .c)
  gcc "${CFLAGS[@]}" -Iffi-c/tests/c "$src" "${PKG_CFLAGS[@]}" "${PKG_LIBS[@]}" "$RPATH" -o "$BIN/$name"
  gcc "${CFLAGS[@]}" "${SANITIZE[@]}" -Iffi-c/tests/c "$src" "${PKG_CFLAGS[@]}" "${PKG_LIBS[@]}" "$RPATH" -o "$BIN/$name.asan"
done
# Static: libcorsguard.a, with what pkg-config --static adds.
read -r -a STATIC_LIBS <<<"$(pkg-config --static --libs corsguard | sed 's/-lcorsguard//')"
gcc "${CFLAGS[@]}" -Iffi-c/tests/c ffi-c/tests/c/test_static.c "${PKG_CFLAGS[@]}" \
  -Wl,-Bstatic -lcorsguard -Wl,-Bdynamic "${STATIC_LIBS[@]}" -o "$BIN/test_static"
if grep -q libcorsguard <<<"$(ldd "$BIN/test_static")"; then
  echo "test_static is linked against the shared library" >&2
  exit 1
fi

# --- run -----------------------------------------------------------------------
passed=0
failed=0
failures=()
run() {
  local label=$1
  shift
  local start=$SECONDS
  if "$@" >"$WORK/run.log" 2>&1; then
    passed=$((passed + 1))
    printf 'ok    %-36s %3ss  %s\n' "$label" $((SECONDS - start)) "$(tail -n 1 "$WORK/run.log")"
  else
    failed=$((failed + 1))
    failures+=("$label")
    printf 'FAIL  %s\n' "$label"
    tail -n 40 "$WORK/run.log" | sed 's/^/      /'
  fi
}

VALGRIND=(valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

step "running the C tests"
for mode in plain valgrind asan; do
  case $mode in
    plain) prefix=(); suffix="" ;;
    valgrind) prefix=("${VALGRIND[@]}"); suffix="" ;;
    asan) prefix=(); suffix=".asan" ;;
  esac
  threads=20000
  [ "$mode" = valgrind ] && threads=2000
  run "test_api ($mode)" "${prefix[@]}" "$BIN/test_api$suffix"
  run "test_document ($mode)" "${prefix[@]}" "$BIN/test_document$suffix"
  run "test_routes ($mode)" "${prefix[@]}" "$BIN/test_routes$suffix"
  run "test_vectors ($mode)" "${prefix[@]}" "$BIN/test_vectors$suffix" "$WORK/vectors.lines"
  run "test_threads ($mode)" "${prefix[@]}" "$BIN/test_threads$suffix" "$threads"
  # Every class built on a 64 KiB thread stack, within the 16 KiB bound.
  run "test_stack ($mode)" "${prefix[@]}" "$BIN/test_stack$suffix" 64 16
  heap=()
  [ "$mode" = plain ] && heap=(--require-heap)
  run "test_free ($mode)" "${prefix[@]}" "$BIN/test_free$suffix" "${heap[@]}"
  run "quickstart ($mode)" quickstart "${prefix[@]}" "$BIN/quickstart$suffix"
  run "loader example ($mode)" loader "${prefix[@]}" "$BIN/loader$suffix"
  run "routes example ($mode)" routes_example "${prefix[@]}" "$BIN/routes_example$suffix"
  run "test_examples ($mode)" "${prefix[@]}" "$BIN/test_examples$suffix" "${policy_documents[@]}"
done
run "test_static (plain)" "$BIN/test_static"
run "README install lines" readme_install
run "test_static (valgrind)" "${VALGRIND[@]}" "$BIN/test_static"

step "the libmicrohttpd example server"
make -s -C examples/c-server OUT="$BIN/corsguard-c-server"
run "examples/c-server (curl)" examples/c-server/test.sh "$BIN/corsguard-c-server"

echo
if [ "$failed" -gt 0 ]; then
  echo "failed: ${failures[*]}"
fi
echo "c tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
