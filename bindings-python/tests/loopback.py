"""Real servers on 127.0.0.1 (free ports, threads, bounded waits) for the
hook, reconfiguration and error tests: uvicorn for ASGI apps, Werkzeug's
threaded server and wsgiref for WSGI apps."""

from __future__ import annotations

import contextlib
import socketserver
import threading
import time
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server as wsgiref_make_server

from werkzeug.serving import make_server as werkzeug_make_server

from test_asgi_frameworks import Server as Uvicorn

__all__ = ["uvicorn", "werkzeug", "wsgiref", "eventually"]


def eventually(check, timeout: float = 5.0):
    """Polls ``check()`` until it returns a true value, for at most
    ``timeout`` seconds (a server logs an error after the client already
    has the response); returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


@contextlib.contextmanager
def uvicorn(app) -> Iterator[str]:
    """An ASGI app under uvicorn; yields its base URL."""
    with Uvicorn(app) as base:
        yield base


@contextlib.contextmanager
def werkzeug(app, threaded: bool = True) -> Iterator[str]:
    """A WSGI app under Werkzeug's server (a thread per request)."""
    server = werkzeug_make_server("127.0.0.1", 0, app, threaded=threaded)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        assert not thread.is_alive(), "the Werkzeug server did not stop in 10 s"


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Handler(WSGIRequestHandler):
    def log_message(self, format, *args):  # no access log on stderr
        pass


@contextlib.contextmanager
def wsgiref(app) -> Iterator[str]:
    """A WSGI app under the standard library's wsgiref server, threaded."""
    server = wsgiref_make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        assert not thread.is_alive(), "the wsgiref server did not stop in 10 s"
