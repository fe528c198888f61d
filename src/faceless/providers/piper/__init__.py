"""Piper: the default offline neural voice, with word timings from phoneme alignment."""

from faceless.providers.base import VoiceInfo
from faceless.providers.piper.models import DEFAULT_VOICE, installed_models, voice_dirs
from faceless.providers.piper.tts import PiperTTS


def available_voices() -> list[VoiceInfo]:
    """Every Piper voice this machine can speak with (the bundled "joe" first)."""
    return PiperTTS().voices()


__all__ = ["DEFAULT_VOICE", "PiperTTS", "available_voices", "installed_models", "voice_dirs"]
