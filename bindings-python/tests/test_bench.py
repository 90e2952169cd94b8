"""The benchmark runs (a smoke run of its micro group) and writes the
shared JSON format; and the native ASGI path reads and writes the unusual
but valid shapes of scope and message as Starlette does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from corsguard.asgi import CORSMiddleware

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def test_bench_quick_writes_the_shared_json(tmp_path):
    out = tmp_path / "python.json"
    subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--group", "micro", "--json", str(out)],
        check=True, timeout=300, stdout=subprocess.DEVNULL,
    )
    report = json.loads(out.read_text())
    assert report["suite"] == "python" and report["peer"].startswith("starlette ")
    assert report["results"]
    for row in report["results"]:
        assert row["group"] == "micro" and row["unit"] == "ns/call"
        assert row["ratio_min"] <= row["ratio"] <= row["ratio_max"] and row["rounds"] >= 1


def _answer(middleware, scope, response_headers):
    sent = []

    async def app(scope, receive, send):
        message = {"type": "http.response.start", "status": 200}
        if response_headers is not None:
            message["headers"] = list(response_headers)
        await send(message)
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    coro = middleware(app)(scope, receive, send)
    try:
        coro.send(None)
    except StopIteration:
        pass
    return [(m.get("status"), [tuple(h) for h in m.get("headers", [])]) for m in sent]


def test_unusual_scope_and_message_shapes_answer_as_starlette():
    options = dict(allow_origins=["https://a.example"], allow_credentials=True, expose_headers=["x-id"])
    scope_headers = [
        [b"origin", b"https://a.example"],  # a list, not a tuple
        (b"origin", b"https://b.example"),  # a second line: not read
        (b"x-other", b"1"),
    ]
    scope = {"type": "http", "method": "GET", "path": "/", "headers": scope_headers}
    for response_headers in (
        None,
        [],
        [(b"vary", b"Accept"), (b"content-type", b"text/plain"), (b"vary", b"Cookie")],
        [(b"access-control-allow-origin", b"x"), (b"access-control-allow-origin", b"y")],
        [[b"access-control-expose-headers", b"old"], (b"content-length", b"0")],
    ):
        ours = _answer(lambda app: CORSMiddleware(app, **options), scope, response_headers)
        peer = _answer(lambda app: StarletteCORS(app, **options), scope, response_headers)
        assert ours == peer, response_headers


def test_a_start_message_type_equal_but_not_identical_gets_the_headers():
    """The native `send` compares the message type by value: a type string
    built at run time, or a `str` subclass, is the start message still."""

    class Text(str):
        pass

    options = dict(allow_origins=["https://a.example"], expose_headers=["x-id"])
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"origin", b"https://a.example")]}
    for kind in ("".join(["http.response.", "start"]), Text("http.response.start"), "http.response.start\udc80"):
        answers = []
        for middleware in (CORSMiddleware, StarletteCORS):
            sent = []

            async def app(scope, receive, send):
                await send({"type": kind, "status": 200, "headers": []})

            async def receive():
                return {"type": "http.request"}

            async def send(message):
                sent.append(message)

            coro = middleware(app, **options)(scope, receive, send)
            try:
                coro.send(None)
            except StopIteration:
                pass
            answers.append([(m["type"], [tuple(h) for h in m.get("headers", [])]) for m in sent])
        assert answers[0] == answers[1], kind
