"""The documented deviations from Starlette (README, "Deviations"): each is
shown here against Starlette's own middleware, so the list stays true."""

from __future__ import annotations

import asyncio
import warnings

import pytest
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

import corsguard
from corsguard.asgi import CORSMiddleware as OurCORS

from test_differential import make_app, run


def both(config: dict, method: str, headers: list):
    app = make_app([])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = OurCORS(app, **config)
    theirs = StarletteCORS(app, **config)

    async def go():
        return await run(theirs, method, headers), await run(ours, method, headers)

    return asyncio.run(go())


INJECTED = b"https://a.example\r\nSet-Cookie: session=stolen"


@pytest.mark.parametrize("value", [INJECTED, b"https://a.example\nX: y", b"https://a.example\x00"])
def test_origin_with_cr_lf_nul_is_never_reflected(value):
    config = {"allow_origins": ["*"], "allow_credentials": True, "allow_methods": ["*"]}
    preflight = [(b"origin", value), (b"access-control-request-method", b"GET")]
    theirs, ours = both(config, "OPTIONS", preflight)
    assert ("access-control-allow-origin", value) in [(k.decode(), v) for k, v in theirs[1]]
    assert theirs[0] == 200
    assert ours[0] == 400 and ours[2] == b"Disallowed CORS origin"
    assert all(b"\r" not in v and b"\n" not in v and b"\0" not in v for _, v in ours[1])

    theirs, ours = both(config, "GET", [(b"origin", value)])
    assert (b"access-control-allow-origin", value) in theirs[1]
    assert not [h for h in ours[1] if h[0] == b"access-control-allow-origin"]


@pytest.mark.parametrize(
    "config",
    [
        {"allow_origins": ["https://a.example\r\nX: y"]},
        {"allow_methods": ["GET\n"]},
        {"allow_headers": ["x-a\x00"]},
        {"expose_headers": ["X-Total\r"]},
        {"max_age": "600\r\nX: y"},
    ],
)
def test_config_values_with_cr_lf_nul_are_refused(config):
    StarletteCORS(make_app([]), **config)  # accepted, breaks responses later
    with pytest.raises(corsguard.ConfigError) as info:
        OurCORS(make_app([]), **config)
    assert info.value.code == "unsafe_value"


@pytest.mark.parametrize(
    "config",
    [{"allow_methods": ["G\u0118T"]}, {"allow_headers": ["x-\u212a"]}, {"expose_headers": ["X-\u4e00"]}],
)
def test_values_http_cannot_carry_are_refused(config):
    # Starlette accepts them and fails with UnicodeEncodeError on requests.
    theirs = StarletteCORS(make_app([]), **config)
    if "expose_headers" in config:
        request = ("GET", [(b"origin", b"https://a.example")])
    else:
        request = ("OPTIONS", [(b"origin", b"https://a.example"), (b"access-control-request-method", b"GET")])
    with pytest.raises(UnicodeEncodeError):
        asyncio.run(run(theirs, *request))
    with pytest.raises(corsguard.ConfigError) as info:
        OurCORS(make_app([]), **config)
    assert info.value.code == "unsafe_value"


def test_a_string_for_a_list_is_one_entry_not_a_set_of_substrings():
    config = {"allow_origins": "https://a.example.com"}
    request = [(b"origin", b"https://a.example.co")]  # a substring
    theirs, ours = both(config, "GET", request)
    assert (b"access-control-allow-origin", b"https://a.example.co") in theirs[1]
    assert not [h for h in ours[1] if h[0] == b"access-control-allow-origin"]
    with pytest.warns(corsguard.RiskyConfigWarning, match="not a list"):
        OurCORS(make_app([]), **config)
    theirs, ours = both(config, "GET", [(b"origin", b"https://a.example.com")])
    assert theirs == ours


@pytest.mark.parametrize(
    "requested",
    [
        b"X-\xc9TAT",  # Unicode case folding of a non-ASCII letter (latin-1 E-acute)
        b"x-\xe9tat\xa0",  # a no-break space, stripped by str.strip()
        b"x-\xe9tat\x0b",  # a vertical tab, stripped by str.strip()
    ],
)
def test_requested_header_names_fold_ascii_and_trim_http_whitespace_only(requested):
    config = {"allow_origins": ["https://a.example"], "allow_headers": ["x-\u00e9tat"]}
    preflight = [
        (b"origin", b"https://a.example"),
        (b"access-control-request-method", b"GET"),
        (b"access-control-request-headers", requested),
    ]
    theirs, ours = both(config, "OPTIONS", preflight)
    assert theirs[0] == 200
    assert ours[0] == 400 and ours[2] == b"Disallowed CORS headers"
    # ASCII case and SP/HTAB around names, as HTTP allows, agree.
    preflight[2] = (b"access-control-request-headers", b" X-\xe9TAT\t")
    theirs, ours = both(config, "OPTIONS", preflight)
    assert theirs == ours and ours[0] == 200
