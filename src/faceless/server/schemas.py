"""Request and response bodies of the REST API (pydantic; they are the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

T = TypeVar("T")
RoleName = Literal["owner", "admin", "editor", "viewer"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _email(v: str) -> str:
    v = v.strip()
    local, at, domain = v.rpartition("@")
    if not at or not local or "." not in domain or " " in v:
        raise ValueError("not an email address: write it like name@example.com")
    return v.lower()


# --- auth ---------------------------------------------------------------------------------------


class SignupIn(_In):
    email: str = Field(max_length=320)
    password: str = Field(min_length=10, max_length=1024)
    name: str = Field(default="", max_length=200)

    _check_email = field_validator("email")(_email)


class LoginIn(_In):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class MfaLoginIn(_In):
    mfa_token: str = Field(max_length=2048)
    code: str = Field(max_length=32, description="6-digit TOTP code or a recovery code")


class RefreshIn(_In):
    refresh_token: str | None = Field(
        default=None, max_length=256, description="omit to use the fl_refresh cookie"
    )


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    csrf_token: str = Field(
        description="also set as the fl_csrf cookie; echo it in X-CSRF-Token with cookies"
    )


class MfaRequiredOut(BaseModel):
    mfa_required: Literal[True] = True
    mfa_token: str


class UserOut(_Out):
    id: str
    email: str
    name: str
    mfa_enabled: bool
    created_at: datetime


class OrgOut(_Out):
    id: str
    name: str
    personal: bool
    created_at: datetime


class MyOrgOut(OrgOut):
    role: RoleName


class MeOut(BaseModel):
    user: UserOut
    organisations: list[MyOrgOut]


class SignupOut(BaseModel):
    user: UserOut
    personal_org: OrgOut
    tokens: TokensOut


# --- MFA and API keys ---------------------------------------------------------------------------


class MfaEnrolOut(BaseModel):
    secret: str
    otpauth_uri: str
    qr_svg: str


class CodeIn(_In):
    code: str = Field(max_length=32)


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="shown once; each works one time")


class ApiKeyIn(_In):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiKeyOut(_Out):
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="the whole key, shown once")


# --- organisations ------------------------------------------------------------------------------


class OrgIn(_In):
    name: str = Field(min_length=1, max_length=200)


class MemberOut(BaseModel):
    user_id: str
    email: str
    name: str
    role: RoleName
    joined_at: datetime


class RoleIn(_In):
    role: RoleName


class InvitationIn(_In):
    email: str = Field(max_length=320)
    role: RoleName = "editor"

    _check_email = field_validator("email")(_email)


class InvitationOut(_Out):
    id: str
    email: str
    role: RoleName
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


class InvitationCreatedOut(InvitationOut):
    token: str = Field(description="send to the invitee (the accept link carries it); shown once")


class AcceptIn(_In):
    token: str = Field(max_length=256)


class AuditOut(_Out):
    id: str
    at: datetime
    user_id: str | None
    action: str
    target_type: str
    target_id: str
    ip: str
    details: dict[str, Any]


# --- projects -----------------------------------------------------------------------------------


class ProjectIn(_In):
    project: dict[str, Any] = Field(description="the engine's project JSON (schema faceless.project/1)")
    message: str = Field(default="", max_length=300)


class ProjectUpdateIn(ProjectIn):
    base_version: int | None = Field(
        default=None, ge=1, description="if set, 409 unless it is the current version"
    )


class ProjectSummaryOut(_Out):
    id: str
    title: str
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str | None


class ProjectOut(ProjectSummaryOut):
    project: dict[str, Any]


class VersionOut(_Out):
    version: int
    message: str
    created_by: str | None
    created_at: datetime


class VersionDetailOut(VersionOut):
    project: dict[str, Any]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
