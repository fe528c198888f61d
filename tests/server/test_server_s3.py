"""Object storage: the S3 blob store against a local S3 (moto's server, which speaks the REST protocol),
the API's uploads and Range downloads through it, and a render whose files reach the bucket and are
served by another "machine" that shares only the bucket and the database."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from fastapi.testclient import TestClient
from jobs_helpers import TINY, jobs_app, wait_for, worker
from server_helpers import Api

from faceless.storage.blobs import BlobTooLarge, blob_store_for
from faceless.storage.s3 import S3BlobStore
from faceless.testing.media import make_image

pytest.importorskip("moto")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    mp = pytest.MonkeyPatch()
    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": "us-east-1"}.items():
        mp.setenv(k, v)
    mp.delenv("AWS_PROFILE", raising=False)
    port = _port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        mp.undo()


def _bucket(url: str, name: str) -> object:
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
    s3.create_bucket(Bucket=name)
    return s3


def test_store_roundtrip_cache_and_prefix_delete(s3_url: str, tmp_path: Path) -> None:
    s3 = _bucket(s3_url, "unit")
    a = S3BlobStore(tmp_path / "a", "unit", "pre/fix", endpoint_url=s3_url, region="us-east-1")
    b = S3BlobStore(tmp_path / "b", "unit", "pre/fix", endpoint_url=s3_url, region="us-east-1")  # another machine
    src = tmp_path / "x.bin"
    src.write_bytes(b"first version" * 1000)
    info = a.put_file("orgs/o1/assets/a1/original.bin", src)
    assert s3.head_object(Bucket="unit", Key="pre/fix/orgs/o1/assets/a1/original.bin")["ContentLength"] == info.size
    assert b.exists("orgs/o1/assets/a1/original.bin")
    got = b.local_path("orgs/o1/assets/a1/original.bin")  # fetched on first use
    assert got is not None and got.read_bytes() == src.read_bytes()
    a.put_stream("orgs/o1/assets/a1/original.bin", [b"second ", b"version"], limit=100)
    got = b.local_path("orgs/o1/assets/a1/original.bin")  # the other machine's copy is refreshed
    assert got is not None and got.read_bytes() == b"second version"
    with pytest.raises(BlobTooLarge):
        a.put_stream("orgs/o1/assets/a2/original.bin", [b"x" * 60, b"y" * 60], limit=100)
    assert not b.exists("orgs/o1/assets/a2/original.bin")
    with pytest.raises(ValueError):
        a.local_path("../../etc/passwd")
    a.put_stream("orgs/o1/assets/a3/thumb.jpg", [b"t"], limit=10)
    a.delete_prefix("orgs/o1/assets")
    assert s3.list_objects_v2(Bucket="unit", Prefix="pre/fix/").get("KeyCount") == 0
    assert b.local_path("orgs/o1/assets/a1/original.bin") is None  # gone everywhere, stale copy dropped
    assert not (tmp_path / "b" / "orgs/o1/assets/a1/original.bin").exists()


@pytest.mark.slow
def test_uploads_downloads_and_renders_through_the_bucket(s3_url: str, db_url: str, tmp_path: Path) -> None:
    s3 = _bucket(s3_url, "faceless-data")
    common = {"storage_url": "s3://faceless-data/prod", "s3_endpoint_url": s3_url, "s3_region": "us-east-1",
              "secret_key": "shared-by-every-machine-" + "x" * 24}
    app = jobs_app(tmp_path / "api-machine", db_url, **common)
    other = jobs_app(tmp_path / "other-machine", db_url, **common)  # shares the bucket and the database only
    try:
        with TestClient(app) as client, TestClient(other) as client2:
            api, api2 = Api(client), Api(client2)
            me = api.signup()
            image = make_image(tmp_path / "sea.png", size="320x200")
            with image.open("rb") as fh:
                r = api.as_(me, "POST", f"/orgs/{me.org_id}/assets", files={"file": ("sea.png", fh)})
            assert r.status_code == 201, r.text
            asset = r.json()
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="faceless-data")["Contents"]]
            assert any(k.startswith(f"prod/orgs/{me.org_id}/assets/{asset['id']}/original") for k in keys)
            whole = image.read_bytes()
            ranged = api2.as_(me, "GET", f"/orgs/{me.org_id}/assets/{asset['id']}/file",
                              headers={"Range": "bytes=10-29"})
            assert ranged.status_code == 206 and ranged.content == whole[10:30]

            r = api.as_(me, "POST", f"/orgs/{me.org_id}/projects/from-input", json=TINY)
            pid = r.json()["id"]
            job = api.as_(me, "POST", f"/orgs/{me.org_id}/projects/{pid}/renders", json={}).json()
            with worker(app):  # the worker has its own (empty) copy folder: app's data dir
                done = wait_for(lambda: (j := api.as_(me, "GET", f"/orgs/{me.org_id}/renders/{job['id']}").json())
                                ["state"] in ("succeeded", "failed") and j)
            assert done["state"] == "succeeded", done
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="faceless-data")["Contents"]]
            assert any(k.endswith(f"{job['id']}/video.mp4") for k in keys)
            video = api2.as_(me, "GET", f"/orgs/{me.org_id}/renders/{job['id']}/files/video.mp4")
            assert video.status_code == 200 and video.content[4:8] == b"ftyp"

            assert api.as_(me, "DELETE", f"/orgs/{me.org_id}/assets/{asset['id']}").status_code == 204
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="faceless-data").get("Contents", [])]
            assert not any(f"/assets/{asset['id']}/" in k for k in keys)
            assert blob_store_for(tmp_path / "third", "s3://faceless-data/prod", endpoint_url=s3_url,
                                  region="us-east-1").exists(f"orgs/{me.org_id}/assets/{asset['id']}/thumb.jpg") is False
    finally:
        app.state.ctx.engine.dispose()
        other.state.ctx.engine.dispose()
