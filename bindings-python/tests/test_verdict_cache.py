"""The drop-in keeps its regex's recent verdicts (a bounded, request-derived
cache in the native `Answerer`): the answers stay Starlette's for origins
seen once, seen again, evicted and too long to keep, and the cache never
holds more than its documented bounds however many origins arrive."""

from __future__ import annotations

import itertools

from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from corsguard._native import Answerer
from corsguard.asgi import CORSMiddleware

REGEX = r"https://(pr-[0-9]+|[a-z]+)\.preview\.example\.org"
OPTIONS = dict(allow_origin_regex=REGEX, allow_methods=["GET", "PUT"], allow_headers=["x-id"])

SLOTS, LONGEST = Answerer.verdict_cache_bounds


async def _app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def _receive():
    return {"type": "http.request"}


def _answer(middleware, origin: bytes, preflight: bool):
    headers = [(b"host", b"api.example.org"), (b"origin", origin)]
    if preflight:
        headers.append((b"access-control-request-method", b"PUT"))
    scope = {"type": "http", "method": "OPTIONS" if preflight else "GET", "path": "/", "headers": headers}
    sent = []

    async def send(message):
        sent.append(message)

    coro = middleware(scope, _receive, send)
    try:
        coro.send(None)
    except StopIteration:
        pass
    return [(m.get("status"), [tuple(h) for h in m.get("headers", [])], m.get("body")) for m in sent]


def _origins(count: int):
    """Allowed and refused origins, interleaved, all distinct."""
    for i in range(count):
        if i % 3 == 0:
            yield f"https://pr-{i}.preview.example.org".encode()
        elif i % 3 == 1:
            yield f"https://pr-{i}.preview.example.org.evil".encode()
        else:
            yield f"http://pr-{i}.preview.example.org".encode()


def _kept(middleware) -> int:
    return middleware._state.answer.__self__.verdicts_kept()


def test_the_bounds_are_the_documented_ones():
    assert (SLOTS, LONGEST) == (64, 128)


def test_verdicts_seen_again_and_evicted_answer_as_starlette():
    ours, peer = CORSMiddleware(_app, **OPTIONS), StarletteCORS(_app, **OPTIONS)
    origins = list(_origins(600))
    # Three passes: first sight, then again after thousands of evictions,
    # then each origin twice in a row (a hit on the verdict just kept).
    for origin in itertools.chain(origins, origins, (o for o in origins[:100] for _ in range(2))):
        for preflight in (False, True):
            assert _answer(ours, origin, preflight) == _answer(peer, origin, preflight), origin
    assert 0 < _kept(ours) <= SLOTS


def test_a_new_origin_every_request_keeps_the_count_bounded():
    ours = CORSMiddleware(_app, **OPTIONS)
    for origin in _origins(10_000):
        _answer(ours, origin, False)
        assert _kept(ours) <= SLOTS


def test_origins_longer_than_kept_are_judged_every_time():
    ours, peer = CORSMiddleware(_app, **OPTIONS), StarletteCORS(_app, **OPTIONS)
    label = "a" * (LONGEST - len("https://.preview.example.org"))
    fits = f"https://{label}.preview.example.org".encode()
    too_long = f"https://{label}b.preview.example.org".encode()
    too_long_refused = f"https://{label}-.preview.example.org".encode()
    assert len(fits) == LONGEST and len(too_long) == LONGEST + 1
    for origin in (too_long, too_long_refused, too_long, too_long_refused):
        assert _answer(ours, origin, False) == _answer(peer, origin, False)
    assert _kept(ours) == 0
    assert _answer(ours, fits, False) == _answer(peer, fits, False)
    assert _kept(ours) == 1


def test_a_reconfigured_regex_starts_with_no_verdicts():
    ours = CORSMiddleware(_app, **OPTIONS)
    origin = b"https://pr-1.preview.example.org"
    allowed = _answer(ours, origin, False)
    ours.reconfigure(**dict(OPTIONS, allow_origin_regex=r"https://other\.example\.org"))
    assert _kept(ours) == 0
    refused = _answer(ours, origin, False)
    assert allowed != refused
    assert refused == _answer(StarletteCORS(_app, **dict(OPTIONS, allow_origin_regex=r"https://other\.example\.org")), origin, False)
