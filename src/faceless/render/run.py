"""The only place that spawns ffmpeg/ffprobe: binaries, progress, cancellation, atomic output."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path

from faceless.domain.errors import FacelessError
from faceless.render.command import FFmpegCommand


class FFmpegError(FacelessError):
    """ffmpeg exited non-zero; carries the tail of its log."""


class Cancelled(FacelessError):
    """The caller asked to stop."""


@cache
def ffmpeg_bin() -> str:
    """ffmpeg from FACELESS_FFMPEG, PATH, or imageio-ffmpeg's static build."""
    return _find("ffmpeg", "FACELESS_FFMPEG")


@cache
def ffprobe_bin() -> str:
    return _find("ffprobe", "FACELESS_FFPROBE")


def _find(name: str, env: str) -> str:
    explicit = os.environ.get(env)
    if explicit:
        return explicit
    found = shutil.which(name)
    if found:
        return found
    if name == "ffmpeg":
        try:
            import imageio_ffmpeg  # optional fallback when apt is unavailable

            return imageio_ffmpeg.get_ffmpeg_exe()
        except Exception:  # noqa: BLE001 - any failure means "not available"
            pass
    raise FacelessError(f"{name} not found: install it (apt-get install ffmpeg) or set {env}")


def atomic_target(path: str | os.PathLike[str]) -> Path:
    """A temporary sibling of `path` with the same extension (ffmpeg picks the muxer by it)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.stem}.", suffix=f".part{p.suffix}", dir=p.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs should be ordinary files
    return Path(tmp)


def run_ffmpeg(
    cmd: FFmpegCommand,
    *,
    duration: float | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
    threads: int | None = None,
    nice: int = 0,
) -> Path:
    """Run `cmd`, writing to a temp file renamed onto `cmd.output` only on success.

    `progress` receives a fraction in [0, 1] when `duration` (seconds of output) is known.
    `nice` > 0 lowers the process's CPU priority (so a short job running beside it finishes first).
    """
    final = Path(cmd.output)
    tmp = atomic_target(final)
    argv = cmd.argv(ffmpeg_bin(), output=str(tmp))
    if threads is not None:
        argv[1:1] = ["-threads", str(threads)]
    # -progress writes key=value lines to stdout; the log goes to stderr.
    argv[1:1] = ["-progress", "pipe:1", "-nostats"]
    try:
        _execute(argv, duration=duration, progress=progress, cancel=cancel, timeout=timeout, nice=nice)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    return final


def _execute(
    argv: list[str],
    *,
    duration: float | None,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
    timeout: float | None,
    nice: int = 0,
) -> None:
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if nice > 0:
        try:  # after the spawn, not in preexec_fn (unsafe with threads); the first milliseconds do not matter
            os.setpriority(os.PRIO_PROCESS, proc.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice))
        except (OSError, AttributeError):
            pass
    err_chunks: list[str] = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read() if proc.stderr else ""))
    reader.start()
    killer: threading.Timer | None = None
    timed_out = threading.Event()
    if timeout:

        def _kill() -> None:
            timed_out.set()
            proc.kill()

        killer = threading.Timer(timeout, _kill)
        killer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if cancel is not None and cancel.is_set():
                proc.kill()
                break
            if progress and duration and line.startswith("out_time_us="):
                value = line.split("=", 1)[1].strip()
                if value.isdigit():
                    progress(min(1.0, int(value) / 1e6 / duration))
        rc = proc.wait()
    finally:
        if killer:
            killer.cancel()
        reader.join()
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled")
    if timed_out.is_set():
        raise FFmpegError(f"ffmpeg timed out after {timeout:.0f}s")
    if rc != 0:
        tail = "".join(err_chunks).strip().splitlines()[-8:]
        raise FFmpegError(f"ffmpeg failed (exit {rc}): " + " | ".join(tail))
    if progress and duration:
        progress(1.0)


def run_capture(argv: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run an analysis command (ffmpeg/ffprobe writing no file) and return its output."""
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
