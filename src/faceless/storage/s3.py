"""Blobs in S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, ...).

The bucket is the only copy that counts, shared by every API and worker machine; nothing needs a
shared folder. Writes stream a local file up (boto3's transfer manager switches to a multipart upload
above `multipart_threshold`, reading one part at a time), downloads are streamed from the bucket with
HTTP Range requests (`iter_range`) or handed out as presigned URLs. Only code that needs a real file
(ffmpeg inputs of a render or preview, stored embeddings) calls `local_path`, which keeps a local copy
under `<data_dir>/blobs` (the `LocalBlobStore` layout) and fetches it again when the object's ETag or
size changed.

Configured by `FACELESS_STORAGE_URL=s3://bucket/prefix`, `FACELESS_S3_ENDPOINT_URL` (for anything
but AWS), `FACELESS_S3_REGION`; credentials come from the standard AWS environment variables or files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from faceless.storage.blobs import BlobInfo, LocalBlobStore, check_key, sha256_file, spool

MB = 1024 * 1024


@dataclass(frozen=True)
class ObjectStat:
    """What a HEAD request says about an object."""

    size: int
    etag: str
    modified: datetime | None


class S3BlobStore(LocalBlobStore):
    """The `BlobStore` calls on `bucket/prefix`; `root` only holds temp files and local copies for ffmpeg."""

    def __init__(
        self,
        cache_root: Path,
        bucket: str,
        prefix: str = "",
        *,
        client: Any = None,
        endpoint_url: str | None = None,
        region: str | None = None,
        multipart_threshold: int = 16 * MB,
        multipart_chunksize: int = 16 * MB,
    ) -> None:
        super().__init__(cache_root)
        if not bucket:
            raise ValueError("an S3 store needs a bucket: FACELESS_STORAGE_URL=s3://bucket/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if self.prefix:
            check_key(self.prefix)
        import boto3  # optional dependency: only when S3 is configured
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        if client is None:
            # MinIO and most self-hosted stores want path-style URLs (http://host:9000/bucket/key);
            # AWS picks virtual-hosted style itself.
            config = Config(
                retries={"mode": "standard", "max_attempts": 5},
                s3={"addressing_style": "path" if endpoint_url else "auto"},
            )
            client = boto3.client(
                "s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config
            )
        self.s3 = client
        # S3 parts must be >= 5 MiB (all but the last); memory use is about chunksize x concurrency.
        self.transfer = TransferConfig(
            multipart_threshold=max(5 * MB, multipart_threshold),
            multipart_chunksize=max(5 * MB, multipart_chunksize),
            max_concurrency=4,
        )

    # --- names ------------------------------------------------------------------------------------

    def object_name(self, key: str) -> str:
        """The bucket key of blob `key` (validated: it can never leave the store's prefix)."""
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _meta_path(self, key: str) -> Path:
        path = self._path(key)
        return path.with_name(path.name + ".s3meta")

    def _remember(self, key: str, etag: str, size: int) -> None:
        tmp = self.temp_path(".meta")
        tmp.write_text(json.dumps({"etag": etag, "size": size}))
        os.replace(tmp, self._meta_path(key))

    def _forget(self, key: str) -> None:
        """Drop this machine's copy of `key` (stale, or the blob is gone)."""
        super().delete(key)
        self._meta_path(key).unlink(missing_ok=True)

    # --- writes -----------------------------------------------------------------------------------

    def put_file(self, key: str, source: Path, *, move: bool = False) -> BlobInfo:
        """Upload `source` under `key` (streamed from disk; multipart when big). `move` deletes `source` after."""
        name = self.object_name(key)
        source = Path(source)
        digest = sha256_file(source)
        size = source.stat().st_size
        self.s3.upload_file(
            str(source), self.bucket, name, ExtraArgs={"Metadata": {"sha256": digest}}, Config=self.transfer
        )
        self._forget(key)  # an older local copy is stale now
        if move:
            source.unlink(missing_ok=True)
        return BlobInfo(key=key, size=size, sha256=digest)

    def put_stream(self, key: str, chunks: Iterable[bytes], *, limit: int) -> BlobInfo:
        """Upload streamed bytes; BlobTooLarge (and nothing stored) once they pass `limit`.

        The bytes are spooled to a temp file first, so an over-limit stream never starts an upload."""
        self.object_name(key)
        tmp = self.temp_path()
        try:
            spool(chunks, tmp, limit=limit)
            return self.put_file(key, tmp, move=True)
        finally:
            tmp.unlink(missing_ok=True)

    # --- reads ------------------------------------------------------------------------------------

    def stat(self, key: str) -> ObjectStat | None:
        """Size, ETag and modification time of `key`; None if there is no such object."""
        from botocore.exceptions import ClientError

        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=self.object_name(key))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return ObjectStat(
            size=int(head["ContentLength"]), etag=str(head["ETag"]), modified=head.get("LastModified")
        )

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    def size(self, key: str) -> int | None:
        st = self.stat(key)
        return st.size if st else None

    def iter_range(
        self,
        key: str,
        start: int = 0,
        end: int | None = None,
        *,
        etag: str | None = None,
        chunk_size: int = 256 * 1024,
    ) -> Iterator[bytes]:
        """Bytes `start..end` (inclusive; `end=None`: to the end) of `key`, streamed from the bucket.

        The GET is sent before this returns (so a missing object raises here, not mid-response); with
        `etag`, it fails rather than mix two versions if the object was replaced since its HEAD."""
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_name(key)}
        if start or end is not None:
            args["Range"] = f"bytes={start}-{'' if end is None else end}"
        if etag:
            args["IfMatch"] = etag
        body = self.s3.get_object(**args)["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(chunk_size)
            finally:
                body.close()

        return chunks()

    def presigned_url(
        self, key: str, *, expires: int = 300, media_type: str | None = None, disposition: str | None = None
    ) -> str:
        """A time-limited GET URL for `key`, answered by the object store itself."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_name(key)}
        if media_type:
            params["ResponseContentType"] = media_type
        if disposition:
            params["ResponseContentDisposition"] = disposition
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires))

    def local_path(self, key: str) -> Path | None:
        """A local file with the current content of `key` (downloaded when missing or changed); None
        if the bucket has no such object. For ffmpeg inputs; downloads are served by `iter_range`."""
        st = self.stat(key)
        if st is None:
            self._forget(key)  # deleted elsewhere: drop the stale copy too
            return None
        path = self._path(key)
        meta = self._meta_path(key)
        if path.is_file() and meta.is_file():
            try:
                known = json.loads(meta.read_text())
            except ValueError:
                known = {}
            if known.get("etag") == st.etag and known.get("size") == st.size:
                return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.temp_path(path.suffix)
        try:
            self.s3.download_file(self.bucket, self.object_name(key), str(tmp), Config=self.transfer)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        self._remember(key, st.etag, st.size)
        return path

    def open(self, key: str) -> Any:
        path = self.local_path(key)
        if path is None:
            raise FileNotFoundError(key)
        return path.open("rb")

    def materialise(self, path: str) -> None:
        """Make sure a blob named by its local path (as projects record it) has a current local copy."""
        try:
            key = Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return
        self.local_path(key)

    # --- deletes ----------------------------------------------------------------------------------

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=self.object_name(key))
        self._forget(key)

    def delete_prefix(self, prefix: str) -> None:
        """Delete every object under `prefix/`, in the bucket and here."""
        folder = self.object_name(prefix.rstrip("/")) + "/"
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=folder):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            for i in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
                self.s3.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": keys[i : i + 1000], "Quiet": True}
                )
        super().delete_prefix(prefix)


def parse_storage_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix"); ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(
            f"unsupported storage URL {url!r}: use s3://bucket/prefix (or leave it unset for local files)"
        )
    prefix = parts.path.strip("/")
    if prefix:
        try:
            check_key(prefix)
        except ValueError:
            raise ValueError(
                f"storage URL {url!r}: the prefix may only hold letters, digits, '.', '_' and '-' "
                "between slashes"
            ) from None
    return parts.netloc, prefix
