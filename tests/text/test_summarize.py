"""Extractive summaries with a deterministic fake embedder (hashed bag of words)."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest

from faceless.domain.errors import InputError
from faceless.text.summarize import BATCH_SIZE, embed_normalized, summarize, target_words_for

DIM = 256


def fake_embed(texts: list[str]) -> np.ndarray:
    """Hashed bag of words: sentences sharing words are similar, as with a real embedder."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, zlib.crc32(word.encode()) % DIM] += 1.0
    return out * 3.0  # unnormalised on purpose: summarize must normalise rows itself


ARTICLE = [
    "Octopuses are remarkable ocean animals with three hearts and blue blood.",  # lead, on topic
    "Subscribe to our newsletter for more ocean facts.",  # boilerplate
    "Two hearts pump blood through the gills of octopuses.",
    "The third heart pumps blood to the rest of the octopus body.",
    "Octopus blood is blue because it carries copper instead of iron.",
    "Octopus blood is blue because it carries copper instead of iron.",  # duplicate
    "Read more.",  # too short
    "My cousin once bought a bicycle in Amsterdam during winter.",  # off topic
    "When octopuses swim the main heart stops beating for a while.",
    "That is why octopuses prefer crawling along the ocean floor.",
]


def test_length_order_and_content() -> None:
    summary = summarize(ARTICLE, target_words=40, embed=fake_embed)
    words = sum(len(s.split()) for s in summary)
    assert 20 <= words <= 40
    positions = [ARTICLE.index(s) for s in summary]
    assert positions == sorted(positions)  # original order
    assert ARTICLE[0] in summary  # lead + central
    assert ARTICLE[1] not in summary and "Read more." not in summary
    assert ARTICLE[7] not in summary  # off topic
    assert summary.count(ARTICLE[4]) <= 1 and not (ARTICLE[4] in summary and positions.count(5))


def test_mmr_avoids_repeating_itself() -> None:
    repeated = ["Octopus blood is blue because of copper in it."] * 5 + [
        "Octopuses have three hearts that pump their blood.",
        "Octopus arms can taste what they touch on the reef.",
    ]
    summary = summarize(repeated, target_words=30, embed=fake_embed)
    assert len(summary) == 3
    assert summary[0] == repeated[0] and summary[1:] == repeated[5:]


def test_short_article_is_returned_whole_without_boilerplate() -> None:
    assert summarize(ARTICLE, target_words=10_000, embed=fake_embed) == [
        s for i, s in enumerate(ARTICLE) if i not in (1, 6)
    ]


def test_single_long_sentence_when_nothing_fits() -> None:
    summary = summarize(ARTICLE, target_words=3, embed=fake_embed)
    assert len(summary) == 1 and summary[0] in ARTICLE


def test_embeds_in_batches() -> None:
    sizes: list[int] = []

    def counting_embed(texts: list[str]) -> np.ndarray:
        sizes.append(len(texts))
        return fake_embed(texts)

    sentences = [f"Sentence number {i} talks about octopus topic {i % 7} today." for i in range(1000)]
    summary = summarize(sentences, target_words=150, embed=counting_embed)
    assert max(sizes) <= BATCH_SIZE and sum(sizes) == 1000
    assert 130 <= sum(len(s.split()) for s in summary) <= 150


def test_embed_normalized_rows_and_shape_check() -> None:
    vectors = embed_normalized(["a b", "c", "d d d"], fake_embed, batch_size=2)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    with pytest.raises(ValueError, match="shape"):
        embed_normalized(["a", "b"], lambda texts: np.zeros((1, 4)))


def test_degenerate_inputs() -> None:
    assert summarize([], 50, fake_embed) == []
    assert summarize(["", "  "], 50, fake_embed) == []
    assert summarize(["Hi.", "Yes."], 50, fake_embed) == ["Hi.", "Yes."]  # no long ones: keep what there is
    with pytest.raises(InputError):
        summarize(ARTICLE, 0, fake_embed)


def test_target_words_for() -> None:
    assert target_words_for(60) == 150
    assert target_words_for(30, words_per_minute=170) == 85
    assert target_words_for(0.1) == 1
    with pytest.raises(InputError, match="video length must be positive"):
        target_words_for(0)
