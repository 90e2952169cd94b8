"""Tests of the bench report: benches/report.py's core JSON from criterion's
files and benches/make_report.py's Markdown and SVG, on fixtures.

    python3 -m unittest discover -s benches -p 'test_*.py'    (make test-bench)
"""

import contextlib
import importlib.util
import io
import json
import tempfile
import unittest
import xml.dom.minidom
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(name):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


report = load("report")
make_report = load("make_report")


def result(scenario, ours, peer, ratio, low, high, aim=None, unit="ns/call", group="micro"):
    return {"group": group, "scenario": scenario, "unit": unit, "ours": ours, "peer": peer,
            "ratio": ratio, "ratio_min": low, "ratio_max": high, "rounds": 5, "aim": aim}


NODE = {"suite": "node", "peer": "cors 2.8.6", "machine": "x86_64, 2 cores, node v20",
        "results": [
            result("defaults, GET with Origin", 100.0, 250.0, 2.5, 2.2, 2.8, aim=2.0),
            result("list + RegExp, preflight, new Origin each", 400.0, 360.0, 0.9, 0.8, 1.0,
                   aim=2.0),
            result("Express, GET", 11000.0, 10000.0, 1.1, 1.0, 1.2, aim=1.0, unit="req/s",
                   group="http"),
        ]}
CORE = {"suite": "core", "peer": "tower-http 0.6.11", "machine": "x86_64, 2 cores",
        "results": [
            result("http adapter, preflight, 16 origins", 500.0, 800.0, 1.6, 1.4, 1.8,
                   aim=1.5, unit="ns", group="evaluate"),
            result("evaluate, preflight, 16 origins", 1759, None, None, None, None,
                   aim=600, unit="instructions", group="instructions"),
        ]}


def write_criterion(root, group, function, case, runs):
    """runs: baseline name -> (median, lower, upper)."""
    bench = Path(root) / group / function / case
    for name, (median, low, high) in runs.items():
        (bench / name).mkdir(parents=True, exist_ok=True)
        (bench / name / "estimates.json").write_text(json.dumps({"median": {
            "point_estimate": median,
            "confidence_interval": {"confidence_level": 0.95, "lower_bound": low,
                                    "upper_bound": high}}}))
    (bench / "new").mkdir(parents=True, exist_ok=True)
    (bench / "new" / "benchmark.json").write_text(json.dumps(
        {"group_id": group, "function_id": function, "value_str": case}))


def run_report(directory, *flags):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = make_report.main([str(directory), "--date", "2026-01-01 00:00 UTC",
                                 "--commit", "abc1234", *flags])
    return code, out.getvalue()


class CoreJson(unittest.TestCase):
    """report.py --json: ratios from criterion's medians and intervals."""

    def test_ratio_and_range_from_the_medians_and_their_intervals(self):
        with tempfile.TemporaryDirectory() as tmp:
            write_criterion(tmp, "http_preflight", "corsguard-adapter", "exact_16",
                            {"new": (500.0, 480.0, 520.0)})
            write_criterion(tmp, "http_preflight", "tower-http", "exact_16",
                            {"new": (800.0, 780.0, 850.0)})
            write_criterion(tmp, "layer_actual", "corsguard-tower", "pattern",
                            {"new": (400.0, 390.0, 410.0)})
            write_criterion(tmp, "layer_actual", "tower-http", "pattern",
                            {"new": (440.0, 430.0, 450.0)})
            write_criterion(tmp, "http_actual", "corsguard-adapter", "exact_1",
                            {"new": (300.0, 290.0, 310.0)})   # no peer: no ratio
            write_criterion(tmp, "evaluate_preflight", "corsguard", "exact_16",
                            {"new": (60.0, 59.0, 61.0)})
            document = report.suite_json(report.load_runs(Path(tmp), []),
                                         {"results": CORE["results"][1:]})
        self.assertEqual(document["suite"], "core")
        by_name = {r["scenario"]: r for r in document["results"]}
        adapter = by_name["http adapter, preflight, 16 origins"]
        self.assertEqual(adapter["group"], "evaluate")
        self.assertAlmostEqual(adapter["ratio"], 800 / 500)
        self.assertAlmostEqual(adapter["ratio_min"], 780 / 520)
        self.assertAlmostEqual(adapter["ratio_max"], 850 / 480)
        self.assertEqual((adapter["ours"], adapter["peer"], adapter["rounds"]),
                         (500.0, 800.0, 1))
        self.assertEqual(adapter["aim"], 1.5)
        layer = by_name["tower layer, actual, pattern"]
        self.assertEqual(layer["group"], "layer")
        self.assertAlmostEqual(layer["ratio"], 1.1)
        self.assertEqual(layer["aim"], 1.2)
        self.assertNotIn("http adapter, actual, 1 origin", by_name)
        alone = by_name["Policy::evaluate alone, preflight, 16 origins"]
        self.assertEqual((alone["ours"], alone["ratio"], alone["aim"]), (60.0, None, 50.0))
        self.assertEqual(by_name["evaluate, preflight, 16 origins"]["ours"], 1759)
        for r in document["results"]:
            self.assertEqual(set(make_report.RESULT_KEYS) - set(r), set(), r["scenario"])

    def test_several_runs_give_the_median_ratio_and_the_widest_range(self):
        with tempfile.TemporaryDirectory() as tmp:
            write_criterion(tmp, "http_actual", "corsguard-adapter", "exact_16",
                            {"r1": (100.0, 90.0, 110.0), "r2": (200.0, 190.0, 210.0),
                             "r3": (100.0, 95.0, 105.0)})
            write_criterion(tmp, "http_actual", "tower-http", "exact_16",
                            {"r1": (150.0, 140.0, 160.0), "r2": (200.0, 195.0, 205.0),
                             "r3": (300.0, 290.0, 310.0)})
            document = report.suite_json(report.load_runs(Path(tmp), ["r1", "r2", "r3"]))
        [only] = [r for r in document["results"] if r["peer"] is not None]
        self.assertEqual(only["rounds"], 3)
        self.assertAlmostEqual(only["ratio"], 1.5)            # of 1.5, 1.0, 3.0
        self.assertAlmostEqual(only["ratio_min"], 195 / 210)
        self.assertAlmostEqual(only["ratio_max"], 310 / 95)


class Report(unittest.TestCase):
    """make_report.py: every scenario shown, absent suites said, ratios checked."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, document):
        text = document if isinstance(document, str) else json.dumps(document)
        (self.dir / f"{name}.json").write_text(text)

    def outputs(self):
        return ((self.dir / "report.md").read_text(), (self.dir / "ratios.svg").read_text())

    def test_every_scenario_is_in_the_markdown_and_the_svg(self):
        self.write("core", CORE)
        self.write("node", NODE)
        self.write("python", {"suite": "python", "peer": "starlette 1.10.0", "machine": "m",
                              "results": [result("ASGI, actual, 16 origins", 1.0, 3.5, 3.5,
                                                 3.2, 3.9, aim=3.0)]})
        code, _ = run_report(self.dir, "--strict")
        self.assertEqual(code, 0)
        markdown, svg = self.outputs()
        xml.dom.minidom.parseString(svg)                     # well-formed
        for document in (CORE, NODE):
            for r in document["results"]:
                self.assertIn(r["scenario"], markdown)
                self.assertIn(make_report.esc(r["scenario"]), svg)
        self.assertIn("ASGI, actual, 16 origins", svg)
        self.assertIn("(ratios.svg)", markdown)
        self.assertIn("2.50× (2.20×–2.80×)", svg)
        self.assertIn("| 1.60× | 1.40×–1.80× |", markdown)
        self.assertIn("1,759", svg)
        self.assertIn("≤ 600", markdown)
        self.assertIn("this machine", markdown)
        self.assertIn("4 of 6 aims met", markdown)
        self.assertIn("missed: node · micro · list + RegExp, preflight, new Origin each",
                      markdown)

    def test_a_missing_suite_is_reported_not_dropped(self):
        self.write("core", CORE)
        self.write("node", NODE)
        code, err = run_report(self.dir, "--strict")
        self.assertEqual(code, 1)
        self.assertIn("suite python missing", err)
        markdown, svg = self.outputs()
        self.assertIn("| python | Starlette | – | 0 | **missing**: no python.json", markdown)
        self.assertIn("## python against Starlette", markdown)
        self.assertIn("not measured: the python suite(s)", markdown)
        self.assertIn("MISSING", svg)
        self.assertIn("no python.json", svg)

    def test_a_skipped_suite_says_why_and_is_not_a_failure(self):
        self.write("core", CORE)
        self.write("node", NODE)
        (self.dir / "python.skipped").write_text("bindings-python/bench/run.py is absent\n")
        code, _ = run_report(self.dir, "--strict")
        self.assertEqual(code, 0)
        markdown, svg = self.outputs()
        self.assertIn("**skipped**: bindings-python/bench/run.py is absent", markdown)
        self.assertIn("SKIPPED", svg)

    def test_a_file_that_does_not_follow_the_format_is_invalid(self):
        self.write("core", CORE)
        self.write("node", "{not json")
        self.write("python", {"suite": "node", "results": []})
        code, _ = run_report(self.dir, "--strict")
        self.assertEqual(code, 1)
        markdown, _ = self.outputs()
        self.assertIn("**invalid**: node.json does not parse", markdown)
        self.assertIn("**invalid**: python.json says suite 'node'", markdown)

    def test_a_ratio_left_out_is_computed_from_the_medians_in_the_unit_direction(self):
        times, _ = make_report.check_result(result("t", 100.0, 250.0, None, None, None))
        self.assertAlmostEqual(times["ratio"], 2.5)
        rates, _ = make_report.check_result(
            result("r", 12000.0, 10000.0, None, None, None, unit="req/s"))
        self.assertAlmostEqual(rates["ratio"], 1.2)
        self.assertIsNone(rates["ratio_min"])

    def test_a_ratio_the_wrong_way_round_is_a_problem(self):
        # ours is faster (less time) but the ratio says slower.
        _, problems = make_report.check_result(result("w", 100.0, 250.0, 0.4, 0.35, 0.45))
        self.assertEqual(len(problems), 1)
        self.assertIn("wrong way round", problems[0])
        # A median of per-round ratios near a ratio of medians is fine.
        _, problems = make_report.check_result(result("ok", 100.0, 250.0, 2.3, 2.0, 2.6))
        self.assertEqual(problems, [])
        # Noisy rounds near 1.0: a median of ratios above 1 beside a ratio of
        # medians below it is not the wrong way round (a quick run in CI).
        _, problems = make_report.check_result(result("noisy", 1710.0, 1610.0, 1.19, 0.65, 1.37))
        self.assertEqual(problems, [])
        _, problems = make_report.check_result(result("range", 100.0, 250.0, 2.5, 2.6, 2.9))
        self.assertIn("outside its range", problems[0])
        kept, problems = make_report.check_result({"scenario": "bare"})
        self.assertIsNone(kept)
        self.assertIn("no group", problems[0])

    def test_verdicts_by_kind_of_aim(self):
        self.assertEqual(make_report.verdict(result("a", 1, 2, 2.0, 1.9, 2.1, aim=2.0)), "met")
        self.assertEqual(make_report.verdict(result("b", 1, 2, 1.9, 1.8, 2.1, aim=2.0)),
                         "missed")
        count = result("c", 700, None, None, None, None, aim=600, unit="instructions")
        self.assertEqual(make_report.verdict(count), "missed")
        count["ours"] = 600
        self.assertEqual(make_report.verdict(count), "met")
        self.assertIsNone(make_report.verdict(result("d", 1, 2, 2.0, 1.9, 2.1)))

    def test_publish_copies_both_files(self):
        self.write("core", CORE)
        published = self.dir / "docs"
        run_report(self.dir, "--publish", str(published), "--quick")
        self.assertEqual(sorted(p.name for p in published.iterdir()),
                         ["ratios.svg", "report.md"])
        self.assertIn("Quick run", (published / "report.md").read_text())


if __name__ == "__main__":
    unittest.main()
