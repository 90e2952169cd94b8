"""The corsguard demo API on Starlette and uvicorn, with the Python package.

    python examples/python-server/server.py

Serves the demo page (examples/demo/index.html) on http://localhost:3000 and
the API on http://localhost:8080, both from one uvicorn server listening on
two sockets (three with the second page port, below). The API is protected by ``corsguard.asgi.PolicyMiddleware`` with
the strict ``corsguard.Policy`` loaded from the shared policy document
(examples/demo/policy.json, see docs/policy.md) by ``Policy.from_file``, the
same document the Node, C and Rust servers load, so they answer the same way.
The page's port also serves what the page's playground loads:
/corsguard-explain.wasm (the explainer, built by examples/demo/build.sh) and
/policy.json (the policy file's bytes); a second page port (3001) serves the
same, so that http://localhost:3001 is another origin to send requests from.

Environment: DEMO_PAGE_PORT (3000), DEMO_ALT_PAGE_PORT (the page port + 1;
0: none), DEMO_API_PORT (8080), DEMO_POLICY (the policy file), DEMO_PAGE (the
page), DEMO_WASM (target/demo/corsguard-explain.wasm), DEMO_HOST (127.0.0.1).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path
from typing import Optional

import corsguard
import uvicorn
from corsguard.asgi import PolicyMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "demo"
RUNTIME = {"runtime": "python", "server": "Starlette on uvicorn + the corsguard Python package"}
LOG_LIMIT = 200


class DecisionLog:
    """The decisions corsguard made, tagged with the case the page is running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.case = ""
        self.entries: list[dict] = []

    def record(self, method: str, path: str, decision: Optional[corsguard.Decision]) -> None:
        # None: a policy document with routes serves no policy on this path,
        # so the response got no CORS headers.
        entry = {
            "method": method,
            "path": path,
            "outcome": decision.outcome if decision else "no_policy",
            "reason": decision.reason if decision else "no policy serves this path",
            "headers": [f"{name}: {value}" for name, value in decision.headers] if decision else [],
        }
        with self._lock:
            if len(self.entries) < LOG_LIMIT:
                self.entries.append({"case": self.case, **entry})

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.entries)

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()

    def tag(self, case: str) -> None:
        with self._lock:
            self.case = case


def api_app(log: DecisionLog):
    """The demo API, CORS aside: the same routes as the Rust, C and Node servers."""

    async def app(scope, receive, send) -> None:
        request = Request(scope, receive)
        method, path = request.method, request.url.path
        await request.body()  # read (and ignore) any body
        headers = {}
        if method == "GET" and path == "/api/hello":
            response = JSONResponse({"message": "hello from the API", **RUNTIME})
        elif method == "POST" and path == "/api/items":
            response = JSONResponse({"created": "teapot"}, status_code=201)
        elif method == "DELETE" and path.startswith("/api/items/"):
            response = JSONResponse({"deleted": True})
        elif method == "POST" and path == "/api/login":
            response = JSONResponse({"logged_in": True})
            headers["set-cookie"] = "demo_session=s3cr3t; Path=/; SameSite=Lax; HttpOnly"
        elif method == "GET" and path == "/api/me":
            response = JSONResponse({"session": request.cookies.get("demo_session", "")})
        elif method == "GET" and path == "/api/exposed":
            response = JSONResponse({"headers": "X-Corsguard-Demo is exposed, X-Hidden is not"})
            headers["x-corsguard-demo"] = "exposed-value"
            headers["x-hidden"] = "hidden-value"
        elif method == "GET" and path == "/api/decisions":
            response = JSONResponse(log.snapshot())
        elif method == "POST" and path == "/api/decisions":
            log.clear()
            response = JSONResponse({})
        elif method == "POST" and path.startswith("/api/case/"):
            log.tag(path[len("/api/case/"):])
            response = JSONResponse({})
        else:
            response = JSONResponse({"error": "not found"}, status_code=404)
        response.headers.update(headers)
        await response(scope, receive, send)

    return app


def page_app(page: str, files: dict[str, tuple[Path, str]]):
    """The page, and `files`: path -> (file, media type), read on each request."""

    async def app(scope, receive, send) -> None:
        served = files.get(scope["path"]) if scope["method"] == "GET" else None
        if scope["method"] == "GET" and scope["path"] == "/":
            response: Response = HTMLResponse(page)
        elif served is not None:
            try:
                body = served[0].read_bytes()
                response = Response(body, media_type=served[1], headers={"cache-control": "no-store"})
            except OSError as err:
                response = Response(
                    f"{served[0].name}: {err.strerror} (run examples/demo/build.sh)",
                    status_code=404,
                    media_type="text/plain",
                )
        else:
            response = Response("not found", status_code=404, media_type="text/plain")
        await response(scope, receive, send)

    return app


def build(api_port: int, alt_page_port: int, policy_path: Path, page_path: Path, wasm_path: Path):
    """One ASGI app for both sockets, dispatching on the port it was reached at."""
    log = DecisionLog()

    def record(scope, decision: Optional[corsguard.Decision]) -> None:
        # Every decision but the demo's own bookkeeping requests.
        path = scope["path"]
        if not (path == "/api/decisions" or path.startswith("/api/case/")):
            log.record(scope["method"], path, decision)

    api = PolicyMiddleware(api_app(log), corsguard.Policy.from_file(policy_path), on_decision=record)
    page = (
        page_path.read_text(encoding="utf-8")
        .replace("http://localhost:8080", f"http://localhost:{api_port}")
        .replace("http://localhost:3001", f"http://localhost:{alt_page_port}")
    )
    pages = page_app(
        page,
        {
            "/corsguard-explain.wasm": (wasm_path, "application/wasm"),
            "/policy.json": (policy_path, "application/json"),
        },
    )

    async def app(scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            return
        server = scope.get("server") or ("", 0)
        target = api if server[1] == api_port else pages
        await target(scope, receive, send)

    return app


def listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sys.exit(f"cannot listen on {host}:{port}: {err}")
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def main() -> None:
    page_port = int(os.environ.get("DEMO_PAGE_PORT", "3000"))
    alt_text = os.environ.get("DEMO_ALT_PAGE_PORT", "")
    alt_page_port = int(alt_text) if alt_text else page_port + 1
    api_port = int(os.environ.get("DEMO_API_PORT", "8080"))
    host = os.environ.get("DEMO_HOST", "127.0.0.1")
    policy_path = Path(os.environ.get("DEMO_POLICY") or DEMO / "policy.json")
    page_path = Path(os.environ.get("DEMO_PAGE") or DEMO / "index.html")
    wasm_path = Path(os.environ.get("DEMO_WASM") or HERE.parent.parent / "target" / "demo" / "corsguard-explain.wasm")
    try:
        app = build(api_port, alt_page_port, policy_path, page_path, wasm_path)
    except OSError as err:
        sys.exit(f"cannot read the policy {policy_path}: {err}")
    except corsguard.ConfigError as err:
        # Every problem of the document, each with its path, rule and fix.
        sys.exit(f"invalid policy ({err.code}): {err}")
    sockets = [listen(host, page_port), listen(host, api_port)]
    if alt_page_port:
        sockets.append(listen(host, alt_page_port))
    print(f"corsguard demo ({RUNTIME['server']}), policy {policy_path}")
    print(f"  frontend: http://localhost:{page_port}/   <- open this in a browser")
    if alt_page_port:
        print(f"  the same page on a second origin: http://localhost:{alt_page_port}/")
    print(f"  API:      http://localhost:{api_port}/api/hello")
    print("Press Ctrl-C to stop.", flush=True)
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level="warning",
        access_log=False,
        # Longer than any wait of the browser tests between two requests.
        timeout_keep_alive=75,
    )
    uvicorn.Server(config).run(sockets=sockets)


if __name__ == "__main__":
    main()
