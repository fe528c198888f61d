"""Streaming WAV output: PCM goes to disk chunk by chunk, renamed into place only when complete."""

from __future__ import annotations

import os
import wave
from pathlib import Path
from types import TracebackType

import numpy as np

from faceless.render.run import atomic_target


class WavWriter:
    """Mono 16-bit WAV written incrementally to a temporary sibling, then atomically renamed.

    Use as a context manager; on an exception the partial file is removed and the
    destination is left untouched. `frames` counts the samples written so far.
    """

    def __init__(self, path: str | os.PathLike[str], sample_rate: int, channels: int = 1) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.channels = channels
        self.frames = 0
        self._tmp: Path | None = None
        self._wav: wave.Wave_write | None = None

    def __enter__(self) -> WavWriter:
        self._tmp = atomic_target(self.path)
        wav = wave.open(str(self._tmp), "wb")  # noqa: SIM115 - closed in __exit__
        wav.setnchannels(self.channels)
        wav.setsampwidth(2)
        wav.setframerate(self.sample_rate)
        self._wav = wav
        return self

    def write(self, pcm: np.ndarray | bytes) -> None:
        """Append int16 samples (numpy int16 array or raw little-endian bytes)."""
        assert self._wav is not None, "WavWriter used outside its `with` block"
        data = pcm if isinstance(pcm, bytes) else np.ascontiguousarray(pcm, dtype="<i2").tobytes()
        self._wav.writeframesraw(data)
        self.frames += len(data) // (2 * self.channels)

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._wav is not None and self._tmp is not None
        try:
            self._wav.close()  # patches the header with the final length
            if exc_type is None:
                os.replace(self._tmp, self.path)
        finally:
            if self._tmp.exists():
                self._tmp.unlink()


def wav_duration(path: str | os.PathLike[str]) -> float:
    """Duration of a PCM WAV in seconds, from its header."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()
