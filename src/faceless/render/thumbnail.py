"""A cover image for the video: a representative frame with the title set large."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PIL import Image

from faceless.domain.errors import InputError, MediaRejected
from faceless.domain.formats import RenderFormat
from faceless.render.command import FFmpegCommand, Input
from faceless.render.designed import draw_text_block, fit_text, save_atomic
from faceless.render.probe import probe
from faceless.render.run import run_ffmpeg

SAMPLE_SECONDS = 8.0  # look at the opening: that is what viewers see first
SAMPLES_PER_SECOND = 2


def grab_frame_command(video: Path, fmt: RenderFormat, out: Path, *, duration: float) -> FFmpegCommand:
    """ffmpeg command writing the most representative of a few sampled frames, cover-fit to `fmt`.

    The `thumbnail` filter picks the frame closest to the average colour histogram of the batch,
    which avoids fades, flashes and near-black frames.
    """
    span = max(min(duration, SAMPLE_SECONDS), 1 / 30)
    batch = max(1, min(int(span * SAMPLES_PER_SECOND), 16))
    graph = (
        f"[0:v]fps={SAMPLES_PER_SECOND},thumbnail=n={batch},"
        f"scale=w={fmt.width}:h={fmt.height}:force_original_aspect_ratio=increase,"
        f"crop=w={fmt.width}:h={fmt.height},setsar=1[v]"
    )
    return FFmpegCommand(
        inputs=[Input(str(video), options=["-t", f"{span:.3f}"])],
        output=str(out),
        filter_complex=graph,
        output_options=["-map", "[v]", "-frames:v", "1", "-update", "1"],
    )


def make_thumbnail(video: Path, title: str, fmt: RenderFormat, out: Path) -> Path:
    """Write a JPEG (quality 90) at the frame size of `fmt`: a good frame of `video` with `title` on it."""
    info = probe(video)
    if info.video is None:
        raise MediaRejected(str(video), "no video stream to take a thumbnail from")
    if "\n" in title.strip():
        raise InputError("the title has line breaks: give it on one line (it is wrapped to fit)")
    with tempfile.TemporaryDirectory(prefix="faceless-thumb-") as tmp:
        frame_path = run_ffmpeg(
            grab_frame_command(video, fmt, Path(tmp) / "frame.png", duration=info.duration)
        )
        with Image.open(frame_path) as im:
            frame = im.convert("RGB")
    if title.strip():
        box = fmt.safe
        block = fit_text(
            title.strip(),
            box.width,
            int(box.height * 0.6),
            max_size=int(fmt.width * 0.12),
            min_size=max(10, fmt.width // 40),
            max_lines=4,
        )
        # Top of the safe zone: burned captions, if any, sit lower in the frame.
        draw_text_block(frame, block, box, top=box.top + box.height // 20)
    return save_atomic(frame, out, "JPEG", quality=90, optimize=True)
