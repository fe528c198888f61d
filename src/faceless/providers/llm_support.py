"""What the LLM providers share: JSON extraction, budget check and usage records per call."""

from __future__ import annotations

import json
import re
from typing import Any

from faceless.domain.errors import ProviderError
from faceless.providers.base import ChatMessage, Completion
from faceless.providers.http import Reply
from faceless.providers.usage import check_budget, record_usage


class InvalidOutput(ProviderError):
    """The model answered, but not with valid JSON for the requested schema (worth one retry)."""

    def __init__(self, message: str, text: str = "") -> None:
        super().__init__(message, retryable=True)
        self.text = text  # what the model wrote, so a retry can show it its mistake


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def parse_json_text(text: str, provider: str) -> Any:
    """JSON from a model's text, tolerating a ```json fence (servers without structured output)."""
    m = _FENCE.match(text)
    body = m.group(1) if m else text
    try:
        return json.loads(body)
    except ValueError:
        raise InvalidOutput(
            f"{provider}: the model did not return valid JSON ({body[:80]!r})", text
        ) from None


def budget(provider: str, model: str, messages: list[ChatMessage], max_tokens: int) -> None:
    """Refuse the call early if the organisation's plan cannot afford its worst case."""
    prompt_tokens = sum(len(m.content) for m in messages) // 4 + 16  # ~4 characters per token
    check_budget(provider, model, input_tokens=prompt_tokens, output_tokens=max_tokens)


def finish(
    provider: str, reply: Reply, model: str, text: str, input_tokens: int, output_tokens: int, data: Any
) -> Completion:
    """Record usage (free when served from cache) and build the Completion."""
    record_usage(
        provider,
        "llm",
        model,
        cached=reply.from_cache,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
    )
    return Completion(
        text=text, model=model, input_tokens=input_tokens, output_tokens=output_tokens, data=data
    )


def as_int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
