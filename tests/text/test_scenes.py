"""Scene planning: durations within bounds, clause splits, paragraph boundaries, long scripts."""

from __future__ import annotations

import random

import pytest

from faceless.domain.errors import InputError
from faceless.text.normalize import normalize_tokens
from faceless.text.scenes import SceneDraft, estimate_seconds, plan_scenes, spoken_words
from faceless.text.script import parse_script_paragraphs

WPM = 150.0


def seconds(text: str) -> float:
    return estimate_seconds(text, WPM)


def test_estimate_counts_spoken_words() -> None:
    assert spoken_words("Octopuses have three hearts.".split()) == 4
    assert spoken_words(["$5,000"]) == 3  # five thousand dollars
    assert spoken_words(["🚀", "—"]) == 0
    assert seconds("one two three four five") == pytest.approx(2.0)


def test_sentences_are_grouped_into_bounded_scenes() -> None:
    beats = [f"Sentence {w} has exactly six words." for w in "abcdefghijklmnopqrst"]
    scenes = plan_scenes(beats)
    assert all(isinstance(s, SceneDraft) for s in scenes)
    assert " ".join(s.narration for s in scenes) == " ".join(beats)  # nothing lost, order kept
    for s in scenes:
        assert 3.0 <= s.estimated_seconds <= 8.0
        assert s.estimated_seconds == pytest.approx(seconds(s.narration))
        assert s.narration.endswith(".")  # whole sentences only when sentences fit


def test_long_sentence_splits_at_clauses() -> None:
    sentence = (
        "Octopuses have three hearts, two of which pump blood through the gills; "
        "the third pumps it to the rest of the body: when an octopus swims, "
        "the main heart stops beating, which is why they prefer crawling along the sea floor."
    )
    scenes = plan_scenes([sentence])
    assert len(scenes) >= 3
    assert " ".join(s.narration for s in scenes) == sentence
    for s in scenes[:-1]:
        assert s.narration[-1] in ",;:"
    assert all(s.estimated_seconds <= 8.0 for s in scenes)


def test_long_sentence_without_punctuation_splits_evenly_by_words() -> None:
    sentence = " ".join(["word"] * 50) + "."
    scenes = plan_scenes([sentence])
    sizes = [len(s.narration.split()) for s in scenes]
    assert sum(sizes) == 50
    assert max(sizes) - min(sizes) <= 1
    assert all(s.estimated_seconds <= 8.0 for s in scenes)


def test_paragraph_boundaries_are_respected() -> None:
    paragraphs = [
        ["Octopuses have three hearts and blue blood.", "They are very clever animals indeed."],
        ["Sharks have been around for four hundred million years.", "They never stop growing teeth."],
    ]
    scenes = plan_scenes(paragraphs)
    narrations = [s.narration for s in scenes]
    assert " ".join(paragraphs[0]) in narrations
    assert " ".join(paragraphs[1]) in narrations


def test_heading_leads_into_its_section() -> None:
    script = (
        "Octopuses have three hearts and blue blood. They are clever animals indeed.\n\n"
        "## Sharks\n\nSharks have been around for four hundred million years. They never stop growing teeth."
    )
    scenes = plan_scenes(parse_script_paragraphs(script))
    assert any(s.narration.startswith("Sharks. Sharks have been") for s in scenes)
    assert not any(s.narration.endswith("Sharks.") for s in scenes)


def test_keywords_and_visual_intent() -> None:
    scenes = plan_scenes(["Marie Curie studied radioactivity in Paris.", "Yes.", "Really."],
                         min_seconds=0.5, max_seconds=3)  # fmt: skip
    assert scenes[0].keywords[0] == "Marie Curie"
    assert "Marie Curie" in scenes[0].visual_intent
    # Scenes with no content word borrow the previous intent for media search.
    assert all(s.visual_intent == scenes[0].visual_intent for s in scenes)


def test_empty_and_invalid_input() -> None:
    assert plan_scenes([]) == []
    with pytest.raises(InputError):
        plan_scenes(["Hello there."], min_seconds=9, max_seconds=8)
    with pytest.raises(InputError):
        plan_scenes(["Hello there."], words_per_minute=0)


def test_emoji_only_beats_do_not_break_planning() -> None:
    scenes = plan_scenes(["🚀"] * 500 + ["Octopuses have three hearts and blue blood in their bodies."])
    assert " ".join(s.narration for s in scenes).endswith("blood in their bodies.")


def _long_script(words: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    vocab = ("octopus ocean heart blood copper swim crawl reef coral light deep water animal brain "
             "sucker colour camouflage predator shark whale").split()  # fmt: skip
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(1, 6)):
            n = rng.choice([2, 5, 8, 12, 15, 20, 28, 45])
            ws = [rng.choice(vocab) for _ in range(n)]
            if n > 10:
                ws[n // 2] += ","
            if rng.random() < 0.2:
                ws.insert(1, "$5,000")
            if rng.random() < 0.05:
                ws.append("🚀")
            sentences.append(" ".join(ws).capitalize() + ".")
            count += n
        paragraphs.append(" ".join(sentences))
        if rng.random() < 0.1:
            paragraphs.append("## Section heading")
    return "\n\n".join(paragraphs)


def test_twelve_thousand_word_script_end_to_end() -> None:
    script = _long_script(12_000)
    paragraphs = parse_script_paragraphs(script)
    scenes = plan_scenes(paragraphs)
    spoken = [normalize_tokens(s.narration.split()) for s in scenes]
    assert len(scenes) > 500
    assert sum(len(s.narration.split()) for s in scenes) == sum(len(b.split()) for p in paragraphs for b in p)
    durations = [s.estimated_seconds for s in scenes]
    assert max(durations) <= 8.0
    assert min(durations) >= 3.0
    assert all(any(w for w in sp) for sp in spoken)
