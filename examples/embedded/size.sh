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
