"""Scene previews through the API: who may see them, caching, and files outside the org's assets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jobs_helpers import jobs_app
from PIL import Image, ImageStat
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
    r = api.as_(
        who,
        "POST",
        f"/orgs/{org}/projects",  # type: ignore[arg-type]
        json={"project": {"title": "P", "format": "square", "scenes": scenes}},
    )
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
    r2 = papi.as_(
        owner,
        "PUT",
        f"/orgs/{org}/projects/{pid}",
        json={
            "project": {
                "title": "P",
                "format": "square",
                "scenes": [{"id": "s1", "narration": "And blue blood."}],
            }
        },
    )
    assert r2.status_code == 200, r2.text
    assert papi.as_(viewer, "GET", url).headers["etag"] != r.headers["etag"]


def test_files_outside_the_orgs_assets_are_refused(papp: FastAPI, papi: Api, tmp_path: Path) -> None:
    me = papi.signup()
    secret = make_image(tmp_path / "server-file.png", size="64x64")  # a file on the server, not an asset
    pid = _project(
        papi,
        me,
        me.org_id,
        [{"id": "s1", "narration": "Look.", "visual": {"kind": "image", "path": str(secret), "source": "x"}}],
    )
    r = papi.as_(me, "GET", f"/orgs/{me.org_id}/projects/{pid}/scenes/s1/preview.jpg")
    assert r.status_code == 422 and "assets" in r.json()["error"]["message"]
    # Nor another organisation's asset, even one that exists on this machine.
    other = papi.signup()
    theirs = _asset_file(papp, other.org_id, "a9")
    pid = _project(
        papi,
        me,
        me.org_id,
        [{"id": "s1", "narration": "Look.", "visual": {"kind": "image", "path": str(theirs), "source": "x"}}],
    )
    r = papi.as_(me, "GET", f"/orgs/{me.org_id}/projects/{pid}/scenes/s1/preview.jpg")
    assert r.status_code == 422 and "assets" in r.json()["error"]["message"]


def _asset_file(app: FastAPI, org: str, name: str) -> Path:
    """A picture stored where the org's uploaded assets live."""
    return make_image(app.state.blobs.root / f"orgs/{org}/assets/{name}/original.png", size="320x200")


def test_asset_picture_drawn_once_and_busy_answers_503(
    papp: FastAPI, papi: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from faceless.server.routes import previews

    me = papi.signup()
    picture = _asset_file(papp, me.org_id, "a1")
    pid = _project(
        papi,
        me,
        me.org_id,
        [
            {
                "id": "s1",
                "narration": "The sea at dawn.",
                "visual": {"kind": "image", "path": str(picture), "source": "x"},
            },
            # Another scene pointing outside the org's assets does not stop this scene's preview.
            {
                "id": "s2",
                "narration": "Elsewhere.",
                "visual": {"kind": "image", "path": "/etc/hostname", "source": "x"},
            },
        ],
    )
    url = f"/orgs/{me.org_id}/projects/{pid}/scenes/s1/preview.jpg"

    # Everything busy: a bounded wait, then 503 with Retry-After (nothing cached, nothing half-written).
    monkeypatch.setattr(previews, "_SLOTS", threading.BoundedSemaphore(1))
    monkeypatch.setattr(previews, "SLOT_WAIT", 0.05)
    previews._SLOTS.acquire()
    r = papi.as_(me, "GET", url)
    assert r.status_code == 503 and r.headers["retry-after"] == "2" and r.json()["error"]["code"] == "busy"
    previews._SLOTS.release()
    monkeypatch.setattr(previews, "SLOT_WAIT", 10.0)

    # Concurrent requests for one preview draw it once.
    from faceless.render import preview

    calls: list[str] = []
    real = preview.render_scene_preview

    def counted(*args: object, **kw: object) -> Path:
        calls.append("x")
        time.sleep(0.2)  # long enough for the other requests to arrive while it draws
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(preview, "render_scene_preview", counted)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: papi.as_(me, "GET", url), range(4)))
    assert [a.status_code for a in answers] == [200] * 4 and len(calls) == 1
    assert len({a.content for a in answers}) == 1
    with Image.open(BytesIO(answers[0].content)) as im:
        assert im.size == (360, 360) and max(ImageStat.Stat(im.convert("L")).stddev) > 8
    # A weak or listed If-None-Match matches too (RFC 9110 weak comparison).
    etag = answers[0].headers["etag"]
    assert papi.as_(me, "GET", url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert papi.as_(me, "GET", f"/orgs/{me.org_id}/projects/{pid}/scenes/s2/preview.jpg").status_code == 422


def test_preview_fetches_an_asset_from_object_storage(db_url: str, tmp_path: Path) -> None:
    """Another machine (its own data folder, no copy of the asset yet) fetches it from the bucket first."""
    pytest.importorskip("moto")
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    mp = pytest.MonkeyPatch()
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        mp.setenv(k, v)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    app = None
    try:
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
        s3.create_bucket(Bucket="previews")
        app = jobs_app(
            tmp_path / "data",
            db_url,
            storage_url="s3://previews/x",
            s3_endpoint_url=url,
            s3_region="us-east-1",
        )
        with TestClient(app) as client:
            api = Api(client)
            me = api.signup()
            with make_image(tmp_path / "sea.png", size="320x200").open("rb") as fh:
                r = api.as_(me, "POST", f"/orgs/{me.org_id}/assets", files={"file": ("sea.png", fh)})
            assert r.status_code == 201, r.text
            [key] = [
                o["Key"].removeprefix("x/")
                for o in s3.list_objects_v2(Bucket="previews")["Contents"]
                if f"orgs/{me.org_id}/" in o["Key"] and "/original" in o["Key"]
            ]
            local = app.state.blobs.root / key  # where this machine keeps its copy
            # The project names the file as the machine that chose it saw it (another data folder).
            chosen = f"/srv/other-machine/blobs/{key}"
            pid = _project(
                api,
                me,
                me.org_id,
                [
                    {
                        "id": "s1",
                        "narration": "The sea.",
                        "visual": {"kind": "image", "path": chosen, "source": "x"},
                    }
                ],
            )
            local.unlink(missing_ok=True)  # as on a machine that has not used this asset yet
            r = api.as_(me, "GET", f"/orgs/{me.org_id}/projects/{pid}/scenes/s1/preview.jpg")
            assert r.status_code == 200, r.text
            assert local.is_file()  # fetched from the bucket
            with Image.open(BytesIO(r.content)) as im:
                assert im.size == (360, 360) and max(ImageStat.Stat(im.convert("L")).stddev) > 8
    finally:
        if app is not None:
            app.state.ctx.engine.dispose()
        server.stop()
        mp.undo()
