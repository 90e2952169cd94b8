#!/usr/bin/env bash
# Instructions per `Policy::evaluate`, counted by callgrind, beside
# criterion's medians of the same cases (`make bench-instructions`).
#
#   benches/instructions.sh            every case
#   benches/instructions.sh exact_16   some of them
#   benches/instructions.sh --json FILE [CASE ...]
#                                      also writes the counts to FILE as the
#                                      bench-result JSON (benches/README.md)
#
# For each case and kind it runs the release `count-instructions` twice under
# `valgrind --tool=callgrind`, with LOW and HIGH evaluations; the difference
# of the two totals divided by HIGH - LOW is the count per evaluation
# (building the policy and starting the process cancel out). Counts repeat
# exactly from run to run on the same build, whatever the machine's load.
# The time column is criterion's median from the last
# `cargo bench -p corsguard-benches --bench evaluate` (target/criterion),
# "-" when there is none. Installs valgrind (apt-get, as root) when missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
LOW=${INSTRUCTIONS_LOW:-1000}
HIGH=${INSTRUCTIONS_HIGH:-11000}
JSON=
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json)
      [ $# -ge 2 ] || { echo "instructions.sh: --json needs a file" >&2; exit 2; }
      JSON=$2
      shift 2
      ;;
    *)
      ARGS+=("$1")
      shift
      ;;
  esac
done
CASES=${ARGS[*]:-exact_1 exact_16 exact_1000 exact_10000 pattern}

if ! command -v valgrind >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  else
    echo "instructions.sh: valgrind is missing; install it as root: apt-get install -y valgrind" >&2
    exit 1
  fi
fi

(cd "$ROOT" && cargo build --quiet --release -p corsguard-benches --bin count-instructions --bin count-layer)
BIN=$TARGET/release/count-instructions
LAYER_BIN=$TARGET/release/count-layer

# Total instructions of one run (callgrind's "Collected" line).
count() {
  local out
  out=$(timeout 600 valgrind --tool=callgrind --callgrind-out-file=/dev/null "${COUNT_BIN:-$BIN}" "$@" 2>&1 >/dev/null) || {
    echo "instructions.sh: callgrind failed on $*:" >&2
    echo "$out" >&2
    exit 1
  }
  sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' <<<"$out"
}

# Criterion's median (ns) for group/bench/case, or "-".
median() {
  local file="${CRITERION_HOME:-$TARGET/criterion}/$1/corsguard/$2/new/estimates.json"
  if [ -f "$file" ]; then
    python3 -c 'import json,sys; print("%.1f ns" % json.load(open(sys.argv[1]))["median"]["point_estimate"])' "$file"
  else
    echo "-"
  fi
}

# The aims of the speed issue, in instructions per evaluation.
aim() {
  case "$1/$2" in
    preflight/pattern) echo 900 ;;
    actual/pattern) echo 600 ;;
    preflight/*) echo 600 ;;
    actual/*) echo 300 ;;
  esac
}

# The scenario name in the JSON, as benches/report.py names the same case.
label() {
  case "$1" in
    exact_1) echo "1 origin" ;;
    exact_1000) echo "1,000 origins" ;;
    exact_10000) echo "10,000 origins" ;;
    exact_*) echo "${1#exact_} origins" ;;
    pattern) echo "pattern" ;;
    *) echo "$1" ;;
  esac
}

results=()
printf '| case | kind | instructions | aim | criterion median |\n|---|---|---:|---:|---:|\n'
for case in $CASES; do
  for kind in preflight actual; do
    low=$(count "$case" "$kind" "$LOW")
    high=$(count "$case" "$kind" "$HIGH")
    per=$(( (high - low) / (HIGH - LOW) ))
    printf '| %s | %s | %d | %s | %s |\n' "$case" "$kind" "$per" "$(aim "$kind" "$case")" \
      "$(median "evaluate_$kind" "$case")"
    results+=("$(printf '{"group": "instructions", "scenario": "evaluate, %s, %s", "case": "%s", "kind": "%s", "unit": "instructions", "ours": %d, "peer": null, "ratio": null, "ratio_min": null, "ratio_max": null, "rounds": 1, "aim": %s}' \
      "$kind" "$(label "$case")" "$case" "$kind" "$per" "$(aim "$kind" "$case")")")
  done
done

# The tower layer against tower-http's CorsLayer, and the bare service both
# wrap, per request (count-layer): a ratio that repeats exactly. Only the
# cases the layer bench has; LAYER_CASES= (empty) skips them.
LAYER_CASES=${LAYER_CASES-exact_16 pattern}
layer_aim() { [ "$1" = pattern ] && echo 1.2 || echo 1.5; }
if [ -n "$LAYER_CASES" ]; then
  LOW_L=${LAYER_LOW:-200}
  HIGH_L=${LAYER_HIGH:-2200}
  printf '\n| layer case | kind | corsguard-tower | tower-http | bare service | ratio | ratio net of bare |\n|---|---|---:|---:|---:|---:|---:|\n'
  for case in $LAYER_CASES; do
    for kind in preflight actual; do
      declare -A per_layer=()
      for which in corsguard-tower tower-http bare; do
        low=$(COUNT_BIN=$LAYER_BIN count "$case" "$kind" "$which" "$LOW_L")
        high=$(COUNT_BIN=$LAYER_BIN count "$case" "$kind" "$which" "$HIGH_L")
        per_layer[$which]=$(( (high - low) / (HIGH_L - LOW_L) ))
      done
      ours=${per_layer[corsguard-tower]} theirs=${per_layer[tower-http]} plain=${per_layer[bare]}
      ratio=$(python3 -c "print('%.2f' % ($theirs / $ours))")
      net=$(python3 -c "print('%.2f' % (($theirs - $plain) / max(1, $ours - $plain)))")
      printf '| %s | %s | %d | %d | %d | %s | %s |\n' "$case" "$kind" "$ours" "$theirs" "$plain" "$ratio" "$net"
      results+=("$(printf '{"group": "layer instructions", "scenario": "tower layer, %s, %s", "case": "%s", "kind": "%s", "unit": "instructions", "ours": %d, "peer": %d, "bare": %d, "ratio": %s, "ratio_min": %s, "ratio_max": %s, "ratio_net_of_bare": %s, "rounds": 1, "aim": %s}' \
        "$kind" "$(label "$case")" "$case" "$kind" "$ours" "$theirs" "$plain" "$ratio" "$ratio" "$ratio" "$net" "$(layer_aim "$case")")")
      unset per_layer
    done
  done
fi

# The counts have no peer: "aim" is an upper bound in instructions.
if [ -n "$JSON" ]; then
  mkdir -p "$(dirname "$JSON")"
  {
    printf '{"suite": "core", "peer": null,\n "machine": "%s, %s cores, %s, callgrind",\n "results": [\n' \
      "$(uname -m)" "$(nproc)" "$(rustc --version | cut -d' ' -f1-2)"
    sep=
    for r in "${results[@]}"; do
      printf '%s  %s' "$sep" "$r"
      sep=$',\n'
    done
    printf '\n]}\n'
  } >"$JSON.tmp"
  mv "$JSON.tmp" "$JSON"
  echo "instructions.sh: wrote $JSON"
fi
