"""WSGI middleware with the options and answers of the ASGI drop-in.

For Flask::

    from flask import Flask
    from corsguard.wsgi import CORSMiddleware

    app = Flask(__name__)
    app.wsgi_app = CORSMiddleware(app.wsgi_app, allow_origins=["https://app.example.com"])

For Django, wrap the application in ``wsgi.py``::

    from django.core.wsgi import get_wsgi_application
    from corsguard.wsgi import CORSMiddleware

    application = CORSMiddleware(get_wsgi_application(), allow_origins=["https://app.example.com"])

The keywords, defaults and answers are those of Starlette's
``CORSMiddleware`` (see :mod:`corsguard.asgi`), written to WSGI responses:
header names in their canonical capitalization, matched case-insensitively.
:class:`PolicyMiddleware` puts a strict :class:`corsguard.Policy` in front of
a WSGI application instead.
"""

from __future__ import annotations

import http
import urllib.parse
from collections.abc import Collection, Iterable
from typing import Any, Callable, Optional

from ._dropin import ALL_METHODS, RiskyConfigWarning, starlette_policy
from ._native import merge_vary

__all__ = ["CORSMiddleware", "PolicyMiddleware", "ALL_METHODS", "RiskyConfigWarning"]

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]

_NAMES = {
    b"access-control-allow-origin": "Access-Control-Allow-Origin",
    b"access-control-allow-credentials": "Access-Control-Allow-Credentials",
    b"access-control-allow-methods": "Access-Control-Allow-Methods",
    b"access-control-allow-headers": "Access-Control-Allow-Headers",
    b"access-control-max-age": "Access-Control-Max-Age",
    b"access-control-expose-headers": "Access-Control-Expose-Headers",
    b"access-control-allow-private-network": "Access-Control-Allow-Private-Network",
    b"vary": "Vary",
}


def _status_line(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def apply_headers(headers: list, decision_headers: list, vary_merge: str = "join") -> None:
    """Writes a decision's headers into a WSGI header list: each header is
    set (the first of that name, compared case-insensitively, replaced in
    place and later ones removed), and ``Vary`` is merged with the
    response's own ``Vary`` values into one header by the core's rule for
    ``vary_merge`` (``"join"`` for the Starlette profile)."""
    for raw_name, raw_value in decision_headers:
        name = _NAMES[raw_name]
        value = raw_value.decode("latin-1")
        lower = name.lower()
        found = [i for i, item in enumerate(headers) if item[0].lower() == lower]
        if lower == "vary":
            existing = ", ".join(headers[i][1] for i in found).encode("latin-1")
            merged = merge_vary(vary_merge, existing, raw_value)
            if merged is None:
                continue
            value = merged.decode("latin-1")
        for i in reversed(found[1:]):
            del headers[i]
        if found:
            headers[found[0]] = (name, value)
        else:
            headers.append((name, value))


class CORSMiddleware:
    """CORS for a WSGI application (Flask, Django, ...), with the keywords,
    defaults and answers of Starlette's ``CORSMiddleware``; see
    :class:`corsguard.asgi.CORSMiddleware` for the options."""

    def __init__(
        self,
        app: WSGIApp,
        allow_origins: Collection[str] = (),
        allow_methods: Collection[str] = ("GET",),
        allow_headers: Collection[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: Optional[str] = None,
        allow_private_network: bool = False,
        expose_headers: Collection[str] = (),
        max_age: int = 600,
        strict: bool = False,
    ) -> None:
        self.app = app
        self.policy, self._fullmatch = starlette_policy(
            allow_origins,
            allow_methods,
            allow_headers,
            allow_credentials,
            allow_origin_regex,
            allow_private_network,
            expose_headers,
            max_age,
            strict=strict,
            stacklevel=2,
        )
        self._evaluate = self.policy._evaluate_latin1

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        # PEP 3333: header values are str decoded from latin-1; the server
        # has already joined repeated lines with ",".
        origin = environ.get("HTTP_ORIGIN")
        verdict = None
        if self._fullmatch is not None and origin is not None:
            verdict = self._fullmatch(str(origin)) is not None
        status, headers, body = self._evaluate(
            environ.get("REQUEST_METHOD", "GET"),
            origin,
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
            verdict,
        )

        if status is not None:
            body = body or b""
            response_headers = [(_NAMES[n], v.decode("latin-1")) for n, v in headers]
            if not (status < 200 or status in (204, 304)):
                response_headers.append(("Content-Length", str(len(body))))
            response_headers.append(("Content-Type", "text/plain; charset=utf-8"))
            start_response(_status_line(status), response_headers)
            return [body]

        def start_with_cors(status_line: str, response_headers: list, exc_info: Any = None) -> Any:
            response_headers = list(response_headers)
            apply_headers(response_headers, headers)
            if exc_info is None:
                return start_response(status_line, response_headers)
            return start_response(status_line, response_headers, exc_info)

        return self.app(environ, start_with_cors)


def _latin1(value: Any) -> Optional[bytes]:
    """A WSGI header value back as the bytes received (PEP 3333 decodes them
    as latin-1); anything that is not such a string is absent."""
    if not isinstance(value, str):
        return None
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _environ_path(environ: dict) -> Optional[bytes]:
    """The request target as received: the server's raw URI when it gives
    one, else ``SCRIPT_NAME`` + ``PATH_INFO`` (decoded by the server)
    percent-encoded again."""
    for key in ("RAW_URI", "REQUEST_URI"):
        raw = _latin1(environ.get(key))
        if raw and raw.startswith(b"/"):
            return raw
    decoded = (_latin1(environ.get("SCRIPT_NAME")) or b"") + (_latin1(environ.get("PATH_INFO")) or b"")
    return urllib.parse.quote(decoded, safe="/:@!$&'()*+,;=~").encode("ascii") or b"/"


class PolicyMiddleware:
    """CORS for a WSGI application (Flask, Django, ...) from a
    :class:`corsguard.Policy`, as :class:`corsguard.asgi.PolicyMiddleware`
    does for ASGI: preflights answered from the decision, the decision's
    headers set on every other response, ``Vary`` merged by the core's rule,
    and ``on_decision(environ, decision)`` called for each request.

    For a policy document with ``routes``, the request's path picks the
    policy: ``RAW_URI`` or ``REQUEST_URI`` as the server received it when
    the server gives one (Gunicorn, uWSGI, Werkzeug), else ``SCRIPT_NAME``
    and ``PATH_INFO`` percent-encoded again. A request that no policy
    serves goes to the application untouched (``on_decision`` gets
    ``None``).

    ::

        from flask import Flask
        import corsguard
        from corsguard.wsgi import PolicyMiddleware

        app = Flask(__name__)
        policy = corsguard.Policy(allow_origins=["https://app.example.com"])
        app.wsgi_app = PolicyMiddleware(app.wsgi_app, policy)
    """

    def __init__(
        self,
        app: WSGIApp,
        policy: Any,
        on_decision: Optional[Callable[[dict, Any], None]] = None,
    ) -> None:
        self.app = app
        self.policy = policy
        self.on_decision = on_decision
        self._routed = policy.has_routes

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        decision = self.policy.evaluate(
            _latin1(environ.get("REQUEST_METHOD")) or b"GET",
            _latin1(environ.get("HTTP_ORIGIN")),
            _latin1(environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")),
            _latin1(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")),
            _latin1(environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK")),
            path=_environ_path(environ) if self._routed else None,
        )
        if self.on_decision is not None:
            self.on_decision(environ, decision)
        if decision is None:
            return self.app(environ, start_response)
        vary_merge = decision.vary_merge
        headers = [(name.lower(), value) for name, value in decision.raw_headers]

        if decision.action == "respond":
            body = (decision.body or "").encode("latin-1")
            response_headers = [(_NAMES[n], v.decode("latin-1")) for n, v in headers]
            if body:
                response_headers.append(("Content-Type", "text/plain; charset=utf-8"))
            if decision.status not in (204, 304):
                response_headers.append(("Content-Length", str(len(body))))
            start_response(_status_line(decision.status), response_headers)
            return [body]

        def start_with_cors(status_line: str, response_headers: list, exc_info: Any = None) -> Any:
            response_headers = list(response_headers)
            apply_headers(response_headers, headers, vary_merge)
            if exc_info is None:
                return start_response(status_line, response_headers)
            return start_response(status_line, response_headers, exc_info)

        return self.app(environ, start_with_cors)
