"""The app config: ``INSTALLED_APPS = [..., "corsguard.django", ...]``."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.checks import Tags, register


class CorsGuardConfig(AppConfig):
    name = "corsguard.django"
    label = "corsguard"
    verbose_name = "corsguard"

    def ready(self) -> None:
        from .checks import check_settings

        register(Tags.security)(check_settings)
