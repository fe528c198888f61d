"""The asset library: validated uploads (hostile ones refused, nothing stored), serving, search both ways,
tags, delete, roles, and a scene pinning an uploaded asset."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jobs_helpers import jobs_app
from server_helpers import Account, Api

from faceless.testing.media import make_image, make_video

UPLOAD_LIMIT = 2 * 1024**2


@pytest.fixture(scope="module")
def aapp(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = jobs_app(tmp_path_factory.mktemp("assetdata"), db_url, upload_limit=UPLOAD_LIMIT)
    yield app
    app.state.ctx.engine.dispose()


@pytest.fixture
def aapi(aapp: FastAPI) -> Iterator[Api]:
    with TestClient(aapp) as client:
        yield Api(client)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    video = make_video(d / "ocean_waves.mp4", seconds=2, size="160x90", fps=15)
    half = d / "half.mp4"
    half.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    png_ihdr = struct.pack(">IIBBBBB", 40000, 40000, 1, 0, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = d / "bomb.png"
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", png_ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 50000))
        + chunk(b"IEND", b"")
    )
    (d / "empty.mp4").write_bytes(b"")
    (d / "notes.mp4").write_text("these are my notes, not a video\n" * 20)
    (d / "list.mp4").write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:2,\nhttp://127.0.0.1:9/seg.ts\n#EXT-X-ENDLIST\n"
    )
    (d / "concat.mp4").write_text(f"ffconcat version 1.0\nfile '{video}'\n")
    big = d / "big.mp4"  # only its size matters: it must be refused before anything looks at it
    big.write_bytes(video.read_bytes() + os.urandom(UPLOAD_LIMIT))
    assert big.stat().st_size > UPLOAD_LIMIT
    return {
        "video": video,
        "half": half,
        "bomb": bomb,
        "empty": d / "empty.mp4",
        "notes": d / "notes.mp4",
        "hls": d / "list.mp4",
        "ffconcat": d / "concat.mp4",
        "big": big,
        "ocean": make_image(d / "img1.png", size="96x64"),
        "city": make_image(d / "img2.jpg", size="96x64"),
    }


def _upload(api: Api, who: Account, path: Path, org: str | None = None, **form: str):  # type: ignore[no-untyped-def]
    with path.open("rb") as fh:
        return api.as_(
            who, "POST", f"/orgs/{org or who.org_id}/assets", files={"file": (path.name, fh)}, data=form
        )


def _stored_files(app: FastAPI) -> list[Path]:
    root: Path = app.state.blobs.root
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.slow
def test_hostile_uploads_are_refused_and_nothing_is_stored(
    aapp: FastAPI, aapi: Api, media: dict[str, Path]
) -> None:
    me = aapi.signup()
    before = _stored_files(aapp)
    expected = {
        "empty": (422, "empty file"),
        "half": (422, ""),
        "notes": (422, "text"),
        "hls": (422, "playlist"),
        "ffconcat": (422, ""),
        "bomb": (422, "image too large"),
        "big": (413, "over"),
    }
    for name, (status, words) in expected.items():
        r = _upload(aapi, me, media[name])
        assert r.status_code == status, (name, r.text)
        message = r.json()["error"]["message"]
        assert words.lower() in message.lower(), (name, message)
        assert "/tmp" not in message and str(aapp.state.blobs.root) not in message  # no server paths leak
    assert aapi.as_(me, "GET", f"/orgs/{me.org_id}/assets").json()["total"] == 0
    assert _stored_files(aapp) == before


@pytest.mark.slow
def test_upload_serve_tag_search_and_delete(aapp: FastAPI, aapi: Api, media: dict[str, Path]) -> None:
    me = aapi.signup()
    org = me.org_id
    video = _upload(
        aapi, me, media["video"], tags="Sea, waves ,sea", description="Ocean waves rolling onto a beach"
    )
    assert video.status_code == 201, video.text
    v = video.json()
    assert v["kind"] == "video" and (v["width"], v["height"]) == (160, 90) and v["tags"] == ["sea", "waves"]
    assert v["media_type"] == "video/mp4" and v["name"] == "ocean_waves.mp4" and 1.5 < v["duration"] < 2.5
    city = _upload(aapi, me, media["city"], description="City skyline with traffic lights at night").json()
    forest = _upload(
        aapi, me, media["ocean"], tags="trees", description="A quiet forest trail in autumn"
    ).json()
    assert city["kind"] == "image" and city["media_type"] == "image/jpeg"

    thumb = aapi.client.get(v["thumbnail_url"], headers=me.auth)
    assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"
    whole = aapi.client.get(v["file_url"], headers=me.auth)
    assert whole.content == media["video"].read_bytes()
    part = aapi.client.get(v["file_url"], headers={**me.auth, "Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == whole.content[:10]

    listing = aapi.as_(me, "GET", f"/orgs/{org}/assets", params={"limit": 2}).json()
    assert listing["total"] == 3 and [a["id"] for a in listing["items"]] == [forest["id"], city["id"]]
    by_kind = aapi.as_(me, "GET", f"/orgs/{org}/assets", params={"kind": "video"}).json()
    assert [a["id"] for a in by_kind["items"]] == [v["id"]]
    by_tag = aapi.as_(me, "GET", f"/orgs/{org}/assets", params={"tag": "trees"}).json()
    assert [a["id"] for a in by_tag["items"]] == [forest["id"]]

    text = aapi.as_(me, "GET", f"/orgs/{org}/assets", params={"q": "traffic"}).json()
    assert [a["id"] for a in text["items"]] == [city["id"]] and text["items"][0]["score"] > 0
    stemmed = aapi.as_(me, "GET", f"/orgs/{org}/assets", params={"q": "wave"}).json()  # 'waves' by stemming
    assert [a["id"] for a in stemmed["items"]] == [v["id"]]
    meaning = aapi.as_(
        me, "GET", f"/orgs/{org}/assets", params={"q": "the sea shore", "mode": "meaning"}
    ).json()
    assert meaning["items"][0]["id"] == v["id"]
    meaning = aapi.as_(
        me, "GET", f"/orgs/{org}/assets", params={"q": "woods and leaves", "mode": "meaning"}
    ).json()
    assert meaning["items"][0]["id"] == forest["id"]

    patched = aapi.as_(
        me, "PATCH", f"/orgs/{org}/assets/{city['id']}", json={"tags": ["Urban"], "name": "x/../y.jpg"}
    )
    assert (
        patched.status_code == 200
        and patched.json()["tags"] == ["urban"]
        and patched.json()["name"] == "y.jpg"
    )

    # A scene pinning the uploaded video, through the same planner as the CLI.
    r = aapi.as_(
        me,
        "POST",
        f"/orgs/{org}/projects/from-input",
        json={"scenes": [{"narration": "Waves.", "asset_id": v["id"]}], "format": "square"},
    )
    assert r.status_code == 201, r.text
    visual = r.json()["project"]["scenes"][0]["visual"]
    assert visual["pinned"] and visual["kind"] == "video" and visual["path"].endswith("original.mp4")

    foreign = aapi.signup()
    assert aapi.as_(foreign, "GET", f"/orgs/{org}/assets/{v['id']}").status_code == 404
    assert (
        aapi.as_(
            foreign,
            "POST",
            f"/orgs/{foreign.org_id}/projects/from-input",
            json={"scenes": [{"narration": "Mine.", "asset_id": v["id"]}]},
        ).status_code
        == 422
    )

    assert aapi.as_(me, "DELETE", f"/orgs/{org}/assets/{v['id']}").status_code == 204
    assert aapi.client.get(v["file_url"], headers=me.auth).status_code == 404
    assert not list((aapp.state.blobs.root / "orgs" / org / "assets").glob(f"{v['id']}*"))


def test_asset_roles(aapi: Api, media: dict[str, Path]) -> None:
    owner, editor, viewer, foreign = (aapi.signup() for _ in range(4))
    org = aapi.team(owner, {"editor": editor, "viewer": viewer})
    assert _upload(aapi, viewer, media["ocean"], org).status_code == 403
    created = _upload(aapi, editor, media["ocean"], org)
    assert created.status_code == 201
    aid = created.json()["id"]
    assert aapi.as_(viewer, "GET", f"/orgs/{org}/assets/{aid}").status_code == 200
    assert aapi.as_(viewer, "PATCH", f"/orgs/{org}/assets/{aid}", json={"tags": ["x"]}).status_code == 403
    assert aapi.as_(viewer, "DELETE", f"/orgs/{org}/assets/{aid}").status_code == 403
    assert _upload(aapi, foreign, media["ocean"], org).status_code == 404
    assert aapi.as_(foreign, "GET", f"/orgs/{org}/assets").status_code == 404
    assert aapi.as_(None, "GET", f"/orgs/{org}/assets").status_code == 401
    assert aapi.as_(editor, "DELETE", f"/orgs/{org}/assets/{aid}").status_code == 204
