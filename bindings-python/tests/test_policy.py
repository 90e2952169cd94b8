"""The native, strict API: corsguard.Policy and its errors and decisions."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import pydoc
import re
import warnings
from pathlib import Path

import pytest

import corsguard
from corsguard.asgi import CORSMiddleware

from test_differential import make_app, run


def test_quick_start():
    policy = corsguard.Policy(
        allow_origins=["https://app.example.com", "https://*.example.org"],
        allow_methods=["GET", "PUT"],
        allow_headers=["content-type"],
        allow_credentials=True,
        max_age=600,
    )
    d = policy.evaluate(
        "OPTIONS", origin="https://app.example.com", request_method="PUT", request_headers="Content-Type"
    )
    assert (d.kind, d.outcome, d.allowed, d.action, d.status, d.body) == (
        "preflight", "allowed", True, "respond", 204, None)
    assert d.headers == [
        ("Access-Control-Allow-Origin", "https://app.example.com"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET, PUT"),
        ("Access-Control-Allow-Headers", "content-type"),
        ("Access-Control-Max-Age", "600"),
        ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
    ]
    assert d.vary == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    sub = policy.evaluate(b"GET", origin=b"https://api.eu.example.org")
    assert sub.allowed and sub.action == "continue" and sub.status is None
    refused = policy.evaluate("OPTIONS", origin="https://app.example.com", request_method="DELETE")
    assert refused.outcome == "denied" and refused.status == 403
    assert [name for name, _ in refused.headers] == ["Vary"]  # no CORS headers
    assert refused.reason_code == "method_not_allowed" and refused.reason_detail == b"DELETE"
    assert "DELETE" in refused.reason and refused.failures == ("method",)
    assert policy.vary_merge == "dedup" and policy.profile == "strict"
    assert "Decision" in repr(d)


@pytest.mark.parametrize(
    "kwargs, code, fragment",
    [
        ({"allow_origins": ["*"], "allow_credentials": True}, "wildcard_origin_with_credentials", "list the exact origins"),
        ({"allow_origins": ["https://a.example/"]}, "malformed_origin", "trailing slash"),
        ({"allow_origins": []}, "no_origins", "at least one origin"),
        ({"allow_origins": ["*"], "allow_methods": ["get"]}, "method_not_normalized", "uppercase"),
        ({"allow_origins": ["*"], "allow_headers": ["cookie"]}, "forbidden_request_header", "cookie"),
        ({"allow_origins": ["*"], "max_age": 10**6}, "max_age_out_of_range", "86400"),
        ({"allow_origins": ["*"], "max_age": -1}, "out_of_range", "-1"),
        ({"allow_origins": ["*"], "max_age": True}, "wrong_type", "max_age is a boolean"),
        ({"allow_origins": ["*"], "allowed_methods": ["PUT"]}, "unknown_key", "did you mean `allow_methods`?"),
        ({"allow_origins": ["*"], "credentials": True}, "unknown_key", "did you mean `allow_credentials`?"),
        ({"allow_origins": ["*"], "preflight_status": 404}, "status_out_of_range", "2xx"),
        ({"allow_origins": [f"https://o{i}.example" for i in range(4097)]}, "capacity_exceeded", "4096"),
    ],
)
def test_config_errors_carry_the_core_message_and_code(kwargs, code, fragment):
    with pytest.raises(corsguard.ConfigError) as info:
        corsguard.Policy(**kwargs)
    assert isinstance(info.value, ValueError)
    assert info.value.code == code
    assert fragment in str(info.value)


def test_error_attributes():
    with pytest.raises(corsguard.ConfigError) as info:
        corsguard.Policy(allow_origins=["https://a.example", "http://b.example:80"])
    e = info.value
    assert (e.code, e.problem, e.option, e.entry) == ("malformed_origin", "default_port", "allow_origins", "http://b.example:80")
    assert isinstance(e, corsguard.DocumentError) and e.path == "/allowOrigins/1"
    (problem,) = e.errors
    assert (problem.path, problem.code, problem.problem) == ("/allowOrigins/1", "malformed_origin", "default_port")
    assert problem.message == f"{problem.rule}; {problem.fix}" and "remove" in problem.fix


DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "policy.json"


def test_from_file_loads_the_demo_policy():
    policy = corsguard.Policy.from_file(DEMO)
    assert (policy.profile, policy.capacity, policy.findings) == ("strict", "small", [])
    d = policy.evaluate("OPTIONS", origin="http://localhost:3000", request_method="PUT")
    assert d.allowed and ("Access-Control-Allow-Credentials", "true") in d.headers
    assert corsguard.Policy.from_file(str(DEMO)).capacity == "small"


def test_from_json_takes_str_or_bytes_and_reports_every_problem():
    text = '{"version": 1, "allowOrigins": ["https://a.example/", "https://b.example"], "maxAge": -5, "allowOrigin": []}'
    for document in (text, text.encode()):
        with pytest.raises(corsguard.DocumentError) as info:
            corsguard.Policy.from_json(document)
        e = info.value
        assert isinstance(e, corsguard.ConfigError) and isinstance(e, ValueError)
        assert [(p.path, p.code) for p in e.errors] == [
            ("/allowOrigins/0", "malformed_origin"), ("/maxAge", "out_of_range"), ("/allowOrigin", "unknown_key")]
        assert all(isinstance(p, corsguard.Problem) and p.rule and p.fix for p in e.errors)
        assert (e.code, e.path, e.option, e.entry) == ("malformed_origin", "/allowOrigins/0", "allowOrigins", "https://a.example/")
        assert "did you mean `allowOrigins`?" in e.errors[2].message  # the document's own keys
        assert str(e).startswith("the policy document has 3 problems\n  /allowOrigins/0: allowOrigins `https://a.example/`")
    with pytest.raises(corsguard.DocumentError) as info:
        corsguard.Policy.from_json("{not json")
    assert info.value.code == "invalid_json" and info.value.path == ""
    with pytest.raises(TypeError):
        corsguard.Policy.from_json({"version": 1})  # type: ignore[arg-type]
    problem = info.value.errors[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.code = "x"  # type: ignore[misc]


def test_from_file_reports_a_missing_file_as_oserror_and_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        corsguard.Policy.from_file(tmp_path / "missing.json")
    bad = tmp_path / "policy.json"
    bad.write_bytes(b'{"version": 1, "allowOrigins": ["*"], "allowCredentials": true}')
    with pytest.raises(corsguard.ConfigError) as info:
        corsguard.Policy.from_file(bad)
    assert str(info.value).startswith(f"{bad}: the policy document has 1 problem")
    assert info.value.code == "wildcard_origin_with_credentials"


def test_messages_name_the_keywords_but_keep_the_entries_as_written():
    with pytest.raises(corsguard.DocumentError) as info:
        corsguard.Policy(allow_origins=["https://a.example"], allow_methods=["maxAge", "maxAge"], fixed_origin="https://A.example",
                         allow_private_networks=True)
    messages = {p.path: p.message for p in info.value.errors}
    assert messages["/allowMethods/1"].startswith("allow_methods `maxAge`")
    assert messages["/fixedOrigin"].startswith("fixed_origin `https://A.example`")
    assert messages["/allowPrivateNetworks"].startswith("`allow_private_networks` is not a key")  # as written
    assert messages["/allowPrivateNetworks"].endswith("did you mean `allow_private_network`?")
    assert str(info.value).startswith("the policy document has 3 problems\n  /allowMethods/1: allow_methods `maxAge`")


def test_keywords_are_the_document_keys_in_snake_case():
    keywords = corsguard.Policy(
        allow_origins=("https://a.example",),  # any iterable is an array
        allow_methods=["PUT"],
        allow_headers="mirror",
        expose_headers={"x-total"},
        allow_credentials=True,
        max_age=600,
        allow_private_network=True,
        preflight_status=200,
        fixed_origin=None,  # None leaves a key out
    )
    document = corsguard.Policy.from_json(json.dumps({
        "version": 1, "allowOrigins": ["https://a.example"], "allowMethods": ["PUT"], "allowHeaders": "mirror",
        "exposeHeaders": ["x-total"], "allowCredentials": True, "maxAge": 600, "allowPrivateNetwork": True,
        "preflightStatus": 200}))
    request = ("OPTIONS", "https://a.example", "PUT", "x-a", "true")
    assert keywords.evaluate(*request).raw_headers == document.evaluate(*request).raw_headers
    assert keywords.evaluate(*request).status == 200


@pytest.mark.parametrize("count, capacity", [(10, "small"), (200, "default"), (1000, "large")])
def test_a_policy_is_built_in_the_smallest_class_that_holds_it(count, capacity):
    origins = [f"https://o{i}.example" for i in range(count)]
    policy = corsguard.Policy(allow_origins=origins)
    assert policy.capacity == capacity
    assert policy.evaluate("GET", origin=f"https://o{count - 1}.example").allowed
    assert corsguard.Policy.from_json(json.dumps({"version": 1, "allowOrigins": origins})).capacity == capacity


def test_the_capacity_classes_are_the_cores():
    assert corsguard.CAPACITY_CLASSES == {
        "small": (16, 16, 1024), "default": (256, 64, 16384), "large": (4096, 256, 262144)}
    assert corsguard.DEFAULT_CAPACITY == corsguard.CAPACITY_CLASSES["default"]
    assert corsguard.LARGE_CAPACITY == corsguard.CAPACITY_CLASSES["large"]


def test_type_errors():
    with pytest.raises(corsguard.DocumentError, match="must be an array of strings") as info:
        corsguard.Policy(allow_origins="https://a.example")
    assert (info.value.code, info.value.path, info.value.option) == ("wrong_type", "/allowOrigins", "allow_origins")
    with pytest.raises(TypeError):
        corsguard.Policy(allow_origins=[b"https://a.example"])
    with pytest.raises(TypeError):
        corsguard.Policy(allow_origins=["*"], origin_regex="x", origin_predicate=lambda o: True)
    policy = corsguard.Policy(allow_origins=["*"])
    with pytest.raises(TypeError):
        policy.evaluate(123)


def test_origin_regex_and_predicate():
    for policy in (
        corsguard.Policy(allow_origins=["https://a.example"], origin_regex=r"https://[a-z]+\.b\.example"),
        corsguard.Policy(allow_origins=["https://a.example"], origin_regex=re.compile(r"https://[a-z]+\.b\.example")),
        corsguard.Policy(
            allow_origins=["https://a.example"], origin_predicate=lambda o: o.endswith(".b.example") and "." not in o[8:-10]
        ),
    ):
        assert policy.evaluate("GET", origin="https://x.b.example").allowed
        assert not policy.evaluate("GET", origin="https://x.b.example.evil").allowed
        # null stays opt-in whatever the predicate says (strict profile)
        assert not policy.evaluate("GET", origin="null", origin_verdict=True).allowed
        # an explicit verdict overrides
        assert policy.evaluate("GET", origin="https://q.example", origin_verdict=True).allowed
    seen = []
    policy = corsguard.Policy(allow_origins=["https://a.example"], origin_predicate=lambda o: seen.append(o))
    assert seen == list(corsguard.VERDICT_PROBES)  # tried on the probes when built
    seen.clear()
    policy.evaluate("GET", origin=b"https://\xe9.example")
    assert seen == ["https://\u00e9.example"]  # bytes reach the predicate as latin-1 text


@pytest.mark.parametrize(
    "value",
    [
        b"\xff\xfe\x00\r\n",
        b"a" * 1_000_000,
        b", " * 500_000,
        "https://a.example\udc80",
        "",
    ],
)
def test_any_request_value_is_answered(value):
    policy = corsguard.Policy(allow_origins=["https://a.example"], allow_headers=["x-a"], allow_methods=["PUT"])
    for field in ("origin", "request_method", "request_headers", "request_private_network"):
        d = policy.evaluate("OPTIONS", **{"origin": "https://a.example", "request_method": "PUT", field: value})
        for _, v in d.raw_headers:
            assert not set(v) & {0, 10, 13}


@pytest.mark.parametrize(
    "headers",
    [
        [(b"origin", b"https://\xff\xfe.example"), (b"access-control-request-method", b"\xff")],
        [(b"origin", b"https://a.example"), (b"access-control-request-method", b"GET"),
         (b"access-control-request-headers", b"," * 1_000_000)],
        [(b"origin", b"https://a.example")] * 50 + [(b"access-control-request-method", b"GET")] * 50,
        [(b"origin", "https://a.example"), (b"access-control-request-method", "GET")],  # str, not bytes
        [(b"origin",), (b"origin", b"a", b"b"), None, (b"origin", b"https://a.example")],  # broken items
        [(b"origin", b"https://a.example\r\nSet-Cookie: x=y"), (b"access-control-request-method", b"GET")],
    ],
)
@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_asgi_malformed_headers_never_raise(headers, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        middleware = CORSMiddleware(
            make_app([]), allow_origins=["*"], allow_credentials=True, allow_origin_regex=".*"
        )
    status, response_headers, body = asyncio.run(run(middleware, method, headers))
    assert status in (200, 400)
    for _, v in response_headers:
        assert not set(v) & {0, 10, 13}


def test_risky_configs_warn_once_at_construction():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CORSMiddleware(make_app([]), allow_origins=["*"], allow_credentials=True)
        CORSMiddleware(make_app([]), allow_origins=["null"])
        CORSMiddleware(make_app([]), allow_origin_regex=r"https://.*")
        CORSMiddleware(make_app([]), allow_origins=["https://a.example"], allow_origin_regex=r"https://a\.example")
    messages = [str(w.message) for w in caught]
    assert all(w.category is corsguard.RiskyConfigWarning for w in caught)
    assert len(messages) == 3, messages
    assert "credential" in messages[0] and "null" in messages[1] and "evil.test" in messages[2]
    # The same configurations are refused by the strict Policy.
    with pytest.raises(corsguard.ConfigError):
        corsguard.Policy(allow_origins=["*"], allow_credentials=True)
    with pytest.raises(corsguard.ConfigError):
        corsguard.Policy(allow_origins=["null"], allow_credentials=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"origin_regex": r"https://.*"},
        {"origin_regex": r".*"},
        {"origin_regex": re.compile(r"HTTPS?://.+", re.IGNORECASE)},
        {"origin_predicate": lambda o: True},
        {"origin_predicate": lambda o: o.startswith("http")},
    ],
)
def test_a_verdict_admitting_every_origin_is_refused_with_credentials(kwargs):
    with pytest.raises(corsguard.ConfigError) as refused:
        corsguard.Policy(allow_credentials=True, **kwargs)
    assert refused.value.code == "wide_verdict_with_credentials"
    assert "origin_verdict allows `http" in str(refused.value)
    assert "allow_wide_verdict_with_credentials" in str(refused.value)
    # Without credentials it is as open as "*", which is allowed.
    assert corsguard.Policy(**kwargs).evaluate("GET", origin="https://x.example").allowed
    # The opt-in accepts it.
    opted_in = corsguard.Policy(allow_credentials=True, allow_wide_verdict_with_credentials=True, **kwargs)
    assert opted_in.evaluate("GET", origin="https://x.example").allowed


def test_a_narrow_verdict_with_credentials_is_accepted():
    policy = corsguard.Policy(origin_regex=r"https://[a-z]+\.example\.com", allow_credentials=True)
    assert policy.evaluate("GET", origin="https://a.example.com").allowed
    assert not policy.evaluate("GET", origin="https://a.example.com.evil.net").allowed
    local = corsguard.Policy(origin_regex=r"http://127\.0\.0\.1:\d+", allow_credentials=True)
    assert local.evaluate("GET", origin="http://127.0.0.1:5173").allowed


def test_help_is_useful():
    text = pydoc.render_doc(corsguard, renderer=pydoc.plaintext)
    for word in ("Policy", "evaluate", "ConfigError", "asgi.CORSMiddleware", "wsgi.CORSMiddleware"):
        assert word in text
    assert "allow_origins" in pydoc.render_doc(corsguard.Policy, renderer=pydoc.plaintext)


def test_typing_files_are_installed():
    from importlib import resources

    files = {p.name for p in resources.files("corsguard").iterdir()}
    assert {"py.typed", "_native.pyi"} <= files
