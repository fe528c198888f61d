"""HTML pages of the web app: server-rendered Jinja2 templates, static files, PWA manifest and service worker.

Pages read the session cookie like the API does; a visitor without a valid access cookie is sent to
`/login?next=…`, whose script first tries a silent token refresh. All actions on a page go through the
JSON API (`/api/v1`) from small ES modules; the pages themselves only ever read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from faceless.domain.formats import FORMATS
from faceless.server.deps import Ctx, Db, Principal, authenticate, rate_limit
from faceless.server.errors import ApiError
from faceless.server.policy import allows
from faceless.server.security import safe_next
from faceless.service.models import ApiKey, Job, Membership, Organisation, ProjectRow, User, utcnow
from faceless.web import STATIC_DIR, TEMPLATES_DIR, shell_files, static_version

router = APIRouter(include_in_schema=False)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

ORG_COOKIE = "fl_org"  # the organisation the pages show (set by the org switcher; checked on every page)
Id = Annotated[str, Path(max_length=64)]
NO_STORE = {"Cache-Control": "no-store"}  # pages carry account data: never kept by shared caches
VOICES = ["piper:joe", "espeak:en-us"]
CAPTION_STYLES = ["pop", "classic", "minimal", "none"]
MOODS = ["calm", "upbeat", "dramatic", "inspiring", "dark"]


def _services() -> dict[str, list[str]]:
    """Cloud providers configured on this server (ready), offered as choices in the style fields."""
    from faceless.providers import registry

    ready = [s for s in registry.available() if s.ready and not s.offline]
    return {cap: [s.id for s in ready if s.capability == cap] for cap in ("stock", "image", "music", "tts")}


def _static_url(path: str) -> str:
    return f"/static/{path}?v={static_version()}"


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals["static"] = _static_url


@dataclass
class Viewer:
    """The signed-in user on a page, their organisations and the one the page shows."""

    user: User
    orgs: list[dict[str, Any]]
    org: dict[str, Any]

    @property
    def role(self) -> str:
        return str(self.org["role"])

    def can(self, permission: str) -> bool:
        return allows(self.role, permission)  # type: ignore[arg-type]


def _principal(request: Request, ctx: Ctx, db: Session) -> Principal | None:
    try:
        return authenticate(request, ctx, db)
    except ApiError:
        return None


def _viewer(request: Request, ctx: Ctx, db: Session) -> Viewer | None:
    principal = _principal(request, ctx, db)
    if principal is None:
        return None
    rate_limit(ctx, principal.user.id, "user")
    rows = db.execute(
        select(Organisation, Membership.role)
        .join(Membership, Membership.org_id == Organisation.id)
        .where(Membership.user_id == principal.user.id)
        .order_by(Organisation.personal.desc(), Organisation.created_at)
    ).all()
    orgs = [{"id": o.id, "name": o.name, "personal": o.personal, "role": r} for o, r in rows]
    if not orgs:
        return None
    wanted = request.query_params.get("org") or request.cookies.get(ORG_COOKIE, "")
    org = next((o for o in orgs if o["id"] == wanted), orgs[0])
    return Viewer(user=principal.user, orgs=orgs, org=org)


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(safe_next(target), safe='/?=&')}", status_code=303)


def _page(request: Request, template: str, viewer: Viewer | None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"viewer": viewer, **context}, headers=NO_STORE)


def signed_in(request: Request, ctx: Ctx, db: Db) -> Viewer | None:
    """Dependency: the page's viewer, or None (the route then redirects to the login page)."""
    return _viewer(request, ctx, db)


MaybeViewer = Annotated[Viewer | None, Depends(signed_in)]


# --- sign-in ------------------------------------------------------------------------------------


def _oauth_providers(request: Request) -> list[str]:
    from faceless.server.oauth import configured

    return configured(request.app.state.ctx.settings)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, viewer: MaybeViewer, next: str = "/") -> Response:
    """Sign in (password, then the TOTP step when the account has MFA)."""
    if viewer is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(
        request,
        "login.html",
        None,
        title="Sign in",
        next=safe_next(next),
        page="login",
        oauth_providers=_oauth_providers(request),
    )


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request, viewer: MaybeViewer, next: str = "/") -> Response:
    if viewer is not None:
        return RedirectResponse("/", status_code=303)
    return _page(
        request,
        "signup.html",
        None,
        title="Create account",
        next=safe_next(next),
        page="signup",
        oauth_providers=_oauth_providers(request),
    )


@router.get("/forgot-password", response_class=HTMLResponse)
def forgot_page(request: Request) -> Response:
    """Ask for a password-reset link."""
    return _page(request, "forgot.html", None, title="Forgot password", page="forgot")


@router.get("/reset-password", response_class=HTMLResponse)
def reset_page(request: Request) -> Response:
    """Choose a new password (the token is in the URL fragment, read by the page's script)."""
    return _page(request, "reset.html", None, title="New password", page="reset")


@router.get("/offline", response_class=HTMLResponse)
def offline_page(request: Request) -> Response:
    """Shown by the service worker when a page is requested offline and not cached."""
    return _page(request, "offline.html", None, title="Offline", page="offline")


# --- app pages ----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, viewer: MaybeViewer, db: Db) -> Response:
    """The organisation's projects, newest first, with the state of each one's latest render."""
    if viewer is None:
        return _login_redirect(request)
    projects = db.execute(
        select(ProjectRow.id, ProjectRow.title, ProjectRow.version, ProjectRow.updated_at)
        .where(ProjectRow.org_id == viewer.org["id"])
        .order_by(ProjectRow.updated_at.desc(), ProjectRow.id)
        .limit(200)
    ).all()
    latest: dict[str, str] = {}
    if projects:
        # The state of each project's newest job only (a project may have many renders).
        newest = (
            select(Job.project_id, func.max(Job.created_at).label("at"))
            .where(Job.org_id == viewer.org["id"], Job.project_id.in_([p.id for p in projects]))
            .group_by(Job.project_id)
            .subquery()
        )
        jobs = db.execute(
            select(Job.project_id, Job.state).join(
                newest, and_(Job.project_id == newest.c.project_id, Job.created_at == newest.c.at)
            )
        ).all()
        latest = {j.project_id: j.state for j in jobs if j.project_id}
    return _page(
        request,
        "dashboard.html",
        viewer,
        title="Projects",
        projects=projects,
        latest=latest,
        page="dashboard",
    )


@router.get("/new", response_class=HTMLResponse)
def new_video(request: Request, viewer: MaybeViewer) -> Response:
    """The new-video wizard: input → scene cards → style → render."""
    if viewer is None:
        return _login_redirect(request)
    return _page(
        request,
        "wizard.html",
        viewer,
        title="New video",
        page="wizard",
        formats=list(FORMATS),
        voices=VOICES,
        caption_styles=CAPTION_STYLES,
        moods=MOODS,
        services=_services(),
    )


def _project(db: Session, viewer: Viewer, project_id: str) -> ProjectRow:
    row = db.scalar(
        select(ProjectRow).where(ProjectRow.id == project_id, ProjectRow.org_id == viewer.org["id"])
    )
    if row is None:
        raise ApiError(404, "project not found: check the link and the organisation you are in")
    return row


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_editor(request: Request, project_id: Id, viewer: MaybeViewer, db: Db) -> Response:
    """Scene cards with thumbnails and inline narration editing, render progress, player, downloads."""
    if viewer is None:
        return _login_redirect(request)
    try:
        row = _project(db, viewer, project_id)
    except ApiError as e:
        page = _page(request, "not_found.html", viewer, title="Not found", page="notfound", message=e.message)
        page.status_code = 404
        return page
    job = db.scalar(
        select(Job)
        .where(Job.project_id == row.id, Job.org_id == viewer.org["id"])
        .order_by(Job.created_at.desc())
    )
    return _page(
        request,
        "project.html",
        viewer,
        title=row.title,
        page="project",
        row=row,
        # Embedded as JSON data (tojson escapes <, > and &), read by the page's module; never executed.
        boot={
            "org": viewer.org["id"],
            "project_id": row.id,
            "version": row.version,
            "project": row.data,
            "job": {"id": job.id, "state": job.state} if job else None,
            "can_write": viewer.can("project.write"),
            "can_render": viewer.can("job.submit"),
        },
        formats=list(FORMATS),
        voices=VOICES,
        caption_styles=CAPTION_STYLES,
        moods=MOODS,
        services=_services(),
    )


@router.get("/assets", response_class=HTMLResponse)
def asset_library(request: Request, viewer: MaybeViewer) -> Response:
    """Upload and search the organisation's media library (listing comes from the assets API)."""
    if viewer is None:
        return _login_redirect(request)
    return _page(request, "assets.html", viewer, title="Assets", page="assets")


@router.get("/settings/org", response_class=HTMLResponse)
def org_settings(request: Request, viewer: MaybeViewer) -> Response:
    """Name, members and roles, invitations; creating a team."""
    if viewer is None:
        return _login_redirect(request)
    return _page(
        request,
        "org.html",
        viewer,
        title="Organisation",
        page="org",
        can_manage=viewer.can("members.manage"),
        can_invite=viewer.can("members.invite"),
        can_rename=viewer.can("org.update"),
    )


@router.get("/settings/account", response_class=HTMLResponse)
def account_settings(request: Request, viewer: MaybeViewer, db: Db) -> Response:
    """API keys and two-factor authentication."""
    if viewer is None:
        return _login_redirect(request)
    now = utcnow()
    keys = db.scalars(
        select(ApiKey)
        .where(ApiKey.user_id == viewer.user.id, ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.created_at.desc())
    ).all()
    keys = [k for k in keys if k.expires_at is None or k.expires_at > now]
    return _page(request, "account.html", viewer, title="Account", page="account", keys=keys)


# --- PWA ----------------------------------------------------------------------------------------


@router.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest (installable PWA)."""
    body = {
        "name": "Faceless",
        "short_name": "Faceless",
        "description": "Script, article or topic in; finished, narrated, captioned short video out.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#12111f",
        "theme_color": "#1c1b2e",
        "icons": [
            {"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": "/static/icons/maskable-192.png",
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "maskable",
            },
            {
                "src": "/static/icons/maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [{"name": "New video", "url": "/new"}],
    }
    return Response(json.dumps(body), media_type="application/manifest+json")


@cache
def _service_worker_source() -> str:
    # Unversioned URLs: ES modules import each other by plain path (the cache name carries the version).
    shell = ["/offline", "/manifest.webmanifest", *(f"/static/{p}" for p in shell_files())]
    source = (STATIC_DIR.parent / "sw.js").read_text(encoding="utf-8")
    return source.replace("__VERSION__", static_version()).replace("__SHELL__", json.dumps(shell))


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so its scope covers every page."""
    return Response(
        _service_worker_source(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )
