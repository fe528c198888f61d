"""HTTP behaviour: one error body, malformed and oversized input, security headers, CORS, OpenAPI."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from server_helpers import Api, project_json


def _error(r) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]  # type: ignore[no-any-return]


def test_malformed_json_wrong_types_and_missing_fields(api: Api) -> None:
    acc = api.signup()
    url = f"/api/v1/orgs/{acc.org_id}/projects"
    headers = {**acc.auth, "Content-Type": "application/json"}
    r = api.client.post(url, content=b'{"project": {', headers=headers)
    assert r.status_code == 400 and _error(r)["code"] == "malformed_json"
    r = api.client.post(url, json={"project": "a string"}, headers=acc.auth)
    assert r.status_code == 422 and "project" in _error(r)["message"]
    r = api.client.post(url, json={}, headers=acc.auth)
    assert r.status_code == 422 and _error(r)["code"] == "validation_error"
    r = api.client.post(url, json={"project": project_json(), "extra": 1}, headers=acc.auth)
    assert r.status_code == 422
    r = api.client.post("/api/v1/auth/login", json={"email": 5, "password": ["x"]})
    assert r.status_code == 422
    r = api.client.post(url, content=b"\xff\xfe", headers=headers)
    assert 400 <= r.status_code < 500
    _error(r)


def test_huge_bodies_are_refused_with_413(api: Api) -> None:
    acc = api.signup()
    url = f"/api/v1/orgs/{acc.org_id}/projects"
    big = {"project": project_json(description="x" * 2_000_000)}
    r = api.client.post(url, json=big, headers=acc.auth)
    assert r.status_code == 413 and _error(r)["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the limit applies while streaming
        for _ in range(30):
            yield b"x" * 65536

    r = api.client.post(url, content=chunks(), headers={**acc.auth, "Content-Type": "application/json"})
    assert r.status_code == 413 and _error(r)["code"] == "payload_too_large"
    # Under the body limit but over the project size limit.
    r = api.client.post(url, json={"project": project_json(description="y" * 600_000)}, headers=acc.auth)
    assert r.status_code == 413


def test_not_found_and_method_not_allowed_use_the_error_body(api: Api) -> None:
    r = api.client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and _error(r)["code"] == "not_found"
    r = api.client.put("/api/v1/auth/login", json={})
    assert r.status_code == 405 and _error(r)["code"] == "method_not_allowed"
    acc = api.signup()
    r = api.as_(acc, "GET", "/orgs/" + "f" * 32)
    assert r.status_code == 404 and "organisation" in _error(r)["message"]
    r = api.as_(acc, "GET", "/orgs/" + "a" * 200)
    assert r.status_code == 422


def test_security_headers_everywhere(api: Api) -> None:
    for r in (
        api.client.get("/api/v1/health"),
        api.client.get("/api/v1/nothing"),
        api.client.post("/api/v1/auth/login", content=b"{"),
    ):
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert r.headers["x-frame-options"] == "DENY"


def test_openapi_and_docs(api: Api) -> None:
    spec = api.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgs/{org_id}/projects" in spec["paths"]
    assert "ErrorBody" in spec["components"]["schemas"]
    docs = api.client.get("/docs")
    assert docs.status_code == 200
    # Offline and CSP-clean: only same-origin assets, no inline script, and every asset is served.
    srcs = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert srcs and all(u.startswith("/docs/assets/") for u in srcs), srcs
    assert "<script>" not in docs.text and "cdn." not in docs.text
    assert "script-src 'self';" in docs.headers["content-security-policy"]
    for url in srcs:
        asset = api.client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 100, url
    assert "SwaggerUIBundle" in api.client.get("/docs/assets/init.js").text
    assert api.client.get("/docs/assets/..%2Fsecret_key").status_code == 404
    assert api.client.get("/docs/assets/index.html").status_code == 404  # allow-list only


def test_cors_from_settings(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(cors_origins="https://app.example.com")) as client:
        pre = client.options(
            "/api/v1/auth/me",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "https://app.example.com"
        assert pre.headers["access-control-allow-credentials"] == "true"
        evil = client.get("/api/v1/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in evil.headers
