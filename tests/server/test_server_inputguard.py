"""NUL characters are refused at the door with one 422 on both backends (PostgreSQL cannot store them:
before the guard, a NUL in an e-mail, a title or an organisation name was a 500 there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jobs_helpers import jobs_app
from server_helpers import PASSWORD, Api, project_json

from faceless.server.inputguard import has_json_nul
from faceless.testing.media import make_image


@pytest.mark.parametrize(
    ("body", "nul"),
    [
        (b'{"a": "x\\u0000y"}', True),
        (b'{"a": "\\\\\\u0000"}', True),  # an escaped backslash, then the NUL escape
        (b'{"a\\u0000": 1}', True),  # in a key
        (b'{"a": "\\\\u0000"}', False),  # a literal backslash followed by "u0000": harmless text
        (b'{"a": "\\\\\\\\u0000"}', False),
        (b'{"a": "\\u00001"}', True),
        (b'{"a": "\\u0001"}', False),
        ('{"a": "é"}'.encode(), False),
        (b'{"a": "x\x00"}', True),  # raw NUL (invalid UTF-8 JSON, or UTF-16 JSON)
    ],
)
def test_json_nul_detection(body: bytes, nul: bool) -> None:
    assert has_json_nul(body) is nul


def _refused(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    assert r.json()["error"] == {
        "code": "validation_error",
        "message": "text must not contain NUL (U+0000) characters: remove them",
    }


def test_nul_in_bodies_paths_and_queries_is_a_422_everywhere(api: Api) -> None:
    c = api.client
    email = "nul-guard@example.com"
    _refused(c.post("/api/v1/auth/signup", json={"email": "nul\x00-guard@example.com", "password": PASSWORD}))
    _refused(c.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "name": "N\x00"}))
    _refused(c.post("/api/v1/auth/login", json={"email": "a\x00@example.com", "password": PASSWORD}))
    _refused(c.post("/api/v1/auth/password/forgot", json={"email": "a\x00@example.com"}))
    # Nothing was written: the address is still free.
    assert c.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 201
    me = api.signup()
    _refused(api.as_(me, "POST", "/orgs", json={"name": "Team\x00"}))
    _refused(api.as_(me, "POST", f"/orgs/{me.org_id}/projects", json={"project": project_json("T\x00")}))
    # Same, sent as raw bytes with the escape and a +json media type (FastAPI parses it as JSON too).
    _refused(
        api.as_(
            me,
            "POST",
            "/orgs",
            content=b'{"name": "a\\u0000"}',
            headers={"content-type": "application/vnd.faceless+json; charset=utf-8"},
        )
    )
    _refused(api.as_(me, "GET", f"/orgs/{me.org_id}/projects?q=a%00b"))
    _refused(api.as_(me, "GET", f"/orgs/{me.org_id}/projects/a%00b"))
    assert api.as_(me, "GET", f"/orgs/{me.org_id}/projects").json()["total"] == 0
    assert len(api.as_(me, "GET", "/orgs").json()) == 1  # only the personal organisation
    # A literal backslash-u-0000 is ordinary text and round-trips on both backends.
    r = api.as_(me, "POST", f"/orgs/{me.org_id}/projects", json={"project": project_json("say \\u0000")})
    assert r.status_code == 201, r.text
    assert api.as_(me, "GET", f"/orgs/{me.org_id}/projects/{r.json()['id']}").json()["title"] == "say \\u0000"


@pytest.fixture(scope="module")
def assets_app(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = jobs_app(tmp_path_factory.mktemp("guard"), db_url)
    yield app
    app.state.ctx.engine.dispose()


def test_nul_in_upload_form_fields_is_a_422(assets_app: FastAPI, tmp_path: Path) -> None:
    image = make_image(tmp_path / "pic.png", size="32x32")
    with TestClient(assets_app) as client:
        api = Api(client)
        me = api.signup()
        for field in ("description", "tags"):
            with image.open("rb") as fh:
                r = api.as_(
                    me,
                    "POST",
                    f"/orgs/{me.org_id}/assets",
                    files={"file": ("pic.png", fh)},
                    data={field: "sea\x00"},
                )
            assert r.status_code == 422 and field in r.json()["error"]["message"], r.text
        assert api.as_(me, "GET", f"/orgs/{me.org_id}/assets").json()["total"] == 0
        with image.open("rb") as fh:  # the same upload without the NUL is fine
            r = api.as_(
                me,
                "POST",
                f"/orgs/{me.org_id}/assets",
                files={"file": ("pic.png", fh)},
                data={"description": "sea", "tags": "blue"},
            )
        assert r.status_code == 201, r.text
