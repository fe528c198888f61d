"""Pure helpers: token forms, chunking, phoneme matching, gap filling, word clean-up, WAV writing."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from faceless.providers.pocketsphinx.aligner import spoken_words
from faceless.providers.pocketsphinx.g2p import ipa_to_arpabet, spell
from faceless.voice import (
    WavWriter,
    chunk_tokens,
    fill_gaps,
    finalize_words,
    match_spans,
    prepare_tokens,
    proportional_spans,
    strip_symbols,
)


def test_strip_symbols_removes_emoji_and_controls_but_keeps_text() -> None:
    assert strip_symbols("🐙") == ""
    assert strip_symbols("great👍🏽!") == "great!"
    assert strip_symbols("café\u200b") == "café"
    assert strip_symbols("$5,000") == "$5,000"
    assert strip_symbols("❤️") == ""


def test_prepare_tokens_pairs_display_and_spoken_forms() -> None:
    spoken = {"Dr.": "Doctor", "$5": "five dollars", "🐙": ""}
    toks = prepare_tokens("Dr. Smith paid $5 🐙 —", normalizer=lambda ts: [spoken.get(t, t) for t in ts])
    assert [(t.display, t.spoken, t.is_word) for t in toks] == [
        ("Dr.", "Doctor", True),
        ("Smith", "Smith", True),
        ("paid", "paid", True),
        ("$5", "five dollars", True),
        ("", "", False),
        ("—", "—", False),
    ]
    assert toks[3].weight == len("fivedollars")


def test_prepare_tokens_rejects_a_normaliser_that_loses_tokens() -> None:
    with pytest.raises(ValueError, match="2 forms for 3 tokens"):
        prepare_tokens("a b c", normalizer=lambda ts: ts[:2])


def test_chunks_break_only_after_sentence_ends_and_cover_every_token() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    toks = prepare_tokens(text, normalizer=list)
    chunks = list(chunk_tokens(toks, min_chars=100, max_chars=1000))
    assert [t.index for c in chunks for t in c] == list(range(len(toks)))
    assert len(chunks) > 5
    for c in chunks[:-1]:
        assert c[-1].spoken.endswith(".")
        assert sum(len(t.spoken) + 1 for t in c) >= 100


def test_run_on_text_is_cut_at_max_chars() -> None:
    toks = prepare_tokens("word " * 500, normalizer=list)
    chunks = list(chunk_tokens(toks, min_chars=100, max_chars=300))
    assert all(sum(len(t.spoken) + 1 for t in c) <= 300 for c in chunks)
    assert sum(len(c) for c in chunks) == 500


def test_match_spans_maps_merged_context_phonemes_back_to_tokens() -> None:
    # "of the" is one espeak word in context; the tokens still get their own spans.
    tokens = [list("ʌv"), list("ðə"), list("kˈæt")]
    stream = [(p, i * 0.1, (i + 1) * 0.1) for i, p in enumerate("^ʌvðə kˈæt.$")]
    spans, ratio = match_spans(tokens, stream)
    assert ratio == 1.0
    assert spans[0] == pytest.approx((0.1, 0.3))
    assert spans[1] == pytest.approx((0.3, 0.5))
    assert spans[2] == pytest.approx((0.6, 1.0))  # k..t; the stress mark carries no sound


def test_fill_gaps_shares_the_gap_by_weight() -> None:
    filled = fill_gaps([(0.0, 1.0), None, None, (4.0, 5.0), None], [1, 1, 2, 1, 3], 0.0, 6.0)
    assert filled == [(0.0, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 5.0), (5.0, 6.0)]


def test_proportional_spans_cover_the_range() -> None:
    toks = prepare_tokens("aa bbbb 🐙 cc", normalizer=list)
    spans = proportional_spans(toks, 1.0, 5.0)
    assert len(spans) == 3 and spans[0][0] == 1.0 and spans[-1][1] == pytest.approx(5.0)
    assert spans[1][1] - spans[1][0] == pytest.approx(2 * (spans[0][1] - spans[0][0]))


def test_finalize_words_enforces_order_and_bounds() -> None:
    words = finalize_words([("a", -0.5, 0.4), ("b", 0.3, 0.2), ("c", 0.2, 9.0), ("d", 1.0, 1.5)], 1.2)
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= 1.2 for w in words)
    assert words[2].end <= words[3].start


def test_wav_writer_streams_and_is_atomic(tmp_path) -> None:
    out = tmp_path / "x.wav"
    with WavWriter(out, 22050) as w:
        for _ in range(3):
            w.write(np.zeros(1000, dtype=np.int16))
        w.write(b"\x00\x00" * 50)
        assert not out.exists()  # only renamed into place when complete
    with wave.open(str(out)) as r:
        assert (r.getnframes(), r.getframerate(), r.getnchannels(), r.getsampwidth()) == (3050, 22050, 1, 2)
    with pytest.raises(RuntimeError), WavWriter(tmp_path / "y.wav", 16000) as w:
        w.write(np.zeros(10, dtype=np.int16))
        raise RuntimeError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.wav"]


def test_ipa_to_arpabet() -> None:
    assert ipa_to_arpabet("ˈɑːktəpʊsᵻz") == "AA K T AH P UH S IH Z"
    assert ipa_to_arpabet("fˈeɪsləs") == "F EY S L AH S"
    assert ipa_to_arpabet("tʃˈɜːtʃ dʒˈʌdʒ") == "CH ER CH JH AH JH"
    assert spell("Zyx") == "Z Y K S"


def test_spoken_words_for_the_aligner() -> None:
    assert spoken_words("Well-known, $5,000 octopus!") == [
        ("well-known", "Well-known"),
        ("5000", "$5,000"),
        ("octopus", "octopus"),
    ]
