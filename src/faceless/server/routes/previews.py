"""Scene previews for the project editor: one JPEG per scene card, drawn like its video segment."""

from __future__ import annotations

import threading
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy import select

from faceless.domain import FacelessError, InputError, Project
from faceless.server.deps import OrgAccess, get_ctx
from faceless.server.errors import ApiError, not_found
from faceless.server.fastauth import read_access
from faceless.server.models import ProjectRow
from faceless.storage.cache import ArtifactCache

router = APIRouter(prefix="/orgs/{org_id}/projects/{project_id}/scenes", tags=["projects"])
Id = Annotated[str, Path(max_length=64)]
# A preview is one short ffmpeg run; a few at once keep the API responsive on a small machine.
_SLOTS = threading.BoundedSemaphore(2)
WIDTH = 360


@router.get("/{scene_id}/preview.jpg", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}, "description": "The preview (JPEG)"},
                       304: {"description": "Not modified"}})
def scene_preview(project_id: Id, scene_id: Id, request: Request,
                  access: Annotated[OrgAccess, Depends(read_access("project.read"))]) -> Response:
    """A 360-px-wide still of the scene as it will look: its visual (or designed card) and a caption sample
    in the project's style. Cached by content; the ETag changes when anything drawn changes."""
    from faceless.render.preview import preview_key, render_scene_preview

    ctx = get_ctx(request)
    with ctx.sessions() as db:
        data = db.scalar(select(ProjectRow.data).where(ProjectRow.id == project_id, ProjectRow.org_id == access.org.id))
    if data is None:
        raise not_found("project")
    project = Project.from_data(data)
    found = next(((i, s) for i, s in enumerate(project.scenes) if s.id == scene_id), None)
    if found is None:
        raise not_found("scene")
    index, scene = found
    _confine(request, access.org.id, project)
    key = preview_key(scene, index, project.format, project.captions.style, project.captions.highlight_colour, WIDTH)
    etag = f'"{key[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    cache = ArtifactCache(ctx.settings.data_dir / "previews")
    path = cache.get("scenes", key, ".jpg")
    if path is None:
        pin = None
        if scene.visual is not None and scene.visual.path:
            from faceless.media.validate import demuxer_options

            pin = demuxer_options(FilePath(scene.visual.path))
        with _SLOTS:
            try:
                path = render_scene_preview(scene, index, cache.path("scenes", key, ".jpg"),
                                            format_name=project.format, caption_style=project.captions.style,
                                            highlight=project.captions.highlight_colour, width=WIDTH,
                                            input_options=pin)
            except FacelessError as e:
                raise ApiError(422, f"this scene cannot be previewed: {e}") from None
    return Response(path.read_bytes(), media_type="image/jpeg", headers=headers)


def _confine(request: Request, org_id: str, project: Project) -> None:
    """Only this organisation's assets may be read (projects can name any path; the server must not)."""
    from faceless.worker.render_job import asset_prefix, confine_paths

    blobs = getattr(request.app.state, "blobs", None)
    if blobs is None:  # no asset store on this app: only designed visuals can be drawn
        if any(s.visual is not None and s.visual.path for s in project.scenes):
            raise ApiError(422, "this server has no asset store: previews of file visuals are unavailable")
        return
    try:
        confine_paths(project, blobs.root / asset_prefix(org_id))
    except InputError as e:
        raise ApiError(422, str(e)) from None
