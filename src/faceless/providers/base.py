"""One protocol per capability. Vendors implement these; the pipeline only sees the protocols.

Every provider class also carries a `ProviderInfo` (id, capability, key it needs, extra that
installs it) so the registry can list it and say why it is not ready.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from faceless.domain.publishing import (
    AccountInfo,
    AppCredentials,
    Checkpoint,
    Platform,
    PostingLimits,
    PostRequest,
    PublishOutcome,
    StatsSnapshot,
    TokenSet,
)
from faceless.domain.words import Word

Capability = Literal["llm", "tts", "stock", "image", "music", "aligner", "publisher"]


@dataclass(frozen=True)
class ProviderInfo:
    """What the registry knows about a provider before creating it."""

    id: str  # e.g. "piper", "openai", "elevenlabs"
    capability: Capability
    description: str = ""
    env_keys: tuple[str, ...] = ()  # environment variables that must be set (API keys)
    extra: str | None = None  # `pip install faceless[extra]` installs what it needs
    modules: tuple[str, ...] = ()  # importable modules it needs
    offline: bool = False  # works with no network at all
    # The settings it accepts from config.toml / the environment (a pydantic model, extra="forbid"):
    # validated with clear errors before the provider is built; listed by `faceless providers --json`.
    options: type[BaseModel] | None = None


@dataclass(frozen=True)
class Speech:
    """Synthesised narration: a WAV file and the timing of every word of the input text."""

    path: Path
    duration: float  # seconds of audio in `path`
    sample_rate: int
    words: list[Word]  # in input order; `text` is the token as written in the script


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    language: str = "en"
    gender: str | None = None


@runtime_checkable
class TTSProvider(Protocol):
    """Text to speech with word timings."""

    info: ClassVar[ProviderInfo]

    def synthesize(self, text: str, out_wav: Path, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        """Speak `text` (as written; the provider normalises it) into `out_wav`."""
        ...

    def voices(self) -> list[VoiceInfo]: ...


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    data: Any = None  # parsed JSON when a schema was requested


@runtime_checkable
class LLMProvider(Protocol):
    """Chat completion, optionally constrained to a JSON schema."""

    info: ClassVar[ProviderInfo]

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 2048,
        temperature: float = 0.7,
        tier: Literal["draft", "final"] = "final",
    ) -> Completion: ...


@dataclass(frozen=True)
class MediaCandidate:
    """A stock or library asset that could illustrate a scene."""

    id: str
    kind: Literal["video", "image"]
    url: str  # download URL, or file path for local media
    width: int
    height: int
    duration: float | None = None
    description: str = ""
    source: str = ""
    licence: str = ""
    attribution: str | None = None
    page_url: str | None = None
    preview_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class StockProvider(Protocol):
    info: ClassVar[ProviderInfo]

    def search(
        self, query: str, *, kind: Literal["video", "image"], orientation: str, limit: int = 10
    ) -> list[MediaCandidate]: ...

    def download(self, candidate: MediaCandidate, dest_dir: Path) -> Path: ...


@runtime_checkable
class ImageProvider(Protocol):
    info: ClassVar[ProviderInfo]

    def generate(self, prompt: str, out_path: Path, *, width: int, height: int) -> Path: ...


@runtime_checkable
class MusicProvider(Protocol):
    info: ClassVar[ProviderInfo]

    def track(self, mood: str, duration: float, out_path: Path, *, seed: int = 0) -> Path:
        """A music file of at least `duration` seconds (the mixer loops and fades it)."""
        ...


@runtime_checkable
class Aligner(Protocol):
    """Timing of known words in existing audio (for voices that return no timings)."""

    info: ClassVar[ProviderInfo]

    def align(self, wav: Path, text: str) -> list[Word]: ...


@runtime_checkable
class Publisher(Protocol):
    """One platform's OAuth and upload protocol (capability `publisher`). Values: `faceless.domain.publishing`.

    Publishers are stateless between calls: the service layer stores tokens (encrypted) and each
    publication's `platform_state`, refreshes tokens ahead of expiry and drives the state machine.
    Every base URL is configurable (environment variables named in docs/publishing.md).
    """

    info: ClassVar[ProviderInfo]
    platform: ClassVar[Platform]

    def authorize_url(
        self, app: AppCredentials, *, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        """The URL the user opens to grant access (offline access / refresh tokens requested)."""
        ...

    def exchange_code(
        self, app: AppCredentials, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet: ...

    def refresh(self, app: AppCredentials, tokens: TokenSet) -> TokenSet:
        """New tokens (a rotated refresh token included); `ReconnectRequired` when the grant is gone."""
        ...

    def accounts(self, tokens: TokenSet) -> list[AccountInfo]:
        """The accounts these tokens can publish to (a channel; a creator; IG accounts; Facebook Pages)."""
        ...

    def limits(self, tokens: TokenSet, account: AccountInfo) -> PostingLimits:
        """Caps read at run time (IG content_publishing_limit, TikTok creator_info); None where unpublished."""
        ...

    def publish(
        self,
        tokens: TokenSet,
        account: AccountInfo,
        post: PostRequest,
        *,
        state: Mapping[str, Any],
        checkpoint: Checkpoint,
    ) -> PublishOutcome:
        """Start, or resume from `state`, one post. Calls `checkpoint` before each call that may take effect;
        after a crash, asks the platform before re-sending. Raises `PublishFailure` and its subclasses."""
        ...

    def status(self, tokens: TokenSet, account: AccountInfo, state: Mapping[str, Any]) -> PublishOutcome:
        """Where a post in `processing` (or unknown) stands now."""
        ...

    def stats(self, tokens: TokenSet, account: AccountInfo, platform_ids: list[str]) -> list[StatsSnapshot]:
        """Current statistics of published videos; metrics the platform does not return are left out."""
        ...
