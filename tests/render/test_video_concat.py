"""Joining segments with the concat demuxer (no re-encode) and muxing the audio."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from faceless.domain import InputError, RenderFormat, SafeZone, SceneClip, VisualChoice
from faceless.render.concat import ffconcat_list, join_segments
from faceless.render.encoding import EncoderSettings
from faceless.render.probe import probe
from faceless.render.run import ffprobe_bin, run_capture, run_ffmpeg
from faceless.render.segments import build_segment_command
from faceless.testing.media import make_image, make_tone, make_video

SMALL = RenderFormat("test", 270, 480, SafeZone(16, 68, 232, 312))


def top_level_atoms(path: Path) -> list[str]:
    """Names of the top-level MP4 boxes in file order, read from the bytes."""
    names = []
    with path.open("rb") as fh:
        while header := fh.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
                fh.seek(size - 16, 1)
            elif size == 0:
                names.append(kind.decode("latin-1"))
                break
            else:
                fh.seek(size - 8, 1)
            names.append(kind.decode("latin-1"))
    return names


def test_ffconcat_list_quotes_paths() -> None:
    text = ffconcat_list([Path("/a/plain.mp4"), Path("/b/it's here.mp4")])
    assert text == "ffconcat version 1.0\nfile '/a/plain.mp4'\nfile '/b/it'\\''s here.mp4'\n"
    with pytest.raises(InputError):
        ffconcat_list([Path("/a/line\nbreak.mp4")])


def test_missing_segment_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        join_segments([tmp_path / "nope.mp4"], None, tmp_path / "out.mp4", duration=1.0)


@pytest.fixture(scope="module")
def segments(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("segs") / "it's [odd]"  # quoting in the list file is exercised
    d.mkdir()
    enc = EncoderSettings()
    img = make_image(d / "p.png", size="400x300")
    vid = make_video(d / "v.mp4", seconds=1.0, size="320x180")
    kinds = [("image", img, 31), ("video", vid, 47), ("designed", None, 22)]
    out = []
    for i, (kind, path, frames) in enumerate(kinds):
        clip = SceneClip(
            scene_id=f"s{i}",
            index=i,
            start_frame=0,
            frames=frames,
            voice_path="/x.wav",
            words=[],
            visual=VisualChoice(kind=kind, path=str(path) if path else None),
        )
        out.append(run_ffmpeg(build_segment_command(clip, SMALL, out=d / f"seg{i}.mp4", enc=enc)))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("audio_name", ["tone.m4a", "tone.wav"])
def test_join_three_segments_with_audio(tmp_path: Path, segments: list[Path], audio_name: str) -> None:
    frames = 31 + 47 + 22
    duration = frames / 30
    audio = make_tone(tmp_path / audio_name, seconds=duration + 0.2)
    out = join_segments(segments, audio, tmp_path / "final.mp4", duration=duration)
    info = probe(out, count_frames=True)
    assert info.video is not None and info.audio is not None
    assert info.video.nb_frames == frames
    assert (info.video.width, info.video.height, info.video.profile) == (270, 480, "High")
    assert abs(info.video.duration - duration) <= 1 / 30
    assert abs(info.duration - duration) <= 1 / 30
    a = info.audio
    assert (a.codec_name, a.profile, a.sample_rate, a.channels) == (
        "aac",
        "LC",
        48000,
        2 if "wav" in audio_name else a.channels,
    )
    atoms = top_level_atoms(out)
    assert atoms.index("moov") < atoms.index("mdat"), atoms  # faststart
    # Frame timestamps are evenly spaced across the joins (no gap, no overlap).
    res = run_capture(
        [
            ffprobe_bin(),
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=pts_time",
            "-of",
            "csv=p=0",
            str(out),
        ]
    )
    pts = sorted(float(x) for x in res.stdout.split())
    steps = {round(b - a, 4) for a, b in zip(pts, pts[1:], strict=False)}
    assert steps == {round(1 / 30, 4)}
    assert not list(tmp_path.glob(".*")), "temporary list/part files left behind"


@pytest.mark.slow
def test_join_without_audio(tmp_path: Path, segments: list[Path]) -> None:
    out = join_segments(segments[:2], None, tmp_path / "v.mp4", duration=78 / 30)
    info = probe(out, count_frames=True)
    assert info.audio is None and info.video is not None and info.video.nb_frames == 78
