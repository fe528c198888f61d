"""Blobs in S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, ...), read through a local cache.

The bucket is the source of truth, shared by every API and worker machine. Each machine keeps a
local copy of what it touched under `<data_dir>/blobs` (the same layout as `LocalBlobStore`), so
ffmpeg reads plain files and downloads are served with HTTP Range from disk: writes go to the
local copy first and then up to the bucket (multipart for big files, by boto3's transfer manager);
reads check the object's ETag and size with a HEAD and fetch it again only when it changed.

Configured by `FACELESS_STORAGE_URL=s3://bucket/prefix`, `FACELESS_S3_ENDPOINT_URL` (for anything
but AWS), `FACELESS_S3_REGION`; credentials come from the standard AWS environment or files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from faceless.storage.blobs import BlobInfo, LocalBlobStore, check_key


class S3BlobStore(LocalBlobStore):
    """`LocalBlobStore` semantics, with every blob also (and authoritatively) in `bucket/prefix`."""

    def __init__(self, cache_root: Path, bucket: str, prefix: str = "", *, client: Any = None,
                 endpoint_url: str | None = None, region: str | None = None) -> None:
        super().__init__(cache_root)
        if not bucket:
            raise ValueError("an S3 store needs a bucket: FACELESS_STORAGE_URL=s3://bucket/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if client is None:
            import boto3  # optional dependency: only when S3 is configured

            client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)
        self.s3 = client

    def _object(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _meta_path(self, key: str) -> Path:
        return self._path(key).with_name(self._path(key).name + ".s3meta")

    def _remember(self, key: str, etag: str, size: int) -> None:
        meta = self._meta_path(key)
        tmp = self.temp_path(".meta")
        tmp.write_text(json.dumps({"etag": etag, "size": size}))
        os.replace(tmp, meta)

    def _upload(self, key: str, info: BlobInfo) -> BlobInfo:
        path = self._path(key)
        # upload_file switches to multipart above 8 MB and streams from disk: constant memory.
        self.s3.upload_file(str(path), self.bucket, self._object(key),
                            ExtraArgs={"Metadata": {"sha256": info.sha256}})
        head = self.s3.head_object(Bucket=self.bucket, Key=self._object(key))
        self._remember(key, head["ETag"], int(head["ContentLength"]))
        return info

    def put_file(self, key: str, source: Path, *, move: bool = False) -> BlobInfo:
        """Store `source` under `key`: in the local copy, then in the bucket."""
        info = super().put_file(key, source, move=move)
        try:
            return self._upload(key, info)
        except Exception:
            super().delete(key)  # not in the bucket: not stored at all
            raise

    def put_stream(self, key: str, chunks: Iterable[bytes], *, limit: int) -> BlobInfo:
        """Store streamed bytes (BlobTooLarge past `limit`, nothing stored), then upload them."""
        info = super().put_stream(key, chunks, limit=limit)
        try:
            return self._upload(key, info)
        except Exception:
            super().delete(key)
            raise

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return dict(self.s3.head_object(Bucket=self.bucket, Key=self._object(key)))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def local_path(self, key: str) -> Path | None:
        """A local file with the current content of `key` (downloaded when missing or changed); None
        if the bucket has no such object."""
        head = self._head(key)
        if head is None:
            super().delete(key)  # deleted elsewhere: drop the stale copy too
            return None
        path = self._path(key)
        meta = self._meta_path(key)
        if path.is_file() and meta.is_file():
            known = json.loads(meta.read_text())
            if known.get("etag") == head["ETag"] and known.get("size") == int(head["ContentLength"]):
                return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.temp_path(path.suffix)
        try:
            self.s3.download_file(self.bucket, self._object(key), str(tmp))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        self._remember(key, head["ETag"], int(head["ContentLength"]))
        return path

    def open(self, key: str) -> Any:
        path = self.local_path(key)
        if path is None:
            raise FileNotFoundError(key)
        return path.open("rb")

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=self._object(key))
        super().delete(key)
        self._meta_path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        """Delete every object under `prefix/`, in the bucket and here."""
        folder = self._object(prefix.rstrip("/")) + "/"
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=folder):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            for i in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
                self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys[i:i + 1000], "Quiet": True})
        super().delete_prefix(prefix)

    def materialise(self, path: str) -> None:
        """Make sure a file of this store named by its local path (as projects record it) is here."""
        try:
            key = Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return
        self.local_path(key)


def parse_storage_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix")."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"unsupported storage URL {url!r}: use s3://bucket/prefix (or leave it unset for local files)")
    return parts.netloc, parts.path.strip("/")
