"""ASGI middleware: a drop-in for Starlette's ``CORSMiddleware``, and
:class:`PolicyMiddleware` for a strict :class:`corsguard.Policy`.

Works with Starlette, FastAPI and any ASGI 3 application::

    from fastapi import FastAPI
    from corsguard.asgi import CORSMiddleware

    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["https://app.example.com"],
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
        allow_credentials=True,
    )

The constructor takes Starlette's keywords with Starlette's defaults, and the
answers (status, headers and their order, refusal bodies) are Starlette
1.10's, computed by the corsguard core's Starlette profile. The deviations,
all for security, are listed in the package README.

Both middlewares also take corsguard's own keywords: ``on_refusal`` (a hook
called for every request the core refuses, with a :class:`corsguard.Refusal`),
``hook_errors`` and ``cors_on_errors`` (an exception from the application is
answered with a 500 that keeps the CORS headers, then raised again); and both
can be given a new configuration while serving (``reconfigure``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection, MutableMapping
from typing import Any, Callable, Optional

from ._document import as_policy
from ._dropin import ALL_METHODS, RiskyConfigWarning
from ._hooks import KEEP, Hooks, Refusal
from ._state import PolicyState, dropin_state
from ._native import merge_vary

__all__ = ["CORSMiddleware", "PolicyMiddleware", "ALL_METHODS", "RiskyConfigWarning", "Refusal"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ORIGIN = b"origin"
_ACRM = b"access-control-request-method"
_ACRH = b"access-control-request-headers"
_ACRPN = b"access-control-request-private-network"
_VARY = b"vary"
_TEXT_PLAIN = (b"content-type", b"text/plain; charset=utf-8")
_SERVER_ERROR = b"Internal Server Error"


def _set(headers: list, name: bytes, value: bytes) -> None:
    """Sets one header as Starlette's ``MutableHeaders`` does: the first
    header of that (lowercase) name is replaced in place, later ones removed,
    or the header is appended."""
    found = [i for i, item in enumerate(headers) if item[0] == name]
    for i in reversed(found[1:]):
        del headers[i]
    if found:
        headers[found[0]] = (name, value)
    else:
        headers.append((name, value))


def apply_headers(headers: list, decision_headers: list, vary_merge: str = "join") -> None:
    """Writes a decision's headers into an ASGI header list: each header is
    set, and ``Vary`` is merged into the response's own ``Vary`` values, as
    one header, by the core's rule for ``vary_merge`` (``"join"`` for the
    Starlette profile, ``"dedup"`` for the others)."""
    for name, value in decision_headers:
        if name == _VARY:
            existing = b", ".join([item[1] for item in headers if item[0] == _VARY])
            merged = merge_vary(vary_merge, existing, value)
            if merged is None:
                continue
            value = merged
        _set(headers, name, value)


async def _with_cors_on_errors(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Runs ``app`` with ``send`` (which adds the CORS headers); an
    exception raised before the response started is answered through it
    with a 500, worded as Starlette's ``ServerErrorMiddleware`` words it,
    and then raised again, so the server (and a ``ServerErrorMiddleware``
    outside, which sees the response started) still handles and logs it."""
    started = False

    async def send_tracked(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, receive, send_tracked)
    except Exception:
        if not started:
            headers = [(b"content-length", str(len(_SERVER_ERROR)).encode("latin-1")), _TEXT_PLAIN]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": _SERVER_ERROR})
        raise


class CORSMiddleware:
    """CORS for an ASGI application, answering as Starlette's
    ``CORSMiddleware`` does (same keywords, same defaults, same responses).

    :param app: the ASGI application.
    :param allow_origins: origins allowed, compared exactly; ``"*"`` allows
        every origin.
    :param allow_methods: methods a preflight may ask for; ``"*"`` means
        Starlette's ``ALL_METHODS``.
    :param allow_headers: request headers a preflight may ask for (the four
        CORS-safelisted ones are always added); ``"*"`` echoes what is asked.
    :param allow_credentials: whether cookies and HTTP auth may be sent.
    :param allow_origin_regex: a regular expression an origin must match in
        full (evaluated in Python; only its verdict goes to the core).
    :param allow_private_network: whether to grant Private Network Access.
    :param expose_headers: response headers scripts may read.
    :param max_age: seconds a browser may cache a preflight (sent as
        ``str(max_age)``).

    :param strict: raise every risky configuration at once, as a
        :class:`corsguard.DocumentError` (a :class:`corsguard.ConfigError`),
        instead of warning (not a Starlette keyword).
    :param on_refusal: ``on_refusal(scope, refusal)``, called for every
        request the core refuses (a disallowed origin, a preflight's method
        or headers, ...) with a :class:`corsguard.Refusal` (``kind``,
        ``code``, ``reason``, ``origin``, ``method``, ``path``), before the
        request is answered; for logging or counting. Not a Starlette keyword.
    :param hook_errors: ``"warn"`` (default): a hook that raises is reported
        once, as a :class:`corsguard.HookErrorWarning`, and the request is
        answered as without the hook; ``"raise"``: the error propagates.
    :param cors_on_errors: an exception from the application before its
        response started is answered with ``500 Internal Server Error``
        (``text/plain``) carrying the CORS headers the request's origin is
        entitled to, then raised again for the server's error handling and
        logging (default ``False``, as Starlette, whose 500s have none).

    The keywords become a policy document with ``"profile": "starlette"``,
    loaded by the core (see :mod:`corsguard._dropin`).

    Risky configurations are accepted, as Starlette accepts them, with a
    :class:`RiskyConfigWarning` each: what the core's strict rules refuse
    (its findings: a trailing-slash or uppercase origin, a public-suffix
    pattern such as ``https://*.com``, ``"*"`` or ``"null"`` with
    credentials, a lowercase ``get``, ``max_age`` above a day, ...), named as
    written here (``allow_origins``, ``max_age``), and ``"null"``, a regex
    that matches any origin, a string where a list is expected.
    """

    def __init__(
        self,
        app: ASGIApp,
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
        on_refusal: Optional[Callable[[Scope, Refusal], object]] = None,
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
            Hooks(on_refusal, hook_errors, cors_on_errors, where="corsguard.asgi.CORSMiddleware"),
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
        """Replaces the configuration of the running middleware: the
        constructor's keywords, with its defaults (a whole new
        configuration, as a new middleware would have); ``on_refusal``,
        ``hook_errors`` and ``cors_on_errors`` keep their values unless
        given. The new configuration is built and checked first: one the
        constructor would refuse raises the same error and the running one
        stays. The swap is one assignment, and each request reads the
        configuration once, so a request is answered wholly by the old
        configuration or wholly by the new one."""
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        state = self._state  # read once: the whole request is answered by one configuration
        # One native call reads the scope (the first line of each header, as
        # Starlette reads them), asks the core and returns the answer's two
        # messages, or the send that adds the headers to the app's response.
        first, body, refusal, _ = state.answer(scope, send)
        if refusal is not None:
            state.hooks.refused(scope, refusal[:3], refusal[3], refusal[4], scope.get("path"))
        if body is not None:
            await send(first)
            await send(body)
            return
        if state.cors_on_errors:
            await _with_cors_on_errors(self.app, scope, receive, first)
        else:
            await self.app(scope, receive, first)


def _scope_path(scope: Scope) -> Any:
    """The request target as received: ``raw_path`` (bytes, undecoded),
    else the decoded ``path``."""
    raw = scope.get("raw_path")
    if isinstance(raw, (bytes, bytearray)):
        return bytes(raw)
    path = scope.get("path")
    return path if isinstance(path, str) else None


class PolicyMiddleware:
    """CORS for an ASGI application from a :class:`corsguard.Policy`: the
    strict, Fetch-standard answers by default (or the policy's profile).

    A preflight is answered from the decision (its status, headers and body);
    any other request goes to the application, and the decision's headers
    are set on its response, with ``Vary`` merged into the application's own.
    ``Access-Control-Request-Headers`` sent on several lines is read as one
    list, as browsers and the Fetch standard combine them.

    For a policy document with ``routes``, the request's path (the scope's
    ``raw_path`` as received, else its ``path``) picks the policy; a request
    that no policy serves goes to the application untouched, without CORS
    headers (and ``on_decision`` is called with ``None``).

    :param app: the ASGI application.
    :param policy: a :class:`corsguard.Policy`.
    :param on_decision: called as ``on_decision(scope, decision)`` for every
        HTTP request, for logging or metrics (a refused request's
        ``decision.reason`` says why).
    :param on_refusal: ``on_refusal(scope, refusal)``, called for every
        request the core refuses, with a :class:`corsguard.Refusal`.
    :param hook_errors: ``"warn"`` (default) or ``"raise"``: what a raising
        ``on_refusal`` does (see :class:`CORSMiddleware`).
    :param cors_on_errors: answer an exception of the application with a
        500 that keeps the CORS headers, then raise it again (see
        :class:`CORSMiddleware`).

    :meth:`reconfigure` replaces the policy of the running middleware.

    ::

        import corsguard
        from corsguard.asgi import PolicyMiddleware

        policy = corsguard.Policy(allow_origins=["https://app.example.com"],
                                  allow_methods=["GET", "PUT"], allow_credentials=True)
        app = PolicyMiddleware(app, policy)
    """

    def __init__(
        self,
        app: ASGIApp,
        policy: Any,
        on_decision: Optional[Callable[[Scope, Any], None]] = None,
        *,
        on_refusal: Optional[Callable[[Scope, Refusal], object]] = None,
        hook_errors: str = "warn",
        cors_on_errors: bool = False,
    ) -> None:
        self.app = app
        self._state = PolicyState(
            as_policy(policy),
            on_decision,
            Hooks(on_refusal, hook_errors, cors_on_errors, where="corsguard.asgi.PolicyMiddleware"),
        )

    @property
    def policy(self) -> Any:
        """The policy serving requests now."""
        return self._state.policy

    @property
    def on_decision(self) -> Optional[Callable[[Scope, Any], None]]:
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
        """Serves requests with ``policy`` from now on: a
        :class:`corsguard.Policy`, or a policy document (JSON text or a
        ``dict``) loaded with :meth:`corsguard.Policy.from_json`, which
        raises for a refused document and leaves the running policy in
        place. The hook keywords keep their values unless given. A request
        is answered wholly by the old policy or wholly by the new one."""
        state = self._state
        self._state = PolicyState(
            as_policy(policy),
            state.on_decision if on_decision is KEEP else on_decision,
            state.hooks.replaced(on_refusal, hook_errors, cors_on_errors),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self._state  # read once: the whole request is answered by one policy
        if state.answer is not None:
            # One native call reads the scope, asks the core and returns
            # the answer's two messages, or the send that adds the headers
            # to the app's response (see CORSMiddleware.__call__).
            first, body, refusal, decision = state.answer(scope, send)
            if state.on_decision is not None:
                state.on_decision(scope, decision)
            if refusal is not None:
                state.hooks.refused(scope, refusal[:3], refusal[3], refusal[4], scope.get("path"))
            if body is not None:
                await send(first)
                await send(body)
            elif state.hooks.cors_on_errors and first is not send:
                await _with_cors_on_errors(self.app, scope, receive, first)
            else:
                await self.app(scope, receive, first)
            return
        origin = request_method = private_network = None
        request_headers: list = []
        for item in scope.get("headers") or ():
            try:
                key, value = item
            except (TypeError, ValueError):
                continue
            if key == _ORIGIN:
                if origin is None:
                    origin = bytes(value)
            elif key == _ACRM:
                if request_method is None:
                    request_method = bytes(value)
            elif key == _ACRH:
                request_headers.append(bytes(value))
            elif key == _ACRPN:
                if private_network is None:
                    private_network = bytes(value)
        method = scope.get("method", "GET")
        decision = state.policy.evaluate(
            method,
            origin,
            request_method,
            b",".join(request_headers) if request_headers else None,
            private_network,
            path=_scope_path(scope) if state.routed else None,
        )
        if state.on_decision is not None:
            state.on_decision(scope, decision)
        if decision is None:
            await self.app(scope, receive, send)
            return
        hooks = state.hooks
        if hooks.on_refusal is not None and decision.reason_code is not None:
            hooks.refused(scope, (decision.kind, decision.reason_code, decision.reason), origin, method, scope.get("path"))
        vary_merge = decision.vary_merge
        cors_headers = [(name.lower(), value) for name, value in decision.raw_headers]

        if decision.action == "respond":
            body = (decision.body or "").encode("latin-1")
            headers = list(cors_headers)
            if body:
                headers.append(_TEXT_PLAIN)
            if decision.status not in (204, 304):
                headers.append((b"content-length", str(len(body)).encode("latin-1")))
            await send({"type": "http.response.start", "status": decision.status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = message["headers"] = list(message.get("headers") or ())
                apply_headers(response_headers, cors_headers, vary_merge)
            await send(message)

        if hooks.cors_on_errors:
            await _with_cors_on_errors(self.app, scope, receive, send_with_cors)
        else:
            await self.app(scope, receive, send_with_cors)
