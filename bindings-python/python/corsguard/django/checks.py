"""System checks: the core's verdict on the ``CORS_*`` settings, as Django
checks (``manage.py check``).

- ``corsguard.E001``: a setting cannot be read (wrong type, bad regex).
- ``corsguard.E002``: the core refuses the settings (one check per problem);
  the middleware would refuse to start.
- ``corsguard.W001``: a finding of the core: accepted, as django-cors-headers
  accepts it, but risky (a trailing-slash origin, ``null``, an allow-all
  with credentials, a regex that admits any origin, ...).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning

from .._native import DocumentError
from . import settings as cors_settings


def check_settings(**kwargs: Any) -> list[CheckMessage]:
    try:
        translated = cors_settings.translate()
    except (TypeError, ValueError) as error:
        if not isinstance(error, DocumentError):
            return [Error(str(error), id="corsguard.E001")]
        return [
            Error(
                p.rule,
                hint=p.fix or None,
                obj=cors_settings.setting_of(p.path),
                id="corsguard.E002",
            )
            for p in error.errors
        ]
    return [
        Warning(
            p.rule,
            hint=p.fix or None,
            obj=cors_settings.setting_of(p.path),
            id="corsguard.W001",
        )
        for p in translated.findings
    ]
