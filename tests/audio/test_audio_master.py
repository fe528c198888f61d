"""master(): exact length, AAC 48 kHz stereo, loudness on target, real ducking, looping, edge cases.

Loudness is re-measured independently with faceless.testing.media.loudness (ebur128 on the file);
ducking is measured in numpy on the decoded output, in a band the "voice" tone never touches.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from faceless.audio.mix import LoudnessReport, master
from faceless.audio.music import generate_music
from faceless.domain.errors import InputError, MediaRejected
from faceless.render.command import FFmpegCommand, Input
from faceless.render.probe import probe
from faceless.render.run import run_ffmpeg
from faceless.testing.media import loudness, make_image, make_tone

pytestmark = pytest.mark.slow

RATE = 48000
D = 10.0  # seconds; the voice is a 1 kHz tone on for 1 s, off for 1 s


def _lavfi_wav(path: Path, expr: str, seconds: float) -> Path:
    src = f"aevalsrc={expr}:s=22050:d={seconds}"  # test-owned constant expression, not user text
    return run_ffmpeg(FFmpegCommand(inputs=[Input(src, lavfi=True)], output=str(path)))


def _decode(path: Path, tmp: Path) -> np.ndarray:
    wav = run_ffmpeg(
        FFmpegCommand(
            inputs=[Input(str(path))],
            output=str(tmp / f"{path.stem}.dec.wav"),
            output_options=["-ac", "1", "-c:a", "pcm_s16le"],
        )
    )
    with wave.open(str(wav), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768


def _band_db(x: np.ndarray, start: float, end: float, lo: float = 100, hi: float = 600) -> float:
    seg = x[int(start * RATE) : int(end * RATE)]
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
    f = np.fft.rfftfreq(len(seg), 1 / RATE)
    return float(10 * np.log10(spec[(f >= lo) & (f < hi)].sum() / len(seg) + 1e-20))


def _check_output(out: Path, report: LoudnessReport, duration: float, target: float = -14.0) -> None:
    info = probe(out)
    a = info.audio
    assert a is not None and info.video is None
    assert (a.codec_name, a.profile, a.sample_rate, a.channels) == ("aac", "LC", RATE, 2)
    assert info.format_name.startswith("mov,mp4,m4a")
    assert abs(info.duration - duration) <= 1 / 30, info.duration
    measured = loudness(out)
    assert abs(measured["integrated"] - target) <= 0.5, measured
    assert measured["true_peak"] <= -1.0, measured
    assert abs(report.integrated - measured["integrated"]) <= 0.2 and report.true_peak <= -1.0


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("mix")
    return {
        "bursts": _lavfi_wav(d / "bursts.wav", "0.3*sin(2*PI*1000*t)*lt(mod(t\\,2)\\,1)", D),
        "silence": _lavfi_wav(d / "silence.wav", "0", D),
        # Speech-like crest factor: a quiet tone with sharp near-full-scale clicks (forces limiting).
        "peaky": _lavfi_wav(d / "peaky.wav", "0.05*sin(2*PI*300*t)+0.95*lt(mod(t\\,0.25)\\,0.0005)", 4.0),
        "music": generate_music("calm", D, d / "calm.wav", seed=1),
        "short_music": make_tone(d / "short.wav", seconds=1.5, freq=330),
    }


def test_master_ducks_music_under_the_voice(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "mix.m4a"
    report = master(media["bursts"], media["music"], out, duration=D)
    _check_output(out, report, D)
    # Reference: the same bed with a silent voice (nothing to duck). Differences of differences cancel
    # the music's own changes and the global gain of the two masters.
    ref_out = tmp_path / "ref.m4a"
    master(media["silence"], media["music"], ref_out, duration=D)
    x, ref = _decode(out, tmp_path), _decode(ref_out, tmp_path)
    on = [(k + 0.3, k + 0.95) for k in (2, 4, 6)]  # mid-burst, away from the fades
    off = [(k + 1.5, k + 1.98) for k in (2, 4, 6)]  # late in each gap: released
    duck = (np.mean([_band_db(x, *w) for w in off]) - np.mean([_band_db(x, *w) for w in on])) - (
        np.mean([_band_db(ref, *w) for w in off]) - np.mean([_band_db(ref, *w) for w in on])
    )
    assert duck >= 6.0, duck
    # And the music really is in the mix during the gaps (not ducked to nothing, not muted).
    assert np.mean([_band_db(x, *w) for w in off]) > _band_db(x, 0.0, 0.02) + 20


def test_master_loops_music_shorter_than_the_video(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "loop.m4a"
    master(media["silence"], media["short_music"], out, duration=6.0, fade=0.2)
    x = _decode(out, tmp_path)
    levels = [_band_db(x, a, a + 0.5, 300, 360) for a in (0.5, 2.0, 3.5, 4.8)]  # 1st, 2nd, 3rd, 4th pass
    assert max(levels) - min(levels) < 3.0, levels
    assert abs(probe(out).duration - 6.0) <= 1 / 30


def test_master_voice_only_hits_the_target(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "voice.m4a"
    report = master(media["bursts"], None, out, duration=7.5)
    _check_output(out, report, 7.5)


def test_master_limits_a_peaky_voice(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "peaky.m4a"
    report = master(media["peaky"], None, out, duration=4.0, target_lufs=-16.0)
    _check_output(out, report, 4.0, target=-16.0)


def test_master_pads_short_voice_and_survives_silence(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "silent.m4a"
    report = master(media["silence"], None, out, duration=3.2)
    assert report.integrated <= -69.0  # nothing to normalise; no gain blown up on silence
    info = probe(out)
    assert info.audio is not None and abs(info.duration - 3.2) <= 1 / 30
    longer = tmp_path / "longer.m4a"
    master(media["peaky"], None, longer, duration=6.0)  # 4 s voice, 6 s video: padded, not looped
    assert abs(probe(longer).duration - 6.0) <= 1 / 30
    x = _decode(longer, tmp_path)
    assert np.abs(x[int(4.2 * RATE) :]).max() < 1e-3


def test_master_rejects_bad_arguments(media: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(InputError):
        master(media["bursts"], None, tmp_path / "x.m4a", duration=0)
    with pytest.raises(InputError):
        master(media["bursts"], None, tmp_path / "x.m4a", duration=2, true_peak=1.0)
    with pytest.raises(MediaRejected):
        master(media["bursts"], make_image(tmp_path / "i.png", size="16x16"), tmp_path / "x.m4a", duration=2)
    assert not (tmp_path / "x.m4a").exists()
