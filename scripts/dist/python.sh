#!/usr/bin/env bash
# Builds the Python package's release artifacts into DIST_DIR: one abi3
# manylinux2014 wheel (cp39-abi3, CPython 3.9+) that pip installs with no
# compiler, and the sdist that builds from source with Rust. Checks the wheel
# with auditwheel and the sdist's file list, then prints each artifact's size.
# The pinned build tools (bindings-python/dist-requirements.txt) go into a venv
# under target/dist/. Usage: scripts/dist/python.sh DIST_DIR
set -euo pipefail

source "$(dirname "$0")/lib.sh"
dist_start "$@"

# The build tools, once; reinstalled when the pins change.
venv=$root/target/dist/python-venv
reqs=$root/bindings-python/dist-requirements.txt
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$reqs" "$venv/dist-requirements.txt"; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs"
  cp "$reqs" "$venv/dist-requirements.txt"
fi
# maturin finds zig as `python -m ziglang` of the interpreter on PATH.
export PATH="$venv/bin:$PATH"
# Shared with bindings-python/test.sh: dependencies are fetched and built once.
export CARGO_TARGET_DIR=$root/bindings-python/target

# A rerun replaces this version's artifacts, never leaves two wheels behind.
rm -f "$dist"/corsguard-"$version"-*.whl "$dist"/corsguard-"$version".tar.gz

# Linking against this machine's glibc (2.36) pulls in symbol versions up to
# GLIBC_2.34 (pthread_key_create, stat64, gettid, statx, getrandom...), which
# would make the wheel manylinux_2_34. Zig links against glibc 2.17's symbols,
# so the wheel installs on every manylinux2014 system.
maturin build --release --locked --zig --compatibility manylinux2014 \
  --manifest-path bindings-python/Cargo.toml --out "$dist"

wheels=("$dist"/corsguard-"$version"-*.whl)
if [ ${#wheels[@]} -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
  echo "dist python: expected one corsguard $version wheel in $dist, found: ${wheels[*]}" >&2
  exit 1
fi
wheel=${wheels[0]}
name=$(basename "$wheel" .whl)

# name-version-pythontag-abitag-platformtags: one wheel for every CPython >= 3.9.
IFS=- read -r _ wheel_version py_tag abi_tag platforms <<<"$name"
if [ "$wheel_version" != "$version" ] || [ "$py_tag" != cp39 ] || [ "$abi_tag" != abi3 ]; then
  echo "dist python: $name is not a cp39-abi3 wheel of version $version" >&2
  exit 1
fi
case ".$platforms." in
  *.manylinux_2_17_x86_64.*) ;;
  *) echo "dist python: $name does not carry the manylinux_2_17 tag" >&2; exit 1 ;;
esac

# auditwheel reads the extension's ELF symbol versions and names the platform
# tag they allow; it must be one the file name claims.
show=$(auditwheel show "$wheel")
printf '%s\n' "$show"
audited=$(printf '%s\n' "$show" | tr '\n' ' ' |
  sed -n 's/.*is consistent with the following platform tag: *"\([^"]*\)".*/\1/p')
case ".$platforms." in
  *".$audited."*) [ -n "$audited" ] ;;
  *) false ;;
esac || {
  echo "dist python: auditwheel says the wheel is \`${audited:-?}\`, its name claims $platforms" >&2
  exit 1
}

# The wheel's metadata takes its version from bindings-python/Cargo.toml.
meta_version=$(python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
meta = z.read(sys.argv[2] + "/METADATA").decode()
print(next(l.split(": ", 1)[1] for l in meta.splitlines() if l.startswith("Version: ")))' \
  "$wheel" "corsguard-$version.dist-info")
if [ "$meta_version" != "$version" ]; then
  echo "dist python: the wheel's METADATA says version $meta_version, Cargo.toml $version" >&2
  exit 1
fi

maturin sdist --manifest-path bindings-python/Cargo.toml --out "$dist"
sdist=$dist/corsguard-$version.tar.gz
[ -f "$sdist" ] || { echo "dist python: no sdist at $sdist" >&2; exit 1; }

# The sdist carries the binding, the core it builds from by path and the
# workspace manifest the core inherits its version from; nothing built or
# cached on this machine.
files=$(tar -tzf "$sdist")
for need in pyproject.toml Cargo.toml PKG-INFO bindings-python/Cargo.toml bindings-python/Cargo.lock \
  bindings-python/src/lib.rs core/Cargo.toml core/src/lib.rs python/corsguard/__init__.py python/corsguard/py.typed; do
  if ! grep -qxF "corsguard-$version/$need" <<<"$files"; then
    echo "dist python: the sdist lacks $need" >&2
    exit 1
  fi
done
if stray=$(grep -E '(^|/)(target|\.venv|__pycache__|\.pytest_cache|node_modules|\.git)(/|$)|\.(so|pyc|whl)$' <<<"$files"); then
  echo "dist python: the sdist holds files that are no source:" >&2
  printf '%s\n' "$stray" >&2
  exit 1
fi

for artifact in "$wheel" "$sdist"; do
  printf 'dist python: %s (%s bytes)\n' "${artifact#"$root"/}" "$(stat -c %s "$artifact")"
done
