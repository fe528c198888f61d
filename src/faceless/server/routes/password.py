"""Forgotten passwords: a single-use link by e-mail, then a new password that ends every session."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update

from faceless.server import accounts
from faceless.server.deps import Ctx, Db, client_ip, rate_limit
from faceless.server.errors import ApiError
from faceless.server.mailer import send_mail
from faceless.server.routes.auth import IpLimited
from faceless.server.security import new_token, sha256_hex
from faceless.service.models import PasswordResetToken, RefreshToken, User, utcnow

router = APIRouter(prefix="/auth/password", tags=["auth"])
SENT = {"status": "if an account uses this address, a reset link is on its way"}


class ForgotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)


class ResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=20, max_length=200)
    password: str = Field(min_length=10, max_length=1024)  # the sign-up rule


@router.post("/forgot", status_code=202, dependencies=[IpLimited])
def forgot(body: ForgotIn, request: Request, ctx: Ctx, db: Db, background: BackgroundTasks) -> dict[str, str]:
    """E-mail a reset link (valid `password_reset_minutes`, once). Same answer whether or not the
    address has an account, so nobody learns who is registered."""
    email = accounts.normalise_email(body.email)
    rate_limit(ctx, f"reset:{email}", "auth_account")
    user = db.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        return SENT
    now = utcnow()
    # One live link at a time: older unused ones stop working.
    db.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = new_token(32)
    db.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=sha256_hex(token),
            ip=client_ip(request),
            expires_at=now + timedelta(minutes=ctx.settings.password_reset_minutes),
        )
    )
    accounts.audit(db, "auth.password_reset_requested", user_id=user.id, ip=client_ip(request))
    db.commit()
    # The token rides in the fragment: browsers never send it to a server or in a Referer header.
    link = f"{ctx.settings.public_url.rstrip('/')}/reset-password#token={token}"
    text = (
        f"Someone (hopefully you) asked to reset the password of your Faceless account.\n\n"
        f"Choose a new password here (the link works once, for {ctx.settings.password_reset_minutes} "
        f"minutes):\n{link}\n\nIf it was not you, ignore this message: your password stays as it is.\n"
    )
    background.add_task(send_mail, ctx.settings, user.email, "Reset your Faceless password", text)
    return SENT


@router.post("/reset", status_code=204, dependencies=[IpLimited], responses={204: {"description": "Changed"}})
def reset(body: ResetIn, request: Request, ctx: Ctx, db: Db) -> Response:
    """Set a new password with the link's token; every login session of the account is ended."""
    now = utcnow()
    row = db.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == sha256_hex(body.token)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise ApiError(
            400, "this reset link is invalid, used or expired: ask for a new one", "reset_token_invalid"
        )
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        raise ApiError(
            400, "this reset link is invalid, used or expired: ask for a new one", "reset_token_invalid"
        )
    rate_limit(ctx, user.id, "auth_account")
    user.password_hash = ctx.passwords.hash(body.password)
    row.used_at = now
    db.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    accounts.audit(db, "auth.password_reset", user_id=user.id, ip=client_ip(request))
    db.commit()
    return Response(status_code=204)
