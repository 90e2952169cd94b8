# Shared by the scripts/dist/*.sh (sourced: source "$(dirname "$0")/lib.sh").

# The start of every dist script: dist_start "$@". Needs one argument,
# DIST_DIR (relative to the repository root, or absolute); moves to the
# repository root and sets root (that directory), dist (DIST_DIR, made,
# absolute) and version (scripts/version.sh), with cargo on PATH.
dist_start() {
  [ $# -eq 1 ] || { echo "usage: ${0##*/} DIST_DIR" >&2; exit 2; }
  cd "$(dirname "$0")/../.."
  root=$PWD
  mkdir -p "$1"
  dist=$(cd "$1" && pwd)
  version=$(scripts/version.sh)
  export PATH="$HOME/.cargo/bin:$PATH"
}

# A Linux tarball's platform suffix: this build's host, `x86_64-linux-gnu`.
dist_triple() {
  [ "$(uname -s)" = Linux ] || { echo "${0##*/}: builds the Linux tarballs only" >&2; return 1; }
  printf '%s-linux-gnu\n' "$(uname -m)"
}

# Packs STAGE/NAME as TARBALL (.tar.gz), the same bytes for the same commit:
# fixed owners, order and times, and no name or time in the gzip header.
# pack_tarball STAGE NAME TARBALL
pack_tarball() {
  local stage=$1 name=$2 tarball=$3 mtime
  mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -cf - "$name" |
    gzip -9n >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
}
