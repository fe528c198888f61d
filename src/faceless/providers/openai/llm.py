"""OpenAI-compatible Chat Completions: `POST {base}/chat/completions` with JSON-schema output."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from faceless.domain.errors import ProviderError
from faceless.providers.base import ChatMessage, Completion, ProviderInfo
from faceless.providers.llm_support import as_int, budget, finish, parse_json_text
from faceless.providers.openai.common import OpenAIBase
from faceless.providers.vendor import CloudOptions


class OpenAILLMOptions(CloudOptions):
    """Settings of the [openai] section."""

    model: str = Field(default="gpt-4o", description="final-tier chat model")
    draft_model: str | None = Field(default=None, description="draft-tier model (default gpt-4o-mini)")


class OpenAILLM(OpenAIBase):
    """Chat completions at OPENAI_BASE_URL (default api.openai.com); `model` / `draft_model` tiers."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="openai",
        capability="llm",
        env_keys=("OPENAI_API_KEY",),
        description="OpenAI or any OpenAI-compatible server (Ollama, vLLM, LM Studio, OpenRouter, Groq)",
        options=OpenAILLMOptions,
    )

    def __init__(self, *, model: str = "gpt-4o", draft_model: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.model = model
        self.draft_model = draft_model or ("gpt-4o-mini" if model == "gpt-4o" else model)

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 2048,
        temperature: float = 0.7,
        tier: Literal["draft", "final"] = "final",
    ) -> Completion:
        """One chat completion; with `json_schema`, the answer is parsed into `Completion.data`."""
        model = self.draft_model if tier == "draft" else self.model
        budget("openai", model, messages, max_tokens)
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": json_schema.get("title", "response"),
                    "schema": json_schema,
                    "strict": True,
                },
            }
        reply = self.http.request("POST", "chat/completions", json_body=body, cache=self.use_cache)
        with self.http.checking(reply):
            payload = reply.json()
            try:
                choice = payload["choices"][0]
                message = choice["message"]
            except (KeyError, IndexError, TypeError):
                raise ProviderError("openai: malformed response (no choices[0].message)") from None
            if message.get("refusal"):
                raise ProviderError(f"openai: the model refused: {message['refusal']}")
            text = message.get("content") or ""
            if choice.get("finish_reason") == "length" and json_schema is not None:
                raise ProviderError(
                    "openai: the answer was cut at max_tokens: raise max_tokens", retryable=True
                )
            data = parse_json_text(text, "openai") if json_schema is not None else None
        usage = payload.get("usage") or {}
        return finish(
            "openai",
            reply,
            payload.get("model") or model,
            text,
            as_int(usage.get("prompt_tokens")),
            as_int(usage.get("completion_tokens")),
            data,
        )
