"""CORS headers on the 500 an exception produces, over real HTTP on
loopback: FastAPI and Starlette on uvicorn (opt-in, cors_on_errors=True),
a plain WSGI app on wsgiref and Werkzeug (opt-in), Flask (on by default, as
flask-cors: intercept_exceptions, alias cors_on_errors) and Django (the
view's exception becomes Django's 500 inside the middleware). Each time the
exception still reaches the server's or framework's error handling and
logging."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import StreamingResponse
from starlette.routing import Route

import corsguard
import corsguard.asgi
import corsguard.wsgi

import loopback

APP = "https://app.example.com"
EVIL = "https://evil.example"


@contextlib.contextmanager
def logged(name: str):
    """The records of one logger (uvicorn's do not propagate to the root)."""
    records: list = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def fastapi_app(**options) -> FastAPI:
    app = FastAPI()

    @app.get("/boom")
    def boom():
        raise RuntimeError("database down")

    @app.get("/ok")
    def ok():
        return {"ok": True}

    app.add_middleware(corsguard.asgi.CORSMiddleware, allow_origins=[APP], allow_credentials=True, **options)
    return app


def get(base: str, path: str, origin=APP) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=10) as client:
        return client.get(path, headers={} if origin is None else {"origin": origin})


def test_fastapi_500_carries_cors_headers_with_the_option():
    # uvicorn configures its loggers as it starts: listen after that.
    with loopback.uvicorn(fastapi_app(cors_on_errors=True)) as base:
        with logged("uvicorn.error") as records:
            r = get(base, "/boom")
            refused = get(base, "/boom", origin=EVIL)
            fine = get(base, "/ok")
            loopback.eventually(lambda: len(records) >= 2)
    assert r.status_code == 500
    assert r.text == "Internal Server Error"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["vary"] == "Origin"
    # A refused origin is not entitled to read it.
    assert refused.status_code == 500 and "access-control-allow-origin" not in refused.headers
    assert fine.json() == {"ok": True} and fine.headers["access-control-allow-origin"] == APP
    # The exception still reached uvicorn, which logged it (Starlette's
    # ServerErrorMiddleware saw the response started and raised it on).
    errors = [rec for rec in records if rec.exc_info]
    assert len(errors) == 2
    assert all(rec.getMessage() == "Exception in ASGI application\n" for rec in errors)
    assert all("database down" in str(rec.exc_info[1]) for rec in errors)


def test_fastapi_500_has_no_cors_headers_without_the_option():
    with loopback.uvicorn(fastapi_app()) as base:
        with logged("uvicorn.error") as records:
            r = get(base, "/boom")
            loopback.eventually(lambda: records)
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert "access-control-allow-origin" not in r.headers  # as Starlette's own CORSMiddleware
    assert any(rec.exc_info and "database down" in str(rec.exc_info[1]) for rec in records)


async def boom(request):
    raise RuntimeError("starlette boom")


async def late(request):
    async def chunks():
        yield b"partial"
        raise RuntimeError("after the start")

    return StreamingResponse(chunks(), media_type="text/plain")


@pytest.mark.parametrize("kind", ["dropin", "policy"])
def test_starlette_500_with_both_asgi_middlewares(kind):
    if kind == "dropin":
        middleware = Middleware(corsguard.asgi.CORSMiddleware, allow_origins=[APP], expose_headers=["x-id"], cors_on_errors=True)
    else:
        middleware = Middleware(
            corsguard.asgi.PolicyMiddleware,
            policy=corsguard.Policy(allow_origins=[APP], expose_headers=["x-id"]),
            cors_on_errors=True,
        )
    app = Starlette(routes=[Route("/boom", boom), Route("/late", late)], middleware=[middleware])
    with loopback.uvicorn(app) as base:
        with logged("uvicorn.error") as records:
            r = get(base, "/boom")
            with pytest.raises(httpx.HTTPError):
                # Raised after the response started: nothing is added, the
                # exception goes on and the server cuts the response short.
                get(base, "/late")
            loopback.eventually(lambda: len(records) >= 2)
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-expose-headers"] == "x-id"
    messages = [str(rec.exc_info[1]) for rec in records if rec.exc_info]
    assert "starlette boom" in messages and "after the start" in messages


def test_asgi_after_the_response_started_the_exception_passes_unchanged():
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("late")

    middleware = corsguard.asgi.CORSMiddleware(app, allow_origins=[APP], cors_on_errors=True)
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"origin", APP.encode())]}

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    with pytest.raises(RuntimeError, match="late"):
        asyncio.run(middleware(scope, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start"]
    assert sent[0]["status"] == 200 and (b"access-control-allow-origin", APP.encode()) in sent[0]["headers"]


# ---------------------------------------------------------------------------
# WSGI: a plain application on real servers
# ---------------------------------------------------------------------------


def failing_wsgi(environ, start_response):
    raise RuntimeError("wsgi boom")


@pytest.mark.parametrize("kind", ["dropin", "policy"])
def test_wsgi_500_on_wsgiref_carries_cors_headers_and_is_logged(kind, capsys):
    if kind == "dropin":
        app = corsguard.wsgi.CORSMiddleware(failing_wsgi, allow_origins=[APP], cors_on_errors=True)
    else:
        app = corsguard.wsgi.PolicyMiddleware(failing_wsgi, corsguard.Policy(allow_origins=[APP]), cors_on_errors=True)
    err = ""
    with loopback.wsgiref(app) as base:
        r = get(base, "/boom")

        def printed():
            nonlocal err
            err += capsys.readouterr().err
            return "RuntimeError: wsgi boom" in err

        loopback.eventually(printed)
    assert r.status_code == 500
    assert r.text == "Internal Server Error"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["access-control-allow-origin"] == APP
    # wsgiref's error handling printed the traceback.
    assert "Traceback" in err and "RuntimeError: wsgi boom" in err


def test_wsgi_500_on_wsgiref_without_the_option_is_the_servers_own(capsys):
    app = corsguard.wsgi.CORSMiddleware(failing_wsgi, allow_origins=[APP])
    err = ""
    with loopback.wsgiref(app) as base:
        r = get(base, "/boom")

        def printed():
            nonlocal err
            err += capsys.readouterr().err
            return "RuntimeError: wsgi boom" in err

        assert loopback.eventually(printed)
    assert r.status_code == 500
    assert "access-control-allow-origin" not in r.headers


def test_wsgi_500_on_werkzeug_is_logged_by_werkzeug(caplog):
    app = corsguard.wsgi.CORSMiddleware(failing_wsgi, allow_origins=[APP], cors_on_errors=True)
    with caplog.at_level(logging.ERROR, logger="werkzeug"):
        with loopback.werkzeug(app) as base:
            r = get(base, "/boom")
            again = get(base, "/boom", origin=EVIL)
            loopback.eventually(lambda: len([rec for rec in caplog.records if rec.levelno >= logging.ERROR]) >= 2)
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert r.headers["access-control-allow-origin"] == APP
    assert again.status_code == 500 and "access-control-allow-origin" not in again.headers
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "werkzeug" and rec.levelno >= logging.ERROR]
    assert len(logged) == 2 and all("Error on request" in m and "wsgi boom" in m for m in logged)


# ---------------------------------------------------------------------------
# Flask: on by default, as flask-cors's intercept_exceptions
# ---------------------------------------------------------------------------


def flask_app(**options):
    from flask import Flask

    from corsguard.flask import CORS

    app = Flask("errors")

    @app.route("/boom")
    def view():
        raise RuntimeError("flask boom")

    CORS(app, origins=[APP], **options)
    return app


def test_flask_500_carries_cors_headers_and_flask_logs_it(caplog):
    app = flask_app()
    with caplog.at_level(logging.ERROR):
        with loopback.werkzeug(app) as base:
            r = get(base, "/boom")
    assert r.status_code == 500
    assert "Internal Server Error" in r.text
    assert r.headers["access-control-allow-origin"] == APP
    logged = [rec for rec in caplog.records if rec.exc_info and "flask boom" in str(rec.exc_info[1])]
    assert len(logged) == 1 and logged[0].getMessage() == "Exception on /boom [GET]"


def test_flask_cors_on_errors_is_intercept_exceptions():
    answers = {}
    for name, options in {
        "default": {},
        "cors_on_errors": {"cors_on_errors": True},
        "cors_on_errors_off": {"cors_on_errors": False},
        "intercept_off": {"intercept_exceptions": False},
    }.items():
        app = flask_app(**options)
        app.logger.disabled = True
        r = app.test_client().get("/boom", headers={"Origin": APP})
        answers[name] = (r.status_code, sorted(r.headers.items()), r.data)
    assert answers["cors_on_errors"] == answers["default"]
    assert answers["cors_on_errors_off"] == answers["intercept_off"]


# ---------------------------------------------------------------------------
# Django: the 500 is made inside the middleware
# ---------------------------------------------------------------------------


@pytest.fixture
def django_project():
    import django_project

    django_project.configure()
    from django.test import override_settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with override_settings(
            ROOT_URLCONF="django_project", MIDDLEWARE=[django_project.OURS], DEBUG=False, CORS_ALLOWED_ORIGINS=[APP]
        ):
            yield


def test_django_500_carries_cors_headers_through_the_test_client(django_project, caplog):
    from django.test import Client

    with caplog.at_level(logging.ERROR, logger="django.request"):
        r = Client(raise_request_exception=False).get("/api/boom", HTTP_ORIGIN=APP)
        refused = Client(raise_request_exception=False).get("/api/boom", HTTP_ORIGIN=EVIL)
    assert r.status_code == 500
    assert b"<title>Server Error (500)</title>" in r.content  # Django's own 500 page
    assert r.headers["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Origin" not in refused.headers
    logged = [rec for rec in caplog.records if rec.name == "django.request"]
    assert len(logged) == 2 and logged[0].getMessage() == "Internal Server Error: /api/boom"
    assert "django boom" in str(logged[0].exc_info[1])


def test_django_500_carries_cors_headers_over_a_real_server(django_project, caplog):
    from django.core.handlers.wsgi import WSGIHandler

    with caplog.at_level(logging.ERROR, logger="django.request"):
        with loopback.wsgiref(WSGIHandler()) as base:
            r = get(base, "/api/boom")
    assert r.status_code == 500
    assert "<title>Server Error (500)</title>" in r.text
    assert r.headers["access-control-allow-origin"] == APP
    assert any(rec.getMessage() == "Internal Server Error: /api/boom" for rec in caplog.records)


def test_a_policy_answers_the_same_on_errors_as_otherwise():
    # The 500's CORS headers are the decision's for an actual request, the
    # same as on a 200: nothing is decided in Python.
    policy = corsguard.Policy(allow_origins=[APP], allow_credentials=True, expose_headers=["x-id"])
    decision = policy.evaluate("GET", origin=APP)
    app = corsguard.wsgi.PolicyMiddleware(failing_wsgi, policy, cors_on_errors=True)
    with loopback.werkzeug(app) as base:
        r = get(base, "/")
    assert [(k.lower(), v) for k, v in decision.headers if k != "Vary"] == [
        (k, r.headers[k]) for k in ("access-control-allow-origin", "access-control-allow-credentials", "access-control-expose-headers")
    ]
