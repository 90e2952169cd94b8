"""Loading policy documents through the core, and the errors it reports.

Everything that builds a policy (``Policy.from_json``, ``Policy.from_file``,
the keywords of ``Policy(...)`` and the Starlette drop-ins) ends in
:func:`load`: JSON text handed to the core's document loader. This module
only translates: keyword names into document keys and back, and the core's
problems into :class:`Problem` values on a :class:`DocumentError`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Union

from ._native import DOCUMENT_KEYS, VERDICT_PROBES, DocumentError, NativePolicy

__all__ = ["Problem", "DocumentError", "load", "camel", "snake"]


@dataclass(frozen=True)
class Problem:
    """One problem of a policy document, as the core reports it.

    :ivar path: the JSON pointer of the value at fault (``"/allowOrigins/2"``;
        ``""`` for the document as a whole).
    :ivar code: a stable snake_case code (``"malformed_origin"``,
        ``"unknown_key"``, ...), shared with the core and the vectors.
    :ivar problem: for ``malformed_origin``, what is wrong with the origin
        (``"trailing_slash"``, ...); else None.
    :ivar message: the whole sentence: the entry, the rule, the fix.
    :ivar rule: the part of the message that states the rule broken.
    :ivar fix: the part of the message that says what to write instead.
    """

    path: str
    code: str
    problem: Optional[str]
    message: str
    rule: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message} [{self.code}]"


def camel(name: str) -> str:
    """A keyword's document key: ``allow_origins`` -> ``allowOrigins``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(key: str) -> str:
    """A document key's keyword: ``allowOrigins`` -> ``allow_origins``."""
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), key)


#: How each naming spells the document keys that differ from ``snake(key)``.
NAMINGS: dict[str, dict[str, str]] = {
    "document": {},
    "snake": {},
    "starlette": {"originVerdict": "allow_origin_regex"},
    # corsguard.django: the settings of django-cors-headers.
    "django": {
        "allowOrigins": "CORS_ALLOWED_ORIGINS",
        "originVerdict": "CORS_ALLOWED_ORIGIN_REGEXES",
        "allowMethods": "CORS_ALLOW_METHODS",
        "allowHeaders": "CORS_ALLOW_HEADERS",
        "exposeHeaders": "CORS_EXPOSE_HEADERS",
        "allowCredentials": "CORS_ALLOW_CREDENTIALS",
        "maxAge": "CORS_PREFLIGHT_MAX_AGE",
        "allowPrivateNetwork": "CORS_ALLOW_PRIVATE_NETWORK",
    },
}


#: The loader's codes whose messages quote keys: `allowedOrigins` is not a
#: key ...; did you mean `allowOrigins`? Elsewhere a quoted word is an entry
#: the user wrote, left as written.
_QUOTING_KEYS = ("unknown_key", "duplicate_key")


class _Renamer:
    """Rewrites document keys in messages into a naming's spelling: the one
    place where ``allowOrigins`` becomes ``allow_origins``. Keys inside a
    JSON pointer or an origin (next to ``/``, ``.``, ``:``) are left alone,
    and so are quoted entries (but for the codes that quote keys)."""

    def __init__(self, naming: str, keys: set[str]) -> None:
        self.overrides = NAMINGS[naming]
        self.bare = self.quoted = None
        if naming != "document" and keys:
            words = "|".join(sorted((re.escape(k) for k in keys), key=len, reverse=True))
            self.bare = re.compile(rf"(?<![\w$/.:`-])({words})(?![\w/:`-]|\.\w)")
            self.quoted = re.compile(rf"`({words})`")

    def key(self, key: str) -> str:
        if self.bare is None:
            return key
        return self.overrides.get(key, snake(key))

    def __call__(self, text: str, code: str) -> str:
        if self.bare is None or self.quoted is None:
            return text
        text = self.bare.sub(lambda m: self.key(m.group(1)), text)
        if code in _QUOTING_KEYS:
            text = self.quoted.sub(lambda m: f"`{self.key(m.group(1))}`", text)
        return text


def _entry(source: Any, path: str) -> Optional[str]:
    """The string at ``path`` (a JSON pointer) in the document, if any."""
    if isinstance(source, (str, bytes, bytearray)):
        try:
            source = json.loads(source)
        except ValueError:
            return None
    node = source
    for part in path.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node if isinstance(node, str) else None


def problem(path: str, code: str, message: str) -> Problem:
    """A problem found on the Python side, its rule and fix split as the
    core splits them (at the last ``"; "``)."""
    at = message.rfind("; ")
    rule, fix = (message, "") if at < 0 else (message[:at], message[at + 2 :])
    return Problem(path, code, None, message, rule, fix)


def fill(
    error: DocumentError,
    problems: list[Problem],
    *,
    rename: Optional[_Renamer] = None,
    source: Any = None,
    text: Optional[str] = None,
) -> DocumentError:
    """Sets a ``DocumentError``'s ``errors`` and the first problem's
    ``code``, ``problem``, ``path``, ``option`` and ``entry``."""
    rename = rename or _Renamer("document", set())
    first = problems[0]
    top = first.path.split("/")[1].replace("~1", "/").replace("~0", "~") if first.path else None
    error.errors = problems
    error.code = first.code
    error.problem = first.problem
    error.path = first.path
    error.option = rename.key(top) if top else None
    error.entry = _entry(source, first.path) if source is not None else None
    if text is None:
        count = len(problems)
        text = f"the policy document has {count} problem{'' if count == 1 else 's'}"
        text += "".join(f"\n  {p}" for p in problems)
    error.args = (text,)
    return error


def error_of(problems: list[Problem]) -> DocumentError:
    """A ``DocumentError`` for problems found on the Python side."""
    return fill(DocumentError(""), problems)


def _problems(tuples: list[tuple], rename: _Renamer) -> list[Problem]:
    return [
        Problem(path, code, origin, rename(message, code), rename(rule, code), rename(fix, code))
        for path, code, origin, message, rule, fix in tuples
    ]


def load(
    document: Union[str, bytes],
    *,
    naming: str = "document",
    keys: Optional[set[str]] = None,
    source: Any = None,
    verdict_probes: int = 0,
    predicate: Optional[Callable[[str], object]] = None,
) -> NativePolicy:
    """Builds JSON text into a native policy through the core's loader.

    ``naming`` says how messages spell the options: ``"document"`` (the
    keys as written), ``"snake"`` (``Policy``'s keywords) or
    ``"starlette"`` (the drop-ins'; the core names them itself). ``keys``
    are the document keys the caller wrote, to be renamed along with the
    known ones. ``source`` is the document (text or dict), for
    ``DocumentError.entry``.
    """
    rename = _Renamer(naming, set(keys or ()) | set(DOCUMENT_KEYS))
    try:
        native = NativePolicy.load(
            document,
            verdict_probes=verdict_probes,
            predicate=predicate,
            names="starlette" if naming == "starlette" else "document",
        )
    except DocumentError as error:
        raise fill(
            error,
            _problems(error.errors, rename),
            rename=rename,
            source=document if source is None else source,
            # The core's own text, when nothing is renamed.
            text=str(error) if naming == "document" else None,
        ) from None
    return native


def findings(native: NativePolicy, naming: str = "document") -> list[Problem]:
    """The core's findings of a loaded policy, as :class:`Problem` values."""
    return _problems(native.findings, _Renamer(naming, set(DOCUMENT_KEYS)))


def probes_admitted(verdict: Callable[[str], object]) -> int:
    """The bitmask of the core's ``VERDICT_PROBES`` that ``verdict`` admits."""
    return sum(1 << i for i, probe in enumerate(VERDICT_PROBES) if verdict(probe))


def dumps(document: Mapping[str, Any]) -> str:
    """A document dict as JSON text; any iterable (tuple, set, generator)
    is an array, and ``bytes`` or other objects are a ``TypeError``."""

    def array(value: Any) -> list:
        if isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"policy values are str, not {type(value).__name__}")
        try:
            return list(value)
        except TypeError:
            raise TypeError(f"a policy value cannot be {type(value).__name__}") from None

    return json.dumps(document, default=array, allow_nan=False, ensure_ascii=False)


def as_policy(policy: Any) -> Any:
    """A :class:`corsguard.Policy` as given, or one loaded from a policy
    document: JSON text (``str``/``bytes``) or a ``dict``."""
    from . import Policy

    if isinstance(policy, (str, bytes, bytearray)):
        return Policy.from_json(bytes(policy) if isinstance(policy, bytearray) else policy)
    if isinstance(policy, Mapping):
        return Policy.from_json(dumps(dict(policy)))
    if not hasattr(policy, "evaluate") or not hasattr(policy, "has_routes"):
        raise TypeError(f"expected a corsguard.Policy or a policy document, got {type(policy).__name__}")
    return policy
