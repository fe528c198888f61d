"""Serving stored blobs over HTTP, after the route has checked who may read them.

Local files go out as a `FileResponse` (Starlette handles Range). Objects in S3-compatible storage are
streamed through the API from the bucket, one ranged GET per request, so the video player can seek
without the API machine ever holding a copy; with `FACELESS_S3_PRESIGN_SECONDS` > 0 a client may ask
for `?redirect=true` and get a 307 to a short-lived presigned URL instead (the bytes then come from the
object store directly; the web app keeps the proxied stream, which its CSP allows).
"""

from __future__ import annotations

import re
from datetime import UTC
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from faceless.server.errors import ApiError
from faceless.storage.blobs import LocalBlobStore

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# OpenAPI `responses` of a download route (besides its 200).
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    206: {"description": "the requested byte range (HTTP Range)"},
    307: {"description": "`?redirect=true` with object storage: a presigned URL of the file"},
    416: {"description": "the byte range is outside the file"},
}


class _Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b` / `a-` / `-n` range of a `size`-byte file as inclusive (start, end), or None to send
    the whole file (no header, several ranges or bad syntax: RFC 9110 lets a server ignore those).
    _Unsatisfiable if the range lies beyond the end."""
    if not header or size <= 0:
        return None
    m = _RANGE.match(header.strip().replace(" ", ""))
    if m is None:
        return None
    first, last = m.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last n bytes
        n = int(last)
        if n == 0:
            raise _Unsatisfiable
        return max(0, size - n), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise _Unsatisfiable
    return start, min(int(last), size - 1) if last else size - 1


def content_disposition(disposition: str, filename: str) -> str:
    """`inline; filename="x"`, or the RFC 6266 `filename*` form for names that need escaping."""
    quoted = quote(filename)
    if quoted != filename:
        return f"{disposition}; filename*=utf-8''{quoted}"
    return f'{disposition}; filename="{filename}"'


def blob_response(
    request: Request,
    blobs: LocalBlobStore,
    key: str,
    *,
    media_type: str,
    filename: str | None = None,
    disposition: str = "inline",
    redirect: bool = False,
    headers: dict[str, str] | None = None,
) -> Response | None:
    """The response serving blob `key` (Range supported), or None if there is no such blob."""
    from faceless.storage.s3 import S3BlobStore

    headers = dict(headers or {})
    if not isinstance(blobs, S3BlobStore):
        path = blobs.local_path(key)
        if path is None:
            return None
        return FileResponse(
            path,
            media_type=media_type,
            filename=filename,
            content_disposition_type=disposition,
            headers=headers,
        )
    st = blobs.stat(key)
    if st is None:
        return None
    cd = content_disposition(disposition, filename) if filename else None
    presign_seconds = request.app.state.ctx.settings.s3_presign_seconds
    if redirect and presign_seconds > 0:
        url = blobs.presigned_url(key, expires=presign_seconds, media_type=media_type, disposition=cd)
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})

    headers.update({"Accept-Ranges": "bytes", "ETag": st.etag})
    if st.modified is not None:
        headers["Last-Modified"] = format_datetime(st.modified.astimezone(UTC), usegmt=True)
    if cd:
        headers["Content-Disposition"] = cd
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range and if_range.strip() != st.etag:  # the client's partial copy is of another version
        wanted = None
    try:
        span = parse_range(wanted, st.size)
    except _Unsatisfiable:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{st.size}", **headers})
    start, end = span if span else (0, st.size - 1)
    try:
        body = blobs.iter_range(key, start, end if span else None, etag=st.etag)
    except Exception as e:  # noqa: BLE001 - botocore's errors: gone or replaced since the HEAD just above
        code = getattr(e, "response", {}).get("Error", {}).get("Code")
        if code in ("NoSuchKey", "404"):
            return None
        if code in ("PreconditionFailed", "412"):
            raise ApiError(503, "the file changed while it was being read: try again") from None
        raise
    headers["Content-Length"] = str(end - start + 1 if st.size else 0)
    if span:
        headers["Content-Range"] = f"bytes {start}-{end}/{st.size}"
    return StreamingResponse(body, status_code=206 if span else 200, media_type=media_type, headers=headers)
