"""Database tables (SQLAlchemy 2, typed). Every tenant-owned row carries `org_id`; queries filter on it.

Ids are random 32-hex strings (not sequential integers) so they reveal nothing about other tenants.
Times are timezone-aware UTC everywhere, including on SQLite (see `UTCDateTime`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("owner", "admin", "editor", "viewer")
JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")

# Deterministic constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")


def new_id() -> str:
    """A fresh random row id."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes; SQLite hands back naive values, which are re-tagged as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use faceless.service.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: Json, list[str]: Json}


def _id() -> Mapped[str]:
    return mapped_column(String(32), primary_key=True, default=new_id)


def _created() -> Mapped[datetime]:
    return mapped_column(default=utcnow)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Mapped[Any]:
    return mapped_column(String(32), ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


# --- accounts -----------------------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = _id()
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None for OAuth-only accounts
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = _created()
    # TOTP: the secret is Fernet-encrypted with a key derived from the service secret key.
    mfa_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    mfa_secret_enc: Mapped[str | None] = mapped_column(String(255))
    mfa_last_step: Mapped[int] = mapped_column(Integer, default=0)  # last accepted TOTP time step: no replay

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")


class OAuthIdentity(Base):
    """A login through an external provider (Google, GitHub); the seam for the OAuth slice."""

    __tablename__ = "oauth_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[str] = _id()
    user_id: Mapped[str] = _fk("users.id")
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created()


class RefreshToken(Base):
    """One refresh token of a login session (`family_id`). Used once, then rotated; reuse kills the family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = _id()
    user_id: Mapped[str] = _fk("users.id")
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class RecoveryCode(Base):
    __tablename__ = "mfa_recovery_codes"

    id: Mapped[str] = _id()
    user_id: Mapped[str] = _fk("users.id")
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class PasswordResetToken(Base):
    """A single-use password-reset link; only a sha256 of the token is kept."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[str] = _id()
    user_id: Mapped[str] = _fk("users.id")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    ip: Mapped[str] = mapped_column(String(64), default="")


class ApiKey(Base):
    """A personal API key `fl_<prefix>_<secret>`; only the prefix and a sha256 of the whole key are kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = _id()
    user_id: Mapped[str] = _fk("users.id")
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created()
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


# --- organisations ------------------------------------------------------------------------------


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(200))
    personal: Mapped[bool] = mapped_column(Boolean, default=False)  # the one every user gets at sign-up
    # Provider budget plan (faceless.providers.usage.PLANS): monthly limit on paid AI calls.
    plan: Mapped[str] = mapped_column(String(20), default="free", server_default="free")
    created_at: Mapped[datetime] = _created()

    memberships: Mapped[list[Membership]] = relationship(back_populates="org", cascade="all, delete-orphan")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("org_id", "user_id"),
        CheckConstraint("role IN ('owner', 'admin', 'editor', 'viewer')", name="role"),
    )

    id: Mapped[str] = _id()
    org_id: Mapped[str] = _fk("organisations.id")
    user_id: Mapped[str] = _fk("users.id")
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = _created()

    org: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("role IN ('owner', 'admin', 'editor', 'viewer')", name="role"),)

    id: Mapped[str] = _id()
    org_id: Mapped[str] = _fk("organisations.id")
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[str | None] = _fk("users.id", nullable=True, ondelete="SET NULL")


class AuditEvent(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_org_at", "org_id", "at"),)

    id: Mapped[str] = _id()
    at: Mapped[datetime] = mapped_column(default=utcnow)
    org_id: Mapped[str | None] = mapped_column(String(32))  # no FK: the log outlives deleted orgs/users
    user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- projects, assets, jobs ----------------------------------------------------------------------


class ProjectRow(Base):
    """A project: the engine's project JSON (`faceless.project/N`) at its current version."""

    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_org_updated", "org_id", "updated_at"),)

    id: Mapped[str] = _id()
    org_id: Mapped[str] = _fk("organisations.id")
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]]
    created_by: Mapped[str | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectVersion(Base):
    """Every saved version of a project, the current one included."""

    __tablename__ = "project_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[str] = _id()
    project_id: Mapped[str] = _fk("projects.id")
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
    message: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _created()


class Asset(Base):
    """A media file in an organisation's library (validated by content on upload)."""

    __tablename__ = "assets"

    id: Mapped[str] = _id()
    org_id: Mapped[str] = _fk("organisations.id")
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # video | image | audio
    storage_key: Mapped[str] = mapped_column(String(512))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    duration: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    thumbnail_key: Mapped[str | None] = mapped_column(String(512))
    created_by: Mapped[str | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _created()


class Job(Base):
    """A unit of render work. The database is the source of truth; the queue only carries job ids.

    A worker owns a job while `lease_expires_at` is in the future and extends it by heartbeats; a job
    whose lease lapsed is leased again and resumes from `stage` (stages cache their outputs).
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="state"),
        Index("ix_jobs_state_lease", "state", "lease_expires_at"),
        Index("ix_jobs_org_created", "org_id", "created_at"),
    )

    id: Mapped[str] = _id()
    org_id: Mapped[str] = _fk("organisations.id")
    project_id: Mapped[str | None] = _fk("projects.id", nullable=True)
    project_version: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))  # render | preview | ...
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str] = mapped_column(String(32), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1 over the whole job
    eta_seconds: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class JobEvent(Base):
    """Progress and log lines of a job, in order (`seq`); what SSE streams and polling returns."""

    __tablename__ = "job_events"
    __table_args__ = (UniqueConstraint("job_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = _fk("jobs.id")
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))  # state | progress | log
    stage: Mapped[str] = mapped_column(String(32), default="")
    progress: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")


class Artifact(Base):
    """A file a job produced (video, captions, thumbnail, project file...)."""

    __tablename__ = "artifacts"

    id: Mapped[str] = _id()
    org_id: Mapped[str] = _fk("organisations.id")
    job_id: Mapped[str | None] = _fk("jobs.id", nullable=True, ondelete="SET NULL")
    project_id: Mapped[str | None] = _fk("projects.id", nullable=True)
    kind: Mapped[str] = mapped_column(String(32))  # video | srt | vtt | ass | thumbnail | project | otio
    storage_key: Mapped[str] = mapped_column(String(512))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created()


class ProviderUsage(Base):
    """One paid provider call (LLM, voice, image, stock) and its estimated cost, per organisation."""

    __tablename__ = "provider_usage"
    __table_args__ = (Index("ix_provider_usage_org_ts", "org_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float)  # unix seconds: cheap range sums for the monthly budget
    org_id: Mapped[str] = mapped_column(String(32))  # no FK: usage outlives deleted organisations
    job_id: Mapped[str | None] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(40))
    capability: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(100), default="")
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    characters: Mapped[int] = mapped_column(Integer, default=0)
    images: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
