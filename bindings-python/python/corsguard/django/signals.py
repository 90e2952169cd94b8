"""The signal of django-cors-headers, under corsguard's name, and
corsguard's own.

``check_request_enabled`` is sent with ``sender=None`` and ``request=`` the
``HttpRequest``; when any receiver returns a true value, CORS is enabled for
that request whatever ``CORS_URLS_REGEX`` says, and its origin is allowed
whatever the origin settings say (the contract of django-cors-headers 4.9.0).

``request_refused`` is sent, with ``send_robust``, for every request the core
refuses: ``sender`` is ``corsguard.django.CorsMiddleware``, ``request`` the
``HttpRequest`` and ``refusal`` a :class:`corsguard.Refusal` (``kind``,
``code``, ``reason``, ``origin``, ``method``, ``path``). A receiver that
raises does not fail the request: the error is reported once as a
:class:`corsguard.HookErrorWarning`, or raised with
``CORSGUARD_HOOK_ERRORS = "raise"``::

    from django.dispatch import receiver
    from corsguard.django.signals import request_refused

    @receiver(request_refused)
    def log_refusal(sender, request, refusal, **kwargs):
        logger.warning("CORS refused %s %s from %s: %s", refusal.method,
                       refusal.path, refusal.origin, refusal.reason)
"""

from __future__ import annotations

from django.dispatch import Signal

check_request_enabled = Signal()
request_refused = Signal()


def _signals() -> tuple:
    """Our signal and, while django-cors-headers is still installed, its own
    (so receivers connected to ``corsheaders.signals`` keep working)."""
    try:
        from corsheaders.signals import check_request_enabled as theirs
    except ImportError:
        return (check_request_enabled,)
    return (check_request_enabled, theirs)


def request_enabled(request: object) -> bool:
    """Whether a receiver of either signal returns a true value."""
    for signal in _signals():
        if any(result for _receiver, result in signal.send(sender=None, request=request)):
            return True
    return False
