"""The refusal hook of every ASGI and WSGI middleware, over real HTTP on
loopback (uvicorn, Werkzeug): called once for each request the core refuses,
with the core's kind, code and reason; never for allowed or non-CORS
requests; a raising hook reported once and the request answered as without
it, or, with hook_errors="raise", the error passed to the server."""

from __future__ import annotations

import threading
import warnings

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import corsguard
import corsguard.asgi
import corsguard.wsgi
from corsguard import HookErrorWarning, Refusal

import loopback

APP = "https://app.example.com"
EVIL = "https://evil.example"
OPTIONS = dict(allow_origins=[APP], allow_methods=["GET", "PUT"], allow_headers=["content-type"])

#: (method, path, headers, the refusal expected or None)
REQUESTS = [
    ("GET", "/items?page=2", {"origin": APP}, None),
    ("GET", "/items", {}, None),
    (
        "GET",
        "/items",
        {"origin": EVIL},
        ("actual", "origin_not_allowed", "the origin is not allowed by the policy", EVIL, "GET", "/items"),
    ),
    (
        "OPTIONS",
        "/items",
        {"origin": APP, "access-control-request-method": "DELETE"},
        ("preflight", "method_not_allowed", "the method `DELETE` is not allowed by the policy", APP, "OPTIONS", "/items"),
    ),
    (
        "OPTIONS",
        "/other/path",
        {"origin": APP, "access-control-request-method": "PUT", "access-control-request-headers": "x-secret"},
        (
            "preflight",
            "header_not_allowed",
            "the request header `x-secret` is not allowed by the policy",
            APP,
            "OPTIONS",
            "/other/path",
        ),
    ),
    ("OPTIONS", "/items", {"origin": APP, "access-control-request-method": "PUT"}, None),
]


async def items(request):
    return PlainTextResponse("items")


def asgi_app():
    return Starlette(routes=[Route("/items", items, methods=["GET", "PUT"]), Route("/other/path", items)])


def wsgi_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"items"]


def policy():
    return corsguard.Policy(**OPTIONS)


#: name -> (build(hook keywords) -> app, server, the request object's type)
MIDDLEWARES = {
    "asgi.CORSMiddleware": (lambda **kw: corsguard.asgi.CORSMiddleware(asgi_app(), **OPTIONS, **kw), loopback.uvicorn, dict),
    "asgi.PolicyMiddleware": (lambda **kw: corsguard.asgi.PolicyMiddleware(asgi_app(), policy(), **kw), loopback.uvicorn, dict),
    "wsgi.CORSMiddleware": (lambda **kw: corsguard.wsgi.CORSMiddleware(wsgi_app, **OPTIONS, **kw), loopback.werkzeug, dict),
    "wsgi.PolicyMiddleware": (lambda **kw: corsguard.wsgi.PolicyMiddleware(wsgi_app, policy(), **kw), loopback.werkzeug, dict),
}


def answers(base: str) -> list:
    with httpx.Client(base_url=base, timeout=10) as client:
        out = []
        for method, path, headers, _ in REQUESTS:
            r = client.request(method, path, headers=headers)
            out.append((r.status_code, [(k, v) for k, v in r.headers.items() if k not in ("date", "server")], r.content))
        return out


@pytest.mark.parametrize("name", MIDDLEWARES)
def test_the_hook_sees_each_refusal_with_the_cores_reason(name):
    build, serve, request_type = MIDDLEWARES[name]
    calls = []
    lock = threading.Lock()

    def on_refusal(request, refusal):
        with lock:
            calls.append((request, refusal))

    with serve(build()) as base:
        without = answers(base)
    with serve(build(on_refusal=on_refusal)) as base:
        got = [answers(base)]
        seen = list(calls)
        calls.clear()
        for index, (method, path, headers, want) in enumerate(REQUESTS):
            with httpx.Client(base_url=base, timeout=10) as client:
                client.request(method, path, headers=headers)
            if want is None:
                assert calls == [], REQUESTS[index]
            else:
                assert len(calls) == 1, REQUESTS[index]
                request, refusal = calls[0]
                assert isinstance(refusal, Refusal)
                assert (refusal.kind, refusal.code, refusal.reason, refusal.origin, refusal.method, refusal.path) == want
                assert isinstance(request, request_type)
            calls.clear()
    # The hook changes no answer.
    assert got[0] == without
    assert len(seen) == sum(1 for r in REQUESTS if r[3] is not None)


@pytest.mark.parametrize("name", MIDDLEWARES)
def test_a_raising_hook_is_reported_once_and_changes_nothing(name):
    build, serve, _ = MIDDLEWARES[name]
    calls = []

    def on_refusal(request, refusal):
        calls.append(refusal.code)
        raise RuntimeError("the metrics backend is down")

    with serve(build()) as base:
        without = answers(base)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with serve(build(on_refusal=on_refusal)) as base:
            got = answers(base)
            again = answers(base)
    assert got == without and again == without
    assert len(calls) == 2 * sum(1 for r in REQUESTS if r[3] is not None)
    reported = [w for w in caught if issubclass(w.category, HookErrorWarning)]
    assert len(reported) == 1, [str(w.message) for w in caught]
    assert "the metrics backend is down" in str(reported[0].message)
    assert "hook_errors='raise'" in str(reported[0].message)


@pytest.mark.parametrize("name", MIDDLEWARES)
def test_hook_errors_raise_passes_the_error_to_the_server(name):
    build, serve, _ = MIDDLEWARES[name]

    def on_refusal(request, refusal):
        raise RuntimeError("refused on purpose")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the server's own report of the error
        with serve(build(on_refusal=on_refusal, hook_errors="raise")) as base:
            with httpx.Client(base_url=base, timeout=10) as client:
                refused = client.get("/items", headers={"origin": EVIL})
                allowed = client.get("/items", headers={"origin": APP})
    assert refused.status_code == 500  # the server's own error answer
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == APP


def test_on_decision_still_called_beside_on_refusal():
    decisions, refusals = [], []
    app = corsguard.asgi.PolicyMiddleware(
        asgi_app(),
        policy(),
        on_decision=lambda scope, d: decisions.append(d.outcome),
        on_refusal=lambda scope, r: refusals.append(r.code),
    )
    with loopback.uvicorn(app) as base:
        with httpx.Client(base_url=base, timeout=10) as client:
            client.get("/items", headers={"origin": APP})
            client.get("/items", headers={"origin": EVIL})
    assert decisions == ["allowed", "denied"]
    assert refusals == ["origin_not_allowed"]


@pytest.mark.parametrize(
    "keywords, error",
    [
        (dict(on_refusal="log"), TypeError),
        (dict(hook_errors="ignore"), ValueError),
        (dict(cors_on_errors="yes"), TypeError),
    ],
)
@pytest.mark.parametrize("name", MIDDLEWARES)
def test_bad_hook_options_are_refused_at_construction(name, keywords, error):
    build, _, _ = MIDDLEWARES[name]
    with pytest.raises(error):
        build(**keywords)
