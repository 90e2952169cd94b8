"""Starlette and FastAPI apps, over httpx's ASGI transport and over a real
uvicorn server on loopback: our middleware answers as Starlette's does."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware as StarletteCORS
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route

from corsguard.asgi import CORSMiddleware

OPTIONS = dict(
    allow_origins=["https://app.example.com", "http://localhost:3000"],
    allow_methods=["GET", "POST", "PUT"],
    allow_headers=["content-type", "x-request-id"],
    allow_credentials=True,
    allow_origin_regex=r"https://[a-z]+\.preview\.example\.com",
    expose_headers=["x-total"],
    max_age=300,
)


async def home(request):
    return PlainTextResponse("home", headers={"vary": "Accept-Encoding", "x-total": "3"})


async def stream(request):
    async def chunks():
        for i in range(3):
            yield f"chunk{i}\n".encode()

    return StreamingResponse(chunks(), media_type="text/plain")


def starlette_app(middleware_class) -> Starlette:
    return Starlette(
        routes=[Route("/", home, methods=["GET", "POST", "PUT"]), Route("/stream", stream)],
        middleware=[Middleware(middleware_class, **OPTIONS)],
    )


def fastapi_app(middleware_class) -> FastAPI:
    app = FastAPI()

    @app.get("/")
    def read():
        return {"hello": "world"}

    @app.put("/")
    def write():
        return JSONResponse({"ok": True}, headers={"vary": "Cookie"})

    app.add_middleware(middleware_class, **OPTIONS)
    return app


REQUESTS = [
    ("GET", "/", {}),
    ("GET", "/", {"origin": "https://app.example.com"}),
    ("GET", "/", {"origin": "https://evil.example.com"}),
    ("GET", "/", {"origin": "https://pr42.preview.example.com"}),
    ("GET", "/", {"origin": "https://pr42.preview.example.com.evil.net"}),
    ("PUT", "/", {"origin": "http://localhost:3000", "content-type": "application/json"}),
    ("OPTIONS", "/", {"origin": "https://app.example.com", "access-control-request-method": "PUT"}),
    (
        "OPTIONS",
        "/",
        {
            "origin": "https://app.example.com",
            "access-control-request-method": "PUT",
            "access-control-request-headers": "Content-Type, X-Request-ID",
        },
    ),
    (
        "OPTIONS",
        "/",
        {
            "origin": "https://evil.example.com",
            "access-control-request-method": "DELETE",
            "access-control-request-headers": "x-secret",
            "access-control-request-private-network": "true",
        },
    ),
    ("OPTIONS", "/", {"origin": "https://app.example.com"}),  # not a preflight
    ("GET", "/stream", {"origin": "https://app.example.com"}),
    ("GET", "/missing", {"origin": "https://app.example.com"}),
]


def answer(response: httpx.Response) -> tuple:
    # Servers add date/server headers; compare everything else, in order.
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in (b"date", b"server")]
    return response.status_code, headers, response.content


@pytest.mark.parametrize("factory", [starlette_app, fastapi_app], ids=["starlette", "fastapi"])
def test_same_answers_over_asgi_transport(factory):
    async def go():
        results = []
        for cls in (StarletteCORS, CORSMiddleware):
            transport = httpx.ASGITransport(app=factory(cls))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                results.append([answer(await client.request(m, p, headers=h)) for m, p, h in REQUESTS])
        return results

    theirs, ours = asyncio.run(go())
    for request, want, got in zip(REQUESTS, theirs, ours):
        assert got == want, request


def test_fastapi_preflight_and_actual():
    async def go():
        transport = httpx.ASGITransport(app=fastapi_app(CORSMiddleware))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            ok = await client.options(
                "/", headers={"origin": "https://app.example.com", "access-control-request-method": "PUT"}
            )
            refused = await client.options(
                "/", headers={"origin": "https://evil.example.com", "access-control-request-method": "PUT"}
            )
            actual = await client.put("/", headers={"origin": "https://app.example.com"})
            return ok, refused, actual

    ok, refused, actual = asyncio.run(go())
    assert ok.status_code == 200 and ok.text == "OK"
    assert ok.headers["access-control-allow-origin"] == "https://app.example.com"
    assert ok.headers["access-control-allow-methods"] == "GET, POST, PUT"
    assert ok.headers["access-control-max-age"] == "300"
    assert refused.status_code == 400 and refused.text == "Disallowed CORS origin"
    assert "access-control-allow-origin" not in refused.headers
    assert actual.json() == {"ok": True}
    assert actual.headers["access-control-allow-origin"] == "https://app.example.com"
    assert actual.headers["access-control-allow-credentials"] == "true"
    assert actual.headers["access-control-expose-headers"] == "x-total"
    assert actual.headers["vary"] == "Cookie, Origin"


# ---------------------------------------------------------------------------
# A real server on loopback
# ---------------------------------------------------------------------------


class Server:
    """uvicorn on 127.0.0.1, on a free port, in a thread, with bounded waits."""

    def __init__(self, app):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", h11_max_incomplete_event_size=256 * 1024)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert self.thread.is_alive(), "uvicorn stopped"
            assert time.monotonic() < deadline, "uvicorn did not start in 15 s"
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
        assert not self.thread.is_alive(), "uvicorn did not stop in 10 s"


def raw_request(port: int, request: bytes) -> bytes:
    """One request written as bytes (to send what httpx would refuse)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def parse(raw: bytes) -> tuple:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = [tuple(line.split(b": ", 1)) for line in lines[1:]]
    headers = [(k.lower(), v) for k, v in headers if k.lower() not in (b"date", b"server")]
    return status, headers, body


RAW = [
    # latin-1 (non-UTF-8) Origin, allowed by the regex? No: [a-z]+ excludes it.
    b"GET / HTTP/1.1\r\nHost: x\r\nOrigin: https://\xe9t\xe9.preview.example.com\r\nConnection: close\r\n\r\n",
    # a duplicated Origin: the first line counts
    b"GET / HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example.com\r\nOrigin: https://app.example.com\r\n"
    b"Connection: close\r\n\r\n",
    # a preflight whose request headers come on two lines, the first counts
    b"OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\n"
    b"Access-Control-Request-Headers: content-type\r\nAccess-Control-Request-Headers: x-secret\r\n"
    b"Connection: close\r\n\r\n",
    # 100 KB of commas and spaces
    b"OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\n"
    b"Access-Control-Request-Headers: " + b", " * 50_000 + b"\r\nConnection: close\r\n\r\n",
    # an empty Origin and an empty request method
    b"OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: \r\nAccess-Control-Request-Method: \r\nConnection: close\r\n\r\n",
]


def test_uvicorn_loopback_same_answers_as_starlette():
    answers = []
    for cls in (StarletteCORS, CORSMiddleware):
        with Server(starlette_app(cls)) as base:
            port = int(base.rsplit(":", 1)[1])
            with httpx.Client(base_url=base, timeout=10) as client:
                got = [answer(client.request(m, p, headers=h)) for m, p, h in REQUESTS]
            got += [parse(raw_request(port, raw)) for raw in RAW]
        answers.append(got)
    theirs, ours = answers
    labels = [r[:2] for r in REQUESTS] + [raw[:60] for raw in RAW]
    for label, want, got in zip(labels, theirs, ours):
        assert got == want, label


def test_uvicorn_fastapi_real_browser_flow():
    with Server(fastapi_app(CORSMiddleware)) as base:
        with httpx.Client(base_url=base, timeout=10) as client:
            pre = client.options(
                "/",
                headers={
                    "origin": "https://feature.preview.example.com",
                    "access-control-request-method": "PUT",
                    "access-control-request-headers": "content-type",
                },
            )
            assert pre.status_code == 200
            assert pre.headers["access-control-allow-origin"] == "https://feature.preview.example.com"
            put = client.put("/", headers={"origin": "https://feature.preview.example.com"}, json={})
            assert put.status_code == 200
            assert put.headers["access-control-allow-origin"] == "https://feature.preview.example.com"
