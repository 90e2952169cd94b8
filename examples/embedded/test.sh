#!/usr/bin/env bash
# The core on an emulated Cortex-M4 (QEMU's mps2-an386), thumbv7em-none-eabihf:
#
#   1. `vectors`: every conformance vector of tests/vectors/, its policy
#      document parsed and built by the core's loader on the target into
#      small-class policies in statics, each decision compared with the
#      expectation; cases needing a larger class or a left-out feature are
#      counted by reason. Fails on a mismatch or an allocation in evaluate.
#   2. `device`: a policy built from a Config into a static with no allocator
#      in the image; the peak stack of construction and of evaluate, by stack
#      painting, checked against 8 KiB and 2 KiB; at opt-level "s" and "z".
#   3. The code and read-only data corsguard adds: `device` minus `baseline`
#      (the same image without corsguard), .text + .rodata, at "s" and "z",
#      and the largest symbols of that difference.
#   4. The C firmware (c/): libcorsguard.a (ffi-c) built for the target,
#      linked by arm-none-eabi-gcc with newlib; the policy built with
#      corsguard_policy_init in a static buffer, then corsguard_evaluate.
#
# Every QEMU run has a time limit; a hard fault or panic exits with failure
# through semihosting. Installs qemu-system-arm and gcc-arm-none-eabi
# and newlib (apt-get, when root and missing) and the Rust target (rustup).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

step() { printf '\n== %s\n' "$*"; }

# --- what the test needs ---------------------------------------------------------
packages=(qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    # A proof that did not run is not a pass (as ffi-c/test.sh does).
    echo "examples/embedded/test.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
fi
export PATH="$HOME/.cargo/bin:$PATH"
rustup target list --installed | grep -qx thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf

# This crate's own target directory, whatever the caller's CARGO_TARGET_DIR.
export CARGO_TARGET_DIR="$PWD/target"
IMAGES=target/thumbv7em-none-eabihf
QEMU=(qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic
      -semihosting-config enable=on,target=native)

# Runs an image under QEMU with a time limit; its output is saved in $1.out.
run() {
  local image=$1 limit=$2 status=0
  timeout "$limit" "${QEMU[@]}" -kernel "$image" </dev/null | tee "$image.out" || status=$?
  if [ "$status" = 124 ]; then
    echo "test.sh: $image did not finish within $limit s" >&2
  elif [ "$status" != 0 ]; then
    echo "test.sh: $image failed (exit status $status)" >&2
  fi
  return "$status"
}

# .text + .rodata of an image, in bytes.
section() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { print $2 }'; }
code() { echo $(($(section "$1" .text) + $(section "$1" .rodata))); }

# --- 1. the vectors ----------------------------------------------------------------
step "building the vectors image (opt-level s)"
cargo build --release --features loader --bin vectors --quiet
step "the conformance vectors on the target"
run $IMAGES/release/vectors 120

# --- 2. the device image, 3. the code corsguard adds --------------------------------
for profile in release release-z; do
  step "building the device and baseline images ($profile)"
  cargo build --profile $profile --bin device --bin baseline --quiet
  step "the device policy on the target ($profile)"
  run $IMAGES/$profile/device 30
done

step "code and read-only data corsguard adds (device - baseline, .text + .rodata)"
for profile in release release-z; do
  level=$([ $profile = release ] && echo s || echo z)
  with=$(code $IMAGES/$profile/device)
  without=$(code $IMAGES/$profile/baseline)
  added=$((with - without))
  text=$(($(section $IMAGES/$profile/device .text) - $(section $IMAGES/$profile/baseline .text)))
  aim=$([ $added -le 16384 ] && echo "within" || echo "over")
  awk -v l="$level" -v a="$added" -v w="$with" -v b="$without" -v m="$aim" -v t="$text" 'BEGIN {
    printf "opt-level \"%s\": %d bytes (%.1f KiB: .text %d, .rodata %d; device %d, baseline %d); %s the 16 KiB aim\n", l, a, a / 1024, t, a - t, w, b, m }'
done
# The core avoids whole-entry copies the compiler turns into `memmove`
# calls (sort.rs): linking it would add about 1.5 KiB to this figure.
for profile in release release-z; do
  # grep reads all of nm's output (no -q): no SIGPIPE to hide a match under pipefail.
  if arm-none-eabi-nm -C $IMAGES/$profile/device | grep 'compiler_builtins::mem::memmove$' >/dev/null; then
    echo "test.sh: the device image ($profile) links memmove; a core change copies overlapping places" >&2
    exit 1
  fi
done
echo 'largest symbols of the device image at opt-level "z" that the baseline lacks:'
symbols() { arm-none-eabi-nm -S -t d --size-sort -C "$1" | awk '$3 ~ /^[tTrR]$/ { n = $4; for (i = 5; i <= NF; i++) n = n " " $i; print $2 + 0 "\t" n }'; }
symbols $IMAGES/release-z/baseline | cut -f2 | sort -u >$IMAGES/release-z/baseline.symbols
symbols $IMAGES/release-z/device | awk -F '\t' 'NR == FNR { seen[$0] = 1; next } !($2 in seen) { printf "  %6d  %s\n", $1, $2 }' \
  $IMAGES/release-z/baseline.symbols - | sort -rn | awk 'NR <= 20'  # reads all: no SIGPIPE under pipefail

# --- 4. the C firmware ---------------------------------------------------------------
step "building libcorsguard.a for thumbv7em-none-eabihf and the C firmware"
( cd ../.. && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/ffi" \
    cargo build -p corsguard-ffi --lib --target thumbv7em-none-eabihf --release --quiet 2>&1 \
    | grep -v -e "dropping unsupported crate type \`cdylib\`" -e "^$" || true )
lib=target/ffi/thumbv7em-none-eabihf/release/libcorsguard.a
mkdir -p target/c
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -std=c11 \
  -Wall -Wextra -Werror -ffunction-sections -fdata-sections -I ../../include \
  c/main.c c/startup.c "$lib" -T c/link.ld -nostartfiles --specs=nano.specs \
  -Wl,--gc-sections -Wl,--no-warn-rwx-segments -Wl,--no-warn-execstack \
  -Wl,-Map=target/c/device.map -o target/c/device
step "the C firmware on the target"
run target/c/device 30
c_code=$(code target/c/device)
echo "C firmware image: $c_code bytes of .text + .rodata (libcorsguard with the document loader, which the C configuration builder uses, and the psl feature)"
echo "embedded tests: 4 passed, 0 failed"
