"""The signal of django-cors-headers, under corsguard's name.

``check_request_enabled`` is sent with ``sender=None`` and ``request=`` the
``HttpRequest``; when any receiver returns a true value, CORS is enabled for
that request whatever ``CORS_URLS_REGEX`` says, and its origin is allowed
whatever the origin settings say (the contract of django-cors-headers 4.9.0).
"""

from __future__ import annotations

from django.dispatch import Signal

check_request_enabled = Signal()


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
