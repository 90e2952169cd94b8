#!/usr/bin/env python3
"""Writes the one benchmark report of `make bench`: report.md and ratios.svg.

    python3 benches/make_report.py [--quick] [--strict] [--out DIR]
                                   [--publish DIR] RESULTS_DIR

RESULTS_DIR holds one bench-result JSON per suite, `core.json`, `node.json`
and `python.json` (the format is in benches/README.md). A suite whose file
is absent is reported as missing, with the reason from `<suite>.skipped`
when the Makefile left one there (its bench script does not exist); a file
that does not parse or does not follow the format is reported as invalid.
No suite is left out silently.

The report (default: into RESULTS_DIR) is Markdown with the plot beside it:
per suite, each scenario's ratio against the peer measured in the same run
with its spread and the issue's aim, then the results without a peer (the
instructions per `evaluate`, the pure evaluate times) against their aims.
`--publish DIR` also copies both files there (docs/bench for the README).
`--strict` exits 1 when a suite is missing (but not skipped) or invalid, or
has a malformed result; the report is written first either way.

Only the standard library: the SVG is written by hand, so it runs on a
fresh machine.
"""

import argparse
import datetime
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

SUITES = ("core", "node", "python")
# What each suite's plot row is called when its file does not say.
DEFAULT_PEERS = {"core": "tower-http", "node": "cors", "python": "Starlette"}
RESULT_KEYS = ("group", "scenario", "unit", "ours", "peer", "ratio",
               "ratio_min", "ratio_max", "rounds", "aim")
# Units where more is better: ratio = ours / peer. Every other unit is a
# time or a count: ratio = peer / ours, and an aim without a peer is an
# upper bound.
THROUGHPUT_UNITS = ("req/s",)
# A reported ratio and the ratio of the two medians may differ, even by a
# lot on a noisy machine (a median of per-round ratios is not a ratio of
# medians, and near 1.0 they may fall on either side of it), but a ratio
# the wrong way round falls clearly on the other side: both beyond this
# factor from 1.0, on opposite sides.
OPPOSITE = 1.25


# ------------------------------------------------------------------ loading

def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and not math.isnan(value)


def median_ratio(result):
    """The ratio of the two medians in the unit's direction, or None."""
    ours, peer = result.get("ours"), result.get("peer")
    if not (is_number(ours) and is_number(peer)) or ours <= 0 or peer <= 0:
        return None
    if result.get("unit") in THROUGHPUT_UNITS:
        return ours / peer
    return peer / ours


def check_result(result):
    """(the result, normalized, or None; the problems found)."""
    if not isinstance(result, dict):
        return None, ["a result that is not an object"]
    missing = [key for key in RESULT_KEYS if key not in result]
    name = result.get("scenario", "?")
    if missing:
        return None, [f"{name!s}: no {', '.join(missing)}"]
    if not isinstance(result["scenario"], str) or not isinstance(result["group"], str):
        return None, [f"{name!s}: group and scenario must be strings"]
    if not is_number(result["ours"]):
        return None, [f"{name}: ours is {result['ours']!r}, not a number"]
    problems = []
    result = dict(result)
    if result["ratio"] is None and result["peer"] is not None:
        # A suite may leave the ratio to the report: the medians give it.
        result["ratio"] = median_ratio(result)
        result["computed"] = True
    if result["ratio"] is None:
        if result["aim"] is not None and not is_number(result["aim"]):
            problems.append(f"{name}: aim is {result['aim']!r}")
            result["aim"] = None
        return result, problems
    for key in ("ratio", "ratio_min", "ratio_max"):
        if result[key] is not None and not is_number(result[key]):
            return None, [f"{name}: {key} is {result[key]!r}, not a number"]
    if result["ratio_min"] is None or result["ratio_max"] is None:
        result["ratio_min"] = result["ratio_max"] = None
    elif not result["ratio_min"] <= result["ratio"] <= result["ratio_max"]:
        problems.append(f"{name}: ratio {result['ratio']:.3g} is outside its range "
                        f"{result['ratio_min']:.3g}–{result['ratio_max']:.3g}")
    if result["ratio"] <= 0:
        return None, [f"{name}: ratio {result['ratio']!r} is not positive"]
    if result["aim"] is not None and not is_number(result["aim"]):
        problems.append(f"{name}: aim is {result['aim']!r}")
        result["aim"] = None
    direct = median_ratio(result)
    if direct is not None and not result.get("computed"):
        reported = result["ratio"]
        opposite = (direct > OPPOSITE and reported < 1 / OPPOSITE) or \
                   (direct < 1 / OPPOSITE and reported > OPPOSITE)
        if opposite:
            problems.append(
                f"{name}: ratio {reported:.3g} does not match its medians "
                f"(ours {result['ours']:.4g}, peer {result['peer']:.4g} {result['unit']} "
                f"give {direct:.3g}); is it the wrong way round?")
    return result, problems


def load_suite(directory: Path, name: str) -> dict:
    """One suite: status ok | missing | skipped | invalid, and its results."""
    suite = {"name": name, "status": "ok", "reason": "", "peer": DEFAULT_PEERS[name],
             "machine": "", "spread": "", "results": [], "problems": []}
    path = directory / f"{name}.json"
    skipped = directory / f"{name}.skipped"
    if not path.exists():
        if skipped.exists():
            suite["status"] = "skipped"
            suite["reason"] = skipped.read_text().strip() or "skipped"
        else:
            suite["status"] = "missing"
            suite["reason"] = (f"no {path.name}: the suite did not run, or failed "
                               "before writing it")
        return suite
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        suite.update(status="invalid", reason=f"{path.name} does not parse: {err}")
        return suite
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        suite.update(status="invalid", reason=f"{path.name} has no results list")
        return suite
    if document.get("suite") != name:
        suite.update(status="invalid",
                     reason=f"{path.name} says suite {document.get('suite')!r}")
        return suite
    for key in ("peer", "machine", "spread"):
        if isinstance(document.get(key), str) and document[key]:
            suite[key] = document[key]
    for raw in document["results"]:
        result, problems = check_result(raw)
        suite["problems"].extend(problems)
        if result is not None:
            suite["results"].append(result)
    if not suite["results"]:
        suite.update(status="invalid", reason=f"{path.name} has no usable result")
    return suite


# ---------------------------------------------------------------- verdicts

def compared(suite):
    return [r for r in suite["results"] if r["ratio"] is not None]


def alone(suite):
    return [r for r in suite["results"] if r["ratio"] is None]


def verdict(result):
    """'met', 'missed' or None (no aim)."""
    aim = result["aim"]
    if aim is None:
        return None
    if result["ratio"] is not None:
        return "met" if result["ratio"] >= aim else "missed"
    return "met" if result["ours"] <= aim else "missed"


# -------------------------------------------------------------- formatting

def fmt_value(value, unit) -> str:
    if value is None:
        return "–"
    if unit in ("ns", "ns/call"):
        suffix = "" if unit == "ns" else "/call"
        if value >= 1e6:
            return f"{value / 1e6:.2f} ms{suffix}"
        if value >= 1000:
            return f"{value / 1000:.2f} µs{suffix}"
        return f"{value:.1f} ns{suffix}"
    if unit == "instructions":
        return f"{value:,.0f}"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    return f"{value:.4g} {unit}"


def fmt_ratio(value) -> str:
    if value is None:
        return "–"
    if math.isinf(value):
        return "∞"
    return f"{value:.2f}×"


def fmt_range(result) -> str:
    if result["ratio_min"] is None:
        return "–"
    return f"{fmt_ratio(result['ratio_min'])}–{fmt_ratio(result['ratio_max'])}"


def fmt_aim(result) -> str:
    aim = result["aim"]
    if aim is None:
        return "–"
    if result["ratio"] is not None:
        return f"≥ {fmt_ratio(aim)}"
    return f"≤ {fmt_value(aim, result['unit'])}"


def md_cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------- svg

COLOURS = {"met": "#1a7f37", "missed": "#cf222e", None: "#0969da"}
AIM_COLOUR = "#bf8700"
FONT = 'font-family="Helvetica, Arial, sans-serif"'
WIDTH = 980
LABEL_WIDTH = 400          # row labels, right-aligned at LABEL_WIDTH - 10
VALUE_WIDTH = 200          # value labels, right of the plot
ROW = 20
CHAR = 6.4                 # average width of a 12 px character


def esc(text) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def fit(text, width) -> str:
    most = int(width / CHAR)
    return text if len(text) <= most else text[: most - 1] + "…"


class Svg:
    def __init__(self):
        self.parts = []
        self.y = 0

    def text(self, x, y, text, size=12, anchor="start", weight="normal",
             colour="#24292f", style="normal"):
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" font-style="{style}" fill="{colour}" {FONT}>'
            f"{esc(text)}</text>")

    def line(self, x1, y1, x2, y2, colour="#24292f", width=1, dash=None):
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="{width}"{dashes}/>')

    def circle(self, x, y, r, colour):
        self.parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>')

    def rect(self, x, y, w, h, colour, opacity=1.0):
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" '
            f'fill="{colour}" fill-opacity="{opacity}"/>')

    def aim_mark(self, x, y):
        """A diamond on the row at the aim."""
        self.parts.append(
            f'<path d="M{x:.1f},{y - 6:.1f} L{x + 4:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} '
            f'L{x - 4:.1f},{y:.1f} Z" fill="none" stroke="{AIM_COLOUR}" stroke-width="2"/>')

    def render(self, height) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
                f'height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}">\n'
                f'<rect width="100%" height="100%" fill="#ffffff"/>\n'
                + "\n".join(self.parts) + "\n</svg>\n")


RATIO_TICKS = [0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50,
               100, 200, 500, 1000]


def ratio_scale(suites):
    """A log scale (low, high, x of a ratio) for every ratio and aim."""
    values = [1.0, 0.5, 2.0]
    for suite in suites:
        for r in compared(suite):
            values += [v for v in (r["ratio"], r["ratio_min"], r["ratio_max"], r["aim"])
                       if v is not None and not math.isinf(v) and v > 0]
    low = max(min(values) / 1.15, 0.05)
    high = min(max(values) * 1.15, 2000.0)
    x0, x1 = LABEL_WIDTH, WIDTH - VALUE_WIDTH

    def x(value):
        value = min(max(value, low), high)
        return x0 + (math.log(value) - math.log(low)) / (math.log(high) - math.log(low)) * (x1 - x0)
    return low, high, x


def ratio_axis(svg, low, high, x, top, bottom):
    # 1× always; the others only where their labels do not collide.
    ticks = [1.0]
    for tick in RATIO_TICKS:
        if low <= tick <= high and all(abs(x(tick) - x(t)) >= 36 for t in ticks):
            ticks.append(tick)
    for tick in sorted(ticks):
        if low <= tick <= high:
            one = tick == 1
            svg.line(x(tick), top, x(tick), bottom, "#57606a" if one else "#d0d7de",
                     1.5 if one else 1, None if one else "3,3")
            label = f"{tick:g}×"
            svg.text(x(tick), top - 4, label, 11, "middle", colour="#57606a")
            svg.text(x(tick), bottom + 13, label, 11, "middle", colour="#57606a")


def plot(suites, title, subtitle) -> str:
    svg = Svg()
    svg.text(16, 24, title, 16, weight="bold")
    svg.text(16, 42, subtitle, 12, colour="#57606a")
    y = 62
    # The legend.
    svg.circle(22, y - 4, 5, COLOURS["met"])
    svg.text(32, y, "aim met", 12)
    svg.circle(102, y - 4, 5, COLOURS["missed"])
    svg.text(112, y, "aim missed", 12)
    svg.circle(196, y - 4, 5, COLOURS[None])
    svg.text(206, y, "no aim", 12)
    svg.aim_mark(270, y - 4)
    svg.text(280, y, "the issue's aim", 12)
    svg.line(385, y - 4, 415, y - 4, "#24292f", 1.5)
    svg.line(385, y - 8, 385, y, "#24292f", 1.5)
    svg.line(415, y - 8, 415, y, "#24292f", 1.5)
    svg.text(422, y, "spread (min–max)", 12)

    # Ratios against the peers, on one log scale.
    y += 28
    svg.text(16, y, "Ratio against the peer in the same run (log scale; right of 1× "
             "means corsguard is faster)", 13, weight="bold")
    low, high, x = ratio_scale(suites)
    y += 22
    top = y
    rows = []      # (kind, payload, y)
    for suite in suites:
        y += ROW
        rows.append(("suite", suite, y))
        if suite["status"] != "ok":
            y += ROW
            rows.append(("absent", suite, y))
            continue
        results = compared(suite)
        if not results:
            y += ROW
            rows.append(("none", suite, y))
        for result in results:
            y += ROW
            rows.append(("ratio", result, y))
    bottom = y + 10
    ratio_axis(svg, low, high, x, top, bottom)
    for kind, item, ry in rows:
        if kind == "suite":
            machine = f" — {item['machine']}" if item["machine"] else ""
            svg.text(16, ry, fit(f"{item['name']} against {item['peer']}{machine}",
                                 WIDTH - 32), 12, weight="bold")
        elif kind == "absent":
            svg.text(LABEL_WIDTH - 10, ry, item["status"].upper(), 12, "end",
                     weight="bold", colour=COLOURS["missed"])
            svg.text(LABEL_WIDTH, ry, fit(item["reason"], WIDTH - LABEL_WIDTH - 16), 12,
                     style="italic", colour=COLOURS["missed"])
        elif kind == "none":
            svg.text(LABEL_WIDTH, ry, "no result with a peer", 12, style="italic",
                     colour="#57606a")
        else:
            result = item
            cy = ry - 4
            label = f"{result['group']} · {result['scenario']}"
            svg.text(LABEL_WIDTH - 10, ry, fit(label, LABEL_WIDTH - 26), 12, "end")
            if result["ratio_min"] is not None:
                lo, hi = x(result["ratio_min"]), x(result["ratio_max"])
                svg.line(lo, cy, hi, cy, "#24292f", 1.5)
                svg.line(lo, cy - 4, lo, cy + 4, "#24292f", 1.5)
                svg.line(hi, cy - 4, hi, cy + 4, "#24292f", 1.5)
            svg.circle(x(result["ratio"]), cy, 5, COLOURS[verdict(result)])
            if result["aim"] is not None:   # over the dot: both stay visible
                svg.aim_mark(x(result["aim"]), cy)
            value = fmt_ratio(result["ratio"])
            if result["ratio_min"] is not None:
                value += f" ({fmt_range(result)})"
            svg.text(WIDTH - VALUE_WIDTH + 12, ry, value, 12)
    y = bottom + 40

    # Results without a peer that have an aim (the tables have the rest):
    # one linear panel per unit.
    singles = [(suite, r) for suite in suites if suite["status"] == "ok"
               for r in alone(suite) if r["aim"] is not None]
    units = []
    for _, r in singles:
        if r["unit"] not in units:
            units.append(r["unit"])
    for unit in units:
        mine = [(s, r) for s, r in singles if r["unit"] == unit]
        what = "instructions per call (callgrind; they repeat exactly)" \
            if unit == "instructions" else f"{unit} on this machine"
        svg.text(16, y, f"Without a peer, against the aims: {what}", 13, weight="bold")
        y += 22
        most = max([r["ours"] for _, r in mine] + [r["aim"] or 0 for _, r in mine]) * 1.1
        x0, x1 = LABEL_WIDTH, WIDTH - VALUE_WIDTH

        def lx(value, x0=x0, x1=x1, most=most):
            return x0 + min(value, most) / most * (x1 - x0) if most > 0 else x0
        panel_top = y
        for suite, result in mine:
            y += ROW
            cy = y - 4
            label = f"{suite['name']} · {result['scenario']}"
            svg.text(LABEL_WIDTH - 10, y, fit(label, LABEL_WIDTH - 26), 12, "end")
            svg.rect(x0, cy - 6, lx(result["ours"]) - x0, 12,
                     COLOURS[verdict(result)], 0.75)
            if result["aim"] is not None:
                svg.aim_mark(lx(result["aim"]), cy)
            value = fmt_value(result["ours"], unit)
            if result["aim"] is not None:
                value += f" (aim {fmt_aim(result)})"
            svg.text(WIDTH - VALUE_WIDTH + 12, y, value, 12)
        svg.line(x0, panel_top + 4, x0, y + 6, "#57606a", 1)
        y += 40
    return svg.render(y - 14)


# ---------------------------------------------------------------- markdown

def git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, timeout=30,
                              check=True, cwd=Path(__file__).resolve().parent).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def report(suites, quick, image, when, commit) -> str:
    out = ["# corsguard benchmarks", ""]
    made = f"Made {when} from commit `{commit}` by `make bench`." if commit \
        else f"Made {when} by `make bench`."
    if quick:
        made += (" **Quick run** (`make test-bench`): each suite ran for seconds; "
                 "these figures prove the benches work and are no claim.")
    out += [made, "",
            "The claims are the ratios: corsguard against each peer on the same requests "
            "in the same run (for times, the peer's time / corsguard's; for throughput, "
            "corsguard's / the peer's; above 1× corsguard is faster). The absolute "
            "times are this machine's (see each suite's machine) and are there to read "
            "the ratios by. Instruction counts come from callgrind and repeat exactly.",
            "", f"![ratios against each peer, with their spread and aims]({image})", ""]

    out += ["## Suites", "", "| suite | peer | machine | results | status |",
            "|---|---|---|---:|---|"]
    for suite in suites:
        status = suite["status"] if suite["status"] == "ok" \
            else f"**{suite['status']}**: {suite['reason']}"
        if suite["problems"]:
            status += f" ({len(suite['problems'])} problem(s), below)"
        out.append(f"| {suite['name']} | {md_cell(suite['peer'])} | "
                   f"{md_cell(suite['machine'] or '–')} | {len(suite['results'])} | "
                   f"{md_cell(status)} |")
    out.append("")

    met, missed = [], []
    for suite in suites:
        out += [f"## {suite['name']} against {suite['peer']}", ""]
        if suite["status"] != "ok":
            out += [f"**{suite['status'].capitalize()}**: {suite['reason']}.", ""]
            continue
        if suite["machine"]:
            out += [f"Machine: {suite['machine']}.", ""]
        if suite["spread"]:
            out += [f"Spread: {suite['spread']}.", ""]
        results = compared(suite)
        if results:
            out += [f"| group | scenario | corsguard | {md_cell(suite['peer'])} | ratio | "
                    "range | rounds | aim | |",
                    "|---|---|---:|---:|---:|---:|---:|---:|---|"]
            for r in results:
                v = verdict(r)
                ratio = fmt_ratio(r["ratio"]) + (" (from the medians)" if r.get("computed") else "")
                out.append(f"| {md_cell(r['group'])} | {md_cell(r['scenario'])} | "
                           f"{fmt_value(r['ours'], r['unit'])} | "
                           f"{fmt_value(r['peer'], r['unit'])} | {ratio} | "
                           f"{fmt_range(r)} | {r['rounds']} | {fmt_aim(r)} | {v or ''} |")
            out.append("")
        singles = alone(suite)
        if singles:
            out += ["Without a peer:", "", "| group | scenario | value | aim | |",
                    "|---|---|---:|---:|---|"]
            for r in singles:
                out.append(f"| {md_cell(r['group'])} | {md_cell(r['scenario'])} | "
                           f"{fmt_value(r['ours'], r['unit'])} | {fmt_aim(r)} | "
                           f"{verdict(r) or ''} |")
            out.append("")
        if suite["problems"]:
            out += ["Problems in this suite's file:", ""]
            out += [f"- {md_cell(p)}" for p in suite["problems"]]
            out.append("")
        for r in suite["results"]:
            v = verdict(r)
            if v == "met":
                met.append((suite, r))
            elif v == "missed":
                missed.append((suite, r))

    out += ["## Aims", ""]
    absent = [s["name"] for s in suites if s["status"] != "ok"]
    out.append(f"{len(met)} of {len(met) + len(missed)} aims met"
               + (f"; not measured: the {', '.join(absent)} suite(s)." if absent else "."))
    out.append("")
    for suite, r in missed:
        shown = fmt_ratio(r["ratio"]) if r["ratio"] is not None \
            else fmt_value(r["ours"], r["unit"])
        out.append(f"- missed: {suite['name']} · {md_cell(r['group'])} · "
                   f"{md_cell(r['scenario'])}: {shown}, aim {fmt_aim(r)}")
    if missed:
        out.append("")
    out += ["Reproduce: `make bench` (a few minutes on two cores), or `make test-bench` "
            "for a quick run; see benches/README.md.", ""]
    return "\n".join(out)


# -------------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", type=Path,
                        help="the directory of core.json, node.json, python.json")
    parser.add_argument("--out", type=Path, help="where to write report.md and "
                        "ratios.svg (default: RESULTS_DIR)")
    parser.add_argument("--publish", type=Path, metavar="DIR",
                        help="also copy report.md and ratios.svg into DIR")
    parser.add_argument("--quick", action="store_true",
                        help="label the report a quick (smoke) run")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a suite is missing, invalid or has problems")
    parser.add_argument("--date", help="the time to print (default: now, UTC)")
    parser.add_argument("--commit", help="the commit to print (default: git's HEAD)")
    args = parser.parse_args(argv)

    suites = [load_suite(args.results_dir, name) for name in SUITES]
    when = args.date or datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")
    commit = args.commit
    if commit is None:
        commit = git("rev-parse", "--short", "HEAD")
        if commit and git("status", "--porcelain", "--untracked-files=no"):
            commit += " + uncommitted changes"
    out = args.out or args.results_dir
    out.mkdir(parents=True, exist_ok=True)
    title = "corsguard against its peers" + (" (quick run, no claim)" if args.quick else "")
    subtitle = f"{when}" + (f", commit {commit}" if commit else "") + \
        ". Ratios from one run per suite; absolute times are this machine's."
    (out / "ratios.svg").write_text(plot(suites, title, subtitle))
    (out / "report.md").write_text(report(suites, args.quick, "ratios.svg", when, commit))
    print(f"make_report.py: wrote {out / 'report.md'} and {out / 'ratios.svg'}")
    if args.publish:
        args.publish.mkdir(parents=True, exist_ok=True)
        for name in ("report.md", "ratios.svg"):
            shutil.copyfile(out / name, args.publish / name)
        print(f"make_report.py: copied both into {args.publish}")

    failed = False
    for suite in suites:
        if suite["status"] != "ok":
            print(f"make_report.py: suite {suite['name']} {suite['status']}: {suite['reason']}",
                  file=sys.stderr)
            failed |= suite["status"] != "skipped"
        for problem in suite["problems"]:
            print(f"make_report.py: suite {suite['name']}: {problem}", file=sys.stderr)
            failed = True
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
