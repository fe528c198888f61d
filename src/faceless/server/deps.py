"""Request dependencies: the service context, a DB session, the caller, and their organisation role."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import Depends, Path, Request
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from faceless.server.errors import ApiError, not_found
from faceless.server.policy import Permission, allows
from faceless.server.ratelimit import RateLimiter
from faceless.server.security import (
    Passwords,
    SecretBox,
    Tokens,
    api_key_prefix,
    constant_time_equal,
    sha256_hex,
)
from faceless.service.models import ApiKey, Membership, Organisation, RefreshToken, User, utcnow
from faceless.service.settings import Settings

ACCESS_COOKIE = "fl_access"
REFRESH_COOKIE = "fl_refresh"
CSRF_COOKIE = "fl_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class ServerContext:
    """Long-lived services shared by all requests (one per app)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    passwords: Passwords
    tokens: Tokens
    secrets: SecretBox
    limiter: RateLimiter
    # For single-statement reads: on PostgreSQL the same pool in autocommit, which drops the BEGIN
    # and ROLLBACK around the query (4 round trips -> 2 with the pre-ping). SQLite has no round trips
    # to save, and switching its isolation level on every checkout costs more than it gains.
    reader: Engine = field(init=False)

    def __post_init__(self) -> None:
        pg = self.engine.dialect.name == "postgresql"
        self.reader = self.engine.execution_options(isolation_level="AUTOCOMMIT") if pg else self.engine


def get_ctx(request: Request) -> ServerContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


Ctx = Annotated[ServerContext, Depends(get_ctx)]


def get_db(ctx: Ctx) -> Iterator[Session]:
    """A session per request; routes commit explicitly, anything uncommitted is rolled back."""
    with ctx.sessions() as session:
        yield session


Db = Annotated[Session, Depends(get_db)]


def client_ip(request: Request) -> str:
    # Behind a reverse proxy run uvicorn with --proxy-headers so this is the real client.
    return request.client.host if request.client else "unknown"


def rate_limit(ctx: ServerContext, key: str, rate_name: str) -> None:
    """Spend one token of `key` under the `rate_<name>` limit, or answer 429 with Retry-After."""
    wait = ctx.limiter.acquire(f"{rate_name}:{key}", ctx.settings.rate(rate_name))
    if wait > 0:
        raise ApiError(
            429,
            f"too many requests: try again in {math.ceil(wait)} s",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


@dataclass
class Principal:
    """The authenticated caller."""

    user: User
    via: Literal["token", "cookie", "api_key"]
    family_id: str | None = None  # the login session, for token-based callers
    api_key_id: str | None = None
    expires_at: float | None = None  # epoch seconds after which the credential is no longer valid


def _from_api_key(db: Session, key: str) -> Principal | None:
    prefix = api_key_prefix(key)
    if prefix is None:
        return None
    row = db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    now = utcnow()
    if row is None or not constant_time_equal(row.key_hash, sha256_hex(key)) or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    # Writing last_used_at on every call would make each read a write; minute resolution is enough.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
        db.commit()
    expires = row.expires_at.timestamp() if row.expires_at is not None else None
    return Principal(user=user, via="api_key", api_key_id=row.id, expires_at=expires)


def _from_access_token(
    ctx: ServerContext, db: Session, token: str, via: Literal["token", "cookie"]
) -> Principal | None:
    claims = ctx.tokens.read_access(token)
    if claims is None:
        return None
    user = db.get(User, claims.user_id)
    if user is None or not user.is_active:
        return None
    # Logout and refresh-token reuse revoke the family; access tokens of that session die with it.
    revoked = db.scalar(
        select(RefreshToken.id)
        .where(RefreshToken.family_id == claims.family_id, RefreshToken.revoked_at.is_not(None))
        .limit(1)
    )
    if revoked is not None:
        return None
    return Principal(user=user, via=via, family_id=claims.family_id, expires_at=claims.expires_at)


def check_csrf(request: Request) -> None:
    """Double-submit check for cookie-authenticated unsafe requests: header must equal the CSRF cookie."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not constant_time_equal(cookie, header):
        raise ApiError(
            403, "missing or wrong CSRF token: send the fl_csrf cookie value in X-CSRF-Token", "csrf"
        )


def authenticate(request: Request, ctx: ServerContext, db: Session) -> Principal | None:
    """The caller from `Authorization: Bearer`, `X-API-Key` or the session cookie; None if anonymous."""
    auth = request.headers.get("authorization", "")
    scheme, _, credential = auth.partition(" ")
    credential = credential.strip()
    if auth:
        if scheme.lower() != "bearer" or not credential:
            raise ApiError(401, "malformed Authorization header: use 'Bearer <token or API key>'")
        principal = (
            _from_api_key(db, credential)
            if credential.startswith("fl_")
            else _from_access_token(ctx, db, credential, "token")
        )
        if principal is None:
            raise ApiError(
                401,
                "invalid or expired credentials: log in again or check the API key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return principal
    if key := request.headers.get("x-api-key"):
        principal = _from_api_key(db, key.strip())
        if principal is None:
            raise ApiError(401, "invalid API key: create a new one under account settings")
        return principal
    if cookie := request.cookies.get(ACCESS_COOKIE):
        principal = _from_access_token(ctx, db, cookie, "cookie")
        if principal is not None:
            check_csrf(request)
            return principal
    return None


def current_principal(request: Request, ctx: Ctx, db: Db) -> Principal:
    """The authenticated caller (401 otherwise), after the per-user overall rate limit."""
    principal = authenticate(request, ctx, db)
    if principal is None:
        raise ApiError(
            401,
            "not signed in: send 'Authorization: Bearer <token>' or log in",
            headers={"WWW-Authenticate": "Bearer"},
        )
    rate_limit(ctx, principal.user.id, "user")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


@dataclass
class OrgAccess:
    """The caller inside one organisation they belong to."""

    principal: Principal
    org: Organisation
    role: str

    @property
    def user(self) -> User:
        return self.principal.user

    def require(self, permission: Permission) -> None:
        if not allows(self.role, permission):
            raise ApiError(
                403,
                f"your role '{self.role}' may not do this ({permission}): ask an admin of the organisation",
            )


def membership(db: Session, org_id: str, user_id: str) -> tuple[Organisation, str]:
    """(organisation, role) of `user_id` in `org_id`; 404 for non-members so other tenants' ids leak nothing."""
    row = db.execute(
        select(Organisation, Membership.role)
        .join(Membership, Membership.org_id == Organisation.id)
        .where(Organisation.id == org_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise not_found("organisation")
    return row[0], row[1]


def org_access(principal: CurrentPrincipal, db: Db, org_id: Annotated[str, Path(max_length=64)]) -> OrgAccess:
    """The caller's membership of `org_id` (404 for non-members)."""
    org, role = membership(db, org_id, principal.user.id)
    return OrgAccess(principal=principal, org=org, role=role)


def requires(permission: Permission) -> Callable[..., OrgAccess]:
    """Dependency: org access holding `permission` (403 if the member's role lacks it)."""

    def dependency(access: Annotated[OrgAccess, Depends(org_access)]) -> OrgAccess:
        access.require(permission)
        return access

    return dependency
