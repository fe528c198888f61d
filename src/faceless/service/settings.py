"""Service configuration: environment variables with the `FACELESS_` prefix (or a .env file)."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from faceless.domain.errors import InputError

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day|s|m|h|d)\s*$")
_PERIODS = {"second": 1, "s": 1, "minute": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """A token-bucket limit: `count` requests per `period` seconds (burst = count)."""

    count: int
    period: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Parse `10/minute`, `5/30s`, `1000/hour`."""
        m = _RATE.match(text)
        if not m or int(m.group(1)) < 1:
            raise InputError(f"bad rate limit {text!r}: write it like '10/minute' or '5/30s'")
        return cls(int(m.group(1)), float(int(m.group(2) or 1) * _PERIODS[m.group(3)]))


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "faceless"


class Settings(BaseSettings):
    """Everything the service reads from its environment. Defaults give the embedded single-machine setup."""

    model_config = SettingsConfigDict(env_prefix="FACELESS_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str = ""  # default: sqlite:///<data_dir>/faceless.db
    database_echo: bool = False
    secret_key: str = ""  # default: generated once and kept in <data_dir>/secret_key
    queue_url: str = ""  # default: embedded (SQLite file in data_dir); redis://... to scale out
    redis_url: str = ""  # when set, rate limits are shared through Redis
    storage_url: str = ""  # default: files under <data_dir>/blobs; s3://bucket/prefix for object storage
    s3_endpoint_url: str = ""  # MinIO, R2, ... (empty: AWS)
    s3_region: str = ""
    # > 0: downloads asked with ?redirect=true get a 307 to a presigned URL valid this long (0: always proxied)
    s3_presign_seconds: int = Field(default=0, ge=0, le=7 * 24 * 3600)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    public_url: str = "http://127.0.0.1:8000"
    # HTTP worker processes of `faceless serve` (set by it for its children). Without Redis each
    # process keeps its own rate-limit buckets, so each gets 1/http_workers of every limit.
    http_workers: int = Field(default=1, ge=1, le=64)

    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    mfa_login_minutes: int = Field(default=5, ge=1, le=30)
    invitation_days: int = Field(default=7, ge=1, le=90)

    cookie_secure: bool = True
    max_body_bytes: int = Field(default=1_048_576, ge=1024)  # JSON requests; uploads get their own limit

    # argon2id parameters (RFC 9106 "second recommended option" memory is 64 MiB; tests lower these)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)

    # Sign-in with Google / GitHub (OAuth 2 via Authlib): a provider is offered when both are set.
    oauth_google_client_id: str = ""
    oauth_google_client_secret: str = ""
    oauth_google_discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    oauth_github_client_id: str = ""
    oauth_github_client_secret: str = ""
    oauth_github_authorize_url: str = "https://github.com/login/oauth/authorize"
    oauth_github_token_url: str = "https://github.com/login/oauth/access_token"
    oauth_github_api_url: str = "https://api.github.com"

    smtp_url: str = ""  # smtp://user:pass@host:587 or smtps://...; unset: e-mails go to <data_dir>/outbox
    mail_from: str = "Faceless <no-reply@localhost>"
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)

    rate_auth_ip: str = "30/minute"  # sign-up, login, refresh... per client IP
    rate_auth_account: str = "10/minute"  # login attempts per account (email)
    rate_user: str = "1200/minute"  # every authenticated request, per user

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, v: object) -> object:
        if isinstance(v, str):
            return [o.strip() for o in v.split(",") if o.strip()]
        return v

    @field_validator("rate_auth_ip", "rate_auth_account", "rate_user")
    @classmethod
    def _valid_rate(cls, v: str) -> str:
        try:
            Rate.parse(v)
        except InputError as e:
            raise ValueError(str(e)) from None
        return v

    @model_validator(mode="after")
    def _defaults_from_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'faceless.db'}"
        if not self.queue_url:
            self.queue_url = f"sqlite:///{self.data_dir / 'queue.db'}"
        return self

    def rate(self, name: str) -> Rate:
        """The parsed rate limit `rate_<name>`."""
        return Rate.parse(getattr(self, f"rate_{name}"))

    def ensure_secret_key(self) -> str:
        """Return the signing key, generating and persisting one (mode 0600) on first start."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            # Write a temp file, then hard-link it into place: link() fails if the name exists, so two
            # processes starting together agree on one key and nobody ever reads a half-written file.
            tmp = self.data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        key = path.read_text().strip()
        if len(key) < 32:
            raise InputError(f"{path} holds a secret key shorter than 32 characters: delete it to regenerate")
        self.secret_key = key
        return key
