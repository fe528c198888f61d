"""Make small real media files with ffmpeg (no downloads), and assert on rendered files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from faceless.render.command import FFmpegCommand, Input
from faceless.render.probe import MediaInfo, probe
from faceless.render.run import ffmpeg_bin, run_capture, run_ffmpeg


def make_video(
    path: Path,
    *,
    seconds: float = 2.0,
    size: str = "640x360",
    fps: int = 25,
    source: str = "testsrc2",
    audio: bool = False,
) -> Path:
    """An H.264 MP4 from a lavfi test pattern (optionally with a sine audio track)."""
    inputs = [Input(f"{source}=s={size}:r={fps}:d={seconds}", lavfi=True)]
    opts = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        inputs.append(Input(f"sine=f=440:d={seconds}", lavfi=True))
        opts += ["-c:a", "aac", "-shortest"]
    return run_ffmpeg(FFmpegCommand(inputs=inputs, output=str(path), output_options=opts))


def make_image(path: Path, *, size: str = "800x600", source: str = "testsrc2") -> Path:
    """A still image (format from the extension: .png, .jpg, .webp)."""
    return run_ffmpeg(
        FFmpegCommand(
            inputs=[Input(f"{source}=s={size}:d=1", lavfi=True)],
            output=str(path),
            output_options=["-frames:v", "1", "-update", "1"],
        )
    )


def make_tone(path: Path, *, seconds: float = 2.0, freq: int = 440, rate: int = 48000) -> Path:
    """A sine tone WAV/MP3/M4A (format from the extension)."""
    return run_ffmpeg(
        FFmpegCommand(inputs=[Input(f"sine=f={freq}:d={seconds}:r={rate}", lavfi=True)], output=str(path))
    )


def loudness(path: Path) -> dict[str, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) measured with ffmpeg's ebur128."""
    res = run_capture(
        [
            ffmpeg_bin(),
            "-hide_banner",
            "-nostdin",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-filter_complex",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        timeout=300,
    )
    text = res.stderr
    summary = text[text.rfind("Summary:") :]
    i = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    tp = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not i:
        raise AssertionError(f"no loudness summary for {path}")
    return {"integrated": float(i.group(1)), "true_peak": float(tp.group(1)) if tp else float("nan")}


def assert_media(
    path: Path,
    *,
    width: int | None = None,
    height: int | None = None,
    fps: float | None = None,
    duration: float | None = None,
    tolerance: float = 1 / 30,
    vcodec: str | None = "h264",
    acodec: str | None = "aac",
) -> MediaInfo:
    """Probe `path` and assert its basic properties; returns the probe for further checks."""
    info = probe(path)
    v = info.video
    assert v is not None, f"{path} has no video stream"
    if vcodec:
        assert v.codec_name == vcodec, v.codec_name
    if width:
        assert v.width == width, (v.width, width)
    if height:
        assert v.height == height, (v.height, height)
    if fps:
        assert abs(v.fps - fps) < 0.01, v.fps
    if acodec:
        assert info.audio is not None and info.audio.codec_name == acodec, info.audio
    if duration is not None:
        assert abs(info.duration - duration) <= tolerance + 0.05, (info.duration, duration)
    return info


def dump(obj: object) -> str:
    return json.dumps(obj, indent=2, default=str)
