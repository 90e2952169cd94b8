"""django-cors-headers' settings, read with its names, aliases and defaults,
translated into a policy document with ``"profile": "django_cors_headers"``.

Translation only: every CORS rule is the core's. What stays in Python is
what only Django can judge: ``CORS_URLS_REGEX`` against ``path_info`` and
``CORS_ALLOWED_ORIGIN_REGEXES`` against the origin (Python regexes, whose
verdict goes to the core), and Python types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from django.conf import settings

from .. import _document
from .._document import Problem
from .._native import NativePolicy

#: django-cors-headers' defaults (``corsheaders.defaults``).
DEFAULT_HEADERS = ("accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with")
DEFAULT_METHODS = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")

#: Document key -> the setting it comes from.
_SETTING_OF = _document.NAMINGS["django"]


def setting_of(path: str) -> str:
    """The setting a document path (``/allowOrigins/2``) comes from
    (``CORS_ALLOWED_ORIGINS[2]``)."""
    parts = path.split("/")[1:]
    if not parts:
        return "CORS settings"
    name = _SETTING_OF.get(parts[0], parts[0])
    if name == "CORS_ALLOWED_ORIGINS" and _get("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False):
        return "CORS_ALLOW_ALL_ORIGINS"
    return name + "".join(f"[{p}]" for p in parts[1:])


def _get(name: str, alias: Optional[str], default: Any) -> Any:
    if alias is not None:
        default = getattr(settings, alias, default)
    return getattr(settings, name, default)


def _strings(name: str, value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"{name} should be a sequence of strings, got {type(value).__name__}")
    for entry in value:
        if not isinstance(entry, str):
            raise TypeError(f"{name} should be a sequence of strings, got an entry {entry!r}")
    return list(value)


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} should be a bool, got {value!r}")
    return value


def _pattern(name: str, value: Any) -> "re.Pattern[str]":
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} should be a string or a compiled regex, got {value!r}")
    try:
        return re.compile(value)
    except re.error as error:
        raise ValueError(f"{name}: {value!r} is not a valid regex ({error})") from None


@dataclass(frozen=True)
class Translated:
    """The settings as the middleware uses them."""

    policy: NativePolicy
    #: ``CORS_URLS_REGEX``, matched with ``re.match`` on ``path_info``.
    urls: "re.Pattern[str]"
    #: The origin regexes' verdict (``fullmatch``), or None.
    origin_matches: Optional[Callable[[str], bool]]
    #: The core's findings, for the system checks.
    findings: list[Problem]
    document: dict


def document() -> tuple[dict, list]:
    """The policy document for the current settings, and the compiled
    origin regexes."""
    allow_all = _bool(
        "CORS_ALLOW_ALL_ORIGINS", _get("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False)
    )
    origins = _strings("CORS_ALLOWED_ORIGINS", _get("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ()))
    raw_regexes = _get("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ())
    if isinstance(raw_regexes, str) or not isinstance(raw_regexes, Sequence):
        raise TypeError("CORS_ALLOWED_ORIGIN_REGEXES should be a sequence of strings and/or compiled regexes")
    regexes = [_pattern("CORS_ALLOWED_ORIGIN_REGEXES", r) for r in raw_regexes]
    max_age = _get("CORS_PREFLIGHT_MAX_AGE", None, 86400)
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
        raise TypeError(f"CORS_PREFLIGHT_MAX_AGE should be an integer >= 0, got {max_age!r}")
    if "*" in origins and not allow_all:
        raise ValueError(
            "CORS_ALLOWED_ORIGINS lists '*', which django-cors-headers never matches as a "
            "wildcard; set CORS_ALLOW_ALL_ORIGINS = True instead"
        )
    doc: dict[str, Any] = {
        "version": 1,
        "profile": "django_cors_headers",
        "allowOrigins": ["*"] if allow_all else origins,
        # The signal (and the regexes) judge origins in Python.
        "originVerdict": True,
        "allowMethods": _strings("CORS_ALLOW_METHODS", _get("CORS_ALLOW_METHODS", None, DEFAULT_METHODS)),
        "allowHeaders": _strings("CORS_ALLOW_HEADERS", _get("CORS_ALLOW_HEADERS", None, DEFAULT_HEADERS)),
        "exposeHeaders": _strings("CORS_EXPOSE_HEADERS", _get("CORS_EXPOSE_HEADERS", None, ())),
        "allowCredentials": _bool("CORS_ALLOW_CREDENTIALS", _get("CORS_ALLOW_CREDENTIALS", None, False)),
        "allowPrivateNetwork": _bool(
            "CORS_ALLOW_PRIVATE_NETWORK", _get("CORS_ALLOW_PRIVATE_NETWORK", None, False)
        ),
        "preflightStatus": 200,
    }
    if max_age:
        # django-cors-headers sends no Access-Control-Max-Age for 0.
        doc["maxAge"] = str(max_age)
    return doc, regexes


def translate() -> Translated:
    """The current settings, loaded by the core (raises ``TypeError`` for a
    setting of the wrong type, ``DocumentError`` for what the core refuses)."""
    doc, regexes = document()
    urls = _pattern("CORS_URLS_REGEX", _get("CORS_URLS_REGEX", None, r"^.*$"))
    origin_matches = None
    probes = 0
    if regexes:
        matchers = [r.fullmatch for r in regexes]

        def origin_matches(origin: str) -> bool:
            return any(m(origin) is not None for m in matchers)

        probes = _document.probes_admitted(origin_matches)
    policy = _document.load(_document.dumps(doc), naming="django", source=doc, verdict_probes=probes)
    return Translated(policy, urls, origin_matches, _document.findings(policy, "django"), doc)
