"""Sign-in with Google and GitHub: `/auth/oauth/{provider}/start` → the provider → `/callback`."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from faceless.server import accounts, oauth
from faceless.server.deps import Ctx, Db, client_ip
from faceless.server.errors import ApiError
from faceless.server.routes.auth import IpLimited, _issue
from faceless.server.security import safe_next
from faceless.service.models import OAuthIdentity, RefreshToken, User, utcnow

router = APIRouter(prefix="/auth/oauth", tags=["auth"])
FLOW_COOKIE = "fl_oauth"
FLOW_PATH = "/api/v1/auth/oauth"
Provider = Annotated[Literal["google", "github"], Path()]


def _to_login(message: str) -> RedirectResponse:
    response = RedirectResponse(f"/login?oauth_error={quote(message[:300])}", status_code=303)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    return response


def _require_configured(ctx: Ctx, provider: str) -> None:
    if provider not in oauth.configured(ctx.settings):
        raise ApiError(404, f"sign-in with {provider} is not configured on this server", "not_found")


@router.get("/providers")
def providers(ctx: Ctx) -> dict[str, list[str]]:
    """The external sign-in providers this server offers."""
    return {"providers": oauth.configured(ctx.settings)}


@router.get(
    "/{provider}/start",
    status_code=302,
    dependencies=[IpLimited],
    responses={302: {"description": "Redirect to the provider's consent page"}},
)
def start(
    provider: Provider, ctx: Ctx, next: Annotated[str, Query(max_length=500)] = "/"
) -> RedirectResponse:  # noqa: A002
    """Send the browser to the provider (state, nonce and PKCE verifier kept in a sealed cookie)."""
    _require_configured(ctx, provider)
    try:
        url, flow = oauth.start(ctx.settings, provider, safe_next(next))
    except oauth.OAuthFailed as e:
        return _to_login(str(e))
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        FLOW_COOKIE,
        oauth.seal_flow(ctx.secrets, flow),
        max_age=oauth.FLOW_SECONDS,
        httponly=True,
        secure=ctx.settings.cookie_secure,
        samesite="lax",
        path=FLOW_PATH,
    )
    return response


@router.get(
    "/{provider}/callback",
    status_code=303,
    dependencies=[IpLimited],
    responses={
        303: {"description": "Signed in (to the app), the MFA step, or back to sign-in with a message"}
    },
)
def callback(
    provider: Provider,
    request: Request,
    ctx: Ctx,
    db: Db,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=500)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Finish the sign-in: find, link or create the account, then start a session like a password login."""
    _require_configured(ctx, provider)
    if error:
        return _to_login(f"{provider.capitalize()} sign-in was cancelled ({error})")
    ip = client_ip(request)
    try:
        flow = oauth.open_flow(ctx.secrets, request.cookies.get(FLOW_COOKIE), provider, state)
        if not code:
            raise oauth.OAuthFailed("the provider sent no authorization code: try again")
        identity = oauth.finish(ctx.settings, flow, code)
        user = _account_for(db, identity, ip)
    except oauth.OAuthFailed as e:
        db.rollback()
        accounts.audit(db, "auth.oauth_failed", ip=ip, provider=provider, reason=str(e)[:200])
        db.commit()
        return _to_login(str(e))
    if user.mfa_enabled:
        db.commit()
        # The second step happens on the sign-in page, like after a password; the token rides in the
        # fragment, which browsers never send to servers or put in Referer headers.
        response = RedirectResponse(
            f"/login?next={quote(flow.next)}#mfa={ctx.tokens.mfa_pending(user.id)}", status_code=303
        )
    else:
        issued = accounts.start_session(db, ctx, user, ua=request.headers.get("user-agent", ""), ip=ip)
        accounts.audit(db, "auth.login", user_id=user.id, ip=ip, mfa=False, provider=provider)
        db.commit()
        response = RedirectResponse(flow.next, status_code=303)
        _issue(response, ctx, issued)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    return response


def _account_for(db: Db, identity: oauth.Identity, ip: str) -> User:
    """The user linked to this identity; else the account with its verified e-mail (now linked); else a new one."""
    link = db.scalar(
        select(OAuthIdentity).where(
            OAuthIdentity.provider == identity.provider, OAuthIdentity.subject == identity.subject
        )
    )
    if link is not None:
        user = db.get(User, link.user_id)
    elif identity.email is None:
        raise oauth.OAuthFailed(
            f"your {identity.provider.capitalize()} account has no verified e-mail address: "
            "verify one there, or sign up with e-mail and password"
        )
    else:
        email = accounts.normalise_email(identity.email)
        try:
            user = db.scalar(select(User).where(User.email == email))
            if user is None:
                user = accounts.create_user(db, email=email, name=identity.name[:200], password_hash=None)
                accounts.audit(
                    db,
                    "auth.signup",
                    user_id=user.id,
                    target_type="user",
                    target_id=user.id,
                    ip=ip,
                    provider=identity.provider,
                )
            elif user.password_hash is not None:
                # Sign-up never proves the address, the provider just did: a password set by whoever
                # registered it first must not keep opening the account (pre-account takeover). The
                # owner can set a new one with "Forgot your password?".
                user.password_hash = None
                db.execute(
                    update(RefreshToken)
                    .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow())
                )
                accounts.audit(
                    db, "auth.password_cleared_on_link", user_id=user.id, ip=ip, provider=identity.provider
                )
            db.add(OAuthIdentity(user_id=user.id, provider=identity.provider, subject=identity.subject))
            accounts.audit(db, "auth.oauth_linked", user_id=user.id, ip=ip, provider=identity.provider)
            db.flush()
        except IntegrityError:
            # Two first sign-ins of the same person at once (double click, two tabs): the other one won.
            raise oauth.OAuthFailed(
                "this sign-in was already being completed in another tab: try again"
            ) from None
    if user is None or not user.is_active:
        raise oauth.OAuthFailed("this account is disabled: contact the administrator")
    return user
