"""Narration tracks: fit each scene's voice to its exact frame length, then join them sample-exactly."""

from __future__ import annotations

import wave
from pathlib import Path

from faceless.domain.errors import InputError, MediaRejected
from faceless.render.command import FFmpegCommand, Input
from faceless.render.probe import probe
from faceless.render.run import run_ffmpeg
from faceless.storage.files import atomic_path

# 1 s of 48 kHz mono 16-bit per read: constant memory whatever the video length.
_CHUNK_FRAMES = 48000


def samples_for(frames: int, *, fps: int = 30, rate: int = 48000) -> int:
    """Audio samples covering `frames` video frames (exact when rate is a multiple of fps)."""
    return (frames * rate) // fps


def fit_voice(src: Path, frames: int, out: Path, *, fps: int = 30, rate: int = 48000) -> Path:
    """Convert any voice file to 48 kHz mono 16-bit WAV lasting exactly `frames / fps` seconds.

    Shorter speech is padded with silence at the end; longer speech is cut at the exact sample.
    """
    if frames <= 0:
        raise InputError(f"scene length must be at least one frame (got {frames}): give the scene a duration")
    if rate % fps:
        raise InputError(
            f"sample rate {rate} is not a multiple of {fps} fps: use 48000 Hz at 24/25/30/60 fps"
        )
    info = probe(src)
    if info.audio is None:
        raise MediaRejected(str(src), "has no audio stream; give a WAV/MP3/FLAC voice recording")
    n = samples_for(frames, fps=fps, rate=rate)
    # Resample first, then pad to at least n samples and trim at exactly n: both count output samples.
    graph = (
        f"[0:a:0]aresample={rate},aformat=sample_fmts=s16:channel_layouts=mono,"
        f"apad=whole_len={n},atrim=end_sample={n}[v]"
    )
    cmd = FFmpegCommand(
        inputs=[Input(str(src), options=["-vn"])],
        output=str(out),
        filter_complex=graph,
        output_options=[
            "-map",
            "[v]",
            "-c:a",
            "pcm_s16le",
            "-ar",
            str(rate),
            "-ac",
            "1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-f",
            "wav",
        ],
    )
    return run_ffmpeg(cmd, duration=n / rate)


def wav_params(path: Path) -> tuple[int, int, int, int]:
    """(channels, sample width in bytes, rate, frame count) read from the WAV header."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
    except (wave.Error, EOFError, OSError) as e:
        raise MediaRejected(str(path), f"not a PCM WAV file ({e}); fit it with fit_voice first") from None


def concat_voice(paths: list[Path], out: Path) -> Path:
    """Join fitted scene WAVs (same rate/channels/width) into one WAV, sample-exact, in constant memory."""
    if not paths:
        raise InputError("no scene voice tracks to join: synthesise the voice for at least one scene")
    first = wav_params(paths[0])
    for p in paths[1:]:
        if wav_params(p)[:3] != first[:3]:
            raise MediaRejected(
                str(p),
                f"format {wav_params(p)[:3]} differs from {first[:3]} of {paths[0]}; "
                "fit every scene with fit_voice",
            )
    out = Path(out)
    # writeframesraw leaves the header's length to close(), which patches it once at the end.
    with atomic_path(out) as tmp, wave.open(str(tmp), "wb") as dst:
        dst.setnchannels(first[0])
        dst.setsampwidth(first[1])
        dst.setframerate(first[2])
        for p in paths:
            with wave.open(str(p), "rb") as src:
                while chunk := src.readframes(_CHUNK_FRAMES):
                    dst.writeframesraw(chunk)
    return out
