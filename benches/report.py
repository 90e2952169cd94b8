#!/usr/bin/env python3
"""Summarize the `evaluate` criterion benchmarks as markdown tables.

Run after `cargo bench -p corsguard-benches --bench evaluate`:

    python3 benches/report.py [--baseline NAME ...] [CRITERION_DIR]

CRITERION_DIR defaults to `$CARGO_TARGET_DIR/criterion`, or else
`target/criterion` in the workspace root (the parent of this script's
directory). Each benchmark's `new/estimates.json` gives the median; the
sibling `new/benchmark.json` gives its group, function and case.

With `--baseline NAME` (repeatable), the medians come from the runs saved
with `cargo bench ... -- --save-baseline NAME` instead, and for each
benchmark the smallest of those medians is reported: on a machine shared
with other work, the noise only ever adds time.
"""

import argparse
import json
import os
import sys
from pathlib import Path

CASES = ["exact_1", "exact_16", "exact_1000", "exact_10000", "pattern"]
KINDS = ["actual", "preflight"]
# The project's aims for a pure preflight evaluation, in nanoseconds.
AIMS = {"exact_16": 50.0, "exact_10000": 100.0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("criterion_dir", nargs="?", type=Path,
                        help="criterion's output directory")
    parser.add_argument("--baseline", action="append", default=[],
                        metavar="NAME",
                        help="a saved baseline to read (repeat for the minimum "
                             "over several runs); default: the latest run")
    args = parser.parse_args()
    if args.criterion_dir is None:
        target = os.environ.get("CARGO_TARGET_DIR")
        if target:
            args.criterion_dir = Path(target) / "criterion"
        else:
            args.criterion_dir = (Path(__file__).resolve().parent.parent
                                  / "target" / "criterion")
    return args


def load(root: Path, baselines: list) -> dict:
    """Maps (group, function, case) to the median in nanoseconds."""
    medians = {}
    for meta_path in root.glob("**/new/benchmark.json"):
        bench_dir = meta_path.parent.parent
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            continue
        values = []
        for name in baselines or ["new"]:
            try:
                estimates = json.loads((bench_dir / name / "estimates.json").read_text())
                values.append(float(estimates["median"]["point_estimate"]))
            except (OSError, KeyError, ValueError):
                continue
        if values:
            key = (meta.get("group_id"), meta.get("function_id"), meta.get("value_str"))
            medians[key] = min(values)
    return medians


def fmt_time(ns) -> str:
    if ns is None:
        return "–"
    if ns >= 1000:
        return f"{ns / 1000:.2f} µs"
    return f"{ns:.1f} ns"


def fmt_ratio(num, den) -> str:
    if num is None or den is None or den == 0:
        return "–"
    return f"{num / den:.2f}×"


def main() -> int:
    args = parse_args()
    root = args.criterion_dir
    medians = load(root, args.baseline)
    if not medians:
        saved = f" saved as {', '.join(args.baseline)}" if args.baseline else ""
        print(f"no criterion results{saved} under {root}; run "
              "`cargo bench -p corsguard-benches --bench evaluate` first",
              file=sys.stderr)
        return 1
    if args.baseline:
        print(f"Minimum over the medians of the saved runs: "
              f"{', '.join(args.baseline)}.\n")

    def get(group, function, case=None):
        return medians.get((group, function, case))

    for kind in KINDS:
        print(f"### {kind} request (medians)\n")
        print("| case | corsguard evaluate | corsguard + headers | tower-http | "
              "ratio (tower-http / corsguard + headers) | corsguard-adapter | "
              "ratio (tower-http / adapter) | corsguard-cached | "
              "ratio (tower-http / cached) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for case in CASES:
            pure = get(f"evaluate_{kind}", "corsguard", case)
            theirs = get(f"http_{kind}", "tower-http", case)
            cells = [case, fmt_time(pure)]
            for i, variant in enumerate(("corsguard", "corsguard-adapter", "corsguard-cached")):
                ours = get(f"http_{kind}", variant, case)
                cells.append(fmt_time(ours))
                if i == 0:
                    cells.append(fmt_time(theirs))
                cells.append(fmt_ratio(theirs, ours))
            print("| " + " | ".join(cells) + " |")
        print()

    baseline = [(name, get("baseline", name)) for name in
                ("block_on_ready", "bare_service_actual", "bare_service_preflight")]
    if any(v is not None for _, v in baseline):
        print("### baseline (no CORS)\n")
        print("| what | median |")
        print("|---|---:|")
        for name, value in baseline:
            print(f"| {name} | {fmt_time(value)} |")
        print()

    print("### aims (pure preflight evaluation)\n")
    for case, aim in AIMS.items():
        value = get("evaluate_preflight", "corsguard", case)
        if value is None:
            verdict = "not measured"
        else:
            verdict = "met" if value < aim else f"missed by {value / aim:.1f}×"
        print(f"- {case}: {fmt_time(value)} (aim < {aim:.0f} ns): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
