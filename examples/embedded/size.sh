#!/usr/bin/env bash
# Builds the bare-metal staticlib and prints the code size corsguard adds
# (construction + evaluation, opt-level "s", LTO), the policy's RAM and the
# size of a decision, as the target lays them out.
set -euo pipefail
cd "$(dirname "$0")"
rustup target list --installed | grep -qx thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf
cargo build --release --target thumbv7em-none-eabihf -q
lib=target/thumbv7em-none-eabihf/release/libcorsguard_embedded_size.a
# The crate's own object holds corsguard after LTO; compiler_builtins is the
# toolchain's, linked by any program.
text=$(size "$lib" | awk '$6 ~ /^corsguard_embedded_size-/ { t += $1 } END { print t }')
echo "thumbv7em-none-eabihf, opt-level s + LTO: corsguard code (policy construction + evaluate): $text bytes of .text (before the final link drops unused sections)"
probe() { printf '%d' "0x$(nm -S --defined-only "$lib" 2>/dev/null | awk -v s="$1" '$4 == s { print $2 }')"; }
echo "RAM: Policy<8, 8, 1024> = $(probe CORSGUARD_POLICY_SIZE_PROBE) bytes; one Decision = $(probe CORSGUARD_DECISION_SIZE_PROBE) bytes"

# The stack: frame sizes from nightly's -Z emit-stack-sizes, summed along the
# deepest call chain (stack.py), for building a policy in place (rebuild) and
# for one evaluate. Needs the nightly toolchain with this target and
# llvm-tools, which rustup installs when missing.
if rustup toolchain list | grep -q '^nightly'; then
  rustup +nightly target list --installed | grep -qx thumbv7em-none-eabihf || rustup +nightly target add thumbv7em-none-eabihf
  rustup +nightly component list --installed | grep -q '^llvm-tools' || rustup +nightly component add llvm-tools
  stack_target=target/stack-sizes
  RUSTFLAGS="-Z emit-stack-sizes" CARGO_TARGET_DIR=$stack_target \
    cargo +nightly build --release --target thumbv7em-none-eabihf -q
  tools="$(rustc +nightly --print sysroot)/lib/rustlib/$(rustc +nightly -vV | awk '/^host:/ { print $2 }')/bin"
  stack=$(python3 stack.py "$tools" "$stack_target/thumbv7em-none-eabihf/release/libcorsguard_embedded_size.a" corsguard_build corsguard_evaluate)
  build_stack=$(awk '/^corsguard_build:/ { print $2 }' <<<"$stack")
  evaluate_stack=$(awk '/^corsguard_evaluate:/ { print $2 }' <<<"$stack")
  echo "stack (static bound over the call graph, nightly): building a policy in place (rebuild) $build_stack bytes; one evaluate $evaluate_stack bytes"
  # The bounds this project promises: 8 KiB to build, 2 KiB to evaluate.
  if [ "$build_stack" -gt 8192 ] || [ "$evaluate_stack" -gt 2048 ]; then
    echo "size.sh: stack over its bound (build <= 8192, evaluate <= 2048)" >&2
    exit 1
  fi
else
  echo "stack: not measured (needs the nightly toolchain for -Z emit-stack-sizes)"
fi
