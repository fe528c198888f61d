"""Join scene segments without re-encoding (concat demuxer) and mux the finished audio."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from faceless.domain.errors import InputError
from faceless.render.command import FFmpegCommand, Input
from faceless.render.probe import probe
from faceless.render.run import run_ffmpeg

AUDIO_OPTIONS = ["-c:a", "aac", "-profile:a", "aac_low", "-b:a", "192k", "-ar", "48000", "-ac", "2"]


def ffconcat_quote(path: Path) -> str:
    """A path as a quoted ffconcat token: inside '...' everything is literal except ', written '\\''."""
    text = os.fspath(path)
    if any(c in text for c in "\n\r\0"):
        raise InputError(f"segment path {text!r} contains a line break or NUL: use a plain directory name")
    return "'" + text.replace("'", "'\\''") + "'"


def ffconcat_list(segments: list[Path], durations: list[float] | None = None) -> str:
    """The text of an ffconcat file listing `segments` (absolute paths) in order.

    `durations` (seconds, exact frame multiples) make the demuxer place each file exactly; without
    them it uses the MP4's millisecond-rounded duration and leaves sub-frame gaps at the joins.
    """
    lines = ["ffconcat version 1.0"]
    for i, seg in enumerate(segments):
        lines.append(f"file {ffconcat_quote(seg)}")
        if durations is not None:
            lines.append(f"duration {durations[i]:.9f}")
    return "\n".join(lines) + "\n"


def segment_duration(path: Path) -> float:
    """Exact length of a video-only segment: frames / frame rate from its header."""
    v = probe(path).video
    if v is None:
        raise InputError(f"segment {path} has no video stream: render that scene again")
    if v.nb_frames and v.fps:
        return v.nb_frames / v.fps
    return v.duration


def join_segments(segments: list[Path], audio: Path | None, out: Path, *, duration: float) -> Path:
    """Concatenate video-only `segments` (same encoder settings) and mux `audio` into an MP4.

    Video is copied; audio is copied when it is already AAC, else encoded AAC-LC 48 kHz stereo
    192k. The output is cut to `duration` seconds, has `moov` first (faststart) and appears
    atomically at `out`.
    """
    if not segments:
        raise InputError("nothing to join: render at least one scene segment first")
    if duration <= 0:
        raise InputError(f"duration {duration} is not positive: pass the timeline's duration in seconds")
    # Only our own absolute paths go in the list; that is what makes `-safe 0` acceptable here.
    abs_segments = [Path(s).absolute() for s in segments]
    for seg in abs_segments:
        if not seg.is_file():
            raise InputError(f"segment {seg} is missing: render that scene again")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, list_name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".ffconcat", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(ffconcat_list(abs_segments, [segment_duration(p) for p in abs_segments]))
        inputs = [Input(list_name, options=["-f", "concat", "-safe", "0"])]
        options = ["-map", "0:v:0", "-c:v", "copy"]
        if audio is not None:
            info = probe(audio)
            if info.audio is None:
                raise InputError(f"{audio} has no audio stream: pass the mixed narration file")
            inputs.append(Input(str(audio)))
            options += ["-map", "1:a:0"]
            options += ["-c:a", "copy"] if info.audio.codec_name == "aac" else AUDIO_OPTIONS
        options += ["-t", f"{duration:.6f}", "-movflags", "+faststart", "-map_metadata", "-1"]
        cmd = FFmpegCommand(inputs=inputs, output=str(out), output_options=options)
        return run_ffmpeg(cmd, duration=duration)
    finally:
        os.unlink(list_name)
