"""ffprobe as a function: what a file really is, read from its content, never its name."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from faceless.domain.errors import MediaRejected
from faceless.render.command import PROTOCOL_WHITELIST, file_url
from faceless.render.run import ffprobe_bin, run_capture


@dataclass(frozen=True)
class StreamInfo:
    index: int
    codec_type: str  # video | audio | subtitle | data
    codec_name: str
    width: int = 0
    height: int = 0
    fps: float = 0.0
    pix_fmt: str = ""
    profile: str = ""
    sample_rate: int = 0
    channels: int = 0
    duration: float = 0.0
    nb_frames: int = 0


@dataclass(frozen=True)
class MediaInfo:
    path: str
    format_name: str  # ffprobe's demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration: float
    size: int
    bit_rate: int
    streams: tuple[StreamInfo, ...]
    tags: dict[str, str]

    @property
    def video(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.codec_type == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.codec_type == "audio"), None)


def _rate(value: str | None) -> float:
    if not value or value in ("0/0", "N/A"):
        return 0.0
    try:
        return float(Fraction(value))
    except (ValueError, ZeroDivisionError):
        return 0.0


def _num(value: object, kind: type = float) -> float | int:
    try:
        return kind(value)  # type: ignore[call-arg,no-any-return]
    except (TypeError, ValueError):
        return kind(0)  # type: ignore[call-arg,no-any-return]


def probe(
    path: str | os.PathLike[str],
    *,
    count_frames: bool = False,
    timeout: float = 30,
    input_options: Sequence[str] = (),
) -> MediaInfo:
    """Probe a local file; raise MediaRejected if ffprobe cannot read it.

    `input_options` go before the input, e.g. to pin the demuxer (`media.validate` does).
    """
    p = Path(path)
    if not p.is_file():
        raise MediaRejected(str(p), "not a regular file")
    if p.stat().st_size == 0:
        raise MediaRejected(str(p), "empty file (0 bytes)")
    argv = [
        ffprobe_bin(),
        "-v",
        "error",
        *input_options,
        "-protocol_whitelist",
        PROTOCOL_WHITELIST,
        "-show_format",
        "-show_streams",
        "-of",
        "json",
    ]
    if count_frames:
        argv += ["-count_frames"]
    argv.append(file_url(p))
    try:
        res = run_capture(argv, timeout=timeout)
    except Exception as e:  # noqa: BLE001 - timeouts included
        raise MediaRejected(str(p), f"ffprobe failed: {e}") from None
    if res.returncode != 0:
        if "moov atom not found" in res.stderr:
            raise MediaRejected(
                str(p),
                "truncated or incomplete MP4/MOV (its index, the moov atom, "
                "is missing); re-export or re-download the file",
            )
        # ffprobe's first line names the cause; the last one is usually a generic "Invalid data".
        lines = [re.sub(r"^\[[^]]*\]\s*", "", ln) for ln in res.stderr.strip().splitlines()] or ["unreadable"]
        raise MediaRejected(str(p), f"not readable media ({lines[0]}); re-export the file")
    data = json.loads(res.stdout or "{}")
    fmt = data.get("format") or {}
    streams = []
    for s in data.get("streams") or []:
        streams.append(
            StreamInfo(
                index=int(s.get("index", 0)),
                codec_type=s.get("codec_type", ""),
                codec_name=s.get("codec_name", ""),
                width=int(_num(s.get("width"), int)),
                height=int(_num(s.get("height"), int)),
                fps=_rate(s.get("avg_frame_rate")) or _rate(s.get("r_frame_rate")),
                pix_fmt=s.get("pix_fmt", ""),
                profile=str(s.get("profile", "")),
                sample_rate=int(_num(s.get("sample_rate"), int)),
                channels=int(_num(s.get("channels"), int)),
                duration=float(_num(s.get("duration"))),
                nb_frames=int(_num(s.get("nb_read_frames") or s.get("nb_frames"), int)),
            )
        )
    return MediaInfo(
        path=str(p),
        format_name=fmt.get("format_name", ""),
        duration=float(_num(fmt.get("duration"))),
        size=int(_num(fmt.get("size"), int)),
        bit_rate=int(_num(fmt.get("bit_rate"), int)),
        streams=tuple(streams),
        tags={str(k): str(v) for k, v in (fmt.get("tags") or {}).items()},
    )
