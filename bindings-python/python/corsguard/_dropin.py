"""Option translation shared by the Starlette-compatible drop-ins.

Turns Starlette's ``CORSMiddleware`` keywords into a native policy built with
the core's Starlette profile. Translation only: every CORS rule (what is a
preflight, what is checked, which headers go out in which order, the refusal
body) lives in the Rust core.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection
from typing import Callable, Optional

from ._native import VERDICT_PROBES, ConfigError, NativePolicy

#: Starlette's expansion of ``allow_methods=["*"]``.
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")


class RiskyConfigWarning(UserWarning):
    """A configuration the drop-ins accept (as their peer does) but that
    exposes users; the strict :class:`corsguard.Policy` refuses it."""


def _as_list(option: str, value: Collection[str], risks: list[str]) -> list[str]:
    if isinstance(value, str):
        # Starlette would test substrings (`"https://a.co" in "https://a.com"`).
        risks.append(
            f"{option} is the string {value!r}, not a list; it is read as [{value!r}] "
            "(Starlette would match substrings of it)"
        )
        return [value]
    return list(value)


def _check_latin1(option: str, entries: list[str]) -> None:
    for entry in entries:
        try:
            entry.encode("latin-1")
        except UnicodeEncodeError:
            raise _error(
                "unsafe_value",
                option,
                entry,
                f"{option} {entry!r}: HTTP header values are latin-1, and this one "
                "cannot be written to a response; use ASCII",
            ) from None


def _error(code: str, option: Optional[str], entry: Optional[str], message: str) -> ConfigError:
    error = ConfigError(message)
    error.code = code  # type: ignore[attr-defined]
    error.problem = None  # type: ignore[attr-defined]
    error.option = option  # type: ignore[attr-defined]
    error.entry = entry  # type: ignore[attr-defined]
    return error


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
    see; with ``strict``, raises the first instead."""
    risks: list[str] = []
    origins = _as_list("allow_origins", allow_origins, risks)
    methods = _as_list("allow_methods", allow_methods, risks)
    headers = _as_list("allow_headers", allow_headers, risks)
    exposed = _as_list("expose_headers", expose_headers, risks)
    if "*" in methods:
        methods = list(ALL_METHODS)
    allowed_headers: object = "mirror" if "*" in headers else headers
    max_age_text = str(max_age)
    credentials = bool(allow_credentials)

    _check_latin1("allow_methods", methods)
    if allowed_headers != "mirror":
        _check_latin1("allow_headers", headers)
    _check_latin1("expose_headers", exposed)
    _check_latin1("max_age", [max_age_text])

    fullmatch = None
    if allow_origin_regex is not None:
        fullmatch = re.compile(allow_origin_regex).fullmatch
        # The core's probe origins: no real configuration means to allow them.
        admitted = next((o for o in VERDICT_PROBES if fullmatch(o)), None)
        if "*" not in origins and admitted is not None:
            risks.append(
                f"allow_origin_regex {allow_origin_regex!r} matches arbitrary origins "
                f"(it matches {admitted!r})"
            )
    if "null" in origins and not credentials:
        risks.append(
            "allow_origins contains 'null': sandboxed iframes and local files of any "
            "site send that origin; give those pages a real origin instead"
        )

    def build(capacity: str) -> NativePolicy:
        return NativePolicy(
            allowed_origins=origins,
            origin_verdict=fullmatch is not None,
            allowed_methods=methods,
            allowed_headers=allowed_headers,
            exposed_headers=exposed,
            credentials=credentials,
            max_age=max_age_text,
            private_network=bool(allow_private_network),
            preflight_status=200,
            profile="starlette",
            capacity=capacity,
            option_names="starlette",
        )

    try:
        policy = build("default")
    except ConfigError as error:
        if getattr(error, "code", None) != "capacity_exceeded":
            raise
        policy = build("large")

    found = [str(finding) for finding in policy.findings]
    if strict:
        if policy.findings:
            raise policy.findings[0]
        if risks:
            raise _error("risky_config", None, None, risks[0])
    for risk in found + risks:
        warnings.warn(risk, RiskyConfigWarning, stacklevel=stacklevel + 1)
    return policy, fullmatch
