"""Helpers of cloud voices: decode vendor audio to WAV, turn vendor timings into word timings,
and time words offline when a vendor returns none."""

from __future__ import annotations

import difflib
import logging
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from faceless.domain.errors import MediaRejected, ProviderError
from faceless.domain.words import Word
from faceless.providers.base import Aligner
from faceless.render.command import FFmpegCommand, Input
from faceless.render.probe import probe
from faceless.render.run import FFmpegError, run_ffmpeg

log = logging.getLogger("faceless.providers.speech")

SAMPLE_RATE = 48000
_TOKEN = re.compile(r"\S+")


def tokens(text: str) -> list[re.Match[str]]:
    """The words of `text` as written (whitespace-separated), with their character spans."""
    return list(_TOKEN.finditer(text))


def decode_audio(
    data: bytes, suffix: str, out_wav: Path, *, provider: str, sample_rate: int = SAMPLE_RATE
) -> float:
    """Write vendor audio bytes (MP3, WAV, Opus...) as mono 16-bit WAV at `sample_rate`; return seconds."""
    if not data:
        raise ProviderError(f"{provider}: empty audio in the response")
    out_wav = Path(out_wav)
    out_wav.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="faceless-tts-") as tmp:
        src = Path(tmp) / f"vendor{suffix}"
        src.write_bytes(data)
        try:
            run_ffmpeg(
                FFmpegCommand(
                    inputs=[Input(str(src))],
                    output=str(out_wav),
                    output_options=["-vn", "-ac", "1", "-ar", str(sample_rate), "-c:a", "pcm_s16le"],
                ),
                timeout=120,
            )
        except FFmpegError as exc:
            raise ProviderError(f"{provider}: the audio in the response is not decodable ({exc})") from None
    try:
        return probe(out_wav).duration
    except MediaRejected as exc:
        raise ProviderError(f"{provider}: decoded audio unreadable ({exc.reason})") from None


def words_from_characters(
    text: str, chars: Sequence[str], starts: Sequence[float], ends: Sequence[float]
) -> list[Word]:
    """Word timings of `text` from per-character timings (ElevenLabs `alignment`).

    The vendor's characters usually equal the input; when they differ (normalisation), the two
    strings are matched with difflib and each word takes the times of its matched characters.
    """
    if not (len(chars) == len(starts) == len(ends)):
        raise ProviderError("character alignment has mismatched lengths")
    spoken = "".join(chars)
    # Map each input character index -> vendor character index.
    mapping: dict[int, int] = {}
    if spoken == text:
        mapping = {i: i for i in range(len(text))}
    else:
        matcher = difflib.SequenceMatcher(a=text, b=spoken, autojunk=False)
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                mapping[block.a + k] = block.b + k
    words: list[Word] = []
    last_end = 0.0
    for m in tokens(text):
        idx = [mapping[i] for i in range(m.start(), m.end()) if i in mapping]
        if idx:
            start, end = float(starts[min(idx)]), float(ends[max(idx)])
        else:  # a word the vendor rewrote entirely: zero-length at the previous end
            start = end = last_end
        start = max(start, last_end if words else 0.0)
        end = max(end, start)
        words.append(Word(text=m.group(), start=round(start, 3), end=round(end, 3)))
        last_end = end
    return words


def proportional_words(text: str, duration: float) -> list[Word]:
    """Estimated timings: the duration shared out by word length (last resort, no aligner)."""
    toks = [m.group() for m in tokens(text)]
    if not toks:
        return []
    weights = [len(t) + 1 for t in toks]
    total = sum(weights)
    words, t = [], 0.0
    for tok, w in zip(toks, weights, strict=True):
        span = duration * w / total
        words.append(Word(text=tok, start=round(t, 3), end=round(t + span * 0.92, 3)))
        t += span
    return words


def default_aligner() -> Aligner | None:
    """The offline forced aligner if installed (pocketsphinx), else None."""
    try:
        from faceless.providers.pocketsphinx import PocketsphinxAligner  # optional, imported lazily

        return PocketsphinxAligner()  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001 - missing module/model means "no aligner"
        log.debug("no offline aligner: %s", exc)
        return None


def time_words(wav: Path, text: str, duration: float, aligner: Aligner | None = None) -> list[Word]:
    """Word timings for audio that came without them: forced alignment, else proportional."""
    expected = [m.group() for m in tokens(text)]
    aligner = aligner or default_aligner()
    if aligner is not None:
        try:
            aligned = aligner.align(wav, text)
            if [w.text for w in aligned] == expected:
                return aligned
            log.warning(
                "aligner returned %d words for %d; using estimated timings", len(aligned), len(expected)
            )
        except Exception as exc:  # noqa: BLE001 - alignment is best effort
            log.warning("offline alignment failed (%s); using estimated timings", exc)
    return proportional_words(text, duration)
