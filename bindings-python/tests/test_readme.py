"""The README's Python examples work as written."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import httpx
from werkzeug.test import Client

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def block(marker: str) -> str:
    found = [b for b in BLOCKS if marker in b]
    assert len(found) == 1, marker
    return found[0]


PREFLIGHT = {"origin": "https://app.example.com", "access-control-request-method": "GET"}


def asgi_get(app, method: str, path: str, headers: dict) -> httpx.Response:
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, path, headers=headers)

    return asyncio.run(go())


def test_fastapi_quick_start():
    ns: dict = {}
    exec(block("app.add_middleware(\n    CORSMiddleware,\n"), ns)
    r = asgi_get(ns["app"], "GET", "/items", {"origin": "https://app.example.com"})
    assert r.json() == [{"id": 1}]
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    assert asgi_get(ns["app"], "OPTIONS", "/items", PREFLIGHT).status_code == 200


def test_starlette_quick_start():
    ns: dict = {}
    exec(block("from starlette.applications import Starlette"), ns)
    r = asgi_get(ns["app"], "GET", "/items", {"origin": "https://pr-12.preview.example.com"})
    assert r.headers["access-control-allow-origin"] == "https://pr-12.preview.example.com"
    assert r.headers["access-control-expose-headers"] == "x-total-count"


def test_flask_quick_start():
    ns: dict = {"__name__": "readme_flask"}
    exec(block("app.wsgi_app = CORSMiddleware("), ns)
    client = Client(ns["app"])
    r = client.get("/items", headers={"Origin": "https://app.example.com"})
    assert r.json == [{"id": 1}]
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    r = client.options("/items", headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200


def test_django_quick_start():
    import test_wsgi

    test_wsgi.django_app()  # settings for a one-file project (the README's come from mysite.settings)
    before = os.environ.get("DJANGO_SETTINGS_MODULE")
    try:
        ns: dict = {}
        exec(block("mysite/wsgi.py"), ns)
    finally:
        if before is None:
            os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        else:
            os.environ["DJANGO_SETTINGS_MODULE"] = before
    client = Client(ns["application"])
    r = client.get("/items", headers={"Origin": "https://app.example.com"})
    assert r.get_data() == b"django GET"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"


def test_policy_from_file_example(monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[2])  # the repository root, as the README says
    exec(block("Policy.from_file("), {})


def test_policy_example(capsys):
    exec(block("import corsguard\n\npolicy = corsguard.Policy(\n"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[1] == ("wildcard_origin_with_credentials /allowOrigins/0 - allow_origins `*` with credentials: "
                      "browsers reject a wildcard origin on credentialed requests; list the exact origins instead")
    assert out[2].startswith("malformed_origin /allowOrigins/1 - allow_origins `https://app.example.com/`: ")
    assert len(out) == 3


def test_policy_middleware_quick_start():
    ns: dict = {}
    exec(block("Middleware(PolicyMiddleware, policy=policy)"), ns)
    r = asgi_get(ns["app"], "OPTIONS", "/", {**PREFLIGHT, "access-control-request-method": "PUT"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    assert r.headers["access-control-allow-methods"] == "GET, PUT"


def test_routes_example():
    ns: dict = {}
    exec(block('"routes": ['), ns)
    policy = ns["policy"]
    assert policy.route("/admin") == "admin"
    assert policy.evaluate("GET", origin="https://elsewhere.example", path="/api/x").allowed


def test_django_drop_in_settings():
    import django_project

    django_project.configure()
    from django.core import checks
    from django.test import Client, override_settings

    ns: dict = {}
    exec(block("# mysite/settings.py"), ns)
    project = {k: v for k, v in ns.items() if k.isupper()}
    with override_settings(ROOT_URLCONF="django_project", **project):
        assert [m for m in checks.run_checks() if m.id.startswith("corsguard.")] == []
        r = Client().get("/api/items", headers={"Origin": "https://app.example.com"})
        assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert r.headers["Access-Control-Allow-Credentials"] == "true"
        assert "Access-Control-Allow-Origin" not in Client().get("/items", headers={"Origin": "https://app.example.com"}).headers


def test_flask_drop_in():
    ns: dict = {"__name__": "readme_flask_cors"}
    exec(block("from corsguard.flask import CORS, cross_origin"), ns)
    client = Client(ns["app"])
    r = client.get("/api/items", headers={"Origin": "https://app.example.com"})
    assert r.json == [{"id": 1}]
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Access-Control-Allow-Origin" not in client.get("/api/items", headers={"Origin": "https://evil.example"}).headers
    r = client.get("/public", headers={"Origin": "https://evil.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "```diff\n-from flask_cors import CORS\n+from corsguard.flask import CORS\n```" in README


def test_refusal_hook_example(caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="myapp.cors"):
        exec(block("def log_refusal(request, refusal):"), {"__name__": "readme_refusals"})
    printed = README.split("def log_refusal(request, refusal):", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    got = [f"{r.levelname} {r.getMessage()}" for r in caplog.records if r.name == "myapp.cors"]
    assert got == printed.splitlines()
    assert len(got) == 2


def test_cors_on_errors_example():
    ns: dict = {}
    exec(block("cors_on_errors=True)"), ns)

    async def go():
        transport = httpx.ASGITransport(app=ns["app"], raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get("/report", headers={"Origin": "https://app.example.com"})

    r = asyncio.run(go())
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
