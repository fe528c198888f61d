"""Wiring of the jobs slice into the app: the queue, the blob store, the routers and the upload limit.

`install(app)` is called once after `create_app()` (see the report for the app.py line that makes it
automatic). The API process only enqueues job ids; rendering happens in `faceless.worker` processes.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.middleware import Middleware

from faceless.server.middleware import BodySizeLimit
from faceless.service.models import Job
from faceless.service.queue import JobQueue
from faceless.storage.blobs import LocalBlobStore, blob_store_for

DEFAULT_UPLOAD_LIMIT = 512 * 1024**2
UPLOAD_PATH = re.compile(r"^/api/v1/orgs/[^/]+/assets/?$")
log = logging.getLogger("faceless.server")


def job_queue(request: Request) -> JobQueue:
    return request.app.state.job_queue  # type: ignore[no-any-return]


def blob_store(request: Request) -> LocalBlobStore:
    return request.app.state.blobs  # type: ignore[no-any-return]


def upload_limit(request: Request) -> int:
    return int(request.app.state.upload_limit)


def render_prefixes(db: Session, org_id: str, project_id: str) -> list[str]:
    """The blob folders of a project's render jobs; read them before deleting the project (jobs cascade)."""
    from faceless.storage.keys import render_prefix

    ids = db.scalars(select(Job.id).where(Job.org_id == org_id, Job.project_id == project_id))
    return [render_prefix(org_id, i) for i in ids]


def drop_blobs(request: Request, prefixes: list[str]) -> None:
    """Delete these blob folders after their rows were deleted (committed). Best effort: a storage failure
    is logged (the files are unreachable without their rows) rather than failing a finished deletion."""
    blobs: LocalBlobStore | None = getattr(request.app.state, "blobs", None)
    if blobs is None:  # an app without the jobs slice stores no files
        return
    for prefix in prefixes:
        try:
            blobs.delete_prefix(prefix)
        except Exception:  # noqa: BLE001
            log.warning("could not delete stored files under %s", prefix, exc_info=True)


def _widen_body_limit(app: FastAPI, pattern: re.Pattern[str], limit: int) -> None:
    """Let upload paths (which carry the org id, so a prefix cannot match them) take `limit` bytes."""
    for i, m in enumerate(app.user_middleware):
        if m.cls is BodySizeLimit:
            base = m.kwargs["limit_for"]

            def limit_for(path: str, _base: Any = base) -> int:
                return limit if pattern.match(path) else int(_base(path))

            app.user_middleware[i] = Middleware(BodySizeLimit, limit_for=limit_for)
            app.middleware_stack = None  # rebuilt on first request
            return


def install(app: FastAPI, *, queue: JobQueue | None = None, upload_limit: int = DEFAULT_UPLOAD_LIMIT) -> None:
    """Add renders, assets and project-from-input routes to an app made by `create_app()`."""
    from faceless.server.routes import assets, inputs, renders
    from faceless.service.queue import HueyJobQueue

    settings = app.state.ctx.settings
    app.state.job_queue = queue or HueyJobQueue(settings.queue_url)
    app.state.blobs = blob_store_for(
        settings.data_dir,
        settings.storage_url,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
    )
    app.state.upload_limit = upload_limit
    for module in (renders, inputs, assets):  # straight into the app: see create_app on route matching
        app.include_router(module.router, prefix="/api/v1")
    _widen_body_limit(app, UPLOAD_PATH, upload_limit)
