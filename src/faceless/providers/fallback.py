"""Fallback chains: try providers in order until one serves (e.g. ElevenLabs -> OpenAI -> Piper).

An entry is a provider instance or a spec string resolved lazily through the registry
(`"elevenlabs:Rachel"`, `"openai"`), so a provider whose key is missing is skipped instead of
failing the video. Any `ProviderError` (auth, rate limit after retries, outage, plan limit)
moves on to the next entry; an `InputError` (the user's own mistake) stops the chain.
`served_by` and `attempts` tell afterwards who served and why the others did not.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, TypeVar

from faceless.domain.errors import ProviderError
from faceless.providers.base import (
    ChatMessage,
    Completion,
    MediaCandidate,
    ProviderInfo,
    Speech,
    VoiceInfo,
)
from faceless.providers.config import parse_spec

log = logging.getLogger("faceless.providers.fallback")

P = TypeVar("P")
R = TypeVar("R")


class _Entry(Generic[P]):
    def __init__(self, item: P | str, capability: str) -> None:
        self.item = item
        self.capability = capability
        self.option: str | None = None
        self._provider: P | None = None
        if isinstance(item, str):
            self.name, self.option = parse_spec(item)
        else:
            info = getattr(item, "info", None)
            self.name = info.id if info else type(item).__name__
            self._provider = item

    def provider(self) -> P:
        if self._provider is None:
            from faceless.providers import registry  # late: the registry imports this module's users

            opts: dict[str, Any] = {}
            if self.option and self.capability in ("llm", "image"):
                opts["model"] = self.option  # `openai:gpt-4o-mini`, `openai:gpt-image-1`, `stability:ultra`
            self._provider = registry.create(self.capability, self.name, **opts)
        return self._provider


class FallbackChain(Generic[P]):
    """Runs an operation on the first provider that succeeds."""

    capability: ClassVar[str] = ""

    def __init__(self, providers: Sequence[P | str]) -> None:
        if not providers:
            raise ValueError("a fallback chain needs at least one provider")
        self.entries = [_Entry(p, self.capability) for p in providers]
        self.served_by: str | None = None
        self.attempts: list[tuple[str, str]] = []  # (provider, "ok" or the error message)
        self._lock = threading.Lock()

    def _run(self, op: Callable[[_Entry[P]], R]) -> R:
        attempts: list[tuple[str, str]] = []
        for entry in self.entries:
            try:
                result = op(entry)
            except ProviderError as exc:
                log.warning("%s %s failed, trying the next provider: %s", self.capability, entry.name, exc)
                attempts.append((entry.name, str(exc)))
                continue
            attempts.append((entry.name, "ok"))
            with self._lock:
                self.served_by, self.attempts = entry.name, attempts
            return result
        with self._lock:
            self.served_by, self.attempts = None, attempts
        detail = " | ".join(f"{name}: {msg}" for name, msg in attempts)
        raise ProviderError(f"every {self.capability} provider failed ({detail})", retryable=False)


class FallbackTTS(FallbackChain[Any]):
    """TTS chain. A spec's voice (`elevenlabs:Rachel`) goes to that entry; the `voice` argument
    of `synthesize` only to the first entry, since voice names are vendor-specific."""

    capability = "tts"
    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="fallback", capability="tts", description="TTS fallback chain"
    )

    def synthesize(self, text: str, out_wav: Path, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        first = self.entries[0]

        def op(e: _Entry[Any]) -> Speech:
            v = e.option or (voice if e is first else None)
            return e.provider().synthesize(text, out_wav, voice=v, speed=speed)  # type: ignore[no-any-return]

        return self._run(op)

    def voices(self) -> list[VoiceInfo]:
        return self._run(lambda e: e.provider().voices())  # type: ignore[no-any-return]


class FallbackLLM(FallbackChain[Any]):
    capability = "llm"
    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="fallback", capability="llm", description="LLM fallback chain"
    )

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 2048,
        temperature: float = 0.7,
        tier: Literal["draft", "final"] = "final",
    ) -> Completion:
        return self._run(
            lambda e: e.provider().complete(  # type: ignore[no-any-return]
                messages, json_schema=json_schema, max_tokens=max_tokens, temperature=temperature, tier=tier
            )
        )


class FallbackImage(FallbackChain[Any]):
    capability = "image"
    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="fallback", capability="image", description="image fallback"
    )

    def generate(self, prompt: str, out_path: Path, *, width: int, height: int) -> Path:
        return self._run(
            lambda e: e.provider().generate(  # type: ignore[no-any-return]
                prompt, out_path, width=width, height=height
            )
        )


class FallbackStock(FallbackChain[Any]):
    """Stock chain: the first provider with results serves the search; `download` goes back to
    the provider that found the candidate."""

    capability = "stock"
    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="fallback", capability="stock", description="stock fallback"
    )

    def search(
        self, query: str, *, kind: Literal["video", "image"], orientation: str, limit: int = 10
    ) -> list[MediaCandidate]:
        def op(e: _Entry[Any]) -> list[MediaCandidate]:
            found = e.provider().search(query, kind=kind, orientation=orientation, limit=limit)
            if not found:
                raise ProviderError(f"{e.name}: no results for {query!r}")
            return found  # type: ignore[no-any-return]

        try:
            return self._run(op)
        except ProviderError:
            if all("no results" in msg for _, msg in self.attempts):
                return []
            raise

    def download(self, candidate: MediaCandidate, dest_dir: Path) -> Path:
        for e in self.entries:
            if e.name == candidate.source:
                return e.provider().download(candidate, dest_dir)  # type: ignore[no-any-return]
        raise ProviderError(f"no provider in the chain for source {candidate.source!r}")
