"""Estimated prices of provider calls, in US dollars: the one table to update when vendors do.

Figures are list prices per unit as published by each vendor (2025); they are estimates for
usage accounting and plan limits, not invoices. Models are matched by the longest prefix, so
`gpt-4o-mini-2024-07-18` uses the `gpt-4o-mini` row. Unknown models cost 0 (self-hosted
servers behind an OpenAI-compatible URL are free to us).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    input_per_mtok: float = 0.0  # LLM input tokens, $ per million
    output_per_mtok: float = 0.0  # LLM output tokens, $ per million
    per_kchar: float = 0.0  # TTS, $ per 1000 characters
    per_image: float = 0.0  # image generation, $ per image


PRICES: dict[str, dict[str, Price]] = {
    "openai": {
        "gpt-4o-mini": Price(0.15, 0.60),
        "gpt-4o": Price(2.50, 10.00),
        "gpt-4.1-nano": Price(0.10, 0.40),
        "gpt-4.1-mini": Price(0.40, 1.60),
        "gpt-4.1": Price(2.00, 8.00),
        "o4-mini": Price(1.10, 4.40),
        "tts-1-hd": Price(per_kchar=0.030),
        "tts-1": Price(per_kchar=0.015),
        "gpt-4o-mini-tts": Price(per_kchar=0.012),
        "dall-e-3": Price(per_image=0.040),
        "dall-e-2": Price(per_image=0.020),
        "gpt-image-1": Price(per_image=0.042),
    },
    "anthropic": {
        "claude-3-5-haiku": Price(0.80, 4.00),
        "claude-haiku-4-5": Price(1.00, 5.00),
        "claude-3-5-sonnet": Price(3.00, 15.00),
        "claude-3-7-sonnet": Price(3.00, 15.00),
        "claude-sonnet-4": Price(3.00, 15.00),
        "claude-opus-4": Price(15.00, 75.00),
    },
    "gemini": {
        "gemini-2.0-flash-lite": Price(0.075, 0.30),
        "gemini-2.0-flash": Price(0.10, 0.40),
        "gemini-2.5-flash-lite": Price(0.10, 0.40),
        "gemini-2.5-flash": Price(0.30, 2.50),
        "gemini-2.5-pro": Price(1.25, 10.00),
        "gemini-1.5-flash": Price(0.075, 0.30),
    },
    "elevenlabs": {
        "eleven_multilingual_v2": Price(per_kchar=0.30),
        "eleven_flash": Price(per_kchar=0.15),
        "eleven_turbo": Price(per_kchar=0.15),
    },
    "azure": {"neural": Price(per_kchar=0.016)},
    "stability": {"core": Price(per_image=0.03), "ultra": Price(per_image=0.08)},
}


def price_of(provider: str, model: str) -> Price:
    """The price row for `provider`/`model` (longest matching prefix), or a zero price."""
    table = PRICES.get(provider, {})
    best = ""
    for name in table:
        if model.startswith(name) and len(name) > len(best):
            best = name
    return table[best] if best else Price()


def estimate_cost(
    provider: str,
    model: str,
    *,
    input_tokens: int = 0,
    output_tokens: int = 0,
    characters: int = 0,
    images: int = 0,
) -> float:
    """Estimated dollars for one call."""
    p = price_of(provider, model)
    return (
        input_tokens * p.input_per_mtok / 1e6
        + output_tokens * p.output_per_mtok / 1e6
        + characters * p.per_kchar / 1000
        + images * p.per_image
    )
