"""corsguard: one validated CORS implementation, written once in Rust.

Three ways in:

* :class:`Policy`, the strict native API: every option is validated at
  construction (a bad one raises :class:`ConfigError`, whose message names the
  entry, the rule and the fix), and :meth:`Policy.evaluate` judges a request
  without allocating in the core::

      import corsguard

      policy = corsguard.Policy(
          allowed_origins=["https://app.example.com"],
          allowed_methods=["GET", "PUT"],
          allowed_headers=["content-type"],
          credentials=True,
          max_age=600,
      )
      d = policy.evaluate("OPTIONS", origin="https://app.example.com",
                          request_method="PUT", request_headers="content-type")
      assert d.allowed and d.status == 204

* :class:`corsguard.asgi.CORSMiddleware`, a drop-in for Starlette's
  ``CORSMiddleware`` (Starlette, FastAPI, any ASGI app).
* :class:`corsguard.wsgi.CORSMiddleware`, the same for WSGI (Flask, Django).

The drop-ins answer exactly as Starlette 1.10 does, through the core's
Starlette profile; the strict Policy follows the Fetch standard.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Callable, Literal, Optional, Pattern, Union

from ._dropin import RiskyConfigWarning
from ._native import (
    DEFAULT_CAPACITY,
    LARGE_CAPACITY,
    VERDICT_PROBES,
    ConfigError,
    Decision,
    NativePolicy,
)

__all__ = [
    "Policy",
    "Decision",
    "ConfigError",
    "RiskyConfigWarning",
    "DEFAULT_CAPACITY",
    "LARGE_CAPACITY",
    "VERDICT_PROBES",
]
__version__ = "0.1.0"

RequestValue = Union[str, bytes]
Profile = Literal["strict", "starlette", "cors_npm"]


class Policy:
    """A validated CORS policy (strict by default, by the Fetch standard).

    All options are keywords:

    :param allowed_origins: exact origins (``"https://app.example.com"``),
        ``"*"``, subdomain patterns (``"https://*.example.com"``), port
        wildcards (``"http://localhost:*"``) and ``"null"`` (opt-in).
    :param fixed_origin: one origin given on its own (strictly: just that
        origin is allowed).
    :param origin_regex: a regular expression (``str`` or compiled) that an
        origin the lists do not allow may match in full; evaluated in Python,
        only its verdict goes to the core. Never applies to ``null``.
    :param origin_predicate: instead of a regex, a callable taking the origin
        (``str``) and returning whether it is allowed.
    :param allow_wide_verdict_with_credentials: accept, with credentials, a
        regex or predicate that admits one of the core's probe origins
        (:data:`VERDICT_PROBES`, such as ``https://evil.test``). Without it
        such a policy is refused (code ``wide_verdict_with_credentials``):
        it exposes users as ``*`` with credentials would.
    :param origin_verdict: consult a verdict passed to :meth:`evaluate`
        (set automatically by ``origin_regex`` / ``origin_predicate``).
    :param allowed_methods: a list of methods (GET, HEAD and POST are always
        allowed), or ``"*"``.
    :param allowed_headers: a list of request header names, ``"*"``, or
        ``"mirror"`` (echo what the preflight asks for).
    :param exposed_headers: a list of response header names, or ``"*"``.
    :param credentials: whether cookies and HTTP auth may be sent
        (``allow_credentials`` is accepted as an alias).
    :param max_age: seconds a browser may cache a preflight (0..86400).
    :param private_network: grant Private Network Access to preflights that ask.
    :param preflight_continue: pass preflights on to the application.
    :param preflight_status: the status of a successful preflight (2xx).
    :param profile: ``"strict"`` (default), or a peer's profile:
        ``"starlette"`` or ``"cors_npm"``.
    :param capacity: ``"default"`` (256 origins, 64 names, 16 KiB of values:
        the core's defaults) or ``"large"`` (2048, 256, 128 KiB). A
        configuration that does not fit raises ``ConfigError`` with code
        ``capacity_exceeded``; nothing is truncated.

    :raises ConfigError: the configuration is refused; see its ``code``.
    :raises TypeError: an option has the wrong type.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        *,
        allowed_origins: Iterable[str] = (),
        fixed_origin: Optional[str] = None,
        origin_regex: Union[str, Pattern[str], None] = None,
        origin_predicate: Optional[Callable[[str], object]] = None,
        origin_verdict: bool = False,
        allow_wide_verdict_with_credentials: bool = False,
        allowed_methods: Union[Iterable[str], Literal["*"]] = (),
        allowed_headers: Union[Iterable[str], Literal["*", "mirror"]] = (),
        exposed_headers: Union[Iterable[str], Literal["*"]] = (),
        credentials: bool = False,
        allow_credentials: Optional[bool] = None,
        max_age: Union[int, str, None] = None,
        private_network: bool = False,
        preflight_continue: bool = False,
        preflight_status: int = 204,
        profile: Profile = "strict",
        capacity: Literal["default", "large"] = "default",
    ) -> None:
        if allow_credentials is not None:
            if credentials and not allow_credentials:
                raise TypeError("credentials and allow_credentials disagree; give one")
            credentials = allow_credentials
        self._native = NativePolicy(
            allowed_origins=allowed_origins,
            fixed_origin=fixed_origin,
            origin_regex=origin_regex,
            origin_predicate=origin_predicate,
            origin_verdict=origin_verdict,
            allow_wide_verdict_with_credentials=bool(allow_wide_verdict_with_credentials),
            allowed_methods=allowed_methods,
            allowed_headers=allowed_headers,
            exposed_headers=exposed_headers,
            credentials=bool(credentials),
            max_age=max_age,
            private_network=bool(private_network),
            preflight_continue=bool(preflight_continue),
            preflight_status=preflight_status,
            profile=profile,
            capacity=capacity,
        )

    def evaluate(
        self,
        method: RequestValue,
        origin: Optional[RequestValue] = None,
        request_method: Optional[RequestValue] = None,
        request_headers: Optional[RequestValue] = None,
        request_private_network: Optional[RequestValue] = None,
        *,
        origin_verdict: Optional[bool] = None,
    ) -> Decision:
        """Judges one request from its method and CORS request headers
        (``Origin``, ``Access-Control-Request-Method``, ``-Headers``,
        ``-Private-Network``), each ``str`` (sent as UTF-8) or ``bytes``
        (as received). Join repeated ``Access-Control-Request-Headers``
        lines with ``","``. Never raises for any header value.

        ``origin_verdict`` overrides the regex/predicate's verdict (for a
        policy built with ``origin_verdict=True``).

        Returns a :class:`Decision`: when ``decision.action == "respond"``,
        answer with ``decision.status``, ``decision.headers`` and
        ``decision.body``; otherwise pass the request on and add
        ``decision.headers`` to the response (adding ``Vary`` to the
        response's own ``Vary``).
        """
        return self._native.evaluate(
            method,
            origin,
            request_method,
            request_headers,
            request_private_network,
            origin_verdict=origin_verdict,
        )

    @property
    def profile(self) -> str:
        """The profile: ``"strict"``, ``"starlette"`` or ``"cors_npm"``."""
        return self._native.profile

    @property
    def capacity(self) -> str:
        """The capacity class: ``"default"`` or ``"large"``."""
        return self._native.capacity

    @property
    def vary_merge(self) -> str:
        """How to add ``Vary``: ``"dedup"`` (add the tokens the response
        lacks) or ``"join"`` (join all values into one header)."""
        return self._native.vary_merge

    def __repr__(self) -> str:
        return f"<corsguard.Policy profile={self.profile!r} capacity={self.capacity!r}>"
