"""Scene previews for the project editor: one JPEG per scene card, drawn like its video segment."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy import select

from faceless.domain import FacelessError, Project, Scene
from faceless.server.deps import OrgAccess, get_ctx
from faceless.server.errors import ApiError, ErrorBody, not_found
from faceless.server.fastauth import read_access
from faceless.service.models import ProjectRow
from faceless.storage.cache import ArtifactCache

log = logging.getLogger("faceless.server.previews")
router = APIRouter(prefix="/orgs/{org_id}/projects/{project_id}/scenes", tags=["projects"])
Id = Annotated[str, Path(max_length=64)]
WIDTH = 360
# A preview is one short ffmpeg run; a few at once keep the API responsive on a small machine.
# Waiting is bounded: a request that cannot start within SLOT_WAIT seconds answers 503 + Retry-After
# instead of holding a server thread (the editor's <img> simply loads it again later).
_SLOTS = threading.BoundedSemaphore(2)
SLOT_WAIT = 10.0
RENDER_TIMEOUT = 20.0
# Requests for the same preview take the same lock, so it is drawn once, not once per request.
_SAME_KEY = [threading.Lock() for _ in range(64)]


def _matches(etag: str, if_none_match: str | None) -> bool:
    """RFC 9110 weak comparison of `etag` against an If-None-Match list (or `*`)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


@router.get(
    "/{scene_id}/preview.jpg",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The preview (JPEG)"},
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        503: {"model": ErrorBody, "description": "Busy drawing other previews: retry"},
    },
)
def scene_preview(
    project_id: Id,
    scene_id: Id,
    request: Request,
    access: Annotated[OrgAccess, Depends(read_access("project.read"))],
) -> Response:
    """A 360-px-wide still of the scene as it will look: its visual (or designed card) and a caption sample
    in the project's style. Cached by content; the ETag changes when anything drawn changes."""
    from faceless.render.preview import preview_key

    ctx = get_ctx(request)
    with ctx.sessions() as db:
        data = db.scalar(
            select(ProjectRow.data).where(ProjectRow.id == project_id, ProjectRow.org_id == access.org.id)
        )
    if data is None:
        raise not_found("project")
    project = Project.from_data(data)
    found = next(((i, s) for i, s in enumerate(project.scenes) if s.id == scene_id), None)
    if found is None:
        raise not_found("scene")
    index, scene = found
    scene = _local_scene(request, access.org.id, scene)
    key = preview_key(
        scene, index, project.format, project.captions.style, project.captions.highlight_colour, WIDTH
    )
    etag = f'"{key}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    if _matches(etag, request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    cache = ArtifactCache(ctx.settings.data_dir / "previews")
    path = cache.get("scenes", key, ".jpg") or _draw(cache, key, project, scene, index)
    return Response(path.read_bytes(), media_type="image/jpeg", headers=headers)


def _draw(cache: ArtifactCache, key: str, project: Project, scene: Scene, index: int) -> FilePath:
    """Render the preview into the cache (once per key, at most `_SLOTS` at a time)."""
    from faceless.media.validate import demuxer_options
    from faceless.render.preview import render_scene_preview
    from faceless.render.run import FFmpegError

    deadline = time.monotonic() + SLOT_WAIT
    same = _SAME_KEY[int(key[:8], 16) % len(_SAME_KEY)]
    if not same.acquire(timeout=SLOT_WAIT):
        raise _busy()
    try:
        if (done := cache.get("scenes", key, ".jpg")) is not None:  # drawn while this request waited
            return done
        if not _SLOTS.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise _busy()
        try:
            pin = None
            if scene.visual is not None and scene.visual.path:
                # Read the file only as what its first bytes say it is (never a playlist or pattern).
                pin = demuxer_options(FilePath(scene.visual.path))
            return render_scene_preview(
                scene,
                index,
                cache.path("scenes", key, ".jpg"),
                format_name=project.format,
                caption_style=project.captions.style,
                highlight=project.captions.highlight_colour,
                width=WIDTH,
                input_options=pin,
                timeout=RENDER_TIMEOUT,
            )
        except FFmpegError as e:
            log.warning("scene preview failed: %s", e)  # the detail (paths, ffmpeg's log) stays in the log
            raise ApiError(
                422, "this scene cannot be previewed: its visual could not be read; pick another file for it"
            ) from None
        except FacelessError as e:
            raise ApiError(422, f"this scene cannot be previewed: {e}") from None
        finally:
            _SLOTS.release()
    finally:
        same.release()


def _busy() -> ApiError:
    return ApiError(
        503, "previews are busy being drawn: try again in a moment", "busy", headers={"Retry-After": "2"}
    )


def _local_scene(request: Request, org_id: str, scene: Scene) -> Scene:
    """`scene` with its file at this machine's copy of the organisation's asset (fetched from object
    storage first if this machine has none). Any other file is refused: projects can name any path,
    the server must read only this organisation's assets."""
    from faceless.storage.keys import asset_key_of

    if scene.visual is None or not scene.visual.path:
        return scene
    blobs = getattr(request.app.state, "blobs", None)
    key = asset_key_of(scene.visual.path, org_id) if blobs is not None else None
    if key is None:
        raise ApiError(
            422,
            f"scene {scene.id} uses a file that is not one of this organisation's assets: "
            "pick the visual from the asset library",
        )
    local = blobs.root / key
    # An asset's file never changes under its key, so a local copy is current: no request to the bucket.
    if not local.is_file():
        blobs.local_path(key)  # object storage: downloads this machine's copy
    return scene.model_copy(update={"visual": scene.visual.model_copy(update={"path": str(local)})})
