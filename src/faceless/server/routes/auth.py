"""Sign-up, login (with the TOTP second step), token refresh, logout, and who-am-I."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from faceless.server import accounts
from faceless.server.deps import (
    ACCESS_COOKIE,
    CSRF_COOKIE,
    REFRESH_COOKIE,
    Ctx,
    CurrentPrincipal,
    Db,
    ServerContext,
    authenticate,
    check_csrf,
    client_ip,
    rate_limit,
)
from faceless.server.errors import ApiError
from faceless.server.schemas import (
    LoginIn,
    MeOut,
    MfaLoginIn,
    MfaRequiredOut,
    MyOrgOut,
    OrgOut,
    RefreshIn,
    SignupIn,
    SignupOut,
    TokensOut,
    UserOut,
)
from faceless.server.security import new_token
from faceless.service.models import Membership, Organisation, User

router = APIRouter(prefix="/auth", tags=["auth"])
API_AUTH_PATH = "/api/v1/auth"


def auth_ip_limit(request: Request, ctx: Ctx) -> None:
    """Per-IP limit shared by every unauthenticated auth endpoint."""
    rate_limit(ctx, client_ip(request), "auth_ip")


IpLimited = Depends(auth_ip_limit)


def _issue(response: Response, ctx: ServerContext, issued: accounts.IssuedSession) -> TokensOut:
    """Token pair in the body (API clients) and as cookies (the web app), plus a CSRF token."""
    s = ctx.settings
    csrf = new_token(24)
    response.set_cookie(
        ACCESS_COOKIE,
        issued.access_token,
        max_age=issued.expires_in,
        httponly=True,
        secure=s.cookie_secure,
        samesite="lax",
        path="/",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=s.refresh_token_days * 86400,
        httponly=True,
        secure=s.cookie_secure,
        samesite="strict",
        path=API_AUTH_PATH,
    )
    # Readable by the page's script on purpose: it echoes the value in X-CSRF-Token (double submit).
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=s.refresh_token_days * 86400,
        httponly=False,
        secure=s.cookie_secure,
        samesite="strict",
        path="/",
    )
    return TokensOut(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
        csrf_token=csrf,
    )


def _clear_cookies(response: Response) -> None:
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path=API_AUTH_PATH)
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.post("/signup", status_code=201, response_model=SignupOut, dependencies=[IpLimited])
def signup(body: SignupIn, request: Request, response: Response, ctx: Ctx, db: Db) -> SignupOut:
    """Create an account and its personal organisation; the caller is logged in."""
    user = accounts.create_user(
        db, email=body.email, name=body.name, password_hash=ctx.passwords.hash(body.password)
    )
    issued = accounts.start_session(
        db, ctx, user, ua=request.headers.get("user-agent", ""), ip=client_ip(request)
    )
    accounts.audit(
        db, "auth.signup", user_id=user.id, target_type="user", target_id=user.id, ip=client_ip(request)
    )
    db.commit()
    org = db.scalar(select(Organisation).join(Membership).where(Membership.user_id == user.id))
    return SignupOut(
        user=UserOut.model_validate(user),
        personal_org=OrgOut.model_validate(org),
        tokens=_issue(response, ctx, issued),
    )


@router.post("/login", response_model=TokensOut | MfaRequiredOut, dependencies=[IpLimited])
def login(
    body: LoginIn, request: Request, response: Response, ctx: Ctx, db: Db
) -> TokensOut | MfaRequiredOut:
    """Password login. With MFA on, answers `mfa_required` and a token for `/auth/login/mfa`."""
    email = accounts.normalise_email(body.email)
    rate_limit(ctx, email, "auth_account")
    user = db.scalar(select(User).where(User.email == email))
    ip = client_ip(request)
    if (
        not ctx.passwords.verify(user.password_hash if user else None, body.password)
        or not user
        or not user.is_active
    ):
        accounts.audit(db, "auth.login_failed", user_id=user.id if user else None, ip=ip)
        db.commit()
        raise ApiError(401, "wrong email or password: check both, or sign up", "bad_credentials")
    assert user.password_hash is not None
    if ctx.passwords.needs_rehash(user.password_hash):  # cost settings were raised since this hash was made
        user.password_hash = ctx.passwords.hash(body.password)
    if user.mfa_enabled:
        db.commit()
        return MfaRequiredOut(mfa_token=ctx.tokens.mfa_pending(user.id))
    issued = accounts.start_session(db, ctx, user, ua=request.headers.get("user-agent", ""), ip=ip)
    accounts.audit(db, "auth.login", user_id=user.id, ip=ip, mfa=False)
    db.commit()
    return _issue(response, ctx, issued)


@router.post("/login/mfa", response_model=TokensOut, dependencies=[IpLimited])
def login_mfa(body: MfaLoginIn, request: Request, response: Response, ctx: Ctx, db: Db) -> TokensOut:
    """Second login step: the TOTP code (or a recovery code) for the `mfa_token` from `/auth/login`."""
    user_id = ctx.tokens.read_mfa_pending(body.mfa_token)
    if user_id is None:
        raise ApiError(
            401, "MFA step expired or invalid: log in again with your password", "mfa_token_invalid"
        )
    rate_limit(ctx, user_id, "auth_account")
    user = db.get(User, user_id)
    if user is None or not user.is_active or not user.mfa_enabled:
        raise ApiError(
            401, "MFA step expired or invalid: log in again with your password", "mfa_token_invalid"
        )
    ip = client_ip(request)
    method = accounts.check_second_factor(db, ctx, user, body.code)
    if method is None:
        accounts.audit(db, "auth.mfa_failed", user_id=user.id, ip=ip)
        db.commit()
        raise ApiError(
            401, "wrong or already used code: enter the current code from your app", "bad_mfa_code"
        )
    issued = accounts.start_session(db, ctx, user, ua=request.headers.get("user-agent", ""), ip=ip)
    accounts.audit(db, "auth.login", user_id=user.id, ip=ip, mfa=method)
    db.commit()
    return _issue(response, ctx, issued)


def _refresh_token_from(request: Request, body: RefreshIn | None) -> str:
    if body is not None and body.refresh_token:
        return body.refresh_token
    cookie = request.cookies.get(REFRESH_COOKIE)
    if not cookie:
        raise ApiError(401, "no refresh token: send refresh_token in the body or log in again")
    check_csrf(request)  # the cookie was sent by the browser automatically: prove it is our page
    return cookie


@router.post("/refresh", response_model=TokensOut, dependencies=[IpLimited])
def refresh(
    request: Request, response: Response, ctx: Ctx, db: Db, body: RefreshIn | None = None
) -> TokensOut:
    """Swap a refresh token for a new pair (each refresh token works once)."""
    token = _refresh_token_from(request, body)
    issued = accounts.rotate_refresh(
        db, ctx, token, ua=request.headers.get("user-agent", ""), ip=client_ip(request)
    )
    return _issue(response, ctx, issued)


@router.post("/logout", status_code=204, dependencies=[IpLimited])
def logout(request: Request, ctx: Ctx, db: Db, body: RefreshIn | None = None) -> Response:
    """End the session of this refresh token (or of the access token used), everywhere it was copied."""
    family: str | None = None
    try:
        token = _refresh_token_from(request, body)
        family = accounts.family_of(db, token)
    except ApiError:
        principal = authenticate(request, ctx, db)
        family = principal.family_id if principal else None
    if family is None:
        raise ApiError(401, "nothing to log out: send the refresh token or an access token")
    accounts.revoke_family(db, family)
    accounts.audit(db, "auth.logout", target_type="session", target_id=family, ip=client_ip(request))
    db.commit()
    response = Response(status_code=204)
    _clear_cookies(response)
    return response


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal, db: Db) -> MeOut:
    """The caller and the organisations they belong to, with their role in each."""
    rows = db.execute(
        select(Organisation, Membership.role)
        .join(Membership, Membership.org_id == Organisation.id)
        .where(Membership.user_id == principal.user.id)
        .order_by(Organisation.personal.desc(), Organisation.created_at)
    ).all()
    orgs = [
        MyOrgOut(id=o.id, name=o.name, personal=o.personal, created_at=o.created_at, role=r) for o, r in rows
    ]
    return MeOut(user=UserOut.model_validate(principal.user), organisations=orgs)
