"""Keyword extraction for media search."""

from __future__ import annotations

import pytest

from faceless.text.keywords import extract_keywords, key_phrase


def test_content_words_ranked_and_lower_cased() -> None:
    kw = extract_keywords("Octopuses have three hearts. The hearts pump blue blood through the gills.")
    assert kw[0] == "hearts"  # most frequent content word
    assert set(kw) <= {"hearts", "octopuses", "blood", "gills", "pump", "blue"}
    assert all(k == k.lower() for k in kw)
    assert "the" not in kw and "have" not in kw and "three" not in kw


def test_names_keep_case_and_absorb_surnames() -> None:
    kw = extract_keywords("Marie Curie won the Nobel Prize twice. Curie studied radioactivity in Paris.")
    assert kw[:2] == ["Marie Curie", "Nobel Prize"]
    assert "Curie" not in kw and "Paris" in kw


def test_multiword_place_after_sentence_start() -> None:
    assert extract_keywords("In New York, the subway runs all night.", k=2)[0] == "New York"


def test_acronyms_and_dedupe() -> None:
    kw = extract_keywords("NASA launched a rocket. Rockets are loud. The rocket flew.")
    assert kw[0] in ("rocket", "NASA")
    assert "rockets" not in kw and "NASA" in kw


def test_k_and_degenerate_input() -> None:
    assert extract_keywords("alpha beta gamma delta epsilon zeta", k=2) == ["epsilon", "alpha"]
    assert extract_keywords("", k=4) == []
    assert extract_keywords("🚀🔥 ... 42 !!", k=4) == []
    assert extract_keywords("Really? Yes. Okay.", k=4) == []
    assert extract_keywords("anything", k=0) == []


def test_unicode_words() -> None:
    assert extract_keywords("Café naïve résumé in São Paulo and Zürich.", k=2) == ["São Paulo", "Zürich"]


def test_word_order_hints_prefer_nouns_over_verbs() -> None:
    kw = extract_keywords("An arm can taste and decide, without asking the brain.", k=2)
    assert kw == ["brain", "arm"]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "They change colour in a fraction of a second, yet most octopuses are colour-blind.",
            "octopuses are colour-blind",
        ),
        ("Each of their eight arms has its own cluster of neurons.", "cluster of neurons"),
        ("The Great Wall of China is not visible from space with the naked eye.", "Great Wall of China"),
        (
            "Scientists think their skin itself may sense light.",
            "sense light",
        ),  # no pronoun inside a card phrase
    ],
)
def test_key_phrase_reads_like_a_title(text: str, phrase: str) -> None:
    assert key_phrase(text, extract_keywords(text)) == phrase


def test_key_phrase_never_crosses_punctuation_and_falls_back() -> None:
    text = "Hearts, blood, gills."
    got = key_phrase(text, extract_keywords(text))
    assert len(got.split()) == 1
    assert key_phrase("Hi there.", []) == ""
    assert key_phrase("", ["Mars", "rover"]) == "Mars rover"
