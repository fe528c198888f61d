"""Extractive summary: the most central, non-redundant sentences of an article, in their original order."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from faceless.domain.errors import InputError

Embedder = Callable[[list[str]], np.ndarray]

BATCH_SIZE = 64
MIN_WORDS = 4  # shorter sentences ("Read more.", "Share this") are rarely worth narrating
_LEAD_WEIGHT = 0.12  # news-style text puts the point first
_MMR_LAMBDA = 0.7  # relevance versus novelty
_DUPLICATE_SIMILARITY = 0.95  # cosine above which two sentences count as the same
_BOILERPLATE = re.compile(
    r"\b(?:click here|subscribe|sign up|newsletter|cookies?|all rights reserved|privacy policy|"
    r"terms of (?:use|service)|advertisement|read more|share (?:this|on)|follow us|log ?in|"
    r"copyright|©)\b|https?://",
    re.IGNORECASE,
)


def target_words_for(duration_seconds: float, words_per_minute: float = 150) -> int:
    """Words of narration that fill `duration_seconds` at `words_per_minute` (at least 1)."""
    if duration_seconds <= 0 or words_per_minute <= 0:
        raise InputError("video length must be positive: ask for a duration in seconds, e.g. 60")
    return max(1, round(duration_seconds * words_per_minute / 60.0))


def _word_count(sentence: str) -> int:
    return len(sentence.split())


def _is_candidate(sentence: str) -> bool:
    return _word_count(sentence) >= MIN_WORDS and not _BOILERPLATE.search(sentence)


def embed_normalized(sentences: list[str], embed: Embedder, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Embeddings of `sentences` computed `batch_size` at a time, rows L2-normalised, float32."""
    out: np.ndarray | None = None
    for start in range(0, len(sentences), batch_size):
        batch = sentences[start : start + batch_size]
        vectors = np.asarray(embed(batch), dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(batch):
            raise ValueError(
                f"embed returned shape {vectors.shape} for {len(batch)} sentences; want (n, dim)"
            )
        if out is None:
            out = np.empty((len(sentences), vectors.shape[1]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out[start : start + len(batch)] = vectors / np.maximum(norms, 1e-12)
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def summarize(sentences: list[str], target_words: int, embed: Embedder) -> list[str]:
    """Pick sentences totalling at most about `target_words` words, returned in their original order.

    Each sentence is scored by its cosine similarity to the document centroid plus a bonus for coming
    early; sentences are then chosen by maximal marginal relevance so that the summary does not repeat
    itself. Very short and boilerplate sentences are skipped. Never returns more than `target_words`
    words unless the single best sentence is longer, in which case that one sentence is returned.
    """
    if target_words < 1:
        raise InputError("summary length must be at least one word: ask for a longer video")
    index = [i for i, s in enumerate(sentences) if _is_candidate(s)]
    if not index:
        index = [i for i, s in enumerate(sentences) if s.strip()]
    if not index:
        return []
    candidates = [sentences[i] for i in index]
    lengths = np.array([_word_count(s) for s in candidates])
    if lengths.sum() <= target_words:
        return candidates
    vectors = embed_normalized(candidates, embed)
    centroid = vectors.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    n = len(candidates)
    position = np.arange(n, dtype=np.float32)
    relevance = vectors @ centroid + _LEAD_WEIGHT * np.exp(-position / max(3.0, n / 10))
    chosen: list[int] = []
    redundancy = np.zeros(n, dtype=np.float32)  # max similarity to anything chosen so far
    available = np.ones(n, dtype=bool)
    budget = target_words
    while True:
        fits = available & (lengths <= budget)
        if not fits.any():
            if not chosen:  # nothing fits at all: the best sentence alone
                chosen.append(int(np.argmax(relevance)))
            break
        score = _MMR_LAMBDA * relevance - (1 - _MMR_LAMBDA) * redundancy
        pick = int(np.argmax(np.where(fits, score, -np.inf)))
        chosen.append(pick)
        available[pick] = False
        budget -= int(lengths[pick])
        similarity = vectors @ vectors[pick]
        available &= similarity < _DUPLICATE_SIMILARITY  # never say the same thing twice
        np.maximum(redundancy, similarity, out=redundancy)
    return [candidates[i] for i in sorted(chosen)]
