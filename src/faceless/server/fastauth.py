"""Authentication and organisation access for the hot read routes, without thread hops.

The general dependencies (`deps.current_principal`, `deps.requires`) are sync: FastAPI runs each in
its thread pool, and a request then crosses threads five or six times while holding a pooled
connection for its whole life. Under 64 concurrent readers that costs more than the work itself.
These async versions run on the event loop, open a session only for the moment they query (so a
request never holds a connection while waiting), and keep what they found for `TTL` seconds:

- the caller behind a credential (user active, login session not revoked),
- the caller's role in an organisation.

Any committed change to users, login sessions, API keys, memberships or organisations made through
this process clears both caches at once; another process sees such a change within `TTL` seconds
(that is the whole revocation window, documented in the README). Read-only routes only: the
objects handed out are detached snapshots.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from faceless.server.deps import (
    ACCESS_COOKIE,
    OrgAccess,
    Principal,
    ServerContext,
    authenticate,
    check_csrf,
    get_ctx,
    membership,
    rate_limit,
)
from faceless.server.errors import ApiError
from faceless.server.policy import Permission
from faceless.service.models import ApiKey, Membership, Organisation, RefreshToken, User

TTL = 2.0  # seconds a cached authentication or membership is trusted
MAX_ENTRIES = 20_000
_WATCHED = (User, RefreshToken, ApiKey, Membership, Organisation)
_WATCHED_TABLES = frozenset(m.__table__ for m in _WATCHED)  # type: ignore[attr-defined]


class TTLCache:
    """A small thread-safe map whose entries expire after `ttl` seconds."""

    def __init__(
        self, ttl: float, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return None
            if hit[0] < self.clock():
                del self._data[key]
                return None
            return hit[1]

    def put(self, key: Any, value: Any, ttl: float | None = None) -> None:
        """Keep `value` for `ttl` seconds (at most the cache's own TTL)."""
        ttl = self.ttl if ttl is None else min(ttl, self.ttl)
        if ttl <= 0:
            return
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()  # crude but bounded: a flood of distinct tokens cannot grow memory
            self._data[key] = (self.clock() + ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


principals = TTLCache(TTL)
memberships = TTLCache(TTL)


def invalidate() -> None:
    """Forget every cached authentication and membership (after a security-relevant change)."""
    principals.clear()
    memberships.clear()


# --- invalidation on commit ---------------------------------------------------------------------

_DIRTY = "_faceless_auth_dirty"


@event.listens_for(Session, "before_flush")
def _note_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    if any(isinstance(o, _WATCHED) for o in (*session.dirty, *session.deleted)):
        session.info[_DIRTY] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    # Bulk UPDATE/DELETE (revoking a login family, removing members) bypass the flush.
    if state.is_update or state.is_delete:
        stmt = state.statement
        table = getattr(stmt, "table", None)
        if table is not None and table in _WATCHED_TABLES:
            state.session.info[_DIRTY] = True


@event.listens_for(Session, "after_commit")
def _clear_on_commit(session: Session) -> None:
    if session.info.pop(_DIRTY, False):
        invalidate()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_DIRTY, None)


# --- dependencies -------------------------------------------------------------------------------


def _credential(request: Request) -> tuple[str, str] | None:
    auth = request.headers.get("authorization")
    if auth:
        return ("authorization", auth)
    if key := request.headers.get("x-api-key"):
        return ("x-api-key", key)
    if cookie := request.cookies.get(ACCESS_COOKIE):
        return ("cookie", cookie)
    return None


def _snapshot(db: Session, principal: Principal) -> Principal:
    db.expunge(principal.user)  # loaded attributes stay readable after the session closes
    return principal


async def read_principal(request: Request) -> Principal:
    """The authenticated caller for a read-only route (401 otherwise), after the per-user rate limit."""
    ctx: ServerContext = get_ctx(request)
    cred = _credential(request)
    principal = principals.get(cred) if cred else None
    if principal is not None and principal.via == "cookie":
        check_csrf(request)  # as authenticate() does (a no-op for the safe methods read routes use)
    if principal is None:
        with ctx.sessions() as db:
            found = authenticate(request, ctx, db)
            principal = _snapshot(db, found) if found is not None else None
        if principal is None:
            raise ApiError(
                401,
                "not signed in: send 'Authorization: Bearer <token>' or log in",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if cred is not None:
            # Never past the credential's own expiry: an access token or API key that expires in
            # 0.5 s is cached for 0.5 s, not for the whole TTL.
            left = None if principal.expires_at is None else principal.expires_at - time.time()
            principals.put(cred, principal, left)
    rate_limit(ctx, principal.user.id, "user")
    return principal


ReadPrincipal = Annotated[Principal, Depends(read_principal)]


def read_access(permission: Permission) -> Callable[..., Awaitable[OrgAccess]]:
    """Dependency: the caller's membership of `org_id` holding `permission` (404 non-member, 403 role)."""

    async def dependency(
        request: Request, principal: ReadPrincipal, org_id: Annotated[str, Path(max_length=64)]
    ) -> OrgAccess:
        key = (org_id, principal.user.id)
        found = memberships.get(key)
        if found is None:
            ctx: ServerContext = get_ctx(request)
            with ctx.sessions() as db:
                found = membership(db, org_id, principal.user.id)
                db.expunge(found[0])  # a detached snapshot: readable after the session closes
            memberships.put(key, found)
        access = OrgAccess(principal=principal, org=found[0], role=found[1])
        access.require(permission)
        return access

    return dependency


__all__ = ["ReadPrincipal", "TTLCache", "invalidate", "read_access", "read_principal"]
