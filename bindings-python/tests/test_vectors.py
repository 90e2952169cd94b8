"""The shared conformance vectors (../tests/vectors/*.json) through the
Python API: every case must give the core's answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import corsguard

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def load_cases():
    for path in sorted(VECTORS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


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


def build(config: dict) -> corsguard.Policy:
    keys = {
        "profile": "profile",
        "allowed_origins": "allowed_origins",
        "fixed_origin": "fixed_origin",
        "origin_verdict": "origin_verdict",
        "allowed_methods": "allowed_methods",
        "allowed_headers": "allowed_headers",
        "exposed_headers": "exposed_headers",
        "credentials": "credentials",
        "max_age": "max_age",
        "private_network": "private_network",
        "preflight_continue": "preflight_continue",
        "preflight_status": "preflight_status",
    }
    unknown = set(config) - set(keys)
    assert not unknown, f"unknown config keys {unknown}"
    return corsguard.Policy(**{keys[k]: v for k, v in config.items()})


CASES = list(load_cases())


def test_vectors_exist():
    assert len(CASES) >= 150, f"only {len(CASES)} vector cases found in {VECTORS}"


@pytest.mark.parametrize("case", CASES)
def test_vector(case):
    if "expect_error" in case:
        want = case["expect_error"]
        with pytest.raises(corsguard.ConfigError) as info:
            build(case["config"])
        error = info.value
        assert isinstance(error, ValueError)
        assert error.code == want["code"], str(error)
        if "problem" in want:
            assert error.problem == want["problem"]
        for part in want.get("message_contains", []):
            assert part in str(error)
        return

    policy = build(case["config"])
    req = case["request"]
    args = {
        k: to_bytes(req[k])
        for k in ("origin", "request_method", "request_headers", "request_private_network")
        if k in req
    }
    d = policy.evaluate(to_bytes(req["method"]), **args, origin_verdict=req.get("origin_verdict"))
    want = case["expect"]
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
    }
    expected = {}
    for key, value in want.items():
        if key == "headers":
            value = [(n.encode(), to_bytes(v)) for n, v in value]
        elif key == "reason_detail":
            value = to_bytes(value)
        expected[key] = value
    assert {k: got[k] for k in expected} == expected
    for _, value in d.raw_headers:
        assert not any(c in value for c in b"\r\n\0")
    # The reason reads as a sentence whenever there is one.
    assert (d.reason is None) == (d.reason_code is None)
