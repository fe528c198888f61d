"""Word timings from a timed phoneme stream: match each token's own phonemes against what was spoken.

espeak merges and reshapes words in context ("of the" → one word, "a" → /ə/), so the timed
stream cannot simply be split on spaces. Instead every token is phonemised alone and the two
sequences are aligned with difflib; tokens with no matching phoneme share the gap between their
matched neighbours in proportion to their length.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

# Separators, punctuation, stress marks and Piper's BOS/EOS/PAD symbols: no sound of their own.
SKIP = frozenset(" .,;:!?—–-…\"'()[]ˈˌ^$_“”‘’«»¡¿")


def keep(phonemes: Sequence[str]) -> list[str]:
    """The phonemes that carry sound."""
    return [p for p in phonemes if p not in SKIP]


def match_spans(
    token_phonemes: Sequence[Sequence[str]],
    timed: Sequence[tuple[str, float, float]],
) -> tuple[list[tuple[float, float] | None], float]:
    """Span (start, end) of each token in `timed` (phoneme, start, end), or None when unmatched.

    Returns the spans and the matcher's similarity ratio (1.0 = identical streams).
    """
    w_ph: list[str] = []
    w_idx: list[int] = []
    for i, phs in enumerate(token_phonemes):
        for p in keep(phs):
            w_ph.append(p)
            w_idx.append(i)
    a = [t for t in timed if t[0] not in SKIP]
    a_ph = [t[0] for t in a]
    spans: list[list[float] | None] = [None] * len(token_phonemes)
    matcher = difflib.SequenceMatcher(None, w_ph, a_ph, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            _, s, e = a[block.b + k]
            sp = spans[w_idx[block.a + k]]
            if sp is None:
                spans[w_idx[block.a + k]] = [s, e]
            else:
                sp[0], sp[1] = min(sp[0], s), max(sp[1], e)
    ratio = matcher.ratio() if (w_ph or a_ph) else 1.0
    return [(sp[0], sp[1]) if sp else None for sp in spans], ratio


def fill_gaps(
    spans: Sequence[tuple[float, float] | None],
    weights: Sequence[int],
    lo: float,
    hi: float,
) -> list[tuple[float, float]]:
    """Give every unmatched token a share of the gap between its matched neighbours (or lo/hi)."""
    out: list[tuple[float, float] | None] = list(spans)
    i = 0
    n = len(out)
    while i < n:
        if out[i] is not None:
            i += 1
            continue
        j = i
        while j < n and out[j] is None:
            j += 1
        prev_end = next((out[k][1] for k in range(i - 1, -1, -1) if out[k] is not None), lo)  # type: ignore[index]
        next_start = out[j][0] if j < n else hi  # type: ignore[index]
        next_start = max(next_start, prev_end)
        total = sum(weights[i:j]) or 1
        cur = prev_end
        for k in range(i, j):
            nxt = cur + (next_start - prev_end) * weights[k] / total
            out[k] = (cur, nxt)
            cur = nxt
        i = j
    return [sp for sp in out if sp is not None]
