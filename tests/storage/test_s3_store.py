"""The S3 blob store against moto's S3 server (the real REST protocol on 127.0.0.1): writes, multipart
uploads, ranged and presigned reads, local copies kept current across machines, deletes, key confinement,
and how a worker finds a project's asset files on a machine with another data folder."""

from __future__ import annotations

import hashlib
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto")

from faceless.domain import Project  # noqa: E402
from faceless.domain.errors import InputError  # noqa: E402
from faceless.storage.blobs import BlobTooLarge, LocalBlobStore, blob_store_for  # noqa: E402
from faceless.storage.keys import asset_key_of  # noqa: E402
from faceless.storage.s3 import MB, S3BlobStore, parse_storage_url  # noqa: E402
from faceless.testing.s3 import bucket, keys, moto_s3  # noqa: E402
from faceless.worker.render_job import localise_assets  # noqa: E402


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_s3() as url:
        yield url


@pytest.fixture
def s3(endpoint: str, request: pytest.FixtureRequest) -> tuple[Any, str]:
    name = f"unit-{request.node.name.replace('_', '-')[:40].lower()}"
    return bucket(endpoint, name), name


def _store(root: Path, endpoint: str, name: str, prefix: str = "pre/fix", **kw: Any) -> S3BlobStore:
    return S3BlobStore(root, name, prefix, endpoint_url=endpoint, region="us-east-1", **kw)


def test_roundtrip_between_machines_and_prefix_delete(
    endpoint: str, s3: tuple[Any, str], tmp_path: Path
) -> None:
    client, name = s3
    a, b = _store(tmp_path / "a", endpoint, name), _store(tmp_path / "b", endpoint, name)  # two machines
    src = tmp_path / "x.bin"
    src.write_bytes(b"first version" * 1000)
    key = "orgs/o1/assets/a1/original.bin"
    info = a.put_file(key, src)
    assert info.sha256 == hashlib.sha256(src.read_bytes()).hexdigest() and src.exists()  # copied, not moved
    head = client.head_object(Bucket=name, Key=f"pre/fix/{key}")
    assert head["ContentLength"] == info.size == a.size(key) and head["Metadata"]["sha256"] == info.sha256
    assert not (tmp_path / "a" / key).exists()  # the writer keeps no copy: the bucket is the store
    got = b.local_path(key)  # fetched on first use
    assert got is not None and got.read_bytes() == src.read_bytes()
    a.put_stream(key, [b"second ", b"version"], limit=100)
    got = b.local_path(key)  # the other machine's copy is refreshed (ETag changed)
    assert got is not None and got.read_bytes() == b"second version"
    with b.open(key) as fh:
        assert fh.read() == b"second version"
    with pytest.raises(BlobTooLarge):
        a.put_stream("orgs/o1/assets/a2/original.bin", [b"x" * 60, b"y" * 60], limit=100)
    assert not b.exists("orgs/o1/assets/a2/original.bin") and b.size("orgs/o1/assets/a2/original.bin") is None
    a.put_stream("orgs/o1/assets/a3/thumb.jpg", [b"t"], limit=10)
    a.put_stream("orgs/o2/assets/a9/thumb.jpg", [b"other org"], limit=10)
    a.delete_prefix("orgs/o1/assets")
    assert keys(client, name) == ["pre/fix/orgs/o2/assets/a9/thumb.jpg"]  # only that folder went
    assert b.local_path(key) is None  # gone everywhere, stale copy dropped
    assert not (tmp_path / "b" / key).exists()
    a.delete("orgs/o2/assets/a9/thumb.jpg")
    assert keys(client, name) == []
    assert not list((tmp_path / "a" / ".tmp").iterdir())  # no temp files left behind


def test_big_files_go_up_in_parts_and_are_read_by_range(
    endpoint: str, s3: tuple[Any, str], tmp_path: Path
) -> None:
    client, name = s3
    store = _store(tmp_path / "m", endpoint, name, "", multipart_threshold=5 * MB, multipart_chunksize=5 * MB)
    big = tmp_path / "big.bin"
    with big.open("wb") as fh:  # 11 MiB of varied bytes: three parts of 5 + 5 + 1 MiB
        for i in range(11):
            fh.write(hashlib.sha256(str(i).encode()).digest() * (MB // 32))
    data = big.read_bytes()
    info = store.put_file("orgs/o/renders/j/video.mp4", big, move=True)
    assert not big.exists() and info.size == len(data)
    etag = client.head_object(Bucket=name, Key="orgs/o/renders/j/video.mp4")["ETag"]
    assert etag.strip('"').endswith("-3"), etag  # S3's ETag of a 3-part multipart upload
    st = store.stat("orgs/o/renders/j/video.mp4")
    assert st is not None and st.size == len(data) and st.etag == etag
    assert (
        b"".join(store.iter_range("orgs/o/renders/j/video.mp4", 5 * MB - 3, 5 * MB + 4, etag=etag))
        == data[5 * MB - 3 : 5 * MB + 5]
    )
    tail = b"".join(store.iter_range("orgs/o/renders/j/video.mp4", len(data) - 10))
    assert tail == data[-10:]
    whole = hashlib.sha256()
    for chunk in store.iter_range("orgs/o/renders/j/video.mp4", chunk_size=MB):
        assert len(chunk) <= MB  # streamed, never the whole object at once
        whole.update(chunk)
    assert whole.hexdigest() == info.sha256


def test_presigned_url_is_served_by_the_object_store(
    endpoint: str, s3: tuple[Any, str], tmp_path: Path
) -> None:
    _, name = s3
    store = _store(tmp_path / "p", endpoint, name)
    store.put_stream("orgs/o/assets/a/original.png", [b"\x89PNG fake"], limit=100)
    url = store.presigned_url(
        "orgs/o/assets/a/original.png",
        expires=60,
        media_type="image/png",
        disposition='inline; filename="sea.png"',
    )
    assert url.startswith(f"{endpoint}/{name}/pre/fix/orgs/o/assets/a/original.png?") and "Signature" in url
    with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - moto on 127.0.0.1
        assert r.read() == b"\x89PNG fake"
        assert r.headers["Content-Type"] == "image/png"
        assert r.headers["Content-Disposition"] == 'inline; filename="sea.png"'


@pytest.mark.parametrize(
    "bad", ["../x", "/etc/passwd", "orgs/o/../../x", "a//b", "", "orgs/o/assets/ä", "a/./b", "orgs\\o"]
)
def test_bad_keys_are_refused_before_any_request(
    endpoint: str, s3: tuple[Any, str], tmp_path: Path, bad: str
) -> None:
    client, name = s3
    store = _store(tmp_path / "k", endpoint, name)
    src = tmp_path / "f"
    src.write_bytes(b"x")
    calls: list[Any] = [
        lambda: store.put_file(bad, src),
        lambda: store.put_stream(bad, [b"x"], limit=10),
        lambda: store.local_path(bad),
        lambda: store.exists(bad),
        lambda: store.delete(bad),
        lambda: store.delete_prefix(bad),
        lambda: store.iter_range(bad),
        lambda: store.presigned_url(bad),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="invalid blob key"):
            call()
    assert keys(client, name) == [] and src.exists()


def test_storage_url_parsing_and_choice(endpoint: str, tmp_path: Path) -> None:
    assert parse_storage_url("s3://media/faceless/prod") == ("media", "faceless/prod")
    assert parse_storage_url("s3://media") == ("media", "")
    for bad in ("http://media/x", "s3://", "media", "s3://media/../x", "s3://media/a b"):
        with pytest.raises(ValueError, match="storage URL"):
            parse_storage_url(bad)
    assert type(blob_store_for(tmp_path)) is LocalBlobStore
    chosen = blob_store_for(tmp_path, "s3://media/x", endpoint_url=endpoint, region="us-east-1")
    assert isinstance(chosen, S3BlobStore) and (chosen.bucket, chosen.prefix) == ("media", "x")
    assert chosen.root == (tmp_path / "blobs").resolve()


def test_a_worker_finds_assets_recorded_by_another_machine(
    endpoint: str, s3: tuple[Any, str], tmp_path: Path
) -> None:
    _, name = s3
    api = _store(tmp_path / "api" / "blobs", endpoint, name)
    worker = _store(tmp_path / "worker" / "blobs", endpoint, name)
    api.put_stream("orgs/o1/assets/a1/original.png", [b"picture"], limit=100)
    api.put_stream("orgs/o1/assets/a2/original.mp3", [b"tune"], limit=100)
    recorded = api.root / "orgs/o1/assets/a1/original.png"  # the path the API machine saved in the project
    project = Project.from_data(
        {
            "scenes": [
                {"id": "s1", "narration": "Hi.", "visual": {"kind": "image", "path": str(recorded)}},
                {"id": "s2", "narration": "Designed."},
            ],
            "music": {"source": str(api.root / "orgs/o1/assets/a2/original.mp3")},
        }
    )
    localise_assets(project, worker, "o1")
    visual = project.scenes[0].visual
    assert visual is not None and visual.path == str(worker.root / "orgs/o1/assets/a1/original.png")
    assert Path(visual.path).read_bytes() == b"picture"  # fetched before the render needs it
    assert Path(project.music.source).read_bytes() == b"tune"

    assert asset_key_of(str(recorded), "o2") is None  # another organisation's file is never rebased
    assert asset_key_of("/x/orgs/o1/assets/../../o2/assets/a/f.png", "o1") is None
    for path in (str(recorded), "/etc/passwd", str(worker.root / "orgs/o1/assets/a1/original.png")):
        other = Project.from_data(
            {"scenes": [{"id": "s", "narration": "Hi.", "visual": {"kind": "image", "path": path}}]}
        )
        with pytest.raises(InputError, match="not one of this organisation's assets"):
            localise_assets(other, worker, "o2")
    assert not (worker.root / "orgs/o2").exists()
    assert os.listdir(worker.root / ".tmp") == []
