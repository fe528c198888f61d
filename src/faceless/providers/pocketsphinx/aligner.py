"""Forced alignment of known text to existing audio with pocketsphinx (offline, en-US model bundled)."""

from __future__ import annotations

import logging
import re
import tempfile
import unicodedata
import wave
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from faceless.domain.errors import MediaRejected, ProviderError
from faceless.domain.words import Word
from faceless.providers.base import ProviderInfo
from faceless.providers.pocketsphinx.g2p import guess_pronunciation
from faceless.render.command import FFmpegCommand, Input
from faceless.render.probe import probe
from faceless.render.run import run_ffmpeg
from faceless.voice.tokens import (
    Display,
    Normalizer,
    SpeechToken,
    chunk_tokens,
    finalize_words,
    prepare_tokens,
    proportional_spans,
)

log = logging.getLogger(__name__)

RATE = 16000
FRAMES_PER_SECOND = 100  # pocketsphinx's default frame rate
MAX_SEGMENT_SECONDS = 40.0  # align longer audio in pieces
TARGET_SEGMENT_SECONDS = 15.0
SNAP_SECONDS = 3.0
_FILLERS = {"<s>", "</s>", "<sil>", "(NULL)", "[NOISE]", "[BREATH]", "[COUGH]", "[UM]", "[UH]", "[SMACK]"}
_VARIANT = re.compile(r"\(\d+\)$")


@dataclass(frozen=True)
class Segment:
    """Align `text` against the audio between `start` and `end` seconds (None = to the end)."""

    start: float
    end: float | None
    text: str


def spoken_words(spoken: str) -> list[tuple[str, str]]:
    """(dictionary key, text to pronounce) for each word of a spoken form.

    The key is lower case and stripped of punctuation ("Well-known," → "well-known"); the text
    keeps digits and symbols so espeak can read "$5,000" as the TTS did when no normaliser ran.
    """
    out = []
    for piece in spoken.replace("—", " ").replace("–", " ").split():
        key = re.sub(r"[^\w'\-]", "", piece.lower()).strip("'-_")
        said = piece.rstrip(",;:!?\"')]”’")
        if key or any(ch.isalnum() for ch in said):
            out.append((key or "sym", said))
    return out


class PocketsphinxAligner:
    """Word timings for known text in any audio file (pocketsphinx forced alignment).

    Words are normalised with the same normaliser as the voices (spoken form, lower case); words
    missing from CMUdict get a pronunciation from espeak-ng's letter-to-sound rules. Long audio
    should be aligned in pieces with `align_segments` (alignment memory grows with length²).
    """

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="pocketsphinx",
        capability="aligner",
        description="Offline forced alignment of a known script to audio (CMU pocketsphinx)",
        extra="align",
        modules=("pocketsphinx",),
        offline=True,
    )

    def __init__(self, *, normalizer: Normalizer | None = None, display: Display | None = None) -> None:
        import pocketsphinx  # noqa: F401 - ImportError here tells callers the aligner is unavailable

        self._normalizer = normalizer
        self._display = display

    def align(self, wav: Path, text: str) -> list[Word]:
        """Times of the words of `text` (as displayed) in the audio file `wav`.

        Audio longer than `MAX_SEGMENT_SECONDS` is cut at sentence pauses first (alignment of one
        long utterance fails and its memory grows with length x words).
        """
        tokens = prepare_tokens(text, self._normalizer, self._display)
        with _pcm16k(wav) as (pcm, total):
            if total <= MAX_SEGMENT_SECONDS:
                groups = [(0.0, total, tokens)]
            else:
                groups = _auto_segments(pcm, total, tokens)
            items = self._align_groups(pcm, groups, total)
        return finalize_words(items, total)

    def align_segments(self, wav: Path, segments: Sequence[Segment]) -> list[Word]:
        """Align each segment's text within its own time range of `wav`; words in input order."""
        with _pcm16k(wav) as (pcm, total):
            groups = [
                (
                    seg.start,
                    total if seg.end is None else seg.end,
                    prepare_tokens(seg.text, self._normalizer, self._display),
                )
                for seg in segments
            ]
            items = self._align_groups(pcm, groups, total)
        return finalize_words(items, total)

    def _align_groups(
        self, pcm: wave.Wave_read, groups: Sequence[tuple[float, float, list[SpeechToken]]], total: float
    ) -> list[tuple[str, float, float]]:
        items: list[tuple[str, float, float]] = []
        tried = failed = 0
        last_error: Exception | None = None
        decoder = new_decoder()  # loading the model costs ~0.3 s: one per call, reused per segment
        for seg_start, seg_end, tokens in groups:
            words = [t for t in tokens if t.is_word]
            if not words:
                continue
            start = min(max(0.0, seg_start), total)
            end = min(max(seg_end, start), total)
            pcm.setpos(int(start * RATE))
            raw = pcm.readframes(int((end - start) * RATE))
            tried += 1
            try:
                spans = _decode(decoder, raw, words)
            except (RuntimeError, ValueError) as exc:
                failed += 1
                last_error = exc
                log.warning(
                    "pocketsphinx could not align %.1f-%.1f s (%s): timing those words by length",
                    start,
                    end,
                    exc,
                )
                spans = proportional_spans(words, 0.0, end - start)
            items += [(t.display, start + s, start + e) for t, (s, e) in zip(words, spans, strict=True)]
        if tried and (failed == tried or (tried == 1 and failed)):
            raise ProviderError(f"pocketsphinx could not align the text to the audio: {last_error}")
        return items


@contextmanager
def _pcm16k(wav: Path) -> Iterator[tuple[wave.Wave_read, float]]:
    """The audio of `wav` as a 16 kHz mono s16 WAV reader (temporary file) and its duration."""
    info = probe(wav)
    if info.audio is None:
        raise MediaRejected(str(wav), "has no audio stream: give a file with speech in it")
    with tempfile.TemporaryDirectory(prefix="faceless-align-") as tmp:
        pcm_path = Path(tmp) / "16k.wav"
        run_ffmpeg(
            FFmpegCommand(
                inputs=[Input(str(wav))],
                output=str(pcm_path),
                output_options=["-vn", "-map", "0:a:0", "-ac", "1", "-ar", str(RATE), "-c:a", "pcm_s16le"],
            )
        )
        with wave.open(str(pcm_path), "rb") as pcm:
            yield pcm, pcm.getnframes() / RATE


def _envelope(pcm: wave.Wave_read) -> np.ndarray:
    """RMS level of every 10 ms frame, read in one-second blocks (memory: 100 floats per second)."""
    hop = RATE // FRAMES_PER_SECOND
    pcm.setpos(0)
    levels = []
    while True:
        block = np.frombuffer(pcm.readframes(RATE), dtype="<i2").astype(np.float32)
        if not len(block):
            break
        n = len(block) // hop * hop or len(block)
        frames = block[:n].reshape(-1, min(hop, n))
        levels.append(np.sqrt((frames**2).mean(axis=1)))
    return np.concatenate(levels) if levels else np.zeros(0, np.float32)


def _pauses(env: np.ndarray) -> list[tuple[float, float]]:
    """(centre, length) in seconds of every quiet stretch of at least 0.15 s."""
    if not len(env):
        return []
    quiet = env < max(30.0, 0.1 * float(np.percentile(env, 90)))
    out, i = [], 0
    while i < len(quiet):
        if not quiet[i]:
            i += 1
            continue
        j = i
        while j < len(quiet) and quiet[j]:
            j += 1
        if j - i >= 15:
            out.append(((i + j) / 2 / FRAMES_PER_SECOND, (j - i) / FRAMES_PER_SECOND))
        i = j
    return out


def _auto_segments(
    pcm: wave.Wave_read, total: float, tokens: list[SpeechToken]
) -> list[tuple[float, float, list[SpeechToken]]]:
    """Cut long audio into ~`TARGET_SEGMENT_SECONDS` pieces at the pause nearest each sentence end.

    Where each sentence ends is estimated from the share of speaking length still to come in the
    remaining audio, so estimation errors do not accumulate; the cut snaps to the longest pause
    within `SNAP_SECONDS` (sentence pauses are the longest ones).
    """
    pauses = _pauses(_envelope(pcm))
    sentences = list(chunk_tokens(tokens, min_chars=1, max_chars=400))
    weights = [sum(t.weight for t in s if t.is_word) for s in sentences]
    groups: list[tuple[float, float, list[SpeechToken]]] = []
    start, i = 0.0, 0
    while i < len(sentences):
        remaining_w = sum(weights[i:]) or 1
        group: list[SpeechToken] = []
        w = 0
        while i < len(sentences):
            group += sentences[i]
            w += weights[i]
            i += 1
            if (total - start) * w / remaining_w >= TARGET_SEGMENT_SECONDS:
                break
        if i >= len(sentences):
            groups.append((start, total, group))
            break
        guess = start + (total - start) * w / remaining_w
        # Snap within a fraction of the neighbouring sentences' length, so the cut cannot jump
        # to the previous or next sentence end; prefer sentence-length pauses, then the nearest.
        per_weight = (total - start) / remaining_w
        window = min(SNAP_SECONDS, 0.4 * per_weight * min(weights[i - 1], weights[i]))
        near = [p for p in pauses if abs(p[0] - guess) <= window and p[0] > start + 1.0]
        best = [p for p in near if p[1] >= 0.2] or near
        cut = min(best, key=lambda p: abs(p[0] - guess))[0] if best else guess
        groups.append((start, cut, group))
        start = cut
    return groups


def _dictionary_words(decoder: Any, tok: SpeechToken) -> list[str]:
    """The decoder words for one token, adding unknown ones to the dictionary."""
    out: list[str] = []
    for key, said in spoken_words(tok.spoken):
        if decoder.lookup_word(key) is not None and key.replace("'", "").isalpha():
            out.append(key)
            continue
        parts = [p for p in key.split("-") if p]
        if len(parts) > 1 and all(decoder.lookup_word(p) is not None for p in parts):
            out += parts
            continue
        ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode() or "oov"
        phones = guess_pronunciation(said)
        name = f"{ascii_key}_{zlib.crc32(phones.encode()):08x}"  # unique per pronunciation, never a real word
        if decoder.lookup_word(name) is None:
            decoder.add_word(name, phones, False)
        out.append(name)
    return out


def new_decoder() -> Any:
    """A pocketsphinx decoder with the bundled en-US model, quiet, for 16 kHz audio."""
    from pocketsphinx import Decoder

    return Decoder(samprate=RATE, bestpath=False, loglevel="FATAL")


def _decode(decoder: Any, raw: bytes, words: list[SpeechToken]) -> list[tuple[float, float]]:
    """Span of each token (seconds from the start of `raw`), via pocketsphinx state alignment."""
    per_token = [_dictionary_words(decoder, t) for t in words]
    sequence = [w for ws in per_token for w in ws]
    if not sequence:
        return proportional_spans(words, 0.0, len(raw) / 2 / RATE)
    decoder.set_align_text(" ".join(sequence))
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    segs = decoder.seg()
    if segs is None:  # the search never reached the end of the text
        raise ValueError("no alignment found: is this the right text for the audio?")
    found = [(_VARIANT.sub("", seg.word), seg.start_frame, seg.end_frame) for seg in segs]
    found = [f for f in found if f[0] not in _FILLERS]
    if [f[0] for f in found] != sequence:
        raise ValueError(f"decoded {len(found)} words for {len(sequence)} expected")
    spans: list[tuple[float, float]] = []
    k = 0
    for ws in per_token:
        if not ws:  # token spoke nothing the dictionary knows: zero-length at the current point
            t = spans[-1][1] if spans else 0.0
            spans.append((t, t))
            continue
        first, last = found[k], found[k + len(ws) - 1]
        spans.append((first[1] / FRAMES_PER_SECOND, (last[2] + 1) / FRAMES_PER_SECOND))
        k += len(ws)
    return spans
