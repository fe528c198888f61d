"""Cryptographic helpers: argon2id passwords, JWTs, opaque tokens, API keys, TOTP and its encrypted secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
import pyotp
import qrcode
import qrcode.image.svg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from faceless.service.models import utcnow
from faceless.service.settings import Settings

JWT_ALG = "HS256"
API_KEY_PREFIX = "fl_"
TOTP_ISSUER = "Faceless"


def sha256_hex(text: str) -> str:
    """Hash of a high-entropy token (refresh token, API key, recovery code) for storage and lookup."""
    return hashlib.sha256(text.encode()).hexdigest()


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token."""
    return secrets.token_urlsafe(nbytes)


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Passwords:
    """argon2id hashing with the configured cost; `verify` also says when a hash needs upgrading."""

    def __init__(self, settings: Settings) -> None:
        self._ph = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        # Verified against when the account does not exist, so both paths cost the same time.
        self._dummy = self._ph.hash(new_token())

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._ph.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._ph.check_needs_rehash(stored)


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    family_id: str
    expires_at: float = 0.0  # epoch seconds ("exp")


class Tokens:
    """Signs and checks the service's JWTs (access tokens and the short MFA step-up token)."""

    def __init__(self, settings: Settings) -> None:
        self._key = settings.ensure_secret_key()
        self.access_ttl = timedelta(minutes=settings.access_token_minutes)
        self.mfa_ttl = timedelta(minutes=settings.mfa_login_minutes)

    def _encode(self, claims: dict[str, Any], ttl: timedelta) -> str:
        now = utcnow()
        body = {**claims, "iat": now, "exp": now + ttl, "jti": secrets.token_hex(8)}
        return jwt.encode(body, self._key, algorithm=JWT_ALG)

    def _decode(self, token: str, typ: str) -> dict[str, Any] | None:
        try:
            claims = jwt.decode(
                token, self._key, algorithms=[JWT_ALG], options={"require": ["exp", "sub", "typ"]}
            )
        except jwt.PyJWTError:
            return None
        return claims if claims.get("typ") == typ else None

    def access(self, user_id: str, family_id: str) -> str:
        return self._encode({"sub": user_id, "sid": family_id, "typ": "access"}, self.access_ttl)

    def read_access(self, token: str) -> AccessClaims | None:
        claims = self._decode(token, "access")
        if claims is None or not isinstance(claims.get("sid"), str):
            return None
        return AccessClaims(
            user_id=str(claims["sub"]), family_id=claims["sid"], expires_at=float(claims["exp"])
        )

    def mfa_pending(self, user_id: str) -> str:
        return self._encode({"sub": user_id, "typ": "mfa"}, self.mfa_ttl)

    def read_mfa_pending(self, token: str) -> str | None:
        claims = self._decode(token, "mfa")
        return str(claims["sub"]) if claims else None


class SecretBox:
    """Encrypts small secrets at rest (TOTP seeds) with a Fernet key derived from the service secret."""

    def __init__(self, settings: Settings) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"faceless totp secrets").derive(
            settings.ensure_secret_key().encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None


# --- API keys -----------------------------------------------------------------------------------


def new_api_key() -> tuple[str, str]:
    """A new key `fl_<prefix>_<secret>` and its displayable prefix."""
    prefix = secrets.token_hex(4)
    return f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(30)}", prefix


def api_key_prefix(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    prefix, sep, secret = key[len(API_KEY_PREFIX) :].partition("_")
    if not sep or len(prefix) != 8 or len(secret) < 20:
        return None
    return prefix


# --- TOTP ---------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_match(secret: str, code: str, *, after_step: int, at: datetime | None = None) -> int | None:
    """The time step `code` is valid for (±1 step of clock drift), if later than `after_step` (no replay)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = at or utcnow()
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if candidate > after_step and constant_time_equal(totp.generate_otp(candidate), code):
            return candidate
    return None


def qr_png(data: str) -> bytes:
    buf = io.BytesIO()
    qrcode.make(data).save(buf)
    return buf.getvalue()


def qr_svg(data: str) -> str:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    return img.to_string(encoding="unicode")


def new_recovery_codes(n: int = 10) -> list[str]:
    """Human-typable one-time codes like `k7q2-9xmd-p4tz` (60 bits each)."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    return ["-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3)) for _ in range(n)]


def normalise_recovery_code(code: str) -> str:
    return code.strip().lower().replace(" ", "").replace("-", "")


def safe_next(path: str) -> str:
    """`path` if it stays on this site, else "/": "//evil.example" or "/\\evil" would leave it
    (used for every `next=` redirect target)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
