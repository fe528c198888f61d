"""Scene previews through the API: who may see them, caching, and files outside the org's assets."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jobs_helpers import jobs_app
from PIL import Image
from server_helpers import Api

from faceless.testing.media import make_image


@pytest.fixture(scope="module")
def papp(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = jobs_app(tmp_path_factory.mktemp("previewdata"), db_url)
    yield app
    app.state.ctx.engine.dispose()


@pytest.fixture
def papi(papp: FastAPI) -> Iterator[Api]:
    with TestClient(papp) as client:
        yield Api(client)


def _project(api: Api, who: object, org: str, scenes: list[dict]) -> str:
    r = api.as_(who, "POST", f"/orgs/{org}/projects",  # type: ignore[arg-type]
                json={"project": {"title": "P", "format": "square", "scenes": scenes}})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_preview_roles_cache_and_not_found(papi: Api) -> None:
    owner, viewer, stranger = papi.signup(), papi.signup(), papi.signup()
    org = papi.team(owner, {"viewer": viewer})
    pid = _project(papi, owner, org, [{"id": "s1", "narration": "Octopuses have three hearts."}])
    url = f"/orgs/{org}/projects/{pid}/scenes/s1/preview.jpg"
    r = papi.as_(viewer, "GET", url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    with Image.open(BytesIO(r.content)) as im:
        assert im.size == (360, 360)
    assert papi.as_(viewer, "GET", url, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    again = papi.as_(owner, "GET", url)
    assert again.content == r.content and again.headers["etag"] == r.headers["etag"]  # from the cache
    assert papi.as_(stranger, "GET", url).status_code == 404  # another tenant's project does not exist
    assert papi.as_(None, "GET", url).status_code == 401
    assert papi.as_(viewer, "GET", f"/orgs/{org}/projects/{pid}/scenes/nope/preview.jpg").status_code == 404
    # An edit changes the preview's ETag.
    r2 = papi.as_(owner, "PUT", f"/orgs/{org}/projects/{pid}", json={"project": {
        "title": "P", "format": "square", "scenes": [{"id": "s1", "narration": "And blue blood."}]}})
    assert r2.status_code == 200, r2.text
    assert papi.as_(viewer, "GET", url).headers["etag"] != r.headers["etag"]


def test_files_outside_the_orgs_assets_are_refused(papi: Api, tmp_path: Path) -> None:
    me = papi.signup()
    secret = make_image(tmp_path / "server-file.png", size="64x64")  # a file on the server, not an asset
    pid = _project(papi, me, me.org_id, [{"id": "s1", "narration": "Look.",
                                         "visual": {"kind": "image", "path": str(secret), "source": "x"}}])
    r = papi.as_(me, "GET", f"/orgs/{me.org_id}/projects/{pid}/scenes/s1/preview.jpg")
    assert r.status_code == 422 and "assets" in r.json()["error"]["message"]
