"""ElevenLabs: `POST /v1/text-to-speech/{voice_id}/with-timestamps` (audio + character times)."""

from __future__ import annotations

import base64
import binascii
import re
import threading
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.base import ProviderInfo, Speech, VoiceInfo
from faceless.providers.speech import SAMPLE_RATE, decode_audio, words_from_characters
from faceless.providers.usage import check_budget, record_usage
from faceless.providers.vendor import CloudOptions, CloudProvider

_VOICE_ID = re.compile(r"^[A-Za-z0-9]{20}$")


class ElevenLabsOptions(CloudOptions):
    """Settings of the [elevenlabs] section."""

    tts_model: str = Field(default="eleven_multilingual_v2", description="ElevenLabs model_id")
    voice: str = Field(default="Rachel", description="default voice (name or id)")
    output_format: str = "mp3_44100_128"
    stability: float = Field(default=0.5, ge=0, le=1)
    similarity_boost: float = Field(default=0.75, ge=0, le=1)


class ElevenLabsTTS(CloudProvider):
    """ElevenLabs voices by name (`elevenlabs:Rachel`) or id; word times from its alignment."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="elevenlabs",
        capability="tts",
        env_keys=("ELEVENLABS_API_KEY",),
        description="ElevenLabs voices with word timestamps",
        options=ElevenLabsOptions,
    )
    default_base_url = "https://api.elevenlabs.io"

    def __init__(
        self,
        *,
        tts_model: str = "eleven_multilingual_v2",
        voice: str = "Rachel",
        output_format: str = "mp3_44100_128",
        stability: float = 0.5,
        similarity_boost: float = 0.75,
        **options: Any,
    ) -> None:
        options.pop("model", None)
        super().__init__(**options)
        self.tts_model = tts_model
        self.voice = voice
        self.output_format = output_format
        self.voice_settings = {"stability": stability, "similarity_boost": similarity_boost}
        self._voices: list[VoiceInfo] | None = None
        self._lock = threading.Lock()

    def auth_headers(self) -> dict[str, str]:
        return {"xi-api-key": self.api_key or ""}

    def voices(self) -> list[VoiceInfo]:
        """The account's voices (`GET /v1/voices`), fetched once per instance."""
        with self._lock:
            if self._voices is None:
                payload = self.http.request("GET", "v1/voices").json()
                items = payload.get("voices") if isinstance(payload, dict) else None
                if not isinstance(items, list):
                    raise ProviderError("elevenlabs: malformed voice list (no 'voices')")
                self._voices = [
                    VoiceInfo(
                        id=str(v["voice_id"]),
                        name=str(v.get("name", v["voice_id"])),
                        language=str((v.get("labels") or {}).get("language", "en")),
                        gender=(v.get("labels") or {}).get("gender"),
                    )
                    for v in items
                    if isinstance(v, dict) and "voice_id" in v
                ]
            return self._voices

    def voice_id(self, voice: str) -> str:
        """A voice id from an id or a (case-insensitive) voice name."""
        if _VOICE_ID.match(voice):
            return voice
        for v in self.voices():
            if v.name.lower() == voice.lower() or v.name.lower().startswith(voice.lower() + " "):
                return v.id
        names = ", ".join(v.name for v in self.voices()[:12])
        raise InputError(f"elevenlabs: no voice named {voice!r}: use one of {names} (or a voice id)")

    def synthesize(self, text: str, out_wav: Path, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        """Speak `text` into `out_wav` (mono WAV, 48 kHz) with word timings from the character alignment."""
        if not text.strip():
            raise InputError("empty narration: give the scene some text")
        check_budget("elevenlabs", self.tts_model, characters=len(text))
        vid = self.voice_id(voice or self.voice)
        settings = {**self.voice_settings}
        if speed != 1.0:
            settings["speed"] = max(0.7, min(1.2, speed))  # the API accepts 0.7-1.2
        body = {"text": text, "model_id": self.tts_model, "voice_settings": settings}
        reply = self.http.request(
            "POST",
            f"v1/text-to-speech/{vid}/with-timestamps",
            params={"output_format": self.output_format},
            json_body=body,
            cache=self.use_cache,
        )
        with self.http.checking(reply):
            payload = reply.json()
            try:
                audio = base64.b64decode(payload["audio_base64"], validate=True)
                align = payload.get("alignment") or payload["normalized_alignment"]
                chars = align["characters"]
                starts = align["character_start_times_seconds"]
                ends = align["character_end_times_seconds"]
            except (KeyError, TypeError, binascii.Error):
                raise ProviderError(
                    "elevenlabs: malformed response (audio_base64/alignment missing)"
                ) from None
            suffix = "." + self.output_format.split("_", 1)[0]
            if suffix == ".pcm":
                raise InputError("elevenlabs: output_format pcm_* is raw audio: use an mp3_* format")
            duration = decode_audio(audio, suffix, Path(out_wav), provider="elevenlabs")
            words = words_from_characters(text, chars, starts, ends)
        record_usage("elevenlabs", "tts", self.tts_model, cached=reply.from_cache, characters=len(text))
        return Speech(path=Path(out_wav), duration=duration, sample_rate=SAMPLE_RATE, words=words)
