"""Differential test: corsguard.flask against flask-cors 6.0.5 (pinned in
requirements.txt) on Flask 3.1, on seeded generated options x requests
(given as keywords, app config keys, to init_app or to cross_origin),
through Flask's test client and, for a sample, over real HTTP on loopback.

What is compared is what a browser sees: the status; for an actual
request, whether the response is readable by the origin and, when it is,
the exact `Access-Control-Allow-Origin`, `-Allow-Credentials` and
`-Expose-Headers`; for a preflight, whether the browser lets the requested
method and headers through and, when it does, the exact values of every
other CORS header (`-Allow-Headers` is compared by what it allows); and
`Vary: Origin` wherever flask-cors sends it. For a request without
`Origin`, the status, and that corsguard sends no CORS header. Every difference must be one of the
deviations the package README lists (the `DEVIATIONS` below).
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time

import flask_cors
import pytest
from flask import Flask
from werkzeug.serving import make_server

import corsguard.flask as cg

# The generated options include risky ones (the core's findings, warned once each).
pytestmark = pytest.mark.filterwarnings("ignore::corsguard.flask.RiskyConfigWarning")

SEED = 20261202
CONFIGS = 400
ORIGINS = [
    "*",
    ["https://a.com"],
    ["https://a.com", "https://b.com"],
    r"https://.*\.a\.com",
    ["https://a.com", r"https://b\.com"],
]
RESOURCES = [
    r"/*",
    {r"/api/*": {}},
    {r"/api/*": {"origins": "https://b.com"}, "/pub": {"origins": "*"}},
]
REQUEST_ORIGINS = [
    None, "https://a.com", "https://b.com", "https://x.a.com", "https://a.com.evil.net",
    "https://b.com.evil.net", "null", "https://A.com",
]
PATHS = ["/api/items", "/apiary", "/pub", "/API/items"]
SAFE = {"GET", "HEAD", "POST"}


def generate(rng: random.Random) -> dict:
    options: dict = {"origins": rng.choice(ORIGINS)}
    if rng.random() < 0.5:
        options["supports_credentials"] = True
    if rng.random() < 0.3:
        # flask-cors refuses `*` + send_wildcard + credentials (as corsguard does).
        options["send_wildcard"] = True
        options.pop("supports_credentials", None)
    if rng.random() < 0.5:
        options["methods"] = rng.sample(["GET", "PUT", "DELETE", "PATCH"], rng.randint(1, 3))
    if rng.random() < 0.5:
        options["allow_headers"] = ["x-a", "content-type"]
    if rng.random() < 0.4:
        options["expose_headers"] = ["X-E", "X-F"][: rng.randint(1, 2)]
    if rng.random() < 0.4:
        options["max_age"] = rng.choice([60, "600"])
    options["resources"] = rng.choice(RESOURCES)
    # How the options are given: keywords, app config keys, init_app, or the
    # view decorator (which serves its view whatever the resources).
    options["_how"] = rng.choice(["kwargs", "config", "init_app", "cross_origin"])
    if options["_how"] == "cross_origin":
        options["resources"] = r"/*"
    return options


def app_with(module, options: dict) -> Flask:
    app = Flask(f"diff_{module.__name__}")
    how = options["_how"]
    given = {k: v for k, v in options.items() if k != "_how"}
    decorate = (lambda f: f)
    if how == "cross_origin":
        given.pop("resources")
        decorate = module.cross_origin(**given)

    @app.route("/api/items", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    @decorate
    def items():
        return "items"

    @app.route("/apiary")
    @decorate
    def apiary():
        return "apiary"

    @app.route("/pub")
    @decorate
    def pub():
        return "pub"

    if how == "kwargs":
        module.CORS(app, **given)
    elif how == "config":
        app.config.update({"CORS_" + k.upper(): v for k, v in given.items()})
        module.CORS(app)
    elif how == "init_app":
        module.CORS(**given).init_app(app)
    return app


def requests(rng: random.Random, count: int) -> list:
    out = []
    for _ in range(count):
        method = rng.choice(["GET", "POST", "OPTIONS", "OPTIONS"])
        headers = {}
        origin = rng.choice(REQUEST_ORIGINS)
        if origin is not None:
            headers["Origin"] = origin
        if method == "OPTIONS":
            headers["Access-Control-Request-Method"] = rng.choice(["PUT", "DELETE", "GE", "GET"])
            acrh = rng.choice([None, "x-a", "x-a, x-z", "Content-Type"])
            if acrh:
                headers["Access-Control-Request-Headers"] = acrh
        out.append((method, rng.choice(PATHS), headers))
    return out


def _list(value):
    return sorted(v.strip().lower() for v in (value or "").split(",") if v.strip())


def view(status: int, headers, request) -> tuple:
    """What a browser sees of a response (headers: a list of pairs)."""
    method, _path, sent = request
    get = lambda name: ", ".join(v for k, v in headers if k.lower() == name.lower()) or None  # noqa: E731
    origin = sent.get("Origin")
    if origin is None:
        return (status, any(k.lower().startswith("access-control-") for k, _ in headers))
    acao, acac = get("Access-Control-Allow-Origin"), get("Access-Control-Allow-Credentials")
    readable = acao == origin or (acao == "*" and acac != "true")
    vary_origin = "origin" in _list(get("Vary"))
    if method != "OPTIONS":
        if not readable:
            return (status, None)
        return (status, acao, acac, get("Access-Control-Expose-Headers"), vary_origin)
    acrm = sent["Access-Control-Request-Method"]
    methods = [m.strip() for m in (get("Access-Control-Allow-Methods") or "").split(",") if m.strip()]
    allowed_headers = _list(get("Access-Control-Allow-Headers"))
    passes = (
        readable
        and (acrm in SAFE or acrm in methods)
        and all(h in allowed_headers for h in _list(sent.get("Access-Control-Request-Headers")))
    )
    if not passes:
        return (status, False)
    return (
        status,
        True,
        acao,
        acac,
        get("Access-Control-Expose-Headers"),
        get("Access-Control-Allow-Methods"),
        # flask-cors answers the requested names it allows, sorted; corsguard
        # the configured list or the request's own value (a listed difference):
        # what is compared is that every requested name is allowed (`passes`).
        get("Access-Control-Max-Age"),
        vary_origin,
    )


def deviation(options: dict, request) -> str | None:
    """The README's deviation that explains a difference, or None."""
    method, path, sent = request
    origin = sent.get("Origin")
    if origin is None:
        return "always_send_without_origin"
    resources = options["resources"]
    patterns = [resources] if isinstance(resources, str) else list(resources)
    if any(p != "/pub" and re.match(p, path) and not path.startswith("/api/") for p in patterns if p != r"/*"):
        return "resource_prefix"
    layered = dict(options)
    if isinstance(resources, dict):
        for pattern in sorted(resources, key=lambda p: (p != "/pub",)):
            if (pattern == "/pub" and path == "/pub") or (pattern != "/pub" and re.match(pattern, path)):
                layered.update(resources[pattern])
                break
    origins = layered["origins"]
    origins = [origins] if isinstance(origins, str) else origins
    creds = layered.get("supports_credentials")
    if origin == "null" and creds and "*" in origins:
        return "null_with_credentials"
    regexes = [o for o in origins if o != "*" and any(c in o for c in "*\\]?$^[]()")]
    if any(re.match(r, origin, re.I) and not re.fullmatch(r, origin, re.I) for r in regexes):
        return "anchored_regex_origin"
    if any(origin != o and origin.casefold() == o.casefold() for o in origins):
        return "literal_origin_case"
    if method == "OPTIONS":
        acrm = sent["Access-Control-Request-Method"]
        joined = ", ".join(sorted(layered.get("methods", cg.ALL_METHODS)))
        listed = joined.split(", ")
        if acrm not in listed and acrm in joined:
            return "method_substring"
        if acrm in SAFE and acrm not in listed:
            return "unlisted_method_refused"
    return None


def compare(options, reqs, fetch_a, fetch_b, found: dict) -> list:
    unexplained = []
    for request in reqs:
        a, b = fetch_a(request), fetch_b(request)
        va, vb = view(*a, request), view(*b, request)
        if va == vb:
            continue
        if len(va) > 4 and len(vb) > 4 and va[:-1] == vb[:-1] and vb[-1] and not va[-1]:
            continue  # corsguard adds `Vary: Origin` where flask-cors leaves it out
        reason = deviation(options, request)
        if request[2].get("Origin") is None and vb[1]:
            reason = None  # corsguard never answers a request without Origin with CORS headers
        if reason is None:
            unexplained.append((options, request, va, vb))
        else:
            found[reason] = found.get(reason, 0) + 1
    return unexplained


def client_fetch(app):
    client = app.test_client()

    def fetch(request):
        method, path, headers = request
        response = client.open(path, method=method, headers=headers)
        return response.status_code, list(response.headers.items())

    return fetch


def test_differential_test_client():
    rng = random.Random(SEED)
    start = time.monotonic()
    found: dict = {}
    unexplained, cases = [], 0
    for _ in range(CONFIGS):
        options = generate(rng)
        reqs = requests(rng, 12)
        cases += len(reqs)
        unexplained += compare(
            options, reqs, client_fetch(app_with(flask_cors, options)), client_fetch(app_with(cg, options)), found
        )
        assert time.monotonic() - start < 60, "the differential run is bounded to 60 s"
    print(f"\nflask differential: {cases} cases, {len(unexplained)} unexplained, deviations {found}")
    assert cases >= 4000
    assert not unexplained, unexplained[:5]
    assert found, "the generated cases reach the documented deviations"


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def http_fetch(port):
    def fetch(request):
        method, path, headers = request
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, response.getheaders()
        finally:
            connection.close()

    return fetch


@pytest.mark.parametrize("index", range(6))
def test_differential_real_server(index):
    rng = random.Random(SEED + 1 + index)
    options = generate(rng)
    reqs = requests(rng, 20)
    servers = [_serve(app_with(flask_cors, options)), _serve(app_with(cg, options))]
    try:
        found: dict = {}
        unexplained = compare(
            options, reqs, http_fetch(servers[0][0].server_port), http_fetch(servers[1][0].server_port), found
        )
        assert not unexplained, unexplained[:5]
    finally:
        for server, thread in servers:
            server.shutdown()
            thread.join(timeout=5)
