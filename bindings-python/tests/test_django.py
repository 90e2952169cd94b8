"""corsguard.django through Django's own test Client: each setting of
django-cors-headers, CORS_URLS_REGEX, the signal, the system checks, the
preflight and credentials."""

from __future__ import annotations

import asyncio
import warnings

import pytest

import django_project
from django_project import OURS

django_project.configure()

from django.core import checks  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.test import AsyncClient, Client, override_settings  # noqa: E402

from corsguard.django.signals import check_request_enabled  # noqa: E402

APP = "https://app.example.com"


@pytest.fixture(autouse=True)
def project():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with override_settings(ROOT_URLCONF="django_project", MIDDLEWARE=[OURS]):
            yield


def get(path="/api/items", origin=APP, **extra):
    if origin is not None:
        extra["HTTP_ORIGIN"] = origin
    return Client().get(path, **extra)


def preflight(path="/api/items", origin=APP, method="PUT", headers=None, **extra):
    extra["HTTP_ORIGIN"] = origin
    extra["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = method
    if headers is not None:
        extra["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    return Client().options(path, **extra)


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_allowed_origin_gets_the_origin_and_vary():
    r = get()
    assert r.status_code == 200
    assert r.content == b"view GET"
    assert r.headers["Access-Control-Allow-Origin"] == APP
    assert r.headers["Vary"] == "Origin"
    assert "Access-Control-Allow-Credentials" not in r.headers


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_refused_origin_gets_vary_only():
    r = get(origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in r.headers
    assert r.headers["Vary"] == "Origin"


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_preflight_is_answered_200_empty_with_the_defaults():
    r = preflight(headers="content-type, x-csrftoken")
    assert r.status_code == 200
    assert r.content == b""  # the view is not called
    assert r.headers["Content-Length"] == "0"
    assert r.headers["Access-Control-Allow-Origin"] == APP
    assert r.headers["Access-Control-Allow-Methods"] == "DELETE, GET, OPTIONS, PATCH, POST, PUT"
    assert r.headers["Access-Control-Allow-Headers"] == (
        "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with"
    )
    assert r.headers["Access-Control-Max-Age"] == "86400"
    assert r.headers["Vary"].split(", ")[0] == "Origin"


@override_settings(CORS_ALLOWED_ORIGINS=[APP], CORS_ALLOW_METHODS=["GET", "PATCH"], CORS_ALLOW_HEADERS=["x-a"])
def test_methods_and_headers_settings():
    ok = preflight(method="PATCH", headers="X-A")
    assert ok.headers["Access-Control-Allow-Methods"] == "GET, PATCH"
    assert ok.headers["Access-Control-Allow-Headers"] == "x-a"
    # Asking for what is not listed: every header, as django-cors-headers
    # answers (the browser refuses it on the lists it reads).
    for refused in (preflight(method="DELETE"), preflight(method="PATCH", headers="x-b")):
        assert refused.status_code == 200
        assert refused.headers["Access-Control-Allow-Origin"] == APP
        assert refused.headers["Access-Control-Allow-Methods"] == "GET, PATCH"


@override_settings(CORS_ALLOWED_ORIGINS=[APP], CORS_EXPOSE_HEADERS=["X-Total", "X-Page"])
def test_expose_headers():
    assert get().headers["Access-Control-Expose-Headers"] == "X-Total, X-Page"
    assert "Access-Control-Expose-Headers" not in get(origin="https://evil.example").headers


@pytest.mark.parametrize("age, sent", [(600, "600"), (0, None)])
def test_preflight_max_age(age, sent):
    with override_settings(CORS_ALLOWED_ORIGINS=[APP], CORS_PREFLIGHT_MAX_AGE=age):
        assert preflight().headers.get("Access-Control-Max-Age") == sent


@override_settings(CORS_ALLOWED_ORIGINS=[APP], CORS_ALLOW_CREDENTIALS=True)
def test_credentials():
    r = get()
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert preflight().headers["Access-Control-Allow-Credentials"] == "true"
    assert "Access-Control-Allow-Credentials" not in get(origin="https://evil.example").headers


def test_allow_all_origins_with_and_without_credentials():
    with override_settings(CORS_ALLOW_ALL_ORIGINS=True):
        assert get(origin="https://any.example").headers["Access-Control-Allow-Origin"] == "*"
    with override_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True):
        r = get(origin="https://any.example")
        assert r.headers["Access-Control-Allow-Origin"] == "https://any.example"
        assert r.headers["Access-Control-Allow-Credentials"] == "true"


def test_old_setting_names():
    with override_settings(CORS_ORIGIN_WHITELIST=[APP]):
        assert get().headers["Access-Control-Allow-Origin"] == APP
    with override_settings(CORS_ORIGIN_ALLOW_ALL=True):
        assert get(origin="https://any.example").headers["Access-Control-Allow-Origin"] == "*"
    with override_settings(CORS_ORIGIN_REGEX_WHITELIST=[r"^https://\w+\.example\.com$"]):
        assert get().headers["Access-Control-Allow-Origin"] == APP
    # The new name wins over the old one, as in django-cors-headers.
    with override_settings(CORS_ALLOWED_ORIGINS=[], CORS_ORIGIN_WHITELIST=[APP]):
        assert "Access-Control-Allow-Origin" not in get().headers


@override_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://\w+\.example\.com"])
def test_origin_regexes_must_match_the_whole_origin():
    assert get(origin="https://api.example.com").headers["Access-Control-Allow-Origin"] == "https://api.example.com"
    # django-cors-headers' re.match would allow this one.
    assert "Access-Control-Allow-Origin" not in get(origin="https://api.example.com.evil.net").headers


@override_settings(CORS_ALLOWED_ORIGINS=["null"])
def test_null_origin_only_when_listed():
    assert get(origin="null").headers["Access-Control-Allow-Origin"] == "null"
    with override_settings(CORS_ALLOWED_ORIGINS=[APP]):
        assert "Access-Control-Allow-Origin" not in get(origin="null").headers


@override_settings(CORS_ALLOWED_ORIGINS=[APP], CORS_URLS_REGEX=r"^/api/")
def test_urls_regex_matches_the_start_of_path_info():
    assert get("/api/items").headers["Access-Control-Allow-Origin"] == APP
    outside = get("/other")
    assert "Access-Control-Allow-Origin" not in outside.headers
    assert "Vary" not in outside.headers  # not served at all
    # A preflight outside the regex reaches the view.
    assert preflight("/other").content == b"view OPTIONS"


@override_settings(CORS_ALLOWED_ORIGINS=[APP], CORS_ALLOW_PRIVATE_NETWORK=True)
def test_private_network():
    r = preflight(HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK="true")
    assert r.headers["Access-Control-Allow-Private-Network"] == "true"
    with override_settings(CORS_ALLOW_PRIVATE_NETWORK=False):
        r = preflight(HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK="true")
        assert "Access-Control-Allow-Private-Network" not in r.headers


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_vary_is_merged_into_the_views_own():
    assert get("/api/vary").headers["Vary"] == "Accept-Encoding, Origin"
    assert get("/api/teapot").status_code == 418
    assert get("/api/teapot").headers["Access-Control-Allow-Origin"] == APP


@override_settings(CORS_ALLOWED_ORIGINS=[], CORS_URLS_REGEX=r"^/api/")
def test_signal_enables_cors_and_allows_the_origin():
    calls = []

    def receiver(sender, request, **kwargs):
        calls.append(request.path_info)
        return request.path_info.startswith("/other")

    check_request_enabled.connect(receiver)
    try:
        r = get("/other", origin="https://partner.example")
        assert r.headers["Access-Control-Allow-Origin"] == "https://partner.example"
        assert "/other" in calls
        assert "Access-Control-Allow-Origin" not in get("/api/items", origin="https://partner.example").headers
    finally:
        check_request_enabled.disconnect(receiver)
    assert "Access-Control-Allow-Origin" not in get("/other", origin="https://partner.example").headers


def test_async_middleware_through_the_async_client():
    async def go():
        return await AsyncClient().get("/api/items", headers={"Origin": APP})

    with override_settings(CORS_ALLOWED_ORIGINS=[APP]):
        r = asyncio.run(go())
    assert r.headers["Access-Control-Allow-Origin"] == APP
    assert r.content == b"view GET"


def _messages(**settings):
    with override_settings(INSTALLED_APPS=["corsguard.django"], **settings):
        return [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id.startswith("corsguard.")]


def test_system_checks_report_a_bad_origin_as_a_finding():
    found = _messages(CORS_ALLOWED_ORIGINS=["https://app.example.com/", APP])
    assert [(m.id, m.obj) for m in found] == [("corsguard.W001", "CORS_ALLOWED_ORIGINS[0]")]
    assert "trailing slash" in found[0].hint
    assert found[0].level == checks.WARNING
    assert _messages(CORS_ALLOWED_ORIGINS=[APP]) == []


def test_system_checks_report_wrong_types_and_refused_values():
    (wrong,) = _messages(CORS_ALLOW_CREDENTIALS="yes")
    assert wrong.id == "corsguard.E001" and "CORS_ALLOW_CREDENTIALS" in wrong.msg
    (refused,) = _messages(CORS_ALLOWED_ORIGINS=["https://a.example\r\nX-Injected: 1"])
    assert refused.id == "corsguard.E002" and refused.level == checks.ERROR
    assert refused.obj == "CORS_ALLOWED_ORIGINS[0]"


def test_a_refused_configuration_stops_the_middleware():
    with override_settings(CORS_ALLOWED_ORIGINS=["https://a.example\r\nX-Injected: 1"]):
        with pytest.raises(ImproperlyConfigured, match="CR, LF or NUL"):
            get()


def test_wide_regex_with_credentials_is_a_warning():
    found = _messages(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://.*$"], CORS_ALLOW_CREDENTIALS=True)
    assert [m.id for m in found] == ["corsguard.W001"]
    assert found[0].obj == "CORS_ALLOWED_ORIGIN_REGEXES"


def test_a_listed_star_is_refused_with_a_pointer():
    (refused,) = _messages(CORS_ALLOWED_ORIGINS=["*"])
    assert refused.id == "corsguard.E001" and "CORS_ALLOW_ALL_ORIGINS" in refused.msg
