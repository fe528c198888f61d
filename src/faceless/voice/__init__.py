"""Helpers shared by the voice providers: token → word mapping and streaming WAV output."""

from faceless.voice.phoneme_match import fill_gaps, match_spans
from faceless.voice.tokens import (
    SpeechToken,
    chunk_tokens,
    default_display,
    default_normalizer,
    finalize_words,
    prepare_tokens,
    proportional_spans,
    spoken_text,
    strip_symbols,
)
from faceless.voice.wav import WavWriter, wav_duration

__all__ = [
    "SpeechToken",
    "WavWriter",
    "chunk_tokens",
    "default_display",
    "default_normalizer",
    "fill_gaps",
    "finalize_words",
    "match_spans",
    "prepare_tokens",
    "proportional_spans",
    "spoken_text",
    "strip_symbols",
    "wav_duration",
]
