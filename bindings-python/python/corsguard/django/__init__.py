"""A drop-in for django-cors-headers: the same settings, signal and checks,
answered by the corsguard core's ``django_cors_headers`` profile::

    INSTALLED_APPS = [..., "corsguard.django", ...]          # was "corsheaders"
    MIDDLEWARE = ["corsguard.django.CorsMiddleware", ...]    # was "corsheaders.middleware.CorsMiddleware"

The middleware runs inside Django, so Django's test ``Client`` sees its
headers. The deviations from django-cors-headers 4.9.0, all for safety or
cache correctness, are listed in the package README.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from ..wsgi import _NAMES as _WSGI_NAMES
from . import settings as cors_settings
from .signals import request_enabled

__all__ = ["CorsMiddleware"]

# The WSGI middleware's header names, without `Vary`: Django's own
# patch_vary_headers merges that one.
_NAMES = {name: shown for name, shown in _WSGI_NAMES.items() if name != b"vary"}

_lock = threading.Lock()
_current: Optional[cors_settings.Translated] = None


def _translated() -> cors_settings.Translated:
    """The settings as loaded by the core, built once (again after a
    ``CORS_*`` setting changes, as ``override_settings`` does)."""
    global _current
    current = _current
    if current is None:
        with _lock:
            current = _current
            if current is None:
                try:
                    current = cors_settings.translate()
                except (TypeError, ValueError) as error:
                    raise ImproperlyConfigured(f"corsguard.django: {error}") from error
                _current = current
    return current


def _reset(setting: str = "", **kwargs: Any) -> None:
    global _current
    if setting.startswith("CORS_"):
        with _lock:
            _current = None


setting_changed.connect(_reset, dispatch_uid="corsguard.django.reset")


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
        current = _translated()
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
        status, headers, _body = answer
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
