"""The style fields offer the cloud providers this server has keys for (stock, image generation, music)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, web_settings

from faceless.providers.config import ENV_MAP
from faceless.server.app import create_app


def _wizard_html(tmp_path: Path) -> str:
    app = create_app(web_settings(tmp_path))
    try:
        with TestClient(app) as c:
            r = c.post(
                "/api/v1/auth/signup", json={"email": "svc@example.com", "password": PASSWORD, "name": "S"}
            )
            assert r.status_code == 201, r.text
            page = c.get("/new")
            assert page.status_code == 200
            return page.text
    finally:
        app.state.ctx.engine.dispose()


def test_configured_services_are_offered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_MAP:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FACELESS_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("PEXELS_API_KEY", "px")
    monkeypatch.setenv("STABILITY_API_KEY", "st")
    monkeypatch.setenv("JAMENDO_CLIENT_ID", "jm")
    html = _wizard_html(tmp_path)
    assert 'name="stock" value="pexels"' in html and 'name="images" value="stability"' in html
    assert 'value="jamendo"' in html
    assert (
        'value="pixabay"' not in html and 'name="images" value="openai"' not in html
    )  # no keys: not offered


def test_no_services_no_fieldset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_MAP:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FACELESS_CONFIG", str(tmp_path / "none.toml"))
    html = _wizard_html(tmp_path)
    assert "-sources" not in html and "music service" not in html
