"""The native, strict API: corsguard.Policy and its errors and decisions."""

from __future__ import annotations

import asyncio
import pydoc
import re
import warnings

import pytest

import corsguard
from corsguard.asgi import CORSMiddleware

from test_differential import make_app, run


def test_quick_start():
    policy = corsguard.Policy(
        allowed_origins=["https://app.example.com", "https://*.example.org"],
        allowed_methods=["GET", "PUT"],
        allowed_headers=["content-type"],
        credentials=True,
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
        ({"allowed_origins": ["*"], "credentials": True}, "wildcard_origin_with_credentials", "list the exact origins"),
        ({"allowed_origins": ["https://a.example/"]}, "malformed_origin", "trailing slash"),
        ({"allowed_origins": []}, "no_origins", "at least one origin"),
        ({"allowed_origins": ["*"], "allowed_methods": ["get"]}, "method_not_normalized", "uppercase"),
        ({"allowed_origins": ["*"], "allowed_headers": ["cookie"]}, "forbidden_request_header", "cookie"),
        ({"allowed_origins": ["*"], "max_age": 10**6}, "max_age_out_of_range", "86400"),
        ({"allowed_origins": ["*"], "max_age": -1}, "max_age_out_of_range", "-1"),
        ({"allowed_origins": ["*"], "preflight_status": 404}, "status_out_of_range", "2xx"),
        ({"allowed_origins": [f"https://o{i}.example" for i in range(257)]}, "capacity_exceeded", "ORIGINS"),
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
        corsguard.Policy(allowed_origins=["https://a.example", "http://b.example:80"])
    e = info.value
    assert (e.code, e.problem, e.option, e.entry) == ("malformed_origin", "default_port", "allowed_origins", "http://b.example:80")


def test_large_capacity_holds_what_default_refuses():
    origins = [f"https://o{i}.example" for i in range(1000)]
    policy = corsguard.Policy(allowed_origins=origins, capacity="large")
    assert policy.capacity == "large"
    assert policy.evaluate("GET", origin="https://o999.example").allowed


def test_type_errors():
    with pytest.raises(TypeError, match="write"):
        corsguard.Policy(allowed_origins="https://a.example")
    with pytest.raises(TypeError):
        corsguard.Policy(allowed_origins=[b"https://a.example"])
    with pytest.raises(TypeError):
        corsguard.Policy(allowed_origins=["*"], origin_regex="x", origin_predicate=lambda o: True)
    policy = corsguard.Policy(allowed_origins=["*"])
    with pytest.raises(TypeError):
        policy.evaluate(123)


def test_origin_regex_and_predicate():
    for policy in (
        corsguard.Policy(allowed_origins=["https://a.example"], origin_regex=r"https://[a-z]+\.b\.example"),
        corsguard.Policy(allowed_origins=["https://a.example"], origin_regex=re.compile(r"https://[a-z]+\.b\.example")),
        corsguard.Policy(
            allowed_origins=["https://a.example"], origin_predicate=lambda o: o.endswith(".b.example") and "." not in o[8:-10]
        ),
    ):
        assert policy.evaluate("GET", origin="https://x.b.example").allowed
        assert not policy.evaluate("GET", origin="https://x.b.example.evil").allowed
        # null stays opt-in whatever the predicate says (strict profile)
        assert not policy.evaluate("GET", origin="null", origin_verdict=True).allowed
        # an explicit verdict overrides
        assert policy.evaluate("GET", origin="https://q.example", origin_verdict=True).allowed
    seen = []
    policy = corsguard.Policy(allowed_origins=["https://a.example"], origin_predicate=lambda o: seen.append(o))
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
    policy = corsguard.Policy(allowed_origins=["https://a.example"], allowed_headers=["x-a"], allowed_methods=["PUT"])
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
    assert "credential" in messages[0] and "null" in messages[1] and "arbitrary" in messages[2]
    # The same configurations are refused by the strict Policy.
    with pytest.raises(corsguard.ConfigError):
        corsguard.Policy(allowed_origins=["*"], credentials=True)
    with pytest.raises(corsguard.ConfigError):
        corsguard.Policy(allowed_origins=["null"], credentials=True)


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
        corsguard.Policy(credentials=True, **kwargs)
    assert refused.value.code == "wide_verdict_with_credentials"
    assert "origin_verdict allows `http" in str(refused.value)
    assert "allow_wide_verdict_with_credentials" in str(refused.value)
    # Without credentials it is as open as "*", which is allowed.
    assert corsguard.Policy(**kwargs).evaluate("GET", origin="https://x.example").allowed
    # The opt-in accepts it.
    opted_in = corsguard.Policy(credentials=True, allow_wide_verdict_with_credentials=True, **kwargs)
    assert opted_in.evaluate("GET", origin="https://x.example").allowed


def test_a_narrow_verdict_with_credentials_is_accepted():
    policy = corsguard.Policy(origin_regex=r"https://[a-z]+\.example\.com", credentials=True)
    assert policy.evaluate("GET", origin="https://a.example.com").allowed
    assert not policy.evaluate("GET", origin="https://a.example.com.evil.net").allowed
    local = corsguard.Policy(origin_regex=r"http://127\.0\.0\.1:\d+", credentials=True)
    assert local.evaluate("GET", origin="http://127.0.0.1:5173").allowed


def test_help_is_useful():
    text = pydoc.render_doc(corsguard, renderer=pydoc.plaintext)
    for word in ("Policy", "evaluate", "ConfigError", "asgi.CORSMiddleware", "wsgi.CORSMiddleware"):
        assert word in text
    assert "allowed_origins" in pydoc.render_doc(corsguard.Policy, renderer=pydoc.plaintext)


def test_typing_files_are_installed():
    from importlib import resources

    files = {p.name for p in resources.files("corsguard").iterdir()}
    assert {"py.typed", "_native.pyi"} <= files
