"""Piper: real synthesis with the bundled "joe" voice, word timings checked against the audio."""

from __future__ import annotations

import dataclasses
import logging
import wave
from pathlib import Path

import pytest
from voice_check import DISPLAY, assert_valid_words, silences

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.base import ProviderInfo, TTSProvider
from faceless.providers.piper import PiperTTS, available_voices, models
from faceless.render.probe import probe
from faceless.voice import default_display


@pytest.fixture
def speech(piper_speech):
    return piper_speech


def test_piper_is_an_offline_tts_provider() -> None:
    assert isinstance(PiperTTS(), TTSProvider)
    assert PiperTTS.info == ProviderInfo(
        id="piper",
        capability="tts",
        description=PiperTTS.info.description,
        modules=PiperTTS.info.modules,
        offline=True,
    )
    voices = available_voices()
    assert voices[0].id == "joe" and voices[0].language == "en-US"


@pytest.mark.slow
def test_words_are_the_display_tokens_timed_inside_the_audio(speech) -> None:
    info = probe(speech.path)
    assert info.audio is not None and info.audio.sample_rate == 22050 and info.audio.channels == 1
    assert info.duration == pytest.approx(speech.duration, abs=0.001)
    with wave.open(str(speech.path)) as w:
        assert (w.getsampwidth(), w.getnframes() / w.getframerate()) == (2, pytest.approx(speech.duration))
    assert [w.text for w in speech.words] == DISPLAY
    assert_valid_words(speech.words, speech.duration)
    assert all(w.end - w.start > 0.02 for w in speech.words)  # no word squeezed to nothing
    assert speech.words[-1].end > speech.duration - 0.6  # the last word is near the end, not squeezed


@pytest.mark.slow
def test_sentence_pause_after_there_is_a_real_silence(speech) -> None:
    there, in_ = speech.words[1], speech.words[2]
    gap = (there.end, in_.start)
    assert gap[1] - gap[0] > 0.08
    overlap = max((min(gap[1], e) - max(gap[0], s) for s, e in silences(speech.path)), default=0.0)
    assert overlap > 0.08, f"no detected silence in the gap {gap}: {silences(speech.path)}"


@pytest.mark.slow
def test_no_word_sits_inside_a_long_silence(speech) -> None:
    for s, e in silences(speech.path, noise_db=-45, min_seconds=0.25):
        for w in speech.words:
            mid = (w.start + w.end) / 2
            assert not (s + 0.05 < mid < e - 0.05), f"{w.text} at {mid:.2f} is inside silence {s:.2f}-{e:.2f}"


@pytest.mark.slow
def test_faster_speed_gives_shorter_audio(tmp_path: Path) -> None:
    tts = PiperTTS()
    text = "The quick brown fox jumps over the lazy dog, and then it runs far away."
    normal = tts.synthesize(text, tmp_path / "a.wav", speed=1.0)
    fast = tts.synthesize(text, tmp_path / "b.wav", speed=1.5)
    assert fast.duration < normal.duration * 0.85
    assert_valid_words(fast.words, fast.duration)
    assert len(fast.words) == len(text.split())


@pytest.mark.slow
def test_many_chunks_stream_into_one_wav(tmp_path: Path) -> None:
    tts = PiperTTS()
    tts.min_chunk_chars = 1  # one synthesis call per sentence
    text = "One small step. Two more steps! Is this three? Four, finally."
    sp = tts.synthesize(text, tmp_path / "c.wav")
    assert [w.text for w in sp.words] == text.split()
    assert_valid_words(sp.words, sp.duration)
    assert probe(sp.path).duration == pytest.approx(sp.duration, abs=0.001)
    # sentence boundaries fall between the chunks and still show as pauses
    assert sp.words[3].start - sp.words[2].end > 0.06


@pytest.mark.parametrize("bad", ["/nonexistent/voice.onnx", "no-such-voice"])
def test_bad_voice_gives_input_error(bad: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="voice"):
        PiperTTS(bad)
    with pytest.raises(InputError):
        PiperTTS().synthesize("Hello.", tmp_path / "x.wav", voice=bad)
    assert not (tmp_path / "x.wav").exists()


def test_model_without_config_or_with_garbage_gives_input_error(tmp_path: Path) -> None:
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"this is not an onnx model")
    with pytest.raises(InputError, match=r"broken\.onnx\.json"):
        PiperTTS(model)
    (tmp_path / "broken.onnx.json").write_text("{}")
    with pytest.raises(InputError, match=r"broken\.onnx: not a usable Piper voice"):
        PiperTTS(model).synthesize("Hello.", tmp_path / "x.wav")


def test_bad_speed_and_empty_text(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="speed"):
        PiperTTS().synthesize("Hello.", tmp_path / "x.wav", speed=0)
    with pytest.raises(InputError, match="nothing to speak"):
        PiperTTS().synthesize("🐙 🚀", tmp_path / "x.wav")


def _unaligned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the bundled voice behave like a model whose graph cannot report durations."""
    real = models.load(models.default_model())
    monkeypatch.setattr(models, "load", lambda m: dataclasses.replace(real, aligned=False))


class _BrokenAligner:
    info = ProviderInfo(id="broken", capability="aligner")

    def align(self, wav: Path, text: str):
        raise ProviderError("cannot align")


@pytest.mark.slow
def test_unaligned_model_falls_back_to_pocketsphinx(monkeypatch, tmp_path: Path, caplog) -> None:
    _unaligned(monkeypatch)
    with caplog.at_level(logging.WARNING):
        sp = PiperTTS().synthesize("Hello there. Octopuses have three hearts.", tmp_path / "p.wav")
    assert "pocketsphinx" in caplog.text
    assert [w.text for w in sp.words] == ["Hello", "there.", "Octopuses", "have", "three", "hearts."]
    assert_valid_words(sp.words, sp.duration)
    assert sp.words[2].start - sp.words[1].end > 0.06  # the aligner found the sentence pause


@pytest.mark.slow
def test_unaligned_model_without_aligner_uses_proportional_timing(
    monkeypatch, tmp_path: Path, caplog
) -> None:
    _unaligned(monkeypatch)
    with caplog.at_level(logging.WARNING):
        sp = PiperTTS(aligner=_BrokenAligner()).synthesize("Hello there, my friend.", tmp_path / "q.wav")
    assert "proportional" in caplog.text
    assert [w.text for w in sp.words] == ["Hello", "there,", "my", "friend."]
    assert sp.words[0].start == 0 and sp.words[-1].end == pytest.approx(sp.duration)


def test_display_fallback_matches_the_text_package() -> None:
    show = default_display()
    assert show("🐙") == "" and show("octopus!") == "octopus!"


def test_extra_voices_are_listed_and_resolved_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    joe = models.default_model()
    (tmp_path / "en_GB-test-low.onnx").symlink_to(joe.model)
    (tmp_path / "en_GB-test-low.onnx.json").write_text('{"language": {"code": "en_GB"}}')
    (tmp_path / "orphan.onnx").write_bytes(b"")  # no config beside it: not listed
    monkeypatch.setenv("FACELESS_PIPER_VOICES", str(tmp_path))
    voices = {v.id: v for v in PiperTTS().voices()}
    assert set(voices) == {"joe", "en_GB-test-low"}
    assert voices["en_GB-test-low"].language == "en-GB"
    assert models.resolve("en_GB-test-low").model == tmp_path / "en_GB-test-low.onnx"


@pytest.mark.slow
def test_phoneme_brackets_in_the_script_do_not_break_synthesis(tmp_path: Path) -> None:
    sp = PiperTTS().synthesize("Say [[hello]] now.", tmp_path / "b.wav")
    assert [w.text for w in sp.words] == ["Say", "[[hello]]", "now."]
    assert_valid_words(sp.words, sp.duration)
