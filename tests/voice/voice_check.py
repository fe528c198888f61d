"""Shared checks for the voice tests: the sample script and audio measurements."""

from __future__ import annotations

import re
from pathlib import Path

from faceless.render.command import file_url
from faceless.render.run import ffmpeg_bin, run_capture

TEXT = "Hello there. In 1998, Dr. Smith paid $5,000 for a well-known octopus! 🐙 Goodbye."
DISPLAY = [
    "Hello",
    "there.",
    "In",
    "1998,",
    "Dr.",
    "Smith",
    "paid",
    "$5,000",
    "for",
    "a",
    "well-known",
    "octopus!",
    "Goodbye.",
]


def silences(path: Path, *, noise_db: int = -35, min_seconds: float = 0.1) -> list[tuple[float, float]]:
    """Silent stretches found by ffmpeg's silencedetect."""
    res = run_capture(
        [
            ffmpeg_bin(),
            "-hide_banner",
            "-nostdin",
            "-protocol_whitelist",
            "file",
            "-i",
            file_url(path),
            "-af",
            f"silencedetect=noise={noise_db}dB:d={min_seconds}",
            "-f",
            "null",
            "-",
        ]
    )
    starts = [float(x) for x in re.findall(r"silence_start: (-?[\d.]+)", res.stderr)]
    ends = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", res.stderr)]
    return list(zip(starts, ends, strict=False))


def assert_valid_words(words, duration: float) -> None:
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= duration for w in words)
