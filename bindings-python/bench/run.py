"""corsguard's ASGI middlewares against Starlette's ``CORSMiddleware``.

Two groups, each in interleaved rounds (every round measures every
contender, in a rotated order), reported as the median over rounds of the
per-round ratio, with its min and max:

- ``micro``: each middleware called directly around the same trivial ASGI
  app, with a prebuilt scope and no-op ``receive``/``send``; the coroutine is
  driven by hand (no event loop). The bare app is measured in the same round
  and subtracted, so the figures are the middleware's own cost (ns/call).
- ``http``: each middleware under uvicorn on 127.0.0.1, one server process
  each, loaded by a bounded keep-alive client in this process (req/s), each
  contender's rate in a round its best of a few interleaved windows; under
  httptools on uvloop (``uvicorn[standard]``, the aims), then under h11, and
  with the bare app served too (the ceiling of any middleware).

Contenders: ``starlette`` (the peer), ``corsguard.asgi.CORSMiddleware`` (the
drop-in, same keywords and answers) and ``corsguard.asgi.PolicyMiddleware``
around the strict ``corsguard.Policy`` written with the same options
(micro only; its answers are the strict profile's, not Starlette's).

    bench/run.py                   # both groups, the full run
    bench/run.py --quick           # a smoke run of a few seconds
    bench/run.py --json out.json   # also write the results as JSON
    bench/run.py --group micro     # one group only

Run it with the interpreter the package and the test requirements are
installed in (``bindings-python/.venv/bin/python``, made by ``test.sh``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

import starlette
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

import corsguard
from corsguard.asgi import CORSMiddleware as DropIn
from corsguard.asgi import PolicyMiddleware

# ---------------------------------------------------------------------------
# Configurations and requests

ORIGINS_16 = [f"https://app{i}.example.org" for i in range(16)]
ORIGINS_1000 = [f"https://tenant{i}.example.net" for i in range(1000)]
REGEX = r"https://[a-z0-9-]+\.preview\.example\.org"
METHODS = ["GET", "POST", "PUT", "DELETE"]
HEADERS = ["content-type", "x-request-id"]

#: name -> (Starlette keywords, strict Policy keywords). The same options;
#: the Policy is strict, so only the Starlette-keyword drop-in answers as
#: Starlette does.
CONFIGS: dict[str, tuple[dict, dict]] = {
    "list16": (
        dict(allow_origins=ORIGINS_16, allow_methods=METHODS, allow_headers=HEADERS, allow_credentials=True, max_age=600),
        dict(allow_origins=ORIGINS_16, allow_methods=METHODS, allow_headers=HEADERS, allow_credentials=True, max_age=600),
    ),
    "any": (
        dict(allow_origins=["*"], allow_methods=METHODS, allow_headers=HEADERS),
        dict(allow_origins=["*"], allow_methods=METHODS, allow_headers=HEADERS),
    ),
    "regex": (
        dict(allow_origin_regex=REGEX, allow_methods=METHODS, allow_headers=HEADERS),
        dict(origin_regex=REGEX, allow_methods=METHODS, allow_headers=HEADERS),
    ),
    "list1000": (
        dict(allow_origins=ORIGINS_1000, allow_methods=METHODS, allow_headers=HEADERS, allow_credentials=True),
        dict(allow_origins=ORIGINS_1000, allow_methods=METHODS, allow_headers=HEADERS, allow_credentials=True),
    ),
}

_COMMON = [(b"host", b"api.example.org"), (b"user-agent", b"corsguard-bench/1"), (b"accept", b"*/*")]


def actual(origin: str) -> tuple[str, list]:
    return "GET", _COMMON + [(b"origin", origin.encode())]


def preflight(origin: str) -> tuple[str, list]:
    return "OPTIONS", _COMMON + [
        (b"origin", origin.encode()),
        (b"access-control-request-method", b"PUT"),
        (b"access-control-request-headers", b"content-type,x-request-id"),
    ]


#: (group name, config, request, aim for the ratio)
MICRO_SCENARIOS = [
    ("actual, 16-origin list", "list16", actual(ORIGINS_16[9]), 3.0),
    ("actual, *", "any", actual("https://somewhere.example.com"), 3.0),
    ("actual, regex", "regex", actual("https://pr-1234.preview.example.org"), 3.0),
    ("actual, 1,000-origin list", "list1000", actual(ORIGINS_1000[900]), 3.0),
    ("preflight, 16-origin list", "list16", preflight(ORIGINS_16[9]), 5.0),
    ("preflight, *", "any", preflight("https://somewhere.example.com"), 5.0),
    ("preflight, regex", "regex", preflight("https://pr-1234.preview.example.org"), 5.0),
    ("preflight, 1,000-origin list", "list1000", preflight(ORIGINS_1000[900]), 5.0),
]

HTTP_SCENARIOS = [
    ("actual, 16-origin list", "list16", actual(ORIGINS_16[9]), 1.2),
    ("preflight, 16-origin list", "list16", preflight(ORIGINS_16[9]), 1.4),
]

# ---------------------------------------------------------------------------
# The application and the middlewares


_APP_HEADERS = ((b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"2"))
_BODY = {"type": "http.response.body", "body": b"OK"}


async def app(scope, receive, send):
    """The trivial application: 200 OK with two headers. A new start
    message each call (the middlewares may change it)."""
    await send({"type": "http.response.start", "status": 200, "headers": list(_APP_HEADERS)})
    await send(_BODY)


def make(contender: str, config: str, inner=app):
    starlette_kw, policy_kw = CONFIGS[config]
    if contender == "bare":
        return inner
    if contender == "starlette":
        return StarletteCORS(inner, **starlette_kw)
    if contender == "dropin":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # none expected; not the bench's business
            return DropIn(inner, **starlette_kw)
    if contender == "policy":
        return PolicyMiddleware(inner, corsguard.Policy(**policy_kw))
    raise ValueError(contender)


def make_scope(method: str, headers: list) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": "/items",
        "raw_path": b"/items",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }


_REQUEST = {"type": "http.request", "body": b"", "more_body": False}


async def _receive():
    return _REQUEST


async def _discard(message):
    return None


def _drive(coro) -> None:
    """Runs a coroutine that never suspends (nothing here waits)."""
    try:
        coro.send(None)
    except StopIteration:
        return
    coro.close()
    raise RuntimeError("the middleware suspended; the micro bench cannot drive it")


def answer(middleware, scope) -> tuple:
    """(status, headers, body) that ``middleware`` sends for ``scope``."""
    sent: list = []

    async def send(message):
        sent.append(message)

    _drive(middleware(scope, _receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], [tuple(h) for h in start.get("headers", [])], body


def time_calls(middleware, scope, calls: int) -> float:
    """ns per call of ``middleware(scope, receive, send)``, driven by hand."""
    receive, send = _receive, _discard
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(calls):
        coro = middleware(scope, receive, send)
        try:
            coro.send(None)
        except StopIteration:
            pass
    return (clock() - start) / calls


# ---------------------------------------------------------------------------
# Rounds and ratios


def summarise(group, scenario, unit, ours_rounds, peer_rounds, ratios, aim, contender) -> dict:
    return {
        "group": group,
        "scenario": scenario if contender == "dropin" else f"{scenario} (PolicyMiddleware)",
        "unit": unit,
        "ours": round(statistics.median(ours_rounds), 1),
        "peer": round(statistics.median(peer_rounds), 1),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "rounds": len(ratios),
        "aim": aim if contender == "dropin" else None,
    }


#: Batches per contender per micro round (its time is the fastest batch's).
BATCHES = 5


def run_micro(rounds: int, calls: int, log: Callable[[str], None]) -> list[dict]:
    results = []
    contenders = ["bare", "starlette", "dropin", "policy"]
    for name, config, (method, headers), aim in MICRO_SCENARIOS:
        scope = make_scope(method, headers)
        mws = {c: make(c, config) for c in contenders}
        # The drop-in must answer as the peer does, or the figure means nothing.
        peer_answer = answer(mws["starlette"], scope)
        ours_answer = answer(mws["dropin"], scope)
        if peer_answer != ours_answer:
            raise SystemExit(f"{name}: the drop-in answers {ours_answer!r}, Starlette {peer_answer!r}")
        for c in contenders:  # warm up
            time_calls(mws[c], scope, max(calls // 10, 10))
        per = {c: [] for c in contenders}
        ratios = {"dropin": [], "policy": []}
        for r in range(rounds):
            order = contenders[r % len(contenders):] + contenders[: r % len(contenders)]
            gc.collect()
            gc.disable()
            try:
                # Each contender's best of a few short batches: the least
                # disturbed by other work on a shared machine.
                times = {c: min(time_calls(mws[c], scope, calls // BATCHES) for _ in range(BATCHES)) for c in order}
            finally:
                gc.enable()
            bare = times["bare"]
            net = {c: max(times[c] - bare, 1.0) for c in contenders if c != "bare"}
            per["bare"].append(bare)
            for c in net:
                per[c].append(net[c])
            for c in ratios:
                ratios[c].append(net["starlette"] / net[c])
        for c in ("dropin", "policy"):
            results.append(summarise("micro", name, "ns/call", per[c], per["starlette"], ratios[c], aim, c))
        log(
            f"  {name:<32} bare {statistics.median(per['bare']):7.0f} ns | net: starlette "
            f"{statistics.median(per['starlette']):7.0f}  drop-in {statistics.median(per['dropin']):6.0f} "
            f"({statistics.median(ratios['dropin']):5.2f}x, {min(ratios['dropin']):.2f}-{max(ratios['dropin']):.2f})  "
            f"policy {statistics.median(per['policy']):6.0f} ({statistics.median(ratios['policy']):5.2f}x)"
        )
    return results


# ---------------------------------------------------------------------------
# HTTP: uvicorn servers in their own processes, a keep-alive load client here


#: The uvicorn servers the http group runs, as ``http/loop``: what
#: ``uvicorn[standard]`` installs and picks (httptools' parser on uvloop),
#: then pure-Python h11 on asyncio's loop, what plain ``uvicorn`` runs.
SERVERS = ("httptools/uvloop", "h11/asyncio")


def canned(config: str):
    """The http group's bare app: the app, and for an ``OPTIONS`` request
    Starlette's own answer to the first one, replayed (the http scenarios
    send one preflight per configuration). What the server costs with no
    CORS work at all: the ceiling of any middleware under that server."""
    peer = StarletteCORS(app, **CONFIGS[config][0])
    kept: list = []

    async def replay(scope, receive, send):
        if scope["method"] != "OPTIONS":
            await app(scope, receive, send)
            return
        if not kept:
            async def keep(message):
                kept.append(message)

            _drive(peer(scope, receive, keep))
        for message in kept:
            await send(message)

    return replay


def serve(contender: str, config: str, port: int, server: str) -> None:
    """The server process: ``contender`` around the app, under uvicorn."""
    import uvicorn

    http, loop = server.split("/")
    uvicorn.run(
        canned(config) if contender == "bare" else make(contender, config),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http=http,
        loop=loop,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not listen within {timeout} s")


def request_bytes(method: str, headers: list) -> bytes:
    lines = [f"{method} /items HTTP/1.1".encode()]
    lines += [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _content_length(head: bytes) -> int:
    head = head.lower() + b"\r\n"
    at = head.find(b"\r\ncontent-length:")
    if at < 0:
        return 0
    at += len(b"\r\ncontent-length:")
    return int(head[at : head.find(b"\r\n", at)])


class _Loader(asyncio.Protocol):
    """One keep-alive connection: one request in flight, the next sent when
    a whole response (headers, then ``content-length`` bytes) is in."""

    def __init__(self, request: bytes, deadline: float, done: asyncio.Future, first: list):
        self.request = request
        self.deadline = deadline
        self.done = done
        self.first = first
        self.buffer = b""
        self.count = 0

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = _content_length(self.buffer[:end])
            if len(self.buffer) < end + 4 + length:
                return
            if not self.first:
                self.first.append(self.buffer[: end + 4 + length])
            self.buffer = self.buffer[end + 4 + length :]
            self.count += 1
            if time.monotonic() >= self.deadline:
                self.transport.close()
                return
            self.transport.write(self.request)

    def connection_lost(self, exc):
        if not self.done.done():
            self.done.set_result(self.count)


async def _load(port: int, request: bytes, seconds: float, connections: int) -> tuple[float, bytes]:
    loop = asyncio.get_running_loop()
    start = time.monotonic()
    deadline = start + seconds
    first: list = []
    dones = []
    for _ in range(connections):
        done = loop.create_future()
        await loop.create_connection(lambda d=done: _Loader(request, deadline, d, first), "127.0.0.1", port)
        dones.append(done)
    counts = await asyncio.wait_for(asyncio.gather(*dones), timeout=seconds + 30)
    elapsed = time.monotonic() - start
    return sum(counts) / elapsed, first[0] if first else b""


def load(port: int, request: bytes, seconds: float, connections: int) -> tuple[float, bytes]:
    # The client on uvloop too where it is installed, so that the load it can
    # make stays above what the servers answer.
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_load(port, request, seconds, connections))
    return uvloop.run(_load(port, request, seconds, connections))


def _cors_lines(response: bytes) -> list:
    """The status line and the headers that are not uvicorn's own."""
    lines = response.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    return [lines[0]] + [l for l in lines[1:] if not l.lower().startswith((b"date:", b"server:"))]


#: Load windows per contender per http round (its rate is the best window's).
WINDOWS = 4


def run_http(rounds: int, seconds: float, connections: int, http: str, log) -> list[dict]:
    """The http scenarios under one uvicorn server (``http/loop``, as in
    ``SERVERS``); the aims are held by the first of ``SERVERS`` only. The
    bare app is served and loaded too (``canned``: a preflight gets
    Starlette's answer replayed): ``bare / starlette`` is the most any
    middleware could gain over Starlette's under this server (logged)."""
    contenders = ["bare", "starlette", "dropin"]
    configs = sorted({config for _, config, _, _ in HTTP_SCENARIOS})
    servers: dict = {}
    results = []
    try:
        for config in configs:
            for c in contenders:
                port = free_port()
                process = subprocess.Popen(
                    [sys.executable, os.path.abspath(__file__), "--serve", c, config, str(port), "--http", http],
                    stdin=subprocess.DEVNULL,
                )
                servers[(c, config)] = (port, process)
        for port, process in servers.values():
            wait_listening(port, process)
        for name, config, (method, headers), aim in HTTP_SCENARIOS:
            request = request_bytes(method, headers)
            firsts = {}
            for c in contenders:  # warm up, and check both middlewares answer alike
                _, firsts[c] = load(servers[(c, config)][0], request, min(seconds, 0.5), connections)
            if _cors_lines(firsts["starlette"]) != _cors_lines(firsts["dropin"]):
                raise SystemExit(f"{name}: over HTTP the drop-in answers {firsts['dropin']!r}, Starlette {firsts['starlette']!r}")
            per = {c: [] for c in contenders}
            ratios = []
            for r in range(rounds):
                order = contenders[r % len(contenders):] + contenders[: r % len(contenders)]
                # Each contender's best of a few short windows, interleaved:
                # the least disturbed by other work on a shared machine.
                rate = {c: 0.0 for c in contenders}
                for _ in range(WINDOWS):
                    for c in order:
                        rate[c] = max(rate[c], load(servers[(c, config)][0], request, seconds / WINDOWS, connections)[0])
                for c in contenders:
                    per[c].append(rate[c])
                ratios.append(rate["dropin"] / rate["starlette"])
            scenario = f"uvicorn {http}: {name}"
            results.append(
                summarise("http", scenario, "req/s", per["dropin"], per["starlette"], ratios, aim if http == SERVERS[0] else None, "dropin")
            )
            log(
                f"  {name:<32} starlette {statistics.median(per['starlette']):8.0f} req/s  drop-in "
                f"{statistics.median(per['dropin']):8.0f} req/s  ({statistics.median(ratios):.2f}x, "
                f"{min(ratios):.2f}-{max(ratios):.2f}); bare {statistics.median(per['bare']):8.0f} req/s, "
                f"ceiling {statistics.median(b / s for b, s in zip(per['bare'], per['starlette'])):.2f}x"
            )
    finally:
        for port, process in servers.values():
            process.terminate()
        for port, process in servers.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    return results


# ---------------------------------------------------------------------------


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE")
    parser.add_argument("--group", choices=["micro", "http", "all"], default="all")
    parser.add_argument("--rounds", type=int, help="rounds per scenario (default 15 micro, 11 http; --quick 3, 1)")
    parser.add_argument("--calls", type=int, help="calls per contender per micro round (default 20000; --quick 2000)")
    parser.add_argument("--seconds", type=float, help="seconds per contender per http round (default 2; --quick 0.5)")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections of the http load (default 8)")
    parser.add_argument(
        "--http",
        action="append",
        choices=SERVERS,
        help="the uvicorn server(s) of the http group, as http/loop (default: each of " + ", ".join(SERVERS) + ")",
    )
    parser.add_argument("--serve", nargs=3, metavar=("CONTENDER", "CONFIG", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve:
        contender, config, port = args.serve
        serve(contender, config, int(port), args.http[0])
        return 0

    log = lambda line: print(line, flush=True)  # noqa: E731
    log(f"corsguard {corsguard.__version__} against starlette {starlette.__version__} ({machine()})")
    results: list[dict] = []
    if args.group in ("micro", "all"):
        rounds = args.rounds or (3 if args.quick else 15)
        calls = args.calls or (2000 if args.quick else 20000)
        log(f"micro: ASGI middleware call net of the bare app, {rounds} rounds x {calls} calls, median (min-max) of per-round ratios")
        results += run_micro(rounds, calls, log)
    if args.group in ("http", "all"):
        rounds = args.rounds or (1 if args.quick else 11)
        seconds = args.seconds or (0.5 if args.quick else 2.0)
        for server in args.http or SERVERS:
            log(f"http: uvicorn ({server}) on 127.0.0.1, {args.connections} keep-alive connections, {rounds} rounds x {seconds} s each")
            results += run_http(rounds, seconds, args.connections, server, log)

    missed = [r for r in results if r["aim"] is not None and r["ratio"] < r["aim"]]
    for r in missed:
        log(f"below aim: {r['group']} {r['scenario']}: {r['ratio']:.2f}x (aim {r['aim']}x)")
    if args.json:
        report = {
            "suite": "python",
            "peer": f"starlette {starlette.__version__}",
            "machine": machine(),
            "results": results,
        }
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=2)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
