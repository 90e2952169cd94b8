"""Policy documents with named policies and routes, through corsguard.Policy:
the served policies, which one serves a path, paths no policy serves, and
the strict middleware (ASGI with Starlette, WSGI with Flask) on such a
document."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import corsguard

ADMIN = "https://admin.example.com"
APP = "https://app.example.com"

DOCUMENT = {
    "version": 1,
    "allowMethods": ["GET", "PUT"],
    "allowHeaders": ["content-type"],
    "policies": {
        "public": {"allowOrigins": ["*"]},
        "admin": {"allowOrigins": [ADMIN], "allowCredentials": True, "maxAge": 600},
    },
    "routes": [
        {"path": "/admin/**", "policy": "admin"},
        {"path": "/api/**", "policy": "public"},
        {"path": "/internal/**", "policy": None},
        {"path": "/", "policy": "default"},
    ],
    "allowOrigins": [APP],
}


def routed() -> corsguard.Policy:
    return corsguard.Policy.from_json(json.dumps(DOCUMENT))


def origin_of(decision) -> str | None:
    return dict(decision.headers).get("Access-Control-Allow-Origin")


def test_a_routed_document_serves_each_policy_a_route_names():
    policy = routed()
    assert policy.has_routes
    assert policy.policy_names == ("default", "public", "admin")
    assert policy.route("/admin/users") == "admin"
    assert policy.route("/api/items?page=2") == "public"
    assert policy.route("/") == policy.route(None) == "default"

    admin = policy.evaluate("GET", origin=ADMIN, path="/admin/users")
    assert admin.allowed and origin_of(admin) == ADMIN
    assert dict(admin.headers)["Access-Control-Allow-Credentials"] == "true"
    # The admin origin is not allowed by the public policy's list, but `*` is.
    public = policy.evaluate("GET", origin=ADMIN, path="/api/items")
    assert public.allowed and origin_of(public) == "*"
    # Another origin is refused on /admin, with the reason.
    refused = policy.evaluate("GET", origin=APP, path="/admin/users")
    assert not refused.allowed and refused.reason_code == "origin_not_allowed"
    # The top-level keys are the `default` policy, and named ones inherit them.
    preflight = policy.evaluate("OPTIONS", origin=ADMIN, request_method="PUT",
                                request_headers="content-type", path="/admin/x")
    assert preflight.status == 204
    assert dict(preflight.headers)["Access-Control-Allow-Methods"] == "GET, PUT"
    assert dict(preflight.headers)["Access-Control-Max-Age"] == "600"


def test_path_none_means_the_root():
    policy = routed()
    root = policy.evaluate("GET", origin=APP)
    assert root.allowed and origin_of(root) == APP
    assert origin_of(policy.evaluate("GET", origin=APP, path="/")) == APP


@pytest.mark.parametrize("path", ["/internal/metrics", "/other", "/apiary", "", "api/items"])
def test_a_path_no_policy_serves_gets_no_decision(path):
    policy = routed()
    assert policy.route(path) is None
    assert policy.evaluate("GET", origin=ADMIN, path=path) is None
    assert policy.evaluate("OPTIONS", origin=ADMIN, request_method="PUT", path=path) is None


@pytest.mark.parametrize("path", [
    "/api/../admin/users", "/admin/../api/x", "/api/./items", "/api/%2e%2e/admin",
    "/api/%2E/items", "/api%2fitems", "/api/items%5C..", "/api\\items",
])
def test_dot_segments_and_encoded_separators_match_no_rule(path):
    policy = routed()
    assert policy.route(path) is None
    assert policy.route(path.encode()) is None
    assert policy.evaluate("GET", origin=ADMIN, path=path) is None


def test_bytes_and_str_paths_route_alike():
    policy = routed()
    for path in ["/admin/users", "/api/items?x=1", "/internal/x", "/nowhere"]:
        assert policy.route(path) == policy.route(path.encode())
        by_str = policy.evaluate("GET", origin=ADMIN, path=path)
        by_bytes = policy.evaluate("GET", origin=ADMIN, path=path.encode())
        assert (by_str is None) == (by_bytes is None)
        if by_str is not None:
            assert by_str.raw_headers == by_bytes.raw_headers
    # A str path is sent as UTF-8: non-ASCII text is matched by its bytes.
    document = {**DOCUMENT, "routes": [{"path": "/caf%C3%A9/*", "policy": "public"},
                                       {"path": "/*/**", "policy": "admin"}]}
    policy = corsguard.Policy.from_json(json.dumps(document))
    assert policy.route("/caf%C3%A9/menu") == "public"
    assert policy.route("/café/menu") == "admin"
    assert policy.route("/café/menu".encode()) == "admin"
    assert policy.route(b"/caf\xe9/menu") == "admin"  # latin-1 bytes, as received


def test_a_path_must_be_str_or_bytes():
    with pytest.raises(TypeError):
        routed().evaluate("GET", origin=ADMIN, path=42)
    with pytest.raises(TypeError):
        corsguard.Policy(allow_origins=[APP]).evaluate("GET", origin=APP, path=["/"])


def test_without_routes_the_path_is_ignored():
    policy = corsguard.Policy(allow_origins=[APP])
    assert not policy.has_routes
    assert policy.policy_names == ("default",)
    for path in [None, "/", "/any/where", b"/api/../admin", ""]:
        assert policy.route(path) == "default"
        d = policy.evaluate("GET", origin=APP, path=path)
        assert d is not None and origin_of(d) == APP


def test_each_served_policy_is_built_in_its_own_class():
    many = [f"https://host-{i}.example" for i in range(300)]
    document = {
        "version": 1,
        "policies": {"few": {"allowOrigins": [APP]}, "many": {"allowOrigins": many}},
        "routes": [{"path": "/few/**", "policy": "few"}, {"path": "/many/**", "policy": "many"}],
    }
    policy = corsguard.Policy.from_json(json.dumps(document))
    # `default` is served by no route, so it is not built.
    assert policy.policy_names == ("few", "many")
    assert policy.capacity == "large"  # the largest class built
    assert origin_of(policy.evaluate("GET", origin="https://host-299.example", path="/many/x"))
    assert policy.evaluate("GET", origin="https://host-299.example", path="/few/x").reason_code == (
        "origin_not_allowed")


def test_a_document_whose_routes_serve_no_policy():
    document = {"version": 1, "allowOrigins": [APP], "routes": [{"path": "/**", "policy": None}]}
    policy = corsguard.Policy.from_json(json.dumps(document))
    assert policy.has_routes and policy.policy_names == ()
    assert policy.evaluate("GET", origin=APP, path="/x") is None


def test_errors_of_every_policy_are_reported_at_once():
    document = {
        "version": 1,
        "policies": {
            "public": {"allowOrigins": ["https://a.example/"]},
            "admin": {"allowOrigins": [ADMIN], "maxAge": -1},
        },
        "routes": [{"path": "/a/**", "policy": "public"}, {"path": "b", "policy": "admin"},
                   {"path": "/c", "policy": "nobody"}],
    }
    with pytest.raises(corsguard.DocumentError) as info:
        corsguard.Policy.from_json(json.dumps(document))
    got = [(p.code, p.path) for p in info.value.errors]
    assert ("malformed_origin", "/policies/public/allowOrigins/0") in got
    assert ("bad_path_rule", "/routes/1/path") in got
    assert ("unknown_policy", "/routes/2/policy") in got
    assert any(path.startswith("/policies/admin/maxAge") for _, path in got), got


def test_findings_and_vary_merge_are_per_policy():
    document = {
        "version": 1,
        "policies": {
            "legacy": {"profile": "starlette", "allowOrigins": ["null"]},
            "strict": {"allowOrigins": [APP]},
        },
        "routes": [{"path": "/legacy/**", "policy": "legacy"}, {"path": "/**", "policy": "strict"}],
    }
    policy = corsguard.Policy.from_json(json.dumps(document))
    assert any(f.path.startswith("/policies/legacy/") for f in policy.findings), policy.findings
    assert policy.evaluate("GET", origin="null", path="/legacy/x").vary_merge == "join"
    assert policy.evaluate("GET", origin=APP, path="/x").vary_merge == "dedup"


STACK = textwrap.dedent(
    """
    import json, threading
    import corsguard

    def origins(n):
        return ["https://host-%d.example" % i for i in range(n)]

    document = {
        "version": 1,
        "policies": {"s": {"allowOrigins": origins(10)}, "d": {"allowOrigins": origins(200)},
                     "l": {"allowOrigins": origins(300)}},
        "routes": [{"path": "/" + n + "/**", "policy": n} for n in "sdl"],
    }
    results = []

    def build():
        policy = corsguard.Policy.from_json(json.dumps(document))
        for n in "sdl":
            d = policy.evaluate("GET", origin="https://host-7.example", path="/%s/x" % n)
            results.append(d.allowed)
        results.append(policy.capacity == "large")

    threading.stack_size(256 * 1024)
    thread = threading.Thread(target=build)
    thread.start()
    thread.join()
    print("built" if results and all(results) else "wrong: %r" % results)
    """
)


def test_a_routed_document_of_every_class_builds_on_a_256_kib_thread_stack():
    result = subprocess.run([sys.executable, "-c", STACK], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout.strip()) == (0, "built"), result.stderr


# The strict middleware on a routed document.


def starlette_app(seen: list) -> Starlette:
    from corsguard.asgi import PolicyMiddleware

    async def page(request):
        return PlainTextResponse(f"page {request.url.path}", headers={"vary": "Accept-Encoding"})

    return Starlette(
        routes=[Route("/{rest:path}", page, methods=["GET", "PUT", "OPTIONS"])],
        middleware=[Middleware(PolicyMiddleware, policy=routed(),
                               on_decision=lambda scope, d: seen.append(d))],
    )


def asgi(app, method: str, path: str, headers: dict) -> httpx.Response:
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            return await client.request(method, path, headers=headers)

    return asyncio.run(go())


def test_asgi_policy_middleware_routes_by_the_request_path():
    seen: list = []
    app = starlette_app(seen)
    r = asgi(app, "GET", "/admin/users", {"origin": ADMIN})
    assert r.text == "page /admin/users"
    assert r.headers["access-control-allow-origin"] == ADMIN
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers.get_list("vary") == ["Accept-Encoding, Origin"]

    r = asgi(app, "GET", "/api/items?page=2", {"origin": ADMIN})
    assert r.headers["access-control-allow-origin"] == "*"

    preflight = {"origin": ADMIN, "access-control-request-method": "PUT"}
    r = asgi(app, "OPTIONS", "/admin/users", preflight)
    assert r.status_code == 204 and r.headers["access-control-max-age"] == "600"

    # No policy serves these: the app answers, without CORS headers.
    for path in ["/internal/metrics", "/nowhere"]:
        r = asgi(app, "OPTIONS", path, preflight)
        assert r.text == f"page {path}"
        assert not [k for k in r.headers if k.startswith("access-control-")]
        assert r.headers["vary"] == "Accept-Encoding"
    assert [d is None for d in seen] == [False, False, False, True, True]


def test_asgi_policy_middleware_matches_the_raw_path():
    seen: list = []
    app = starlette_app(seen)
    # httpx sends the dot segment as written; Starlette's router would see
    # the decoded path, the policy the raw one, which matches no rule.
    r = asgi(app, "GET", "/api/%2e%2e/admin/users", {"origin": ADMIN})
    assert "access-control-allow-origin" not in r.headers
    assert seen == [None]


def flask_client(seen: list):
    from flask import Flask

    from corsguard.wsgi import PolicyMiddleware

    app = Flask(__name__)

    @app.route("/<path:rest>", methods=["GET", "PUT", "OPTIONS"])
    def page(rest):
        return f"page /{rest}", 200, {"Vary": "Accept-Encoding"}

    app.wsgi_app = PolicyMiddleware(app.wsgi_app, routed(), on_decision=lambda env, d: seen.append(d))
    return app.test_client()


def test_wsgi_policy_middleware_routes_by_the_request_path():
    seen: list = []
    client = flask_client(seen)
    r = client.get("/admin/users", headers={"Origin": ADMIN})
    assert r.text == "page /admin/users"
    assert r.headers["Access-Control-Allow-Origin"] == ADMIN
    assert r.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    assert client.get("/api/items", headers={"Origin": ADMIN}).headers["Access-Control-Allow-Origin"] == "*"
    r = client.options("/internal/metrics", headers={"Origin": ADMIN, "Access-Control-Request-Method": "PUT"})
    assert r.text == "page /internal/metrics"
    assert "Access-Control-Allow-Origin" not in r.headers
    assert [d is None for d in seen] == [False, False, True]


def test_wsgi_path_without_a_raw_uri_is_encoded_again():
    from corsguard.wsgi import _environ_path

    # PEP 3333: PATH_INFO is decoded, as latin-1 text.
    environ = {"SCRIPT_NAME": "/app", "PATH_INFO": "/caf\u00e9 menu/x"}
    assert _environ_path(environ) == b"/app/caf%E9%20menu/x"
    assert _environ_path({"RAW_URI": "/api/%2e%2e/x?y=1", "PATH_INFO": "/x"}) == b"/api/%2e%2e/x?y=1"
    assert _environ_path({}) == b"/"


def test_keywords_write_named_policies_in_snake_case():
    policy = corsguard.Policy(
        allow_methods=["GET", "PUT"],
        policies={"admin": {"allow_origins": [ADMIN], "allow_credentials": True, "max_age": None}},
        routes=[{"path": "/admin/**", "policy": "admin"}],
    )
    assert policy.policy_names == ("admin",)
    d = policy.evaluate("GET", origin=ADMIN, path="/admin/x")
    assert ("Access-Control-Allow-Credentials", "true") in d.headers
    assert policy.evaluate("GET", origin=ADMIN, path="/other") is None
    # Messages name the keys as they were written.
    with pytest.raises(corsguard.DocumentError) as info:
        corsguard.Policy(policies={"a": {"allow_origin": [ADMIN]}}, routes=[{"path": "/**", "policy": "a"}])
    (problem,) = info.value.errors
    assert (problem.code, problem.path) == ("unknown_key", "/policies/a/allowOrigin")
    assert "`allow_origin` is not a key here; did you mean `allow_origins`?" in problem.message
