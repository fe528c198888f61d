"""Script tokens for speech: what is said (spoken form) versus what is shown (display form).

The script is split on whitespace; each token is normalised for the TTS (``$5`` → ``five
dollars``) but reported in word timings as written (minus emoji). These helpers are shared by
every voice and aligner so they all agree on which tokens become words.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from faceless.domain.words import Word

log = logging.getLogger(__name__)

Normalizer = Callable[[list[str]], list[str]]
Display = Callable[[str], str]

# Sentence end, allowing closing quotes/brackets after the stop.
_SENTENCE_END = re.compile(r"[.!?…。！？]['\"”’»)\]]*$")
# Characters that never get spoken or shown: variation selectors, keycap, tags, ZWJ and friends.
_INVISIBLE = re.compile("[\ufe00-\ufe0f\u20e3\U000e0000-\U000e007f\u200b-\u200f\u2060-\u2064\ufeff]")
_DROP_CATEGORIES = {"So", "Sk", "Cc", "Cf", "Cs", "Co", "Cn"}


def strip_symbols(token: str) -> str:
    """The token without emoji, pictographs and control/format characters ("" if nothing is left)."""
    token = _INVISIBLE.sub("", token)
    return "".join(ch for ch in token if unicodedata.category(ch) not in _DROP_CATEGORIES)


def _fallback_normalize(tokens: list[str]) -> list[str]:
    return [strip_symbols(t) for t in tokens]


def default_normalizer() -> Normalizer:
    """`faceless.text.normalize.normalize_tokens` when available, else emoji-stripping identity."""
    try:
        from faceless.text.normalize import normalize_tokens
    except ImportError:
        log.debug("faceless.text.normalize not available; speaking tokens as written")
        return _fallback_normalize
    return normalize_tokens


def default_display() -> Display:
    """`faceless.text.normalize.display_token` when available, else `strip_symbols`."""
    try:
        from faceless.text.normalize import display_token
    except ImportError:
        return strip_symbols
    return display_token


@dataclass(frozen=True)
class SpeechToken:
    """One whitespace token of the script."""

    index: int  # position in text.split()
    display: str  # as shown in captions ("" = never shown)
    spoken: str  # as handed to the TTS ("" = not spoken)

    @property
    def is_word(self) -> bool:
        """Whether the token becomes a `Word`: something pronounceable and something to show."""
        return bool(self.display) and any(ch.isalnum() for ch in self.spoken)

    @property
    def weight(self) -> int:
        """Rough speaking length, for proportional timing."""
        return max(1, sum(ch.isalnum() for ch in self.spoken))


def prepare_tokens(
    text: str, normalizer: Normalizer | None = None, display: Display | None = None
) -> list[SpeechToken]:
    """Split `text` on whitespace and pair each token's display and spoken forms."""
    raw = text.split()
    spoken = (normalizer or default_normalizer())(list(raw))
    if len(spoken) != len(raw):
        raise ValueError(f"normaliser returned {len(spoken)} forms for {len(raw)} tokens")
    show = display or default_display()
    return [
        SpeechToken(i, show(tok).strip(), " ".join(sp.split()))
        for i, (tok, sp) in enumerate(zip(raw, spoken, strict=True))
    ]


def chunk_tokens(
    tokens: Sequence[SpeechToken], *, min_chars: int = 200, max_chars: int = 1000
) -> Iterator[list[SpeechToken]]:
    """Group tokens into sentence-aligned chunks of about `min_chars`..`max_chars` spoken characters.

    Synthesising chunk by chunk keeps memory constant for long scripts; breaking only after a
    sentence end keeps the prosody the TTS would produce for the whole text (Piper speaks each
    sentence separately anyway). A run-on text with no stop is cut at `max_chars`.
    """
    chunk: list[SpeechToken] = []
    size = 0
    for tok in tokens:
        chunk.append(tok)
        size += len(tok.spoken) + 1
        ends = bool(tok.spoken) and _SENTENCE_END.search(tok.spoken) is not None
        if (ends and size >= min_chars) or size >= max_chars:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def spoken_text(tokens: Sequence[SpeechToken]) -> str:
    """The text handed to the TTS for these tokens."""
    return " ".join(t.spoken for t in tokens if t.spoken)


def proportional_spans(tokens: Sequence[SpeechToken], start: float, end: float) -> list[tuple[float, float]]:
    """Split [start, end] among the word tokens in proportion to their spoken length."""
    words = [t for t in tokens if t.is_word]
    total = sum(t.weight for t in words) or 1
    spans, cur = [], start
    for t in words:
        nxt = cur + (end - start) * t.weight / total
        spans.append((cur, nxt))
        cur = nxt
    return spans


def finalize_words(items: Sequence[tuple[str, float, float]], duration: float) -> list[Word]:
    """`Word`s from (text, start, end): clamped to [0, duration], starts non-decreasing, start ≤ end,
    and no word running past the next word's start."""
    out: list[tuple[str, float, float]] = []
    prev_start = 0.0
    for text, s, e in items:
        s = min(max(s, prev_start, 0.0), duration)
        e = min(max(e, s), duration)
        out.append((text, s, e))
        prev_start = s
    words = []
    for i, (text, s, e) in enumerate(out):
        if i + 1 < len(out):
            e = max(s, min(e, out[i + 1][1]))
        words.append(Word(text=text, start=s, end=e))
    return words
