"""`corsguard.asgi.PolicyMiddleware`: a strict `corsguard.Policy` in front of
a real Starlette app, over httpx's ASGI transport."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import corsguard
from corsguard.asgi import PolicyMiddleware

PAGE = "http://localhost:3000"


def make_app(seen: list) -> Starlette:
    async def items(request):
        return PlainTextResponse("items", headers={"vary": "Accept-Encoding"})

    policy = corsguard.Policy(
        allow_origins=[PAGE],
        allow_methods=["GET", "POST", "PUT"],
        allow_headers=["content-type", "x-request-id"],
        expose_headers=["x-total"],
        allow_credentials=True,
        max_age=600,
    )
    return Starlette(
        routes=[Route("/items", items, methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"])],
        middleware=[
            Middleware(PolicyMiddleware, policy=policy, on_decision=lambda scope, d: seen.append(d))
        ],
    )


def call(app, method: str, headers: list) -> httpx.Response:
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            return await client.request(method, "/items", headers=headers)

    return asyncio.run(go())


def test_allowed_preflight_is_answered_by_the_policy():
    seen: list = []
    r = call(
        make_app(seen),
        "OPTIONS",
        [
            ("origin", PAGE),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type"),
            ("access-control-request-headers", "x-request-id"),
        ],
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == PAGE
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["access-control-allow-methods"] == "GET, POST, PUT"
    assert r.headers["access-control-allow-headers"] == "content-type, x-request-id"
    assert r.headers["access-control-max-age"] == "600"
    assert seen[0].allowed and seen[0].kind == "preflight"


def test_refused_preflight_gets_403_without_cors_headers_and_a_reason():
    seen: list = []
    r = call(make_app(seen), "OPTIONS", [("origin", PAGE), ("access-control-request-method", "DELETE")])
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers
    assert r.headers["vary"] == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    assert seen[0].reason_code == "method_not_allowed"


def test_actual_response_gets_the_headers_and_a_merged_vary():
    r = call(make_app([]), "GET", [("origin", PAGE)])
    assert r.status_code == 200 and r.text == "items"
    assert r.headers["access-control-allow-origin"] == PAGE
    assert r.headers["access-control-expose-headers"] == "x-total"
    assert r.headers.get_list("vary") == ["Accept-Encoding, Origin"]


def test_other_origins_reach_the_app_without_cors_headers():
    for origin in ["https://evil.example", "http://localhost:3000.evil.example", "null"]:
        r = call(make_app([]), "GET", [("origin", origin)])
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers
        assert r.headers["vary"] == "Accept-Encoding, Origin"


def test_malformed_header_bytes_never_raise_into_the_app():
    r = call(make_app([]), "GET", [(b"origin", b"\xff\xfe" * 5000), (b"access-control-request-headers", b",")])
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers


def test_merge_vary_follows_the_core_rules():
    assert corsguard._native.merge_vary("dedup", b"accept-encoding, origin", b"Origin") is None
    assert corsguard._native.merge_vary("dedup", b"", b"Origin") == b"Origin"
    assert corsguard._native.merge_vary("join", b"Origin", b"Origin") == b"Origin, Origin"


def flask_app(seen: list):
    from flask import Flask

    from corsguard.wsgi import PolicyMiddleware as WSGIPolicyMiddleware

    app = Flask(__name__)

    @app.route("/items", methods=["GET", "PUT", "DELETE"])
    def items():
        return "items", 200, {"Vary": "Accept-Encoding"}

    policy = corsguard.Policy(
        allow_origins=[PAGE], allow_methods=["GET", "PUT"], allow_headers=["x-request-id"]
    )
    app.wsgi_app = WSGIPolicyMiddleware(app.wsgi_app, policy, on_decision=lambda env, d: seen.append(d))
    return app


def test_wsgi_policy_middleware_answers_preflights_and_sets_headers():
    seen: list = []
    client = flask_app(seen).test_client()
    ok = client.options(
        "/items",
        headers={"Origin": PAGE, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-request-id"},
    )
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == PAGE
    assert ok.headers["Access-Control-Allow-Headers"] == "x-request-id"
    refused = client.options("/items", headers={"Origin": PAGE, "Access-Control-Request-Method": "DELETE"})
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers
    actual = client.get("/items", headers={"Origin": PAGE})
    assert actual.status_code == 200 and actual.text == "items"
    assert actual.headers["Access-Control-Allow-Origin"] == PAGE
    assert actual.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    assert [d.reason_code for d in seen] == [None, "method_not_allowed", None]


def test_wsgi_policy_middleware_survives_malformed_environ_values():
    client = flask_app([]).test_client()
    r = client.get("/items", headers={"Origin": "https://\u00e9vil.example", "Access-Control-Request-Headers": ","})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers
