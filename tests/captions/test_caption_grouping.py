"""Cue grouping and line breaking (pure)."""

from __future__ import annotations

import random

import pytest

from faceless.domain.words import Word
from faceless.render.captions import Cue, group_cues, is_sentence_end, layout_lines


def timed(text: str, *, gap: float = 0.05, pauses: dict[int, float] | None = None) -> list[Word]:
    """Words of `text` spoken back to back (duration grows with length), optional extra pauses."""
    out, t = [], 0.0
    for i, w in enumerate(text.split()):
        d = 0.1 + 0.04 * len(w)
        out.append(Word(text=w, start=round(t, 3), end=round(t + d, 3)))
        t += d + gap + (pauses or {}).get(i, 0.0)
    return out


def check_invariants(words: list[Word], cues: list[Cue], *, max_chars: int, max_lines: int) -> None:
    shown = [w.text for c in cues for w in c.words]
    assert shown == [" ".join(w.text.split()) for w in words if w.text.strip()]
    for c in cues:
        assert [w for line in c.lines for w in line] == c.words
        assert 1 <= len(c.lines) <= max_lines
        for line in c.lines:
            text = " ".join(w.text for w in line)
            assert len(text) <= max_chars or len(line) == 1, text
        assert c.end >= c.words[-1].end
        assert c.end >= c.start
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.end <= b.start + 1e-9, (a, b)


STORY = (
    "Did you know that octopuses have three hearts, blue blood, and nine brains? Two hearts pump "
    "blood to the gills, while the third pumps it to the rest of the body. Scientists, however, "
    "still argue about how smart they really are, and Dr. Smith thinks they dream."
)


@pytest.mark.parametrize(
    "max_chars,max_lines,max_words", [(42, 2, None), (20, 2, 4), (30, 1, None), (12, 3, 3)]
)
def test_invariants_on_a_story(max_chars: int, max_lines: int, max_words: int | None) -> None:
    words = timed(STORY)
    cues = group_cues(words, max_chars=max_chars, max_lines=max_lines, max_words=max_words)
    check_invariants(words, cues, max_chars=max_chars, max_lines=max_lines)
    if max_words:
        assert all(len(c.words) <= max_words for c in cues)


def test_invariants_on_random_input() -> None:
    rng = random.Random(7)
    vocab = [
        "a",
        "the",
        "extraordinary",
        "cat,",
        "ran.",
        "why?",
        "Pneumonoultramicroscopicsilicovolcanoconiosis",
        "well;",
        "and",
        "—",
        "x",
        "internationalisation",
        "Mr.",
        "it's",
        "  spaced  out  ",
    ]
    for _ in range(200):
        words, t = [], rng.uniform(0, 2)
        for _ in range(rng.randint(1, 40)):
            start = max(0.0, t + rng.uniform(-0.2, 0.6))  # sometimes overlapping, sometimes pausing
            end = max(0.0, start + rng.uniform(-0.05, 0.5))
            words.append(Word(text=rng.choice(vocab), start=start, end=end))
            t = start
        kw = dict(
            max_chars=rng.randint(8, 50),
            max_lines=rng.randint(1, 3),
            max_words=rng.choice([None, 1, 3, 6]),
            max_duration=rng.uniform(0.5, 7),
        )
        cues = group_cues(words, **kw)  # type: ignore[arg-type]
        check_invariants(words, cues, max_chars=kw["max_chars"], max_lines=kw["max_lines"])  # type: ignore[arg-type]


def test_breaks_at_sentence_end_and_pause_but_not_after_abbreviation() -> None:
    words = timed("We met Dr. Smith today. He waved at us and then left", pauses={8: 0.5})
    cues = group_cues(words)
    texts = [" ".join(w.text for w in c.words) for c in cues]
    assert texts == ["We met Dr. Smith today.", "He waved at us", "and then left"]


def test_prefers_clause_punctuation_for_cue_and_line_breaks() -> None:
    words = timed("When the tide goes out, the rocks show thousands of tiny crabs hiding in the weed")
    cues = group_cues(words, max_chars=30, max_lines=1)
    assert cues[0].words[-1].text == "out,"
    lines = layout_lines(
        timed("first of all, we need a much bigger boat"), lambda t: len(" ".join(t)) <= 30, 2
    )
    assert lines is not None and lines[0][-1].text == "all,"


def test_balances_two_lines() -> None:
    words = timed("this line has quite a few words that need two lines")
    (cue,) = group_cues(words, max_chars=42)
    a, b = (len(" ".join(w.text for w in line)) for line in cue.lines)
    assert len(cue.lines) == 2 and abs(a - b) <= 8


def test_single_long_word_gets_its_own_line() -> None:
    long = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    cues = group_cues(timed(f"the word {long} is long"), max_chars=20)
    lines = [[w.text for w in line] for c in cues for line in c.lines]
    assert [long] in lines


def test_limits_words_and_duration() -> None:
    words = [Word(text="tick", start=i * 0.5, end=i * 0.5 + 0.3) for i in range(20)]
    cues = group_cues(words, max_duration=2.0, pause_break=1.0)
    assert all(c.words[-1].end - c.words[0].start <= 2.0 for c in cues)
    assert all(len(c.words) <= 3 for c in group_cues(words, max_words=3, pause_break=1.0))


def test_linger_after_last_word_when_there_is_room() -> None:
    words = [
        Word(text="one.", start=0.0, end=0.5),
        Word(text="two.", start=2.0, end=2.4),
        Word(text="three", start=2.5, end=3.0),
    ]
    c1, c2, c3 = group_cues(words, linger=0.3)
    assert c1.end == pytest.approx(0.8)  # 1.5 s of room: stays up 0.3 s
    assert c2.end == pytest.approx(2.5)  # next cue starts 0.1 s later: stays until then
    assert c3.end == pytest.approx(3.3)


def test_overlapping_times_become_ordered_cues() -> None:
    words = [
        Word(text="alpha.", start=1.0, end=2.0),
        Word(text="beta.", start=0.5, end=0.7),
        Word(text="gamma", start=1.5, end=1.6),
    ]
    cues = group_cues(words)
    check_invariants(words, cues, max_chars=42, max_lines=2)
    assert [c.words[0].text for c in cues] == ["alpha.", "beta.", "gamma"]


def test_blank_words_are_skipped_and_empty_input_gives_no_cues() -> None:
    assert group_cues([]) == []
    cues = group_cues([Word(text=" ", start=0, end=1), Word(text="hi\nthere", start=1, end=2)])
    assert [w.text for c in cues for w in c.words] == ["hi there"]


def test_sentence_end_detection() -> None:
    assert is_sentence_end("end.") and is_sentence_end('"really?"') and is_sentence_end("so…")
    assert not is_sentence_end("Mr.") and not is_sentence_end("J.") and not is_sentence_end("e.g.")
    assert not is_sentence_end("comma,")


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        group_cues(timed("a b"), max_chars=0)
