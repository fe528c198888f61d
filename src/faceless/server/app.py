"""The FastAPI application: `create_app()` wires settings, database, security and routes."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from faceless.server.deps import CSRF_HEADER, ServerContext
from faceless.server.docs import install_docs
from faceless.server.errors import ErrorBody, install_error_handlers
from faceless.server.inputguard import RejectNul
from faceless.server.middleware import BodySizeLimit, SecurityHeaders
from faceless.server.ratelimit import RateLimiter, make_rate_limiter
from faceless.server.routes import account, auth, oauth, orgs, pages, password, previews, projects, usage
from faceless.server.security import Passwords, SecretBox, Tokens
from faceless.service.db import make_engine, make_sessionmaker, upgrade_database
from faceless.service.settings import Settings

API_PREFIX = "/api/v1"
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in [
        (400, "Bad request"),
        (401, "Not signed in"),
        (403, "Not allowed"),
        (404, "Not found"),
        (409, "Conflict"),
        (413, "Body too large"),
        (422, "Invalid input"),
        (429, "Rate limited"),
    ]
}


def create_app(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    limiter: RateLimiter | None = None,
    jobs: bool = True,
) -> FastAPI:
    """The API app. With `migrate`, the database schema is upgraded to the newest revision first.

    With `jobs`, the render/asset/from-input routes and the job queue are installed (what
    `faceless serve` runs); tests that configure the queue themselves pass `jobs=False`.
    """
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.ensure_secret_key()
    engine = make_engine(settings.database_url, echo=settings.database_echo)
    if migrate:
        upgrade_database(engine)
    ctx = ServerContext(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        passwords=Passwords(settings),
        tokens=Tokens(settings),
        secrets=SecretBox(settings),
        limiter=limiter or make_rate_limiter(settings),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Everything loaded so far lives as long as the process: move it out of the collector's
        # reach, so full collections (which otherwise walk the whole import graph, tens of ms) stay
        # short and do not show up as latency spikes under load.
        gc.collect()
        gc.freeze()
        yield
        engine.dispose()

    app = FastAPI(
        title="Faceless",
        version="1",
        summary="Script, article or topic in; finished, narrated, captioned video out.",
        docs_url=None,  # served by faceless.server.docs: local assets, strict CSP
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        lifespan=lifespan,
        responses=_ERRORS,
    )
    app.state.ctx = ctx
    install_error_handlers(app)

    # Straight into the app (not through a prefixed parent router) and the most-read routes first:
    # FastAPI matches routes one by one, and every level of nesting adds its own matching pass.
    for module in (projects, auth, oauth, password, account, orgs, usage, previews):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.get(f"{API_PREFIX}/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    install_docs(app)
    app.include_router(pages.router)  # the web app: HTML pages, static files, PWA

    # Outermost last: headers are added even to CORS preflights and to errors.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", CSRF_HEADER],
            max_age=600,
        )
    # Path prefix -> byte limit; the upload routes of later slices register larger limits here.
    app.state.body_limits = {}

    def limit_for(path: str) -> int:
        for prefix, limit in app.state.body_limits.items():
            if path.startswith(prefix):
                return int(limit)
        return settings.max_body_bytes

    app.add_middleware(RejectNul)  # inside BodySizeLimit: the JSON it buffers is already capped
    app.add_middleware(BodySizeLimit, limit_for=limit_for)
    app.add_middleware(SecurityHeaders, hsts=settings.public_url.startswith("https://"))
    if jobs:
        from faceless.server.routes.jobs import install

        install(app)
    return app


def serve_app() -> FastAPI:
    """uvicorn factory for `faceless serve` HTTP processes: settings from the environment, jobs installed."""
    return create_app()
