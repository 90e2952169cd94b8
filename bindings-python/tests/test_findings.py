"""The drop-ins warn about the core's findings, naming Starlette's keywords;
strict=True makes them errors; the strict Policy refuses the same things."""

from __future__ import annotations

import warnings

import pytest

import corsguard
from corsguard.asgi import CORSMiddleware as ASGICORSMiddleware
from corsguard.wsgi import CORSMiddleware as WSGICORSMiddleware


async def asgi_app(scope, receive, send):  # pragma: no cover - never called
    raise AssertionError


def wsgi_app(environ, start_response):  # pragma: no cover - never called
    raise AssertionError


CASES = [
    ({"allow_origins": ["https://app.example.com/"]}, "malformed_origin", "allow_origins `https://app.example.com/`"),
    ({"allow_origins": ["https://*.com"]}, "malformed_origin", "allow_origins `https://*.com`"),
    ({"allow_origins": ["https://a.example"], "allow_methods": ["get"]}, "method_not_normalized", "allow_methods `get`"),
    ({"allow_origins": ["https://a.example"], "max_age": 10**9}, "max_age_out_of_range", "max_age 1000000000"),
    ({"allow_origins": ["https://a.example"], "allow_headers": ["cookie"]}, "forbidden_request_header", "allow_headers `cookie`"),
    ({"allow_origins": ["https://a.example"], "expose_headers": ["set-cookie"]}, "forbidden_response_header", "expose_headers `set-cookie`"),
    ({"allow_origins": ["*"], "allow_credentials": True}, "wildcard_origin_with_credentials", "allow_origins `*` with credentials"),
]


@pytest.mark.parametrize("middleware, app", [(ASGICORSMiddleware, asgi_app), (WSGICORSMiddleware, wsgi_app)])
@pytest.mark.parametrize("kwargs, code, start", CASES)
def test_dropins_warn_about_the_core_findings_naming_starlette_keywords(middleware, app, kwargs, code, start):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        middleware(app, **kwargs)
    messages = [str(w.message) for w in caught if w.category is corsguard.RiskyConfigWarning]
    assert len(messages) == 1, messages
    assert messages[0].startswith(start), messages[0]
    # strict=True refuses it, with the core's code.
    with pytest.raises(corsguard.ConfigError) as refused:
        middleware(app, strict=True, **kwargs)
    assert refused.value.code == code
    assert isinstance(refused.value, corsguard.DocumentError)
    assert [p.message for p in refused.value.errors] == messages
    # At the path of the document the keywords became, named as the keyword.
    assert corsguard._document.snake(refused.value.errors[0].path.split("/")[1]) == start.split()[0]


def test_a_clean_configuration_warns_about_nothing_even_in_strict_mode():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ASGICORSMiddleware(
            asgi_app,
            allow_origins=["https://app.example.com", "https://*.example.org"],
            allow_methods=["GET", "PUT"],
            allow_headers=["content-type"],
            allow_credentials=True,
            max_age=600,
            strict=True,
        )


def test_python_only_risks_are_errors_in_strict_mode():
    with pytest.raises(corsguard.ConfigError) as refused:
        ASGICORSMiddleware(asgi_app, allow_origins="https://a.example", strict=True)
    assert refused.value.code == "risky_config"
    assert refused.value.path == "/allowOrigins"
    assert refused.value.errors[0].fix == "write ['https://a.example']"


def test_findings_are_the_cores_with_document_paths():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        middleware = ASGICORSMiddleware(asgi_app, allow_origins=["https://a.example", "https://B.example"])
    with pytest.raises(corsguard.DocumentError) as refused:
        ASGICORSMiddleware(asgi_app, allow_origins=["https://a.example", "https://B.example"], strict=True)
    (finding,) = refused.value.errors
    assert (finding.path, finding.code, finding.problem) == ("/allowOrigins/1", "malformed_origin", "uppercase")
    assert finding.message == finding.rule + "; " + finding.fix
    assert middleware.policy.profile == "starlette"


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"allow_origins": ["https://app.example.com/"]}, "malformed_origin"),
        ({"allow_origins": ["https://*.com"]}, "malformed_origin"),
        ({"allow_origins": ["https://a.example"], "allow_methods": ["get"]}, "method_not_normalized"),
        ({"allow_origins": ["https://a.example"], "max_age": 10**9}, "max_age_out_of_range"),
    ],
)
def test_the_strict_policy_refuses_what_the_dropins_warn_about(kwargs, code):
    with pytest.raises(corsguard.ConfigError) as refused:
        corsguard.Policy(**kwargs)
    assert refused.value.code == code
    # Named as the keyword was written, at the document's path.
    assert refused.value.errors[0].message.startswith(refused.value.option + " ")
    assert refused.value.path.startswith("/" + corsguard._document.camel(refused.value.option))
