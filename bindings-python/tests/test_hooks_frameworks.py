"""The refusal hook of the Django and Flask drop-ins, through each
framework's test client and over real HTTP on loopback: Django's
``CORSGUARD_ON_REFUSAL`` setting and ``request_refused`` signal (sent
robustly), Flask's ``on_refusal`` keyword, ``CORS_ON_REFUSAL`` config key
and ``cross_origin(on_refusal=...)``."""

from __future__ import annotations

import threading
import warnings

import httpx
import pytest

import django_project
from corsguard import HookErrorWarning, Refusal

import loopback

django_project.configure()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.http import HttpRequest  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from corsguard.django.signals import request_refused  # noqa: E402

APP = "https://app.example.com"
EVIL = "https://evil.example"

#: What the setting's hook (named by its dotted path) saw.
RECORDED: list = []
_lock = threading.Lock()


def record(request, refusal):
    with _lock:
        RECORDED.append((request, refusal))


def fail(request, refusal):
    raise RuntimeError("the hook is broken")


@pytest.fixture
def django_settings():
    RECORDED.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        with override_settings(
            ROOT_URLCONF="django_project",
            MIDDLEWARE=[django_project.OURS],
            CORS_ALLOWED_ORIGINS=[APP],
            CORS_ALLOW_METHODS=["GET", "PUT"],
            CORSGUARD_ON_REFUSAL="test_hooks_frameworks.record",
        ):
            yield


def django_requests(send) -> None:
    send("GET", "/api/items", {"HTTP_ORIGIN": APP})
    send("GET", "/api/items", {"HTTP_ORIGIN": EVIL})
    send("OPTIONS", "/api/items", {"HTTP_ORIGIN": APP, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "DELETE"})
    send("GET", "/api/items", {})


WANT = [
    ("actual", "origin_not_allowed", "the origin is not allowed by the policy", EVIL, "GET", "/api/items"),
    ("preflight", "method_not_allowed", "the method `DELETE` is not allowed by the policy", APP, "OPTIONS", "/api/items"),
]


def fields(refusal: Refusal) -> tuple:
    return (refusal.kind, refusal.code, refusal.reason, refusal.origin, refusal.method, refusal.path)


def via_client(method, path, meta):
    return Client().generic(method, path, **meta)


def via_server(base):
    def send(method, path, meta):
        headers = {k[5:].replace("_", "-").lower(): v for k, v in meta.items()}
        with httpx.Client(base_url=base, timeout=10) as client:
            return client.request(method, path, headers=headers)

    return send


def test_django_setting_hook_through_the_test_client(django_settings):
    django_requests(via_client)
    assert [fields(r) for _, r in RECORDED] == WANT
    assert all(isinstance(request, HttpRequest) for request, _ in RECORDED)


def test_django_setting_hook_and_signal_over_a_real_server(django_settings):
    signalled = []

    def receiver(sender, request, refusal, **kwargs):
        signalled.append((sender.__name__, fields(refusal)))

    request_refused.connect(receiver)
    try:
        with loopback.wsgiref(WSGIHandler()) as base:
            django_requests(via_server(base))
    finally:
        request_refused.disconnect(receiver)
    assert [fields(r) for _, r in RECORDED] == WANT
    assert signalled == [("CorsMiddleware", w) for w in WANT]


def test_django_a_raising_receiver_is_reported_once(django_settings):
    def receiver(sender, request, refusal, **kwargs):
        raise RuntimeError("the receiver is broken")

    request_refused.connect(receiver)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            answers = []
            django_requests(lambda m, p, meta: answers.append(via_client(m, p, meta).status_code))
            django_requests(lambda m, p, meta: answers.append(via_client(m, p, meta).status_code))
    finally:
        request_refused.disconnect(receiver)
    assert answers == [200, 200, 200, 200] * 2  # as without the receiver
    assert len(RECORDED) == 4  # the setting's hook still ran
    reported = [w for w in caught if issubclass(w.category, HookErrorWarning)]
    assert len(reported) == 1 and "the receiver is broken" in str(reported[0].message)


def test_django_hook_errors_raise(django_settings):
    with override_settings(CORSGUARD_ON_REFUSAL=fail, CORSGUARD_HOOK_ERRORS="raise"):
        client = Client(raise_request_exception=False)
        assert client.get("/api/items", HTTP_ORIGIN=EVIL).status_code == 500  # Django's handler answers
        assert client.get("/api/items", HTTP_ORIGIN=APP).status_code == 200
        with pytest.raises(RuntimeError, match="the hook is broken"):
            Client().get("/api/items", HTTP_ORIGIN=EVIL)


def test_django_bad_hook_settings_stop_the_middleware(django_settings):
    from django.core.exceptions import ImproperlyConfigured

    for bad in (dict(CORSGUARD_HOOK_ERRORS="ignore"), dict(CORSGUARD_ON_REFUSAL="no.such.module.hook")):
        with override_settings(**bad):
            with pytest.raises(ImproperlyConfigured):
                Client().get("/api/items", HTTP_ORIGIN=APP)


# ---------------------------------------------------------------------------
# Flask
# ---------------------------------------------------------------------------


def flask_app(config=None, decorated=None, **options):
    from flask import Flask

    from corsguard.flask import CORS, cross_origin

    app = Flask("hooks")
    app.config.update(config or {})

    @app.route("/api/items", methods=["GET", "PUT"])
    def items():
        return "items"

    if decorated is not None:

        @app.route("/decorated", methods=["GET", "PUT"])
        @cross_origin(**decorated)
        def view():
            return "decorated"

    else:
        CORS(app, **options)
    return app


def flask_requests(client, path="/api/items") -> list:
    return [
        client.get(path, headers={"Origin": APP}).status_code,
        client.get(path, headers={"Origin": EVIL}).status_code,
        client.options(path, headers={"Origin": APP, "Access-Control-Request-Method": "DELETE"}).status_code,
        client.get(path).status_code,
    ]


FLASK_WANT = [
    ("actual", "origin_not_allowed", "the origin is not allowed by the policy", EVIL, "GET"),
    ("preflight", "method_not_allowed", "the method `DELETE` is not allowed by the policy", APP, "OPTIONS"),
]


class _Served:
    """A Flask app over a real server, with the test client's three calls."""

    def __init__(self, base):
        self.client = httpx.Client(base_url=base, timeout=10)

    def get(self, path, headers=None):
        return self.client.get(path, headers=headers or {})

    def options(self, path, headers=None):
        return self.client.options(path, headers=headers or {})


@pytest.mark.parametrize("how", ["keyword", "config", "cross_origin"])
def test_flask_hook_over_a_real_server_and_the_test_client(how):
    seen = []

    def hook(request, refusal):
        seen.append((request.path, fields(refusal)))

    options = dict(origins=[APP], methods=["GET", "PUT"])
    path = "/decorated" if how == "cross_origin" else "/api/items"
    if how == "keyword":
        app = flask_app(**options, on_refusal=hook)
    elif how == "config":
        app = flask_app(config={"CORS_ON_REFUSAL": hook}, **options)
    else:
        app = flask_app(decorated=dict(options, on_refusal=hook))
    with loopback.werkzeug(app) as base:
        served = _Served(base)
        assert flask_requests(served, path) == [200, 200, 200, 200]
        served.client.close()
    flask_requests(app.test_client(), path)
    want = [(path, w + (path,)) for w in FLASK_WANT]
    assert seen == want * 2


def test_flask_raising_hook_reported_once_or_raised():
    def hook(request, refusal):
        raise RuntimeError("the hook is broken")

    without = flask_requests(flask_app(origins=[APP]).test_client())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = flask_app(origins=[APP], on_refusal=hook).test_client()
        assert flask_requests(client) == without
        assert flask_requests(client) == without
    reported = [w for w in caught if issubclass(w.category, HookErrorWarning)]
    assert len(reported) == 1 and "the hook is broken" in str(reported[0].message)

    app = flask_app(origins=[APP], on_refusal=hook, hook_errors="raise")
    app.logger.disabled = True
    assert app.test_client().get("/api/items", headers={"Origin": EVIL}).status_code == 500
    assert app.test_client().get("/api/items", headers={"Origin": APP}).status_code == 200


def test_flask_hook_on_an_exception_is_called_once():
    from flask import Flask

    from corsguard.flask import CORS

    seen = []
    app = Flask("hooks_error")
    app.logger.disabled = True

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    CORS(app, origins=[APP], on_refusal=lambda request, refusal: seen.append(refusal.code))
    r = app.test_client().get("/boom", headers={"Origin": EVIL})
    assert r.status_code == 500
    assert seen == ["origin_not_allowed"]


def test_django_hook_in_async_mode(django_settings):
    import asyncio

    from django.test import AsyncClient

    async def go():
        client = AsyncClient()
        await client.get("/api/items", headers={"Origin": APP})
        await client.get("/api/items", headers={"Origin": EVIL})
        await client.options("/api/items", headers={"Origin": APP, "Access-Control-Request-Method": "DELETE"})

    asyncio.run(go())
    assert [fields(r) for _, r in RECORDED] == WANT
