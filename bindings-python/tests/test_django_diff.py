"""Differential test: django-cors-headers 4.9.0's CorsMiddleware and
corsguard.django's, on the same generated settings and requests, through
Django's own test Client (every case) and a real server on loopback (a
sample). Status, every CORS header and Vary, in order, must be the same, but for the
differences the README lists; each such difference is recognised here by
its own rule (a case it does not explain fails the test) and counted."""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import warnings
from collections import Counter
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

import django_project
from django_project import CORS_HEADERS, OURS, THEIRS

django_project.configure()

from corsheaders.signals import check_request_enabled as their_signal  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

SEED = 20261202
SETTINGS_CASES = 2500
REQUESTS_PER_CASE = 8
SERVER_SAMPLE = 150
BUDGET_SECONDS = 85

ORIGINS = [
    "https://a.example",
    "https://b.example",
    "http://localhost:5173",
    "https://sub.a.example",
    "null",
    "file://",
    "https://a.example/",
    "HTTPS://b.example",
]
REQUEST_ORIGINS = [
    "https://a.example",
    "https://b.example",
    "http://localhost:5173",
    "https://sub.a.example",
    "https://evil.example",
    "https://a.example.evil.net",
    "https://b.example/path",
    "null",
    "file://",
    "",
    "*",
    "http://[::1",
    None,
]
REGEXES = [
    r"^https://\w+\.a\.example$",
    r"^https://[a-z]+\.example",
    r"https://a\.example",
    r"^http://localhost:\d+$",
    re.compile(r"^https://sub\.a\.example$"),
    r"^https?://.*$",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "QUERY"]
HEADERS = ["accept", "authorization", "content-type", "x-requested-with", "x-a", "X-B"]
REQUESTED_HEADERS = [None, "x-a", "content-type", "x-a, x-b", "X-A", "authorization, accept", "x-c", ""]
EXPOSE = ["X-Total", "X-Request-Id"]
PATHS = ["/api/items", "/api/vary", "/api/teapot", "/other", "/signal/x"]
URL_REGEXES = [None, r"^/api/.*$", r"^/api/", r"^/other$"]


def generate_settings(rng: random.Random) -> dict:
    s: dict = {}
    if rng.random() < 0.2:
        s["CORS_ALLOW_ALL_ORIGINS" if rng.random() < 0.8 else "CORS_ORIGIN_ALLOW_ALL"] = True
    if rng.random() < 0.85:
        name = "CORS_ALLOWED_ORIGINS" if rng.random() < 0.85 else "CORS_ORIGIN_WHITELIST"
        s[name] = rng.sample(ORIGINS, rng.randint(0, 4))
    if rng.random() < 0.3:
        name = "CORS_ALLOWED_ORIGIN_REGEXES" if rng.random() < 0.85 else "CORS_ORIGIN_REGEX_WHITELIST"
        s[name] = rng.sample(REGEXES, rng.randint(1, 2))
    if rng.random() < 0.5:
        s["CORS_ALLOW_METHODS"] = rng.sample(METHODS, rng.randint(0, 4))
    if rng.random() < 0.5:
        s["CORS_ALLOW_HEADERS"] = rng.sample(HEADERS, rng.randint(0, 4))
    if rng.random() < 0.4:
        s["CORS_EXPOSE_HEADERS"] = rng.sample(EXPOSE, rng.randint(1, 2))
    if rng.random() < 0.4:
        s["CORS_PREFLIGHT_MAX_AGE"] = rng.choice([0, 600, 86400, 1])
    if rng.random() < 0.4:
        s["CORS_ALLOW_CREDENTIALS"] = True
    if rng.random() < 0.3:
        s["CORS_ALLOW_PRIVATE_NETWORK"] = True
    url_regex = rng.choice(URL_REGEXES)
    if url_regex is not None:
        s["CORS_URLS_REGEX"] = url_regex
    return s


def generate_request(rng: random.Random) -> tuple:
    kind = rng.random()
    method = "OPTIONS" if kind < 0.5 else rng.choice(["GET", "POST", "PUT", "OPTIONS"])
    headers = {}
    origin = rng.choice(REQUEST_ORIGINS)
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    if kind < 0.5:
        headers["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = rng.choice(METHODS + ["HEAD"])
        requested = rng.choice(REQUESTED_HEADERS)
        if requested is not None:
            headers["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = requested
    if rng.random() < 0.15:
        headers["HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"] = "true"
    return method, rng.choice(PATHS), headers


def signal_receiver(sender, request, **kwargs):
    # Enables CORS (and allows any origin) for /signal/ paths.
    return request.path_info.startswith("/signal/")


their_signal.connect(signal_receiver, dispatch_uid="test_django_diff")


def summary(response) -> dict:
    """Status, every CORS header, and Vary (as lowercase tokens)."""
    out = {"status": response.status_code}
    for name in CORS_HEADERS:
        out[name] = response.headers.get(name)
    vary = response.headers.get("vary")
    out["vary"] = None if vary is None else [t.strip().lower() for t in vary.split(",")]
    out["order"] = [n.lower() for n in response.headers if n.lower() in CORS_HEADERS + ("vary",)]
    return out


def client_run(middleware: str, requests: list) -> list:
    with override_settings(MIDDLEWARE=[middleware]):
        client = Client()
        return [summary(client.generic(m, p, **h)) for m, p, h in requests]


# --- the documented differences (README, "Differences from django-cors-headers") ---

PREFLIGHT_VARY = {
    "access-control-request-method",
    "access-control-request-headers",
    "access-control-request-private-network",
}


def _get(s: dict, name: str, alias: str, default):
    return s.get(name, s.get(alias, default))


def origin_allowed_exactly(s: dict, origin: str, path: str) -> bool:
    """The origin rules as corsguard applies them (exact lists, full-match
    regexes, the signal)."""
    if path.startswith("/signal/"):
        return True
    if _get(s, "CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False):
        return True
    if origin in _get(s, "CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ()):
        return True
    regexes = _get(s, "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ())
    return any(re.fullmatch(r, origin) for r in regexes)


def explain(s: dict, request: tuple, theirs: dict, ours: dict) -> str | None:
    """The documented difference that explains `ours` differing from
    `theirs`, after the Vary difference is set aside; None if none does."""
    _method, path, headers = request
    origin = headers.get("HTTP_ORIGIN")
    only_vary = all(ours[n] is None for n in CORS_HEADERS)
    if theirs["status"] != ours["status"]:
        return None
    allow_all = _get(s, "CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False)
    if origin == "" and allow_all and all(theirs[n] is None for n in CORS_HEADERS):
        return "unusable_origin"
    if origin and theirs["access-control-allow-origin"] and not origin_allowed_exactly(s, origin, path):
        split = urlsplit(origin)
        regexes = _get(s, "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ())
        if only_vary and any(re.match(r, origin) for r in regexes):
            return "regex_full_match"
        listed = _get(s, "CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ())
        if only_vary and any(
            (urlsplit(o).scheme, urlsplit(o).netloc) == (split.scheme, split.netloc) for o in listed
        ):
            return "origin_exact"
        return None
    if origin and ours["access-control-allow-origin"] and not theirs["access-control-allow-origin"]:
        try:
            urlsplit(origin)
        except ValueError:
            return "unusable_origin"
    return None


def compare(s: dict, requests: list, theirs: list, ours: list, counts: Counter, failures: list) -> None:
    for request, t, o in zip(requests, theirs, ours):
        vary_t, vary_o = t["vary"], o["vary"]
        order_t, order_o = t.pop("order", None), o.pop("order", None)
        t = dict(t, vary=None)
        o = dict(o, vary=None)
        if vary_t != vary_o:
            extra = [v for v in (vary_o or []) if v not in PREFLIGHT_VARY]
            if extra == vary_t:
                counts["preflight_vary"] += 1
            else:
                failures.append((s, request, vary_t, vary_o))
                continue
        if t == o:
            # The same headers, written in the same order.
            if order_t != order_o:
                failures.append((s, request, order_t, order_o))
            else:
                counts["same"] += 1
            continue
        why = explain(s, request, t, o)
        if why is None:
            failures.append((s, request, t, o))
        else:
            counts[why] += 1


def refused_by_corsguard(s: dict) -> str | None:
    """Why corsguard refuses settings django-cors-headers accepts, if it does."""
    from corsguard.django import settings as ours

    with override_settings(**s):
        try:
            ours.translate()
        except (TypeError, ValueError) as error:
            return getattr(error, "code", type(error).__name__)
    return None


def cases():
    rng = random.Random(SEED)
    for _ in range(SETTINGS_CASES):
        s = generate_settings(rng)
        yield s, [generate_request(rng) for _ in range(REQUESTS_PER_CASE)]


def test_django_cors_headers_and_corsguard_answer_the_same():
    start = time.monotonic()
    counts: Counter = Counter()
    refused: Counter = Counter()
    failures: list = []
    done = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s, requests in cases():
            assert time.monotonic() - start < BUDGET_SECONDS, f"over budget after {done} cases"
            why = refused_by_corsguard(s)
            if why is not None:
                refused[why] += 1
                with override_settings(**s, MIDDLEWARE=[OURS]):
                    with pytest.raises(ImproperlyConfigured):
                        Client().get("/api/items")
                continue
            with override_settings(ROOT_URLCONF="django_project", **s):
                theirs = client_run(THEIRS, requests)
                ours = client_run(OURS, requests)
            compare(s, requests, theirs, ours, counts, failures)
            done += 1
    print(f"\n{done} settings x {REQUESTS_PER_CASE} requests: {dict(counts)}; refused: {dict(refused)}")
    assert not failures, f"{len(failures)} unexplained differences, first: {failures[:3]}"
    assert done >= SETTINGS_CASES * 0.8
    # Each documented difference is seen, and most answers are identical.
    assert counts["same"] > 0.5 * done * REQUESTS_PER_CASE
    for name in ("preflight_vary", "regex_full_match", "origin_exact"):
        assert counts[name] > 0, name
    # corsguard accepts every generated setting (the risky ones with a warning).
    assert not refused, refused


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _serve(handler):
    server = make_server("127.0.0.1", 0, handler, server_class=WSGIServer, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def _http(port: int, request: tuple) -> dict:
    method, path, headers = request
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        sent = {k[5:].replace("_", "-").title(): v for k, v in headers.items()}
        conn.request(method, path, headers=sent)
        response = conn.getresponse()
        response.read()
        out = {"status": response.status}
        for name in CORS_HEADERS:
            out[name] = response.getheader(name)
        vary = response.getheader("vary")
        out["vary"] = None if vary is None else [t.strip().lower() for t in vary.split(",")]
        out["order"] = [n.lower() for n, _ in response.getheaders() if n.lower() in CORS_HEADERS + ("vary",)]
        return out
    finally:
        conn.close()


def test_the_same_over_a_real_server():
    """A sample of the cases, through Django's WSGI handler under wsgiref on
    127.0.0.1: the same answers and the same documented differences."""
    with override_settings(ROOT_URLCONF="django_project", MIDDLEWARE=[THEIRS]):
        their_handler = WSGIHandler()
    with override_settings(ROOT_URLCONF="django_project", MIDDLEWARE=[OURS]):
        our_handler = WSGIHandler()
    servers = [_serve(their_handler), _serve(our_handler)]
    ports = [server.server_address[1] for server, _ in servers]
    counts: Counter = Counter()
    failures: list = []
    rng = random.Random(SEED + 1)
    sample = [c for c in cases() if rng.random() < SERVER_SAMPLE / SETTINGS_CASES]
    start = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for s, requests in sample:
                assert time.monotonic() - start < 60
                if refused_by_corsguard(s) is not None:
                    continue
                # Requests without a body that http.client can send.
                requests = [r for r in requests if r[2].get("HTTP_ORIGIN") != "http://[::1"]
                with override_settings(ROOT_URLCONF="django_project", **s):
                    theirs = [_http(ports[0], r) for r in requests]
                    ours = [_http(ports[1], r) for r in requests]
                compare(s, requests, theirs, ours, counts, failures)
    finally:
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
    print(f"\nover HTTP, {len(sample)} settings: {dict(counts)}")
    assert not failures, f"{len(failures)} unexplained differences, first: {failures[:3]}"
    assert counts["same"] > 0
