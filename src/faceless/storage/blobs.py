"""Blob storage for uploads and render outputs: a protocol with a local-directory implementation.

Keys are `/`-separated names made of safe segments (`orgs/<id>/assets/<id>/original.mp4`); anything
else (`..`, absolute paths, odd characters) is refused, so a key can never escape the store's root.
Writes are temp-file-then-rename, so a reader (or a killed writer) never sees a half-written blob.
`faceless.storage.s3.S3BlobStore` implements the same calls on an S3-compatible bucket (chosen by
`FACELESS_STORAGE_URL`); downloads go through `faceless.server.blob_response` for either store.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class BlobTooLarge(Exception):
    """A streamed blob went over its size limit (nothing was stored)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"over {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    sha256: str


def check_key(key: str) -> str:
    """Return `key` if every segment is safe; ValueError otherwise (never reaches the filesystem)."""
    parts = key.split("/")
    if not parts or any(not _SEGMENT.match(p) or p in (".", "..") for p in parts):
        raise ValueError(f"invalid blob key {key!r}")
    return key


class BlobStore(Protocol):
    """Where files live. Local directory by default; object stores implement the same calls."""

    def put_file(self, key: str, source: Path, *, move: bool = False) -> BlobInfo: ...

    def put_stream(self, key: str, chunks: Iterable[bytes], *, limit: int) -> BlobInfo: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int | None: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> None: ...

    def local_path(self, key: str) -> Path | None: ...


class LocalBlobStore:
    """Blobs as files under `root` (the default: `<data_dir>/blobs`)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmp = self.root / ".tmp"
        self._tmp.mkdir(exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def temp_path(self, suffix: str = "") -> Path:
        """A fresh path on the store's filesystem, for files that may later be moved in atomically."""
        return self._tmp / f"{uuid.uuid4().hex}{suffix}"

    def put_file(self, key: str, source: Path, *, move: bool = False) -> BlobInfo:
        """Store a copy of `source` (or move it, when on the same filesystem) under `key`."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = sha256_file(source)
        tmp = self.temp_path()
        if move:
            try:
                os.replace(source, tmp)
            except OSError:  # another filesystem: copy instead
                shutil.copyfile(source, tmp)
                Path(source).unlink(missing_ok=True)
        else:
            shutil.copyfile(source, tmp)
        size = tmp.stat().st_size
        os.replace(tmp, target)
        return BlobInfo(key=key, size=size, sha256=digest)

    def put_stream(self, key: str, chunks: Iterable[bytes], *, limit: int) -> BlobInfo:
        """Store streamed bytes; BlobTooLarge (and nothing stored) once they pass `limit`."""
        target = self._path(key)
        tmp = self.temp_path()
        try:
            size, digest = spool(chunks, tmp, limit=limit)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return BlobInfo(key=key, size=size, sha256=digest)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        """Bytes stored under `key`; None if there is no such blob."""
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        """Delete every blob under `prefix/` (a folder of keys)."""
        path = self._path(prefix.rstrip("/"))
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)

    def local_path(self, key: str) -> Path | None:
        """The file holding `key` (for range-serving and ffmpeg inputs); None if it does not exist."""
        path = self._path(key)
        return path if path.is_file() else None


def spool(chunks: Iterable[bytes], target: Path, *, limit: int) -> tuple[int, str]:
    """Write `chunks` to `target`; (size, sha256). BlobTooLarge as soon as they pass `limit`."""
    h = hashlib.sha256()
    size = 0
    with Path(target).open("wb") as fh:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise BlobTooLarge(limit)
            h.update(chunk)
            fh.write(chunk)
    return size, h.hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read 1 MiB at a time."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def blob_store_for(
    data_dir: Path, storage_url: str = "", *, endpoint_url: str | None = None, region: str | None = None
) -> LocalBlobStore:
    """The store a service with `data_dir` uses (shared by the API and its workers): local files under
    `<data_dir>/blobs`, or an S3-compatible bucket (`s3://bucket/prefix`; local copies of ffmpeg inputs
    are kept in that folder). ValueError for a storage URL it cannot use."""
    if not storage_url:
        return LocalBlobStore(Path(data_dir) / "blobs")
    from faceless.storage.s3 import S3BlobStore, parse_storage_url

    bucket, prefix = parse_storage_url(storage_url)
    return S3BlobStore(Path(data_dir) / "blobs", bucket, prefix, endpoint_url=endpoint_url, region=region)
