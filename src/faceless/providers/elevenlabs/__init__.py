"""ElevenLabs voices with character timestamps."""

from faceless.providers.elevenlabs.tts import ElevenLabsTTS

__all__ = ["ElevenLabsTTS"]
