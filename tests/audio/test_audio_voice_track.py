"""fit_voice / concat_voice: sample-exact lengths read back from the WAV headers, content preserved."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from faceless.audio.voice_track import concat_voice, fit_voice, samples_for, wav_params
from faceless.domain.errors import InputError, MediaRejected
from faceless.testing.media import make_tone


def _pcm(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768


@pytest.fixture(scope="module")
def piper_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Piper writes 22.05 kHz mono; 1.2345 s is deliberately not a whole number of frames.
    return make_tone(tmp_path_factory.mktemp("voice") / "voice.wav", seconds=1.2345, rate=22050)


@pytest.mark.parametrize("frames", [1, 7, 29, 30, 37, 90])
def test_fit_voice_is_sample_exact(piper_like: Path, tmp_path: Path, frames: int) -> None:
    out = fit_voice(piper_like, frames, tmp_path / "fit.wav")
    with wave.open(str(out), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 48000)
        assert w.getnframes() == frames * 1600 == samples_for(frames)


def test_fit_voice_pads_with_silence_and_keeps_speech(piper_like: Path, tmp_path: Path) -> None:
    x = _pcm(fit_voice(piper_like, 60, tmp_path / "fit.wav"))  # 2 s from 1.2345 s of tone
    speech, pad = x[: int(1.2 * 48000)], x[int(1.24 * 48000) :]
    assert np.sqrt((speech**2).mean()) > 0.05  # the tone is all there ...
    assert np.abs(pad).max() == 0.0  # ... followed by digital silence


def test_fit_voice_cuts_long_speech_at_the_exact_sample(piper_like: Path, tmp_path: Path) -> None:
    x = _pcm(fit_voice(piper_like, 15, tmp_path / "fit.wav"))  # 0.5 s of a 1.2345 s tone
    assert len(x) == 24000
    assert np.sqrt((x[-4800:] ** 2).mean()) > 0.05  # still tone right up to the cut


def test_fit_voice_other_fps(piper_like: Path, tmp_path: Path) -> None:
    assert wav_params(fit_voice(piper_like, 25, tmp_path / "f.wav", fps=25))[3] == 48000


def test_fit_voice_rejects_bad_input(piper_like: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        fit_voice(piper_like, 0, tmp_path / "f.wav")
    junk = tmp_path / "junk.wav"
    junk.write_text("not audio")
    with pytest.raises(MediaRejected):
        fit_voice(junk, 30, tmp_path / "f.wav")
    assert not (tmp_path / "f.wav").exists()


def test_concat_voice_is_sample_exact_and_ordered(piper_like: Path, tmp_path: Path) -> None:
    frames = [7, 45, 1, 30]
    parts = [fit_voice(piper_like, f, tmp_path / f"s{i}.wav") for i, f in enumerate(frames)]
    silent = tmp_path / "silence.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(b"\0\0" * 4800)
    out = concat_voice([*parts, silent, parts[0]], tmp_path / "all.wav")
    ch, width, rate, n = wav_params(out)
    assert (ch, width, rate) == (1, 2, 48000)
    assert n == sum(f * 1600 for f in frames) + 4800 + 7 * 1600
    x = _pcm(out)
    start = sum(f * 1600 for f in frames)
    assert np.abs(x[start : start + 4800]).max() == 0.0  # the silent part sits exactly where it belongs
    assert np.array_equal(x[start + 4800 :], _pcm(parts[0]))


def test_concat_voice_rejects_mismatched_formats(piper_like: Path, tmp_path: Path) -> None:
    fitted = fit_voice(piper_like, 30, tmp_path / "a.wav")
    other = make_tone(tmp_path / "b.wav", seconds=0.5, rate=44100)
    with pytest.raises(MediaRejected):
        concat_voice([fitted, other], tmp_path / "all.wav")
    with pytest.raises(InputError):
        concat_voice([], tmp_path / "all.wav")
    assert not (tmp_path / "all.wav").exists()
