"""Gemini: `POST /v1beta/models/{model}:generateContent` with responseMimeType/responseSchema."""

from __future__ import annotations

from typing import Any, ClassVar, Literal
from urllib.parse import quote

from pydantic import Field

from faceless.domain.errors import ProviderError
from faceless.providers.base import ChatMessage, Completion, ProviderInfo
from faceless.providers.llm_support import as_int, budget, finish, parse_json_text
from faceless.providers.vendor import CloudOptions, CloudProvider

# Gemini's responseSchema is an OpenAPI subset: these JSON-Schema keywords are refused.
_UNSUPPORTED = {"additionalProperties", "$schema", "title", "$id", "default", "examples"}


def to_gemini_schema(schema: Any) -> Any:
    """A JSON schema reduced to the OpenAPI subset Gemini's `responseSchema` accepts."""
    if isinstance(schema, dict):
        return {k: to_gemini_schema(v) for k, v in schema.items() if k not in _UNSUPPORTED}
    if isinstance(schema, list):
        return [to_gemini_schema(v) for v in schema]
    return schema


class GeminiOptions(CloudOptions):
    """Settings of the [gemini] section."""

    model: str = Field(default="gemini-2.5-flash", description="final-tier model")
    draft_model: str = Field(default="gemini-2.0-flash", description="draft-tier model")


class GeminiLLM(CloudProvider):
    """Gemini models; `model` for final drafts, `draft_model` for cheap drafts."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="gemini",
        capability="llm",
        env_keys=("GEMINI_API_KEY",),
        description="Google Gemini",
        options=GeminiOptions,
    )
    default_base_url = "https://generativelanguage.googleapis.com"

    def __init__(
        self, *, model: str = "gemini-2.5-flash", draft_model: str = "gemini-2.0-flash", **options: Any
    ) -> None:
        super().__init__(**options)
        self.model = model
        self.draft_model = draft_model

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key or ""}

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 2048,
        temperature: float = 0.7,
        tier: Literal["draft", "final"] = "final",
    ) -> Completion:
        """One generateContent call; with `json_schema` the answer is JSON parsed into `data`."""
        model = self.draft_model if tier == "draft" else self.model
        budget("gemini", model, messages, max_tokens)
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body: dict[str, Any] = {
            "contents": [
                {"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
                for m in messages
                if m.role != "system"
            ],
            "generationConfig": {"temperature": temperature, "maxOutputTokens": max_tokens},
        }
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        if json_schema is not None:
            body["generationConfig"]["responseMimeType"] = "application/json"
            body["generationConfig"]["responseSchema"] = to_gemini_schema(json_schema)
        path = f"v1beta/models/{quote(model, safe='-._')}:generateContent"
        reply = self.http.request("POST", path, json_body=body, cache=self.use_cache)
        with self.http.checking(reply):
            payload = reply.json()
            try:
                candidate = payload["candidates"][0]
                parts = candidate["content"]["parts"]
            except (KeyError, IndexError, TypeError):
                reason = (
                    (payload.get("promptFeedback") or {}).get("blockReason")
                    if isinstance(payload, dict)
                    else None
                )
                raise ProviderError(
                    f"gemini: no answer in the response ({reason or 'malformed body'})"
                ) from None
            text = "".join(p.get("text", "") for p in parts if isinstance(p, dict))
            data = parse_json_text(text, "gemini") if json_schema is not None else None
        usage = payload.get("usageMetadata") or {}
        return finish(
            "gemini",
            reply,
            payload.get("modelVersion") or model,
            text,
            as_int(usage.get("promptTokenCount")),
            as_int(usage.get("candidatesTokenCount")),
            data,
        )
