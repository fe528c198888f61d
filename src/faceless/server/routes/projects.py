"""Projects of an organisation: the engine's project JSON, with every saved version kept."""

from __future__ import annotations

import json
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import Text, bindparam, cast, func, select, update

from faceless.domain import Project
from faceless.server import accounts
from faceless.server.deps import Db, OrgAccess, client_ip, get_ctx, requires
from faceless.server.errors import ApiError, not_found
from faceless.server.fastauth import read_access
from faceless.server.schemas import (
    Page,
    ProjectIn,
    ProjectOut,
    ProjectSummaryOut,
    ProjectUpdateIn,
    VersionDetailOut,
    VersionOut,
)
from faceless.service.models import ProjectRow, ProjectVersion, utcnow

router = APIRouter(prefix="/orgs/{org_id}/projects", tags=["projects"])
Id = Annotated[str, Path(max_length=64)]
MAX_PROJECT_BYTES = 512 * 1024  # a project is text and settings; media live in assets


def validated(data: dict[str, Any]) -> dict[str, Any]:
    """The project JSON as the engine reads and re-writes it (upgraded, defaults filled); 422 if invalid."""
    project = Project.from_data(data)  # InputError -> 422 with the engine's message
    out: dict[str, Any] = project.model_dump(mode="json", by_alias=True)
    if len(json.dumps(out)) > MAX_PROJECT_BYTES:
        raise ApiError(
            413, f"project JSON over {MAX_PROJECT_BYTES // 1024} KiB: split it into several videos"
        )
    return out


def _get(db: Db, access: OrgAccess, project_id: str) -> ProjectRow:
    # Scoped by organisation: another tenant's id is simply not found.
    row = db.scalar(select(ProjectRow).where(ProjectRow.id == project_id, ProjectRow.org_id == access.org.id))
    if row is None:
        raise not_found("project")
    return row


def _out(row: ProjectRow) -> ProjectOut:
    return ProjectOut(
        id=row.id,
        title=row.title,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        project=row.data,
    )


def _create(db: Db, access: OrgAccess, data: dict[str, Any], message: str) -> ProjectRow:
    row = ProjectRow(
        org_id=access.org.id,
        title=data.get("title", "Untitled")[:300],
        version=1,
        data=data,
        created_by=access.user.id,
    )
    db.add(row)
    db.flush()
    db.add(
        ProjectVersion(project_id=row.id, version=1, data=data, message=message, created_by=access.user.id)
    )
    return row


_JSON_OPTS = orjson.OPT_UTC_Z  # the same "...Z" timestamps pydantic writes elsewhere
_SUMMARY_COLS = (
    ProjectRow.id,
    ProjectRow.title,
    ProjectRow.version,
    ProjectRow.created_at,
    ProjectRow.updated_at,
    ProjectRow.created_by,
)  # not the JSON: lists stay cheap


_SUMMARY_KEYS = tuple(c.key for c in _SUMMARY_COLS)
# Compiled once; `data` as text (JSONB::text on PostgreSQL), which is already valid JSON.
_READ_ONE = select(*_SUMMARY_COLS, cast(ProjectRow.data, Text).label("data")).where(
    ProjectRow.id == bindparam("id"), ProjectRow.org_id == bindparam("org")
)


@router.get("", response_model=Page[ProjectSummaryOut])
async def list_projects(
    request: Request,
    access: Annotated[OrgAccess, Depends(read_access("project.read"))],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """The organisation's projects, most recently updated first."""
    where = ProjectRow.org_id == access.org.id
    with get_ctx(request).sessions() as db:
        total = db.scalar(select(func.count()).select_from(ProjectRow).where(where)) or 0
        rows = db.execute(
            select(*_SUMMARY_COLS)
            .where(where)
            .order_by(ProjectRow.updated_at.desc(), ProjectRow.id)
            .limit(limit)
            .offset(offset)
        ).all()
    page = {"items": [dict(r._mapping) for r in rows], "total": total, "limit": limit, "offset": offset}
    return Response(orjson.dumps(page, option=_JSON_OPTS), media_type="application/json")


@router.post("", status_code=201, response_model=ProjectOut)
def create_project(
    body: ProjectIn,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("project.write"))],
    db: Db,
) -> ProjectOut:
    """Create a project from the engine's project JSON (validated by the engine)."""
    row = _create(db, access, validated(body.project), body.message or "created")
    accounts.audit(
        db,
        "project.created",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="project",
        target_id=row.id,
        ip=client_ip(request),
    )
    db.commit()
    return _out(row)


@router.get(
    "/{project_id}",
    response_model=ProjectOut,
    responses={304: {"description": "Not modified (If-None-Match matched the ETag)"}},
)
async def get_project(
    project_id: Id, request: Request, access: Annotated[OrgAccess, Depends(read_access("project.read"))]
) -> Response:
    """The project at its current version. Sends an ETag; `If-None-Match` with it answers 304.

    The hot read path: async, one short query, JSON written by orjson (no thread hop, no
    connection held while the response is sent).
    """
    with get_ctx(request).reader.connect() as conn:
        row = conn.execute(_READ_ONE, {"id": project_id, "org": access.org.id}).first()
    if row is None:
        raise not_found("project")
    meta = row._mapping
    etag = f'W/"{meta["id"]}.{meta["version"]}.{meta["updated_at"].timestamp():.6f}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    if etag in (request.headers.get("if-none-match") or "").replace(" ", "").split(","):
        return Response(status_code=304, headers=headers)
    # The stored JSON text goes out as it is: no parse and re-serialise of the whole project.
    head = orjson.dumps({k: meta[k] for k in _SUMMARY_KEYS}, option=_JSON_OPTS)
    return Response(
        head[:-1] + b',"project":' + meta["data"].encode() + b"}",
        media_type="application/json",
        headers=headers,
    )


@router.put("/{project_id}", response_model=ProjectOut)
def update_project(
    project_id: Id,
    body: ProjectUpdateIn,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("project.write"))],
    db: Db,
) -> ProjectOut:
    """Save a new version. With `base_version`, refuses (409) if someone saved in between."""
    row = _get(db, access, project_id)
    data = validated(body.project)
    base = body.base_version if body.base_version is not None else row.version
    # Compare-and-set on the version: two concurrent saves cannot both become version N+1.
    now = utcnow()
    won = db.execute(
        update(ProjectRow)
        .where(ProjectRow.id == row.id, ProjectRow.version == base)
        .values(version=base + 1, data=data, title=data.get("title", "Untitled")[:300], updated_at=now)
    ).rowcount
    if not won:
        db.rollback()
        raise ApiError(
            409,
            "the project changed since you loaded it: reload, re-apply your edit, and save",
            "version_conflict",
        )
    db.add(
        ProjectVersion(
            project_id=row.id, version=base + 1, data=data, message=body.message, created_by=access.user.id
        )
    )
    accounts.audit(
        db,
        "project.updated",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="project",
        target_id=row.id,
        ip=client_ip(request),
        version=base + 1,
    )
    db.commit()
    db.refresh(row)
    return _out(row)


@router.post("/{project_id}/duplicate", status_code=201, response_model=ProjectOut)
def duplicate_project(
    project_id: Id, request: Request, access: Annotated[OrgAccess, Depends(requires("project.write"))], db: Db
) -> ProjectOut:
    """Copy the current version into a new project ("… (copy)"), with a fresh history."""
    src = _get(db, access, project_id)
    data = dict(src.data)
    data["title"] = f"{src.title} (copy)"[:300]
    row = _create(db, access, data, f"duplicated from {src.id} v{src.version}")
    accounts.audit(
        db,
        "project.duplicated",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="project",
        target_id=row.id,
        ip=client_ip(request),
        source=src.id,
    )
    db.commit()
    return _out(row)


@router.delete("/{project_id}", status_code=204)
def delete_project(
    project_id: Id,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("project.delete"))],
    db: Db,
) -> Response:
    """Delete the project, its history, its renders and their files (admin, owner)."""
    from faceless.server.routes.jobs import drop_blobs, render_prefixes

    row = _get(db, access, project_id)
    renders = render_prefixes(db, access.org.id, row.id)  # the jobs go with the row; their files after commit
    db.delete(row)
    accounts.audit(
        db,
        "project.deleted",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="project",
        target_id=project_id,
        ip=client_ip(request),
        title=row.title,
    )
    db.commit()
    drop_blobs(request, renders)
    return Response(status_code=204)


@router.get("/{project_id}/versions", response_model=Page[VersionOut])
def list_versions(
    project_id: Id,
    access: Annotated[OrgAccess, Depends(requires("project.read"))],
    db: Db,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[VersionOut]:
    """Saved versions, newest first."""
    row = _get(db, access, project_id)
    where = ProjectVersion.project_id == row.id
    total = db.scalar(select(func.count()).select_from(ProjectVersion).where(where)) or 0
    cols = (
        ProjectVersion.version,
        ProjectVersion.message,
        ProjectVersion.created_by,
        ProjectVersion.created_at,
    )
    rows = db.execute(
        select(*cols).where(where).order_by(ProjectVersion.version.desc()).limit(limit).offset(offset)
    ).all()
    return Page[VersionOut](
        items=[VersionOut.model_validate(r._mapping) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{project_id}/versions/{version}", response_model=VersionDetailOut)
def get_version(
    project_id: Id,
    version: Annotated[int, Path(ge=1, le=2**31 - 1)],
    access: Annotated[OrgAccess, Depends(requires("project.read"))],
    db: Db,
) -> VersionDetailOut:
    row = _get(db, access, project_id)
    v = db.scalar(
        select(ProjectVersion).where(ProjectVersion.project_id == row.id, ProjectVersion.version == version)
    )
    if v is None:
        raise not_found("version")
    return VersionDetailOut(
        version=v.version, message=v.message, created_by=v.created_by, created_at=v.created_at, project=v.data
    )
