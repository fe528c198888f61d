"""OpenAI text to speech: `POST {base}/audio/speech`. No timings: words are aligned offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from faceless.domain.errors import InputError
from faceless.providers.base import Aligner, ProviderInfo, Speech, VoiceInfo
from faceless.providers.openai.common import OpenAIBase
from faceless.providers.speech import SAMPLE_RATE, decode_audio, time_words
from faceless.providers.usage import check_budget, record_usage
from faceless.providers.vendor import CloudOptions

VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")


class OpenAITTSOptions(CloudOptions):
    """Settings of the [openai] section."""

    tts_model: str = Field(default="tts-1-hd", description="tts-1, tts-1-hd or gpt-4o-mini-tts")
    voice: str = Field(default="alloy", description="default voice")
    audio_format: Literal["mp3", "wav", "flac", "aac", "opus", "pcm"] = "mp3"


class OpenAITTS(OpenAIBase):
    """OpenAI voices (`openai:alloy`); word timings by the offline aligner (pocketsphinx) if installed."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="openai",
        capability="tts",
        env_keys=("OPENAI_API_KEY",),
        description="OpenAI text to speech",
        options=OpenAITTSOptions,
    )

    def __init__(
        self,
        *,
        tts_model: str = "tts-1-hd",
        voice: str = "alloy",
        audio_format: str = "mp3",
        aligner: Aligner | None = None,
        **options: Any,
    ) -> None:
        options.pop("model", None)  # the [openai] model setting is the chat model
        super().__init__(**options)
        self.tts_model = tts_model
        self.voice = voice
        self.audio_format = audio_format
        self.aligner = aligner

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(id=v, name=v.capitalize(), language="multilingual") for v in VOICES]

    def synthesize(self, text: str, out_wav: Path, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        """Speak `text` into `out_wav` (mono WAV, 48 kHz)."""
        if not text.strip():
            raise InputError("empty narration: give the scene some text")
        if not 0.25 <= speed <= 4.0:
            raise InputError(f"speed {speed} out of range: OpenAI TTS accepts 0.25 to 4.0")
        check_budget("openai", self.tts_model, characters=len(text))
        body = {
            "model": self.tts_model,
            "input": text,
            "voice": voice or self.voice,
            "response_format": self.audio_format,
            "speed": speed,
        }
        reply = self.http.request("POST", "audio/speech", json_body=body, cache=self.use_cache)
        with self.http.checking(reply):
            duration = decode_audio(reply.content, f".{self.audio_format}", Path(out_wav), provider="openai")
        record_usage("openai", "tts", self.tts_model, cached=reply.from_cache, characters=len(text))
        words = time_words(Path(out_wav), text, duration, self.aligner)
        return Speech(path=Path(out_wav), duration=duration, sample_rate=SAMPLE_RATE, words=words)
