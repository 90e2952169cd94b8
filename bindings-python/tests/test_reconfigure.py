"""Live reconfiguration under concurrent load, over real HTTP on loopback:
client threads send preflights and actual requests while another thread
flips the running middleware between two configurations that differ in
every header, and every answer must be wholly one configuration's.

WSGI middlewares (and Flask, Django) run under Werkzeug's threaded server,
a thread per request, so requests and swaps really interleave; ASGI
middlewares run under uvicorn, reconfigured from a thread beside the event
loop. Every loop is bounded. A refused configuration raises and the
running one stays."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import corsguard
import corsguard.asgi
import corsguard.wsgi

import loopback

ORIGIN = "https://app.example.com"
CLIENTS = 6
ROUNDS = 60  # per client: one actual request and one preflight each
MAX_RECONFIGURATIONS = 50_000

# Two configurations, as Starlette keywords: every header a browser reads
# differs, and B admits the origin through its regex (the host's verdict),
# A through its list, so that a request judged by one configuration's
# verdict and the other's policy shows too.
STARLETTE = {
    "a": dict(allow_origins=[ORIGIN], allow_methods=["GET", "PUT"], expose_headers=["x-policy-a"], max_age=100),
    "b": dict(
        allow_origin_regex=r"https://app\.example\.com",
        allow_methods=["GET", "DELETE"],
        expose_headers=["x-policy-b"],
        allow_credentials=True,
        max_age=200,
    ),
}
DOCUMENTS = {
    "a": {"version": 1, "allowOrigins": [ORIGIN], "allowMethods": ["GET", "PUT"], "exposeHeaders": ["x-policy-a"], "maxAge": 100},
    "b": {
        "version": 1,
        "allowOrigins": [ORIGIN],
        "allowMethods": ["GET", "DELETE"],
        "exposeHeaders": ["x-policy-b"],
        "allowCredentials": True,
        "maxAge": 200,
    },
}
FLASK = {
    "a": dict(origins=[ORIGIN], methods=["GET", "PUT"], expose_headers=["x-policy-a"], max_age=100),
    "b": dict(origins=[ORIGIN], methods=["GET", "DELETE"], expose_headers=["x-policy-b"], supports_credentials=True, max_age=200),
}
DJANGO = {
    "a": dict(CORS_ALLOWED_ORIGINS=[ORIGIN], CORS_ALLOW_METHODS=["GET", "PUT"], CORS_EXPOSE_HEADERS=["x-policy-a"],
              CORS_PREFLIGHT_MAX_AGE=100, CORS_ALLOW_CREDENTIALS=False),
    "b": dict(CORS_ALLOWED_ORIGINS=[ORIGIN], CORS_ALLOW_METHODS=["GET", "DELETE"], CORS_EXPOSE_HEADERS=["x-policy-b"],
              CORS_PREFLIGHT_MAX_AGE=200, CORS_ALLOW_CREDENTIALS=True),
}

CORS_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-max-age",
    "access-control-expose-headers",
)


def seen(response: httpx.Response) -> tuple:
    return (response.status_code,) + tuple(response.headers.get(name) for name in CORS_HEADERS)


def expected(serve_with, flip) -> dict:
    """Each configuration's answers to the two requests, taken without load."""
    answers = {}
    for name in ("a", "b"):
        flip(name)
        with httpx.Client(base_url=serve_with, timeout=10) as client:
            answers[name] = (seen(client.get("/items", headers={"origin": ORIGIN})),
                             seen(client.options("/items", headers={"origin": ORIGIN, "access-control-request-method": "GET"})))
    assert answers["a"][0] != answers["b"][0] and answers["a"][1] != answers["b"][1]
    return answers


def under_load(base: str, flip) -> dict:
    """Clients and a reconfiguring thread at once; returns the counts."""
    want = expected(base, flip)
    actual = {want["a"][0]: "a", want["b"][0]: "b"}
    preflight = {want["a"][1]: "a", want["b"][1]: "b"}
    mixed: list = []
    counts = {"requests": 0, "a": 0, "b": 0, "reconfigurations": 0}
    lock = threading.Lock()
    done = threading.Event()
    errors: list = []

    def client() -> None:
        try:
            with httpx.Client(base_url=base, timeout=20) as c:
                for _ in range(ROUNDS):
                    for response, table in (
                        (c.get("/items", headers={"origin": ORIGIN}), actual),
                        (c.options("/items", headers={"origin": ORIGIN, "access-control-request-method": "GET"}), preflight),
                    ):
                        answer = seen(response)
                        with lock:
                            counts["requests"] += 1
                            if answer in table:
                                counts[table[answer]] += 1
                            else:
                                mixed.append(answer)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    def reconfigure() -> None:
        try:
            n = 0
            while not done.is_set() and n < MAX_RECONFIGURATIONS:
                flip("ab"[n % 2])
                n += 1
                time.sleep(0)  # let the request threads run between swaps
            counts["reconfigurations"] = n
        except BaseException as error:
            errors.append(error)

    clients = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    swapper = threading.Thread(target=reconfigure, daemon=True)
    swapper.start()
    for t in clients:
        t.start()
    for t in clients:
        t.join(timeout=120)
    done.set()
    swapper.join(timeout=30)
    assert not any(t.is_alive() for t in clients + [swapper]), "the load did not finish in time"
    assert not errors, errors[:3]
    assert not mixed, f"{len(mixed)} answers mix the two configurations: {mixed[:3]}"
    assert counts["requests"] == CLIENTS * ROUNDS * 2
    # Both configurations served under load, swapped many times.
    assert counts["a"] > 0 and counts["b"] > 0, counts
    assert counts["reconfigurations"] >= 20, counts
    return counts


# The applications take a moment, as real ones wait on I/O, so that swaps
# land while requests are in flight (between the middleware's judgement and
# the response's headers).
WORK = 0.002


async def items(request):
    await asyncio.sleep(WORK)
    return PlainTextResponse("items")


def asgi_app():
    return Starlette(routes=[Route("/items", items, methods=["GET", "PUT", "DELETE"])])


def wsgi_app(environ, start_response):
    time.sleep(WORK)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"items"]


def test_asgi_dropin_under_uvicorn():
    middleware = corsguard.asgi.CORSMiddleware(asgi_app(), **STARLETTE["a"])
    with loopback.uvicorn(middleware) as base:
        counts = under_load(base, lambda name: middleware.reconfigure(**STARLETTE[name]))
    print("asgi.CORSMiddleware", counts)


def test_asgi_policy_middleware_under_uvicorn():
    policies = {name: corsguard.Policy.from_json(json.dumps(doc)) for name, doc in DOCUMENTS.items()}
    middleware = corsguard.asgi.PolicyMiddleware(asgi_app(), policies["a"])
    with loopback.uvicorn(middleware) as base:
        # Alternately a Policy and the document itself.
        counts = under_load(base, lambda name: middleware.reconfigure(policies[name] if name == "a" else DOCUMENTS[name]))
    print("asgi.PolicyMiddleware", counts)


def test_wsgi_dropin_under_threads():
    middleware = corsguard.wsgi.CORSMiddleware(wsgi_app, **STARLETTE["a"])
    with loopback.werkzeug(middleware) as base:
        counts = under_load(base, lambda name: middleware.reconfigure(**STARLETTE[name]))
    print("wsgi.CORSMiddleware", counts)


def test_wsgi_policy_middleware_under_threads():
    middleware = corsguard.wsgi.PolicyMiddleware(wsgi_app, corsguard.Policy.from_json(json.dumps(DOCUMENTS["a"])))
    with loopback.werkzeug(middleware) as base:
        counts = under_load(base, lambda name: middleware.reconfigure(DOCUMENTS[name]))
    print("wsgi.PolicyMiddleware", counts)


def test_flask_under_threads():
    from flask import Flask

    from corsguard.flask import CORS

    app = Flask("reconfigure")

    @app.route("/items", methods=["GET", "PUT", "DELETE"])
    def view():
        time.sleep(WORK)
        return "items"

    cors = CORS(app, **FLASK["a"])
    with loopback.werkzeug(app) as base:
        counts = under_load(base, lambda name: cors.reconfigure(**FLASK[name]))
    print("corsguard.flask", counts)


def test_django_under_threads():
    import django_project

    django_project.configure()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    import corsguard.django

    with override_settings(ROOT_URLCONF="django_project", MIDDLEWARE=[django_project.OURS], **DJANGO["a"]):
        handler = WSGIHandler()
        with loopback.werkzeug(handler) as base:
            counts = under_load(base, lambda name: corsguard.django.reconfigure(**DJANGO[name]))
    print("corsguard.django", counts)


# ---------------------------------------------------------------------------
# A refused configuration raises; the running one stays
# ---------------------------------------------------------------------------


def answer_of(base: str) -> tuple:
    with httpx.Client(base_url=base, timeout=10) as client:
        return seen(client.get("/items", headers={"origin": ORIGIN}))


@pytest.mark.parametrize("server", ["asgi", "wsgi"])
def test_dropin_refused_reconfiguration_keeps_the_running_one(server):
    module, app, serve = (
        (corsguard.asgi, asgi_app(), loopback.uvicorn) if server == "asgi" else (corsguard.wsgi, wsgi_app, loopback.werkzeug)
    )
    middleware = module.CORSMiddleware(app, **STARLETTE["a"])
    with serve(middleware) as base:
        before = answer_of(base)
        with pytest.raises(corsguard.DocumentError):
            middleware.reconfigure(allow_origins=["https://*.com"], strict=True)
        with pytest.raises(corsguard.DocumentError):
            middleware.reconfigure(allow_origins=[ORIGIN], expose_headers=["x-\u20ac"])  # not latin-1
        assert answer_of(base) == before
        middleware.reconfigure(**STARLETTE["b"])
        assert answer_of(base) != before


@pytest.mark.parametrize("server", ["asgi", "wsgi"])
def test_policy_middleware_refused_document_keeps_the_running_policy(server):
    module, app, serve = (
        (corsguard.asgi, asgi_app(), loopback.uvicorn) if server == "asgi" else (corsguard.wsgi, wsgi_app, loopback.werkzeug)
    )
    middleware = module.PolicyMiddleware(app, corsguard.Policy(allow_origins=[ORIGIN]))
    with serve(middleware) as base:
        before = answer_of(base)
        with pytest.raises(corsguard.DocumentError) as error:
            middleware.reconfigure({"version": 1, "allowOrigins": ["*"], "allowCredentials": True, "maxAge": -1})
        assert len(error.value.errors) == 2
        with pytest.raises(TypeError):
            middleware.reconfigure(42)
        assert answer_of(base) == before
        middleware.reconfigure('{"version": 1, "allowOrigins": ["https://app.example.com"], "exposeHeaders": ["x-new"]}')
        assert answer_of(base)[-1] == "x-new"


def test_reconfigure_keeps_the_hooks_unless_given():
    refusals = []
    middleware = corsguard.wsgi.CORSMiddleware(wsgi_app, allow_origins=[ORIGIN], on_refusal=lambda e, r: refusals.append(r.origin))
    with loopback.werkzeug(middleware) as base:
        middleware.reconfigure(allow_origins=["https://other.example"])
        with httpx.Client(base_url=base, timeout=10) as client:
            client.get("/items", headers={"origin": ORIGIN})
            middleware.reconfigure(allow_origins=[], on_refusal=None)
            client.get("/items", headers={"origin": ORIGIN})
    assert refusals == [ORIGIN]


def test_flask_refused_reconfiguration_keeps_the_running_options():
    from flask import Flask

    from corsguard.flask import CORS

    app = Flask("reconfigure_refused")
    app.add_url_rule("/items", "items", lambda: "items")
    cors = CORS(app, **FLASK["a"])
    with loopback.werkzeug(app) as base:
        before = answer_of(base)
        with pytest.raises(ValueError):
            cors.reconfigure(origins="*", supports_credentials=True, send_wildcard=True)
        with pytest.raises(TypeError):
            cors.reconfigure(origin=[ORIGIN])  # a misspelt option
        assert answer_of(base) == before
        cors.reconfigure(**FLASK["b"])
        assert answer_of(base)[2] == "true"  # Access-Control-Allow-Credentials


def test_django_refused_reconfiguration_keeps_the_running_settings():
    import django_project

    django_project.configure()
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.test import Client, override_settings

    import corsguard.django

    with override_settings(ROOT_URLCONF="django_project", MIDDLEWARE=[django_project.OURS], **DJANGO["a"]):
        before = Client().get("/items", HTTP_ORIGIN=ORIGIN).headers["Access-Control-Expose-Headers"]
        with pytest.raises(ImproperlyConfigured):
            corsguard.django.reconfigure(CORS_EXPOSE_HEADERS=["x-b"], CORS_PREFLIGHT_MAX_AGE="long")
        with pytest.raises(TypeError):
            corsguard.django.reconfigure(DEBUG=True)
        assert settings.CORS_EXPOSE_HEADERS == ["x-policy-a"]
        assert Client().get("/items", HTTP_ORIGIN=ORIGIN).headers["Access-Control-Expose-Headers"] == before
        corsguard.django.reconfigure(CORS_EXPOSE_HEADERS=["x-new"])
        assert Client().get("/items", HTTP_ORIGIN=ORIGIN).headers["Access-Control-Expose-Headers"] == "x-new"
        assert settings.CORS_EXPOSE_HEADERS == ["x-new"]
