"""A drop-in for django-cors-headers: the same settings, signal and checks,
answered by the corsguard core's ``django_cors_headers`` profile::

    INSTALLED_APPS = [..., "corsguard.django", ...]          # was "corsheaders"
    MIDDLEWARE = ["corsguard.django.CorsMiddleware", ...]    # was "corsheaders.middleware.CorsMiddleware"

The middleware runs inside Django, so Django's test ``Client`` sees its
headers. The deviations from django-cors-headers 4.9.0, all for safety or
cache correctness, are listed in the package README.

corsguard's own additions:

- refusals: every request the core refuses sends the signal
  :data:`corsguard.django.signals.request_refused` (``sender`` the
  middleware class, ``request``, ``refusal``: a :class:`corsguard.Refusal`)
  and calls ``CORSGUARD_ON_REFUSAL`` (a callable or its dotted path, called
  as ``hook(request, refusal)``), both robustly: a receiver or hook that
  raises is reported once as a :class:`corsguard.HookErrorWarning`, unless
  ``CORSGUARD_HOOK_ERRORS = "raise"``;
- :func:`reconfigure`: new ``CORS_*`` settings for the running process,
  checked first and swapped atomically;
- errors: a view's exception becomes Django's 500 inside the middleware, so
  the 500 already carries the CORS headers (no setting needed).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Optional

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string

from .._hooks import Hooks
from ..wsgi import _NAMES as _WSGI_NAMES
from . import settings as cors_settings
from .signals import request_enabled, request_refused

__all__ = ["CorsMiddleware", "reconfigure"]

# The WSGI middleware's header names, without `Vary`: Django's own
# patch_vary_headers merges that one.
_NAMES = {name: shown for name, shown in _WSGI_NAMES.items() if name != b"vary"}

_lock = threading.Lock()


@dataclass(frozen=True)
class _State:
    """Everything a request needs: one value, swapped whole."""

    translated: cors_settings.Translated
    hooks: Hooks


_current: Optional[_State] = None


def _hooks() -> Hooks:
    hook = getattr(django_settings, "CORSGUARD_ON_REFUSAL", None)
    if isinstance(hook, str):
        hook = import_string(hook)
    return Hooks(
        hook,
        getattr(django_settings, "CORSGUARD_HOOK_ERRORS", "warn"),
        where="corsguard.django",
    )


def _build() -> _State:
    try:
        return _State(cors_settings.translate(), _hooks())
    except (TypeError, ValueError, ImportError) as error:
        raise ImproperlyConfigured(f"corsguard.django: {error}") from error


def _translated() -> _State:
    """The settings as loaded by the core, built once (again after a
    ``CORS_*`` or ``CORSGUARD_*`` setting changes, as ``override_settings``
    does, or on :func:`reconfigure`)."""
    global _current
    current = _current
    if current is None:
        with _lock:
            current = _current
            if current is None:
                current = _current = _build()
    return current


def _reset(setting: str = "", **kwargs: Any) -> None:
    global _current
    if setting.startswith(("CORS_", "CORSGUARD_")):
        with _lock:
            _current = None


setting_changed.connect(_reset, dispatch_uid="corsguard.django.reset")

_MISSING = object()


def reconfigure(**settings: Any) -> None:
    """Replaces ``CORS_*`` (and ``CORSGUARD_*``) settings of the running
    process, without a restart::

        corsguard.django.reconfigure(CORS_ALLOWED_ORIGINS=["https://new.example.com"])

    The settings given are set on ``django.conf.settings`` (the others stay
    as they are) and the middleware's policy is rebuilt from them first: a
    configuration the middleware would refuse raises
    ``ImproperlyConfigured`` and the settings and the running policy stay
    as they were. Then the policy is swapped in one assignment, and each
    request reads it once: a request in flight is answered wholly by the
    old settings or wholly by the new ones.
    """
    global _current
    for name in settings:
        if not name.startswith(("CORS_", "CORSGUARD_")):
            raise TypeError(f"corsguard.django.reconfigure: {name} is not a CORS_* or CORSGUARD_* setting")
    with _lock:
        before = {name: getattr(django_settings, name, _MISSING) for name in settings}
        for name, value in settings.items():
            setattr(django_settings, name, value)
        try:
            state = _build()
        except BaseException:
            for name, value in before.items():
                if value is _MISSING:
                    delattr(django_settings, name)
                else:
                    setattr(django_settings, name, value)
            raise
        _current = state


class _Lazy:
    """The signal's answer for one request, asked once when first needed."""

    __slots__ = ("request", "value")

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.value: Optional[bool] = None

    def __bool__(self) -> bool:
        if self.value is None:
            self.value = request_enabled(self.request)
        return self.value


class CorsMiddleware:
    """CORS for a Django project from django-cors-headers' settings.

    A request is served when ``CORS_URLS_REGEX`` matches the start of its
    ``path_info`` or a ``check_request_enabled`` receiver returns true;
    other requests pass untouched. A served request is judged by the core:
    a preflight is answered ``200`` with an empty body; any other response
    gets the decision's headers, with ``Vary`` added by Django's own
    ``patch_vary_headers``.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        _translated()  # a bad configuration stops the server at start

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        answer = self._judge(request)
        if answer is not None and answer[0] is not None:
            response = HttpResponse(status=answer[0], headers={"content-length": "0"})
        else:
            response = self.get_response(request)
        if answer is not None:
            self._apply(response, answer[1])
        return response

    async def __acall__(self, request: HttpRequest) -> Any:
        answer = self._judge(request)
        if answer is not None and answer[0] is not None:
            response = HttpResponse(status=answer[0], headers={"content-length": "0"})
        else:
            response = await self.get_response(request)
        if answer is not None:
            self._apply(response, answer[1])
        return response

    @staticmethod
    def _judge(request: HttpRequest) -> Optional[tuple]:
        """The core's (status or None, headers) for a served request; None
        for a request CORS is not enabled for."""
        state = _translated()  # read once: the whole request is answered by one configuration
        current = state.translated
        signal = _Lazy(request)
        if not (current.urls.match(request.path_info) or signal):
            return None
        meta = request.META
        origin = meta.get("HTTP_ORIGIN")
        verdict = None
        if origin:
            verdict = bool(
                (current.origin_matches is not None and current.origin_matches(origin)) or signal
            )
        answer = current.policy._evaluate_latin1(
            request.method or "GET",
            origin,
            meta.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
            verdict,
        )
        if answer is None:
            return None
        status, headers, _body, refusal = answer
        if refusal is not None:
            _refused(state.hooks, request, refusal, origin)
        return status, headers

    @staticmethod
    def _apply(response: Any, headers: list) -> None:
        for name, value in headers:
            text = value.decode("latin-1")
            if name == b"vary":
                # Django's own merge, as every Django middleware adds Vary.
                patch_vary_headers(response, [t.strip() for t in text.split(",") if t.strip()])
            else:
                response[_NAMES[name]] = text


def _refused(hooks: Hooks, request: HttpRequest, refusal: tuple, origin: Optional[str]) -> None:
    """Tells the hook and the signal's receivers about a refusal."""
    method, path = request.method or "GET", request.path
    hooks.refused(request, refusal, origin, method, path)
    if request_refused.has_listeners(CorsMiddleware):
        from .._hooks import Refusal

        kind, code, reason = refusal
        sent = Refusal(kind, code, reason, origin, method, path)
        for _receiver, result in request_refused.send_robust(CorsMiddleware, request=request, refusal=sent):
            if isinstance(result, Exception):
                hooks.failed(result)
