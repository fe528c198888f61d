"""espeak-ng: a tiny, instant fallback voice with exact word starts (needs the system library)."""

from faceless.providers.espeak.tts import DEFAULT_VOICE, EspeakTTS

__all__ = ["DEFAULT_VOICE", "EspeakTTS"]
