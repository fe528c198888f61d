"""Settings shared by the OpenAI providers."""

from __future__ import annotations

from urllib.parse import urlparse

from faceless.providers.config import ProviderConfig
from faceless.providers.vendor import CloudProvider

OPENAI_BASE_URL = "https://api.openai.com/v1"


def is_openai_host(base_url: str) -> bool:
    """Self-hosted OpenAI-compatible servers (Ollama, vLLM, LM Studio) usually need no key."""
    return (urlparse(base_url).hostname or "") == "api.openai.com"


class OpenAIBase(CloudProvider):
    default_base_url = OPENAI_BASE_URL

    def _key_optional(self) -> bool:
        return not is_openai_host(self.base_url)

    @classmethod
    def missing_settings(cls, config: ProviderConfig) -> list[str]:
        base = config.get("openai", "base_url", OPENAI_BASE_URL)
        if not is_openai_host(base):
            return []
        return [] if config.env_value("OPENAI_API_KEY") else ["OPENAI_API_KEY"]

    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.api_key}"} if self.api_key else {}
