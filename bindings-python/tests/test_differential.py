"""Differential test: Starlette 1.10's own CORSMiddleware and ours, on the
same generated configurations and requests, must answer identically
(status, every header in order, body). The README's deviations are kept out
of the generator here and proven separately in test_deviations.py."""

from __future__ import annotations

import asyncio
import random
import warnings

import pytest
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from corsguard.asgi import CORSMiddleware as OurCORS

SEED = 20240611
CASES = 10000

ORIGINS = [
    "https://a.example",
    "https://b.example",
    "http://localhost:3000",
    "https://sub.a.example",
    "*",
    "null",
    "https://\u00e9.example",  # latin-1, non-ASCII
    "HTTPS://A.EXAMPLE",
    "",
    "https://a.example/",
]
REQUEST_ORIGINS = [
    b"https://a.example",
    b"https://b.example",
    b"http://localhost:3000",
    b"https://sub.a.example",
    b"https://evil.example",
    b"https://a.example.evil.net",
    b"https://evila.example",
    b"null",
    b"*",
    b"",
    b"https://\xe9.example",  # the latin-1 bytes of the config entry
    "https://\u00e9.example".encode("utf-8"),  # its UTF-8 bytes: another string
    b"HTTPS://A.EXAMPLE",
    b"https://a.example ",
    b"https://\xff\xfe.example",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "QUERY", "get", "X-CUSTOM", ""]
HEADERS = ["X-Custom", "content-type", "Authorization", "x-a", "X-A", "accept", "Accept", "x-b", ""]
EXPOSE = ["X-Total", "X-Request-Id", "x-total", "*", ""]
REGEXES = [
    None,
    r"https://.*\.a\.example",
    r"https://[a-z]+\.example",
    r".*",
    r"null",
    r"",
    r"https://(a|b)\.example",
]
REQ_METHODS = ["GET", "POST", "OPTIONS", "OPTIONS", "OPTIONS", "PUT", "options", "DELETE"]
ACRM = [b"GET", b"PUT", b"DELETE", b"PATCH", b"get", b"X-CUSTOM", b"QUERY", b"POST", b"\xe9"]
ACRH_NAMES = [
    b"x-custom",
    b"X-Custom",
    b"content-type",
    b"Content-Type",
    b"authorization",
    b"accept",
    b"x-a",
    b"X-A",
    b"x-b",
    b"x-unknown",
    b"",
]
SEPARATORS = [b",", b", ", b" ,", b" , ", b",\t"]
APP_HEADERS = [
    (b"content-type", b"text/plain"),
    (b"vary", b"Accept-Encoding"),
    (b"vary", b"Cookie"),
    (b"access-control-allow-origin", b"https://app.example"),
    (b"access-control-allow-credentials", b"false"),
    (b"Vary", b"X-Mixed-Case"),
    (b"x-app", b"1"),
]


def subset(rng: random.Random, pool: list, most: int = 4) -> list:
    return [rng.choice(pool) for _ in range(rng.randint(0, most))]


def container(rng: random.Random, items: list):
    kind = rng.random()
    if kind < 0.6:
        return items
    if kind < 0.9:
        return tuple(items)
    return set(items)  # iteration order is the same for both in one process


def gen_config(rng: random.Random) -> dict:
    config: dict = {}
    if rng.random() < 0.9:
        config["allow_origins"] = container(rng, subset(rng, ORIGINS))
    if rng.random() < 0.7:
        config["allow_methods"] = container(rng, subset(rng, METHODS))
    if rng.random() < 0.7:
        config["allow_headers"] = container(rng, subset(rng, HEADERS))
    if rng.random() < 0.5:
        config["allow_credentials"] = rng.random() < 0.5
    if rng.random() < 0.4:
        config["allow_origin_regex"] = rng.choice(REGEXES)
    if rng.random() < 0.3:
        config["allow_private_network"] = rng.random() < 0.5
    if rng.random() < 0.4:
        config["expose_headers"] = container(rng, subset(rng, EXPOSE, 3))
    if rng.random() < 0.4:
        config["max_age"] = rng.choice([0, 600, 86400, 10**9, -1, "3600", None, 1.5])
    return config


def gen_likely_allowed(rng: random.Random, config: dict) -> tuple[str, list]:
    """A preflight built from the configuration, so that many pass."""
    origins = [o for o in config.get("allow_origins", ()) if o != "*"] or ["https://sub.a.example"]
    methods = [m for m in config.get("allow_methods", ("GET",)) if m != "*"] or ["GET"]
    names = [h for h in config.get("allow_headers", ()) if h != "*"] + ["accept", "Content-Type"]
    headers = [
        (b"origin", rng.choice(origins).encode("latin-1")),
        (b"access-control-request-method", rng.choice(methods).encode("latin-1")),
    ]
    if rng.random() < 0.6:
        chosen = [rng.choice(names).encode("latin-1") for _ in range(rng.randint(1, 3))]
        headers.append((b"access-control-request-headers", rng.choice(SEPARATORS).join(chosen)))
    if rng.random() < 0.2:
        headers.append((b"access-control-request-private-network", b"true"))
    rng.shuffle(headers)
    return "OPTIONS", headers


def gen_request(rng: random.Random, config: dict) -> tuple[str, list]:
    if rng.random() < 0.3:
        return gen_likely_allowed(rng, config)
    method = rng.choice(REQ_METHODS)
    headers: list = [(b"host", b"testserver")]
    configured = [o.encode("latin-1") for o in config.get("allow_origins", ()) if isinstance(o, str)]
    if rng.random() < 0.9:
        pool = REQUEST_ORIGINS + configured * 3
        headers.append((b"origin", rng.choice(pool)))
        if rng.random() < 0.05:  # a duplicated line: the first one counts
            headers.append((b"origin", rng.choice(pool)))
    if rng.random() < 0.75:
        allowed = [m.encode("latin-1") for m in config.get("allow_methods", ()) if isinstance(m, str)]
        headers.append((b"access-control-request-method", rng.choice(ACRM + allowed * 2)))
    if rng.random() < 0.5:
        names = subset(rng, ACRH_NAMES + [h.encode() for h in config.get("allow_headers", ())], 4)
        if names:
            value = names[0]
            for name in names[1:]:
                value += rng.choice(SEPARATORS) + name
            if rng.random() < 0.2:
                value = rng.choice([b" ", b"\t", b""]) + value + rng.choice([b" ", b",", b""])
            headers.append((b"access-control-request-headers", value))
        if rng.random() < 0.05:
            headers.append((b"access-control-request-headers", b"x-second-line"))
    if rng.random() < 0.2:
        headers.append((b"access-control-request-private-network", rng.choice([b"true", b"false", b""])))
    rng.shuffle(headers)
    return method, headers


def make_app(response_headers: list):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": list(response_headers)})
        await send({"type": "http.response.body", "body": b"hello"})

    return app


async def run(middleware, method: str, headers: list) -> tuple:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [tuple(h) if isinstance(h, (list, tuple)) else h for h in headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    messages: list = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await middleware(scope, receive, send)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], [tuple(h) for h in start["headers"]], body


def one_case(rng: random.Random):
    config = gen_config(rng)
    method, headers = gen_request(rng, config)
    app_headers = subset(rng, APP_HEADERS, 3)
    app = make_app(app_headers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = OurCORS(app, **config)
    theirs = StarletteCORS(app, **config)
    return config, method, headers, app_headers, ours, theirs


def test_differential_against_starlette():
    rng = random.Random(SEED)
    mismatches = []
    kinds = {"preflight": 0, "actual": 0, "refused_preflight": 0}

    async def main():
        for _ in range(CASES):
            config, method, headers, app_headers, ours, theirs = one_case(rng)
            want = await run(theirs, method, headers)
            got = await run(ours, method, headers)
            if want[2] == b"OK":
                kinds["preflight"] += 1
            elif want[0] == 400:
                kinds["refused_preflight"] += 1
            else:
                kinds["actual"] += 1
            if want != got:
                mismatches.append((config, method, headers, app_headers, want, got))

    asyncio.run(main())
    report = "\n\n".join(
        f"config={c!r}\nrequest={m} {h!r}\napp={a!r}\nstarlette={w!r}\ncorsguard={g!r}"
        for c, m, h, a, w, g in mismatches[:5]
    )
    assert not mismatches, f"{len(mismatches)} of {CASES} cases differ:\n\n{report}"
    # The generator covers every path.
    print(f"{CASES} cases: {kinds}")
    assert min(kinds.values()) > CASES // 20, kinds
