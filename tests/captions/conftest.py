"""Burn an ASS document onto a plain frame with libass and return the frame as an RGB array."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from faceless.domain.formats import RenderFormat
from faceless.render.command import FFmpegCommand, Input
from faceless.render.run import run_ffmpeg
from faceless.render.subtitles import ass_filter


@pytest.fixture
def burn() -> Iterator[Callable[..., np.ndarray]]:
    # The .ass path is written into the filter graph, so it lives in a plain ASCII temp dir
    # (pytest's tmp_path carries the test id, brackets included).
    work = Path(tempfile.mkdtemp(prefix="faceless_captions_"))

    def _burn(
        ass_text: str, fmt: RenderFormat, *, at: float = 0.0, background: str = "0x808080"
    ) -> np.ndarray:
        ass = work / "captions.ass"
        ass.write_text(ass_text, encoding="utf-8")
        png = work / "frame.png"
        cmd = FFmpegCommand(
            inputs=[Input(f"color=c={background}:s={fmt.width}x{fmt.height}:r=25:d={at + 1:g}", lavfi=True)],
            output=str(png),
            # rgb24 before libass so the measured colours are not blurred by chroma subsampling.
            filter_complex=f"[0:v]format=rgb24,{ass_filter(ass)}[v]",
            output_options=["-map", "[v]", "-ss", f"{at:g}", "-frames:v", "1", "-update", "1"],
        )
        run_ffmpeg(cmd, timeout=60)
        with Image.open(png) as im:
            return np.asarray(im.convert("RGB")).astype(np.int16)

    yield _burn
    shutil.rmtree(work, ignore_errors=True)
