"""Settings shared by the OpenAI providers."""

from __future__ import annotations

from urllib.parse import urlparse

from faceless.providers.vendor import CloudProvider

OPENAI_BASE_URL = "https://api.openai.com/v1"


class OpenAIBase(CloudProvider):
    default_base_url = OPENAI_BASE_URL

    def _key_optional(self) -> bool:
        # Self-hosted OpenAI-compatible servers (Ollama, vLLM, LM Studio) usually need no key.
        host = urlparse(self.base_url).hostname or ""
        return host != "api.openai.com"

    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.api_key}"} if self.api_key else {}
