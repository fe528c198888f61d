"""Anthropic Messages API: `POST /v1/messages`; structured output through a forced tool call."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from faceless.domain.errors import ProviderError
from faceless.providers.base import ChatMessage, Completion, ProviderInfo
from faceless.providers.llm_support import InvalidOutput, as_int, budget, finish
from faceless.providers.vendor import CloudOptions, CloudProvider

ANTHROPIC_VERSION = "2023-06-01"
TOOL_NAME = "emit_result"


class AnthropicOptions(CloudOptions):
    """Settings of the [anthropic] section."""

    model: str = Field(default="claude-sonnet-4-20250514", description="final-tier model")
    draft_model: str = Field(default="claude-3-5-haiku-latest", description="draft-tier model")


class AnthropicLLM(CloudProvider):
    """Claude models; `model` for final drafts, `draft_model` for cheap drafts."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="anthropic",
        capability="llm",
        env_keys=("ANTHROPIC_API_KEY",),
        description="Anthropic Claude",
        options=AnthropicOptions,
    )
    default_base_url = "https://api.anthropic.com"

    def __init__(
        self,
        *,
        model: str = "claude-sonnet-4-20250514",
        draft_model: str = "claude-3-5-haiku-latest",
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.model = model
        self.draft_model = draft_model

    def auth_headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key or "", "anthropic-version": ANTHROPIC_VERSION}

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 2048,
        temperature: float = 0.7,
        tier: Literal["draft", "final"] = "final",
    ) -> Completion:
        """One Messages call; with `json_schema` the model must call a tool whose input is the answer."""
        model = self.draft_model if tier == "draft" else self.model
        budget("anthropic", model, messages, max_tokens)
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "messages": [{"role": m.role, "content": m.content} for m in messages if m.role != "system"],
        }
        if system:
            body["system"] = system
        if json_schema is not None:
            body["tools"] = [
                {
                    "name": TOOL_NAME,
                    "description": "Return the result in this exact structure.",
                    "input_schema": json_schema,
                }
            ]
            body["tool_choice"] = {"type": "tool", "name": TOOL_NAME}
        reply = self.http.request("POST", "v1/messages", json_body=body, cache=self.use_cache)
        with self.http.checking(reply):
            payload = reply.json()
            blocks = payload.get("content") if isinstance(payload, dict) else None
            if not isinstance(blocks, list):
                raise ProviderError("anthropic: malformed response (no content blocks)")
            text = "".join(
                b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text"
            )
            data = None
            if json_schema is not None:
                tool = next((b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"), None)
                if tool is None or not isinstance(tool.get("input"), dict):
                    raise InvalidOutput(
                        "anthropic: the model did not return the structured result (no tool_use)"
                    )
                data = tool["input"]
        usage = payload.get("usage") or {}
        return finish(
            "anthropic",
            reply,
            payload.get("model") or model,
            text,
            as_int(usage.get("input_tokens")),
            as_int(usage.get("output_tokens")),
            data,
        )
