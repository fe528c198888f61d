"""Scene segments: the command as data (snapshot) and real renders probed with ffprobe."""

from __future__ import annotations

from pathlib import Path

import pysubs2
import pytest

from faceless.domain import InputError, RenderFormat, SafeZone, SceneClip, VisualChoice
from faceless.render.command import FFmpegCommand, Input
from faceless.render.designed import render_keyword_card
from faceless.render.encoding import EncoderSettings
from faceless.render.probe import MediaInfo, probe
from faceless.render.run import ffmpeg_bin, ffprobe_bin, run_capture, run_ffmpeg
from faceless.render.segments import build_segment_command, escape_filter_value
from faceless.testing.media import make_image, make_video

SMALL = RenderFormat("test", 270, 480, SafeZone(16, 68, 232, 312))
LANDSCAPE = RenderFormat("test-wide", 320, 180, SafeZone(20, 10, 300, 160))
ENC = EncoderSettings()


def _clip(
    kind: str, path: Path | str | None, frames: int, *, index: int = 0, start: float = 0.0
) -> SceneClip:
    return SceneClip(
        scene_id=f"s{index:02d}",
        index=index,
        start_frame=0,
        frames=frames,
        voice_path="/unused.wav",
        words=[],
        keywords=["octopus", "brains"],
        visual=VisualChoice(kind=kind, path=str(path) if path else None, start=start),  # type: ignore[arg-type]
    )


def _ass(path: Path, fmt: RenderFormat, seconds: float = 3.0) -> Path:
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"], subs.info["PlayResY"] = str(fmt.width), str(fmt.height)
    style = subs.styles["Default"]
    style.fontname, style.bold, style.fontsize = "Noto Sans", True, fmt.height * 0.05
    style.primarycolor = pysubs2.Color(255, 255, 255)
    subs.append(pysubs2.SSAEvent(start=0, end=int(seconds * 1000), text="CAPTION TEXT"))
    subs.save(str(path))
    return path


def _render(clip: SceneClip, fmt: RenderFormat, out: Path, **kw: Path) -> MediaInfo:
    run_ffmpeg(build_segment_command(clip, fmt, out=out, enc=ENC, **kw))
    return probe(out, count_frames=True)


def _assert_segment(info: MediaInfo, fmt: RenderFormat, frames: int) -> None:
    v = info.video
    assert v is not None and info.audio is None
    assert (v.codec_name, v.profile, v.pix_fmt) == ("h264", "High", "yuv420p")
    assert (v.width, v.height) == (fmt.width, fmt.height)
    assert abs(v.fps - 30) < 1e-6
    assert v.nb_frames == frames
    assert abs(info.duration - frames / 30) < 1 / 30 + 1e-6


def _sar(path: Path) -> str:
    res = run_capture(
        [
            ffprobe_bin(),
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=sample_aspect_ratio",
            "-of",
            "csv=p=0",
            str(path),
        ]
    )
    return res.stdout.strip()


def _frozen_seconds(path: Path) -> float:
    """Seconds of frozen picture found by ffmpeg's freezedetect (0 when the picture keeps moving)."""
    res = run_capture(
        [
            ffmpeg_bin(),
            "-hide_banner",
            "-nostdin",
            "-i",
            str(path),
            "-vf",
            "freezedetect=n=0.0001:d=0.2,metadata=mode=print",
            "-an",
            "-f",
            "null",
            "-",
        ]
    )
    total = 0.0
    for line in res.stderr.splitlines():
        if "freeze_duration" in line:
            total += float(line.rsplit("=", 1)[1])
    if "freeze_start" in res.stderr and total == 0.0:
        total = float("inf")  # a freeze that lasts to the end has no duration line
    return total


# --- the command as data -------------------------------------------------------------------------

EXPECTED_IMAGE_ARGV = [
    "ffmpeg",
    "-hide_banner",
    "-nostdin",
    "-y",
    "-loglevel",
    "error",
    "-protocol_whitelist",
    "file,pipe",
    "-i",
    "file:/media/photo.jpg",
    "-filter_complex",
    "[0:v]scale=w=292:h=520:force_original_aspect_ratio=increase:force_divisible_by=2,format=yuv420p,"
    "loop=loop=-1:size=1:start=0,setpts=N/30/TB,"
    "crop=w=270:h=480:"
    "x='if(gte(iw-ow,ih-oh),floor(((iw-ow)-min((iw-ow),59))/2+min((iw-ow),59)*n/59),floor((iw-ow)/2))':"
    "y='if(gte(iw-ow,ih-oh),floor((ih-oh)/2),floor(((ih-oh)-min((ih-oh),59))/2+min((ih-oh),59)*n/59))':"
    "exact=1,ass=filename=/cache/captions/s01.ass,format=yuv420p,setsar=1[v]",
    "-map",
    "[v]",
    "-an",
    "-sn",
    "-dn",
    "-frames:v",
    "60",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "23",
    "-profile:v",
    "high",
    "-pix_fmt",
    "yuv420p",
    "-g",
    "15",
    "-keyint_min",
    "15",
    "-bf",
    "2",
    "-flags",
    "+cgop",
    "-x264-params",
    "keyint=15:min-keyint=15:scenecut=0:open-gop=0:bframes=2",
    "-r",
    "30",
    "-fps_mode",
    "cfr",
    "-map_metadata",
    "-1",
    "/cache/seg/s01.mp4",
]


def test_image_segment_command_snapshot() -> None:
    clip = SceneClip(
        scene_id="s01",
        index=2,
        start_frame=0,
        frames=60,
        voice_path="/v.wav",
        words=[],
        visual=VisualChoice(kind="image", path="/media/photo.jpg", source="library"),
    )
    cmd = build_segment_command(
        clip, SMALL, out=Path("/cache/seg/s01.mp4"), enc=ENC, ass_path=Path("/cache/captions/s01.ass")
    )
    assert cmd.argv() == EXPECTED_IMAGE_ARGV


def test_video_command_loops_seeks_and_drops_audio() -> None:
    cmd = build_segment_command(
        _clip("video", "/media/clip.mp4", 45, start=1.5), SMALL, out=Path("/cache/s.mp4"), enc=ENC
    )
    argv = cmd.argv()
    assert argv[argv.index("-stream_loop") + 1] == "-1"
    assert argv[argv.index("-ss") + 1] == "1.500"
    assert argv.index("-ss") < argv.index("-i")  # input seek
    assert "-an" in argv and argv[argv.index("-frames:v") + 1] == "45"
    assert cmd.filter_complex == (
        "[0:v]fps=30,setpts=N/30/TB,crop=w='trunc(min(iw,ih*270/480)/2)*2':h='trunc(min(ih,iw*480/270)/2)*2',"
        "scale=w=270:h=480,format=yuv420p,setsar=1[v]"
    )


def test_designed_command_is_lavfi_only_plus_overlay() -> None:
    cmd = build_segment_command(
        _clip("designed", None, 30), SMALL, out=Path("/c/s.mp4"), enc=ENC, overlay_png=Path("/c/card.png")
    )
    assert cmd.inputs[0].lavfi and cmd.inputs[0].source.startswith("gradients=")
    assert "geq" not in (cmd.filter_complex or "") and "zoompan" not in (cmd.filter_complex or "")
    assert cmd.inputs[1].argv()[-1] == "file:/c/card.png"
    assert "[bg][1:v]overlay=" in (cmd.filter_complex or "")
    # Same scene, same command: the palette and gradient come from the scene id and keywords.
    again = build_segment_command(
        _clip("designed", None, 30), SMALL, out=Path("/c/s.mp4"), enc=ENC, overlay_png=Path("/c/card.png")
    )
    assert again.argv() == cmd.argv()


def test_pan_direction_alternates_with_index() -> None:
    a = build_segment_command(_clip("image", "/m/a.png", 30, index=0), SMALL, out=Path("/o.mp4"), enc=ENC)
    b = build_segment_command(_clip("image", "/m/a.png", 30, index=1), SMALL, out=Path("/o.mp4"), enc=ENC)
    assert a.filter_complex != b.filter_complex


def test_media_visual_without_path_is_input_error() -> None:
    with pytest.raises(InputError):
        build_segment_command(_clip("image", None, 30), SMALL, out=Path("/o.mp4"), enc=ENC)


def test_escape_filter_value() -> None:
    assert escape_filter_value("/plain/path.ass") == "/plain/path.ass"
    assert escape_filter_value("/a:b/c.ass") == "/a\\\\:b/c.ass"  # \: for options, then \\ for the graph
    assert escape_filter_value("/a,b[c];d/e.ass") == "/a\\,b\\[c\\]\\;d/e.ass"
    assert escape_filter_value("/it's.ass") == "/it\\\\\\'s.ass"
    with pytest.raises(InputError):
        escape_filter_value("/a\nb.ass")


# --- real renders ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("size", ["800x600", "300x700", "270x480"])
def test_image_segment_exact(tmp_path: Path, size: str) -> None:
    img = make_image(tmp_path / "photo.jpg", size=size)
    info = _render(_clip("image", img, 50, index=1), SMALL, tmp_path / "seg.mp4")
    _assert_segment(info, SMALL, 50)
    assert _sar(tmp_path / "seg.mp4") in ("1:1", "N/A")
    assert _frozen_seconds(tmp_path / "seg.mp4") == 0.0  # the pan keeps the picture moving


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source_size", "fmt"),
    [("320x180", SMALL), ("180x320", SMALL), ("200x200", LANDSCAPE), ("180x320", LANDSCAPE)],
)
def test_video_segment_shorter_source_loops(tmp_path: Path, source_size: str, fmt: RenderFormat) -> None:
    src = make_video(tmp_path / "src.mp4", seconds=1.0, size=source_size, fps=24, audio=True)
    info = _render(_clip("video", src, 75, start=0.2), fmt, tmp_path / "seg.mp4")
    _assert_segment(info, fmt, 75)
    assert _frozen_seconds(tmp_path / "seg.mp4") == 0.0  # looped, not a frozen last frame


@pytest.mark.slow
def test_video_segment_longer_source_trimmed(tmp_path: Path) -> None:
    src = make_video(tmp_path / "src.mp4", seconds=4.0, size="320x180", fps=60)
    info = _render(_clip("video", src, 40, start=1.0), SMALL, tmp_path / "seg.mp4")
    _assert_segment(info, SMALL, 40)


@pytest.mark.slow
def test_designed_segment_with_card_and_captions(tmp_path: Path) -> None:
    # A directory name full of filter-graph metacharacters proves the ass path is escaped.
    odd = tmp_path / "we'ird, [dir]; a:b=c"
    odd.mkdir()
    card = render_keyword_card(["octopus", "brains"], SMALL, odd / "card.png", seed="s00")
    ass = _ass(odd / "captions.ass", SMALL)
    out = odd / "seg.mp4"
    info = _render(_clip("designed", None, 45), SMALL, out, ass_path=ass, overlay_png=card)
    _assert_segment(info, SMALL, 45)
    # The captions and card really are burned in: compare with the same scene without them.
    bare = _render(_clip("designed", None, 45), SMALL, tmp_path / "bare.mp4")
    _assert_segment(bare, SMALL, 45)
    assert _frame_difference(out, tmp_path / "bare.mp4") > 1.0


def _frame_difference(a: Path, b: Path) -> float:
    """Mean absolute luma difference (0-255) of frame 10 of two videos."""
    pngs = []
    for i, src in enumerate((a, b)):
        png = src.parent / f"frame{i}.png"
        run_ffmpeg(
            FFmpegCommand(
                [Input(str(src))],
                str(png),
                output_options=["-vf", "select=eq(n\\,10)", "-frames:v", "1", "-update", "1"],
            )
        )
        pngs.append(png)
    import numpy as np
    from PIL import Image

    x, y = (np.asarray(Image.open(p).convert("L"), dtype=float) for p in pngs)
    return float(np.abs(x - y).mean())
