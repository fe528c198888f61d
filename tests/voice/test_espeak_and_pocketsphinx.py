"""espeak-ng fallback voice and the pocketsphinx forced aligner, on real audio."""

from __future__ import annotations

from pathlib import Path

import pytest
from voice_check import DISPLAY, TEXT, assert_valid_words, silences

from faceless.domain.errors import InputError, MediaRejected
from faceless.providers.base import Aligner, TTSProvider
from faceless.providers.espeak import EspeakTTS
from faceless.providers.piper import PiperTTS
from faceless.providers.pocketsphinx import PocketsphinxAligner, Segment
from faceless.render.probe import probe
from faceless.testing.media import make_image

needs_espeak = pytest.mark.skipif(not EspeakTTS.available(), reason="libespeak-ng not installed")


@needs_espeak
def test_espeak_speaks_with_word_times(tmp_path: Path) -> None:
    tts = EspeakTTS()
    assert isinstance(tts, TTSProvider) and tts.info.id == "espeak" and tts.info.offline
    sp = tts.synthesize(TEXT, tmp_path / "e.wav")
    info = probe(sp.path)
    assert info.audio is not None and info.audio.sample_rate == sp.sample_rate == 22050
    assert info.duration == pytest.approx(sp.duration, abs=0.001)
    assert [w.text for w in sp.words] == DISPLAY
    assert_valid_words(sp.words, sp.duration)
    # Word ends stop at the sound: the sentence pause after "there." is outside both words.
    there, in_ = sp.words[1], sp.words[2]
    assert any(s <= there.end + 0.05 and e >= in_.start - 0.05 for s, e in silences(sp.path))


@needs_espeak
def test_espeak_speed_voices_and_errors(tmp_path: Path) -> None:
    tts = EspeakTTS()
    slow = tts.synthesize("Counting one two three four five.", tmp_path / "a.wav")
    fast = tts.synthesize("Counting one two three four five.", tmp_path / "b.wav", speed=2.0)
    assert fast.duration < slow.duration * 0.7
    assert any(v.id == "en-us" for v in tts.voices())
    with pytest.raises(InputError, match="espeak-ng voice"):
        tts.synthesize("Hello.", tmp_path / "c.wav", voice="xx-nonexistent")
    assert not (tmp_path / "c.wav").exists()


@pytest.mark.slow
def test_pocketsphinx_agrees_with_piper_alignment(piper_speech) -> None:
    aligner = PocketsphinxAligner()
    assert isinstance(aligner, Aligner)
    words = aligner.align(piper_speech.path, TEXT)
    assert [w.text for w in words] == DISPLAY
    assert_valid_words(words, piper_speech.duration + 0.01)
    diffs = [abs(a.start - b.start) for a, b in zip(words, piper_speech.words, strict=True)]
    assert sum(diffs) / len(diffs) < 0.25, diffs
    assert max(diffs) < 0.6, diffs


@pytest.mark.slow
def test_pocketsphinx_handles_unknown_words_and_segments(tmp_path: Path) -> None:
    text = "Zorblax visited Quenthorpe yesterday. Everyone cheered."
    sp = PiperTTS().synthesize(text, tmp_path / "oov.wav")
    mid = (sp.words[3].end + sp.words[4].start) / 2
    words = PocketsphinxAligner().align_segments(
        sp.path,
        [Segment(0.0, mid, "Zorblax visited Quenthorpe yesterday."), Segment(mid, None, "Everyone cheered.")],
    )
    assert [w.text for w in words] == text.split()
    diffs = [abs(a.start - b.start) for a, b in zip(words, sp.words, strict=True)]
    assert sum(diffs) / len(diffs) < 0.25, diffs
    assert words[4].start >= mid


def test_pocketsphinx_rejects_a_file_without_audio(tmp_path: Path) -> None:
    img = make_image(tmp_path / "still.png", size="32x32")
    with pytest.raises(MediaRejected, match="no audio"):
        PocketsphinxAligner().align(img, "hello")


@pytest.mark.slow
def test_long_audio_is_cut_at_pauses_before_aligning(piper_speech, monkeypatch) -> None:
    from faceless.providers.pocketsphinx import aligner as mod

    # Pretend the 7 s sample is long, so it is split into ~2 s pieces at sentence pauses.
    monkeypatch.setattr(mod, "MAX_SEGMENT_SECONDS", 3.0)
    monkeypatch.setattr(mod, "TARGET_SEGMENT_SECONDS", 2.0)
    cuts: list[list[tuple[float, float]]] = []
    real = mod._auto_segments
    monkeypatch.setattr(
        mod, "_auto_segments", lambda *a: cuts.append([(s, e) for s, e, _ in real(*a)]) or real(*a)
    )
    words = PocketsphinxAligner().align(piper_speech.path, TEXT)
    assert len(cuts[0]) >= 2
    assert [w.text for w in words] == DISPLAY
    diffs = [abs(a.start - b.start) for a, b in zip(words, piper_speech.words, strict=True)]
    assert sum(diffs) / len(diffs) < 0.25, (diffs, cuts)


@pytest.mark.slow
def test_wrong_text_is_a_provider_error_not_garbage(piper_speech) -> None:
    from faceless.domain.errors import ProviderError

    try:
        words = PocketsphinxAligner().align(piper_speech.path, "Bananas")
    except ProviderError as exc:
        assert "could not align" in str(exc)
    else:  # one word can always be stretched over the audio; it must still be well-formed
        assert [w.text for w in words] == ["Bananas"]
