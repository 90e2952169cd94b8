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

Both take corsguard's ``on_refusal``, ``hook_errors`` and ``cors_on_errors``
keywords and have a ``reconfigure`` method, as the ASGI middlewares do. With
``cors_on_errors=True``, an exception the application raises before it
starts its response is answered with ``500 Internal Server Error`` carrying
the CORS headers; the exception is then raised from the response body's
iterator once the 500 is written, where the server's own error handling
logs it (wsgiref prints the traceback, Werkzeug logs ``Error on request``,
Gunicorn ``Error handling request``) and closes the connection.
"""

from __future__ import annotations

import http
import sys
import urllib.parse
from collections.abc import Collection, Iterable, Iterator
from typing import Any, Callable, Optional

from ._document import as_policy
from ._dropin import ALL_METHODS, RiskyConfigWarning
from ._hooks import KEEP, Hooks, Refusal
from ._state import PolicyState, dropin_state
from ._native import merge_vary

__all__ = ["CORSMiddleware", "PolicyMiddleware", "ALL_METHODS", "RiskyConfigWarning", "Refusal"]

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


_SERVER_ERROR = b"Internal Server Error"


def _raised_after(body: bytes, error: BaseException) -> Iterator[bytes]:
    """The 500's body, then the application's exception, raised where the
    server iterates the response: its error handling logs it."""
    yield body
    raise error


def _run(app: WSGIApp, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
    """Calls ``app`` with ``start_response`` (which adds the CORS headers);
    an exception raised by the call is answered with a 500 through it, then
    raised from the body's iterator (see the module docstring)."""
    try:
        return app(environ, start_response)
    except Exception as error:
        headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(_SERVER_ERROR)))]
        # With exc_info, as PEP 3333 asks of an error response: it replaces
        # headers the application set but the server has not sent (and
        # re-raises the error when they were sent).
        start_response("500 Internal Server Error", headers, sys.exc_info())
        return _raised_after(_SERVER_ERROR, error)


def _path(environ: dict) -> str:
    return (environ.get("SCRIPT_NAME") or "") + (environ.get("PATH_INFO") or "") or "/"


class CORSMiddleware:
    """CORS for a WSGI application (Flask, Django, ...), with the keywords,
    defaults and answers of Starlette's ``CORSMiddleware``; see
    :class:`corsguard.asgi.CORSMiddleware` for the options, corsguard's
    ``on_refusal(environ, refusal)``, ``hook_errors``, ``cors_on_errors``
    (see the module docstring) and :meth:`reconfigure`."""

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
        *,
        on_refusal: Optional[Callable[[dict, Refusal], object]] = None,
        hook_errors: str = "warn",
        cors_on_errors: bool = False,
    ) -> None:
        self.app = app
        self._state = dropin_state(
            allow_origins,
            allow_methods,
            allow_headers,
            allow_credentials,
            allow_origin_regex,
            allow_private_network,
            expose_headers,
            max_age,
            strict,
            Hooks(on_refusal, hook_errors, cors_on_errors, where="corsguard.wsgi.CORSMiddleware"),
        )

    @property
    def policy(self) -> Any:
        """The native policy serving requests now."""
        return self._state.policy

    def reconfigure(
        self,
        allow_origins: Collection[str] = (),
        allow_methods: Collection[str] = ("GET",),
        allow_headers: Collection[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: Optional[str] = None,
        allow_private_network: bool = False,
        expose_headers: Collection[str] = (),
        max_age: int = 600,
        strict: bool = False,
        *,
        on_refusal: Any = KEEP,
        hook_errors: Any = KEEP,
        cors_on_errors: Any = KEEP,
    ) -> None:
        """Replaces the configuration of the running middleware, as
        :meth:`corsguard.asgi.CORSMiddleware.reconfigure` does: checked
        first (a refused one raises and the running one stays), then swapped
        in one assignment; each request reads it once."""
        self._state = dropin_state(
            allow_origins,
            allow_methods,
            allow_headers,
            allow_credentials,
            allow_origin_regex,
            allow_private_network,
            expose_headers,
            max_age,
            strict,
            self._state.hooks.replaced(on_refusal, hook_errors, cors_on_errors),
        )

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        state = self._state  # read once: the whole request is answered by one configuration
        # PEP 3333: header values are str decoded from latin-1; the server
        # has already joined repeated lines with ",".
        origin = environ.get("HTTP_ORIGIN")
        verdict = None
        if state.fullmatch is not None and origin is not None:
            verdict = state.fullmatch(str(origin)) is not None
        method = environ.get("REQUEST_METHOD", "GET")
        status, headers, body, refusal = state.evaluate(
            method,
            origin,
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
            verdict,
        )
        hooks = state.hooks
        if refusal is not None and hooks.on_refusal is not None:
            hooks.refused(environ, refusal, origin, method, _path(environ))

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

        if hooks.cors_on_errors:
            return _run(self.app, environ, start_with_cors)
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
        *,
        on_refusal: Optional[Callable[[dict, Refusal], object]] = None,
        hook_errors: str = "warn",
        cors_on_errors: bool = False,
    ) -> None:
        self.app = app
        self._state = PolicyState(
            as_policy(policy),
            on_decision,
            Hooks(on_refusal, hook_errors, cors_on_errors, where="corsguard.wsgi.PolicyMiddleware"),
        )

    @property
    def policy(self) -> Any:
        """The policy serving requests now."""
        return self._state.policy

    @property
    def on_decision(self) -> Optional[Callable[[dict, Any], None]]:
        return self._state.on_decision

    def reconfigure(
        self,
        policy: Any,
        *,
        on_decision: Any = KEEP,
        on_refusal: Any = KEEP,
        hook_errors: Any = KEEP,
        cors_on_errors: Any = KEEP,
    ) -> None:
        """Serves requests with ``policy`` from now on, as
        :meth:`corsguard.asgi.PolicyMiddleware.reconfigure` does (a
        :class:`corsguard.Policy` or a policy document; the hook keywords
        keep their values unless given)."""
        state = self._state
        self._state = PolicyState(
            as_policy(policy),
            state.on_decision if on_decision is KEEP else on_decision,
            state.hooks.replaced(on_refusal, hook_errors, cors_on_errors),
        )

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        state = self._state  # read once: the whole request is answered by one policy
        method = _latin1(environ.get("REQUEST_METHOD")) or b"GET"
        origin = _latin1(environ.get("HTTP_ORIGIN"))
        decision = state.policy.evaluate(
            method,
            origin,
            _latin1(environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")),
            _latin1(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")),
            _latin1(environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK")),
            path=_environ_path(environ) if state.routed else None,
        )
        if state.on_decision is not None:
            state.on_decision(environ, decision)
        if decision is None:
            return self.app(environ, start_response)
        hooks = state.hooks
        if hooks.on_refusal is not None and decision.reason_code is not None:
            hooks.refused(environ, (decision.kind, decision.reason_code, decision.reason), origin, method, _path(environ))
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

        if hooks.cors_on_errors:
            return _run(self.app, environ, start_with_cors)
        return self.app(environ, start_with_cors)
