"""The shared conformance vectors (../tests/vectors/*.json, then the
documents with routes in ../tests/vectors/routes/*.json) through the Python
API: each case's policy document is loaded by ``Policy.from_json`` and must
give the core's answer, or the core's errors, exactly as
core/tests/vectors.rs checks them. A request's ``path`` picks the policy of
a document with routes (``/`` when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import corsguard

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def vector_files() -> list[Path]:
    """The top directory's files, then those of routes/, each sorted (the
    order of core/tests/vectors.rs)."""
    return sorted(VECTORS.glob("*.json")) + sorted((VECTORS / "routes").glob("*.json"))


def load_cases():
    for path in vector_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(case, id=f"{path.parent.name}/{path.stem}: {case['name']}")


def to_bytes(spec) -> bytes:
    if isinstance(spec, str):
        return spec.encode("utf-8")
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    return (
        spec.get("prefix", "").encode()
        + spec["repeat"].encode() * spec["times"]
        + spec.get("suffix", "").encode()
    )


def load(policy, verdict_probes: int = 0) -> corsguard.Policy:
    """The case's policy document through the loader: an object as its JSON
    text, a string as is (as core/tests/vectors.rs loads it). A case's
    ``verdict_probes`` (the probe origins the host's rule admits) becomes a
    host rule admitting exactly those, which the binding probes itself."""
    text = policy if isinstance(policy, str) else json.dumps(policy)
    if not verdict_probes:
        return corsguard.Policy.from_json(text)
    admitted = {o for i, o in enumerate(corsguard.VERDICT_PROBES) if verdict_probes >> i & 1}
    return corsguard.Policy.from_json(text, origin_predicate=lambda origin: origin in admitted)


CASES = list(load_cases())


def test_vectors_exist():
    assert len(CASES) >= 150, f"only {len(CASES)} vector cases found in {VECTORS}"
    routed = [p for p in CASES if "request" in p.values[0] and "path" in p.values[0]["request"]]
    assert routed, f"no case with a request path under {VECTORS / 'routes'}"
    names = [case.values[0]["name"] for case in CASES]
    assert len(set(names)) == len(names), "case names must be unique"


def test_every_case_is_an_evaluation_or_a_refusal():
    for param in CASES:
        case = param.values[0]
        keys = set(case) - {"name", "features", "verdict_probes"}
        assert keys in (
            {"policy", "request", "expect"},
            {"policy", "expect_error"},
            {"policy", "expect_findings"},
        ), case["name"]
        assert set(case.get("features", [])) <= {"psl"}, case["name"]  # this build has psl


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example_documents():
    """Every policy document under examples/: not npm's package manifests,
    nor what builds leave (node_modules, cargo's target, hidden directories)."""
    def built(p):
        parts = p.relative_to(EXAMPLES).parts[:-1]
        return any(d in ("node_modules", "target") or d.startswith(".") for d in parts)

    return sorted(
        p
        for p in EXAMPLES.rglob("*.json")
        if not built(p) and p.name not in ("package.json", "package-lock.json")
    )


def test_examples_have_policy_documents():
    assert EXAMPLES / "demo" / "policy.json" in example_documents()


@pytest.mark.parametrize("path", example_documents(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_policy_document_loads(path):
    policy = corsguard.Policy.from_file(path)
    assert policy.profile in ("strict", "starlette", "cors_npm")
    assert policy.capacity in corsguard.CAPACITY_CLASSES


@pytest.mark.parametrize("case", CASES)
def test_vector(case):
    probes = case.get("verdict_probes", 0)
    if "expect_findings" in case:
        found = load(case["policy"], probes).findings
        assert [{"code": p.code, "path": p.path} for p in found] == case["expect_findings"]
        for p in found:
            assert p.rule and p.fix, p
        return
    if "expect_error" in case:
        want = case["expect_error"]
        with pytest.raises(corsguard.DocumentError) as info:
            load(case["policy"], probes)
        error = info.value
        assert isinstance(error, corsguard.ConfigError) and isinstance(error, ValueError)
        problems = error.errors
        assert problems, str(error)
        first = problems[0]
        assert (first.code, first.path) == (want["code"], want["path"]), str(error)
        assert first.problem == want.get("problem"), str(error)
        # Without `errors`, exactly one problem is expected.
        expected = want.get("errors", [{"code": want["code"], "path": want["path"]}])
        assert [{"code": p.code, "path": p.path} for p in problems] == expected, str(error)
        for part in want.get("message_contains", []):
            assert part in str(error), (part, str(error))
        for p in problems:
            assert p.rule and p.fix, p
            assert p.message.startswith(p.rule) and p.message.endswith(p.fix), p
        # The text is the core's: every problem with its path and code.
        count = len(problems)
        assert str(error) == f"the policy document has {count} problem{'s' if count > 1 else ''}" + "".join(
            f"\n  {p.path or '/'}: {p.message} [{p.code}]" for p in problems)
        # The exception describes the first problem too.
        assert (error.code, error.path, error.problem) == (first.code, first.path, first.problem)
        return

    policy = load(case["policy"], probes)
    req = case["request"]
    want = case["expect"]
    args = {
        k: to_bytes(req[k])
        for k in ("origin", "request_method", "request_headers", "request_private_network")
        if k in req
    }
    path = to_bytes(req["path"]) if "path" in req else None
    served = policy.route(path)
    assert served is None or served in policy.policy_names
    if "policy" in want:
        assert served == want["policy"], f"policy serving {path!r}"
    d = policy.evaluate(to_bytes(req["method"]), **args, origin_verdict=req.get("origin_verdict"), path=path)
    if served is None:
        # No policy serves the path: no decision, so no CORS headers.
        assert d is None
        assert want.get("headers", []) == []
        return
    assert d is not None
    got = {
        "kind": d.kind,
        "outcome": d.outcome,
        "reason": d.reason_code,
        "reason_detail": d.reason_detail,
        "failures": list(d.failures),
        "action": d.action,
        "status": d.status,
        "headers": d.raw_headers,
        "body": d.body,
        "policy": served,
    }
    expected = {}
    for key, value in want.items():
        if key == "headers":
            value = [(n.encode(), to_bytes(v)) for n, v in value]
        elif key == "reason_detail":
            value = to_bytes(value)
        expected[key] = value
    assert {k: got[k] for k in expected} == expected
    assert policy.capacity in corsguard.CAPACITY_CLASSES
    for _, value in d.raw_headers:
        assert not any(c in value for c in b"\r\n\0")
    # The reason reads as a sentence whenever there is one.
    assert (d.reason is None) == (d.reason_code is None)
