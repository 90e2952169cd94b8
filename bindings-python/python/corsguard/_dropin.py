"""The Starlette-compatible drop-ins' translation of their keywords.

Starlette's ``CORSMiddleware`` keywords become a policy document with
``"profile": "starlette"`` (as the table of ``tests/vectors/README.md``
says), loaded by the core like any other document. Translation only: every
CORS rule (what is a preflight, what is checked, which headers go out in
which order, the refusal body) and every check of the configuration lives
in the Rust core; the findings the drop-ins warn about are the core's.
What stays here is what only Python can judge: the regex (run by
``re.fullmatch``), whether values can be written as latin-1, and Python
types (a string where a list is expected).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection
from typing import Any, Callable, Optional

from . import _document
from ._native import NativePolicy

#: Starlette's expansion of ``allow_methods=["*"]``.
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")


class RiskyConfigWarning(UserWarning):
    """A configuration the drop-ins accept (as their peer does) but that
    exposes users; the strict :class:`corsguard.Policy` refuses it."""


def _as_list(option: str, key: str, value: Collection[str], risks: list) -> list[str]:
    if isinstance(value, str):
        # Starlette would test substrings (`"https://a.co" in "https://a.com"`).
        risks.append(
            _document.problem(
                f"/{key}",
                "risky_config",
                f"{option} is the string {value!r}, not a list; it is read as [{value!r}] "
                f"(Starlette would match substrings of it); write [{value!r}]",
            )
        )
        return [value]
    entries = list(value)
    for entry in entries:
        if not isinstance(entry, str):
            raise TypeError(f"{option}: every entry must be a str, got {type(entry).__name__}")
    return entries


def _latin1_problems(option: str, key: str, entries: list[str]) -> list:
    """Values ASGI and WSGI cannot write: header values are latin-1."""
    found = []
    for index, entry in enumerate(entries):
        try:
            entry.encode("latin-1")
        except UnicodeEncodeError:
            path = f"/{key}" if key == "maxAge" else f"/{key}/{index}"
            found.append(
                _document.problem(
                    path,
                    "unsafe_value",
                    f"{option} {entry!r}: HTTP header values are latin-1, and this one "
                    "cannot be written to a response; use ASCII",
                )
            )
    return found


def starlette_policy(
    allow_origins: Collection[str],
    allow_methods: Collection[str],
    allow_headers: Collection[str],
    allow_credentials: bool,
    allow_origin_regex: Optional[str],
    allow_private_network: bool,
    expose_headers: Collection[str],
    max_age: object,
    stacklevel: int,
    strict: bool = False,
) -> tuple[NativePolicy, Optional[Callable[[str], object]]]:
    """The native policy for Starlette's keywords, and the regex's
    ``fullmatch`` (or None). Warns about risky configurations: the core's
    findings (named as Starlette's keywords), then the ones only Python can
    see; with ``strict``, raises them all instead."""
    risks: list = []
    origins = _as_list("allow_origins", "allowOrigins", allow_origins, risks)
    methods = _as_list("allow_methods", "allowMethods", allow_methods, risks)
    headers = _as_list("allow_headers", "allowHeaders", allow_headers, risks)
    exposed = _as_list("expose_headers", "exposeHeaders", expose_headers, risks)
    if "*" in methods:
        methods = list(ALL_METHODS)
    credentials = bool(allow_credentials)
    document: dict[str, Any] = {
        "version": 1,
        "profile": "starlette",
        "allowOrigins": origins,
        "allowMethods": methods,
        "allowHeaders": "mirror" if "*" in headers else headers,
        "exposeHeaders": exposed,
        "allowCredentials": credentials,
        "maxAge": str(max_age),
        "allowPrivateNetwork": bool(allow_private_network),
        "preflightStatus": 200,
    }

    unsafe = (
        _latin1_problems("allow_methods", "allowMethods", methods)
        + ([] if "*" in headers else _latin1_problems("allow_headers", "allowHeaders", headers))
        + _latin1_problems("expose_headers", "exposeHeaders", exposed)
        + _latin1_problems("max_age", "maxAge", [document["maxAge"]])
    )
    if unsafe:
        raise _document.error_of(unsafe)

    fullmatch = None
    probes = 0
    if allow_origin_regex is not None:
        fullmatch = re.compile(allow_origin_regex).fullmatch
        document["originVerdict"] = True
        probes = _document.probes_admitted(fullmatch)
        # The core reports a regex that admits probe origins: with
        # credentials as an error (wide_verdict_with_credentials), without
        # as a risk (wide_verdict), as it reports `null` (null_origin).

    policy = _document.load(
        _document.dumps(document), naming="starlette", source=document, verdict_probes=probes
    )
    found = _document.findings(policy, "starlette") + risks
    if strict and found:
        raise _document.error_of(found)
    for risk in found:
        warnings.warn(risk.message, RiskyConfigWarning, stacklevel=stacklevel + 1)
    return policy, fullmatch
