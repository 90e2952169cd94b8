"""corsguard: one validated CORS implementation, written once in Rust.

Three ways in:

* :class:`Policy`, the strict native API. A policy is a policy document
  (``docs/policy.md``), loaded by the core: :meth:`Policy.from_file` and
  :meth:`Policy.from_json` read one, and ``Policy(**keywords)`` writes one
  from the document's keys in snake_case. Every problem is refused at once
  (:class:`DocumentError`, a :class:`ConfigError`, whose ``errors`` name
  each entry, the rule and the fix), and :meth:`Policy.evaluate` judges a
  request without allocating in the core::

      import corsguard

      policy = corsguard.Policy(
          allow_origins=["https://app.example.com"],
          allow_methods=["GET", "PUT"],
          allow_headers=["content-type"],
          allow_credentials=True,
          max_age=600,
      )
      d = policy.evaluate("OPTIONS", origin="https://app.example.com",
                          request_method="PUT", request_headers="content-type")
      assert d.allowed and d.status == 204

  A document with named ``policies`` and ``routes`` serves each request
  with the policy of its path: ``policy.evaluate(..., path="/api/items")``,
  which returns ``None`` when no policy serves the path (send no CORS
  headers).

* :class:`corsguard.asgi.CORSMiddleware`, a drop-in for Starlette's
  ``CORSMiddleware`` (Starlette, FastAPI, any ASGI app).
* :class:`corsguard.wsgi.CORSMiddleware`, the same for WSGI (Flask, Django).

The drop-ins answer exactly as Starlette 1.10 does, through the core's
Starlette profile; the strict Policy follows the Fetch standard.

Every middleware (these, :mod:`corsguard.django` and :mod:`corsguard.flask`)
takes a refusal hook, ``on_refusal(request, refusal)``, called with a
:class:`Refusal` for each request the core refuses; can be given a new
configuration while it serves (``reconfigure``); and, with
``cors_on_errors=True``, keeps the CORS headers on the 500 an exception
produces.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, Callable, Literal, Optional, Pattern, Union

from . import _document
from ._document import Problem
from ._dropin import RiskyConfigWarning
from ._hooks import HookErrorWarning, Refusal
from ._native import (
    CAPACITY_CLASSES,
    VERDICT_PROBES,
    ConfigError,
    Decision,
    DocumentError,
    NativePolicy,
)
from ._native import __version__ as _native_version

__all__ = [
    "Policy",
    "Decision",
    "ConfigError",
    "DocumentError",
    "Problem",
    "RiskyConfigWarning",
    "Refusal",
    "HookErrorWarning",
    "CAPACITY_CLASSES",
    "DEFAULT_CAPACITY",
    "LARGE_CAPACITY",
    "VERDICT_PROBES",
]
#: The package version: the crate's, so one place sets it.
__version__: str = _native_version

#: The core's default and largest capacity classes, ``(origins, names,
#: bytes)``, from its one table (:data:`CAPACITY_CLASSES`).
DEFAULT_CAPACITY: tuple[int, int, int] = CAPACITY_CLASSES["default"]
LARGE_CAPACITY: tuple[int, int, int] = CAPACITY_CLASSES["large"]

RequestValue = Union[str, bytes]
Profile = Literal["strict", "starlette", "cors_npm", "django_cors_headers", "fastify_cors", "flask_cors"]


def _verdict(
    origin_regex: Union[str, Pattern[str], None],
    origin_predicate: Optional[Callable[[str], object]],
) -> Optional[Callable[[str], object]]:
    """The host's verdict on an origin: the regex's ``fullmatch``, or the
    predicate (only Python can run either)."""
    if origin_regex is not None and origin_predicate is not None:
        raise TypeError("give either origin_regex or origin_predicate, not both")
    if origin_regex is not None:
        pattern = origin_regex if hasattr(origin_regex, "fullmatch") else re.compile(origin_regex)
        return pattern.fullmatch
    if origin_predicate is not None and not callable(origin_predicate):
        raise TypeError("origin_predicate: expected a callable taking the origin (str) and returning a bool")
    return origin_predicate


class Policy:
    """A validated CORS policy (strict by default, by the Fetch standard),
    loaded from a policy document by the core (``docs/policy.md``).

    ``Policy(**keywords)`` is the document written as keywords: each key in
    snake_case (``allowOrigins`` is ``allow_origins``), mapped mechanically,
    and ``version=1`` implied. A keyword given as ``None`` is left out. The
    keys:

    :param allow_origins: exact origins (``"https://app.example.com"``),
        ``"*"``, subdomain patterns (``"https://*.example.com"``), port
        wildcards (``"http://localhost:*"``) and ``"null"`` (opt-in).
    :param fixed_origin: one origin given on its own (strictly: just that
        origin is allowed).
    :param origin_verdict: consult a verdict passed to :meth:`evaluate`
        (set by ``origin_regex`` / ``origin_predicate``).
    :param allow_wide_verdict_with_credentials: accept, with credentials, a
        verdict that admits one of the core's probe origins
        (:data:`VERDICT_PROBES`, such as ``https://evil.test``). Without it
        such a policy is refused (code ``wide_verdict_with_credentials``).
    :param allow_methods: a list of methods (GET, HEAD and POST are always
        allowed), or ``["*"]``.
    :param allow_headers: a list of request header names, ``["*"]``, or
        ``"mirror"`` (echo what the preflight asks for).
    :param expose_headers: a list of response header names, or ``["*"]``.
    :param allow_credentials: whether cookies and HTTP auth may be sent.
    :param max_age: seconds a browser may cache a preflight (0..86400).
    :param allow_private_network: grant Private Network Access to
        preflights that ask.
    :param preflight_continue: pass preflights on to the application.
    :param preflight_status: the status of a successful preflight (2xx).
    :param profile: ``"strict"`` (default), or a peer's profile:
        ``"starlette"``, ``"cors_npm"``, ``"django_cors_headers"``,
        ``"fastify_cors"`` or ``"flask_cors"``.

    Two keywords are Python's own, not document keys:

    :param origin_regex: a regular expression (``str`` or compiled) that an
        origin the lists do not allow may match in full; evaluated in Python,
        only its verdict goes to the core. Never applies to ``null``.
    :param origin_predicate: instead of a regex, a callable taking the origin
        (``str``) and returning whether it is allowed.

    :param policies: named policies (``{"admin": {"allow_origins": [...]}}``),
        each written with the same snake_case keys, and
    :param routes: the path rules that pick one per request
        (``[{"path": "/admin/**", "policy": "admin"}]``); see
        :meth:`evaluate`'s ``path``.

    Any other keyword is refused by the core as an unknown key, with the
    nearest known one suggested. The policy is built in the smallest of the
    core's capacity classes (:data:`CAPACITY_CLASSES`) that holds it; one
    that fits none is refused (``capacity_exceeded``), nothing is truncated.

    :raises DocumentError: the policy is refused (a :class:`ConfigError`);
        ``errors`` lists every problem.
    :raises TypeError: a value cannot be written as JSON (``bytes``, ...).
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        *,
        origin_regex: Union[str, Pattern[str], None] = None,
        origin_predicate: Optional[Callable[[str], object]] = None,
        **options: Any,
    ) -> None:
        verdict = _verdict(origin_regex, origin_predicate)
        document: dict[str, Any] = {"version": 1}
        keys: set[str] = set()
        for name, value in options.items():
            if value is None:
                continue
            if name == "policies" and isinstance(value, Mapping):
                # Each named policy's keys are snake_case too.
                value = {
                    policy: {_document.camel(k): v for k, v in body.items() if v is not None}
                    if isinstance(body, Mapping)
                    else body
                    for policy, body in value.items()
                }
                for body in value.values():
                    if isinstance(body, Mapping):
                        keys.update(k for k in body if isinstance(k, str))
            document[_document.camel(name)] = value
        if verdict is not None:
            document["originVerdict"] = True
        self._native = _document.load(
            _document.dumps(document),
            naming="snake",
            keys=keys | set(document),
            source=document,
            verdict_probes=_document.probes_admitted(verdict) if verdict else 0,
            predicate=verdict,
        )

    @classmethod
    def from_json(
        cls,
        document: Union[str, bytes],
        *,
        origin_regex: Union[str, Pattern[str], None] = None,
        origin_predicate: Optional[Callable[[str], object]] = None,
    ) -> "Policy":
        """Loads a policy document from its JSON text (``str`` or UTF-8
        ``bytes``). For a document with ``"originVerdict": true``, the host's
        rule decides the origins the lists do not allow: ``origin_regex``
        (matched against the whole origin) or ``origin_predicate``; it is
        tried on the probe origins when the policy is built, as with
        ``Policy(origin_regex=...)``. Without one, each request carries the
        verdict as ``evaluate(..., origin_verdict=...)``.

        :raises DocumentError: every problem of the document, with paths
            (JSON pointers) and messages naming its keys.
        """
        verdict = _verdict(origin_regex, origin_predicate)
        policy = cls.__new__(cls)
        policy._native = _document.load(
            document,
            verdict_probes=_document.probes_admitted(verdict) if verdict else 0,
            predicate=verdict,
        )
        return policy

    @classmethod
    def from_file(
        cls,
        path: Union[str, "os.PathLike[str]"],
        *,
        origin_regex: Union[str, Pattern[str], None] = None,
        origin_predicate: Optional[Callable[[str], object]] = None,
    ) -> "Policy":
        """Loads a policy document from a file (read as bytes); the host's
        rule as for :meth:`from_json`.

        :raises OSError: the file cannot be read (``FileNotFoundError``, ...).
        :raises DocumentError: as :meth:`from_json`; the message starts
            with the file's path.
        """
        with open(path, "rb") as f:
            data = f.read()
        try:
            return cls.from_json(data, origin_regex=origin_regex, origin_predicate=origin_predicate)
        except DocumentError as error:
            error.args = (f"{os.fspath(path)}: {error}",)
            raise

    def evaluate(
        self,
        method: RequestValue,
        origin: Optional[RequestValue] = None,
        request_method: Optional[RequestValue] = None,
        request_headers: Optional[RequestValue] = None,
        request_private_network: Optional[RequestValue] = None,
        *,
        origin_verdict: Optional[bool] = None,
        path: Optional[RequestValue] = None,
    ) -> Optional[Decision]:
        """Judges one request from its method and CORS request headers
        (``Origin``, ``Access-Control-Request-Method``, ``-Headers``,
        ``-Private-Network``), each ``str`` (sent as UTF-8) or ``bytes``
        (as received). Join repeated ``Access-Control-Request-Headers``
        lines with ``","``. Never raises for any header value.

        ``origin_verdict`` overrides the regex/predicate's verdict (for a
        policy built with ``origin_verdict=True``).

        ``path`` is the request target (``str``, sent as UTF-8, or the raw
        ``bytes`` received; the query is ignored). It picks the policy of a
        document with ``routes`` (:attr:`has_routes`): the first route whose
        path rule matches serves the request, and ``None`` means ``/``.
        A document without routes serves every path with its one policy and
        ignores ``path``. Paths are matched as received, nothing decoded; a
        path with a ``.`` or ``..`` segment (also as ``%2e``) or an encoded
        ``/`` or ``\\`` matches no rule.

        Returns ``None`` when no policy serves ``path`` (no route matches,
        or the route's policy is ``null``): write no CORS headers at all
        and handle the request as the application would without CORS.

        Returns a :class:`Decision`: when ``decision.action == "respond"``,
        answer with ``decision.status``, ``decision.headers`` and
        ``decision.body``; otherwise pass the request on and add
        ``decision.headers`` to the response (adding ``Vary`` to the
        response's own ``Vary``, by ``decision.vary_merge``).
        """
        return self._native.evaluate(
            method,
            origin,
            request_method,
            request_headers,
            request_private_network,
            origin_verdict=origin_verdict,
            path=path,
        )

    def route(self, path: Optional[RequestValue] = None) -> Optional[str]:
        """The name of the policy that serves a request for ``path`` (as
        :meth:`evaluate` takes it; ``None`` means ``/``): one of
        :attr:`policy_names`, or ``None`` when no policy does. Without
        routes, always the one policy, ``"default"``."""
        return self._native.route(path)

    @property
    def policy_names(self) -> tuple[str, ...]:
        """The names of the policies this document serves requests with:
        ``("default",)`` without routes; with routes, ``"default"`` (the
        top-level keys) when a route names it, then each named policy of
        ``policies``, in document order."""
        return self._native.policy_names

    @property
    def has_routes(self) -> bool:
        """Whether the document has ``routes``, so that :meth:`evaluate`
        picks the policy by ``path``."""
        return self._native.has_routes

    @property
    def profile(self) -> str:
        """The profile: ``"strict"``, ``"starlette"``, ``"cors_npm"``,
        ``"django_cors_headers"``, ``"fastify_cors"`` or ``"flask_cors"`` (of
        the first served policy, for a document with routes)."""
        return self._native.profile

    @property
    def capacity(self) -> str:
        """The capacity class the policy was built in: ``"small"``,
        ``"default"`` or ``"large"`` (see :data:`CAPACITY_CLASSES`). With
        routes each served policy is built in its own smallest class; this
        is the largest of them."""
        return self._native.capacity

    @property
    def findings(self) -> list[Problem]:
        """What the policy accepts but is likely a mistake, with paths: the
        core's risks of any profile (``null`` allowed, a plain-http origin of
        another machine with credentials, a host rule that admits probe
        origins, a max-age above Chromium's cap) and, when the profile
        (``starlette``, ``cors_npm``) accepts them, what the strict profile
        would refuse. Empty for a careful policy."""
        return _document.findings(self._native)

    @property
    def vary_merge(self) -> str:
        """How to add ``Vary``: ``"dedup"`` (add the tokens the response
        lacks) or ``"join"`` (join all values into one header). With routes,
        the first served policy's; ``Decision.vary_merge`` is the rule of
        the policy that made a decision."""
        return self._native.vary_merge

    def __repr__(self) -> str:
        return f"<corsguard.Policy profile={self.profile!r} capacity={self.capacity!r}>"
