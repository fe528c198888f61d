"""Generated music beds: deterministic, well-formed, musical by measurement, seamless, mood-distinct."""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import numpy as np
import pytest

from faceless.audio.music import MOODS, generate_music, render_loop
from faceless.domain.errors import InputError
from faceless.render.probe import probe

RATE = 48000
BANDS = [(40, 150), (150, 400), (400, 1000), (1000, 2500), (2500, 6000)]


@pytest.fixture(scope="module")
def loops() -> dict[str, np.ndarray]:
    return {mood: render_loop(mood, 600.0) for mood in MOODS}


def _band_db(x: np.ndarray) -> np.ndarray:
    """Energy per band (dB, relative to the total) of the mono sum."""
    spec = np.abs(np.fft.rfft(x.mean(axis=0))) ** 2
    f = np.fft.rfftfreq(x.shape[1], 1 / RATE)
    e = np.array([spec[(f >= lo) & (f < hi)].sum() for lo, hi in BANDS])
    return 10 * np.log10(e / spec.sum())


def _chroma(x: np.ndarray) -> np.ndarray:
    """Share of 80-2000 Hz energy per pitch class."""
    spec = np.abs(np.fft.rfft(x.mean(axis=0))) ** 2
    f = np.fft.rfftfreq(x.shape[1], 1 / RATE)
    sel = (f >= 80) & (f < 2000)
    pcs = np.round(12 * np.log2(f[sel] / 440.0)).astype(int) % 12
    chroma = np.bincount(pcs, weights=spec[sel], minlength=12)
    return chroma / chroma.sum()


def test_generate_is_deterministic_stereo_48k(tmp_path: Path) -> None:
    a = generate_music("calm", 20.0, tmp_path / "a.wav", seed=3)
    b = generate_music("calm", 20.0, tmp_path / "b.wav", seed=3)
    c = generate_music("calm", 20.0, tmp_path / "c.wav", seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    with wave.open(str(a), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, RATE)
        assert 8.0 <= w.getnframes() / RATE <= 31.0
    info = probe(a)  # ffmpeg reads it as a normal stereo 48 kHz WAV
    assert info.audio is not None and (info.audio.sample_rate, info.audio.channels) == (RATE, 2)


@pytest.mark.parametrize("mood", MOODS)
def test_loop_is_musical_and_clean(loops: dict[str, np.ndarray], mood: str) -> None:
    x = loops[mood]
    assert x.shape[0] == 2 and 8 * RATE <= x.shape[1] <= 31 * RATE
    peak = np.abs(x).max()
    assert 0.5 < peak < 0.75  # normalised to -3 dBFS: loud enough, never clipped
    rms_db = 20 * np.log10(np.sqrt((x**2).mean()))
    assert -24 < rms_db < -10  # a full bed, not a faint tone
    # Spectrum spread: real energy from bass to upper mids, unlike a test tone.
    bands = _band_db(x)
    assert (bands[:4] > -25).all(), bands
    # Harmony: several pitch classes carry energy (chords), the strongest below half of it all.
    chroma = _chroma(x)
    assert (chroma > 0.04).sum() >= 5 and chroma.max() < 0.5, np.round(chroma, 3)
    # Stereo: the sides differ (panning, reverb) but are correlated (one piece of music).
    corr = np.corrcoef(x[0], x[1])[0, 1]
    assert 0.3 < corr < 0.995
    # It moves: loudness over 250 ms windows varies (notes, rhythm) without dropouts.
    win = x.mean(axis=0)[: x.shape[1] // 12000 * 12000].reshape(-1, 12000)
    level = 20 * np.log10(np.sqrt((win**2).mean(axis=1)) + 1e-9)
    assert level.std() > 0.3 and level.min() > rms_db - 20


@pytest.mark.parametrize("mood", MOODS)
def test_loop_point_has_no_click(loops: dict[str, np.ndarray], mood: str) -> None:
    x = loops[mood]
    steps = np.abs(np.diff(x, axis=1))
    seam = np.abs(x[:, 0] - x[:, -1])  # the step the player takes when the loop restarts
    assert (seam <= np.percentile(steps, 99.9, axis=1)).all(), (seam, np.percentile(steps, 99.9, axis=1))


def test_moods_sound_different(loops: dict[str, np.ndarray]) -> None:
    for a, b in itertools.combinations(MOODS, 2):
        spectral = np.abs(_band_db(loops[a]) - _band_db(loops[b])).max()
        harmonic = np.abs(_chroma(loops[a]) - _chroma(loops[b])).sum()
        assert spectral > 2.0 or harmonic > 0.3, (a, b, spectral, harmonic)
    centroid = {m: (np.arange(len(BANDS)) * 10 ** (_band_db(x) / 10)).sum() for m, x in loops.items()}
    assert centroid["dark"] < centroid["calm"] and centroid["dark"] < centroid["inspiring"]


def test_rhythmic_moods_have_a_beat(loops: dict[str, np.ndarray]) -> None:
    def pulse(x: np.ndarray) -> float:
        # Low-band envelope in 10 ms steps; its fluctuation is large when a kick drives it.
        low = np.fft.irfft(
            np.fft.rfft(x.mean(axis=0)) * (np.fft.rfftfreq(x.shape[1], 1 / RATE) < 150), x.shape[1]
        )
        env = np.sqrt((low[: len(low) // 480 * 480].reshape(-1, 480) ** 2).mean(axis=1))
        return float(env.std() / env.mean())

    calm = pulse(loops["calm"])
    assert pulse(loops["upbeat"]) > 2.5 * calm
    assert pulse(loops["dramatic"]) > 1.8 * calm
    assert pulse(loops["inspiring"]) > 1.5 * calm


def test_short_video_gets_a_shorter_loop() -> None:
    # One pass of the progression covers a 5 s video; a long one gets two (arpeggio on the second).
    assert 2 * render_loop("dramatic", 5.0).shape[1] == render_loop("dramatic", 60.0).shape[1]


def test_unknown_mood_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="calm"):
        generate_music("happy", 10.0, tmp_path / "m.wav")
