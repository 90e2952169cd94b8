#!/usr/bin/env bash
# Bounded fuzzing: builds the cargo-fuzz targets and runs each for
# SECONDS_PER_TARGET seconds (default 60), starting from the checked-in seed
# corpus. Fails if any target crashes, panics, leaks or takes more than
# 10 s on one input. Prints executions and coverage per target.
#
#   fuzz/run.sh [seconds-per-target]    FUZZ_TARGETS="origin evaluate" narrows it
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
cargo_fuzz_version="0.13.2"

# libFuzzer needs the nightly toolchain (for -Zsanitizer and sancov).
if command -v rustup >/dev/null 2>&1; then
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
fi
# libfuzzer-sys compiles libFuzzer itself: it needs a C++ compiler.
if ! command -v c++ >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq g++ >/dev/null
fi
if ! cargo fuzz --version 2>/dev/null | grep -qF "$cargo_fuzz_version"; then
  cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked
fi

targets="${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}"
# Release code with debug assertions on: the core's debug_assert!s are
# invariants too.
build_flags=(--release --debug-assertions)
cargo +nightly fuzz build "${build_flags[@]}"

# New inputs go to a scratch corpus under target/, so a run never adds files
# to the repository; the checked-in seeds are read only.
scratch="target/fuzz-corpus"
failed=()
summary=()
for target in $targets; do
  mkdir -p "$scratch/$target" "corpus/$target"
  log="target/fuzz-$target.log"
  echo "fuzz: $target for ${seconds}s"
  status=0
  cargo +nightly fuzz run "${build_flags[@]}" "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -max_len=16384 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  final=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true)
  cov=$(grep -o 'cov: [0-9]*' <<<"$final" | grep -o '[0-9]*' || true)
  ft=$(grep -o 'ft: [0-9]*' <<<"$final" | grep -o '[0-9]*' || true)
  line="$target: ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}"
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    line="$line, FAILED (exit $status)"
    echo "---- $target: last lines of $log" >&2
    tail -n 40 "$log" >&2
  fi
  summary+=("$line")
  echo "fuzz: $line"
done

echo "fuzz summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}; the inputs are in fuzz/artifacts/<target>/" >&2
  exit 1
fi
