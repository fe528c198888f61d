"""Shared construction of cloud providers: key lookup, base URL, the HTTP client, clear key errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.base import ProviderInfo
from faceless.providers.cache import ResponseCache
from faceless.providers.config import ProviderConfig, load_config
from faceless.providers.http import HTTPClient


class CloudOptions(BaseModel):
    """Settings every HTTP provider accepts; vendors subclass it with their own."""

    model_config = ConfigDict(extra="forbid")
    api_key: str | None = Field(default=None, repr=False, description="the API key (secret)")
    base_url: str | None = Field(default=None, description="API root, e.g. a proxy or a compatible server")
    timeout: float = Field(default=60.0, gt=0, le=600, description="seconds per request")
    max_retries: int = Field(default=4, ge=0, le=10, description="retries on 429/5xx and network errors")
    cache: bool = Field(default=True, description="reuse cached answers for identical requests")


def validate_options(provider: str, model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """`values` checked against `model`; InputError naming the setting (never its value: it may be a key)."""
    try:
        checked = model.model_validate(values)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors())
        raise InputError(f"[{provider}] settings: {problems} (fix config.toml or the environment)") from None
    return {k: getattr(checked, k) for k in values}


class MissingKey(ProviderError):
    """A provider needs an API key that is not configured (a fallback chain moves on)."""

    def __init__(self, provider: str, env_var: str, setting: str = "api_key") -> None:
        super().__init__(
            f"{provider}: {setting} not configured: set {env_var} "
            f"(or {setting} in the [{provider}] table of config.toml)"
        )
        self.env_var = env_var


class CloudProvider:
    """Base of HTTP providers. Subclasses set `info`, `default_base_url` and `auth_headers()`.

    Options common to all: api_key, base_url, timeout, max_retries, cache (bool), and for tests
    `sleep` (retry waits), `transport` (an httpx transport) and `response_cache` (a ResponseCache).
    """

    info: ClassVar[ProviderInfo]
    default_base_url: ClassVar[str] = ""
    key_required: ClassVar[bool] = True

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 4,
        cache: bool = True,
        sleep: Callable[[float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        response_cache: ResponseCache | None = None,
        **options: Any,
    ) -> None:
        self.api_key = api_key or None
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        if self.key_required and not self.api_key and not self._key_optional():
            raise MissingKey(self.info.id, self.key_env())
        self.use_cache = cache
        self.options = options
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self.http = HTTPClient(
            self.info.id,
            self.base_url,
            headers=self.auth_headers(),
            secrets=[self.api_key or ""],
            key_hint=self.key_env(),
            timeout=timeout,
            max_retries=max_retries,
            transport=transport,
            cache=response_cache,
            **extra,
        )

    @classmethod
    def from_config(cls, config: ProviderConfig | None = None, **options: Any) -> CloudProvider:
        """Build from the merged config section of this provider; explicit options win."""
        config = config or load_config()
        section = {k: v for k, v in config.section(cls.info.id).items() if v not in (None, "")}
        model = cls.info.options
        if model is not None:
            # A section is shared by a vendor's providers ([openai]: chat, voice, images); each takes its own keys.
            section = validate_options(
                cls.info.id, model, {k: v for k, v in section.items() if k in model.model_fields}
            )
        merged = {**section, **{k: v for k, v in options.items() if v is not None}}
        return cls(**merged)

    @classmethod
    def missing_settings(cls, config: ProviderConfig) -> list[str]:
        """Environment variables this provider still needs (empty when ready)."""
        return [env for env in cls.info.env_keys if not config.env_value(env)]

    @classmethod
    def key_env(cls) -> str:
        return cls.info.env_keys[0] if cls.info.env_keys else "the API key"

    def _key_optional(self) -> bool:
        return False

    def auth_headers(self) -> dict[str, str]:
        return {}

    def __repr__(self) -> str:  # never show the key
        return f"{type(self).__name__}(base_url={self.base_url!r})"
