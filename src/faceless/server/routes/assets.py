"""The organisation's media library: upload (validated by content), list, search, tag, serve, delete.

Routes (under /api/v1/orgs/{org_id}):
- POST   assets                      multipart `file` (+ `tags` comma-separated, `description`); editor+
- GET    assets                      list, newest first; `?q=` text search (a persistent index: FTS5 on
                                     SQLite, GIN on PostgreSQL; see server/asset_search.py) or
                                     `?q=&mode=meaning` (embedding similarity); `?kind=&tag=`
- GET    assets/{id}                 one asset
- PATCH  assets/{id}                 name, description, tags; editor+
- GET    assets/{id}/file            the original (Range supported)
- GET    assets/{id}/thumbnail.jpg   320 px JPEG (videos and images)
- DELETE assets/{id}                 editor+; removes the stored files too

An upload is streamed to a temp file in the blob store (size limit enforced while streaming), checked
by `faceless.media.validate.check_media` (magic bytes, ffprobe format allow-list, pixel limits, no
playlists, decode test) and only then moved into place; a rejected upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from faceless.domain.errors import MediaRejected
from faceless.media import validate
from faceless.render.command import FFmpegCommand, Input
from faceless.render.run import run_ffmpeg
from faceless.server import accounts
from faceless.server.blob_response import DOWNLOAD_RESPONSES, blob_response
from faceless.server.deps import Db, OrgAccess, client_ip, requires
from faceless.server.errors import ApiError, not_found
from faceless.server.inputguard import NO_NUL
from faceless.server.routes.jobs import blob_store, upload_limit
from faceless.server.schemas import Page
from faceless.service import asset_search
from faceless.service.models import Asset, new_id
from faceless.storage.blobs import LocalBlobStore
from faceless.storage.keys import asset_prefix

router = APIRouter(prefix="/orgs/{org_id}/assets", tags=["assets"])
Id = Annotated[str, PathParam(max_length=64)]
THUMB_WIDTH = 320
_EXT = {
    "mov,mp4,m4a,3gp,3g2,mj2": (".mp4", "video/mp4"),
    "matroska,webm": (".mkv", "video/x-matroska"),
    "avi": (".avi", "video/x-msvideo"),
    "gif": (".gif", "image/gif"),
    "png_pipe": (".png", "image/png"),
    "jpeg_pipe": (".jpg", "image/jpeg"),
    "webp_pipe": (".webp", "image/webp"),
    "bmp_pipe": (".bmp", "image/bmp"),
    "tiff_pipe": (".tiff", "image/tiff"),
    "wav": (".wav", "audio/wav"),
    "mp3": (".mp3", "audio/mpeg"),
    "flac": (".flac", "audio/flac"),
    "ogg": (".ogg", "audio/ogg"),
    "aac": (".aac", "audio/aac"),
}


class AssetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    kind: str
    media_type: str
    size: int
    width: int | None
    height: int | None
    duration: float | None
    description: str
    tags: list[str]
    created_at: datetime
    created_by: str | None
    file_url: str
    thumbnail_url: str | None
    score: float | None = Field(default=None, description="search relevance (higher is better)")


class AssetPatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=2000)
    tags: list[Annotated[str, Field(min_length=1, max_length=40)]] | None = Field(default=None, max_length=30)


def _out(a: Asset, score: float | None = None) -> AssetOut:
    base = f"/api/v1/orgs/{a.org_id}/assets/{a.id}"
    return AssetOut(
        id=a.id,
        name=a.name,
        kind=a.kind,
        media_type=a.media_type,
        size=a.size,
        width=a.width,
        height=a.height,
        duration=a.duration,
        description=a.description,
        tags=list(a.tags or []),
        created_at=a.created_at,
        created_by=a.created_by,
        file_url=f"{base}/file",
        thumbnail_url=f"{base}/thumbnail.jpg" if a.thumbnail_key else None,
        score=score,
    )


def _get(db: Session, access: OrgAccess, asset_id: str) -> Asset:
    row = db.scalar(select(Asset).where(Asset.id == asset_id, Asset.org_id == access.org.id))
    if row is None:
        raise not_found("asset")
    return row


def _clean_name(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "upload"


def _clean_tags(raw: list[str]) -> list[str]:
    tags: list[str] = []
    for t in raw:
        t = " ".join(t.split()).lower()[:40]
        if t and t not in tags:
            tags.append(t)
    return tags[:30]


def search_text(a: Asset) -> str:
    """What text and meaning search look at: description (or words of the name) plus tags."""
    from faceless.media.library import description_from_name

    return " ".join([a.description or description_from_name(a.name), description_from_name(a.name), *a.tags])


# --- embeddings, stored per asset next to its file ---------------------------------------------------

_vectors: dict[tuple[str, str], np.ndarray] = {}
_vectors_lock = threading.Lock()


def _embedding_key(a: Asset) -> str:
    digest = hashlib.sha256(search_text(a).encode()).hexdigest()[:16]
    return f"{asset_prefix(a.org_id)}/{a.id}/embedding-{digest}.npy"


def asset_vectors(blobs: LocalBlobStore, assets: list[Asset]) -> np.ndarray:
    """Embedding rows of `assets` (memory, then the stored .npy, else computed and stored)."""
    from faceless.media.embeddings import embed_texts

    out: list[np.ndarray | None] = []
    missing: list[int] = []
    for i, a in enumerate(assets):
        key = _embedding_key(a)
        with _vectors_lock:
            vec = _vectors.get((a.id, key))
        if vec is None and (path := blobs.local_path(key)) is not None:
            try:
                vec = np.load(path, allow_pickle=False)
            except (OSError, ValueError):
                vec = None
        out.append(vec)
        if vec is None:
            missing.append(i)
    if missing:
        fresh = embed_texts([search_text(assets[i]) for i in missing])
        for i, vec in zip(missing, fresh, strict=True):
            buf = io.BytesIO()
            np.save(buf, vec.astype(np.float32), allow_pickle=False)
            blobs.put_stream(_embedding_key(assets[i]), [buf.getvalue()], limit=1 << 20)
            out[i] = vec
    with _vectors_lock:
        for a, vec in zip(assets, out, strict=True):
            _vectors[(a.id, _embedding_key(a))] = vec  # type: ignore[assignment]
    return np.stack(out) if out else np.zeros((0, 384), np.float32)  # type: ignore[arg-type]


# --- upload -------------------------------------------------------------------------------------------


def _thumbnail(source: Path, info: validate.MediaInfo, kind: str, target: Path) -> Path | None:
    seek = ["-ss", f"{min(1.0, info.duration / 3):.3f}"] if kind == "video" and info.duration > 0 else []
    cmd = FFmpegCommand(
        inputs=[Input(str(source), options=[*seek, *validate.input_options(info)])],
        output=str(target),
        output_options=[
            "-map",
            "0:v:0",
            "-frames:v",
            "1",
            "-vf",
            f"scale={THUMB_WIDTH}:-2",
            "-q:v",
            "4",
            "-update",
            "1",
        ],
    )
    try:
        return run_ffmpeg(cmd, timeout=60)
    except Exception:  # noqa: BLE001 - an asset without a thumbnail is still usable
        return None


def _reject(reason: str, status: int = 422) -> ApiError:
    return ApiError(status, f"upload rejected: {reason}", "media_rejected")


@router.post("", status_code=201, response_model=AssetOut)
def upload_asset(
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("asset.write"))],
    db: Db,
    file: Annotated[UploadFile, File(description="a video, image or audio file")],
    # No NUL (PostgreSQL cannot store it): JSON bodies are checked by inputguard, form fields here.
    tags: Annotated[str, Form(max_length=1000, pattern=NO_NUL, description="comma-separated")] = "",
    description: Annotated[str, Form(max_length=2000, pattern=NO_NUL)] = "",
) -> AssetOut:
    """Upload a media file; it is validated by its content and refused (4xx, nothing stored) if unsafe."""
    blobs = blob_store(request)
    limit = upload_limit(request)
    tmp = blobs.temp_path(".upload")
    thumb_tmp = blobs.temp_path(".jpg")
    try:
        size = 0
        with tmp.open("wb") as fh:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise _reject(f"file over {limit} bytes; compress or trim it", 413)
                fh.write(chunk)
        try:
            info = validate.check_media(tmp, purpose="any", limits=validate.Limits(max_bytes=limit))
            kind = validate.kind_of(info) if info.video is not None else "audio"
        except MediaRejected as e:
            raise _reject(e.reason) from None
        ext, media_type = _EXT.get(info.format_name, (".bin", "application/octet-stream"))
        if info.format_name == "gif" and kind == "image":
            media_type = "image/gif"
        asset_id = new_id()
        prefix = f"{asset_prefix(access.org.id)}/{asset_id}"
        thumb_key = None
        if kind in ("video", "image") and _thumbnail(tmp, info, kind, thumb_tmp) is not None:
            thumb_key = blobs.put_file(f"{prefix}/thumb.jpg", thumb_tmp, move=True).key
        stored = blobs.put_file(f"{prefix}/original{ext}", tmp, move=True)
        v = info.video
        row = Asset(
            id=asset_id,
            org_id=access.org.id,
            name=_clean_name(file.filename or ""),
            kind=kind,
            storage_key=stored.key,
            media_type=media_type,
            size=stored.size,
            sha256=stored.sha256,
            width=v.width if v else None,
            height=v.height if v else None,
            duration=info.duration if kind != "image" else None,
            description=description.strip(),
            tags=_clean_tags(tags.split(",")),
            thumbnail_key=thumb_key,
            created_by=access.user.id,
        )
        try:
            asset_vectors(blobs, [row])  # store the embedding now: meaning search stays fast
            db.add(row)
            accounts.audit(
                db,
                "asset.uploaded",
                user_id=access.user.id,
                org_id=access.org.id,
                target_type="asset",
                target_id=asset_id,
                ip=client_ip(request),
                size=stored.size,
            )
            db.commit()
        except BaseException:
            blobs.delete_prefix(prefix)
            raise
        return _out(row)
    finally:
        tmp.unlink(missing_ok=True)
        thumb_tmp.unlink(missing_ok=True)


# --- listing and search ---------------------------------------------------------------------------------


@router.get("", response_model=Page[AssetOut])
def list_assets(
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("asset.read"))],
    db: Db,
    q: Annotated[str | None, Query(max_length=200, description="search words")] = None,
    mode: Annotated[Literal["text", "meaning"], Query()] = "text",
    kind: Annotated[Literal["video", "image", "audio"] | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[AssetOut]:
    """The library, newest first; with `q`, the matches by text or by meaning, best first."""
    where = [Asset.org_id == access.org.id]
    if kind:
        where.append(Asset.kind == kind)
    if not (q and q.strip()):
        if tag:  # JSON list membership differs by dialect; libraries are small enough to filter here
            rows = [
                a
                for a in db.scalars(select(Asset).where(*where).order_by(Asset.created_at.desc(), Asset.id))
                if tag.lower() in a.tags
            ]
            return Page[AssetOut](
                items=[_out(a) for a in rows[offset : offset + limit]],
                total=len(rows),
                limit=limit,
                offset=offset,
            )
        total = db.scalar(select(func.count()).select_from(Asset).where(*where)) or 0
        rows = list(
            db.scalars(
                select(Asset)
                .where(*where)
                .order_by(Asset.created_at.desc(), Asset.id)
                .limit(limit)
                .offset(offset)
            )
        )
        return Page[AssetOut](items=[_out(a) for a in rows], total=total, limit=limit, offset=offset)
    if mode == "text" and not tag:
        # The persistent index (migration 0003) ranks; only the page's rows are loaded.
        ranked = asset_search.ranked(db, access.org.id, q, kinds=[kind] if kind else [])
        page_ids = [i for i, _ in ranked[offset : offset + limit]]
        by_id = {a.id: a for a in db.scalars(select(Asset).where(Asset.id.in_(page_ids)))} if page_ids else {}
        return Page[AssetOut](
            items=[
                _out(by_id[i], float(f"{s:.4g}")) for i, s in ranked[offset : offset + limit] if i in by_id
            ],
            total=len(ranked),
            limit=limit,
            offset=offset,
        )
    candidates = [
        a for a in db.scalars(select(Asset).where(*where).limit(10_000)) if not tag or tag.lower() in a.tags
    ]
    by_id = {a.id: a for a in candidates}
    if mode == "text":
        ranked = [
            (i, s)
            for i, s in asset_search.ranked(db, access.org.id, q, kinds=[kind] if kind else [])
            if i in by_id
        ]
    else:
        from faceless.media.embeddings import embed_texts

        if not candidates:
            ranked = []
        else:
            sims = asset_vectors(blob_store(request), candidates) @ embed_texts([q])[0]
            order = np.argsort(-sims, kind="stable")
            ranked = [(candidates[i].id, float(sims[i])) for i in order if sims[i] > 0.1]
    page = ranked[offset : offset + limit]
    return Page[AssetOut](
        items=[_out(by_id[i], float(f"{s:.4g}")) for i, s in page],
        total=len(ranked),
        limit=limit,
        offset=offset,
    )


@router.get("/{asset_id}", response_model=AssetOut)
def get_asset(
    asset_id: Id, access: Annotated[OrgAccess, Depends(requires("asset.read"))], db: Db
) -> AssetOut:
    return _out(_get(db, access, asset_id))


@router.patch("/{asset_id}", response_model=AssetOut)
def update_asset(
    asset_id: Id,
    body: AssetPatchIn,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("asset.write"))],
    db: Db,
) -> AssetOut:
    """Rename, describe or tag an asset (its embedding is recomputed for meaning search)."""
    row = _get(db, access, asset_id)
    if body.name is not None:
        row.name = _clean_name(body.name)
    if body.description is not None:
        row.description = body.description.strip()
    if body.tags is not None:
        row.tags = _clean_tags(body.tags)
    asset_vectors(blob_store(request), [row])
    accounts.audit(
        db,
        "asset.updated",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="asset",
        target_id=row.id,
        ip=client_ip(request),
    )
    db.commit()
    return _out(row)


@router.get("/{asset_id}/file", response_class=FileResponse, responses=DOWNLOAD_RESPONSES)
def asset_file(
    asset_id: Id,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("asset.read"))],
    db: Db,
    redirect: Annotated[
        bool, Query(description="object storage: 307 to a presigned URL, if enabled")
    ] = False,
) -> Response:
    """The original upload (HTTP Range supported)."""
    row = _get(db, access, asset_id)
    out = blob_response(
        request,
        blob_store(request),
        row.storage_key,
        media_type=row.media_type,
        filename=row.name,
        redirect=redirect,
    )
    if out is None:
        raise not_found("asset file")
    return out


@router.get("/{asset_id}/thumbnail.jpg", response_class=FileResponse)
def asset_thumbnail(
    asset_id: Id, request: Request, access: Annotated[OrgAccess, Depends(requires("asset.read"))], db: Db
) -> Response:
    row = _get(db, access, asset_id)
    out = (
        blob_response(
            request,
            blob_store(request),
            row.thumbnail_key,
            media_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=86400"},
        )
        if row.thumbnail_key
        else None
    )
    if out is None:
        raise not_found("thumbnail")
    return out


@router.delete("/{asset_id}", status_code=204)
def delete_asset(
    asset_id: Id, request: Request, access: Annotated[OrgAccess, Depends(requires("asset.write"))], db: Db
) -> Response:
    """Delete the asset and its stored files (renders of projects still pinning it fail with a clear message)."""
    row = _get(db, access, asset_id)
    db.delete(row)
    accounts.audit(
        db,
        "asset.deleted",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="asset",
        target_id=asset_id,
        ip=client_ip(request),
        name=row.name,
    )
    db.commit()
    blob_store(request).delete_prefix(f"{asset_prefix(access.org.id)}/{asset_id}")
    with _vectors_lock:
        for key in [k for k in _vectors if k[0] == asset_id]:
            del _vectors[key]
    return Response(status_code=204)
