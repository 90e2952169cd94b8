"""WSGI: Flask and Django through corsguard.wsgi.CORSMiddleware, and the
WSGI middleware answering as the ASGI drop-in does on generated cases."""

from __future__ import annotations

import asyncio
import random
import warnings

import pytest
from flask import Flask, Response
from werkzeug.test import Client

from corsguard.asgi import CORSMiddleware as AsgiCORS
from corsguard.wsgi import CORSMiddleware

import test_differential as gen

OPTIONS = dict(
    allow_origins=["https://app.example.com"],
    allow_methods=["GET", "POST", "DELETE"],
    allow_headers=["content-type"],
    allow_credentials=True,
    expose_headers=["X-Total"],
)


def flask_app():
    app = Flask(__name__)

    @app.route("/items", methods=["GET", "POST", "DELETE"])
    def items():
        return Response("items", headers={"Vary": "Accept-Encoding", "X-Total": "2"})

    app.wsgi_app = CORSMiddleware(app.wsgi_app, **OPTIONS)
    return app


def test_flask_preflight_allowed():
    client = Client(flask_app())
    r = client.options(
        "/items",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert r.status_code == 200 and r.get_data() == b"OK"
    assert list(r.headers.items())[:7] == [
        ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"),
        ("Access-Control-Allow-Methods", "GET, POST, DELETE"),
        ("Access-Control-Max-Age", "600"),
        ("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Language, Content-Type, content-type"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Origin", "https://app.example.com"),
        ("Content-Length", "2"),
    ]


def test_flask_preflight_refused_and_actual():
    client = Client(flask_app())
    r = client.options(
        "/items", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"}
    )
    assert r.status_code == 400 and r.get_data() == b"Disallowed CORS origin, method"
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    r = client.get("/items", headers={"Origin": "https://app.example.com"})
    assert r.get_data() == b"items"
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert r.headers["Access-Control-Expose-Headers"] == "X-Total"
    assert r.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    r = client.get("/items")
    assert "Access-Control-Allow-Origin" not in r.headers
    assert r.headers["Vary"] == "Accept-Encoding, Origin"


def django_app():
    # One Django configuration per process, shared with the Django tests
    # (django_project's URLs route /items to django_view below).
    import django_project

    django_project.configure()
    from django.core.wsgi import get_wsgi_application

    return CORSMiddleware(get_wsgi_application(), **OPTIONS)


def django_view(request):
    from django.http import HttpResponse

    return HttpResponse(f"django {request.method}")


def test_django_through_wsgi():
    client = Client(django_app())
    r = client.get("/items", headers={"Origin": "https://app.example.com"})
    assert r.status_code == 200 and r.get_data() == b"django GET"
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    r = client.options(
        "/items", headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    )
    assert r.status_code == 200 and r.get_data() == b"OK"
    r = client.options(
        "/items", headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PATCH"}
    )
    assert r.status_code == 400 and r.get_data() == b"Disallowed CORS method"


def wsgi_call(middleware, method: str, headers: list, app_headers: list) -> tuple:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    for key, value in headers:
        name = "HTTP_" + key.decode().upper().replace("-", "_")
        text = value.decode("latin-1")
        # PEP 3333 servers join repeated lines; the first line is what the
        # ASGI drop-in (like Starlette) reads, so send only that one here.
        environ.setdefault(name, text)
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = [(k.lower().encode(), v.encode("latin-1")) for k, v in response_headers]

    body = b"".join(middleware(environ, start_response))
    return captured["status"], captured["headers"], body


def test_wsgi_answers_as_the_asgi_dropin():
    rng = random.Random(7)
    mismatches = []

    def wsgi_app_for(app_headers):
        def app(environ, start_response):
            start_response("200 OK", [(k.decode(), v.decode("latin-1")) for k, v in app_headers])
            return [b"hello"]

        return app

    for _ in range(2000):
        config = gen.gen_config(rng)
        method, headers = gen.gen_request(rng, config)
        app_headers = [h for h in gen.subset(rng, gen.APP_HEADERS, 3) if h[0].islower()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            asgi = AsgiCORS(gen.make_app(app_headers), **config)
            wsgi = CORSMiddleware(wsgi_app_for(app_headers), **config)
        want = asyncio.run(gen.run(asgi, method, headers))
        got = wsgi_call(wsgi, method, headers, app_headers)
        if want != got:
            mismatches.append((config, method, headers, want, got))
    assert not mismatches, mismatches[:3]


@pytest.mark.parametrize(
    "environ_extra",
    [
        {"HTTP_ORIGIN": "https://\xe9\xff.example"},
        {"HTTP_ORIGIN": "https://app.example.com", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": ", " * 500_000},
        {"HTTP_ORIGIN": "https://app.example.com\udcff"},  # a surrogate, as some servers decode
        {"HTTP_ORIGIN": "https://app.example.com,https://evil.example"},  # joined duplicate lines
    ],
)
@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_wsgi_malformed_headers_never_raise(environ_extra, method):
    middleware = django_app()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/items",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": __import__("io").BytesIO(b""),
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
        **environ_extra,
    }
    status = []
    body = b"".join(middleware(environ, lambda s, h, e=None: status.append(s)))
    assert status and body
