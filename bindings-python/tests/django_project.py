"""A one-file Django project for the Django tests: settings (configured
once per process; each test overrides what it needs), views and URLs."""

from __future__ import annotations

import django
from django.conf import settings
from django.http import HttpResponse

THEIRS = "corsheaders.middleware.CorsMiddleware"
DEFAULT_HEADERS = ("accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with")
OURS = "corsguard.django.CorsMiddleware"


def configure() -> None:
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="corsguard-tests",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=__name__,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
        )
        django.setup()


def plain(request):
    return HttpResponse(f"view {request.method}")


def varies(request):
    response = HttpResponse(f"view {request.method}")
    response["Vary"] = "Accept-Encoding"
    return response


def failing(request):
    return HttpResponse("teapot", status=418)


def raising(request):
    raise RuntimeError("django boom")


def _urlpatterns():
    from django.urls import re_path

    from test_wsgi import django_view

    return [
        re_path(r"^items$", django_view),
        re_path(r"^api/vary$", varies),
        re_path(r"^api/teapot$", failing),
        re_path(r"^api/boom$", raising),
        re_path(r"^.*$", plain),
    ]


def __getattr__(name):  # ROOT_URLCONF = this module; built lazily
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


#: Every CORS response header compared, lowercase.
CORS_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-expose-headers",
    "access-control-allow-private-network",
)
