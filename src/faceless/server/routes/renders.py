"""Render jobs of an organisation: submit, status, cancel, retry, live events (SSE or polling), downloads.

Routes (under /api/v1/orgs/{org_id}):
- POST projects/{project_id}/renders            submit (editor+); 202 with the job
- GET  renders                                  list (viewer+), newest first; ?project_id=&state=
- GET  renders/{job_id}                         state, stage, percent, ETA, error, files
- POST renders/{job_id}/cancel                  editor+; 409 if already finished
- POST renders/{job_id}/retry                   editor+; only failed or cancelled jobs; same job id
- GET  renders/{job_id}/events                  SSE (`Accept: text/event-stream`, resumes after
                                                `Last-Event-ID` or ?after=) else JSON polling (?after=seq)
- GET  renders/{job_id}/files/{name}            a finished job's file from a fixed allow-list; Range ok
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from faceless.domain import FORMATS
from faceless.domain.project import CaptionSettings, MusicSettings, VoiceSettings
from faceless.server import accounts
from faceless.server.blob_response import DOWNLOAD_RESPONSES, blob_response
from faceless.server.deps import Db, OrgAccess, client_ip, get_ctx, requires
from faceless.server.errors import ApiError, not_found
from faceless.server.routes.jobs import blob_store, job_queue
from faceless.server.schemas import Page
from faceless.service import jobs
from faceless.service.models import Artifact, Job, JobEvent, ProjectRow, utcnow
from faceless.storage.keys import ARTIFACT_FILES

router = APIRouter(prefix="/orgs/{org_id}", tags=["renders"])
Id = Annotated[str, Path(max_length=64)]
FINAL = ("succeeded", "failed", "cancelled")
SSE_POLL = 0.25  # seconds between database reads of a live stream
SSE_KEEPALIVE = 15.0


class RenderIn(BaseModel):
    """Overrides for this render only (the saved project is not changed). Unchanged scenes come from cache."""

    model_config = ConfigDict(extra="forbid")
    format: str | None = Field(default=None, description=f"one of {', '.join(FORMATS)}")
    voice: VoiceSettings | None = None
    captions: CaptionSettings | None = None
    music: MusicSettings | None = None

    @field_validator("format")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        if v is not None and v not in FORMATS:
            raise ValueError(f"unknown format {v!r}: use one of {', '.join(FORMATS)}")
        return v


class FileOut(BaseModel):
    name: str
    media_type: str
    size: int
    url: str


class JobOut(BaseModel):
    id: str
    kind: str
    project_id: str | None
    project_version: int | None
    state: str
    stage: str
    progress: float = Field(description="0..1 over the whole job")
    percent: int
    eta_seconds: float | None
    error: str | None
    cancel_requested: bool
    attempts: int
    max_attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None = Field(default=None, description="engine summary once succeeded")
    files: list[FileOut] = Field(default_factory=list)


class EventOut(BaseModel):
    seq: int
    at: datetime
    kind: str
    stage: str
    progress: float | None
    percent: int | None
    message: str


class EventsOut(BaseModel):
    items: list[EventOut]
    after: int = Field(description="pass as ?after= to get the next events")
    state: str
    eta_seconds: float | None
    done: bool = Field(description="the job is finished and every event was delivered")


def _percent(p: float | None) -> int | None:
    return None if p is None else int(round(p * 100))


def _files(db: Session, org_id: str, job: Job) -> list[FileOut]:
    rows = db.scalars(select(Artifact).where(Artifact.job_id == job.id).order_by(Artifact.kind)).all()
    base = f"/api/v1/orgs/{org_id}/renders/{job.id}/files"
    return [FileOut(name=a.kind, media_type=a.media_type, size=a.size, url=f"{base}/{a.kind}") for a in rows]


def job_out(db: Session, org_id: str, job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        kind=job.kind,
        project_id=job.project_id,
        project_version=job.project_version,
        state=job.state,
        stage=job.stage,
        progress=job.progress,
        percent=_percent(job.progress) or 0,
        eta_seconds=None if job.state in FINAL else job.eta_seconds,
        error=job.error,
        cancel_requested=job.cancel_requested,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=job.payload.get("result") if job.state == "succeeded" else None,
        files=_files(db, org_id, job) if job.state == "succeeded" else [],
    )


def _job(db: Session, access: OrgAccess, job_id: str) -> Job:
    job = db.scalar(select(Job).where(Job.id == job_id, Job.org_id == access.org.id))
    if job is None:
        raise not_found("render")
    return job


@router.post("/projects/{project_id}/renders", status_code=202, response_model=JobOut)
def submit_render(
    project_id: Id,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("job.submit"))],
    db: Db,
    body: RenderIn | None = None,
) -> JobOut:
    """Render the project's current version (only scenes whose inputs changed are rendered again)."""
    row = db.scalar(select(ProjectRow).where(ProjectRow.id == project_id, ProjectRow.org_id == access.org.id))
    if row is None:
        raise not_found("project")
    overrides = body.model_dump(mode="json", exclude_none=True) if body else {}
    job = jobs.enqueue(
        db,
        org_id=access.org.id,
        kind="render",
        payload={"overrides": overrides},
        project_id=row.id,
        project_version=row.version,
        user_id=access.user.id,
    )
    accounts.audit(
        db,
        "render.submitted",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="job",
        target_id=job.id,
        ip=client_ip(request),
        project=row.id,
        version=row.version,
    )
    db.commit()
    out = job_out(db, access.org.id, job)  # as submitted: a fast worker may lease it the moment it is queued
    job_queue(request).submit(job.id)  # after the commit: a worker must find the row
    return out


@router.get("/renders", response_model=Page[JobOut])
def list_renders(
    access: Annotated[OrgAccess, Depends(requires("job.read"))],
    db: Db,
    project_id: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[str | None, Query(pattern="^(queued|running|succeeded|failed|cancelled)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[JobOut]:
    """The organisation's render jobs, newest first."""
    where = [Job.org_id == access.org.id]
    if project_id:
        where.append(Job.project_id == project_id)
    if state:
        where.append(Job.state == state)
    total = db.scalar(select(func.count()).select_from(Job).where(*where)) or 0
    rows = db.scalars(
        select(Job).where(*where).order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
    )
    items = [job_out(db, access.org.id, j) for j in rows]
    return Page[JobOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/renders/{job_id}", response_model=JobOut)
def get_render(job_id: Id, access: Annotated[OrgAccess, Depends(requires("job.read"))], db: Db) -> JobOut:
    return job_out(db, access.org.id, _job(db, access, job_id))


@router.post("/renders/{job_id}/cancel", status_code=202, response_model=JobOut)
def cancel_render(
    job_id: Id, request: Request, access: Annotated[OrgAccess, Depends(requires("job.cancel"))], db: Db
) -> JobOut:
    """Cancel: a queued job stops now, a running one within about a second."""
    job = _job(db, access, job_id)
    if job.state in FINAL:
        raise ApiError(409, f"the render already {job.state}: nothing to cancel", "job_finished")
    jobs.request_cancel(db, job.id)
    accounts.audit(
        db,
        "render.cancelled",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="job",
        target_id=job.id,
        ip=client_ip(request),
    )
    db.commit()
    db.refresh(job)
    return job_out(db, access.org.id, job)


@router.post("/renders/{job_id}/retry", status_code=202, response_model=JobOut)
def retry_render(
    job_id: Id, request: Request, access: Annotated[OrgAccess, Depends(requires("job.submit"))], db: Db
) -> JobOut:
    """Queue a failed or cancelled render again (same id; finished stages come from the cache)."""
    job = _job(db, access, job_id)
    now = utcnow()
    won = db.execute(
        update(Job)
        .where(Job.id == job.id, Job.state.in_(("failed", "cancelled")))
        .values(
            state="queued",
            error=None,
            cancel_requested=False,
            attempts=0,
            progress=0.0,
            stage="",
            eta_seconds=None,
            finished_at=None,
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
        )
    ).rowcount
    if not won:
        db.rollback()
        raise ApiError(
            409,
            f"only failed or cancelled renders can be retried; this one is {job.state}",
            "job_not_retryable",
        )
    jobs.append_event(db, job.id, "state", message="queued (retry)")
    accounts.audit(
        db,
        "render.retried",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="job",
        target_id=job.id,
        ip=client_ip(request),
    )
    db.commit()
    db.refresh(job)
    out = job_out(db, access.org.id, job)  # before queueing: a fast worker would already show it running
    job_queue(request).submit(job.id)
    return out


def _event_out(e: JobEvent) -> EventOut:
    return EventOut(
        seq=e.seq,
        at=e.at,
        kind=e.kind,
        stage=e.stage,
        progress=e.progress,
        percent=_percent(e.progress),
        message=e.message,
    )


def _read_events(
    sessions: sessionmaker[Session], job_id: str, after: int
) -> tuple[list[EventOut], str, float | None]:
    with sessions() as db:
        # State first: a final state is committed together with its last event, so reading the events
        # after it guarantees nothing is missed when the stream ends.
        row = db.execute(select(Job.state, Job.eta_seconds).where(Job.id == job_id)).one()
        events = [_event_out(e) for e in jobs.events_after(db, job_id, after)]
        return events, row.state, row.eta_seconds


async def _sse(
    request: Request, sessions: sessionmaker[Session], job_id: str, after: int
) -> AsyncIterator[str]:
    last = after
    quiet = 0.0
    yield "retry: 2000\n\n"
    while True:
        events, state, eta = await run_in_threadpool(_read_events, sessions, job_id, last)
        for e in events:
            data = e.model_dump(mode="json") | {"state": state, "eta_seconds": eta}
            yield f"id: {e.seq}\nevent: {e.kind}\ndata: {json.dumps(data)}\n\n"
            last = e.seq
        if state in FINAL and len(events) < 500:
            yield f"event: end\ndata: {json.dumps({'state': state})}\n\n"
            return
        if events:
            quiet = 0.0
        else:
            quiet += SSE_POLL
            if quiet >= SSE_KEEPALIVE:
                quiet = 0.0
                yield ": keep-alive\n\n"
        if await request.is_disconnected():
            return
        await asyncio.sleep(SSE_POLL)


@router.get(
    "/renders/{job_id}/events",
    response_model=EventsOut,
    responses={200: {"content": {"text/event-stream": {}}, "description": "JSON page, or an SSE stream"}},
)
def render_events(
    job_id: Id,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("job.read"))],
    db: Db,
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> Any:
    """Progress events. With `Accept: text/event-stream`: a live SSE stream (`id` = seq, events `state`,
    `progress`, `log`, then `end`); it resumes after `Last-Event-ID`. Otherwise one JSON page after `after`."""
    job = _job(db, access, job_id)
    if "text/event-stream" in request.headers.get("accept", ""):
        start = after
        if last_event_id and last_event_id.strip().isdigit():
            start = max(start, int(last_event_id.strip()))
        sessions = get_ctx(request).sessions
        return StreamingResponse(
            _sse(request, sessions, job.id, start),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    events = [_event_out(e) for e in jobs.events_after(db, job.id, after)]
    last = events[-1].seq if events else after
    done = job.state in FINAL and len(events) < 500
    eta = None if job.state in FINAL else job.eta_seconds
    return EventsOut(items=events, after=last, state=job.state, eta_seconds=eta, done=done)


@router.get(
    "/renders/{job_id}/files/{name}",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t in sorted(set(ARTIFACT_FILES.values()))}}, **DOWNLOAD_RESPONSES},
)
def render_file(
    job_id: Id,
    name: Annotated[str, Path(max_length=32)],
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("job.read"))],
    db: Db,
    redirect: Annotated[
        bool, Query(description="object storage: 307 to a presigned URL, if enabled")
    ] = False,
) -> Response:
    """One file of a finished render, by name from a fixed list (video.mp4, captions.srt/.vtt/.ass, words.json,
    thumbnail.jpg, project.json, timeline.otio, credits.json). Supports HTTP Range (the video player)."""
    if name not in ARTIFACT_FILES:
        raise ApiError(404, f"no file {name!r}: ask for one of {', '.join(ARTIFACT_FILES)}")
    job = _job(db, access, job_id)
    art = db.scalar(select(Artifact).where(Artifact.job_id == job.id, Artifact.kind == name))
    disposition = "inline" if name in ("video.mp4", "thumbnail.jpg", "captions.vtt") else "attachment"
    out = (
        blob_response(
            request,
            blob_store(request),
            art.storage_key,
            media_type=art.media_type,
            filename=name,
            disposition=disposition,
            redirect=redirect,
            headers={"Cache-Control": "private, max-age=3600"},
        )
        if art
        else None
    )
    if out is None:
        raise not_found("file (the render has not produced it)")
    return out
