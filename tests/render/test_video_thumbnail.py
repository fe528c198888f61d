"""Thumbnails: a representative frame with the title, as a JPEG of the frame size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from faceless.domain import MediaRejected, RenderFormat, SafeZone
from faceless.render.thumbnail import make_thumbnail
from faceless.testing.media import make_tone, make_video

SMALL = RenderFormat("test", 270, 480, SafeZone(16, 68, 232, 312))


@pytest.mark.slow
def test_thumbnail_is_jpeg_of_frame_size_with_title(tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", seconds=2.0, size="270x480", fps=30)
    plain = make_thumbnail(video, "", SMALL, tmp_path / "plain.jpg")
    titled = make_thumbnail(video, "Why octopuses have nine brains", SMALL, tmp_path / "thumb.jpg")
    for p in (plain, titled):
        with Image.open(p) as im:
            assert im.format == "JPEG" and im.size == (270, 480) and im.mode == "RGB"
    a = np.asarray(Image.open(plain).convert("L"), dtype=float)
    b = np.asarray(Image.open(titled).convert("L"), dtype=float)
    diff = np.abs(a - b) > 40
    ys, xs = np.nonzero(diff)
    assert diff.mean() > 0.02  # the title is really there
    s = SMALL.safe
    # Inside the safe zone (the soft shadow may spill a few pixels).
    assert (
        xs.min() >= s.left - 4
        and xs.max() <= s.right + 8
        and ys.min() >= s.top - 4
        and ys.max() <= s.bottom + 8
    )


@pytest.mark.slow
def test_landscape_source_is_cover_cropped(tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", seconds=1.0, size="320x180")
    out = make_thumbnail(video, "Title", SMALL, tmp_path / "t.jpg")
    assert Image.open(out).size == (270, 480)


def test_audio_only_file_is_rejected(tmp_path: Path) -> None:
    tone = make_tone(tmp_path / "a.wav", seconds=0.5)
    with pytest.raises(MediaRejected):
        make_thumbnail(tone, "x", SMALL, tmp_path / "t.jpg")
