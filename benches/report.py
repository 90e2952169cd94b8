#!/usr/bin/env python3
"""Summarize the `evaluate` and `layer` criterion benchmarks as markdown tables.

Run after `cargo bench -p corsguard-benches --bench evaluate` (and
`--bench layer`):

    python3 benches/report.py [--baseline NAME ...] [CRITERION_DIR]
        [--json FILE [--instructions FILE]]

CRITERION_DIR defaults to `$CRITERION_HOME`, `$CARGO_TARGET_DIR/criterion`, or else
`target/criterion` in the workspace root (the parent of this script's
directory). Each benchmark's `new/estimates.json` gives the median; the
sibling `new/benchmark.json` gives its group, function and case.

With `--baseline NAME` (repeatable), the medians come from the runs saved
with `cargo bench ... -- --save-baseline NAME` instead, and for each
benchmark the smallest of those medians is reported: on a machine shared
with other work, the noise only ever adds time.

With `--json FILE` it also writes the core suite of the one `make bench`
report (benches/make_report.py): corsguard's `http` adapter and tower layer
against tower-http per case, ratio = tower-http's median / corsguard's
(the median over the runs read), with a range from the ends of criterion's
confidence intervals of both medians; the pure `evaluate` times; and, with
`--instructions`, the counts of `benches/instructions.sh --json`.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

CASES = ["exact_1", "exact_16", "exact_1000", "exact_10000", "pattern"]
KINDS = ["actual", "preflight"]
# The project's aims for a pure preflight evaluation, in nanoseconds.
AIMS = {"exact_16": 50.0, "exact_10000": 100.0}
# The speed issue's aims for the ratio tower-http / corsguard, preflight and
# actual, through the `http` adapter and the tower layer.
RATIO_AIMS = {"exact_16": 1.5, "pattern": 1.2}
# The cases as the JSON's scenarios name them (benches/instructions.sh too).
CASE_LABELS = {"exact_1": "1 origin", "exact_16": "16 origins",
               "exact_1000": "1,000 origins", "exact_10000": "10,000 origins",
               "pattern": "pattern"}
# What --json compares with tower-http: (JSON group, criterion group prefix,
# corsguard's function in it, its name in the scenario). The adapter is the
# one the crate ships; the bench's own writers stay in the tables.
PEER_BENCHES = [("evaluate", "http_", "corsguard-adapter", "http adapter"),
                ("layer", "layer_", "corsguard-tower", "tower layer")]
SPREAD = ("ratio_min and ratio_max combine the ends of criterion's confidence "
          "intervals of both medians (95%), over every run read")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("criterion_dir", nargs="?", type=Path,
                        help="criterion's output directory")
    parser.add_argument("--baseline", action="append", default=[],
                        metavar="NAME",
                        help="a saved baseline to read (repeat for the minimum "
                             "over several runs); default: the latest run")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the ratios against tower-http (and "
                             "the pure evaluate times) as the bench-result "
                             "JSON of benches/README.md")
    parser.add_argument("--instructions", type=Path, metavar="FILE",
                        help="with --json: append the results of "
                             "`benches/instructions.sh --json FILE`")
    args = parser.parse_args()
    if args.instructions and not args.json:
        parser.error("--instructions needs --json")
    if args.criterion_dir is None:
        target = os.environ.get("CARGO_TARGET_DIR")
        if os.environ.get("CRITERION_HOME"):
            args.criterion_dir = Path(os.environ["CRITERION_HOME"])
        elif target:
            args.criterion_dir = Path(target) / "criterion"
        else:
            args.criterion_dir = (Path(__file__).resolve().parent.parent
                                  / "target" / "criterion")
    return args


def load_runs(root: Path, baselines: list) -> dict:
    """Maps (group, function, case) to one (median, lower, upper) in
    nanoseconds per run read (keyed `new`, or by each baseline found), where lower
    and upper bound criterion's confidence interval of the median."""
    runs = {}
    for meta_path in root.glob("**/new/benchmark.json"):
        bench_dir = meta_path.parent.parent
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            continue
        values = {}
        for name in baselines or ["new"]:
            try:
                estimates = json.loads((bench_dir / name / "estimates.json").read_text())
                median = estimates["median"]
                interval = median["confidence_interval"]
                values[name] = (float(median["point_estimate"]),
                                float(interval["lower_bound"]),
                                float(interval["upper_bound"]))
            except (OSError, KeyError, TypeError, ValueError):
                continue
        if values:
            key = (meta.get("group_id"), meta.get("function_id"), meta.get("value_str"))
            runs[key] = values
    return runs


def load(root: Path, baselines: list) -> dict:
    """Maps (group, function, case) to the smallest median in nanoseconds."""
    return {key: min(v[0] for v in values.values())
            for key, values in load_runs(root, baselines).items()}


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


def ratio_result(group, scenario, ours, peer, aim):
    """One result of the bench-result JSON from the runs of both sides
    (baseline name -> (median, lower, upper)); None without a common run."""
    names = [name for name in ours if name in peer]
    if not names:
        return None
    pairs = [(ours[name], peer[name]) for name in names]
    ratios = [p[0] / o[0] for o, p in pairs]
    lows = [p[1] / o[2] for o, p in pairs]
    highs = [p[2] / o[1] if o[1] > 0 else float("inf") for o, p in pairs]
    return {"group": group, "scenario": scenario, "unit": "ns",
            "ours": statistics.median(o[0] for o, _ in pairs),
            "peer": statistics.median(p[0] for _, p in pairs),
            "ratio": statistics.median(ratios),
            "ratio_min": min(lows), "ratio_max": max(highs),
            "rounds": len(pairs), "aim": aim}


def tool_version(command, package):
    """`rustc 1.xx.y` from `rustc --version`, or the bare name."""
    try:
        out = subprocess.run(command, capture_output=True, text=True,
                             timeout=30, check=True).stdout.split()
        return " ".join(out[:2])
    except (OSError, subprocess.SubprocessError):
        return package


def locked_version(name):
    """The version of a crate in the workspace's Cargo.lock, or None."""
    lock = Path(__file__).resolve().parent.parent / "Cargo.lock"
    try:
        lines = lock.read_text().splitlines()
    except OSError:
        return None
    for i, line in enumerate(lines[:-1]):
        if line == f'name = "{name}"' and lines[i + 1].startswith("version = "):
            return lines[i + 1].split('"')[1]
    return None


def suite_json(runs, instructions=None) -> dict:
    """The core suite's bench-result JSON: corsguard against tower-http per
    case (ratio = tower-http's time / corsguard's), the pure evaluate times
    (no peer; aim in ns) and, given, the instruction counts."""
    results = []
    for group, prefix, ours_name, what in PEER_BENCHES:
        for kind in KINDS:
            for case in CASES:
                ours = runs.get((prefix + kind, ours_name, case))
                peer = runs.get((prefix + kind, "tower-http", case))
                if not ours or not peer:
                    continue
                result = ratio_result(group, f"{what}, {kind}, {CASE_LABELS[case]}",
                                      ours, peer, RATIO_AIMS.get(case))
                if result:
                    results.append(result)
    for kind in KINDS:
        for case in CASES:
            ours = runs.get((f"evaluate_{kind}", "corsguard", case))
            if not ours:
                continue
            results.append({
                "group": "evaluate",
                "scenario": f"Policy::evaluate alone, {kind}, {CASE_LABELS[case]}",
                "unit": "ns", "ours": statistics.median(v[0] for v in ours.values()),
                "peer": None, "ratio": None, "ratio_min": None, "ratio_max": None,
                "rounds": len(ours),
                "aim": AIMS.get(case) if kind == "preflight" else None})
    if instructions:
        results.extend(instructions.get("results", []))
    peer = locked_version("tower-http")
    return {"suite": "core",
            "peer": f"tower-http {peer}" if peer else "tower-http",
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                       f"{tool_version(['rustc', '--version'], 'rustc')}",
            "spread": SPREAD,
            "results": results}


def write_json(args) -> int:
    runs = load_runs(args.criterion_dir, args.baseline)
    instructions = None
    if args.instructions:
        try:
            instructions = json.loads(args.instructions.read_text())
        except (OSError, ValueError) as err:
            print(f"report.py: cannot read {args.instructions}: {err}", file=sys.stderr)
            return 1
    document = suite_json(runs, instructions)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.json.with_name(args.json.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=1) + "\n")
    tmp.replace(args.json)
    print(f"report.py: wrote {args.json} ({len(document['results'])} results)")
    return 0


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
    if args.json and write_json(args) != 0:
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

    layer = [(kind, case, get(f"layer_{kind}", "corsguard-tower", case),
              get(f"layer_{kind}", "tower-http", case), get(f"layer_{kind}", "bare", case))
             for kind in KINDS for case in CASES]
    layer = [row for row in layer if any(v is not None for v in row[2:])]
    if layer:
        print("### tower layer (medians)\n")
        print("| kind | case | corsguard-tower | tower-http | ratio (tower-http / corsguard) "
              "| bare service |")
        print("|---|---|---:|---:|---:|---:|")
        for kind, case, ours, theirs, bare in layer:
            print(f"| {kind} | {case} | {fmt_time(ours)} | {fmt_time(theirs)} | "
                  f"{fmt_ratio(theirs, ours)} | {fmt_time(bare)} |")
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
