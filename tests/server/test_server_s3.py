"""Object storage through the API, against moto's S3 server (the real REST protocol on 127.0.0.1): uploads
land in the bucket, downloads stream from it with HTTP Range (or a presigned redirect), a render on a
worker machine that shares only the bucket, the database and the queue fetches its asset and uploads its
files, and deleting an asset, a project or an organisation removes their objects."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jobs_helpers import FAST, jobs_app, wait_for
from server_helpers import Api, server_settings

from faceless.server.blob_response import _Unsatisfiable, content_disposition, parse_range
from faceless.service.settings import Settings
from faceless.worker import run_worker

pytest.importorskip("moto")

from faceless.testing.media import make_image  # noqa: E402
from faceless.testing.s3 import bucket, keys, moto_s3  # noqa: E402


def test_range_header_parsing() -> None:
    assert parse_range("bytes=10-29", 100) == (10, 29)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=95-200", 100) == (95, 99)  # clipped to the end
    assert parse_range("bytes=-10", 100) == (90, 99)  # the last 10 bytes
    assert parse_range("bytes=-500", 100) == (0, 99)
    # Ignored (the whole file is sent): no header, several ranges, other units, bad syntax, empty file.
    for ignored in (None, "", "bytes=0-1,5-6", "items=0-1", "bytes=a-b", "bytes=-", "bytes=9-3"):
        assert parse_range(ignored, 100) is None, ignored
    assert parse_range("bytes=0-10", 0) is None
    for beyond in ("bytes=100-", "bytes=100-200", "bytes=-0"):
        with pytest.raises(_Unsatisfiable):
            parse_range(beyond, 100)
    assert content_disposition("inline", "sea.png") == 'inline; filename="sea.png"'
    assert (
        content_disposition("attachment", 'é "x".mp4') == "attachment; filename*=utf-8''%C3%A9%20%22x%22.mp4"
    )


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    with moto_s3() as url:
        yield url


@contextmanager
def worker_machine(settings: Settings) -> Iterator[None]:
    """A worker with its own data folder, sharing the database, the queue and the bucket."""
    stop = threading.Event()
    t = threading.Thread(
        target=run_worker, args=(settings,), kwargs={"stop": stop, "tuning": FAST}, daemon=True
    )
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join(60)


def _files(root: Path) -> list[str]:
    return (
        sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


@pytest.mark.slow
def test_uploads_downloads_renders_and_deletes_through_the_bucket(
    s3_url: str, db_url: str, tmp_path: Path
) -> None:
    s3 = bucket(s3_url, "faceless-data")
    common: dict[str, Any] = {
        "storage_url": "s3://faceless-data/prod",
        "s3_endpoint_url": s3_url,
        "s3_region": "us-east-1",
        "secret_key": "shared-by-every-machine-" + "x" * 24,
    }
    app = jobs_app(tmp_path / "api", db_url, **common)
    other = jobs_app(
        tmp_path / "other", db_url, s3_presign_seconds=60, **common
    )  # shares bucket + database only
    queue = app.state.ctx.settings.queue_url  # the worker machine consumes the API's queue
    worker_settings = server_settings(tmp_path / "worker", db_url, queue_url=queue, **common)
    try:
        with TestClient(app) as client, TestClient(other) as client2:
            api, api2 = Api(client), Api(client2)
            me = api.signup()
            base = f"/orgs/{me.org_id}"
            image = make_image(tmp_path / "sea.png", size="320x200")
            with image.open("rb") as fh:
                r = api.as_(me, "POST", f"{base}/assets", files={"file": ("sea.png", fh)})
            assert r.status_code == 201, r.text
            asset = r.json()
            in_bucket = keys(s3, "faceless-data", f"prod/orgs/{me.org_id}/assets/{asset['id']}/")
            assert {k.rsplit("/", 1)[1] for k in in_bucket} >= {"original.png", "thumb.jpg"}
            assert not any(
                "original" in f for f in _files(tmp_path / "api" / "blobs")
            )  # no copy on the API machine

            # Downloads stream from the bucket on any machine, with Range.
            whole = image.read_bytes()
            url = f"{base}/assets/{asset['id']}/file"
            full = api2.as_(me, "GET", url)
            assert full.status_code == 200 and full.content == whole
            assert full.headers["accept-ranges"] == "bytes" and full.headers["content-type"] == "image/png"
            assert full.headers["content-disposition"] == 'inline; filename="sea.png"'
            for spec, want in (
                ("bytes=10-29", whole[10:30]),
                ("bytes=-10", whole[-10:]),
                ("bytes=100-", whole[100:]),
            ):
                part = api2.as_(me, "GET", url, headers={"Range": spec})
                assert part.status_code == 206 and part.content == want, spec
                assert part.headers["content-length"] == str(len(want))
            part = api2.as_(me, "GET", url, headers={"Range": "bytes=10-29"})
            assert part.headers["content-range"] == f"bytes 10-29/{len(whole)}"
            beyond = api2.as_(me, "GET", url, headers={"Range": f"bytes={len(whole)}-"})
            assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(whole)}"
            stale = api2.as_(me, "GET", url, headers={"Range": "bytes=0-9", "If-Range": '"old-version"'})
            assert stale.status_code == 200 and stale.content == whole
            same = api2.as_(me, "GET", url, headers={"Range": "bytes=0-9", "If-Range": full.headers["etag"]})
            assert same.status_code == 206 and same.content == whole[:10]
            thumb = api2.as_(me, "GET", f"{base}/assets/{asset['id']}/thumbnail.jpg")
            assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"
            assert (
                _files(tmp_path / "other" / "blobs") == []
            )  # streamed: nothing copied to the serving machine
            outsider = api.signup()
            assert api2.as_(outsider, "GET", url).status_code == 404  # the same access checks as before
            assert api2.as_(None, "GET", url).status_code == 401

            # Presigned redirect, where enabled (other: 60 s); the API machine (0) keeps proxying.
            moved = api2.as_(me, "GET", url, params={"redirect": "true"}, follow_redirects=False)
            assert moved.status_code == 307 and moved.headers["location"].startswith(
                f"{s3_url}/faceless-data/prod/"
            )
            with urllib.request.urlopen(moved.headers["location"], timeout=10) as got:  # noqa: S310 - moto, local
                assert got.read() == whole
            assert (
                api.as_(me, "GET", url, params={"redirect": "true"}, follow_redirects=False).status_code
                == 200
            )

            # A render of a scene showing the asset, on a worker machine with another data folder.
            r = api.as_(
                me,
                "POST",
                f"{base}/projects/from-input",
                json={
                    "scenes": [{"narration": "The sea.", "asset_id": asset["id"]}],
                    "format": "square",
                    "music": {"source": "none"},
                },
            )
            assert r.status_code == 201, r.text
            pid = r.json()["id"]
            job = api.as_(me, "POST", f"{base}/projects/{pid}/renders", json={}).json()
            with worker_machine(worker_settings):
                done = wait_for(
                    lambda: (
                        (j := api.as_(me, "GET", f"{base}/renders/{job['id']}").json())["state"]
                        in ("succeeded", "failed")
                        and j
                    )
                )
            assert done["state"] == "succeeded", done
            renders = f"prod/orgs/{me.org_id}/renders/{job['id']}/"
            assert f"{renders}video.mp4" in keys(s3, "faceless-data", renders)
            worker_files = _files(tmp_path / "worker" / "blobs")
            assert (
                f"orgs/{me.org_id}/assets/{asset['id']}/original.png" in worker_files
            )  # fetched before rendering
            assert not any("/renders/" in f for f in worker_files)  # outputs went up, not kept
            video = api2.as_(
                me, "GET", f"{base}/renders/{job['id']}/files/video.mp4", headers={"Range": "bytes=0-99"}
            )
            assert video.status_code == 206 and len(video.content) == 100 and video.content[4:8] == b"ftyp"
            srt = api2.as_(me, "GET", f"{base}/renders/{job['id']}/files/captions.srt")
            assert srt.status_code == 200 and "The sea" in srt.text
            assert srt.headers["content-disposition"] == 'attachment; filename="captions.srt"'

            # Deleting a project removes its renders' objects; deleting an asset removes its objects.
            assert api.as_(me, "DELETE", f"{base}/projects/{pid}").status_code == 204
            assert keys(s3, "faceless-data", renders) == []
            assert api.as_(me, "DELETE", f"{base}/assets/{asset['id']}").status_code == 204
            assert keys(s3, "faceless-data", f"prod/orgs/{me.org_id}/") == []
            assert api2.as_(me, "GET", url).status_code == 404

            # Deleting a team organisation removes everything stored for it.
            team = api.team(me, {})
            with image.open("rb") as fh:
                assert (
                    api.as_(me, "POST", f"/orgs/{team}/assets", files={"file": ("a.png", fh)}).status_code
                    == 201
                )
            assert keys(s3, "faceless-data", f"prod/orgs/{team}/")
            assert api.as_(me, "DELETE", f"/orgs/{team}").status_code == 204
            assert keys(s3, "faceless-data", f"prod/orgs/{team}/") == []
    finally:
        app.state.ctx.engine.dispose()
        other.state.ctx.engine.dispose()
