"""A drop-in for flask-cors 6.0.5 on Flask 3.1::

    -from flask_cors import CORS, cross_origin
    +from corsguard.flask import CORS, cross_origin

The same keywords, ``CORS_*`` config keys, defaults and precedence
(resource options, then keywords, then app config, then defaults). The
options become one policy document (``policies`` + ``routes``, on the core's
``flask_cors`` profile, whose refusals carry no CORS headers) and
every answer is the core's. What stays in Python is what only Python can
judge: the origin regexes (``fullmatch``, whose verdict goes to the core)
and the translation of ``resources`` into the core's path rules. The
deviations from flask-cors, all for safety, are listed in the package
README.

corsguard's own options, beside flask-cors's (as keywords or config keys):
``on_refusal`` / ``CORS_ON_REFUSAL`` (``hook(request, refusal)``, called
with a :class:`corsguard.Refusal` for every request the core refuses),
``hook_errors`` / ``CORS_HOOK_ERRORS`` (``"warn"`` or ``"raise"``), and
``cors_on_errors``, another name for ``intercept_exceptions`` (on by
default, as in flask-cors: the 500 of an unhandled exception, made and
logged by Flask, gets the CORS headers). :meth:`CORS.reconfigure` replaces
the options of a running app.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import update_wrapper
from typing import Any, Callable, Optional

from .. import _document
from .._dropin import RiskyConfigWarning
from .._hooks import Hooks
from .._native import NativePolicy, merge_vary
from ..wsgi import _NAMES as _WSGI_NAMES

__all__ = ["CORS", "cross_origin", "RiskyConfigWarning", "ALL_METHODS", "DEFAULT_OPTIONS", "CONFIG_OPTIONS"]

#: flask-cors's default methods.
ALL_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]

#: flask-cors's defaults, by option name.
DEFAULT_OPTIONS: dict[str, Any] = {
    "origins": "*",
    "methods": ALL_METHODS,
    "allow_headers": "*",
    "expose_headers": None,
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "automatic_options": True,
    "vary_header": True,
    "resources": r"/*",
    "intercept_exceptions": True,
    "always_send": True,
    "allow_private_network": False,
}

#: The app config keys flask-cors reads (``CORS_ORIGINS`` -> ``origins``).
CONFIG_OPTIONS = ["CORS_" + name.upper() for name in DEFAULT_OPTIONS]

#: corsguard's own options (not flask-cors's), and their config keys.
HOOK_OPTIONS: dict[str, Any] = {"on_refusal": None, "hook_errors": "warn"}
HOOK_CONFIG = {"on_refusal": "CORS_ON_REFUSAL", "hook_errors": "CORS_HOOK_ERRORS"}

# The WSGI middleware's header names, without `Vary`, which Flask's own
# response merges.
_NAMES = {name: shown for name, shown in _WSGI_NAMES.items() if name != b"vary"}

# flask-cors's heuristic: a string holding one of these is a regex.
_REGEX_HINTS = frozenset("*\\]?$^[]()")
_EVALUATED = "_corsguard_flask_evaluated"
_SEEN = "_corsguard_flask_seen"


def _is_regex(value: Any) -> bool:
    return isinstance(value, re.Pattern) or (isinstance(value, str) and not _REGEX_HINTS.isdisjoint(value))


def _iterable(value: Any) -> list:
    if isinstance(value, (str, re.Pattern)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _joined(option: str, value: Any) -> list[str]:
    if value is None:
        return []
    entries = _iterable(value)
    for entry in entries:
        if not isinstance(entry, str):
            raise TypeError(f"corsguard.flask: {option} takes strings, got {entry!r}")
    return sorted(entries)


def app_options(app: Any) -> dict[str, Any]:
    """The ``CORS_*`` config keys set on ``app`` (not None), as option names."""
    config = getattr(app, "config", {}) or {}
    return {
        key[5:].lower(): config[key] for key in CONFIG_OPTIONS if config.get(key) is not None
    }


def merged(app: Any, *layers: Mapping[str, Any]) -> dict[str, Any]:
    """flask-cors's precedence: defaults < app config < each layer."""
    options = dict(DEFAULT_OPTIONS)
    options.update(app_options(app))
    for layer in layers:
        options.update(layer)
    return options


def _policy(options: Mapping[str, Any]) -> tuple[dict, Optional[Callable[[str], bool]]]:
    """One route's options as a document policy, and its origin verdict."""
    for key in options:
        if key not in DEFAULT_OPTIONS:
            raise TypeError(f"corsguard.flask: unknown option {key!r}")
    origins = ["*" if o == "*" else o for o in _iterable(options.get("origins"))]
    allow_all = "*" in origins or ".*" in origins
    credentials = bool(options.get("supports_credentials"))
    send_wildcard = bool(options.get("send_wildcard"))
    if allow_all and credentials and send_wildcard:
        raise ValueError(
            "corsguard.flask: supports_credentials cannot be used with origins '*' and "
            "send_wildcard (browsers reject '*' with credentials)"
        )
    literals: list[str] = []
    regexes: list["re.Pattern[str]"] = []
    for entry in origins:
        if entry in ("*", ".*"):
            continue
        if isinstance(entry, re.Pattern):
            regexes.append(re.compile(entry.pattern, entry.flags | re.IGNORECASE))
        elif not isinstance(entry, str):
            raise TypeError(f"corsguard.flask: origins takes strings or regexes, got {entry!r}")
        elif _is_regex(entry):
            try:
                regexes.append(re.compile(entry, re.IGNORECASE))
            except re.error as error:
                raise ValueError(f"corsguard.flask: origins {entry!r} is not a valid regex ({error})") from None
        else:
            literals.append(entry)

    verdict: Optional[Callable[[str], bool]] = None
    policy: dict[str, Any] = {}
    if allow_all and send_wildcard:
        policy["allowOrigins"] = ["*"]
    elif allow_all:
        # flask-cors reflects every origin; the core does, through a verdict
        # that admits every origin but `null` (with credentials, refused).
        policy["allowOrigins"] = literals
        policy["originVerdict"] = True

        def verdict(origin: str) -> bool:
            return origin != "null" or not credentials

        verdict.every_origin = not credentials  # type: ignore[attr-defined]

    else:
        policy["allowOrigins"] = literals
        if regexes:
            policy["originVerdict"] = True
            matchers = [r.fullmatch for r in regexes]

            def verdict(origin: str) -> bool:
                return any(m(origin) is not None for m in matchers)

    headers = _iterable(options.get("allow_headers"))
    if any(h in ("*", ".*") for h in headers):
        policy["allowHeaders"] = "mirror"
    else:
        for entry in headers:
            if _is_regex(entry):
                raise ValueError(
                    f"corsguard.flask: allow_headers {entry!r} is a regex; list the header names "
                    "(or '*' for any)"
                )
        policy["allowHeaders"] = _joined("allow_headers", headers)
    policy["allowMethods"] = [m.upper() for m in _joined("methods", options.get("methods"))]
    policy["exposeHeaders"] = _joined("expose_headers", options.get("expose_headers"))
    policy["allowCredentials"] = credentials
    policy["allowPrivateNetwork"] = bool(options.get("allow_private_network"))
    max_age = options.get("max_age")
    if isinstance(max_age, timedelta):
        max_age = int(max_age.total_seconds())
    if max_age is not None and str(max_age) != "":
        policy["maxAge"] = str(max_age)
    policy["preflightStatus"] = 200
    return policy, verdict


def path_rule(pattern: Any) -> str:
    """A flask-cors resource pattern as a core path rule: a literal path is
    that exact path; ``*``, ``/*``, ``.*`` and ``/.*`` are every path;
    ``/api/*``, ``/api/.*`` and ``/api.*`` are ``/api/**`` (the path and
    below, never ``/apiary``); ``^`` and ``$`` anchors are dropped and
    ``\\.``, ``\\-``, ``\\/`` read as the characters they escape. Any
    other regex raises ``ValueError``."""
    if isinstance(pattern, re.Pattern):
        pattern = pattern.pattern
    if not isinstance(pattern, str):
        raise TypeError(f"corsguard.flask: a resource is a string or regex, got {pattern!r}")
    text = pattern
    if not _is_regex(text):
        return text
    text = text[1:] if text.startswith("^") else text
    text = text[:-1] if text.endswith("$") and not text.endswith("\\$") else text
    for tail in ("/.*", "/*", ".*"):
        if text.endswith(tail) and not text.endswith("\\" + tail):
            text = text[: -len(tail)]
            return (_unescaped(text) or "") + "/**" if _is_literal_path(text) else _refuse(pattern)
    if text in ("*", ""):
        return "/**"
    if _is_literal_path(text):
        return _unescaped(text) or "/"
    return _refuse(pattern)


def _is_literal_path(text: str) -> bool:
    """Whether a regex (its anchors and tail taken off) is a plain path once
    ``\\.``, ``\\-`` and ``\\/`` are read as the characters they escape."""
    return text == "" or (text.startswith("/") and _unescaped(text) is not None)


def _unescaped(text: str) -> Optional[str]:
    plain = re.sub(r"\\([./-])", lambda m: "\0" + m.group(1), text)
    if not _REGEX_HINTS.isdisjoint(plain.replace("\0", "")) or re.search(r"(?<!\0)\.", plain):
        return None
    return plain.replace("\0", "")


def _refuse(pattern: str) -> str:
    raise ValueError(
        f"corsguard.flask: the resource {pattern!r} is a regex the core's path rules cannot "
        "express; write a path ('/api/*' for /api and below), or put the core's path rule "
        "('/users/*') in a policy document's routes and serve it with "
        "corsguard.wsgi.PolicyMiddleware"
    )


def _resources(spec: Any) -> list[tuple[Any, dict]]:
    """flask-cors's resource list, sorted as it sorts a dict: literal paths
    first, then by slash count and length, longest first."""
    if isinstance(spec, dict):
        pairs = [(".*" if k == "*" else k, dict(v)) for k, v in spec.items()]

        def key(pair: tuple) -> tuple:
            text = pair[0].pattern if isinstance(pair[0], re.Pattern) else pair[0]
            regex = _is_regex(pair[0])
            return (1 if regex else 0, 0 if isinstance(pair[0], re.Pattern) else int(regex), -text.count("/"), -len(text))

        pairs.sort(key=key)
        return pairs
    if isinstance(spec, (str, re.Pattern)):
        return [(spec, {})]
    if isinstance(spec, Iterable):
        return [(r, {}) for r in spec]
    raise ValueError("Unexpected value for resources argument.")


class _Compiled:
    """A loaded document and the per-policy origin verdicts."""

    def __init__(self, doc: dict, verdicts: dict[str, Optional[Callable[[str], bool]]]) -> None:
        probes = 0
        for name, verdict in verdicts.items():
            # origins="*" without credentials is every origin by intent, as
            # `*` is: its verdict is not reported as a wide one.
            if verdict is not None and not getattr(verdict, "every_origin", False):
                probes |= _document.probes_admitted(verdict)
        self.document = doc
        self.native: NativePolicy = _document.load(_document.dumps(doc), source=doc, verdict_probes=probes)
        self.verdicts = verdicts
        #: The core's findings: accepted, as flask-cors accepts them, but risky.
        self.findings = _document.findings(self.native)

    def warn(self, stacklevel: int) -> None:
        for finding in self.findings:
            warnings.warn(f"corsguard.flask: {finding}", RiskyConfigWarning, stacklevel=stacklevel + 1)

    def headers(self, request: Any, hooks: Optional[Hooks] = None) -> Optional[list]:
        """The decision's headers for a Flask request, or None; a refusal
        goes to ``hooks``."""
        environ = request.environ
        path = _request_path(environ)
        name = self.native.route(path) if self.native.has_routes else "default"
        if name is None:
            return None
        origin = environ.get("HTTP_ORIGIN")
        verdict = None
        check = self.verdicts.get(name)
        if origin is not None and check is not None:
            verdict = bool(check(origin))
        answer = self.native._evaluate_latin1(
            request.method,
            origin,
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
            verdict,
            path if self.native.has_routes else None,
        )
        if answer is None:
            return None
        refusal = answer[3]
        if refusal is not None and hooks is not None and hooks.on_refusal is not None:
            hooks.refused(request, refusal, origin, request.method, request.path)
        return answer[1]


def _request_path(environ: dict) -> bytes:
    from ..wsgi import _environ_path

    path = _environ_path(environ)
    return path.split(b"?", 1)[0]


def _apply(response: Any, headers: list) -> None:
    for name, raw in headers:
        value = raw.decode("latin-1")
        if name == b"vary":
            existing = ", ".join(response.headers.getlist("Vary")).encode("latin-1")
            joined = merge_vary("dedup", existing, raw)
            if joined is not None:
                response.headers["Vary"] = joined.decode("latin-1")
        else:
            response.headers[_NAMES[name]] = value


def _own(options: Mapping[str, Any]) -> tuple[dict, dict]:
    """flask-cors's options, and corsguard's (``cors_on_errors`` read as
    ``intercept_exceptions``)."""
    theirs = {k: v for k, v in options.items() if k not in HOOK_OPTIONS and k != "cors_on_errors"}
    if "cors_on_errors" in options:
        theirs["intercept_exceptions"] = options["cors_on_errors"]
    return theirs, {k: v for k, v in options.items() if k in HOOK_OPTIONS}


def _hooks_of(app: Any, *layers: Mapping[str, Any]) -> Hooks:
    config = getattr(app, "config", {}) or {}
    options = dict(HOOK_OPTIONS)
    options.update({k: config[key] for k, key in HOOK_CONFIG.items() if config.get(key) is not None})
    for layer in layers:
        options.update(_own(layer)[1])
    return Hooks(options["on_refusal"], options["hook_errors"], where="corsguard.flask")


def compile_options(app: Any, *layers: Mapping[str, Any]) -> _Compiled:
    """The options of ``CORS(app, ...)`` as a loaded routed document."""
    layers = tuple(_own(layer)[0] for layer in layers)
    options = merged(app, *layers)
    doc: dict[str, Any] = {"version": 1, "profile": "flask_cors", "policies": {}, "routes": []}
    verdicts: dict[str, Optional[Callable[[str], bool]]] = {}
    for index, (pattern, own) in enumerate(_resources(options.get("resources", r"/*"))):
        layer = {k: v for k, v in merged(app, *layers, own).items() if k != "resources"}
        policy, verdict = _policy(layer)
        name = f"r{index}"
        doc["policies"][name] = policy
        doc["routes"].append({"path": path_rule(pattern), "policy": name})
        verdicts[name] = verdict
    if not doc["routes"]:
        doc["routes"].append({"path": "/**", "policy": None})
    return _Compiled(doc, verdicts)


class _Installed:
    """What the hooks on one app read per request, swapped as one value
    (``state``) by :meth:`CORS.reconfigure`."""

    __slots__ = ("app", "kwargs", "state")

    def __init__(self, app: Any, kwargs: dict, state: tuple) -> None:
        self.app = app
        self.kwargs = kwargs
        #: (compiled options, hooks, intercept_exceptions)
        self.state = state


class CORS:
    """flask-cors's extension: ``CORS(app, **options)`` or
    ``CORS(**options).init_app(app, **more)``. Headers are set in an
    ``after_request`` hook (and on the responses of the app's exception
    handlers, unless ``intercept_exceptions=False``), on the response Flask
    made: Flask's own automatic ``OPTIONS`` answer for preflights.

    Beside flask-cors's options: ``on_refusal`` (``CORS_ON_REFUSAL``),
    ``hook_errors`` (``CORS_HOOK_ERRORS``) and ``cors_on_errors`` (another
    name for ``intercept_exceptions``); see the module docstring."""

    def __init__(self, app: Any = None, **kwargs: Any) -> None:
        self._options = kwargs
        self._installed: list[_Installed] = []
        if app is not None:
            self._init(app, {}, stacklevel=3)

    def init_app(self, app: Any, **kwargs: Any) -> None:
        """Installs the hooks on ``app`` (a Flask app or blueprint), with
        ``kwargs`` over the constructor's options. Warns
        ``RiskyConfigWarning`` for each of the core's findings."""
        self._init(app, kwargs, stacklevel=3)

    def reconfigure(self, **kwargs: Any) -> None:
        """Replaces the constructor's options (flask-cors's keywords, over
        the app config, as ``CORS(app, **kwargs)`` takes them; the options
        given to ``init_app`` stay over them) on every app this extension
        serves, while they serve. ``on_refusal`` and ``hook_errors`` keep
        their values unless given. Every app's new options are checked
        first: options ``CORS(...)`` would refuse raise the same error and
        the running ones stay. Each request reads its app's options once, so
        it is answered wholly by the old options or wholly by the new."""
        options = {k: v for k, v in self._options.items() if k in HOOK_OPTIONS}
        options.update(kwargs)
        states = [compiled_state(installed.app, options, installed.kwargs) for installed in self._installed]
        for installed, state in zip(self._installed, states):
            installed.state = state
        self._options = options
        if states:
            self.document = states[-1][0].document
            self.findings = states[-1][0].findings

    def _init(self, app: Any, kwargs: dict, stacklevel: int) -> None:
        state = compiled_state(app, self._options, kwargs)
        state[0].warn(stacklevel=stacklevel + 1)
        self.document = state[0].document
        self.findings = state[0].findings
        installed = _Installed(app, kwargs, state)
        self._installed.append(installed)

        def after_request(response: Any) -> Any:
            from flask import request

            if getattr(response, _EVALUATED, False) or response.headers.get("Access-Control-Allow-Origin"):
                return response
            # Flask runs after_request on an exception's 500, and so does
            # the handler wrapped below: judge (and report) it once.
            seen = response.__dict__.setdefault(_SEEN, set())
            if installed in seen:
                return response
            seen.add(installed)
            compiled, hooks, _intercept = installed.state
            headers = compiled.headers(request, hooks)
            if headers:
                _apply(response, headers)
            return response

        app.after_request(after_request)
        if hasattr(app, "handle_exception"):
            def wrap(handler: Callable[..., Any]) -> Callable[..., Any]:
                def wrapped(*args: Any, **kw: Any) -> Any:
                    response = handler(*args, **kw)
                    if not installed.state[2]:
                        return response
                    return after_request(app.make_response(response))

                return wrapped

            app.handle_exception = wrap(app.handle_exception)
            app.handle_user_exception = wrap(app.handle_user_exception)


def compiled_state(app: Any, options: Mapping[str, Any], kwargs: Mapping[str, Any]) -> tuple:
    """(compiled options, hooks, intercept_exceptions) for ``CORS(app,
    **options).init_app``-style ``kwargs``."""
    compiled = compile_options(app, options, kwargs)
    hooks = _hooks_of(app, options, kwargs)
    intercept = bool(merged(app, _own(options)[0], _own(kwargs)[0]).get("intercept_exceptions"))
    return compiled, hooks, intercept


def cross_origin(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """flask-cors's view decorator: the view's responses (and, with
    ``automatic_options``, Flask's default ``OPTIONS`` answer) get the
    headers of these options over the app's ``CORS_*`` config
    (``on_refusal`` and ``hook_errors`` too)."""
    options = dict(kwargs)
    if args:
        raise TypeError("cross_origin takes keyword options only")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        from flask import current_app, make_response, request

        automatic = options.get("automatic_options", True)
        if automatic:
            required = set(getattr(view, "required_methods", set()))
            required.add("OPTIONS")
            view.required_methods = required  # type: ignore[attr-defined]
            view.provide_automatic_options = False  # type: ignore[attr-defined]
        cache: dict[int, tuple] = {}

        def wrapped(*a: Any, **kw: Any) -> Any:
            app = current_app._get_current_object()
            state = cache.get(id(app))
            if state is None:
                layer = dict(options)
                layer["resources"] = "/*"
                answers_options = bool(merged(app, _own(options)[0]).get("automatic_options"))
                state = cache[id(app)] = (compile_options(app, layer), _hooks_of(app, layer), answers_options)
            compiled, hooks, answers_options = state
            if answers_options and request.method == "OPTIONS":
                response = app.make_default_options_response()
            else:
                response = make_response(view(*a, **kw))
            headers = compiled.headers(request, hooks)
            if headers:
                _apply(response, headers)
            setattr(response, _EVALUATED, True)
            return response

        return update_wrapper(wrapped, view)

    return decorator
