"""The caller's own security settings: TOTP MFA (enrol, verify, disable, recovery codes) and API keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import delete, select

from faceless.server import accounts
from faceless.server.deps import Ctx, CurrentPrincipal, Db, Principal, client_ip
from faceless.server.errors import ApiError, not_found
from faceless.server.schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    CodeIn,
    MfaEnrolOut,
    RecoveryCodesOut,
)
from faceless.server.security import (
    new_api_key,
    new_recovery_codes,
    new_totp_secret,
    normalise_recovery_code,
    qr_png,
    qr_svg,
    sha256_hex,
    totp_match,
    totp_uri,
)
from faceless.service.models import ApiKey, RecoveryCode, User, utcnow

router = APIRouter(prefix="/account", tags=["account"])


def _not_via_api_key(principal: Principal) -> None:
    # A leaked script key must not be able to change how the account itself is protected.
    if principal.via == "api_key":
        raise ApiError(403, "API keys cannot change account security: sign in with your password")


def _replace_recovery_codes(db: Db, user: User) -> list[str]:
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = new_recovery_codes()
    db.add_all(RecoveryCode(user_id=user.id, code_hash=sha256_hex(normalise_recovery_code(c))) for c in codes)
    return codes


@router.post("/mfa/enrol", response_model=MfaEnrolOut)
def mfa_enrol(principal: CurrentPrincipal, ctx: Ctx, db: Db) -> MfaEnrolOut:
    """Start TOTP enrolment: a new secret, its otpauth URI and QR code. Confirm with `/account/mfa/verify`."""
    _not_via_api_key(principal)
    user = principal.user
    if user.mfa_enabled:
        raise ApiError(409, "MFA is already on: disable it first to enrol a new device", "mfa_enabled")
    secret = new_totp_secret()
    user.mfa_secret_enc = ctx.secrets.seal(secret)
    user.mfa_last_step = 0
    db.commit()
    uri = totp_uri(secret, user.email)
    return MfaEnrolOut(secret=secret, otpauth_uri=uri, qr_svg=qr_svg(uri))


@router.get("/mfa/qr.png", responses={200: {"content": {"image/png": {}}}}, response_class=Response)
def mfa_qr_png(principal: CurrentPrincipal, ctx: Ctx) -> Response:
    """The QR code of the pending (not yet verified) TOTP secret, as PNG."""
    _not_via_api_key(principal)
    user = principal.user
    secret = ctx.secrets.open(user.mfa_secret_enc) if user.mfa_secret_enc and not user.mfa_enabled else None
    if secret is None:
        raise ApiError(404, "no MFA enrolment in progress: POST /api/v1/account/mfa/enrol first")
    return Response(
        qr_png(totp_uri(secret, user.email)), media_type="image/png", headers={"Cache-Control": "no-store"}
    )


@router.post("/mfa/verify", response_model=RecoveryCodesOut)
def mfa_verify(
    body: CodeIn, request: Request, principal: CurrentPrincipal, ctx: Ctx, db: Db
) -> RecoveryCodesOut:
    """Confirm enrolment with a current code; turns MFA on and returns one-time recovery codes."""
    _not_via_api_key(principal)
    user = principal.user
    secret = ctx.secrets.open(user.mfa_secret_enc) if user.mfa_secret_enc else None
    if user.mfa_enabled or secret is None:
        raise ApiError(
            409, "no MFA enrolment in progress: POST /api/v1/account/mfa/enrol first", "no_enrolment"
        )
    step = totp_match(secret, body.code, after_step=user.mfa_last_step)
    if step is None:
        raise ApiError(400, "wrong code: enter the 6 digits your authenticator app shows now", "bad_mfa_code")
    user.mfa_enabled = True
    user.mfa_last_step = step
    codes = _replace_recovery_codes(db, user)
    accounts.audit(db, "mfa.enabled", user_id=user.id, ip=client_ip(request))
    db.commit()
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/mfa/disable", status_code=204)
def mfa_disable(body: CodeIn, request: Request, principal: CurrentPrincipal, ctx: Ctx, db: Db) -> Response:
    """Turn MFA off; needs a current TOTP code or a recovery code."""
    _not_via_api_key(principal)
    user = principal.user
    if not user.mfa_enabled:
        raise ApiError(409, "MFA is not on", "mfa_disabled")
    if accounts.check_second_factor(db, ctx, user, body.code) is None:
        raise ApiError(
            400, "wrong or already used code: enter the current code from your app", "bad_mfa_code"
        )
    user.mfa_enabled = False
    user.mfa_secret_enc = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    accounts.audit(db, "mfa.disabled", user_id=user.id, ip=client_ip(request))
    db.commit()
    return Response(status_code=204)


@router.post("/mfa/recovery-codes", response_model=RecoveryCodesOut)
def mfa_new_recovery_codes(
    body: CodeIn, request: Request, principal: CurrentPrincipal, ctx: Ctx, db: Db
) -> RecoveryCodesOut:
    """Replace all recovery codes (needs a current TOTP code)."""
    _not_via_api_key(principal)
    user = principal.user
    secret = ctx.secrets.open(user.mfa_secret_enc) if user.mfa_enabled and user.mfa_secret_enc else None
    if secret is None:
        raise ApiError(409, "MFA is not on", "mfa_disabled")
    step = totp_match(secret, body.code, after_step=user.mfa_last_step)
    if step is None:
        raise ApiError(400, "wrong code: enter the 6 digits your authenticator app shows now", "bad_mfa_code")
    user.mfa_last_step = step
    codes = _replace_recovery_codes(db, user)
    accounts.audit(db, "mfa.recovery_codes_replaced", user_id=user.id, ip=client_ip(request))
    db.commit()
    return RecoveryCodesOut(recovery_codes=codes)


# --- API keys -----------------------------------------------------------------------------------


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_api_keys(principal: CurrentPrincipal, db: Db) -> list[ApiKey]:
    """The caller's live API keys (prefix only; the secret is never shown again)."""
    return list(
        db.scalars(
            select(ApiKey)
            .where(ApiKey.user_id == principal.user.id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.created_at.desc())
        )
    )


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreatedOut)
def create_api_key(body: ApiKeyIn, request: Request, principal: CurrentPrincipal, db: Db) -> ApiKeyCreatedOut:
    """A new personal API key; use it as `Authorization: Bearer fl_...` or `X-API-Key: fl_...`."""
    _not_via_api_key(principal)
    key, prefix = new_api_key()
    expires = utcnow() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    row = ApiKey(
        user_id=principal.user.id, name=body.name, prefix=prefix, key_hash=sha256_hex(key), expires_at=expires
    )
    db.add(row)
    db.flush()
    accounts.audit(
        db,
        "api_key.created",
        user_id=principal.user.id,
        target_type="api_key",
        target_id=row.id,
        ip=client_ip(request),
        prefix=prefix,
    )
    db.commit()
    return ApiKeyCreatedOut(**ApiKeyOut.model_validate(row).model_dump(), key=key)


@router.delete("/api-keys/{key_id}", status_code=204)
def revoke_api_key(
    key_id: Annotated[str, Path(max_length=64)], request: Request, principal: CurrentPrincipal, db: Db
) -> Response:
    """Revoke one of the caller's API keys (a key may revoke itself)."""
    row = db.scalar(
        select(ApiKey).where(
            ApiKey.id == key_id, ApiKey.user_id == principal.user.id, ApiKey.revoked_at.is_(None)
        )
    )
    if row is None:
        raise not_found("API key")
    row.revoked_at = utcnow()
    accounts.audit(
        db,
        "api_key.revoked",
        user_id=principal.user.id,
        target_type="api_key",
        target_id=row.id,
        ip=client_ip(request),
    )
    db.commit()
    return Response(status_code=204)
