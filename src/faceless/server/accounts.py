"""Account operations shared by routes (and later by OAuth login): users, sessions, refresh rotation, audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from faceless.server.deps import ServerContext
from faceless.server.errors import ApiError
from faceless.server.security import new_token, normalise_recovery_code, sha256_hex, totp_match
from faceless.service.models import (
    AuditEvent,
    Membership,
    Organisation,
    RecoveryCode,
    RefreshToken,
    User,
    new_id,
    utcnow,
)


def audit(
    db: Session,
    action: str,
    *,
    user_id: str | None = None,
    org_id: str | None = None,
    target_type: str = "",
    target_id: str = "",
    ip: str = "",
    **details: Any,
) -> None:
    """Append one audit event to the session (committed with the caller's transaction)."""
    db.add(
        AuditEvent(
            action=action,
            user_id=user_id,
            org_id=org_id,
            target_type=target_type,
            target_id=target_id,
            ip=ip,
            details=details,
        )
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(db: Session, *, email: str, name: str, password_hash: str | None) -> User:
    """A new user with their personal organisation (as owner). Caller commits; 409 if the email is taken."""
    email = normalise_email(email)
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise ApiError(
            409, "an account with this email already exists: log in or reset the password", "email_taken"
        )
    user = User(id=new_id(), email=email, name=name, password_hash=password_hash)
    org = Organisation(id=new_id(), name=f"{name or email.split('@')[0]}'s space", personal=True)
    db.add_all([user, org])
    db.flush()
    db.add(Membership(org_id=org.id, user_id=user.id, role="owner"))
    return user


@dataclass
class IssuedSession:
    access_token: str
    refresh_token: str
    family_id: str
    expires_in: int


def _new_refresh(db: Session, ctx: ServerContext, user_id: str, family_id: str, ua: str, ip: str) -> str:
    token = new_token()
    db.add(
        RefreshToken(
            user_id=user_id,
            family_id=family_id,
            token_hash=sha256_hex(token),
            expires_at=utcnow() + timedelta(days=ctx.settings.refresh_token_days),
            user_agent=ua[:255],
            ip=ip[:64],
        )
    )
    return token


def start_session(
    db: Session, ctx: ServerContext, user: User, *, ua: str = "", ip: str = ""
) -> IssuedSession:
    """A new login session (refresh-token family) and its first token pair. Caller commits."""
    family = new_id()
    refresh = _new_refresh(db, ctx, user.id, family, ua, ip)
    return IssuedSession(
        access_token=ctx.tokens.access(user.id, family),
        refresh_token=refresh,
        family_id=family,
        expires_in=int(ctx.tokens.access_ttl.total_seconds()),
    )


def revoke_family(db: Session, family_id: str) -> None:
    db.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


_INVALID = "invalid or expired refresh token: log in again"


def rotate_refresh(
    db: Session, ctx: ServerContext, token: str, *, ua: str = "", ip: str = ""
) -> IssuedSession:
    """Swap a refresh token for a new pair. A token used twice revokes its whole family (theft signal).

    Commits itself, because a detected reuse must stay revoked even though the request fails.
    """
    row = db.scalar(select(RefreshToken).where(RefreshToken.token_hash == sha256_hex(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None:
        raise ApiError(401, _INVALID, "invalid_refresh_token")
    if row.rotated_at is not None:
        revoke_family(db, row.family_id)
        audit(
            db,
            "auth.refresh_reuse",
            user_id=row.user_id,
            target_type="session",
            target_id=row.family_id,
            ip=ip,
        )
        db.commit()
        raise ApiError(
            401,
            "refresh token already used: the session was ended for safety; log in again",
            "refresh_token_reused",
        )
    if row.expires_at <= now:
        raise ApiError(401, _INVALID, "invalid_refresh_token")
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        raise ApiError(401, _INVALID, "invalid_refresh_token")
    # Compare-and-set: of two concurrent refreshes with one token, only one wins; the other is a reuse.
    won = db.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now)
    ).rowcount
    if not won:
        db.rollback()
        return rotate_refresh(db, ctx, token, ua=ua, ip=ip)
    refresh = _new_refresh(db, ctx, user.id, row.family_id, ua, ip)
    db.commit()
    return IssuedSession(
        access_token=ctx.tokens.access(user.id, row.family_id),
        refresh_token=refresh,
        family_id=row.family_id,
        expires_in=int(ctx.tokens.access_ttl.total_seconds()),
    )


def check_second_factor(db: Session, ctx: ServerContext, user: User, code: str) -> str | None:
    """Accept a TOTP code (not replayed) or an unused recovery code; returns which, or None. Caller commits."""
    secret = ctx.secrets.open(user.mfa_secret_enc) if user.mfa_secret_enc else None
    if secret:
        step = totp_match(secret, code, after_step=user.mfa_last_step)
        if step is not None:
            user.mfa_last_step = step
            return "totp"
    normalised = normalise_recovery_code(code)
    if len(normalised) == 12:
        used = db.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == sha256_hex(normalised),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
        ).rowcount
        if used:
            return "recovery_code"
    return None


def family_of(db: Session, token: str) -> str | None:
    return db.scalar(select(RefreshToken.family_id).where(RefreshToken.token_hash == sha256_hex(token)))
