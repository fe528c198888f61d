"""Azure Speech REST: `POST https://{region}.tts.speech.microsoft.com/cognitiveservices/v1` (SSML).

The real-time endpoint returns audio only, so its words are timed by the offline aligner
(pocketsphinx) when installed, else proportionally. With `mode = "batch"` the voice runs as a
batch synthesis job with word boundaries from the service (see `azure.batch`): exact timings,
at the price of seconds of queueing per scene.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal
from xml.sax.saxutils import escape, quoteattr

from pydantic import Field

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.base import Aligner, ProviderInfo, Speech, VoiceInfo
from faceless.providers.http import HTTPClient
from faceless.providers.speech import SAMPLE_RATE, decode_audio, time_words
from faceless.providers.usage import check_budget, record_usage
from faceless.providers.vendor import CloudOptions, CloudProvider, MissingKey

OUTPUT_FORMAT = "riff-48khz-16bit-mono-pcm"


def build_ssml(text: str, voice: str, speed: float = 1.0) -> str:
    """SSML for one utterance; the text is XML-escaped (it is user input)."""
    lang = "-".join(voice.split("-")[:2]) or "en-US"
    rate = f"{round((speed - 1.0) * 100):+d}%"
    return (
        f"<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang={quoteattr(lang)}>"
        f"<voice name={quoteattr(voice)}><prosody rate={quoteattr(rate)}>{escape(text)}</prosody></voice></speak>"
    )


class AzureOptions(CloudOptions):
    """Settings of the [azure] section."""

    region: str | None = Field(default=None, description="Speech resource region, e.g. westeurope")
    endpoint: str | None = Field(default=None, description="full endpoint instead of a region")
    voice: str = Field(default="en-US-JennyNeural", description="default voice")
    mode: Literal["realtime", "batch"] = Field(
        default="realtime", description="batch: word boundaries from Azure (slower, queued)"
    )
    batch_endpoint: str | None = Field(
        default=None, description="batch API root (default https://{region}.api.cognitive.microsoft.com)"
    )


class AzureTTS(CloudProvider):
    """Azure neural voices (`azure:en-US-JennyNeural`); needs AZURE_SPEECH_KEY and AZURE_SPEECH_REGION."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="azure",
        capability="tts",
        env_keys=("AZURE_SPEECH_KEY", "AZURE_SPEECH_REGION"),
        description="Azure AI Speech neural voices (REST; words aligned offline)",
        options=AzureOptions,
    )

    def __init__(
        self,
        *,
        region: str | None = None,
        endpoint: str | None = None,
        voice: str = "en-US-JennyNeural",
        aligner: Aligner | None = None,
        mode: str = "realtime",
        batch_endpoint: str | None = None,
        **options: Any,
    ) -> None:
        options.pop("model", None)
        if mode not in ("realtime", "batch"):
            raise InputError(f"unknown Azure mode {mode!r}: use realtime or batch")
        if not options.get("api_key"):
            raise MissingKey("azure", "AZURE_SPEECH_KEY")
        if not (endpoint or options.get("base_url")):
            if not region:
                raise MissingKey("azure", "AZURE_SPEECH_REGION", "region")
            endpoint = f"https://{region}.tts.speech.microsoft.com"
        options["base_url"] = options.get("base_url") or endpoint
        batch_root = batch_endpoint or (
            f"https://{region}.api.cognitive.microsoft.com" if region else options["base_url"]
        )
        super().__init__(**options)
        self.voice = voice
        self.aligner = aligner
        self.mode = mode
        self.batch_http = (
            HTTPClient(
                "azure",
                batch_root,
                headers=self.auth_headers(),
                secrets=[self.api_key or ""],
                key_hint="AZURE_SPEECH_KEY",
                timeout=options.get("timeout", 60.0),
                max_retries=options.get("max_retries", 4),
                transport=options.get("transport"),
                **({"sleep": options["sleep"]} if options.get("sleep") else {}),
            )
            if mode == "batch"
            else None
        )

    def auth_headers(self) -> dict[str, str]:
        return {"ocp-apim-subscription-key": self.api_key or ""}

    def voices(self) -> list[VoiceInfo]:
        """Voices of the region (`GET /cognitiveservices/voices/list`)."""
        payload = self.http.request("GET", "cognitiveservices/voices/list", cache=self.use_cache).json()
        if not isinstance(payload, list):
            raise ProviderError("azure: malformed voice list (expected a JSON array)")
        return [
            VoiceInfo(
                id=str(v["ShortName"]),
                name=str(v.get("DisplayName", v["ShortName"])),
                language=str(v.get("Locale", "")),
                gender=v.get("Gender"),
            )
            for v in payload
            if isinstance(v, dict) and "ShortName" in v
        ]

    def synthesize(self, text: str, out_wav: Path, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        """Speak `text` into `out_wav` (mono WAV, 48 kHz); word times from offline alignment."""
        if not text.strip():
            raise InputError("empty narration: give the scene some text")
        check_budget("azure", "neural", characters=len(text))
        ssml = build_ssml(text, voice or self.voice, speed)
        if self.batch_http is not None:
            from faceless.providers.azure.batch import batch_synthesize

            duration, words = batch_synthesize(
                self.batch_http, self.http, ssml, text, Path(out_wav), sleep=self.http.sleep
            )
            record_usage("azure", "tts", "neural", characters=len(text))
            return Speech(path=Path(out_wav), duration=duration, sample_rate=SAMPLE_RATE, words=words)
        headers = {"content-type": "application/ssml+xml", "x-microsoft-outputformat": OUTPUT_FORMAT}
        reply = self.http.request(
            "POST",
            "cognitiveservices/v1",
            content=ssml.encode("utf-8"),
            headers=headers,
            cache=self.use_cache,
        )
        with self.http.checking(reply):
            duration = decode_audio(reply.content, ".wav", Path(out_wav), provider="azure")
        record_usage("azure", "tts", "neural", cached=reply.from_cache, characters=len(text))
        words = time_words(Path(out_wav), text, duration, self.aligner)
        return Speech(path=Path(out_wav), duration=duration, sample_rate=SAMPLE_RATE, words=words)
