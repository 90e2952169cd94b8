"""corsguard.flask through Flask's test client (and a real server on
loopback): each option and config key, resources, cross_origin, init_app,
preflights, credentials, exception handlers, and the differences from
flask-cors 6.0.5 (pinned), each shown against flask-cors itself."""

from __future__ import annotations

import http.client
import threading
import warnings
from datetime import timedelta

import flask_cors
import pytest
from flask import Flask
from werkzeug.serving import make_server

import corsguard.flask as cg
from corsguard import DocumentError

A = "https://a.example.com"
B = "https://b.example.com"


def make(module=cg, config=None, **options):
    app = Flask(f"flask_{module.__name__}")
    app.config.update(config or {})

    @app.route("/api/items", methods=["GET", "POST", "PUT", "DELETE"])
    def items():
        return "items"

    @app.route("/apiary")
    def apiary():
        return "apiary"

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    if options is not None:
        module.CORS(app, **options)
    return app


def get(app, path="/api/items", origin=A, **headers):
    if origin is not None:
        headers["Origin"] = origin
    return app.test_client().get(path, headers=headers)


def preflight(app, path="/api/items", origin=A, method="PUT", request_headers=None, **extra):
    headers = {"Origin": origin, "Access-Control-Request-Method": method, **extra}
    if request_headers:
        headers["Access-Control-Request-Headers"] = request_headers
    return app.test_client().options(path, headers=headers)


def acao(response):
    return response.headers.get("Access-Control-Allow-Origin")


def test_the_import_is_the_only_change():
    for module in (flask_cors, cg):
        app = make(module, origins=[A])
        assert acao(get(app)) == A
        assert acao(get(app, origin=B)) is None


def test_default_reflects_any_origin_and_allows_every_method():
    r = preflight(make(), request_headers="X-Custom")
    assert r.status_code == 200
    assert acao(r) == A
    assert r.headers["Access-Control-Allow-Methods"] == "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
    assert r.headers["Access-Control-Allow-Headers"] == "X-Custom"
    assert "Origin" in r.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_origins_literal_and_regex():
    app = make(origins=[A, r"https://.*\.c\.example\.com"])
    assert acao(get(app)) == A
    assert acao(get(app, origin="https://x.c.example.com")) == "https://x.c.example.com"
    assert acao(get(app, origin=B)) is None
    assert get(app, origin=B).headers["Vary"] == "Origin"


def test_send_wildcard():
    r = get(make(origins="*", send_wildcard=True))
    assert acao(r) == "*"
    with pytest.raises(ValueError):
        make(origins="*", send_wildcard=True, supports_credentials=True)


def test_supports_credentials_expose_headers_max_age():
    app = make(origins=[A], supports_credentials=True, expose_headers=["X-Total", "X-Page"], max_age=timedelta(minutes=10))
    r = get(app)
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Expose-Headers"] == "X-Page, X-Total"
    p = preflight(app)
    assert p.headers["Access-Control-Max-Age"] == "600"
    assert p.headers["Access-Control-Allow-Credentials"] == "true"


def test_methods_and_allow_headers():
    app = make(origins=[A], methods=["put", "GET"], allow_headers=["Content-Type", "x-a"])
    ok = preflight(app, method="PUT", request_headers="content-type")
    assert ok.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert ok.headers["Access-Control-Allow-Headers"] == "Content-Type, x-a"
    assert acao(preflight(app, method="DELETE")) is None
    assert acao(preflight(app, method="PUT", request_headers="x-b")) is None
    with pytest.raises(ValueError, match="allow_headers"):
        make(allow_headers=[r"x-.*"])


def test_allow_private_network():
    asked = {"Access-Control-Request-Private-Network": "true"}
    assert preflight(make(origins=[A], allow_private_network=True), **asked).headers[
        "Access-Control-Allow-Private-Network"
    ] == "true"
    assert acao(preflight(make(origins=[A]), **asked)) is None


def test_resources_are_path_rules():
    app = make(resources={r"/api/*": {"origins": [A]}})
    assert acao(get(app)) == A
    assert acao(get(app, "/api/items", origin=B)) is None
    assert acao(get(app, "/apiary")) is None  # flask-cors's regex serves /apiary
    assert acao(get(make(flask_cors, resources={r"/api/*": {"origins": [A]}}), "/apiary")) == A
    assert acao(get(make(resources="/apiary"), "/apiary")) == A
    assert acao(get(make(resources="/apiary"), "/api/items")) is None
    assert acao(get(make(resources=[r"^/api/.*$"]))) == A


def test_resources_most_specific_first():
    app = make(origins=[B], resources={r"/*": {}, r"/api/*": {"origins": [A]}})
    assert acao(get(app)) == A
    assert acao(get(app, "/apiary", origin=B)) == B


def test_resource_patterns_as_path_rules():
    assert cg.path_rule(r"/api/*") == "/api/**"
    assert cg.path_rule(r"/api\.v1/.*") == "/api.v1/**"
    assert cg.path_rule(r"^/api/v1$") == "/api/v1"
    assert cg.path_rule("*") == cg.path_rule(r"/*") == cg.path_rule(r".*") == "/**"
    assert cg.path_rule("/users") == "/users"
    for bad in (r"/users/\d+", "/a.b/*", "/(x|y)"):
        with pytest.raises(ValueError, match="path rules"):
            cg.path_rule(bad)


def test_inexpressible_resource_regex_is_refused():
    with pytest.raises(ValueError, match="path rules"):
        make(resources=[r"/users/\d+"])


def test_config_keys_and_precedence():
    config = {"CORS_ORIGINS": [A], "CORS_SUPPORTS_CREDENTIALS": True, "CORS_EXPOSE_HEADERS": "X-E"}
    app = make(config=config)
    r = get(app)
    assert acao(r) == A and r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Expose-Headers"] == "X-E"
    assert acao(get(make(config=config, origins=[B]), origin=B)) == B  # keywords over config
    app = make(config={"CORS_RESOURCES": {r"/api/*": {}}, "CORS_ORIGINS": [A]})
    assert acao(get(app, "/apiary")) is None


def test_init_app():
    app = Flask("init_app")

    @app.get("/x")
    def x():
        return "x"

    extension = cg.CORS(origins=[A])
    extension.init_app(app, supports_credentials=True)
    r = app.test_client().get("/x", headers={"Origin": A})
    assert acao(r) == A and r.headers["Access-Control-Allow-Credentials"] == "true"
    assert extension.document["profile"] == "flask_cors"


def test_cross_origin_decorator():
    app = Flask("decorated")

    @app.route("/d", methods=["GET", "PUT"])
    @cg.cross_origin(origins=[A], methods=["PUT"], max_age=5)
    def decorated():
        return "d"

    client = app.test_client()
    assert acao(client.get("/d", headers={"Origin": A})) == A
    assert acao(client.get("/d", headers={"Origin": B})) is None
    r = client.options("/d", headers={"Origin": A, "Access-Control-Request-Method": "PUT"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Max-Age"] == "5"
    assert "OPTIONS" in r.headers["Allow"]  # Flask's default OPTIONS answer


def test_decorator_wins_over_the_extension():
    app = Flask("both")

    @app.get("/d")
    @cg.cross_origin(origins=[B])
    def decorated():
        return "d"

    cg.CORS(app, origins=[A])
    client = app.test_client()
    assert acao(client.get("/d", headers={"Origin": B})) == B
    assert acao(client.get("/d", headers={"Origin": A})) is None


def test_exception_responses_carry_the_headers():
    app = make(origins=[A])
    app.testing = False
    r = get(app, "/boom")
    assert r.status_code == 500 and acao(r) == A
    assert acao(get(app, "/missing")) == A  # a 404
    quiet = make(origins=[A], intercept_exceptions=False)
    quiet.testing = False
    assert get(quiet, "/boom").status_code == 500


def test_refused_preflight_gets_vary_only():
    r = preflight(make(origins=[A]), origin=B)
    assert r.status_code == 200
    assert [k for k, _ in r.headers if k.startswith("Access-Control")] == []
    assert "Origin" in r.headers["Vary"]


def test_risky_options_warn_with_the_core_findings():
    with pytest.warns(cg.RiskyConfigWarning, match="wide_verdict_with_credentials"):
        make(supports_credentials=True)
    with pytest.warns(cg.RiskyConfigWarning, match="null_origin"):
        make(origins=["null"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make(origins=[A], supports_credentials=True)
        make()  # "*" without credentials: every origin, as meant


def test_bad_values_are_refused():
    with pytest.raises(DocumentError):
        make(origins=[A], expose_headers=["X-A\r\nSet-Cookie: a=b"])
    with pytest.raises(TypeError):
        make(origins=[A], unknown_option=True)


# The differences from flask-cors (README, "Differences from flask-cors").


def test_difference_start_anchored_regex_origin():
    options = {"origins": [r"https://.*\.a\.example\.com"]}
    evil = "https://x.a.example.com.evil.net"
    assert acao(get(make(flask_cors, **options), origin=evil)) == evil
    assert acao(get(make(**options), origin=evil)) is None


@pytest.mark.filterwarnings("ignore::corsguard.flask.RiskyConfigWarning")
def test_difference_null_with_credentials():
    options = {"supports_credentials": True}
    assert acao(get(make(flask_cors, **options), origin="null")) == "null"
    assert acao(get(make(**options), origin="null")) is None
    assert acao(get(make(**options), origin=B)) == B


def test_difference_literal_origin_case():
    assert acao(get(make(flask_cors, origins=[A]), origin=A.upper())) == A.upper()
    assert acao(get(make(origins=[A]), origin=A.upper())) is None


def test_difference_always_send_without_origin():
    theirs = get(make(flask_cors, origins=[B, A]), origin=None)
    assert theirs.headers.getlist("Access-Control-Allow-Origin") == [A]  # the first, sorted
    ours = get(make(origins=[A, B]), origin=None)
    assert acao(ours) is None


def test_difference_method_substring():
    theirs = preflight(make(flask_cors, methods=["GET", "PUT"]), method="GE")
    assert theirs.headers.get("Access-Control-Allow-Methods") == "GET, PUT"
    assert acao(preflight(make(methods=["GET", "PUT"]), method="GE")) is None


def test_difference_unlisted_method():
    theirs = preflight(make(flask_cors, methods=["PUT"]), method="GET")
    assert acao(theirs) == A and "Access-Control-Allow-Methods" not in theirs.headers
    assert acao(preflight(make(methods=["PUT"]), method="GET")) is None


def test_real_server_on_loopback():
    app = make(origins=[A], supports_credentials=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        connection.request("OPTIONS", "/api/items", headers={"Origin": A, "Access-Control-Request-Method": "PUT"})
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert response.getheader("Access-Control-Allow-Origin") == A
        assert response.getheader("Access-Control-Allow-Credentials") == "true"
        connection.request("GET", "/api/items", headers={"Origin": B})
        response = connection.getresponse()
        assert response.read() == b"items"
        assert response.getheader("Access-Control-Allow-Origin") is None
        connection.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_blueprint():
    from flask import Blueprint

    for module in (flask_cors, cg):
        blueprint = Blueprint(f"bp_{module.__name__.replace('.', '_')}", __name__)

        @blueprint.get("/bp")
        def bp():
            return "bp"

        module.CORS(blueprint, origins=[A])
        app = Flask(f"with_blueprint_{module.__name__}")

        @app.get("/outside")
        def outside():
            return "outside"

        app.register_blueprint(blueprint)
        client = app.test_client()
        assert acao(client.get("/bp", headers={"Origin": A})) == A
        assert acao(client.get("/bp", headers={"Origin": B})) is None
        assert acao(client.get("/outside", headers={"Origin": A})) is None
